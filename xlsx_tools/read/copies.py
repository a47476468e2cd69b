"""A second copy of a statutory table in a workbook read through its anchors.

A clerk who copies a sheet (「表三 (2)」 in Excel, 「表三(2)」 in WPS, 「表三_2」 in
LibreOffice) and types the numbers into the copy leaves the anchored table with other
numbers: the anchors read the original, and the copy would be ignored without a word.
Every visible sheet that is not one of the form's is therefore searched for the form's
tables by their labels (labels.py); a copy found whole is reported — an error when its
numbers differ from the table that was read (which one is right cannot be told), a
warning when they are the same.
"""

from __future__ import annotations

from ..findings import Finding, finding, fmt
from ..form import FormSpec
from ..values import classify
from .labels import LabelLocator
from .location import shapes

MAX_COPY_CELLS = 20_000  # a sheet larger than this holds no copy of a report table (a summary's long table)


class _OneSheet:
    """A Source that shows one sheet of another (for the label locator)."""

    def __init__(self, src, sheet: str):
        self.src, self.sheet, self.name = src, sheet, src.name

    def names(self):
        return {}

    def sheet_names(self) -> list[str]:
        return [self.sheet]

    def rows(self, sheet: str) -> list[list]:
        return self.src.rows(sheet)

    def merged(self, sheet: str):
        merged = getattr(self.src, "merged", None)
        return merged(sheet) if merged else []

    def value(self, pos):
        return self.src.value(pos)


def table_copies(src, spec: FormSpec, cells: dict, where: dict[str, str]) -> list[Finding]:
    """Findings for copies of the form's tables on sheets that are not the form's."""
    if not hasattr(src, "rows"):
        return []
    hidden = src.hidden_sheets() if hasattr(src, "hidden_sheets") else set()
    small = getattr(src, "small_enough", lambda sheet, cells: True)
    out: list[Finding] = []
    for sheet in src.sheet_names():
        if sheet in spec.layout.sheets or sheet in hidden or not small(sheet, MAX_COPY_CELLS):
            continue
        finder = LabelLocator(_OneSheet(src, sheet), spec)
        for table in spec.tables:
            found = [finder.locate(shape) for shape in shapes(spec) if shape.grid.table == table.key]
            located = {cid: pos for f in found for cid, pos in f.location.pos.items()}
            if not located or len(located) * 2 < sum(len(f.shape.all_ids) for f in found):
                continue  # no copy of this table here (or too little of one to tell)
            out.append(_copy_finding(sheet, table.name, spec, located, src, cells, where))
    return out


def _copy_finding(sheet: str, table: str, spec: FormSpec, located: dict, src, cells: dict, where: dict[str, str]) -> Finding:
    inputs = set(spec.input_ids)  # totals follow from them (and a copy's formulas may hold no value)
    for cid, pos in located.items():
        if cid not in inputs:
            continue
        copy = classify(src.value(pos))[1]
        if copy != cells.get(cid) and not (copy in (None, 0) and cells.get(cid) in (None, 0)):
            read = where.get(cid, spec.cells[cid].display)
            return finding(
                "TABLE-COPY",
                f"工作表「{sheet}」中另有一份{table}，其中的数与已读取的{table}不同（如 {pos.where} 为 {_shown(copy)}，{read} 为 {_shown(cells.get(cid))}），"
                f"无法确定哪一份是对的，「{sheet}」中的数未读取；请删除多余的工作表，或把正确的数填在原表中",
                cells=[cid],
                where=[pos.where],
            )
    return finding(
        "TABLE-COPY-SAME",
        f"工作表「{sheet}」是{table}的副本（数字与原表相同），已忽略；可以删除这个工作表",
        where=[next(iter(located.values())).where],
    )


def _shown(value) -> str:
    return fmt(value) if isinstance(value, (int, float)) else "空白"
