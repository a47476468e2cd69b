"""Where every piece of a form sits in its workbook: the layout engine.

A form's recipe (gk2021/layout.py) lays out its sheets with the helpers here; the
result is a `Layout`, the only thing that knows sheet names, rows, columns and
addresses. Positions are 0-based (row, col); `Pos.a1` and `Pos.ref` render them for
people and formulas. Readers find cells through the defined names (`anchor_name`)
that the template records, and check the labels placed here around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .spec import Grid, Node

NAME_PREFIX = "GK_"
# Defined names every form's workbook records (a reader looks for them before it knows the form).
FORM_NAME = "GK_FORM"  # the cell that holds the form version
STATUS_NAME = "GK_STATUS"  # live status on the cover
RUN_STATUS_NAME = "GK_RUN_STATUS"  # written by the 校验 button
ERRORS_NAME, WARNINGS_NAME = "GK_ERRORS", "GK_WARNINGS"
SPECIAL_NAMES = {FORM_NAME: "form", STATUS_NAME: "status", RUN_STATUS_NAME: "run_status", ERRORS_NAME: "errors", WARNINGS_NAME: "warnings"}


def col_letter(col: int) -> str:
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def parse_a1(a1: str) -> tuple[int, int]:
    """Column letters and row number -> 0-based (row, col)."""
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
        """sheet!A1 — how findings name a workbook address."""
        return f"{self.sheet}!{self.a1}"

    @property
    def ref(self) -> str:
        """'sheet'!$A$1 — an absolute reference for formulas and defined names."""
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
    values: dict[str, Pos] = field(default_factory=dict)  # canonical ID (or special key) -> position
    value_span: dict[str, int] = field(default_factory=dict)  # merged width of a value cell
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    repeat_rows: tuple[int, int] | None = None
    freeze: tuple[int, int] | None = None
    landscape: bool = False

    def title(self, text: str, cols: int, row: int = 0) -> None:
        self.labels.append(Label(Pos(self.name, row, 0), text, 1, cols, "title"))
        self.heights[row] = 30

    def label(self, row: int, col: int, text: str, rows: int = 1, cols: int = 1, role: str = "header") -> None:
        self.labels.append(Label(Pos(self.name, row, col), text, rows, cols, role))

    def value(self, key: str, row: int, col: int, span: int = 1) -> None:
        self.values[key] = Pos(self.name, row, col)
        if span > 1:
            self.value_span[key] = span


def anchor_name(key: str) -> str:
    """Defined name of a cell: 't3.new.natural' -> 'GK_t3_new_natural'; meta 'agency' -> 'GK_meta_agency'."""
    return NAME_PREFIX + key.replace(".", "_")


def place_grid(sheet: SheetLayout, grid: Grid, top: int, left: int, width: int | None = None) -> int:
    """Lay out one statutory grid with its header trees; returns the next free row.
    `width` spreads the value columns over that many sheet columns (merged)."""
    label_cols = max((r.depth for r in grid.rows), default=0)
    col_depth = max(c.depth for c in grid.cols)
    head_rows = col_depth + (1 if grid.col_root else 0)
    leaves = grid.col_paths
    span = (width // len(leaves)) if width else 1
    first_val_col = left + label_cols

    if label_cols:
        sheet.label(top, left, grid.corner, head_rows, label_cols, "note" if grid.col_root else "header")
    if grid.col_root:
        sheet.label(top, first_val_col, grid.col_root, 1, len(leaves) * span)

    def place_cols(nodes: tuple[Node, ...], level: int, start: int) -> int:
        for node in nodes:
            n = len(node.leaves())
            row = top + head_rows - col_depth + level
            if node.children:
                sheet.label(row, start, node.label, 1, n * span)
                place_cols(node.children, level + 1, start)
            else:
                sheet.label(row, start, node.label, col_depth - level, span)
            start += n * span
        return start

    place_cols(grid.cols, 0, first_val_col)
    body = top + head_rows

    def place_rows(nodes: tuple[Node, ...], level: int, start: int) -> int:
        for node in nodes:
            n = len(node.leaves())
            if node.children:
                sheet.label(start, left + level, node.label, n, 1, "rowlabel")
                place_rows(node.children, level + 1, start)
            else:
                sheet.label(start, left + level, node.label, 1, label_cols - level, "rowlabel")
            start += n
        return start

    place_rows(grid.rows, 0, body)
    for i, row in enumerate(grid.row_paths or [()]):
        for j, col in enumerate(leaves):
            sheet.value(grid.cell_id(row, col), body + i, first_val_col + j * span, span)
    return body + max(len(grid.row_paths), 1)


@dataclass(frozen=True, eq=False)
class Layout:
    """A form's workbook: its sheets in order and the roles some of them play."""

    sheets: dict[str, SheetLayout]  # in workbook order
    cover: str  # metadata fields, the live status, the form version
    text: str  # the narrative sections
    checks: str  # the live checks (one row per check)
    results: str  # what the 校验 button writes
    table_sheets: dict[str, str]  # table key -> its sheet
    check_columns: tuple[tuple[str, str], ...]  # (key, header) of the live check sheet's columns
    check_first_row: int
    result_headers: tuple[str, ...]
    result_first_row: int
    notes: str = ""  # where staff explain warnings (说明); "" for a form without one
    note_columns: tuple[tuple[str, str], ...] = ()  # (key, header): rule, where, message, text
    note_first_row: int = 0  # 0-based row of the first explanation
    note_rows: int = 0  # rows formatted for typing
    note_prompts: tuple[tuple[str, str], ...] = ()  # (key, input prompt) of the explanation columns

    @cached_property
    def note_col(self) -> dict[str, int]:
        """Column index of each explanation column by its key (rule, where, message, text)."""
        return {key: i for i, (key, _) in enumerate(self.note_columns)}

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(self.sheets)

    @cached_property
    def check_col(self) -> dict[str, int]:
        """Column index of each live check column by its key (code, lhs, problems …)."""
        return {key: i for i, (key, _) in enumerate(self.check_columns)}

    @cached_property
    def pos(self) -> dict[str, Pos]:
        """Every named position: canonical cell IDs, 'meta.<key>', 'text.<key>', 'status', 'form', …"""
        return {k: p for sheet in self.sheets.values() for k, p in sheet.values.items()}

    def cell(self, cid: str) -> Pos:
        return self.pos[cid]

    def span(self, key: str) -> int:
        """How many columns the value cell of `key` spans (merged)."""
        return self.sheets[self.pos[key].sheet].value_span.get(key, 1)

    @cached_property
    def anchors(self) -> dict[str, str]:
        """Defined name -> key, for every cell a reader must find."""
        names = {anchor_name(k): k for k in self.pos if k not in SPECIAL_NAMES.values()}
        return names | {name: key for name, key in SPECIAL_NAMES.items() if key in self.pos}

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
