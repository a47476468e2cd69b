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

    def add(self, rule: str, message: str, cells=(), where=(), expected=None, actual=None) -> None:
        self.findings.append(finding(rule, message, cells=cells, where=where, expected=expected, actual=actual))

    def merge(self, other: Location) -> None:
        self.pos.update(other.pos)
        self.findings.extend(other.findings)
        self.unread |= other.unread


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
