"""Where GK-2021 sits in its workbook: the recipe for its sheets.

Sheets in order: 封面 (metadata, live status, form version), 填报说明, one sheet per
statutory table (表二、表三、表四), 正文 (sections 一、五、六 and the fee figures), 校验
(the live checks) and 校验结果 (what the 校验 button writes). The recipe reads the
tables, fields and sections from the spec it is given, so a variant of the form with
other rows or columns is laid out the same way.
"""

from __future__ import annotations

from ..layout import Layout, SheetLayout, place_grid
from ..spec import FormSpec

GUIDE, CHECKS, RESULTS = "填报说明", "校验", "校验结果"
NOTES = "情况说明"

GUIDE_LINES = (
    "填报说明",
    "1. 本工作簿依据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号规定的年度报告格式制作，表式版本 GK-2021。",
    "2. 浅黄色单元格为填报项，只能填写数字：件数为不小于 0 的整数，金额为不小于 0 的数字；灰色单元格（总计）由公式自动计算，无需填写。",
    "3. 「封面」填写单位名称、统一社会信用代码、报告年度等信息；「正文」填写报告第一、五、六部分的文字和信息处理费情况。",
    "4. 表二：主动公开政府信息情况，按第二十条第（一）、（五）、（六）、（八）项分组填写本年制发、废止、现行有效件数和处理决定数量。",
    "5. 表三：收到和处理政府信息公开申请情况。每一列都应满足：一、本年新收 + 二、上年结转 = 三、（七）总计 + 四、结转下年度继续办理。",
    "   三、本年度办理结果分为（一）予以公开、（二）部分公开、（三）不予公开（8 类）、（四）无法提供（3 类）、（五）不予处理（5 类）、（六）其他处理（3 类），（七）总计为各项之和。",
    "   区分处理的申请只计入（二）部分公开，不再计入其他情形。",
    "6. 表四：行政复议、行政诉讼情况，分行政复议、未经复议直接起诉、复议后起诉三组，每组的总计等于结果维持、结果纠正、其他结果、尚未审结之和。",
    "7. 「校验」工作表实时列出每一条勾稽关系及是否通过；未通过的单元格在表中以红色标出，提示项以橙色标出。封面「实时校验」显示总体结果。",
    "8. 点击「校验」按钮（启用宏的版本）或由汇总单位用命令行工具校验时，还会检查文字部分所述数字、与上年报告的衔接和发布时限。",
    "9. 工作表已设保护，防止误改公式和表头（不设密码，不能防止故意修改）。请勿插入或删除行列，以免汇总时无法识别。",
    "10. 校验发现的「提示」如确属实际情况，请在「情况说明」工作表中写明原因（规则、位置、情况说明；点击「校验」按钮会自动列出各条提示），说明随报告一并报送。「错误」必须改正，不能以说明代替。",
)
COVER_NOTE = "依据国办公开办函〔2021〕30号印发的年度报告格式；浅黄色单元格为填报项"
COVER_STATUS = (("status", "实时校验"), ("run_status", "按钮校验结果"), ("form", "表式版本"))
TEXT_TITLE = "正文（一、五、六部分）及信息处理费"
FEE_HEADING = "（第六部分）"
TEXT_HEIGHT = 260  # points: a tall cell for each narrative section

CHECK_TITLE = "校验（勾稽关系实时检查，由公式自动计算）"
CHECK_COLUMNS = (
    ("code", "编号"),
    ("rule", "规则"),
    ("severity", "级别"),
    ("scope", "检查内容"),
    ("lhs_label", "左边"),
    ("lhs", "左值"),
    ("rhs_label", "右边"),
    ("rhs", "右值"),
    ("diff", "差额"),
    ("problems", "问题数"),
    ("result", "结果"),
)
CHECK_WIDTHS = (38, 15, 6, 50, 30, 12, 40, 12, 8, 7, 8)
CHECK_FIRST_ROW = 4  # 0-based row of the first check
RESULT_TITLE = "校验结果（点击「校验」按钮后生成）"
RESULT_HEADER_ROW = 1
RESULT_HEADERS = ("级别", "规则", "表", "行", "列", "单元格", "左边", "右边", "说明", "情况说明")
RESULT_WIDTHS = (6, 14, 8, 30, 16, 16, 10, 10, 80, 40)
# Where staff explain warnings: one row per warning, kept by the 校验 button across clicks.
NOTE_TITLE = "情况说明（对校验发现的「提示」写明原因，随报告一并报送）"
NOTE_HINT = (
    "「规则」「位置」与「校验结果」中的提示相同（点击「校验」按钮会自动列出各条提示，只需填写最后一列）；"
    "「位置」留空表示该规则的全部提示。「错误」必须改正，不能以说明代替。"
)
NOTE_COLUMNS = (("rule", "规则"), ("where", "位置"), ("message", "提示内容"), ("text", "情况说明"))
NOTE_WIDTHS = (16, 24, 70, 60)
NOTE_HEADER_ROW = 2
NOTE_ROWS = 100
NOTE_PROMPTS = (
    ("rule", "规则编号，与「校验结果」中的相同，如 FEE-COLLECTED"),
    ("where", "单元格位置，如 正文!B12；留空表示该规则的全部提示"),
    ("text", "写明该提示所述情况的原因，如：本年度收取的信息处理费含上年度发出通知的费用"),
)

# Column widths, row heights, repeated and frozen rows of each table's sheet.
TABLE_SHEETS = {
    "t2": {"widths": {0: 26, 1: 16, 2: 16, 3: 16}, "repeat_rows": (0, 0), "freeze": (1, 0), "block_width": 3, "cols": 4},
    "t3": {
        "widths": {0: 7, 1: 12, 2: 34} | {c: 9 for c in range(3, 10)},
        "repeat_rows": (0, 3),
        "freeze": (4, 3),
        "cols": 10,
        "heights": {1: 30, 2: 20, 3: 34},
        "body_height": 30,
    },
    "t4": {
        "widths": {c: 8 for c in range(15)},
        "repeat_rows": (0, 3),
        "freeze": (4, 0),
        "landscape": True,
        "cols": 15,
        "heights": {2: 22, 3: 34, 4: 24},
    },
}


def _table_sheet(spec: FormSpec, key: str) -> SheetLayout:
    """A table's sheet: its title, then each grid (a block of table 二 under its own heading)."""
    table = spec.table[key]
    how = TABLE_SHEETS.get(key, {})
    grids = spec.table_grids(key)
    cols = how.get("cols") or max(max((r.depth for r in g.rows), default=0) + len(g.col_paths) for g in grids)
    sheet = SheetLayout(
        table.name,
        widths=dict(how.get("widths", {})),
        repeat_rows=how.get("repeat_rows"),
        freeze=how.get("freeze"),
        landscape=how.get("landscape", False),
    )
    sheet.title(table.title, cols)
    row = 1
    width = how.get("block_width")
    for grid in grids:
        if len(grids) > 1:
            sheet.label(row, 0, grid.title, 1, cols)
            row += 1
        end = place_grid(sheet, grid, row, 0, width=width)
        if "body_height" in how:
            body = end - len(grid.row_paths)
            for r in range(body, end):
                sheet.heights[r] = how["body_height"]
        row = end
    sheet.heights.update(how.get("heights", {}))
    return sheet


def _text(spec: FormSpec) -> SheetLayout:
    sheet = SheetLayout(spec.narrative, widths={0: 30, 1: 30, 2: 30}, freeze=(1, 0))
    sheet.title(TEXT_TITLE, 3)
    row = 1
    for section in spec.sections:
        sheet.label(row, 0, section.label, 1, 3)
        sheet.value("text." + section.key, row + 1, 0, span=3)
        sheet.heights[row + 1] = TEXT_HEIGHT
        row += 2
    for grid in spec.table_grids("fee"):
        sheet.label(row, 0, grid.title + FEE_HEADING, 1, 3)
        row = place_grid(sheet, grid, row + 1, 0, width=2)
    return sheet


def _cover(spec: FormSpec) -> SheetLayout:
    sheet = SheetLayout(spec.cover, widths={0: 20, 1: 44, 2: 60})
    sheet.title(spec.title, 3)
    sheet.label(1, 0, COVER_NOTE, 1, 3, "note")
    row = 3
    for meta in spec.meta_fields:
        sheet.label(row, 0, meta.label, role="rowlabel")
        sheet.value("meta." + meta.key, row, 1)
        sheet.label(row, 2, meta.prompt, role="note")
        row += 1
    row += 1
    for key, label in COVER_STATUS:
        sheet.label(row, 0, label, role="rowlabel")
        sheet.value(key, row, 1)
        row += 1
    return sheet


def _guide() -> SheetLayout:
    sheet = SheetLayout(GUIDE, widths={0: 120})
    sheet.title(GUIDE_LINES[0], 1)
    for i, line in enumerate(GUIDE_LINES[1:], start=1):
        sheet.label(i, 0, line, role="note")
    return sheet


def _checks() -> SheetLayout:
    sheet = SheetLayout(CHECKS, widths=dict(enumerate(CHECK_WIDTHS)), repeat_rows=(3, 3), freeze=(4, 0), landscape=True)
    sheet.title(CHECK_TITLE, len(CHECK_COLUMNS))
    sheet.label(1, 0, "错误数", role="rowlabel")
    sheet.value("errors", 1, 1)
    sheet.label(2, 0, "提示数", role="rowlabel")
    sheet.value("warnings", 2, 1)
    for i, (_, text) in enumerate(CHECK_COLUMNS):
        sheet.label(CHECK_FIRST_ROW - 1, i, text)
    return sheet


def _results() -> SheetLayout:
    sheet = SheetLayout(
        RESULTS,
        widths=dict(enumerate(RESULT_WIDTHS)),
        repeat_rows=(RESULT_HEADER_ROW, RESULT_HEADER_ROW),
        freeze=(RESULT_HEADER_ROW + 1, 0),
        landscape=True,
    )
    sheet.title(RESULT_TITLE, len(RESULT_HEADERS))
    for i, text in enumerate(RESULT_HEADERS):
        sheet.label(RESULT_HEADER_ROW, i, text)
    return sheet


def _notes() -> SheetLayout:
    sheet = SheetLayout(
        NOTES,
        widths=dict(enumerate(NOTE_WIDTHS)),
        repeat_rows=(NOTE_HEADER_ROW, NOTE_HEADER_ROW),
        freeze=(NOTE_HEADER_ROW + 1, 0),
        landscape=True,
    )
    sheet.title(NOTE_TITLE, len(NOTE_COLUMNS))
    sheet.label(1, 0, NOTE_HINT, 1, len(NOTE_COLUMNS), "note")
    sheet.heights[1] = 32
    for i, (_, text) in enumerate(NOTE_COLUMNS):
        sheet.label(NOTE_HEADER_ROW, i, text)
    return sheet


def layout(spec: FormSpec) -> Layout:
    tables = [t.key for t in spec.tables if t.key != "fee"]
    sheets = [_cover(spec), _guide(), *(_table_sheet(spec, key) for key in tables), _text(spec), _checks(), _results(), _notes()]
    return Layout(
        sheets={s.name: s for s in sheets},
        cover=spec.cover,
        text=spec.narrative,
        checks=CHECKS,
        results=RESULTS,
        table_sheets={key: spec.table[key].name for key in tables} | ({"fee": spec.narrative} if "fee" in spec.table else {}),
        check_columns=CHECK_COLUMNS,
        check_first_row=CHECK_FIRST_ROW,
        result_headers=RESULT_HEADERS,
        result_first_row=RESULT_HEADER_ROW + 1,
        notes=NOTES,
        note_columns=NOTE_COLUMNS,
        note_first_row=NOTE_HEADER_ROW + 1,
        note_rows=NOTE_ROWS,
        note_prompts=NOTE_PROMPTS,
    )
