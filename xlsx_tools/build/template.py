"""Build the protected workbook (empty template or filled report) in one ordered pass.

The builder walks the layout once: labels, input cells (unlocked, validated), totals
(locked formulas with cached values), the 校验 sheet compiled from the rules,
conditional formats, defined names for every canonical ID, print setup, protection.
`xlsx-tools template` and `xlsx-tools fill` both end here; so does the merge summary.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Callable

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from . import formulas as fx
from ..findings import SEVERITY_ZH, Number
from ..form.gk2021 import AMOUNT, CELLS, CHOICE, DATE, FIRST_YEAR, FORM_ID, INPUT_IDS, INTEGER, META, SECTIONS
from ..form.layout import (
    CHECK_FIRST_ROW,
    CHECK_SHEET,
    COVER,
    ERRORS_NAME,
    LAYOUT,
    RESULT_SHEET,
    SHEET_ORDER,
    TABLE_SHEETS,
    WARNINGS_NAME,
    Pos,
    SheetLayout,
    col_letter,
)
from .livechecks import COL, LIVE_ROWS, PASS, result_text, status_formula, status_text
from .livechecks import totals as live_totals
from ..report import Report
from ..check.rules import DEFINING, _clean

FIXED_TIME = dt.datetime(2021, 1, 1)  # document timestamps, so that builds are reproducible
MAX_TEXT = 32767  # Excel's limit for one cell
INPUT_FILL, TOTAL_FILL, HEADER_FILL = "#FFF2CC", "#E7E6E6", "#F2F2F2"
ERROR_FILL, ERROR_FONT, WARNING_FILL, WARNING_FONT = "#FFC7CE", "#9C0006", "#FFEB9C", "#9C5700"
PASS_FILL, PASS_FONT = "#C6EFCE", "#006100"
FONT = "宋体"


class _Workbook(xlsxwriter.Workbook):
    """XlsxWriter workbook that also locks the workbook structure (no sheet added,
    deleted, renamed or moved by accident); XlsxWriter has no public switch for it."""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


class Styles:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        box = base | {"border": 1, "text_wrap": True}

        def add(**kw):
            return wb.add_format(base | kw)

        self.title = add(bold=True, font_size=16, align="center")
        self.header = wb.add_format(box | {"bold": True, "align": "center", "bg_color": HEADER_FILL})
        self.rowlabel = wb.add_format(box | {"align": "left"})
        self.note = add(font_size=9, font_color="#595959", text_wrap=True)
        self.boxnote = wb.add_format(box | {"font_size": 9, "align": "center"})
        self.count = wb.add_format(box | {"bg_color": INPUT_FILL, "locked": False, "align": "right"})
        self.amount = wb.add_format(box | {"bg_color": INPUT_FILL, "locked": False, "align": "right", "num_format": "0.00####"})
        self.total = wb.add_format(box | {"bg_color": TOTAL_FILL, "bold": True, "align": "right"})
        self.text_input = wb.add_format(box | {"bg_color": INPUT_FILL, "locked": False, "valign": "top", "num_format": "@"})
        self.meta_text = wb.add_format(box | {"bg_color": INPUT_FILL, "locked": False, "num_format": "@"})
        self.meta_number = wb.add_format(box | {"bg_color": INPUT_FILL, "locked": False, "align": "left"})
        self.meta_date = wb.add_format(box | {"bg_color": INPUT_FILL, "locked": False, "align": "left", "num_format": "yyyy-mm-dd"})
        self.status = wb.add_format(box | {"bold": True, "font_size": 12})
        self.run_status = wb.add_format(box | {"locked": False})
        self.fixed = wb.add_format(box)
        self.cell = wb.add_format(base | {"border": 1, "font_size": 10})
        self.bad = wb.add_format({"bg_color": ERROR_FILL, "font_color": ERROR_FONT})
        self.warn = wb.add_format({"bg_color": WARNING_FILL, "font_color": WARNING_FONT})
        self.good = wb.add_format({"bg_color": PASS_FILL, "font_color": PASS_FONT})


VALIDATION = {
    "count": {
        "validate": "integer",
        "criteria": ">=",
        "value": 0,
        "input_title": "填写件数",
        "input_message": "请填写不小于 0 的整数；没有发生的填 0。",
        "error_title": "件数有误",
        "error_message": "这里只能填写不小于 0 的整数（件数）。",
    },
    "amount": {
        "validate": "decimal",
        "criteria": ">=",
        "value": 0,
        "input_title": "填写金额",
        "input_message": "请填写不小于 0 的数字（金额），可以有小数；没有发生的填 0。",
        "error_title": "金额有误",
        "error_message": "这里只能填写不小于 0 的数字（金额）。",
    },
}


def sheet_values(report: Report | None) -> tuple[dict[str, Number | None], set[str]]:
    """Every cell as the workbook will state it, and the totals written as constants.

    Inputs are the report's values (None: blank). A total is its formula's value over
    the stated cells (blank counts 0, as in Excel), unless the report states a
    different value for it: then that value is written as given, so that a published
    report's errors can be reproduced and found."""
    cells = report.cells if report else {}
    values: dict[str, Number | None] = {cid: cells.get(cid) for cid in INPUT_IDS}
    overridden: set[str] = set()
    for total_id, check in DEFINING.items():
        computed = _clean(sum(t.sign * (values.get(t.id) or 0) for t in check.rhs))
        given = cells.get(total_id)
        if given is not None and round(given - computed, 6) != 0:
            values[total_id] = given
            overridden.add(total_id)
        else:
            values[total_id] = computed
    return values, overridden


class Builder:
    def __init__(self, target: str | Path | IO[bytes], report: Report | None = None, today: dt.date | None = None):
        self.report = report
        self.today = today
        self.wb = _Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        self.wb.set_properties({"title": "政府信息公开工作年度报告", "subject": FORM_ID, "created": FIXED_TIME, "comments": f"表式 {FORM_ID}"})
        self.wb.set_custom_property("GK-Form", FORM_ID)
        self.wb.set_calc_mode("auto")
        self.st = Styles(self.wb)
        self.values, self.overridden = sheet_values(report)
        self.meta = dict(report.meta) if report else {}
        self.sheets: dict[str, Worksheet] = {name: self.wb.add_worksheet(name) for name in SHEET_ORDER}

    def build(self, extra: Callable[[xlsxwriter.Workbook, Styles], None] | None = None) -> None:
        for name in SHEET_ORDER:
            self._sheet(LAYOUT.sheets[name])
        for table in TABLE_SHEETS:
            self._table_inputs(table)
        self._cover()
        self._text()
        self._checks()
        self._conditional_formats()
        for name, key in LAYOUT.anchors.items():
            self.wb.define_name(name, "=" + LAYOUT.pos[key].ref)
        self.sheets[COVER].activate()
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
            if label.role == "note" and (label.rows > 1 or label.cols > 1) and layout.name not in (COVER,):
                fmt = self.st.boxnote
            if label.rows > 1 or label.cols > 1:
                ws.merge_range(label.pos.row, label.pos.col, label.pos.row + label.rows - 1, label.pos.col + label.cols - 1, label.text, fmt)
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
        if layout.name != RESULT_SHEET:
            ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True})

    def _value_cell(self, ws: Worksheet, layout: SheetLayout, key: str, write: Callable[[int, int], None], fmt) -> None:
        """Write a value cell, merged across its span where the layout says so."""
        pos = layout.values[key]
        span = layout.value_span.get(key, 1)
        if span > 1:
            ws.merge_range(pos.row, pos.col, pos.row, pos.col + span - 1, "", fmt)
        write(pos.row, pos.col)

    def _table_inputs(self, table: str) -> None:
        layout = LAYOUT.sheets[TABLE_SHEETS[table]]
        ws = self.sheets[layout.name]
        for cid, cell in CELLS.items():
            if cell.table != table:
                continue
            value = self.values[cid]
            if cell.total and cid not in self.overridden:
                formula = fx.total_formula(DEFINING[cid])
                self._value_cell(ws, layout, cid, lambda r, c: ws.write_formula(r, c, formula, self.st.total, value), self.st.total)
            elif cell.total:
                self._value_cell(ws, layout, cid, lambda r, c: ws.write_number(r, c, value, self.st.total), self.st.total)
            else:
                fmt = self.st.amount if cell.kind == AMOUNT else self.st.count
                if value is None:
                    self._value_cell(ws, layout, cid, lambda r, c: ws.write_blank(r, c, None, fmt), fmt)
                else:
                    self._value_cell(ws, layout, cid, lambda r, c: ws.write_number(r, c, value, fmt), fmt)
        for amount in (False, True):
            ids = [c for c in INPUT_IDS if CELLS[c].table == table and (CELLS[c].kind == AMOUNT) == amount]
            for rect in fx.rectangles([LAYOUT.cell(c) for c in ids]):
                _, r1, c1, r2, c2 = rect
                ws.data_validation(r1, c1, r2, c2, VALIDATION["amount" if amount else "count"])

    # ---- the cover ------------------------------------------------------------------
    def _cover(self) -> None:
        layout = LAYOUT.sheets[COVER]
        ws = self.sheets[COVER]
        for key, spec in META.items():
            pos = layout.values[f"meta.{key}"]
            value = self.meta.get(key)
            prompt = {"input_title": spec.label[:32], "input_message": spec.prompt[:255]}
            if spec.type == DATE:
                if isinstance(value, dt.date):
                    ws.write_datetime(pos.row, pos.col, dt.datetime.combine(value, dt.time()), self.st.meta_date)
                else:
                    ws.write_blank(pos.row, pos.col, None, self.st.meta_date)
                rule = {"validate": "date", "criteria": "between", "minimum": dt.date(FIRST_YEAR, 1, 1), "maximum": dt.date(2100, 12, 31)}
                rule |= {"error_title": "日期有误", "error_message": "请填写日期，如 2026-01-10。"}
            elif spec.type == INTEGER:
                if value is None:
                    ws.write_blank(pos.row, pos.col, None, self.st.meta_number)
                else:
                    ws.write_number(pos.row, pos.col, value, self.st.meta_number)
                low = FIRST_YEAR if key == "year" else 1
                rule = {"validate": "integer", "criteria": "between", "minimum": low, "maximum": 2100 if key == "year" else 100000}
                rule |= {"error_title": "数字有误", "error_message": f"请填写不小于 {low} 的整数。"}
            else:
                if value in (None, ""):
                    ws.write_blank(pos.row, pos.col, None, self.st.meta_text)
                else:
                    ws.write_string(pos.row, pos.col, str(value), self.st.meta_text)
                if spec.type == CHOICE:
                    rule = {"validate": "list", "source": list(spec.choices), "error_title": "请从列表中选择", "error_message": "、".join(spec.choices)}
                elif key == "uscc":
                    rule = {"validate": "length", "criteria": "==", "value": 18, "error_title": "代码有误", "error_message": "统一社会信用代码应为 18 位。"}
                else:
                    rule = {"validate": "any"}
            ws.data_validation(pos.row, pos.col, pos.row, pos.col, rule | prompt)

        errors, warnings = live_totals(self.values, self.meta, self.today)
        status = layout.values["status"]
        ws.write_formula(status.row, status.col, status_formula(ERRORS_NAME, WARNINGS_NAME), self.st.status, status_text(errors, warnings))
        run = layout.values["run_status"]
        ws.write_blank(run.row, run.col, None, self.st.run_status)
        form = layout.values["form"]
        ws.write_string(form.row, form.col, FORM_ID, self.st.fixed)

    # ---- the narrative and fee figures -------------------------------------------------
    def _text(self) -> None:
        layout = LAYOUT.sheets[LAYOUT.pos["text.overview"].sheet]
        ws = self.sheets[layout.name]
        text = self.report.text if self.report else {}
        for section in SECTIONS:
            body = text.get(section.key, "")
            if len(body) > MAX_TEXT:
                raise ValueError(f"正文「{section.label}」有 {len(body)} 个字符，超过 Excel 单元格上限 {MAX_TEXT}")
            key = f"text.{section.key}"
            pos = layout.values[key]
            self._value_cell(ws, layout, key, lambda r, c: ws.write_string(r, c, body, self.st.text_input) if body else ws.write_blank(r, c, None, self.st.text_input), self.st.text_input)
            ws.data_validation(pos.row, pos.col, pos.row, pos.col, {"validate": "any", "input_title": section.label[:32], "input_message": section.prompt[:255]})

    # ---- the 校验 sheet ------------------------------------------------------------------
    def _checks(self) -> None:
        ws = self.sheets[CHECK_SHEET]
        st = self.st
        errors = warnings = 0
        for i, row in enumerate(LIVE_ROWS):
            r = CHECK_FIRST_ROW + i
            formulas = row.formulas(r)
            values = row.evaluate(self.values, self.meta, self.today)
            if row.severity == "error":
                errors += values["problems"]
            else:
                warnings += values["problems"]
            for key, text in (("code", row.code), ("rule", row.rule), ("severity", SEVERITY_ZH[row.severity]), ("scope", row.scope), ("lhs_label", row.lhs_label), ("rhs_label", row.rhs_label)):
                ws.write_string(r, COL[key], text, st.cell)
            for key in ("lhs", "rhs", "diff", "problems"):
                f = formulas.get(key)
                if f is None:
                    ws.write_blank(r, COL[key], None, st.cell)
                elif f.startswith("{"):
                    ws.write_array_formula(r, COL[key], r, COL[key], f, st.cell, values[key])
                else:
                    ws.write_formula(r, COL[key], f, st.cell, values[key])
            result = PASS if values["problems"] == 0 else result_text(row.severity)
            ws.write_formula(r, COL["result"], row.result_formula(r), st.cell, result)
            self.wb.define_name(row.name, f"='{CHECK_SHEET}'!${col_letter(COL['problems'])}${r + 1}")
        last = CHECK_FIRST_ROW + len(LIVE_ROWS)
        sev, probs = col_letter(COL["severity"]), col_letter(COL["problems"])
        span = lambda c: f"{c}{CHECK_FIRST_ROW + 1}:{c}{last}"  # noqa: E731
        for key, word, value in (("errors", "错误", errors), ("warnings", "提示", warnings)):
            pos = LAYOUT.pos[key]
            ws.write_formula(pos.row, pos.col, f'=SUMIF({span(sev)},"{word}",{span(probs)})', st.status, value)
        res = col_letter(COL["result"])
        rng = f"{res}{CHECK_FIRST_ROW + 1}:{res}{last}"
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{PASS}"', "format": st.good})
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": '"不通过"', "format": st.bad})
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": '"提示"', "format": st.warn})

    # ---- conditional formats on the tables -----------------------------------------------
    def _conditional_formats(self) -> None:
        for row in LIVE_ROWS:
            if row.kind != "linear":
                continue
            fmt = self.st.bad if row.severity == "error" else self.st.warn
            rects = fx.rectangles([LAYOUT.cell(c) for c in row.cells])
            for sheet in sorted({r[0] for r in rects}):
                ranges = [fx.a1_range(r) for r in rects if r[0] == sheet]
                self.sheets[sheet].conditional_format(
                    ranges[0], {"type": "formula", "criteria": f"={row.name}>0", "format": fmt, "multi_range": " ".join(ranges)}
                )
        for table, sheet in TABLE_SHEETS.items():
            for amount in (False, True):
                ids = [c for c in INPUT_IDS if CELLS[c].table == table and (CELLS[c].kind == AMOUNT) == amount]
                for rect in fx.rectangles([LAYOUT.cell(c) for c in ids]):
                    first = Pos(sheet, rect[1], rect[2])
                    self.sheets[sheet].conditional_format(fx.a1_range(rect), {"type": "formula", "criteria": fx.type_cf(first, amount), "format": self.st.bad})


def build_workbook(target: str | Path | IO[bytes], report: Report | None = None, extra=None, today: dt.date | None = None) -> None:
    """Write the template (report=None) or a filled report to `target`."""
    Builder(target, report, today).build(extra)
