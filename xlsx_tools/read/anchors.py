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

A grid that fails these checks is located again by its labels (`label_locator`, in
reader.locate), as when another program inserted rows without moving the names; only
if that fails too are its unverifiable cells left unread, each with the label that is
wrong and where.

Speed: everything that depends only on the defined names (where each grid is, where
each of its ~150 labels must be) is compiled once into a `Plan` and remembered for
that set of names — every copy of the template shares it. Reading a file then costs
one comparison per label; findings are worked out only when a comparison fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..form import FormSpec
from ..form.layout import FORM_NAME, Label, Pos, anchor_name, col_letter
from ..values import NUMBER, TEXT_NUMBER, classify, label_key, normalise_text
from .location import ANCHORS, Location, Shape, shapes, shown, where, where_of


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


_LABEL_PLANS: dict[Shape, tuple[LabelCheck, ...]] = {}


def label_plan(shape: Shape) -> tuple[LabelCheck, ...]:
    """Every label around a grid, derived once from the template layout."""
    plan = _LABEL_PLANS.get(shape)
    if plan is None:
        plan = _LABEL_PLANS[shape] = _label_plan(shape)
    return plan


def _label_plan(shape: Shape) -> tuple[LabelCheck, ...]:
    spec = shape.spec
    tr, tc = shape.tmpl_rows, shape.tmpl_cols
    deps: dict[Label, list[str]] = {}
    for cid in shape.all_ids:
        for label in spec.layout.labels_near(cid):
            deps.setdefault(label, []).append(cid)
    plan = []
    for label, cells in deps.items():
        path_labels = {n.label for cid in cells for n in spec.cells[cid].row + spec.cells[cid].col}
        keys = spec.accepted(label.text)
        if label.role == "rowlabel":
            i = min(i for i, r in enumerate(tr) if label.pos.row <= r < label.pos.row + label.rows)
            check = LabelCheck(label, True, i, label.pos.row - tr[i], label.pos.col - tc[0], tuple(cells), True, keys)
        else:
            j = min(j for j, c in enumerate(tc) if label.pos.col <= c < label.pos.col + label.cols)
            structural = label.text in path_labels
            check = LabelCheck(label, False, j, label.pos.row - tr[0], label.pos.col - tc[j], tuple(cells), structural, keys)
        plan.append(check)
    return tuple(plan)


def other_keys(spec: FormSpec) -> tuple[str, ...]:
    """The keys outside the grids that a reader finds by anchor: cover fields and sections."""
    return tuple([f"meta.{m.key}" for m in spec.meta_fields] + [f"text.{s.key}" for s in spec.sections])


# ---- the plan: what the defined names say ---------------------------------------------------
@dataclass
class GridPlan:
    shape: Shape
    sheet: str
    found: list[list[Pos | None]]
    rows_at: list[int | None]
    cols_at: list[int | None]
    missing: list[str]
    misplaced: list[tuple[str, Pos]]
    checks: list[tuple[LabelCheck, int, int]]  # label, actual row, actual column
    inserted_rows: list[tuple[int, int]]  # (grid row before, sheet row)
    inserted_cols: list[tuple[int, int]]
    pos: dict[str, Pos] = field(default_factory=dict)

    @property
    def sound(self) -> bool:
        """Every cell anchored, in grid shape, nothing inserted: only labels to check."""
        return not (self.missing or self.misplaced or self.inserted_rows or self.inserted_cols)


@dataclass
class OtherPlan:
    key: str
    pos: Pos | None
    checks: list[tuple[Label, int, int]]


@dataclass
class Plan:
    spec: FormSpec
    names: dict[str, Pos]
    grids: list[GridPlan]
    other: list[OtherPlan]
    where: dict[str, str]  # address of every anchored key


def _grid_plan(names: dict[str, Pos], shape: Shape) -> GridPlan:
    ids = shape.ids
    found = [[names.get(anchor_name(cid)) for cid in row] for row in ids]
    missing = [cid for row, prow in zip(ids, found, strict=False) for cid, p in zip(row, prow, strict=False) if p is None]
    # Where the grid's rows and columns are: what most of their cells say (one cell cut
    # and pasted elsewhere must not drag its row along).
    rows_at = [_most([p.row for p in prow if p is not None]) for prow in found]
    cols_at = [_most([prow[j].col for prow in found if prow[j] is not None]) for j in range(len(ids[0]))]
    sheet = _most([p.sheet for prow in found for p in prow if p is not None]) or shape.sheet
    misplaced = [
        (cid, p)
        for i, (row, prow) in enumerate(zip(ids, found, strict=False))
        for j, (cid, p) in enumerate(zip(row, prow, strict=False))
        if p is not None and (p.sheet != sheet or p.row != rows_at[i] or p.col != cols_at[j])
    ]
    checks = []
    for check in label_plan(shape):
        base = rows_at[check.index] if check.by_row else rows_at[0]
        col_base = cols_at[0] if check.by_row else cols_at[check.index]
        if base is not None and col_base is not None:
            checks.append((check, base + check.drow, col_base + check.dcol))
    tr, tc = shape.tmpl_rows, shape.tmpl_cols
    inserted_rows = [
        (i, r)
        for i in range(len(tr) - 1)
        if rows_at[i] is not None and rows_at[i + 1] is not None and tr[i + 1] == tr[i] + 1
        for r in range(rows_at[i] + 1, rows_at[i + 1])
    ]
    inserted_cols = [
        (j, c)
        for j in range(len(tc) - 1)
        if cols_at[j] is not None and cols_at[j + 1] is not None and tc[j + 1] == tc[j] + 1
        for c in range(cols_at[j] + 1, cols_at[j + 1])
    ]
    plan = GridPlan(shape, sheet, found, rows_at, cols_at, missing, misplaced, checks, inserted_rows, inserted_cols)
    plan.pos = {cid: p for row, prow in zip(ids, found, strict=False) for cid, p in zip(row, prow, strict=False) if p is not None}
    return plan


def _most(values: list):
    """The most common value (the first of equals), None for none."""
    if not values:
        return None
    if values.count(values[0]) * 2 > len(values):
        return values[0]
    return max(dict.fromkeys(values), key=values.count)


def _other_plan(spec: FormSpec, names: dict[str, Pos], key: str) -> OtherPlan:
    p = names.get(anchor_name(key))
    if p is None:
        return OtherPlan(key, None, [])
    tmpl = spec.layout.pos[key]
    checks = [(lb, p.row + lb.pos.row - tmpl.row, p.col + lb.pos.col - tmpl.col) for lb in spec.layout.labels_near(key)]
    return OtherPlan(key, p, checks)


_PLANS: dict[tuple[int, FormSpec], Plan] = {}
MAX_PLANS = 64


def plan_for(names: dict[str, Pos], spec: FormSpec) -> Plan:
    """The compiled plan for a set of defined names (remembered per names object: the
    workbook reader hands out one object per distinct <definedNames> block)."""
    plan = _PLANS.get((id(names), spec))
    if plan is not None and plan.names is names:
        return plan
    grids = [_grid_plan(names, shape) for shape in shapes(spec)]
    other = [_other_plan(spec, names, key) for key in other_keys(spec)]
    where = {k: where_of(p) for g in grids for k, p in g.pos.items()}
    where.update({o.key: where_of(o.pos) for o in other if o.pos is not None})
    plan = Plan(spec, names, grids, other, where)
    if len(_PLANS) >= MAX_PLANS:
        _PLANS.clear()
    _PLANS[(id(names), spec)] = plan
    return plan


# ---- reading a workbook with a plan ------------------------------------------------------------
class Cells:
    """Raw label values, straight from the source's rows where it has them."""

    def __init__(self, src):
        self.src = src
        self._rows = getattr(src, "rows", None)

    def get(self, sheet: str, row: int, col: int) -> object:
        if row < 0 or col < 0:
            return None
        if self._rows is not None:
            rows = self._rows(sheet)
            if row < len(rows):
                r = rows[row]
                return r[col] if col < len(r) else None
            return None
        return self.src.value(Pos(sheet, row, col))


def form_version(src, names: dict[str, Pos]) -> str:
    return normalise_text(src.value(names[FORM_NAME]))


def locate_grid(cells: Cells, plan: GridPlan) -> tuple[Location, str | None]:
    """Positions of one grid's cells through the anchors, and the first problem that
    left cells unread (None when every cell was verified)."""
    if plan.sound:
        rows = cells._rows(plan.sheet) if cells._rows is not None else None
        for check, r, c in plan.checks:
            if rows is not None:
                raw = rows[r][c] if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None
            else:
                raw = cells.get(plan.sheet, r, c)
            if raw != check.label.text and label_key(raw) not in check.keys:
                break
        else:
            return Location(pos=dict(plan.pos), how=ANCHORS), None
    return _locate_grid_slowly(cells, plan)


def _locate_grid_slowly(cells: Cells, plan: GridPlan) -> tuple[Location, str | None]:
    shape, sheet = plan.shape, plan.sheet
    loc = Location(how=ANCHORS)
    problems: list[str] = []
    bad: set[str] = set(plan.missing)
    names = cells.src.sheet_names()
    if plan.missing and shape.sheet not in names and not plan.pos:
        problems.append(f"工作表「{shape.sheet}」不存在")
        loc.add(
            "LAYOUT",
            f"工作表「{shape.sheet}」不存在（可能被删除或改名），{shape.name}的 {len(plan.missing)} 个数未读取",
            plan.missing,
        )
    elif plan.missing:
        problems.append(f"{len(plan.missing)} 个单元格缺少定位名称")
        loc.add(
            "ANCHOR-MISSING",
            f"{shape.name}有 {len(plan.missing)} 个单元格缺少定位名称（如{shape.spec.cells[plan.missing[0]].display}），"
            "可能是工作表或行列被删除，或表格被复制到了其他工作簿",
            plan.missing,
        )
    for cid, p in plan.misplaced:
        bad.add(cid)
        display = shape.spec.cells[cid].display
        problems.append(f"{display}的定位名称指向 {p.where}")
        loc.add(
            "LAYOUT",
            f"{display}的定位名称指向 {p.where}，不在该行与该列的交叉处（单元格可能被剪切移动），该数未读取",
            [cid],
            [p.where],
        )
    reported: set[tuple[int, int]] = set()
    for check, r, c in plan.checks:
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
                    f"{at} 应为「{check.label.text}」，实为「{shown(raw)}」："
                    f"{shape.name}的{what}被改动，该{what}的 {len(check.cells)} 个数未读取",
                    fresh or list(check.cells),
                    [at],
                )
        elif (r, c) not in reported:
            reported.add((r, c))
            loc.add("LABEL", f"{at} 应为「{check.label.text}」，实为「{shown(raw)}」（标题被改动，不影响读取）", [], [at])
    _inserted(cells, plan, loc)
    loc.pos = {cid: p for cid, p in plan.pos.items() if cid not in bad}
    loc.unread.update(bad)
    return loc, (problems[0] if bad else None)


def _inserted(cells: Cells, plan: GridPlan, loc: Location) -> None:
    """Rows or columns inside the grid that the template does not have."""
    shape, sheet, rows_at, cols_at = plan.shape, plan.sheet, plan.rows_at, plan.cols_at
    known_cols = [c for c in cols_at if c is not None]
    known_rows = [r for r in rows_at if r is not None]
    if not known_cols or not known_rows:
        return
    first_col, last_col = min(known_cols), max(known_cols)
    label_left = max(0, first_col - (shape.tmpl_cols[0] - min(ch.label.pos.col for ch in label_plan(shape))))
    for i, r in plan.inserted_rows:
        texts = [cells.get(sheet, r, c) for c in range(label_left, first_col)]
        values = [(c, cells.get(sheet, r, c)) for c in range(first_col, last_col + 1)]
        label = next((shown(t) for t in texts if t not in (None, "")), "")
        place = f"{shape.name}第 {r + 1} 行" + (f"「{label}」" if label else "")
        between = f"位于「{shape.row_name(i)}」与「{shape.row_name(i + 1)}」之间"
        _extra(loc, sheet, place, between, values, True, r, label_left)
    top, bottom = min(known_rows), max(known_rows)
    for j, c in plan.inserted_cols:
        values = [(r, cells.get(sheet, r, c)) for r in range(top, bottom + 1)]
        place = f"{shape.name} {col_letter(c)} 列"
        between = f"位于「{shape.col_name(j)}」列与「{shape.col_name(j + 1)}」列之间"
        _extra(loc, sheet, place, between, values, False, top, c)


def _extra(loc: Location, sheet: str, place: str, between: str, values, by_row: bool, r: int, c: int) -> None:
    numbers = [(k, v) for k, v in values if _nonzero(v)]
    what = "行" if by_row else "列"
    if numbers:
        k, v = numbers[0]
        at = where(sheet, r, k) if by_row else where(sheet, k, c)
        loc.add(
            "EXTRA-NUMBERS",
            f"{place}不属于法定表式（{between}，可能是插入的{what}），其中填有 {len(numbers)} 个数（如 {at} 为 {shown(v)}），未计入",
            [],
            [at],
        )
    else:
        at = where(sheet, r, c)
        loc.add("EXTRA-CELLS", f"{place}不属于法定表式（{between}，可能是插入的{what}），已忽略", [], [at])


def locate_other(cells: Cells, plan: Plan) -> Location:
    """Cover fields and narrative sections, each checked against its label."""
    loc = Location(how=ANCHORS)
    spec = plan.spec
    for other in plan.other:
        p = other.pos
        if p is None:
            loc.unread.add(other.key)
            continue
        ok = True
        for label, r, c in other.checks:
            raw = cells.get(p.sheet, r, c)
            if raw == label.text or label_key(raw) in spec.accepted(label.text):
                continue
            ok = False
            at = where(p.sheet, r, c)
            changed = f"{spec.cover}或{spec.narrative}被改动"
            loc.add("LAYOUT", f"{at} 应为「{label.text}」，实为「{shown(raw)}」：{changed}，{p.where} 的内容未读取", [other.key], [at])
        if ok:
            loc.pos[other.key] = p
        else:
            loc.unread.add(other.key)
    return loc


def _nonzero(v: object) -> bool:
    case, value, _ = classify(v)
    return case in (NUMBER, TEXT_NUMBER) and value != 0


__all__ = ["Plan", "GridPlan", "Cells", "plan_for", "locate_grid", "locate_other", "form_version", "label_plan", "other_keys"]
