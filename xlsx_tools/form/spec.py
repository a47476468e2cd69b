"""What a national form is, as plain data: `FormSpec` and the pieces it is made of.

A form version (GK-2021 today) is one `FormSpec` value: its tables as header trees,
every cell with its canonical ID and labels, the metadata fields, the narrative
sections, its rules (linear checks and the phrases the narrative states totals in),
the words its messages use, and a recipe for where each piece sits in a workbook.
Nothing outside `xlsx_tools.form` names a table, a row, a column, a sheet or a label:
everything else takes a spec. Nothing here touches Excel.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..findings import Number, Rule
from ..values import label_key

if TYPE_CHECKING:
    from .checks import Check
    from .layout import Layout

COUNT = "count"
AMOUNT = "amount"
TEXT, INTEGER, DATE, CHOICE = "text", "integer", "date", "choice"


@dataclass(frozen=True)
class Node:
    """A row or column header of a statutory table.

    `key` contributes one segment to the canonical ID (None for a pure grouping
    header such as 三、本年度办理结果); `short` is the label used in messages.
    """

    label: str
    key: str | None = None
    children: tuple[Node, ...] = ()
    short: str | None = None
    total: bool = False
    kind: str = COUNT

    def leaves(self, path: tuple[Node, ...] = ()) -> list[tuple[Node, ...]]:
        """Paths (root first) from this node down to each leaf."""
        here = path + (self,)
        if not self.children:
            return [here]
        return [leaf for child in self.children for leaf in child.leaves(here)]

    @property
    def depth(self) -> int:
        return 1 + max((c.depth for c in self.children), default=0)


def path_key(path: tuple[Node, ...]) -> str:
    """The ID segments of a row or column path: ('withheld', 'third_party') -> 'withheld.third_party'."""
    return ".".join(n.key for n in path if n.key)


def _path_name(path: tuple[Node, ...]) -> str:
    """How a person names a row or column: its keyed group (if any), then itself."""
    leaf = path[-1]
    name = leaf.short or leaf.label
    groups = [n for n in path[:-1] if n.key]
    if not groups:
        return name
    sep = "" if groups[-1].label.startswith("（") else "·"
    return f"{groups[-1].label}{sep}{name}"


@dataclass(frozen=True)
class Table:
    """One statutory table as people name it: key 't3', name 表三, title 三、收到和处理…

    `in_text`: figures that reports often state only in their text, not a table of
    the published report; `absent_rule` and `absent` (a template with {name}, {title}
    and {label}, its first row) say what a reader reports when it finds none of it."""

    key: str
    name: str
    title: str
    in_text: bool = False
    absent_rule: str = "LAYOUT"
    absent: str = "没有找到{name}（{title}）的行列标签，该表的数未读取"


@dataclass(frozen=True)
class Grid:
    """One statutory table (or block of one): rows × columns of cells."""

    table: str  # key of its Table
    title: str  # printed above the block
    rows: tuple[Node, ...]
    cols: tuple[Node, ...]
    corner: str = ""  # text in the top-left header block
    col_root: str = ""  # a header spanning all columns (申请人情况)

    @cached_property
    def row_paths(self) -> list[tuple[Node, ...]]:
        return [p for r in self.rows for p in r.leaves()]

    @cached_property
    def col_paths(self) -> list[tuple[Node, ...]]:
        return [p for c in self.cols for p in c.leaves()]

    def cell_id(self, row: tuple[Node, ...], col: tuple[Node, ...]) -> str:
        return ".".join(k for k in (self.table, path_key(row), path_key(col)) if k)


@dataclass(frozen=True)
class Cell:
    """One number of the report, with everything a reader or writer needs."""

    id: str
    table: str
    table_name: str
    grid: Grid = field(repr=False, compare=False)
    row: tuple[Node, ...] = field(repr=False, compare=False)
    col: tuple[Node, ...] = field(repr=False, compare=False)
    kind: str = COUNT
    total: bool = False

    @property
    def row_label(self) -> str:
        return self.row[-1].label if self.row else ""

    @property
    def col_label(self) -> str:
        return self.col[-1].label if self.col else ""

    @property
    def row_name(self) -> str:
        return _path_name(self.row) if self.row else ""

    @property
    def col_name(self) -> str:
        return _path_name(self.col) if self.col else ""

    @property
    def display(self) -> str:
        """表三「（三）不予公开1．属于国家秘密」自然人列 — as a person reads the printed table."""
        parts = [self.table_name]
        if not self.row:
            parts.append(" ")
        if self.row:
            parts.append(f"「{self.row_name}」")
        if self.col and self.col[-1].key:
            parts.append(f"{self.col_name}列")
        return "".join(parts)


def cells_of(grids: tuple[Grid, ...], tables: tuple[Table, ...]) -> dict[str, Cell]:
    """Every cell of the grids, keyed by canonical ID, in printed order."""
    names = {t.key: t.name for t in tables}
    cells: dict[str, Cell] = {}
    for grid in grids:
        for row in grid.row_paths or [()]:
            for col in grid.col_paths:
                leaf_nodes = [p[-1] for p in (row, col) if p]
                kind = AMOUNT if any(n.kind == AMOUNT for n in leaf_nodes) else COUNT
                total = any(n.total for n in leaf_nodes)
                cid = grid.cell_id(row, col)
                if cid in cells:
                    raise ValueError(f"two cells share the ID {cid}")
                cells[cid] = Cell(cid, grid.table, names[grid.table], grid, row, col, kind, total)
    return cells


@dataclass(frozen=True)
class MetaField:
    key: str
    label: str
    type: str = TEXT
    required: bool = False
    prompt: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    prompt: str


@dataclass(frozen=True)
class OtherForm:
    """An earlier or other national form, told apart by labels this form does not have.

    `table`: the key of the table whose older layout the markers belong to; a report that
    holds that table in the older layout and the other tables in this form's layout (real
    reports of 2021 did) has only that table refused. "" when the markers name the whole form."""

    name: str
    markers: tuple[str, ...]
    table: str = ""


@dataclass(frozen=True)
class Variant:
    """A way real published reports write a statutory label, accepted in its place: the
    reader reads the row or column and warns (LABEL-VARIANT), naming the label as written.
    A closed list: only variants that cannot stand for anything else in their table."""

    label: str  # the statutory label
    written: str  # as reports write it


@dataclass(frozen=True)
class Omissible:
    """A statutory row some reports leave out, with the reason. Left out, it is not
    applicable: a warning, and its cells are not read (never read as zeros)."""

    label: str
    reason: str


@dataclass(frozen=True)
class Collapsible:
    """A group of rows an older layout printed as one row (its numbers are the group's
    sum). Where that row states 0 (or nothing) in a column, each row of the group is 0 in
    that column — the only split of 0 into counts; any other number cannot be split, and
    that column of the group is not read."""

    label: str  # the group's label
    layout: str  # which layout prints it as one row (for the message)


@dataclass(frozen=True)
class Phrase:
    """A usual way the narrative states a table total (NARRATIVE)."""

    cells: tuple[str, ...]  # the stated number is their sum
    what: str
    pattern: re.Pattern
    unit: str = "件"
    needs: str = ""  # the sentence must contain this word
    zero: bool = False  # the phrase states 0 (未收到…申请)
    hint: str = ""  # a word every match contains (a cheap test before the pattern)
    also: tuple[str, ...] = ()  # also right if it states these cells' sum, when the sentence says `also_if`
    also_if: str = ""
    implies: tuple[str, ...] = ()  # cells a zero statement states as 0 too (no notices: no notice amount)


@dataclass(frozen=True)
class Headline:
    """A headline figure screened year over year (XY-JUMP): the sum of `cells`."""

    name: str  # as messages name it
    cells: tuple[str, ...]
    unit: str = "件"


@dataclass(frozen=True)
class DocumentWords:
    """What a published document of the form says beyond the report's own text (the
    publisher, xlsx_tools/publish/): every template is filled with str.format."""

    fee_section: str  # the text section that states the fee figures (section 六)
    fee_sentence: Callable[[Mapping[str, str]], str]  # fee cell ID -> figure as printed: the sentence
    covers_section: str  # the text section that states a summary's 汇总单位数 (section 一)
    covers_sentence: str  # {covers}
    covers_said: str  # a regular expression: the text states it already ({covers})
    subtitle: str  # under a summary's title: {kind}, {label} (of the covers field), {covers}
    date: str  # the signature's date: {year}, {month}, {day}


@dataclass(frozen=True, eq=False)
class FormSpec:
    """One national form, frozen: built once, passed to every reader, rule and builder.

    Derived views (`cells`, `input_ids`, `layout` …) are computed on first use and
    kept; a spec compares and hashes by identity, so it can key caches."""

    id: str
    title: str  # the report's title words (政府信息公开工作年度报告)
    source: str  # the document that issued the form
    first_year: int  # first reporting year in this form
    last_year: int  # the last year a report may plausibly claim
    tables: tuple[Table, ...]
    grids: tuple[Grid, ...]
    meta_fields: tuple[MetaField, ...]
    report_kinds: tuple[str, ...]  # the first is the usual one (an agency's report)
    summary_kind: str  # the kind a merged report has
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]  # this form's own rules (added to the catalogue when registered)
    checks: tuple[Check, ...]  # linear rules, in the order the live check sheet lists them
    phrases: tuple[Phrase, ...]
    other_forms: tuple[OtherForm, ...]
    deadlines: Mapping[str, tuple[int, int]]  # kind -> (month, day) of the following year; "" the default
    words: Mapping[str, str]  # other words messages and outputs use (see gk2021)
    layout_recipe: Callable[[FormSpec], Layout] = field(repr=False)
    summary_text: Callable[[FormSpec, dict], str] = field(repr=False)
    # ---- how published documents differ (all optional: a form without them reads strictly)
    variants: tuple[Variant, ...] = ()
    omissible: tuple[Omissible, ...] = ()
    collapsible: tuple[Collapsible, ...] = ()
    title_variants: tuple[str, ...] = ()  # other title words real reports use (政府信息公开年度报告)
    # the report's parts in statutory order: keys of its text sections and tables (SECTIONS)
    outline: tuple[str, ...] = ()
    headlines: tuple[Headline, ...] = ()  # figures screened against last year's report (XY-JUMP)
    advice: Mapping[str, str] = field(default_factory=dict)  # rule -> what to do (feedback to agencies)
    document: DocumentWords | None = None  # what its published document adds (the publisher)

    # ---- cells ---------------------------------------------------------------------
    @cached_property
    def cells(self) -> dict[str, Cell]:
        """Every number of the report, keyed by canonical ID, in printed order."""
        return cells_of(self.grids, self.tables)

    @cached_property
    def input_ids(self) -> tuple[str, ...]:
        return tuple(c for c, cell in self.cells.items() if not cell.total)

    @cached_property
    def total_ids(self) -> tuple[str, ...]:
        return tuple(c for c, cell in self.cells.items() if cell.total)

    @cached_property
    def table(self) -> dict[str, Table]:
        return {t.key: t for t in self.tables}

    def table_grids(self, key: str) -> tuple[Grid, ...]:
        return tuple(g for g in self.grids if g.table == key)

    # ---- labels ------------------------------------------------------------------------
    @cached_property
    def shorts(self) -> dict[str, str]:
        """Label -> its short form, where a row or column has one."""
        out: dict[str, str] = {}

        def walk(nodes: tuple[Node, ...]) -> None:
            for n in nodes:
                if n.short:
                    out[n.label] = n.short
                walk(n.children)

        for grid in self.grids:
            walk(grid.rows)
            walk(grid.cols)
        return out

    def accepted(self, label: str) -> frozenset[str]:
        """The label keys (values.label_key) that stand for a statutory label: its own, its
        short form and its accepted variants (`variant_of` tells a variant apart)."""
        cache = self.__dict__.setdefault("_accepted", {})
        keys = cache.get(label)
        if keys is None:
            own = (label_key(label), label_key(self.shorts.get(label)))
            written = tuple(label_key(v.written) for v in self.variants if v.label == label)
            keys = cache[label] = frozenset(k for k in own + written if k)
        return keys

    @cached_property
    def _variant_keys(self) -> dict[str, Variant]:
        return {label_key(v.written): v for v in self.variants}

    def variant_of(self, text: object) -> Variant | None:
        """The accepted variant a label as written is, or None (the statutory wording or anything else)."""
        return self._variant_keys.get(label_key(text)) if self.variants else None

    @cached_property
    def omissible_labels(self) -> dict[str, Omissible]:
        return {o.label: o for o in self.omissible}

    @cached_property
    def collapsible_labels(self) -> dict[str, Collapsible]:
        return {c.label: c for c in self.collapsible}

    @cached_property
    def outline_labels(self) -> tuple[tuple[str, str], ...]:
        """(key, heading) of each part of the report in statutory order: 一、总体情况 … 六、其他需要报告的事项."""
        headings = {s.key: s.label for s in self.sections} | {t.key: t.title for t in self.tables}
        return tuple((k, headings[k]) for k in self.outline)

    # ---- metadata and narrative ------------------------------------------------------
    @cached_property
    def meta(self) -> dict[str, MetaField]:
        return {m.key: m for m in self.meta_fields}

    @cached_property
    def section(self) -> dict[str, Section]:
        return {s.key: s for s in self.sections}

    @property
    def cover(self) -> str:
        """How messages name the cover (the sheet of the metadata fields)."""
        return self.words["cover"]

    @property
    def narrative(self) -> str:
        """How messages name the narrative (the report's text sections)."""
        return self.words["narrative"]

    def plausible_year(self, year: object) -> bool:
        """A reporting year this form can have: an int from `first_year` to `last_year`."""
        return isinstance(year, int) and not isinstance(year, bool) and self.first_year <= year <= self.last_year

    def deadline(self, year: object, kind: object) -> dt.date | None:
        """The legal publication deadline of a report of `year` and `kind` (None for an implausible year)."""
        if not self.plausible_year(year):
            return None
        month, day = self.deadlines.get(kind or "", self.deadlines[""])  # type: ignore[arg-type]
        return dt.date(year + 1, month, day)  # type: ignore[operator]

    # ---- rules ------------------------------------------------------------------------
    @cached_property
    def defining(self) -> dict[str, Check]:
        """Total ID -> the check whose right side computes it, ordered so that every
        total comes after the totals it sums (t3.total.total after t3.total.natural)."""
        from .checks import defining_order

        return defining_order(self.checks)

    def compute_totals(self, values: dict[str, Number | None], given: dict[str, Number] | None = None) -> dict[str, Number | None]:
        """Values of every cell as the template states them: each total is what its formula
        computes over the stated values, unless `given` states a value for it."""
        given = given or {}
        out = dict(values)
        for total_id in self.defining:
            out[total_id] = given[total_id] if total_id in given else self.formula_value(total_id, out)
        return out

    def formula_value(self, total_id: str, values: dict[str, Number | None]) -> Number | None:
        """What the template's formula for a total evaluates to over `values`."""
        from .checks import clean

        check = self.defining[total_id]
        terms = [values.get(t.id) for t in check.rhs]
        if any(v is None for v in terms):
            return None
        return clean(sum(t.sign * v for t, v in zip(check.rhs, terms, strict=True)))  # type: ignore[operator]

    @cached_property
    def previous_ids(self) -> tuple[str, ...]:
        """The cells of last year's report that this year's rules use: the cross-year
        checks' terms and the headline figures (all a merge keeps of last year)."""
        ids = [t.id for c in self.checks for t in c.lhs + c.rhs if t.previous]
        ids += [cid for h in self.headlines for cid in h.cells]
        return tuple(dict.fromkeys(ids))

    # ---- where it sits in a workbook -----------------------------------------------------
    @cached_property
    def layout(self) -> Layout:
        return self.layout_recipe(self)
