"""The 校验 button: read an open workbook, run every rule, write the results back.

`validate_book(book)` takes any xlwings `Book` and only uses operations that
xlwings' VBA client (`Remote.bas`) can replay — fill colours (`setRangeColor`),
values (`setValues`), clearing cells (`rangeClearContents`) and a message box
(`alert`) — so one function serves the classic `RunPython` button, the remote
engine behind a server, and tests. Running it twice leaves the same state: every
input cell first goes back to the template's input fill, and the previous results
are cleared before the new ones are written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..check import check_report
from ..check.local import LocalRules
from ..findings import Counted, Finding, ReadError, ToolError
from ..form import FormSpec, Pos, current, spec_of
from ..read import read_source
from ..report import Note
from .results import alert_mode, alert_text, alert_title, fill_plan, note_rows, result_rows, run_status
from .source import BookSource


@dataclass
class BookCheck(Counted):
    """The findings for an open workbook and where its cells were found."""

    source: BookSource
    spec: FormSpec
    findings: list[Finding] = field(default_factory=list)
    found: dict[str, Pos] = field(default_factory=dict)  # layout key -> cell, through the anchors
    readable: bool = True
    notes: list[Note] = field(default_factory=list)  # the explanations in the workbook


def check_book(book, today: dt.date | None = None, rules: LocalRules | None = None) -> BookCheck:
    """Read `book` through the anchors (defined names) and run every rule (judged by the
    local `rules`, national when None); writes nothing."""
    src = BookSource(book)
    names = src.names()
    try:
        report = read_source(src)
    except ReadError as exc:
        spec = current()
        return BookCheck(src, spec, [exc.finding], _found(spec, names), readable=False)
    spec = spec_of(report)
    return BookCheck(src, spec, check_report(report, today=today, rules=rules), _found(spec, names), notes=report.notes)


def _found(spec: FormSpec, names: dict[str, Pos]) -> dict[str, Pos]:
    """Layout key -> the cell its anchor names in this book."""
    return {key: names[name] for name, key in spec.layout.anchors.items() if name in names}


def _cell(src: BookSource, pos: Pos):
    return src.sheet(pos.sheet).range((pos.row + 1, pos.col + 1))


def _write_results(checked: BookCheck) -> None:
    """Replace the rows of the results sheet with this run's findings."""
    src, layout = checked.source, checked.spec.layout
    if layout.results not in src.sheet_names():
        return
    sheet = src.sheet(layout.results)
    rows = result_rows(checked.spec, checked.findings)
    width = len(layout.result_headers)
    first = layout.result_first_row + 1  # 1-based
    # Clear what an earlier run wrote; the extent is also what this run writes, so a
    # second click emits the same actions as the first.
    last = max(len(src.rows(layout.results)), layout.result_first_row + len(rows))
    if last >= first:
        sheet.range((first, 1), (last, width)).clear_contents()
    if rows:
        sheet.range((first, 1), (first + len(rows) - 1, width)).value = rows


def _write_notes(checked: BookCheck) -> None:
    """List each warning in the notes sheet, keeping every explanation staff wrote."""
    src, layout = checked.source, checked.spec.layout
    if not layout.notes or layout.notes not in src.sheet_names():
        return
    sheet = src.sheet(layout.notes)
    rows = note_rows(checked.spec, checked.notes, checked.findings)
    width = len(layout.note_columns)
    first = layout.note_first_row + 1  # 1-based
    last = max([layout.note_first_row + len(rows)] + [n.row for n in checked.notes])  # rows staff spaced out included
    if last >= first:
        sheet.range((first, 1), (last, width)).clear_contents()
    if rows:
        sheet.range((first, 1), (first + len(rows) - 1, width)).value = rows


def validate_book(book, today: dt.date | None = None, rules: LocalRules | None = None) -> BookCheck:
    """Validate the open workbook and show the result in it (colours, results sheet, the
    warnings listed for explanation, status, alert); `rules` are local rules (check/local.py)."""
    checked = check_book(book, today, rules)
    src, spec = checked.source, checked.spec
    if checked.readable:
        for (sheet, r1, c1, r2, c2), colour in fill_plan(spec, checked.findings, checked.found):
            src.sheet(sheet).range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).color = colour
    _write_results(checked)
    if checked.readable:
        _write_notes(checked)
    status = checked.found.get("run_status")
    if status is not None and status.sheet in src.sheet_names():
        _cell(src, status).value = run_status(checked.findings)
    book.app.alert(alert_text(spec, checked.findings), title=alert_title(spec), mode=alert_mode(checked.findings))
    return checked


def validate_caller() -> None:
    """Entry point of the 校验 button's `RunPython` call (see macros/GK_Validate.bas)."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        validate_book(book)
    except ToolError as exc:  # a problem staff can act on, said as it is
        book.app.alert(exc.message, title=alert_title(current()), mode="critical")
    except Exception as exc:  # noqa: BLE001 - staff see a sentence, not a traceback
        book.app.alert(
            f"校验时出现内部错误：{type(exc).__name__}: {exc}\n请将此信息反馈给维护人员。",
            title=alert_title(current()),
            mode="critical",
        )
