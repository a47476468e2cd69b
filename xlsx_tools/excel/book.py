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

from ..check.validate import check_report
from ..findings import Counted, Finding, ReadError
from ..form.layout import LAYOUT, RESULT_HEADERS, RESULT_SHEET, Pos
from ..read.reader import read_source
from .results import ALERT_TITLE, RESULT_FIRST_ROW, alert_mode, alert_text, fill_plan, result_rows, run_status
from .source import BookSource


@dataclass
class BookCheck(Counted):
    """The findings for an open workbook and where its cells were found."""

    source: BookSource
    findings: list[Finding] = field(default_factory=list)
    found: dict[str, Pos] = field(default_factory=dict)  # layout key -> cell, through the anchors
    readable: bool = True


def check_book(book, today: dt.date | None = None) -> BookCheck:
    """Read `book` through the anchors (defined names) and run every rule; writes nothing."""
    src = BookSource(book)
    names = src.names()
    found = {key: names[name] for name, key in LAYOUT.anchors.items() if name in names}
    try:
        report = read_source(src)
    except ReadError as exc:
        return BookCheck(src, [exc.finding], found, readable=False)
    return BookCheck(src, check_report(report, today=today), found)


def _cell(src: BookSource, pos: Pos):
    return src.sheet(pos.sheet).range((pos.row + 1, pos.col + 1))


def _write_results(src: BookSource, findings: list[Finding]) -> None:
    """Replace the rows of the 校验结果 sheet with this run's findings."""
    if RESULT_SHEET not in src.sheet_names():
        return
    sheet = src.sheet(RESULT_SHEET)
    rows = result_rows(findings)
    width = len(RESULT_HEADERS)
    first = RESULT_FIRST_ROW + 1  # 1-based
    # Clear what an earlier run wrote; the extent is also what this run writes, so a
    # second click emits the same actions as the first.
    last = max(len(src.rows(RESULT_SHEET)), RESULT_FIRST_ROW + len(rows))
    if last >= first:
        sheet.range((first, 1), (last, width)).clear_contents()
    if rows:
        sheet.range((first, 1), (first + len(rows) - 1, width)).value = rows


def validate_book(book, today: dt.date | None = None) -> BookCheck:
    """Validate the open workbook and show the result in it (colours, 校验结果, status, alert)."""
    checked = check_book(book, today)
    src = checked.source
    if checked.readable:
        for (sheet, r1, c1, r2, c2), colour in fill_plan(checked.findings, checked.found):
            src.sheet(sheet).range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).color = colour
    _write_results(src, checked.findings)
    status = checked.found.get("run_status")
    if status is not None and status.sheet in src.sheet_names():
        _cell(src, status).value = run_status(checked.findings)
    book.app.alert(alert_text(checked.findings), title=ALERT_TITLE, mode=alert_mode(checked.findings))
    return checked


def validate_caller() -> None:
    """Entry point of the 校验 button's `RunPython` call (see macros/GK_Validate.bas)."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        validate_book(book)
    except Exception as exc:  # noqa: BLE001 - staff see a sentence, not a traceback
        book.app.alert(
            f"校验时出现内部错误：{type(exc).__name__}: {exc}\n请将此信息反馈给维护人员。",
            title=ALERT_TITLE,
            mode="critical",
        )
