"""Find the statutory tables by their row and column labels, in any workbook.

For a workbook without the template's defined names — a published report typed into
Excel by an agency, an .xls/.ods copy, the tables pasted into a new workbook — and for
a template whose names no longer match its tables. Every label comes from the form
(`FormSpec`); labels compare by `values.label_key` (NFKC, no whitespace, line breaks
or punctuation) and `FormSpec.accepted` (a label's short form).

Per statutory grid:
- rows: each row is found by its label (or its group labels and its label written
  in one cell), all on one sheet; a label found twice is resolved by its neighbours
  or reported as ambiguous;
- columns: the header tree is matched top-down within the band of rows above the
  first row (table 四, which has no row labels, from its top header down): each
  header's children are looked for under it, within its span;
- a cell is read only where its row and its column were both found: a missing or
  relabelled row or column is reported with the label it should have, where, and
  what is there instead; its numbers are not read. Rows or columns inside the table
  that the form does not have are reported when they hold anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import ERROR
from ..form import FormSpec, Node, Pos
from ..values import BLANK, NIL, NUMBER, TEXT_NUMBER, classify, label_key
from .alignment import header_keys, misplaced, spans_of, value_columns
from .location import LABELS, Location, Shape, places_of, shown

HEADER_BAND = 6  # rows above a table's first row searched for its column headers
MAX_LABEL_CHARS = 300
MAX_COVERED = 200_000  # cells of merged ranges mapped to their top-left cell (a sheet merged wholesale is not a report)


def _row_keys(spec: FormSpec, path: tuple[Node, ...]) -> frozenset[str]:
    """A row's label alone, or with its group labels written before it in one cell."""
    keys = set(spec.accepted(path[-1].label))
    labelled = [n.label for n in path if n.label]
    for k in range(len(labelled) - 1):
        keys.add(label_key("".join(labelled[k:])))
    return frozenset(keys)


_SHAPE_ROWS: dict[Shape, tuple] = {}


def _shape_rows(shape: Shape):
    """Cached per grid: (keys of each row, (group node, first row, last row) of every labelled group)."""
    got = _SHAPE_ROWS.get(shape)
    if got is None:
        got = _SHAPE_ROWS[shape] = _shape_rows_of(shape)
    return got


def _shape_rows_of(shape: Shape) -> tuple[tuple[frozenset[str], ...], tuple[tuple[Node, int, int], ...]]:
    """(keys of each row, (group node, first row, last row) of every labelled group)."""
    keys = tuple(_row_keys(shape.spec, p) for p in shape.grid.row_paths)
    groups: dict[int, list] = {}
    for i, path in enumerate(shape.grid.row_paths):
        for node in path[:-1]:
            entry = groups.setdefault(id(node), [node, i, i])
            entry[2] = i
    return keys, tuple((n, a, b) for n, a, b in groups.values() if n.label)


@dataclass
class GridFound:
    shape: Shape
    location: Location
    sheet: str | None = None
    rows_at: list[int | None] = field(default_factory=list)
    cols_at: list[int | None] = field(default_factory=list)
    rows_claimed: set[int] = field(default_factory=set)  # rows reported as relabelled statutory rows
    seen: bool = False  # the table's structure is there (even if it could not be read)
    header_at: list[tuple[int, int] | None] = field(default_factory=list)  # (row, col) of each leaf header
    collapsed: list[tuple[Node, int, int, int, int]] = field(default_factory=list)  # (group, row, col, first, last)

    @property
    def found_any(self) -> bool:
        return bool(self.location.pos)

    @property
    def complete(self) -> bool:
        return len(self.location.pos) == len(self.shape.all_ids) and not any(f.severity == ERROR for f in self.location.findings)


class LabelLocator:
    def __init__(self, src, spec: FormSpec):
        self.src = src
        self.spec = spec
        self.accepted = spec.accepted
        self.sheets: list[str] = list(src.sheet_names())
        self._index: dict[str, list[tuple[int, int, int]]] | None = None
        self._bottoms: dict[int, dict[tuple[int, int], tuple[int, int]]] = {}
        self._covering: dict[int, dict[tuple[int, int], tuple[int, int]]] = {}
        hidden = getattr(src, "hidden_sheets", None)
        self.hidden: set[str] = hidden() if hidden else set()
        self.places = places_of(src)

    # ---- the workbook's text cells --------------------------------------------------------
    def rows(self, si: int) -> list[list]:
        return self.src.rows(self.sheets[si])

    def get(self, si: int, r: int, c: int) -> object:
        rows = self.rows(si)
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
            return rows[r][c]
        return None

    @property
    def index(self) -> dict[str, list[tuple[int, int, int]]]:
        """label key -> [(sheet index, row, col)] of every text cell, in reading order."""
        if self._index is None:
            index: dict[str, list[tuple[int, int, int]]] = {}
            for si in range(len(self.sheets)):
                for r, row in enumerate(self.rows(si)):
                    for c, v in enumerate(row):
                        if type(v) is str and v and len(v) <= MAX_LABEL_CHARS:
                            k = label_key(v)
                            if k:
                                index.setdefault(k, []).append((si, r, c))
            self._index = index
        return self._index

    def find(self, keys: frozenset[str]) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        for k in keys:
            out.extend(self.index.get(k, ()))
        return sorted(out)

    def _merges(self, si: int) -> dict[tuple[int, int], tuple[int, int]]:
        if si not in self._bottoms:
            merged = getattr(self.src, "merged", None)
            ranges = merged(self.sheets[si]) if merged else []
            self._bottoms[si] = {(a[0], a[1]): (b[0], b[1]) for a, b in ranges or []}
        return self._bottoms[si]

    def has_merges(self, si: int) -> bool:
        return bool(self._merges(si))

    def covering(self, si: int) -> dict[tuple[int, int], tuple[int, int]]:
        """(row, col) -> the top-left cell of the merged range covering it (top-left cells themselves excluded)."""
        got = self._covering.get(si)
        if got is None:
            got = self._covering[si] = {}
            budget = MAX_COVERED
            for (r1, c1), (r2, c2) in self._merges(si).items():
                area = (r2 - r1 + 1) * (c2 - c1 + 1)
                if area <= 1 or area > budget:
                    continue
                budget -= area
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        got[(r, c)] = (r1, c1)
                del got[(r1, c1)]
        return got

    def bottom(self, si: int, r: int, c: int) -> int:
        """Last row of the merged range whose top-left cell is (r, c)."""
        return self._merges(si).get((r, c), (r, c))[0]

    def right_of(self, si: int, r: int, c: int) -> int:
        """The column right after the cell (r, c), or after its merged range."""
        return self._merges(si).get((r, c), (r, c))[1] + 1

    def where(self, si: int, r: int, c: int) -> str:
        return self.places.cell(self.sheets[si], r, c)

    def in_sheet(self, si: int) -> str:
        return self.places.in_sheet(self.sheets[si])

    def row_at(self, si: int, r: int) -> str:
        return self.places.row(self.sheets[si], r)

    # ---- grids ------------------------------------------------------------------------------
    def locate(self, shape: Shape) -> GridFound:
        loc = Location(how=LABELS)
        found = GridFound(shape, loc)
        if shape.grid.row_paths:
            placed = self._rows(shape, found)
            if placed is None:
                loc.unread.update(shape.all_ids)
                return found
            si, rows_at, label_cols = placed
            data_lo = max(c for c in label_cols if c is not None) + 1
            first = min(r for r in rows_at if r is not None)
            cols_at = self._cols(shape, si, max(0, first - HEADER_BAND), first - 1, data_lo, True, found)
            if cols_at is None:
                cols_at = self._label_value_cols(shape, si, rows_at, label_cols, found)
        else:
            located = self._top_down(shape, found)
            if located is None:
                loc.unread.update(shape.all_ids)
                return found
            si, cols_at, body = located
            rows_at = [body]
            label_cols = [None]
            data_lo = 0
        drop: set[tuple[int, int]] = set()
        if found.header_at:
            body_rows = [r for r in rows_at if r is not None] + [g[1] for g in found.collapsed]
            cols_at = value_columns(self, shape, si, body_rows, found.header_at, found)
            drop = misplaced(self, shape, si, rows_at, cols_at, spans_of(found.header_at, cols_at), data_lo, found)
        found.sheet = self.sheets[si]
        found.rows_at, found.cols_at = rows_at, cols_at
        sheet = self.sheets[si]
        for i, row in enumerate(shape.ids):
            for j, cid in enumerate(row):
                if rows_at[i] is not None and cols_at[j] is not None and (i, j) not in drop:
                    loc.pos[cid] = Pos(sheet, rows_at[i], cols_at[j])
                else:
                    loc.unread.add(cid)
        self._collapsed_values(shape, si, cols_at, found)
        self._variants(shape, si, rows_at, label_cols, found)
        self._extra(shape, si, rows_at, cols_at, label_cols, found)
        return found

    def _rows(self, shape: Shape, found: GridFound):
        loc = found.location
        keys, groups = _shape_rows(shape)
        n = len(keys)
        cands = [self.find(k) for k in keys]
        per_sheet = {si: _chain(cands, si) for si in {c[0] for cs in cands for c in cs}}
        if not per_sheet:
            return None
        best = max(per_sheet.values())
        tied = sorted(si for si, k in per_sheet.items() if k == best)
        visible = [s for s in tied if self.sheets[s] not in self.hidden]
        if len(tied) > 1 and len(visible) == 1:
            tied = visible  # a copy on a hidden sheet is not what the person sees
        si = tied[0]
        found.seen = best >= max(2, (n + 1) // 2)
        if len(tied) > 1 and best > n // 2:
            names = "、".join(f"「{self.sheets[s]}」" for s in tied)
            loc.add("LAYOUT", f"{shape.name}出现在多个工作表（{names}）中，无法确定读取哪一份，未读取", shape.all_ids)
            return None
        rows_at: list[int | None] = [None] * n
        label_cols: list[int | None] = [None] * n
        multi: dict[int, list[tuple[int, int]]] = {}
        for i, cs in enumerate(cands):
            here = [(r, c) for s, r, c in cs if s == si]
            if len(here) == 1:
                rows_at[i], label_cols[i] = here[0]
            elif here:
                multi[i] = here
        if multi and all(r is None for r in rows_at):
            first = multi[min(multi)]
            places = "、".join(self.row_at(si, r) for r, _ in first[:3])
            loc.add(
                "LAYOUT",
                f"{shape.name}在{self.in_sheet(si)}中出现了多次（{places}一带），无法确定读取哪一份，未读取",
                shape.all_ids,
            )
            return None
        for i, here in multi.items():
            lo = max((rows_at[k] for k in range(i) if rows_at[k] is not None), default=-1)
            hi = min((rows_at[k] for k in range(i + 1, n) if rows_at[k] is not None), default=1 << 30)
            inside = [(r, c) for r, c in here if lo < r < hi]
            if len(inside) == 1:
                rows_at[i], label_cols[i] = inside[0]
            else:
                places = "、".join(self.where(si, r, c) for r, c in here[:4])
                loc.add(
                    "LAYOUT",
                    f"「{shape.rows[i][-1].label}」出现了多次（{places}），无法确定读取哪一行，该行未读取",
                    shape.ids[i],
                    [self.where(si, *here[0])],
                )
                multi[i] = []
        ambiguous = {i for i, h in multi.items() if not h}
        ambiguous |= self._collapsed(shape, si, rows_at, groups, ambiguous, found)
        claimed = self._missing_rows(shape, si, rows_at, label_cols, ambiguous, found)
        claimed.update(g[1] for g in found.collapsed)
        self._row_order(shape, si, rows_at, found)
        self._row_groups(shape, si, rows_at, label_cols, groups, found)
        found.rows_claimed = claimed
        return si, rows_at, label_cols

    def _missing_rows(self, shape: Shape, si: int, rows_at, label_cols, ambiguous: set[int], found: GridFound) -> set[int]:
        """Report statutory rows not found: relabelled (something else sits where the
        row belongs), deleted (no room between its neighbours) or simply absent."""
        loc = found.location
        n = len(rows_at)
        claimed: set[int] = set()
        i = 0
        while i < n:
            if rows_at[i] is not None or i in ambiguous:
                i += 1
                continue
            k = i
            while k + 1 < n and rows_at[k + 1] is None and k + 1 not in ambiguous:
                k += 1
            prev = rows_at[i - 1] if i > 0 else None
            nxt = rows_at[k + 1] if k + 1 < n else None
            run = list(range(i, k + 1))
            if prev is not None and nxt is not None and nxt - prev - 1 == len(run):
                for m, idx in enumerate(run):
                    r = prev + 1 + m
                    claimed.add(r)
                    c, text = self._row_text(si, r, label_cols[i - 1] or 0, label_cols)
                    loc.add(
                        "LAYOUT",
                        f"{self.where(si, r, c)} 应为「{shape.rows[idx][-1].label}」，实为「{text}」："
                        f"{shape.name}的行被改动，该行的 {len(shape.ids[idx])} 个数未读取",
                        shape.ids[idx],
                        [self.where(si, r, c)],
                    )
            else:
                for idx in run:
                    label = shape.rows[idx][-1].label
                    omitted = self.spec.omissible_labels.get(label)
                    if omitted is not None and len(run) == 1 and not self._numbers_in(si, nxt - 1 if nxt is not None else prev + 1):
                        loc.add(
                            "LABEL-VARIANT",
                            f"{self.in_sheet(si)}中{shape.name}没有「{label}」这一行（{omitted.reason}），按不适用处理，"
                            f"该行的 {len(shape.ids[idx])} 个数未读取",
                            shape.ids[idx],
                            [],
                        )
                        continue
                    if prev is not None and nxt is not None and nxt == prev + 1:
                        at = f"应在{self.row_at(si, prev)}与{self.row_at(si, nxt)}之间，可能被删除"
                    elif prev is not None and nxt is None and idx == n - 1:
                        at = f"应在{self.row_at(si, prev)}「{shape.rows[i - 1][-1].label}」之后"
                    elif prev is None and nxt is not None and idx == 0:
                        at = f"应在{self.row_at(si, nxt)}「{shape.rows[k + 1][-1].label}」之前"
                    else:
                        at = "可能被删除或改名"
                    loc.add(
                        "LAYOUT",
                        f"{self.in_sheet(si)}中{shape.name}缺少「{label}」这一行（{at}），该行的 {len(shape.ids[idx])} 个数未读取",
                        shape.ids[idx],
                        [],
                    )
            i = k + 1
        return claimed

    def _row_text(self, si: int, r: int, default_col: int, label_cols) -> tuple[int, str]:
        """The row's own label: the rightmost text left of the numbers (group labels,
        merged over several rows, sit further left)."""
        right = max(c for c in label_cols if c is not None)
        for c in range(right, -1, -1):
            v = self.get(si, r, c)
            if v not in (None, ""):
                return c, shown(v)
        return default_col, "空白"

    def _row_order(self, shape: Shape, si: int, rows_at, found: GridFound) -> None:
        last_i = None
        for i, r in enumerate(rows_at):
            if r is None:
                continue
            if last_i is not None and r < rows_at[last_i]:
                found.location.add(
                    "ROW-ORDER",
                    f"{shape.name}的行顺序与法定表式不一致：「{shape.rows[i][-1].label}」（{self.row_at(si, r)}）"
                    f"应在「{shape.rows[last_i][-1].label}」（{self.row_at(si, rows_at[last_i])}）之后（已按标签读取）",
                    [],
                    [self.where(si, r, 0)],
                )
                return
            last_i = i

    def _row_groups(self, shape: Shape, si: int, rows_at, label_cols, groups, found: GridFound) -> None:
        """Group labels (三、本年度办理结果, （三）不予公开 …) next to or above their first row."""
        for node, first, _last in groups:
            r = rows_at[first]
            if r is None:
                continue
            lo = rows_at[first - 1] + 1 if first > 0 and rows_at[first - 1] is not None else r - 2
            keys = self.accepted(node.label)
            ok = any(s == si and lo <= rr <= r and c <= label_cols[first] for s, rr, c in self.find(keys))
            if not ok:
                leaf = self.get(si, r, label_cols[first])
                ok = label_key(leaf) not in self.accepted(shape.rows[first][-1].label)  # written with its group in one cell
            if not ok:
                c = max(0, label_cols[first] - 1)
                found.location.add(
                    "LABEL",
                    f"{shape.name}缺少分组标签「{node.label}」（应在 {self.where(si, r, c)} 一带，"
                    f"「{shape.rows[first][-1].label}」的左侧或上方），不影响读取",
                    [],
                    [self.where(si, r, c)],
                )

    # ---- columns ----------------------------------------------------------------------------
    def _cols(self, shape: Shape, si: int, r_lo: int, r_hi: int, c_lo: int, bottom_first: bool, found: GridFound):
        """Column of every leaf of the header tree, or None if no header was found at all."""
        leaf_at: dict[tuple[int, ...], tuple[int, int]] = {}
        missing_groups: list[tuple[Node, int, int]] = []
        self._match(si, shape.grid.cols, (), r_lo, r_hi, c_lo, 1 << 20, bottom_first, leaf_at, missing_groups)
        if not leaf_at:
            return None
        cols_at: list[int | None] = []
        found.header_at = [leaf_at.get(tuple(map(id, path))) for path in shape.cols]
        for hit in found.header_at:
            cols_at.append(hit[1] if hit else None)
        self._missing_cols(shape, si, cols_at, leaf_at, found, c_lo)
        for node, r, c in missing_groups:
            found.location.add(
                "LABEL",
                f"{shape.name}缺少表头「{node.label}」（应在 {self.where(si, r, c)} 一带），已按其下各列的标签读取",
                [],
                [self.where(si, r, c)],
            )
        return cols_at

    def _match(self, si, nodes, prefix, r_lo, r_hi, c_lo, c_hi, bottom_first, leaf_at, missing_groups) -> None:
        placed: list[tuple[int, int] | None] = []
        prev_c = c_lo - 1
        for node in nodes:
            cs = [(r, c) for s, r, c in self.find(self.accepted(node.label)) if s == si and r_lo <= r <= r_hi and prev_c < c <= c_hi]
            if cs:
                c_min = min(c for _, c in cs)
                rows = [r for r, c in cs if c == c_min]
                hit = (max(rows) if bottom_first else min(rows), c_min)
                placed.append(hit)
                prev_c = c_min
            else:
                placed.append(None)
        for k, node in enumerate(nodes):
            hit = placed[k]
            path = prefix + (id(node),)
            left = max((p[1] for p in placed[:k] if p), default=c_lo - 1)
            right = min((p[1] for p in placed[k + 1 :] if p), default=c_hi + 1)
            if node.children:
                if hit is None:
                    missing_groups.append((node, r_lo, left + 1))
                    self._match(si, node.children, path, r_lo, r_hi, left + 1, right - 1, bottom_first, leaf_at, missing_groups)
                else:
                    self._match(si, node.children, path, hit[0] + 1, r_hi, hit[1], right - 1, bottom_first, leaf_at, missing_groups)
            elif hit is not None:
                leaf_at[path] = hit

    def _missing_cols(self, shape: Shape, si: int, cols_at, leaf_at, found: GridFound, data_lo: int = 0) -> None:
        """Report statutory columns not found, with what sits where the header belongs."""
        loc = found.location
        top = min(r for r, _ in leaf_at.values())
        bottom = max(r for r, _ in leaf_at.values())
        for j, c in enumerate(cols_at):
            if c is not None:
                continue
            label = shape.cols[j][-1].label
            prev = cols_at[j - 1] if j > 0 else None
            nxt = cols_at[j + 1] if j + 1 < len(cols_at) else None
            cells = [row[j] for row in shape.ids]
            if prev is not None and nxt is not None:
                col = prev + 1 if nxt - prev == 2 else None
            elif nxt is not None:
                col = nxt - 1 if nxt - 1 >= data_lo else None
            elif prev is not None:
                col = prev + 1
            else:
                col = None
            row = next((r for r in range(top, bottom + 1) if col is not None and self.get(si, r, col) not in (None, "")), None)
            if row is not None:
                at = self.where(si, row, col)
                text = shown(self.get(si, row, col))
                loc.add(
                    "LAYOUT", f"{at} 应为「{label}」，实为「{text}」：{shape.name}的列被改动，该列的 {len(cells)} 个数未读取", cells, [at]
                )
            else:
                loc.add(
                    "LAYOUT",
                    f"{self.in_sheet(si)}中{shape.name}缺少「{shape.col_name(j)}」列（表头「{label}」），该列的数未读取",
                    cells,
                    [],
                )

    def _label_value_cols(self, shape: Shape, si: int, rows_at, label_cols, found: GridFound):
        """A one-column grid without its column header: the value is right of its label."""
        header = shape.cols[0][-1]
        if len(shape.cols) != 1 or header.key is not None:
            found.location.add(
                "LAYOUT",
                f"{self.in_sheet(si)}中{shape.name}缺少列标题（如「{header.label}」），该部分的数未读取",
                shape.all_ids,
                [],
            )
            return [None] * len(shape.cols)
        cols = set()
        for r, c in zip(rows_at, label_cols, strict=False):
            if r is not None:
                cols.add(self.right_of(si, r, c))
        if len(cols) > 1:
            found.location.add(
                "LAYOUT", f"{shape.name}的数不在同一列（{self.places.col_list(self.sheets[si], sorted(cols))}），未读取", shape.all_ids, []
            )
            return [None]
        return [cols.pop()] if cols else [None]

    def _top_down(self, shape: Shape, found: GridFound):
        """A grid without row labels (table 四): from its top header down to its one row."""
        tries = []
        for k, node in enumerate(shape.grid.cols):
            for si, r, c in self.find(self.accepted(node.label)):
                leaf_at: dict[tuple[int, ...], tuple[int, int]] = {}
                missing_groups: list = []
                self._match(si, shape.grid.cols, (), r, r + HEADER_BAND, c if k == 0 else 0, 1 << 20, False, leaf_at, missing_groups)
                if leaf_at:
                    tries.append((si, r, leaf_at, missing_groups))
            if tries:
                break
        if not tries:
            return None
        most = max(len(t[2]) for t in tries)
        best = [t for t in tries if len(t[2]) == most]
        visible = [t for t in best if self.sheets[t[0]] not in self.hidden]
        best = visible or best
        found.seen = True
        if len(best) > 1:
            places = "、".join(self.places.sheet_row(self.sheets[si], r) for si, r, _, _ in best[:3])
            found.location.add("LAYOUT", f"{shape.name}出现了多次（{places}），无法确定读取哪一份，未读取", shape.all_ids, [])
            return None
        si, _r, leaf_at, missing_groups = best[0]
        found.header_at = [leaf_at.get(tuple(map(id, p))) for p in shape.cols]
        cols_at = [hit[1] if hit else None for hit in found.header_at]
        body = max(self.bottom(si, r, c) for r, c in leaf_at.values()) + 1
        known = [c for c in cols_at if c is not None]
        for r in range(body, body + 3):  # a header merged down without merge information (.ods)
            if any(self.get(si, r, c) not in (None, "") for c in known):
                body = r
                break
        self._missing_cols(shape, si, cols_at, leaf_at, found)
        for node, r, c in missing_groups:
            found.location.add(
                "LABEL",
                f"{shape.name}缺少表头「{node.label}」（应在 {self.where(si, r, c)} 一带），已按其下各列的标签读取",
                [],
                [self.where(si, r, c)],
            )
        return si, cols_at, body

    # ---- how published reports differ (the form's closed lists) ------------------------------------
    def _numbers_in(self, si: int, r: int) -> bool:
        rows = self.rows(si)
        return 0 <= r < len(rows) and any(type(v) in (int, float) for v in rows[r])

    def _header_row(self, si: int, r: int, headers: frozenset[str]) -> bool:
        """A row of nothing but the grid's column headers: the header repeated where a table continues on a new page."""
        rows = self.rows(si)
        texts = [v for v in rows[r] if v not in (None, "")] if 0 <= r < len(rows) else []
        return bool(texts) and all(type(v) is str and label_key(v) in headers for v in texts)

    def _variants(self, shape: Shape, si: int, rows_at, label_cols, found: GridFound) -> None:
        """LABEL-VARIANT for each row or column found by a variant of its label (the form's closed list)."""
        if not self.spec.variants:
            return
        places = [
            (r, c, shape.rows[i][-1].label)
            for i, (r, c) in enumerate(zip(rows_at, label_cols, strict=True))
            if r is not None and c is not None
        ]
        places += [(h[0], h[1], shape.cols[j][-1].label) for j, h in enumerate(found.header_at) if h is not None]
        for r, c, label in places:
            text = self.get(si, r, c)
            variant = self.spec.variant_of(text)
            if variant is not None and variant.label == label:
                at = self.where(si, r, c)
                found.location.add(
                    "LABEL-VARIANT", f"{at}「{shown(text)}」是「{label}」的常见写法，已按「{label}」读取（{shape.name}）", [], [at]
                )

    def _collapsed(self, shape: Shape, si: int, rows_at, groups, ambiguous: set[int], found: GridFound) -> set[int]:
        """Groups printed as one row (an older layout): the row's place, and the group's row indices."""
        handled: set[int] = set()
        for node, first, last in groups:
            if node.label not in self.spec.collapsible_labels:
                continue
            run = range(first, last + 1)
            if any(rows_at[i] is not None or i in ambiguous for i in run):
                continue
            lo = rows_at[first - 1] if first > 0 else None
            hi = rows_at[last + 1] if last + 1 < len(rows_at) else None
            if lo is None or hi is None:
                continue
            hits = [(r, c) for s, r, c in self.find(self.accepted(node.label)) if s == si and lo < r < hi]
            if len(hits) == 1:
                found.collapsed.append((node, hits[0][0], hits[0][1], first, last))
                handled.update(run)
        return handled

    def _collapsed_values(self, shape: Shape, si: int, cols_at, found: GridFound) -> None:
        """A group's one row: 0 in a column makes each of its rows 0 there; other numbers cannot be split."""
        loc = found.location
        sheet = self.sheets[si]
        for node, r, c, first, last in found.collapsed:
            layout = self.spec.collapsible_labels[node.label].layout
            n = last - first + 1
            split: list[str] = []
            for j, v in enumerate(cols_at):
                if v is None:
                    continue
                raw = self.get(si, r, v)
                case, value, _ = classify(raw)
                if case in (BLANK, NIL) or (case in (NUMBER, TEXT_NUMBER) and value == 0):
                    for i in range(first, last + 1):
                        loc.stated[shape.ids[i][j]] = (0, Pos(sheet, r, v))
                        loc.unread.discard(shape.ids[i][j])
                else:
                    split.append(f"{shape.col_name(j)}列「{shown(raw)}」")
            at = self.where(si, r, c)
            loc.add(
                "LABEL-VARIANT",
                f"{at}「{node.label}」只有一行（{layout}），没有分为 {n} 项；该行为 0 的列，其 {n} 项均按 0 计（{shape.name}）",
                [],
                [at],
            )
            if split:
                ids = [shape.ids[i][j] for i in range(first, last + 1) for j in range(len(cols_at)) if shape.ids[i][j] not in loc.stated]
                loc.add(
                    "LAYOUT",
                    f"{shape.name}「{node.label}」只有一行（{layout}），{'、'.join(split[:4])}等数无法分到 {n} 项中，这些列的 {n} 项未读取",
                    ids,
                    [at],
                )

    # ---- what the form does not have -----------------------------------------------------------
    def _extra(self, shape: Shape, si: int, rows_at, cols_at, label_cols, found: GridFound) -> None:
        rows = sorted(r for r in rows_at if r is not None)
        cols = sorted(c for c in cols_at if c is not None)
        if not rows or not cols:
            return
        claimed = found.rows_claimed
        used = set(rows)
        _, groups = _shape_rows(shape) if shape.grid.row_paths else ((), ())
        group_keys = set().union(*(self.accepted(n.label) for n, _, _ in groups)) if groups else set()
        left = min((c for c in label_cols if c is not None), default=cols[0])
        headers = header_keys(shape)
        for r in range(rows[0] + 1, rows[-1]):
            if r in used or r in claimed or self._header_row(si, r, headers):
                continue
            texts = [self.get(si, r, c) for c in range(left, cols[0])]
            texts = [t for t in texts if t not in (None, "")]
            numbers = [(c, v) for c in cols if _nonzero(v := self.get(si, r, c))]
            if not texts and not numbers:
                continue
            if texts and all(label_key(t) in group_keys for t in texts):
                if numbers:
                    found.location.add(
                        "EXTRA-CELLS",
                        f"{shape.name}的分组行「{shown(texts[0])}」（{self.row_at(si, r)}）填有数字，法定表式中该行没有数字，已忽略",
                        [],
                        [self.where(si, r, numbers[0][0])],
                    )
                continue
            place = f"{shape.name}{self.row_at(si, r)}" + (f"「{shown(texts[0])}」" if texts else "")
            self._report_extra(si, place, "行", numbers, self.where(si, r, left), found, lambda c, r=r: self.where(si, r, c))
        for a, b in zip(cols, cols[1:], strict=False):
            for c in range(a + 1, b):
                numbers = [(r, v) for r in rows if _nonzero(v := self.get(si, r, c))]
                texts = [v for r in rows if (v := self.get(si, r, c)) not in (None, "")]
                if not numbers and not texts:
                    continue
                place = f"{shape.name} {self.places.col(self.sheets[si], c)}"
                self._report_extra(si, place, "列", numbers, self.where(si, rows[0], c), found, lambda r, c=c: self.where(si, r, c))

    def _report_extra(self, si, place, what, numbers, at, found: GridFound, cell_at) -> None:
        if numbers:
            k, v = numbers[0]
            first = cell_at(k)
            found.location.add(
                "EXTRA-NUMBERS",
                f"{place}不属于法定表式，其中填有 {len(numbers)} 个数（如 {first} 为 {shown(v)}），未计入",
                [],
                [first],
            )
        else:
            found.location.add("EXTRA-CELLS", f"{place}不属于法定表式，已忽略", [], [at])


def _chain(cands: list[list[tuple[int, int, int]]], si: int) -> int:
    """How many statutory rows a sheet holds as a table: rows found in order, each on a
    row of its own (labels scattered over a sheet, as in a list of checks, score low)."""
    last, n = -1, 0
    for cs in cands:
        rows = [r for s, r, _ in cs if s == si and r > last]
        if rows:
            last = min(rows)
            n += 1
    return n


def _nonzero(v: object) -> bool:
    if type(v) in (int, float):
        return v != 0
    if type(v) is str and v.strip():
        case, value, _ = classify(v)
        return case == TEXT_NUMBER and value != 0
    return False


__all__ = ["LabelLocator", "GridFound", "HEADER_BAND"]
