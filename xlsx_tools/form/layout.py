"""Where every piece of the form sits in the workbook.

The only module that knows sheet names, rows, columns and addresses. Positions are
0-based (row, col); `Pos.a1` and `Pos.ref` render them for people and formulas.
Readers find cells through the defined names (`anchor_name`) that the template
records, and check the labels placed here around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .gk2021 import CELLS, FEE, META_FIELDS, SECTIONS, T2_GRIDS, T3, T4, TABLE_TITLES, Grid, Node

COVER, GUIDE, T2_SHEET, T3_SHEET, T4_SHEET, TEXT_SHEET, CHECK_SHEET, RESULT_SHEET = (
    "封面",
    "填报说明",
    "表二",
    "表三",
    "表四",
    "正文",
    "校验",
    "校验结果",
)
SHEET_ORDER = (COVER, GUIDE, T2_SHEET, T3_SHEET, T4_SHEET, TEXT_SHEET, CHECK_SHEET, RESULT_SHEET)
TABLE_SHEETS = {"t2": T2_SHEET, "t3": T3_SHEET, "t4": T4_SHEET, "fee": TEXT_SHEET}

NAME_PREFIX = "GK_"
FORM_NAME = "GK_FORM"  # defined name of the cell that holds the form version
STATUS_NAME = "GK_STATUS"  # live status on the cover
RUN_STATUS_NAME = "GK_RUN_STATUS"  # written by the 校验 button
ERRORS_NAME, WARNINGS_NAME = "GK_ERRORS", "GK_WARNINGS"


def col_letter(col: int) -> str:
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def parse_a1(a1: str) -> tuple[int, int]:
    """'D5' -> (4, 3)."""
    m = _A1.match(a1.upper())
    if not m:
        raise ValueError(a1)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


@dataclass(frozen=True, order=True)
class Pos:
    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return f"{col_letter(self.col)}{self.row + 1}"

    @property
    def where(self) -> str:
        """表三!D5 — how findings name a workbook address."""
        return f"{self.sheet}!{self.a1}"

    @property
    def ref(self) -> str:
        """'表三'!$D$5 — an absolute reference for formulas and defined names."""
        return f"'{self.sheet}'!${col_letter(self.col)}${self.row + 1}"

    def moved(self, drow: int = 0, dcol: int = 0) -> Pos:
        return Pos(self.sheet, self.row + drow, self.col + dcol)


@dataclass(frozen=True)
class Label:
    """A fixed text cell (header, row label, title), possibly merged."""

    pos: Pos
    text: str
    rows: int = 1
    cols: int = 1
    role: str = "header"  # header | rowlabel | title | note


@dataclass
class SheetLayout:
    name: str
    labels: list[Label] = field(default_factory=list)
    values: dict[str, Pos] = field(default_factory=dict)  # canonical ID -> position
    value_span: dict[str, int] = field(default_factory=dict)  # merged width of a value cell
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    repeat_rows: tuple[int, int] | None = None
    freeze: tuple[int, int] | None = None
    landscape: bool = False


def anchor_name(key: str) -> str:
    """Defined name of a cell: 't3.new.natural' -> 'GK_t3_new_natural'; meta 'agency' -> 'GK_meta_agency'."""
    return NAME_PREFIX + key.replace(".", "_")


def _place_grid(sheet: SheetLayout, grid: Grid, top: int, left: int, width: int | None = None) -> int:
    """Lay out one statutory grid with its header trees; returns the next free row."""
    label_cols = max((r.depth for r in grid.rows), default=0)
    col_depth = max(c.depth for c in grid.cols)
    head_rows = col_depth + (1 if grid.col_root else 0)
    leaves = grid.col_paths
    span = (width // len(leaves)) if width else 1
    first_val_col = left + label_cols
    s = sheet.name

    if label_cols:
        sheet.labels.append(Label(Pos(s, top, left), grid.corner, head_rows, label_cols, "note" if grid.col_root else "header"))
    if grid.col_root:
        sheet.labels.append(Label(Pos(s, top, first_val_col), grid.col_root, 1, len(leaves) * span))

    def place_cols(nodes: tuple[Node, ...], level: int, start: int) -> int:
        for node in nodes:
            n = len(node.leaves())
            row = top + head_rows - col_depth + level
            if node.children:
                sheet.labels.append(Label(Pos(s, row, start), node.label, 1, n * span))
                place_cols(node.children, level + 1, start)
            else:
                sheet.labels.append(Label(Pos(s, row, start), node.label, col_depth - level, span))
            start += n * span
        return start

    place_cols(grid.cols, 0, first_val_col)

    body = top + head_rows

    def place_rows(nodes: tuple[Node, ...], level: int, start: int) -> int:
        for node in nodes:
            n = len(node.leaves())
            if node.children:
                sheet.labels.append(Label(Pos(s, start, left + level), node.label, n, 1, "rowlabel"))
                place_rows(node.children, level + 1, start)
            else:
                sheet.labels.append(Label(Pos(s, start, left + level), node.label, 1, label_cols - level, "rowlabel"))
            start += n
        return start

    place_rows(grid.rows, 0, body)
    for i, row in enumerate(grid.row_paths or [()]):
        for j, col in enumerate(leaves):
            cid = grid.cell_id(row, col)
            sheet.values[cid] = Pos(s, body + i, first_val_col + j * span)
            if span > 1:
                sheet.value_span[cid] = span
    return body + max(len(grid.row_paths), 1)


def _title(sheet: SheetLayout, text: str, cols: int, row: int = 0) -> None:
    sheet.labels.append(Label(Pos(sheet.name, row, 0), text, 1, cols, "title"))
    sheet.heights[row] = 30


def _t2() -> SheetLayout:
    sheet = SheetLayout(T2_SHEET, widths={0: 26, 1: 16, 2: 16, 3: 16}, repeat_rows=(0, 0), freeze=(1, 0))
    _title(sheet, TABLE_TITLES["t2"], 4)
    row = 1
    for grid in T2_GRIDS:
        sheet.labels.append(Label(Pos(T2_SHEET, row, 0), grid.title, 1, 4, "header"))
        row = _place_grid(sheet, grid, row + 1, 0, width=3)
    return sheet


def _t3() -> SheetLayout:
    widths = {0: 7, 1: 12, 2: 34} | {c: 9 for c in range(3, 10)}
    sheet = SheetLayout(T3_SHEET, widths=widths, repeat_rows=(0, 3), freeze=(4, 3))
    _title(sheet, TABLE_TITLES["t3"], 10)
    end = _place_grid(sheet, T3, 1, 0)
    sheet.heights.update({1: 30, 2: 20, 3: 34})
    for r in range(4, end):
        sheet.heights[r] = 30
    return sheet


def _t4() -> SheetLayout:
    sheet = SheetLayout(T4_SHEET, widths={c: 8 for c in range(15)}, repeat_rows=(0, 3), freeze=(4, 0), landscape=True)
    _title(sheet, TABLE_TITLES["t4"], 15)
    _place_grid(sheet, T4, 1, 0)
    sheet.heights.update({2: 22, 3: 34, 4: 24})
    return sheet


TEXT_HEIGHT = 260  # points: a tall cell for each narrative section


def _text() -> SheetLayout:
    sheet = SheetLayout(TEXT_SHEET, widths={0: 30, 1: 30, 2: 30}, freeze=(1, 0))
    _title(sheet, "正文（一、五、六部分）及信息处理费", 3)
    row = 1
    for section in SECTIONS:
        sheet.labels.append(Label(Pos(TEXT_SHEET, row, 0), section.label, 1, 3, "header"))
        sheet.values["text." + section.key] = Pos(TEXT_SHEET, row + 1, 0)
        sheet.value_span["text." + section.key] = 3
        sheet.heights[row + 1] = TEXT_HEIGHT
        row += 2
    sheet.labels.append(Label(Pos(TEXT_SHEET, row, 0), FEE.title + "（第六部分）", 1, 3, "header"))
    _place_grid(sheet, FEE, row + 1, 0, width=2)
    return sheet


def _cover() -> SheetLayout:
    sheet = SheetLayout(COVER, widths={0: 20, 1: 44, 2: 60})
    _title(sheet, "政府信息公开工作年度报告", 3)
    sheet.labels.append(Label(Pos(COVER, 1, 0), "依据国办公开办函〔2021〕30号印发的年度报告格式；浅黄色单元格为填报项", 1, 3, "note"))
    row = 3
    for meta in META_FIELDS:
        sheet.labels.append(Label(Pos(COVER, row, 0), meta.label, role="rowlabel"))
        sheet.values["meta." + meta.key] = Pos(COVER, row, 1)
        sheet.labels.append(Label(Pos(COVER, row, 2), meta.prompt, role="note"))
        row += 1
    row += 1
    for key, label in (("status", "实时校验"), ("run_status", "按钮校验结果"), ("form", "表式版本")):
        sheet.labels.append(Label(Pos(COVER, row, 0), label, role="rowlabel"))
        sheet.values[key] = Pos(COVER, row, 1)
        row += 1
    return sheet


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
)


def _guide() -> SheetLayout:
    sheet = SheetLayout(GUIDE, widths={0: 120})
    _title(sheet, GUIDE_LINES[0], 1)
    for i, line in enumerate(GUIDE_LINES[1:], start=1):
        sheet.labels.append(Label(Pos(GUIDE, i, 0), line, role="note"))
    return sheet


CHECK_HEADERS = ("编号", "规则", "级别", "检查内容", "左边", "左值", "右边", "右值", "差额", "问题数", "结果")
CHECK_FIRST_ROW = 4  # 0-based row of the first check


def _checks() -> SheetLayout:
    widths = {0: 38, 1: 15, 2: 6, 3: 50, 4: 30, 5: 12, 6: 40, 7: 12, 8: 8, 9: 7, 10: 8}
    sheet = SheetLayout(CHECK_SHEET, widths=widths, repeat_rows=(3, 3), freeze=(4, 0), landscape=True)
    _title(sheet, "校验（勾稽关系实时检查，由公式自动计算）", len(CHECK_HEADERS))
    sheet.labels.append(Label(Pos(CHECK_SHEET, 1, 0), "错误数", role="rowlabel"))
    sheet.values["errors"] = Pos(CHECK_SHEET, 1, 1)
    sheet.labels.append(Label(Pos(CHECK_SHEET, 2, 0), "提示数", role="rowlabel"))
    sheet.values["warnings"] = Pos(CHECK_SHEET, 2, 1)
    for i, text in enumerate(CHECK_HEADERS):
        sheet.labels.append(Label(Pos(CHECK_SHEET, 3, i), text))
    return sheet


RESULT_HEADERS = ("级别", "规则", "表", "行", "列", "单元格", "左边", "右边", "说明")


def _results() -> SheetLayout:
    widths = {0: 6, 1: 14, 2: 8, 3: 30, 4: 16, 5: 16, 6: 10, 7: 10, 8: 80}
    sheet = SheetLayout(RESULT_SHEET, widths=widths, repeat_rows=(1, 1), freeze=(2, 0), landscape=True)
    _title(sheet, "校验结果（点击「校验」按钮后生成）", len(RESULT_HEADERS))
    for i, text in enumerate(RESULT_HEADERS):
        sheet.labels.append(Label(Pos(RESULT_SHEET, 1, i), text))
    return sheet


@dataclass(frozen=True)
class Layout:
    sheets: dict[str, SheetLayout]

    @cached_property
    def pos(self) -> dict[str, Pos]:
        """Every named position: canonical cell IDs, 'meta.<key>', 'text.<key>', 'status', 'form', …"""
        return {k: p for sheet in self.sheets.values() for k, p in sheet.values.items()}

    def cell(self, cid: str) -> Pos:
        return self.pos[cid]

    @cached_property
    def anchors(self) -> dict[str, str]:
        """Defined name -> key, for every cell a reader must find."""
        names = {anchor_name(k): k for k in self.pos if k in CELLS or k.startswith(("meta.", "text."))}
        names[FORM_NAME] = "form"
        names[STATUS_NAME] = "status"
        names[RUN_STATUS_NAME] = "run_status"
        names[ERRORS_NAME] = "errors"
        names[WARNINGS_NAME] = "warnings"
        return names

    def labels_near(self, cid: str) -> list[Label]:
        """The labels that identify a value cell: its column headers (leaf first, then
        their groups) and its row labels (group first, then leaf)."""
        p = self.pos[cid]
        sheet = self.sheets[p.sheet]
        headers = [lb for lb in sheet.labels if lb.role == "header" and lb.pos.col <= p.col < lb.pos.col + lb.cols]
        found: list[Label] = []
        bottom = max((lb.pos.row + lb.rows for lb in headers if lb.pos.row + lb.rows <= p.row), default=None)
        while bottom is not None:
            above = [lb for lb in headers if lb.pos.row + lb.rows == bottom]
            found.extend(above)
            bottom = above[0].pos.row if above else None
        found.extend(
            lb
            for lb in sheet.labels
            if lb.role == "rowlabel" and lb.pos.row <= p.row < lb.pos.row + lb.rows and lb.pos.col + lb.cols <= p.col
        )
        return found


LAYOUT = Layout({s.name: s for s in (_cover(), _guide(), _t2(), _t3(), _t4(), _text(), _checks(), _results())})
