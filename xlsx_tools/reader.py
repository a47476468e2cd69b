"""Read a submission into a Report: find every cell, check the labels around it,
normalise its value. The one place where a workbook's content is judged readable.

`read_source` works on any `Source` (a workbook file via `workbook_file.py`, an open
xlwings Book via `excel.py`); `read_report` is the file entry point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from .findings import ERROR, Finding, ReadError, fmt
from .form import CELLS, CHOICE, DATE, FORM_ID, INTEGER, META_FIELDS, SECTIONS
from .layout import FORM_NAME, LAYOUT, Label, Pos
from .report import Report
from .rules import DEFINING, RULES, normalise_text
from .values import HUGE, classify, label_key, parse_date, parse_int


class Source(Protocol):
    """A workbook's values, however they are obtained."""

    name: str  # file name as shown in messages

    def names(self) -> dict[str, Pos]:
        """Defined names that refer to a single cell."""

    def value(self, pos: Pos) -> object:
        """Raw value at pos: None/'' blank, number, str, bool, date, or values.CellError."""

    def sheet_names(self) -> list[str]: ...


@dataclass
class _Reading:
    source: Source
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, message: str, cells=(), where=(), expected=None, actual=None) -> None:
        self.findings.append(Finding(rule, RULES[rule].severity, message, list(cells), list(where), expected, actual))


def _locate(src: Source, reading: _Reading) -> dict[str, Pos]:
    """Position of every key of the layout, found through the anchors."""
    names = src.names()
    if FORM_NAME not in names:
        raise ReadError(
            Finding(
                "FOREIGN",
                ERROR,
                f"{src.name}：不是 {FORM_ID} 表式的年度报告工作簿（未找到表式标记，工作表为：{'、'.join(src.sheet_names()[:8]) or '无'}）",
            )
        )
    version = src.value(names[FORM_NAME])
    if normalise_text(version) != FORM_ID:
        raise ReadError(
            Finding(
                "FORM-VERSION",
                ERROR,
                f"{src.name}：表式版本为「{normalise_text(version) or '空'}」（{names[FORM_NAME].where}），本工具支持 {FORM_ID}",
                where=[names[FORM_NAME].where],
            )
        )
    found: dict[str, Pos] = {}
    missing = []
    for name, key in LAYOUT.anchors.items():
        if name in names:
            found[key] = names[name]
        elif key in CELLS or key.startswith(("meta.", "text.")):
            missing.append(key)
    if missing:
        shown = "、".join(CELLS[k].display if k in CELLS else k for k in missing[:5])
        raise ReadError(
            Finding(
                "ANCHOR-MISSING",
                ERROR,
                f"{src.name}：工作簿缺少 {len(missing)} 个单元格的定位名称（如 {shown}），可能是表格被删除或复制到了其他工作簿",
                cells=missing,
            )
        )
    return found


@lru_cache(maxsize=None)
def _label_plan(key: str) -> tuple[tuple[Label, str], ...]:
    """The labels that identify `key`, each with the value cell whose actual row tells
    where that label now sits (its own row for a row label, the top of its group for a
    merged group label, the first row of the grid for column headers)."""
    expected = LAYOUT.pos[key]
    key_at = _key_at()
    plan = []
    for label in LAYOUT.labels_near(key):
        if label.role == "rowlabel":
            anchor = key_at.get(Pos(expected.sheet, label.pos.row, expected.col), key)
        else:
            anchor = _grid_first(key)
        plan.append((label, anchor))
    return tuple(plan)


@lru_cache(maxsize=1)
def _key_at() -> dict[Pos, str]:
    return {p: k for k, p in LAYOUT.pos.items()}


def _check_labels(src: Source, found: dict[str, Pos], reading: _Reading) -> set[str]:
    """Compare the labels around every value cell with the statutory ones.

    A label is looked for where the template put it, moved as far as the cells it
    belongs to have moved (rows inserted above a table shift everything; a row
    inserted inside a group leaves the group's label on its first row). Returns the
    IDs whose labels do not match; those cells are not read."""
    bad_cells: set[str] = set()
    reported: set[Pos] = set()
    for key, actual in found.items():
        expected = LAYOUT.pos[key]
        for label, anchor in _label_plan(key):
            base = found.get(anchor, actual)
            drow = base.row - LAYOUT.pos[anchor].row
            dcol = actual.col - expected.col
            at = Pos(actual.sheet, label.pos.row + drow, label.pos.col + dcol)
            text = src.value(at)
            if text != label.text and label_key(text) != label_key(label.text):  # equal text: equal keys, skip normalising
                bad_cells.add(key)
                if at not in reported:
                    reported.add(at)
                    shown = normalise_text(text) or "空白"
                    reading.add(
                        "LAYOUT",
                        f"{src.name}：{at.where} 应为「{label.text}」，实为「{shown}」（表格的行或列被改动，{_what(key)}未读取）",
                        [key],
                        [at.where],
                    )
    return bad_cells


def _grid_first(key: str) -> str:
    """The first value cell of the grid (block) that `key` belongs to."""
    if key in CELLS:
        grid = CELLS[key].grid
        return grid.cell_id(grid.row_paths[0] if grid.row_paths else (), grid.col_paths[0])
    return key


def _what(key: str) -> str:
    return CELLS[key].display if key in CELLS else "该单元格"


def _read_cells(src: Source, found: dict[str, Pos], skip: set[str], reading: _Reading, report: Report) -> None:
    blanks: dict[str, list[str]] = {}
    for cid, cell in CELLS.items():
        if cid in skip:
            report.cells[cid] = None
            continue
        pos = found[cid]
        case, value, shown = classify(src.value(pos))
        where = [pos.where]
        if case == "blank":
            if cell.total:
                continue  # recomputed below
            blanks.setdefault(cell.table, []).append(cid)
            value = 0
        elif case == "text-number":
            reading.add("NUMBER-AS-TEXT", f"{cell.display}（{pos.where}）：数字「{shown}」以文本形式保存，按 {fmt(value)} 计", [cid], where, actual=value)
        elif case == "nil":
            reading.add("NIL-MARK", f"{cell.display}（{pos.where}）：填写的是「{shown.strip()}」，按 0 计", [cid], where, actual=0)
        elif case == "error":
            reading.add("CELL-ERROR", f"{cell.display}（{pos.where}）：单元格为错误值 {shown}，该数无法使用", [cid], where)
        elif case == "not-number":
            reading.add("NOT-NUMBER", f"{cell.display}（{pos.where}）：「{shown}」不是数字，该数无法使用", [cid], where)
        if value is not None and value >= HUGE:
            reading.add("TYPE", f"{cell.display}（{pos.where}）：{fmt(value)} 数值过大，疑似误填", [cid], where, actual=value)
        report.cells[cid] = value
    for table, ids in blanks.items():
        shown = "、".join(found[c].a1 for c in ids[:8]) + (f" 等 {len(ids)} 个" if len(ids) > 8 else "")
        reading.add(
            "BLANK",
            f"{CELLS[ids[0]].table_name} 有 {len(ids)} 个填报单元格未填写，已按 0 计：{shown}",
            ids,
            [found[c].where for c in ids],
            actual=len(ids),
        )
    for total_id, check in DEFINING.items():
        if total_id in report.cells or total_id in skip:
            continue
        terms = [report.cells.get(t.id) for t in check.rhs]
        value = None if any(v is None for v in terms) else sum(t.sign * v for t, v in zip(check.rhs, terms))
        report.cells[total_id] = value
        pos = found[total_id]
        reading.add(
            "TOTAL-RECOMPUTED",
            f"{CELLS[total_id].display}（{pos.where}）没有数值（文件可能由不计算公式的软件保存），已按各项之和计为 {fmt(value)}",
            [total_id],
            [pos.where],
            actual=value,
        )


def _read_meta(src: Source, found: dict[str, Pos], skip: set[str], reading: _Reading, report: Report) -> None:
    for spec in META_FIELDS:
        key = f"meta.{spec.key}"
        if key in skip:
            continue
        pos = found[key]
        raw = src.value(pos)
        if raw is None or raw == "":
            continue
        if spec.type == INTEGER:
            value = parse_int(raw)
            if value is None:
                reading.add("NOT-NUMBER", f"封面「{spec.label}」（{pos.where}）：「{normalise_text(raw)}」不是整数", [key], [pos.where])
                continue
        elif spec.type == DATE:
            value = parse_date(raw)
            if value is None:
                reading.add("META-DATE", f"封面「{spec.label}」（{pos.where}）：「{normalise_text(raw)}」不是日期，请按 2026-01-10 的格式填写", [key], [pos.where])
                continue
        elif spec.type == CHOICE:
            value = normalise_text(raw)
        else:
            value = normalise_text(raw) if not isinstance(raw, float) else fmt(raw)
        report.meta[spec.key] = value


def read_source(src: Source) -> Report:
    """Read a Report from any Source; raises ReadError where nothing can be read."""
    reading = _Reading(src)
    found = _locate(src, reading)
    skip = _check_labels(src, found, reading)
    report = Report(source=src.name)
    report.where = {k: p.where for k, p in found.items()}
    _read_cells(src, found, skip, reading, report)
    _read_meta(src, found, skip, reading, report)
    for section in SECTIONS:
        raw = src.value(found[f"text.{section.key}"])
        if raw not in (None, ""):
            report.text[section.key] = str(raw)
    report.findings = reading.findings
    return report


def read_report(path: str | Path) -> Report:
    """Read a workbook file into a Report (values only, fast); raises ReadError."""
    from .workbook_file import open_workbook

    return read_source(open_workbook(path))
