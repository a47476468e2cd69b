"""Where a submission's values sit: the shared vocabulary of the two locators.

`anchors.py` finds cells through the defined names the template records; `labels.py`
finds the statutory tables by their row and column labels in any workbook. Both
return a `Location`: the position of every key they could place with certainty, the
keys they could not (never guessed), and findings saying why.

A `Shape` is one statutory grid of a form seen as rows × columns of canonical IDs,
with the template position of each row and column (the form's layout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..findings import Finding, finding
from ..form import FormSpec, Grid, Node, Pos
from ..form.layout import col_letter

ANCHORS, LABELS = "anchors", "labels"


@dataclass
class Location:
    """Positions of the keys that were found and verified (canonical IDs, meta.*, text.*)."""

    pos: dict[str, Pos] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)
    how: str = ANCHORS
    title: tuple[str, int | None, str] | None = None  # (agency, year, address) read from a report title
    where: dict[str, str] | None = None  # address of every key in `pos`, when known in advance
    # keys whose value is stated outside any table cell (a document's title, dates, sections and
    # sentences): key -> (raw value, a position its Places name: a paragraph of the text)
    stated: dict[str, tuple[object, Pos]] = field(default_factory=dict)

    def add(self, rule: str, message: str, cells=(), where=(), expected=None, actual=None) -> None:
        self.findings.append(finding(rule, message, cells=cells, where=where, expected=expected, actual=actual))

    def merge(self, other: Location) -> None:
        self.pos.update(other.pos)
        self.findings.extend(other.findings)
        self.unread |= other.unread
        self.stated.update(other.stated)


# ---- labels ---------------------------------------------------------------------------------
def shown(raw: object, limit: int = 40) -> str:
    """A cell's content quoted in a message."""
    if raw is None or raw == "":
        return "空白"
    if isinstance(raw, float):
        text = str(int(raw)) if raw.is_integer() else str(raw)
    else:
        text = " ".join(str(raw).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{col_letter(col)}{row + 1}"


class Places:
    """How a source's positions are named in messages. The default names workbook
    addresses (表三!D5, 工作表「表三」, 第 5 行, D 列); a document's source names its
    tables (第 3 个表格第 5 行第 4 列) instead (see grid.py)."""

    def cell(self, sheet: str, row: int, col: int) -> str:
        return where(sheet, row, col)

    def of(self, pos: Pos) -> str:
        return where_of(pos)

    def in_sheet(self, sheet: str) -> str:
        """工作表「表三」 — the place a table was looked for."""
        return f"工作表「{sheet}」"

    def row(self, sheet: str, row: int) -> str:
        return f"第 {row + 1} 行"

    def sheet_row(self, sheet: str, row: int) -> str:
        """A row named with its sheet (表三 第 5 行)."""
        return f"{sheet} 第 {row + 1} 行"

    def col(self, sheet: str, col: int) -> str:
        return f"{col_letter(col)} 列"

    def col_list(self, sheet: str, cols: list[int]) -> str:
        return "、".join(col_letter(c) for c in cols) + " 列"

    def short(self, positions: list[Pos]) -> list[str]:
        """Positions listed in one message: A1 within one sheet, sheet!A1 across sheets."""
        sheets = {p.sheet for p in positions}
        return [p.a1 if len(sheets) == 1 else p.where for p in positions]


WORKBOOK_PLACES = Places()


def places_of(src) -> Places:
    return getattr(src, "places", None) or WORKBOOK_PLACES


_WHERE: dict[Pos, str] = {}


def where_of(pos: Pos) -> str:
    """pos.where, remembered: the same few hundred addresses recur in every file."""
    text = _WHERE.get(pos)
    if text is None:
        if len(_WHERE) > 100_000:
            _WHERE.clear()
        text = _WHERE[pos] = pos.where
    return text


# ---- the statutory grids as rows × columns ---------------------------------------------------
@dataclass(frozen=True, eq=False)
class Shape:
    spec: FormSpec
    grid: Grid
    index: int  # position in spec.grids

    @cached_property
    def rows(self) -> list[tuple[Node, ...]]:
        return self.grid.row_paths or [()]

    @cached_property
    def cols(self) -> list[tuple[Node, ...]]:
        return self.grid.col_paths

    @cached_property
    def ids(self) -> list[list[str]]:
        return [[self.grid.cell_id(r, c) for c in self.cols] for r in self.rows]

    @cached_property
    def all_ids(self) -> list[str]:
        return [cid for row in self.ids for cid in row]

    @cached_property
    def sheet(self) -> str:
        return self.spec.layout.pos[self.ids[0][0]].sheet

    @cached_property
    def tmpl_rows(self) -> list[int]:
        return [self.spec.layout.pos[row[0]].row for row in self.ids]

    @cached_property
    def tmpl_cols(self) -> list[int]:
        return [self.spec.layout.pos[cid].col for cid in self.ids[0]]

    @property
    def name(self) -> str:
        """表三, or 表二「第二十条第（五）项」 for one block of a table of several."""
        table = self.spec.table[self.grid.table].name
        if len(self.spec.table_grids(self.grid.table)) > 1:
            return f"{table}「{self.grid.title}」"
        return table

    def row_name(self, i: int) -> str:
        return self.spec.cells[self.ids[i][0]].row_name

    def col_name(self, j: int) -> str:
        return self.spec.cells[self.ids[0][j]].col_name


@lru_cache(maxsize=16)
def shapes(spec: FormSpec) -> tuple[Shape, ...]:
    """Every grid of the form as a Shape, in the form's order."""
    return tuple(Shape(spec, g, i) for i, g in enumerate(spec.grids))
