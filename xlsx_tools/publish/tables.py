"""The statutory tables as the national format prints them: cells with their row and column
spans, laid out from the form's header trees (`Grid`s of `Node`s), nothing named here.

For each table of the report's outline:
- a table made of several grids (table 二) prints each grid's title as a full-width group
  row, then the grid's header row and rows; a grid with fewer value columns than the
  widest spreads each value over several columns (「本年处理决定数量」 over three);
- a grid's header block: its corner text (「信息内容」, table 三's 勾稽关系 note) spans
  the label columns and every header row; a header spanning all value columns
  (「申请人情况」) comes first; then the column tree, a group spanning its leaves, a leaf
  spanning down to the last header row;
- the row tree: a group spans its rows in its own column (「三、本年度办理结果」,
  「（三）不予公开」), a row's label spans the label columns left to its right;
- a grid without rows (table 四) is its header and one row of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..check.fingerprint import number_text
from ..findings import Number
from ..form import FormSpec, Grid, Node

HEAD, GROUP, LABEL, VALUE = "head", "group", "label", "value"
VALUE_SHARE = 0.455  # of a table with row labels, the value columns take this share (table 三: 7 × 10 mm of 156)
ONE_LABEL = 0.4  # a single label column (table 二) takes this share
GROUP_WEIGHT = 2.8  # a label column of groups against a column of the rows' own labels (4.6), the first 1
NOTE_MARK = "（"  # a corner text in brackets is a note, not a header


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    role: str = VALUE  # head (header block), group (a group row), label (a row's label), value
    left: bool = False  # set left (a row's own label beside group labels), else centred

    @property
    def bold(self) -> bool:
        """Headers and group rows, not a corner's note (table 三's 勾稽关系)."""
        return self.role in (HEAD, GROUP) and not self.text.startswith(NOTE_MARK)


@dataclass
class Table:
    """One statutory table: rows of cells (each row lists the cells that start in it),
    the grid's column widths as shares of the table's width, and how many rows at its top
    are its header (repeated on each page a long table runs onto)."""

    key: str
    rows: list[list[Cell]]
    widths: list[float]
    header_rows: int = 0
    values: list[str] = field(default_factory=list)  # the cell IDs of its numbers, in order

    @property
    def n_cols(self) -> int:
        return len(self.widths)


def _label_depth(grid: Grid) -> int:
    return max((n.depth for n in grid.rows), default=0)


def _spans(n_leaves: int, n_cols: int) -> list[int]:
    """Value columns for each leaf: n_cols shared out, the last taking what is left."""
    base = max(1, n_cols // n_leaves)
    spans = [base] * n_leaves
    spans[-1] += n_cols - base * n_leaves
    return spans


def _header(grid: Grid, label_cols: int, value_cols: int) -> list[list[Cell]]:
    col_depth = max(n.depth for n in grid.cols)
    head = col_depth + (1 if grid.col_root else 0)
    rows: list[list[Cell]] = [[] for _ in range(head)]
    if label_cols:
        rows[0].append(Cell(grid.corner, head, label_cols, HEAD))
    if grid.col_root:
        rows[0].append(Cell(grid.col_root, 1, value_cols, HEAD))
    spans = iter(_spans(len(grid.col_paths), value_cols))

    def walk(nodes: tuple[Node, ...], level: int) -> int:
        width = 0
        for node in nodes:
            r = head - col_depth + level
            if node.children:
                cell = Cell(node.label, 1, 0, HEAD)
                rows[r].append(cell)
                cell.colspan = walk(node.children, level + 1)
            else:
                cell = Cell(node.label, col_depth - level, next(spans), HEAD)
                rows[r].append(cell)
            width += cell.colspan
        return width

    walk(grid.cols, 0)
    return rows


def _body(grid: Grid, values: dict[str, Number | None], label_cols: int, value_cols: int) -> tuple[list[list[Cell]], list[str]]:
    rows = []
    ids = []
    spans = _spans(len(grid.col_paths), value_cols)
    paths = grid.row_paths or [()]
    for path in paths:
        cells = []
        for depth, node in enumerate(path):
            if node.children:
                under = [p for p in paths if len(p) > depth and p[depth] is node]
                if under[0] is path:
                    cells.append(Cell(node.label, len(under), 1, LABEL))
            else:
                cells.append(Cell(node.label, 1, label_cols - depth, LABEL, left=label_cols > 1))
        for col, span in zip(grid.col_paths, spans, strict=True):
            cid = grid.cell_id(path, col)
            ids.append(cid)
            cells.append(Cell(number_text(values.get(cid)), 1, span, VALUE))
        rows.append(cells)
    return rows, ids


def _widths(label_cols: int, value_cols: int) -> list[float]:
    """Shares of the table's width: value columns alike; among the label columns the last
    (the rows' own labels, the longest) widest."""
    if not label_cols:
        return [1 / value_cols] * value_cols
    value = min(VALUE_SHARE / value_cols, 0.2) if label_cols > 1 else min((1 - ONE_LABEL) / value_cols, 0.3)
    weights = [1.0 if d == 0 else GROUP_WEIGHT for d in range(label_cols - 1)] + [4.6 if label_cols > 1 else 1.0]
    labels = 1 - value * value_cols
    return [labels * w / sum(weights) for w in weights] + [value] * value_cols


def statutory_table(spec: FormSpec, key: str, values: dict[str, Number | None]) -> Table:
    """Table `key` of the outline with `values` (every cell of the form, as printed)."""
    grids = spec.table_grids(key)
    label_cols = max(_label_depth(g) for g in grids)
    value_cols = max(len(g.col_paths) for g in grids)
    several = len(grids) > 1
    rows: list[list[Cell]] = []
    ids: list[str] = []
    header_rows = 0
    for grid in grids:
        if several:
            rows.append([Cell(grid.title, 1, label_cols + value_cols, GROUP)])
        head = _header(grid, label_cols, value_cols)
        if not several:
            header_rows = len(head)
        body, cells = _body(grid, values, label_cols, value_cols)
        rows += head + body
        ids += cells
    return Table(key, rows, _widths(label_cols, value_cols), header_rows, ids)


def positions(rows: list[list[Cell]]) -> list[list[tuple[int, Cell]]]:
    """Each row's cells with the grid column each starts in (spans from above skipped)."""
    taken: dict[int, set[int]] = {}
    out = []
    for r, row in enumerate(rows):
        col = 0
        placed = []
        for cell in row:
            while col in taken.get(r, ()):
                col += 1
            placed.append((col, cell))
            for rr in range(r, r + cell.rowspan):
                taken.setdefault(rr, set()).update(range(col, col + cell.colspan))
            col += cell.colspan
        out.append(placed)
    return out


__all__ = ["GROUP", "HEAD", "LABEL", "VALUE", "Cell", "Table", "positions", "statutory_table"]
