"""Build the protected workbook (empty template or filled report) in one ordered pass.

The builder walks the form's layout once: labels, input cells (unlocked, validated),
totals (locked formulas with cached values), the live check sheet compiled from the
rules, conditional formats, defined names for every canonical ID, print setup,
protection. `xlsx-tools template` and `xlsx-tools fill` both end here; so does the
merge summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import IO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..findings import ERROR, WARNING, Number
from ..form import AMOUNT, CHOICE, DATE, INTEGER, FormSpec, Pos, current, spec_of
from ..form.checks import clean
from ..form.layout import ERRORS_NAME, WARNINGS_NAME, SheetLayout, col_letter
from ..report import Report
from . import formulas as fx
from .livechecks import PASS, live_rows, result_text, status_formula, status_text
from .livechecks import totals as live_totals
from .styles import VALIDATION, Styles

FIXED_TIME = dt.datetime(2021, 1, 1)  # document timestamps, so that builds are reproducible
MAX_TEXT = 32767  # Excel's limit for one cell
FORM_PROPERTY = "GK-Form"  # custom document property naming the form


class _Workbook(xlsxwriter.Workbook):
    """XlsxWriter workbook that also locks the workbook structure (no sheet added,
    deleted, renamed or moved by accident); XlsxWriter has no public switch for it."""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


def sheet_values(spec: FormSpec, report: Report | None) -> tuple[dict[str, Number | None], set[str]]:
    """Every cell as the workbook will state it, and the totals written as constants.

    Inputs are the report's values (None: blank). A total is its formula's value over
    the stated cells (blank counts 0, as in Excel), unless the report states a
    different value for it: then that value is written as given, so that a published
    report's errors can be reproduced and found."""
    cells = report.cells if report else {}
    values: dict[str, Number | None] = {cid: cells.get(cid) for cid in spec.input_ids}
    overridden: set[str] = set()
    for total_id, check in spec.defining.items():
        computed = clean(sum(t.sign * (values.get(t.id) or 0) for t in check.rhs))
        given = cells.get(total_id)
        if given is not None and round(given - computed, 6) != 0:
            values[total_id] = given
            overridden.add(total_id)
        else:
            values[total_id] = computed
    return values, overridden


class Builder:
    def __init__(
        self, target: str | Path | IO[bytes], report: Report | None = None, today: dt.date | None = None, spec: FormSpec | None = None
    ):
        self.spec = spec or (spec_of(report) if report else current())
        self.layout = self.spec.layout
        self.report = report
        self.today = today
        self.wb = _Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        form_id = self.spec.id
        self.wb.set_properties({"title": self.spec.title, "subject": form_id, "created": FIXED_TIME, "comments": f"表式 {form_id}"})
        self.wb.set_custom_property(FORM_PROPERTY, form_id)
        self.wb.set_calc_mode("auto")
        self.st = Styles(self.wb)
        self.values, self.overridden = sheet_values(self.spec, report)
        self.meta = dict(report.meta) if report else {}
        self.sheets: dict[str, Worksheet] = {name: self.wb.add_worksheet(name) for name in self.layout.order}

    def build(self, extra: Callable[[xlsxwriter.Workbook, Styles], None] | None = None) -> None:
        for name in self.layout.order:
            self._sheet(self.layout.sheets[name])
        for table in self.layout.table_sheets:
            self._table_inputs(table)
        self._cover()
        self._text()
        self._checks()
        self._notes()
        self._conditional_formats()
        for name, key in self.layout.anchors.items():
            self.wb.define_name(name, "=" + self.layout.pos[key].ref)
        self.sheets[self.layout.cover].activate()
        if extra:
            extra(self.wb, self.st)
        self.wb.close()

    # ---- generic sheet parts --------------------------------------------------------
    def _sheet(self, layout: SheetLayout) -> None:
        ws = self.sheets[layout.name]
        for col, width in layout.widths.items():
            ws.set_column(col, col, width)
        for row, height in layout.heights.items():
            ws.set_row(row, height)
        style = {"title": self.st.title, "header": self.st.header, "rowlabel": self.st.rowlabel, "note": self.st.note}
        for label in layout.labels:
            fmt = style[label.role]
            if label.role == "note" and (label.rows > 1 or label.cols > 1) and layout.name != self.layout.cover:
                fmt = self.st.boxnote
            if label.rows > 1 or label.cols > 1:
                ws.merge_range(
                    label.pos.row, label.pos.col, label.pos.row + label.rows - 1, label.pos.col + label.cols - 1, label.text, fmt
                )
            else:
                ws.write_string(label.pos.row, label.pos.col, label.text, fmt)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        if layout.landscape:
            ws.set_landscape()
        if layout.repeat_rows:
            ws.repeat_rows(*layout.repeat_rows)
        if layout.freeze:
            ws.freeze_panes(*layout.freeze)
        if layout.name not in (self.layout.results, self.layout.notes):  # the button writes these; staff type in the notes
            ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True})

    def _value_cell(self, ws: Worksheet, key: str, write: Callable[[int, int], None], fmt) -> None:
        """Write a value cell, merged across its span where the layout says so."""
        pos = self.layout.pos[key]
        span = self.layout.span(key)
        if span > 1:
            ws.merge_range(pos.row, pos.col, pos.row, pos.col + span - 1, "", fmt)
        write(pos.row, pos.col)

    def _table_inputs(self, table: str) -> None:
        spec = self.spec
        ws = self.sheets[self.layout.table_sheets[table]]
        for cid, cell in spec.cells.items():
            if cell.table != table:
                continue
            value = self.values[cid]
            if cell.total and cid not in self.overridden:
                formula = fx.total_formula(self.layout, spec.defining[cid])
                self._value_cell(ws, cid, lambda r, c, f=formula, v=value: ws.write_formula(r, c, f, self.st.total, v), self.st.total)
            elif cell.total:
                self._value_cell(ws, cid, lambda r, c, v=value: ws.write_number(r, c, v, self.st.total), self.st.total)
            else:
                fmt = self.st.amount if cell.kind == AMOUNT else self.st.count
                if value is None:
                    self._value_cell(ws, cid, lambda r, c, f=fmt: ws.write_blank(r, c, None, f), fmt)
                else:
                    self._value_cell(ws, cid, lambda r, c, f=fmt, v=value: ws.write_number(r, c, v, f), fmt)
        for amount in (False, True):
            for rect in fx.rectangles([self.layout.cell(c) for c in self._inputs(table, amount)]):
                _, r1, c1, r2, c2 = rect
                ws.data_validation(r1, c1, r2, c2, VALIDATION["amount" if amount else "count"])

    def _inputs(self, table: str, amount: bool) -> list[str]:
        cells = self.spec.cells
        return [c for c in self.spec.input_ids if cells[c].table == table and (cells[c].kind == AMOUNT) == amount]

    # ---- the cover ------------------------------------------------------------------
    def _cover(self) -> None:
        spec, layout = self.spec, self.layout
        ws = self.sheets[layout.cover]
        for key, mf in spec.meta.items():
            pos = layout.pos[f"meta.{key}"]
            value = self.meta.get(key)
            prompt = {"input_title": mf.label[:32], "input_message": mf.prompt[:255]}
            if mf.type == DATE:
                if isinstance(value, dt.date):
                    ws.write_datetime(pos.row, pos.col, dt.datetime.combine(value, dt.time()), self.st.meta_date)
                else:
                    ws.write_blank(pos.row, pos.col, None, self.st.meta_date)
                rule = {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(spec.first_year, 1, 1),
                    "maximum": dt.date(spec.last_year, 12, 31),
                }
                rule |= {"error_title": "日期有误", "error_message": "请填写日期，如 2026-01-10。"}
            elif mf.type == INTEGER:
                if value is None:
                    ws.write_blank(pos.row, pos.col, None, self.st.meta_number)
                else:
                    ws.write_number(pos.row, pos.col, value, self.st.meta_number)
                low = spec.first_year if key == "year" else 1
                rule = {
                    "validate": "integer",
                    "criteria": "between",
                    "minimum": low,
                    "maximum": spec.last_year if key == "year" else 100000,
                }
                rule |= {"error_title": "数字有误", "error_message": f"请填写不小于 {low} 的整数。"}
            else:
                if value in (None, ""):
                    ws.write_blank(pos.row, pos.col, None, self.st.meta_text)
                else:
                    ws.write_string(pos.row, pos.col, str(value), self.st.meta_text)
                if mf.type == CHOICE:
                    rule = {
                        "validate": "list",
                        "source": list(mf.choices),
                        "error_title": "请从列表中选择",
                        "error_message": "、".join(mf.choices),
                    }
                elif key == "uscc":
                    rule = {
                        "validate": "length",
                        "criteria": "==",
                        "value": 18,
                        "error_title": "代码有误",
                        "error_message": "统一社会信用代码应为 18 位。",
                    }
                else:
                    rule = {"validate": "any"}
            ws.data_validation(pos.row, pos.col, pos.row, pos.col, rule | prompt)

        errors, warnings = live_totals(spec, self.values, self.meta, self.today)
        status = layout.pos["status"]
        ws.write_formula(status.row, status.col, status_formula(ERRORS_NAME, WARNINGS_NAME), self.st.status, status_text(errors, warnings))
        run = layout.pos["run_status"]
        ws.write_blank(run.row, run.col, None, self.st.run_status)
        form = layout.pos["form"]
        ws.write_string(form.row, form.col, spec.id, self.st.fixed)

    # ---- the narrative and fee figures -------------------------------------------------
    def _text(self) -> None:
        ws = self.sheets[self.layout.text]
        text = self.report.text if self.report else {}
        for section in self.spec.sections:
            body = text.get(section.key, "")
            if len(body) > MAX_TEXT:
                raise ValueError(f"{self.spec.narrative}「{section.label}」有 {len(body)} 个字符，超过 Excel 单元格上限 {MAX_TEXT}")
            key = f"text.{section.key}"
            pos = self.layout.pos[key]
            fmt = self.st.text_input
            self._value_cell(ws, key, lambda r, c, b=body, f=fmt: ws.write_string(r, c, b, f) if b else ws.write_blank(r, c, None, f), fmt)
            prompt = {"validate": "any", "input_title": section.label[:32], "input_message": section.prompt[:255]}
            ws.data_validation(pos.row, pos.col, pos.row, pos.col, prompt)

    # ---- the live check sheet -------------------------------------------------------------
    def _checks(self) -> None:
        layout = self.layout
        ws = self.sheets[layout.checks]
        st = self.st
        col = layout.check_col
        first = layout.check_first_row
        rows = live_rows(self.spec)
        errors = warnings = 0
        for i, row in enumerate(rows):
            r = first + i
            formulas = row.formulas(r)
            values = row.evaluate(self.values, self.meta, self.today)
            if row.severity == ERROR:
                errors += values["problems"]
            else:
                warnings += values["problems"]
            texts = (
                ("code", row.code),
                ("rule", row.rule),
                ("severity", row.severity.zh),
                ("scope", row.scope),
                ("lhs_label", row.lhs_label),
                ("rhs_label", row.rhs_label),
            )
            for key, text in texts:
                ws.write_string(r, col[key], text, st.cell)
            for key in ("lhs", "rhs", "diff", "problems"):
                f = formulas.get(key)
                if f is None:
                    ws.write_blank(r, col[key], None, st.cell)
                elif f.startswith("{"):
                    ws.write_array_formula(r, col[key], r, col[key], f, st.cell, values[key])
                else:
                    ws.write_formula(r, col[key], f, st.cell, values[key])
            result = PASS if values["problems"] == 0 else result_text(row.severity)
            ws.write_formula(r, col["result"], row.result_formula(r), st.cell, result)
            self.wb.define_name(row.name, f"='{layout.checks}'!${col_letter(col['problems'])}${r + 1}")
        last = first + len(rows)
        sev, probs = col_letter(col["severity"]), col_letter(col["problems"])

        def span(c: str) -> str:
            return f"{c}{first + 1}:{c}{last}"

        for key, severity, value in (("errors", ERROR, errors), ("warnings", WARNING, warnings)):
            pos = layout.pos[key]
            ws.write_formula(pos.row, pos.col, f'=SUMIF({span(sev)},"{severity.zh}",{span(probs)})', st.status, value)
        rng = span(col_letter(col["result"]))
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{PASS}"', "format": st.good})
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{result_text(ERROR)}"', "format": st.bad})
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{WARNING.zh}"', "format": st.warn})

    # ---- where staff explain warnings -------------------------------------------------------
    def _notes(self) -> None:
        """The explanation rows: formatted for typing, holding the report's notes (fill)."""
        layout = self.layout
        if not layout.notes:
            return
        ws = self.sheets[layout.notes]
        notes = self.report.notes if self.report else []
        first, col = layout.note_first_row, layout.note_col
        rows = max(layout.note_rows, len(notes))
        for i in range(rows):
            note = notes[i] if i < len(notes) else None
            texts = {"rule": note.rule, "where": note.where, "text": note.text} if note else {}
            for key, c in col.items():
                fmt = self.st.meta_text if key in ("rule", "where") else self.st.text_input
                text = texts.get(key, "")
                if text:
                    ws.write_string(first + i, c, text, fmt)
                else:
                    ws.write_blank(first + i, c, None, fmt)
        headers = dict(layout.note_columns)
        for key, prompt in layout.note_prompts:
            c = col[key]
            ws.data_validation(
                first, c, first + rows - 1, c, {"validate": "any", "input_title": headers[key][:32], "input_message": prompt}
            )

    # ---- conditional formats on the tables -----------------------------------------------
    def _conditional_formats(self) -> None:
        """One conditional format per group of cells that share their checks: red when an
        error check of theirs fails (or, for an input cell, when it holds text, a negative
        number or a fraction where a count belongs), orange when a warning check fails.
        Every cell is in exactly one range: an engine that keeps only the last of several
        overlapping ranges (Gnumeric) still shows every condition."""
        checks: dict[str, tuple[list[str], list[str]]] = {}
        for row in live_rows(self.spec):
            if row.kind == "linear":
                for cid in row.cells:
                    checks.setdefault(cid, ([], []))[0 if row.severity == ERROR else 1].append(row.name)
        kind = {cid: self.spec.cells[cid].kind for cid in self.spec.input_ids}
        groups: dict[tuple, list[Pos]] = {}
        for cid in self.spec.cells:
            errors, warnings = checks.get(cid, ([], []))
            if errors or warnings or cid in kind:
                pos = self.layout.cell(cid)
                groups.setdefault((pos.sheet, tuple(errors), tuple(warnings), kind.get(cid)), []).append(pos)
        for (sheet, errors, warnings, input_kind), cells in groups.items():
            rects = fx.rectangles(cells)
            ranges = " ".join(fx.a1_range(r) for r in rects)
            first = Pos(sheet, rects[0][1], rects[0][2])
            bad = [f"{name}>0" for name in errors]
            if input_kind is not None:
                bad.append(fx.type_cf(first, input_kind == AMOUNT).removeprefix("="))
            ws = self.sheets[sheet]
            for conditions, fmt in ((bad, self.st.bad), ([f"{name}>0" for name in warnings], self.st.warn)):
                if conditions:
                    criteria = "=" + (conditions[0] if len(conditions) == 1 else f"OR({','.join(conditions)})")
                    ws.conditional_format(
                        ranges.split()[0], {"type": "formula", "criteria": criteria, "format": fmt, "multi_range": ranges}
                    )


def build_workbook(
    target: str | Path | IO[bytes], report: Report | None = None, extra=None, today: dt.date | None = None, spec: FormSpec | None = None
) -> None:
    """Write the template (report=None) or a filled report to `target`, in the report's
    form (or `spec`, by default the current form)."""
    Builder(target, report, today, spec).build(extra)
