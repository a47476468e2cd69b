"""Where a submission's values sit: the shared vocabulary of the two locators.

`anchor_locator.py` finds cells through the defined names the template records;
`label_locator.py` finds the statutory tables by their row and column labels in any
workbook. Both return a `Location`: the position of every key they could place with
certainty, the keys they could not (never guessed), and findings saying why.

A `Shape` is one statutory grid (form.GRIDS) seen as rows × columns of canonical IDs,
with the template position of each row and column (layout.LAYOUT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..check.rules import RULES
from ..findings import Finding
from ..form.gk2021 import CELLS, GRIDS, Grid, Node
from ..form.layout import LAYOUT, Pos, col_letter
from ..values import label_key

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
        self.findings.append(Finding(rule, RULES[rule].severity, message, list(cells), list(where), expected, actual))

    def merge(self, other: Location) -> None:
        self.pos.update(other.pos)
        self.findings.extend(other.findings)
        self.unread |= other.unread


# ---- labels ---------------------------------------------------------------------------------
def _shorts() -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(nodes: tuple[Node, ...]) -> None:
        for n in nodes:
            if n.short:
                out[n.label] = n.short
            walk(n.children)

    for grid in GRIDS:
        walk(grid.rows)
        walk(grid.cols)
    return out


SHORTS = _shorts()
_ACCEPTED: dict[str, frozenset[str]] = {}


def accepted(label: str) -> frozenset[str]:
    """The label keys that stand for a statutory label: its own, and its short form."""
    keys = _ACCEPTED.get(label)
    if keys is None:
        keys = frozenset(k for k in (label_key(label), label_key(SHORTS.get(label))) if k)
        _ACCEPTED[label] = keys
    return keys


def matches(raw: object, label: str) -> bool:
    return raw == label or label_key(raw) in accepted(label)


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


def is_number(raw: object) -> bool:
    return type(raw) in (int, float)


# ---- the statutory grids as rows × columns ---------------------------------------------------
@dataclass(frozen=True)
class Shape:
    grid: Grid
    index: int  # position in form.GRIDS

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
        return LAYOUT.pos[self.ids[0][0]].sheet

    @cached_property
    def tmpl_rows(self) -> list[int]:
        return [LAYOUT.pos[row[0]].row for row in self.ids]

    @cached_property
    def tmpl_cols(self) -> list[int]:
        return [LAYOUT.pos[cid].col for cid in self.ids[0]]

    @property
    def name(self) -> str:
        """表三, or 表二「第二十条第（五）项」 for a block of table 二."""
        table = CELLS[self.ids[0][0]].table_name
        if self.grid.table == "t2":
            return f"{table}「{self.grid.title}」"
        return table

    def row_name(self, i: int) -> str:
        return CELLS[self.ids[i][0]].row_name

    def col_name(self, j: int) -> str:
        return CELLS[self.ids[0][j]].col_name


SHAPES: tuple[Shape, ...] = tuple(Shape(g, i) for i, g in enumerate(GRIDS))
SHAPE_OF: dict[str, Shape] = {cid: s for s in SHAPES for cid in s.all_ids}
