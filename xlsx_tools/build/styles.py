"""How the workbooks look: fills, fonts and the formats the builder uses, and the data
validation of input cells. The 校验 button and the web page use the same fills."""

from __future__ import annotations

import xlsxwriter

INPUT_FILL, TOTAL_FILL, HEADER_FILL = "#FFF2CC", "#E7E6E6", "#F2F2F2"
ERROR_FILL, ERROR_FONT, WARNING_FILL, WARNING_FONT = "#FFC7CE", "#9C0006", "#FFEB9C", "#9C5700"
PASS_FILL, PASS_FONT = "#C6EFCE", "#006100"
FONT = "宋体"


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
