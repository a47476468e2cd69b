"""Find a submission's cells through the defined names the template records.

Excel (and LibreOffice) move a defined name with its cell when rows or columns are
inserted or deleted, so the anchors survive such edits; the labels around each cell
are checked to be still the statutory ones. Per statutory grid:

- every cell must have its anchor, and the cells must still form the grid (one row
  per statutory row, one column per statutory column);
- every label is looked for where the template put it, moved as far as the cells it
  labels have moved (a group label merged over several rows stays on the first);
- rows or columns found inside the grid that the form does not have (inserted) are
  reported, as an error if they hold numbers (those numbers are not counted).

A grid that fails these checks is located again by its labels (`label_locator`), as
when another program inserted rows without moving the names; only if that fails too
are its unverifiable cells left unread, each with the label that is wrong and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .form import CELLS, FORM_ID, META_FIELDS, SECTIONS
from .layout import FORM_NAME, LAYOUT, Label, Pos, col_letter
from .location import ANCHORS, SHAPES, Location, Shape, accepted, shown, where
from .values import NUMBER, TEXT_NUMBER, classify, label_key, normalise_text


@dataclass(frozen=True)
class LabelCheck:
    """One template label and how to find it from the actual positions of its cells."""

    label: Label
    by_row: bool  # a row label: placed relative to its first row (else: a column header)
    index: int  # that grid row (or column) index
    drow: int
    dcol: int
    cells: tuple[str, ...]  # the cells it labels
    structural: bool  # part of the cells' row/column path (else a title or spanning note)
    keys: frozenset[str]


@lru_cache(maxsize=None)
def label_plan(shape: Shape) -> tuple[LabelCheck, ...]:
    """Every label around a grid, derived once from the template layout."""
    tr, tc = shape.tmpl_rows, shape.tmpl_cols
    deps: dict[Label, list[str]] = {}
    for cid in shape.all_ids:
        for label in LAYOUT.labels_near(cid):
            deps.setdefault(label, []).append(cid)
    plan = []
    for label, cells in deps.items():
        path_labels = {n.label for cid in cells for n in CELLS[cid].row + CELLS[cid].col}
        if label.role == "rowlabel":
            i = min(i for i, r in enumerate(tr) if label.pos.row <= r < label.pos.row + label.rows)
            check = LabelCheck(label, True, i, label.pos.row - tr[i], label.pos.col - tc[0], tuple(cells), True, accepted(label.text))
        else:
            j = min(j for j, c in enumerate(tc) if label.pos.col <= c < label.pos.col + label.cols)
            structural = label.text in path_labels
            check = LabelCheck(label, False, j, label.pos.row - tr[0], label.pos.col - tc[j], tuple(cells), structural, accepted(label.text))
        plan.append(check)
    return tuple(plan)


@lru_cache(maxsize=None)
def key_plan(key: str) -> tuple[tuple[Label, int, int, frozenset[str]], ...]:
    """Labels of a cover or narrative cell: (label, drow, dcol, keys) from the cell."""
    p = LAYOUT.pos[key]
    return tuple((lb, lb.pos.row - p.row, lb.pos.col - p.col, accepted(lb.text)) for lb in LAYOUT.labels_near(key))


OTHER_KEYS: tuple[str, ...] = tuple([f"meta.{m.key}" for m in META_FIELDS] + [f"text.{s.key}" for s in SECTIONS])


class _Cells:
    """Raw label values, straight from the source's rows where it has them."""

    def __init__(self, src):
        self.src = src
        self.rows = getattr(src, "rows", None)

    def get(self, sheet: str, row: int, col: int) -> object:
        if row < 0 or col < 0:
            return None
        if self.rows is not None:
            rows = self.rows(sheet)
            if row < len(rows):
                r = rows[row]
                return r[col] if col < len(r) else None
            return None
        return self.src.value(Pos(sheet, row, col))


def form_version(src, names: dict[str, Pos]) -> str:
    return normalise_text(src.value(names[FORM_NAME]))


def locate_grid(src, names: dict[str, Pos], shape: Shape, cells: _Cells | None = None) -> tuple[Location, str | None]:
    """Positions of one grid's cells through the anchors, and the first problem that
    left cells unread (None when every cell was verified)."""
    cells = cells or _Cells(src)
    loc = Location(how=ANCHORS)
    problems: list[str] = []
    ids = shape.ids
    found = [[names.get(_anchor(cid)) for cid in row] for row in ids]
    missing = [cid for row, prow in zip(ids, found) for cid, p in zip(row, prow) if p is None]
    if missing:
        loc.unread.update(missing)
        problems.append(f"{len(missing)} 个单元格缺少定位名称")
        loc.add(
            "ANCHOR-MISSING",
            f"{shape.name}有 {len(missing)} 个单元格缺少定位名称（如{CELLS[missing[0]].display}），"
            "可能是工作表或行列被删除，或表格被复制到了其他工作簿",
            missing,
        )
    # The actual row of each grid row, the actual column of each grid column.
    rows_at = [next((p.row for p in prow if p is not None), None) for prow in found]
    cols_at = [next((prow[j].col for prow in found if prow[j] is not None), None) for j in range(len(ids[0]))]
    sheet = next((p.sheet for prow in found for p in prow if p is not None), shape.sheet)
    bad: set[str] = set(missing)
    for i, (row, prow) in enumerate(zip(ids, found)):
        for j, (cid, p) in enumerate(zip(row, prow)):
            if p is not None and (p.sheet != sheet or p.row != rows_at[i] or p.col != cols_at[j]):
                bad.add(cid)
                problems.append(f"{CELLS[cid].display}的定位名称指向 {p.where}")
                loc.add(
                    "LAYOUT",
                    f"{CELLS[cid].display}的定位名称指向 {p.where}，不在该行与该列的交叉处（单元格可能被剪切移动），该数未读取",
                    [cid],
                    [p.where],
                )
    # Labels.
    reported: set[tuple[int, int]] = set()
    for check in label_plan(shape):
        base = rows_at[check.index] if check.by_row else rows_at[0]
        col_base = cols_at[0] if check.by_row else cols_at[check.index]
        if base is None or col_base is None:
            continue
        r, c = base + check.drow, col_base + check.dcol
        raw = cells.get(sheet, r, c)
        if raw == check.label.text or label_key(raw) in check.keys:
            continue
        at = where(sheet, r, c)
        if check.structural:
            fresh = [cid for cid in check.cells if cid not in bad]
            bad.update(check.cells)
            if (r, c) not in reported:
                reported.add((r, c))
                problems.append(f"{at} 应为「{check.label.text}」，实为「{shown(raw)}」")
                what = "行" if check.by_row else "列"
                loc.add(
                    "LAYOUT",
                    f"{at} 应为「{check.label.text}」，实为「{shown(raw)}」：{shape.name}的{what}被改动，"
                    f"该{what}的 {len(check.cells)} 个数未读取",
                    fresh or list(check.cells),
                    [at],
                )
        elif (r, c) not in reported:
            reported.add((r, c))
            loc.add("LABEL", f"{at} 应为「{check.label.text}」，实为「{shown(raw)}」（标题被改动，不影响读取）", [], [at])
    _inserted(shape, cells, sheet, rows_at, cols_at, loc)
    for row, prow in zip(ids, found):
        for cid, p in zip(row, prow):
            if cid not in bad and p is not None:
                loc.pos[cid] = p
    loc.unread.update(bad)
    return loc, (problems[0] if bad else None)


def _inserted(shape: Shape, cells: _Cells, sheet: str, rows_at: list, cols_at: list, loc: Location) -> None:
    """Rows or columns inside the grid that the template does not have."""
    tr, tc = shape.tmpl_rows, shape.tmpl_cols
    first_col = min((c for c in cols_at if c is not None), default=None)
    last_col = max((c for c in cols_at if c is not None), default=None)
    if first_col is None:
        return
    label_left = first_col - (tc[0] - min(lb.label.pos.col for lb in label_plan(shape)))
    for i in range(len(tr) - 1):
        a, b = rows_at[i], rows_at[i + 1]
        if a is None or b is None or tr[i + 1] != tr[i] + 1 or b - a <= 1:
            continue
        for r in range(a + 1, b):
            texts = [cells.get(sheet, r, c) for c in range(label_left, first_col)]
            values = [(c, cells.get(sheet, r, c)) for c in range(first_col, last_col + 1)]
            label = next((shown(t) for t in texts if t not in (None, "")), "")
            place = f"{shape.name}第 {r + 1} 行" + (f"「{label}」" if label else "")
            between = f"位于「{shape.row_name(i)}」与「{shape.row_name(i + 1)}」之间"
            _extra(loc, sheet, place, between, values, by_row=True, r=r)
    for j in range(len(tc) - 1):
        a, b = cols_at[j], cols_at[j + 1]
        if a is None or b is None or tc[j + 1] != tc[j] + 1 or b - a <= 1:
            continue
        top = min(r for r in rows_at if r is not None)
        bottom = max(r for r in rows_at if r is not None)
        for c in range(a + 1, b):
            values = [(r, cells.get(sheet, r, c)) for r in range(top, bottom + 1)]
            place = f"{shape.name} {col_letter(c)} 列"
            between = f"位于「{shape.col_name(j)}」列与「{shape.col_name(j + 1)}」列之间"
            _extra(loc, sheet, place, between, values, by_row=False, c=c)


def _extra(loc: Location, sheet: str, place: str, between: str, values, by_row: bool, r: int = 0, c: int = 0) -> None:
    numbers = [(k, v) for k, v in values if _nonzero(v)]
    what = "行" if by_row else "列"
    if numbers:
        k, v = numbers[0]
        at = where(sheet, r, k) if by_row else where(sheet, k, c)
        loc.add(
            "EXTRA-NUMBERS",
            f"{place}不属于法定表式（{between}，可能是插入的{what}），其中填有 {len(numbers)} 个数字（如 {at} 为 {shown(v)}），未计入",
            [],
            [at],
        )
    else:
        at = where(sheet, r, c)
        loc.add("EXTRA-CELLS", f"{place}不属于法定表式（{between}，可能是插入的{what}），已忽略", [], [at])


def locate_other(src, names: dict[str, Pos], cells: _Cells | None = None) -> Location:
    """Cover fields and narrative sections, each checked against its label."""
    cells = cells or _Cells(src)
    loc = Location(how=ANCHORS)
    for key in OTHER_KEYS:
        p = names.get(_anchor(key))
        if p is None:
            loc.unread.add(key)
            continue
        ok = True
        for label, drow, dcol, keys in key_plan(key):
            raw = cells.get(p.sheet, p.row + drow, p.col + dcol)
            if raw == label.text or label_key(raw) in keys:
                continue
            ok = False
            at = where(p.sheet, p.row + drow, p.col + dcol)
            loc.add("LAYOUT", f"{at} 应为「{label.text}」，实为「{shown(raw)}」：封面或正文被改动，{p.where} 的内容未读取", [key], [at])
        if ok:
            loc.pos[key] = p
        else:
            loc.unread.add(key)
    return loc


def _nonzero(v: object) -> bool:
    case, value, _ = classify(v)
    return case in (NUMBER, TEXT_NUMBER) and value != 0


@lru_cache(maxsize=None)
def _anchor(key: str) -> str:
    from .layout import anchor_name

    return anchor_name(key)


__all__ = ["locate_grid", "locate_other", "form_version", "label_plan", "SHAPES", "FORM_ID"]
