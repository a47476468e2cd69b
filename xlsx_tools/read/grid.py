"""A document's tables as a `reader.Source`: cells with their spans laid out on a grid,
as the label locator reads a worksheet.

Readers of .docx (docx.py), web pages (html.py) and PDF (pdf.py) turn each table into
`Placed` cells — text, first row and column, spans — and the document's text into lines
with the tables' places among them (`Flow`). Here:

- `lay_out`: the cells onto a grid. A cell's text sits at its top-left position, the
  positions it covers stay empty, and its range is a merged range (as in a workbook).
  Columns in which no text starts (Word's spacer and placeholder cells, a grid column
  only spanned through) and Word's width-defining spacer rows are dropped: that loses
  nothing and lines up what a person sees as one column. Where the
  grid's widths are known (a .docx's tblGrid, a page's <col> widths), hairline columns
  that only mark borders which do not line up are dropped too, so that a number's cell
  and its header agree. A plain number (「12」「1,234」「3.5」) is a number: documents
  have no other way to hold one.
- `DocumentSource`: the tables as sheets. A table continued in the next table (nothing
  but blank lines, a page number or 「续表」 between, the same columns) is one sheet,
  its repeated header rows dropped; every position is named as a person finds it:
  第 3 个表格第 5 行第 2 列 (`DocPlaces`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..form import Pos
from ..values import label_key
from .location import Places

TEXT_SHEET = "¶"  # the pseudo-sheet of the document's lines (positions of stated values)
HAIRLINE = 0.2  # a grid column narrower than this share of the median column is a border artefact
MAX_GRID_CELLS = 200_000  # rows × columns of one table: a report's largest has ~300


@dataclass(frozen=True)
class Placed:
    """One cell of a document table: its text and where it starts, in grid units."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class RawTable:
    """A table as the document states it: its cells, its grid size, column widths if known."""

    cells: list[Placed]
    n_rows: int
    n_cols: int
    widths: list[float] | None = None
    spacer_rows: frozenset[int] = frozenset()  # rows that only set widths (Word's zero-height row)


@dataclass
class Table:
    """A table laid out: values row-major ('' where nothing starts), merged ranges, and for
    each grid row the row number a person counts in the document's table (1-based)."""

    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    row_numbers: list[int]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Flow:
    """The document in reading order: lines of text, and the place of each table among
    them (`tables_at[k]` is the index of the first line after table k)."""

    lines: list[str] = field(default_factory=list)
    tables_at: list[int] = field(default_factory=list)
    tables: list[RawTable] = field(default_factory=list)
    title: str = ""  # a web page's <title>
    meta_dates: list[str] = field(default_factory=list)  # a web page's publication date meta tags
    stamp: str | None = None  # the fingerprint a published document records (Report.stamp)


_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def cell_value(text: str) -> object:
    """A cell's text as the reader takes it: a plain number as a number, else the text."""
    t = text.strip()
    if not t:
        return ""
    if len(t) < 24:
        n = unicodedata.normalize("NFKC", t).replace(" ", "")
        if _PLAIN_NUMBER.match(n):
            n = n.replace(",", "")
            return float(n) if "." in n else int(n)
    return t


def _hairlines(widths: list[float] | None, n_cols: int) -> set[int]:
    if not widths or len(widths) != n_cols or n_cols < 3:
        return set()
    positive = sorted(w for w in widths if w > 0)
    if not positive:
        return set()
    median = positive[len(positive) // 2]
    return {k for k, w in enumerate(widths) if w < HAIRLINE * median}


def lay_out(raw: RawTable) -> Table:
    """The cells on a grid, empty columns and text-less rows dropped (see the module)."""
    n_rows, n_cols = raw.n_rows, raw.n_cols
    if n_rows * n_cols > MAX_GRID_CELLS:
        raise ValueError("table too large")
    cells = [c for c in raw.cells if c.row < n_rows and c.col < n_cols]
    # a column is kept where a cell with text starts; a hairline column only where such a
    # cell cannot start anywhere else (it is one column wide)
    hair = _hairlines(raw.widths, n_cols)
    keep_col = [False] * n_cols
    for c in cells:
        if c.text.strip() and (c.col not in hair or c.colspan == 1):
            keep_col[c.col] = True
    for c in cells:  # a cell starting in a dropped hairline column starts in the next column of its span
        if c.text.strip() and not keep_col[c.col]:
            nxt = next((k for k in range(c.col + 1, min(c.col + c.colspan, n_cols)) if k not in hair), None)
            if nxt is not None:
                keep_col[nxt] = True
    new_col = []
    n = 0
    for k in range(n_cols):
        new_col.append(n)
        n += keep_col[k]
    width = n
    row_has_text = [r not in raw.spacer_rows for r in range(n_rows)]
    for c in cells:
        if c.text.strip():
            row_has_text[c.row] = True
    new_row = []
    m = 0
    for r in range(n_rows):
        new_row.append(m)
        m += row_has_text[r]
    height = m
    grid: list[list] = [[""] * width for _ in range(height)]
    merged = []
    for c in cells:
        r0, c0 = c.row, c.col
        kept_rows = [r for r in range(r0, min(r0 + c.rowspan, n_rows)) if row_has_text[r]]
        kept_cols = [k for k in range(c0, min(c0 + c.colspan, n_cols)) if keep_col[k]]
        if not kept_rows or not kept_cols:
            continue
        top, left = new_row[kept_rows[0]], new_col[kept_cols[0]]
        bottom, right = new_row[kept_rows[-1]], new_col[kept_cols[-1]]
        if grid[top][left] == "":
            grid[top][left] = cell_value(c.text)
        if bottom > top or right > left:
            merged.append(((top, left), (bottom, right)))
    numbers = [r + 1 for r in range(n_rows) if row_has_text[r]]
    return Table(grid, merged, numbers)


# ---- the document as a Source -------------------------------------------------------------------
_CONTINUED = re.compile(r"^(?:[（(]?续(?:表|上表)?[）)]?|[-—–\s]*(?:第\s*)?\d+\s*(?:页|/\s*\d+)?[-—–\s]*|共\s*\d+\s*页)$")


def ignorable(line: str) -> bool:
    """A line between two parts of one table: blank, a page number, 「续表」."""
    t = unicodedata.normalize("NFKC", line).strip()
    return not t or bool(_CONTINUED.match(t))


@dataclass
class _Sheet:
    name: str
    tables: list[int]  # table numbers (1-based) joined in this sheet
    rows: list[list]
    merged: list
    origin: list[tuple[int, int]]  # grid row -> (table number, row number in that table)


class DocPlaces(Places):
    """Positions named as a person finds them in a document: 第 3 个表格第 5 行第 2 列."""

    def __init__(self, source: DocumentSource):
        self.src = source

    def _row(self, sheet: str, row: int) -> str:
        s = self.src.sheet(sheet)
        if s is None:
            return f"第 {row + 1} 行"
        if 0 <= row < len(s.origin):
            table, number = s.origin[row]
        else:
            table, number = s.tables[-1], row + 1
        return f"第 {table} 个表格第 {number} 行"

    def cell(self, sheet: str, row: int, col: int) -> str:
        if sheet == TEXT_SHEET:
            return self.src.line_place(row)
        return f"{self._row(sheet, row)}第 {col + 1} 列"

    def of(self, pos: Pos) -> str:
        return self.cell(pos.sheet, pos.row, pos.col)

    def in_sheet(self, sheet: str) -> str:
        s = self.src.sheet(sheet)
        tables = s.tables if s else []
        return "第 " + "、".join(map(str, tables)) + " 个表格" if tables else sheet

    def row(self, sheet: str, row: int) -> str:
        return self._row(sheet, row)

    def sheet_row(self, sheet: str, row: int) -> str:
        return self._row(sheet, row)

    def col(self, sheet: str, col: int) -> str:
        return f"第 {col + 1} 列"

    def col_list(self, sheet: str, cols: list[int]) -> str:
        return "第 " + "、".join(str(c + 1) for c in cols) + " 列"

    def short(self, positions: list[Pos]) -> list[str]:
        return [self.of(p) for p in positions]


class DocumentSource:
    """A document's tables as sheets (see reader.Source), and its text as lines."""

    document = True  # the reader locates it with read/document.py

    def __init__(self, name: str, kind: str, flow: Flow):
        self.name = name
        self.kind = kind  # docx | html | pdf (and what it was converted from, for messages)
        self.flow = flow
        self.places = DocPlaces(self)
        self.skipped: list[int] = []  # tables too large to lay out
        self._sheets: dict[str, _Sheet] = {}
        self._order: list[str] = []
        self._line_numbers: list[int] | None = None
        self._join(flow)

    # ---- joining tables continued across pages ----------------------------------------------------
    def _join(self, flow: Flow) -> None:
        """Consecutive tables with the same grid and nothing but ignorable lines between them
        are one table (a table continued on the next page, or split in two)."""
        groups: list[list[int]] = []
        for k, raw in enumerate(flow.tables):
            if groups:
                last = groups[-1][-1]
                between = flow.lines[flow.tables_at[last] : flow.tables_at[k]]
                if raw.n_cols == flow.tables[last].n_cols and all(ignorable(x) for x in between):
                    groups[-1].append(k)
                    continue
            groups.append([k])
        for group in groups:
            raw, origin = _combined([flow.tables[k] for k in group], [k + 1 for k in group])
            try:
                table = lay_out(raw)
            except ValueError:
                self.skipped.extend(k + 1 for k in group)
                continue
            if not table.rows:
                continue
            name = f"表格{group[0] + 1}"
            rows_origin = [origin[n - 1] for n in table.row_numbers]
            self._sheets[name] = _Sheet(name, [k + 1 for k in group], table.rows, table.merged, rows_origin)
            self._order.append(name)

    # ---- Source ------------------------------------------------------------------------------------
    def sheet(self, name: str) -> _Sheet | None:
        return self._sheets.get(name)

    def names(self) -> dict[str, Pos]:
        return {}

    def sheet_names(self) -> list[str]:
        return list(self._order)

    def rows(self, sheet: str) -> list[list]:
        s = self._sheets.get(sheet)
        return s.rows if s else []

    def merged(self, sheet: str) -> list:
        s = self._sheets.get(sheet)
        return s.merged if s else []

    def value(self, pos: Pos) -> object:
        rows = self.rows(pos.sheet)
        try:
            return rows[pos.row][pos.col]
        except IndexError:
            return None

    @property
    def table_count(self) -> int:
        return len(self.flow.tables)

    # ---- the text -------------------------------------------------------------------------------
    def line_place(self, index: int) -> str:
        """第 N 段: lines counted as a person counts paragraphs (blank ones not)."""
        if self._line_numbers is None:
            numbers, n = [], 0
            for line in self.flow.lines:
                n += bool(line.strip())
                numbers.append(n)
            self._line_numbers = numbers
        n = self._line_numbers[index] if 0 <= index < len(self._line_numbers) else index + 1
        return f"正文第 {max(n, 1)} 段"


def _combined(parts: list[RawTable], numbers: list[int]) -> tuple[RawTable, list[tuple[int, int]]]:
    """Parts of one table as one, the header rows a continuation repeats left out; and for
    each row of the whole, (table number, row number in that table)."""
    first = parts[0]
    cells = list(first.cells)
    origin = [(numbers[0], r + 1) for r in range(first.n_rows)]
    head = _row_keys(first)
    spacers = set(first.spacer_rows)
    for part, number in zip(parts[1:], numbers[1:], strict=True):
        mine = _row_keys(part)
        skip = 0
        while skip < len(mine) and skip < len(head) and mine[skip] == head[skip] and mine[skip]:
            skip += 1
        if skip == part.n_rows:
            skip = 0
        base = len(origin) - skip
        for c in part.cells:
            if c.row >= skip:
                cells.append(Placed(c.row + base, c.col, c.text, c.rowspan, c.colspan))
        spacers.update(r + base for r in part.spacer_rows if r >= skip)
        origin.extend((number, r + 1) for r in range(skip, part.n_rows))
    return RawTable(cells, len(origin), first.n_cols, first.widths, frozenset(spacers)), origin


def _row_keys(raw: RawTable) -> list[tuple]:
    rows: dict[int, list] = {}
    for c in raw.cells:
        rows.setdefault(c.row, []).append((c.col, c.colspan, c.rowspan, label_key(c.text) or c.text.strip()))
    return [tuple(sorted(rows.get(r, []))) for r in range(raw.n_rows)]


__all__ = ["Placed", "RawTable", "Table", "Flow", "DocumentSource", "DocPlaces", "lay_out", "cell_value", "ignorable", "TEXT_SHEET"]
