"""Which cell under a column header holds the numbers, and whether every number sits
squarely in its row and column — for tables whose cells are merged unevenly.

Word lays a table out on a grid of all the cell borders of all its rows; where a header's
borders and the data's borders do not line up, a header spans two grid columns, an empty
spacer cell fills the gap, or a number's cell reaches under the next header. The label
locator (labels.py) finds each header; this module then decides, with certainty or not at
all:

- the value column of a header merged over several grid columns: the one column of its
  span where the table's rows hold anything (all empty: any of them reads the same);
  numbers in two columns under one header cannot be told apart and are not read;
- a number whose cell is covered by a merged cell starting elsewhere (a row label reaching
  into the numbers, a number's cell spanning two headers or two rows) is not read, and a
  finding names the place.

Workbooks rarely merge number cells: for them nothing changes.
"""

from __future__ import annotations

from ..values import label_key
from .location import Shape, shown


def _blank(v: object) -> bool:
    return v is None or v == "" or (type(v) is str and not v.strip())


def header_keys(shape: Shape) -> frozenset[str]:
    """Every label of a grid's column headers (a header row repeated on a new page holds only these)."""
    keys: set[str] = {label_key(shape.grid.corner), label_key(shape.grid.col_root)}

    def walk(nodes) -> None:
        for n in nodes:
            keys.update(shape.spec.accepted(n.label))
            walk(n.children)

    walk(shape.grid.cols)
    keys.discard("")
    return frozenset(keys)


def value_columns(finder, shape: Shape, si: int, rows: list[int], header_at: list, found) -> list[int | None]:
    """The column of each leaf header's numbers (None where it cannot be told)."""
    headers = [h for h in header_at if h is not None]
    starts = sorted(c for _, c in headers)
    out: list[int | None] = []
    for j, hit in enumerate(header_at):
        if hit is None:
            out.append(None)
            continue
        r, c = hit
        end = finder.right_of(si, r, c) - 1
        later = [s for s in starts if s > c]
        if later:
            end = min(end, later[0] - 1)
        if end <= c or not rows:
            out.append(c)
            continue
        used = [k for k in range(c, end + 1) if any(not _blank(finder.get(si, row, k)) for row in rows)]
        if len(used) <= 1:
            out.append(used[0] if used else c)
            continue
        places = "、".join(finder.places.col(finder.sheets[si], k) for k in used)
        label = shape.cols[j][-1].label
        found.location.add(
            "LAYOUT",
            f"{finder.where(si, r, c)} 的表头「{label}」下有 {len(used)} 列数（{places}），无法确定哪一列是「{shape.col_name(j)}」，"
            f"该列的 {len(shape.ids)} 个数未读取",
            [row[j] for row in shape.ids],
            [finder.where(si, r, c)],
        )
        out.append(None)
    return out


def misplaced(finder, shape: Shape, si: int, rows_at: list, cols_at: list, spans: list, data_lo: int, found) -> set[tuple[int, int]]:
    """(row index, column index) of every number not squarely in its row and column,
    with a finding for each row or column concerned."""
    covering = finder.covering(si)
    if not covering and not finder.has_merges(si):
        return set()
    drop: set[tuple[int, int]] = set()
    by_col: dict[int, list[tuple[int, int, object]]] = {}
    for i, r in enumerate(rows_at):
        if r is None:
            continue
        row_bad = None
        for j, v in enumerate(cols_at):
            if v is None:
                continue
            origin = covering.get((r, v))
            if origin is not None:
                raw = finder.get(si, *origin)
                if _blank(raw):
                    continue
                if origin[1] < data_lo:
                    row_bad = (origin, raw)
                    break
                by_col.setdefault(j, []).append(origin + (raw,))
                drop.add((i, j))
                continue
            raw = finder.get(si, r, v)
            if _blank(raw):
                continue
            right = finder.right_of(si, r, v) - 1
            bottom = finder.bottom(si, r, v)
            if right > spans[j] or bottom > r:
                by_col.setdefault(j, []).append((r, v, raw))
                drop.add((i, j))
        if row_bad is not None:
            (r0, c0), raw = row_bad
            drop.update((i, j) for j in range(len(cols_at)))
            found.location.add(
                "LAYOUT",
                f"{finder.where(si, r0, c0)}「{shown(raw)}」占用了数字所在的列：{shape.name}「{shape.row_name(i)}」一行的单元格与表头没有对齐，"
                f"该行的 {len(cols_at)} 个数未读取",
                shape.ids[i],
                [finder.where(si, r0, c0)],
            )
    for j, cells in by_col.items():
        r0, c0, raw = cells[0]
        cids = [shape.ids[i][j] for i in range(len(rows_at)) if (i, j) in drop]
        found.location.add(
            "LAYOUT",
            f"{shape.name}「{shape.col_name(j)}」列有 {len(cells)} 个数所在的单元格跨越了相邻的列或行（如 {finder.where(si, r0, c0)}"
            f"「{shown(raw)}」），无法确定属于哪一格，这些数未读取",
            cids,
            [finder.where(si, r0, c0)],
        )
    return drop


def spans_of(header_at: list, cols_at: list) -> list[int]:
    """The last grid column a number under each leaf header may reach: up to the next header."""
    starts = sorted(h[1] for h in header_at if h is not None)
    out = []
    for hit, v in zip(header_at, cols_at, strict=True):
        c = hit[1] if hit is not None else v
        later = [s for s in starts if c is not None and s > c]
        out.append(later[0] - 1 if later else 1 << 20)
    return out


__all__ = ["header_keys", "value_columns", "misplaced", "spans_of"]
