"""Read a submission into a Report: locate every cell, normalise its value.

The one place where a workbook's content is judged readable. `read_source` works on
any `Source` (a workbook file via `workbook_file.py`, an open xlwings Book via
`excel/`); `read_report` is the file entry point.

Locating (see `location.py`): a workbook made from the template is read through its
defined names (`anchor_locator.py`), with every label around every cell checked; any
other workbook — or a template grid whose names no longer fit — through the
statutory labels (`label_locator.py` for the grids, `label_report.py` for the rest). A cell that cannot be placed with certainty is
not read (its value is None) and a finding says which label is wrong and where.

Values (see the policy table in `values.py`): each unusual content has its own
finding; findings about many cells of one table are gathered into one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..findings import CELL, Finding, ReadError, finding, fmt
from ..form import CHOICE, DATE, FORMS, INTEGER, FormSpec, Pos, current
from ..form.layout import FORM_NAME
from ..report import Report
from ..values import BLANK, FORMULA, HUGE, NIL, NOT_NUMBER, TEXT_NUMBER, TOO_LARGE, classify, normalise_text, parse_date, parse_int, trimmed
from ..values import ERROR as CELL_ERROR
from . import anchors as anchor_locator
from .location import ANCHORS, LABELS, Location, Places, places_of
from .notes import lazy_notes

LIST_LIMIT = 8  # addresses quoted in one message


class Source(Protocol):
    """A workbook's values, however they are obtained.

    Optional: `rows(sheet) -> list[list]` (the sheet's values from A1, row-major) lets
    the reader find tables by their labels when the defined names are missing or stale;
    `merged(sheet)` gives merged ranges ((r1, c1), (r2, c2)); `hidden_sheets()` the
    sheets a person does not see. The dict `names()` returns must not be changed (the
    reader remembers its work per names object)."""

    name: str  # file name as shown in messages

    def names(self) -> dict[str, Pos]:
        """Workbook-scoped defined names that refer to a single cell."""

    def value(self, pos: Pos) -> object:
        """Raw value at pos: None/'' blank, number, str, bool, date, or values.CellError."""

    def sheet_names(self) -> list[str]: ...


# ---- locating -------------------------------------------------------------------------------
def locate(src: Source, spec: FormSpec | None = None) -> tuple[Location, FormSpec]:
    """Where every key of the form sits in `src`, and which form it is (a workbook made
    from the template records its form; any other is read as `spec`, by default the
    current form); raises ReadError for a workbook that is not a report of a known form."""
    spec = spec or current()
    if getattr(src, "document", False):  # a Word document, a web page, a PDF: its tables and its text
        from .document import locate_document

        return locate_document(src, spec), spec
    names = src.names()
    if FORM_NAME not in names:
        if not hasattr(src, "rows"):
            raise ReadError(finding("FOREIGN", f"{src.name}：不是 {spec.id} 表式的年度报告工作簿（未找到表式标记）"))
        from .by_labels import locate_all

        return locate_all(src, spec), spec
    version = anchor_locator.form_version(src, names)
    where = names[FORM_NAME].where
    if version and version != spec.id:
        if version not in FORMS:
            known = "、".join(FORMS)
            raise ReadError(finding("FORM-VERSION", f"{src.name}：表式版本为「{version}」（{where}），本工具支持 {known}", where=[where]))
        spec = FORMS[version]
    plan = anchor_locator.plan_for(names, spec)
    cells = anchor_locator.Cells(src)
    loc = Location(how=ANCHORS)
    if not version:  # the version cell was cleared: every label is still checked
        loc.add("LABEL", f"{where} 的表式版本为空（应为 {spec.id}），按 {spec.id} 表式读取", [], [where])
    finder = None
    clean = True
    for grid in plan.grids:
        got, problem = anchor_locator.locate_grid(cells, grid)
        if got.findings or got.unread:
            clean = False
        if problem is not None and hasattr(src, "rows"):
            finder = finder or _finder(src, spec)
            alt = finder.locate(grid.shape)
            if alt.complete:
                alt.location.add(
                    "ANCHOR-STALE",
                    f"{grid.shape.name}的单元格定位名称与表格内容不一致（{problem}），可能用其他软件插入或删除了行列；已按行列标签读取",
                    [],
                    [],
                )
                got = alt.location
            elif len(alt.location.pos) > len(got.pos):
                got = alt.location
        loc.merge(got)
    other = anchor_locator.locate_other(cells, plan)
    if other.unread and hasattr(src, "rows"):
        from .by_labels import locate_other

        finder = finder or _finder(src, spec)
        by_labels = locate_other(finder)
        moved = [k for k in other.unread if k in by_labels.pos]
        if moved:
            other.findings = [f for f in other.findings if not set(f.cells) & set(moved)]
            for key in moved:
                other.pos[key] = by_labels.pos[key]
                other.unread.discard(key)
            what = f"{spec.cover}或{spec.narrative}"
            other.add("ANCHOR-STALE", f"{what}的定位名称与内容不一致，可能用其他软件插入或删除了行列；已按标签读取", sorted(moved), [])
    if loc.findings or other.findings or any(k in plan.where for k in other.unread):
        clean = False
    loc.merge(other)
    if clean:
        loc.where = plan.where
    return loc, spec


def _finder(src, spec: FormSpec):
    from .labels import LabelLocator

    return LabelLocator(src, spec)


# ---- reading values -------------------------------------------------------------------------
class _Gathered:
    """Findings about many cells of one table, gathered into one finding per table."""

    def __init__(self, spec: FormSpec):
        self.spec = spec
        self.items: dict[tuple[str, str], list[tuple[str, Pos, str, object]]] = {}

    def add(self, rule: str, cid: str, pos: Pos, shown: str, value: object) -> None:
        self.items.setdefault((rule, self.spec.cells[cid].table), []).append((cid, pos, shown, value))


def _addresses(places: Places, positions: list[Pos]) -> str:
    shown = places.short(positions)[:LIST_LIMIT]
    return "、".join(shown) + (f" 等 {len(positions)} 个" if len(positions) > LIST_LIMIT else "")


def _read_cells(spec: FormSpec, src: Source, loc: Location, report: Report, findings: list[Finding]) -> None:
    values = report.cells
    places = places_of(src)
    gathered = _Gathered(spec)
    blank_totals: list[str] = []
    pos_of = loc.pos
    stated = loc.stated
    rows_of = getattr(src, "rows", None)
    sheets: dict[str, list] = {}
    for cid, cell in spec.cells.items():
        pos = pos_of.get(cid)
        if pos is None:
            if cid not in stated:
                values[cid] = None
                continue
            raw, pos = stated[cid]
        elif rows_of is not None:  # straight from the rows; blanks asked of src.value (error cells)
            rows = sheets.get(pos.sheet)
            if rows is None:
                rows = sheets[pos.sheet] = rows_of(pos.sheet)
            try:
                raw = rows[pos.row][pos.col]
            except IndexError:
                raw = None
            if raw is None or raw == "":
                raw = src.value(pos)
        else:
            raw = src.value(pos)
        t = type(raw)
        if t is float and raw.is_integer() and -HUGE < raw < HUGE:  # the common cases first
            values[cid] = int(raw)
            continue
        if t is int and -HUGE < raw < HUGE:
            values[cid] = raw
            continue
        case, value, shown = classify(raw)
        if cell.total and case in (BLANK, FORMULA):  # a total's formula without a value: its parts' sum
            blank_totals.append(cid)
            continue
        if case is BLANK:
            gathered.add("BLANK", cid, pos, "", None)
            value = 0
        elif case is FORMULA:
            if value is None:
                what = f"公式「{shown}」没有保存计算结果（文件可能由不计算公式的程序保存），该数无法使用；请用 Excel 或 WPS 打开后重新保存，或直接填写数字"
                findings.append(_cell_finding(places, "FORMULA-NO-VALUE", cell.display, cid, pos, what))
            else:
                gathered.add("FORMULA-COMPUTED", cid, pos, shown, value)
        elif case is TEXT_NUMBER:
            gathered.add("NUMBER-AS-TEXT", cid, pos, shown, value)
        elif case is NIL:
            gathered.add("NIL-MARK", cid, pos, shown, 0)
        elif case is CELL_ERROR:
            findings.append(
                _cell_finding(places, "CELL-ERROR", cell.display, cid, pos, f"单元格为错误值 {shown}，该数无法使用（请检查公式或重新填写）")
            )
        elif case is NOT_NUMBER:
            findings.append(
                _cell_finding(places, "NOT-NUMBER", cell.display, cid, pos, f"「{shown}」不是数字，该数无法使用（只能填写数字）")
            )
        elif case is TOO_LARGE:
            findings.append(
                _cell_finding(places, "TOO-LARGE", cell.display, cid, pos, f"{shown} 数值过大（超过 1 万亿），疑似误填，该数无法使用")
            )
        values[cid] = value
    for (rule, _table), items in gathered.items.items():
        findings.append(_gathered_finding(spec, places, rule, items))
    if blank_totals:
        _recompute(spec, places, blank_totals, loc, values, findings)


def _cell_finding(places: Places, rule: str, display: str, key: str, pos: Pos, what: str) -> Finding:
    """A finding about one cell, said as 「name（where）：what」."""
    at = places.of(pos)
    return finding(rule, CELL.format(cell=display, at=at, what=what), cells=[key], where=[at])


def _gathered_finding(spec: FormSpec, places: Places, rule: str, items: list[tuple[str, Pos, str, object]]) -> Finding:
    cids = [i[0] for i in items]
    positions = [i[1] for i in items]
    if len(items) == 1:
        cid, pos, shown, value = items[0]
        what = {
            "BLANK": "未填写，已按 0 计",
            "NUMBER-AS-TEXT": f"数字「{shown}」以文本形式保存，按 {fmt(value)} 计",
            "NIL-MARK": f"填写的是「{shown.strip()}」，按 0 计",
            "FORMULA-COMPUTED": f"公式「{shown}」没有保存计算结果，已按公式算得 {fmt(value)}",
        }[rule]
        at = places.of(pos)
        return finding(rule, f"{spec.cells[cid].display}（{at}）：{what}", cells=cids, where=[at], actual=value)
    table = spec.cells[cids[0]].table_name
    first = items[0]
    what = {
        "BLANK": f"有 {len(items)} 个填报单元格未填写，已按 0 计",
        "NUMBER-AS-TEXT": f"有 {len(items)} 个数字以文本形式保存（如 {places.of(first[1])}「{first[2]}」），已按数字计",
        "NIL-MARK": f"有 {len(items)} 个单元格填写的是「{first[2].strip()}」等符号而不是数字，已按 0 计",
        "FORMULA-COMPUTED": f"有 {len(items)} 个公式没有保存计算结果（如 {places.of(first[1])}「{first[2]}」），已按公式算出",
    }[rule]
    return finding(
        rule, f"{table} {what}：{_addresses(places, positions)}", cells=cids, where=[places.of(p) for p in positions], actual=len(items)
    )


def _recompute(spec: FormSpec, places: Places, blank_totals: list[str], loc: Location, values: dict, findings: list[Finding]) -> None:
    """Totals with no value at all: computed from their parts, in dependency order."""
    blank = set(blank_totals)
    done: list[tuple[str, object]] = []
    for total_id in spec.defining:
        if total_id in blank:
            values[total_id] = spec.formula_value(total_id, values)
            done.append((total_id, values[total_id]))
    by_table: dict[str, list[tuple[str, object]]] = {}
    for cid, value in done:
        by_table.setdefault(spec.cells[cid].table, []).append((cid, value))
    rule = "TOTAL-RECOMPUTED"
    for items in by_table.values():
        at = {cid: loc.pos[cid] if cid in loc.pos else loc.stated[cid][1] for cid, _ in items}
        items.sort(key=lambda item: (at[item[0]].row, at[item[0]].col))  # reading order
        positions = [at[cid] for cid, _ in items]
        cids = [cid for cid, _ in items]
        if len(items) == 1:
            cid, value = items[0]
            result = f"已按各项之和计为 {fmt(value)}" if value is not None else "其组成项有无法使用的数，无法计算"
            message = f"{spec.cells[cid].display}（{places.of(positions[0])}）没有数值（文件可能由不计算公式的软件保存），{result}"
            findings.append(finding(rule, message, cells=cids, where=[places.of(positions[0])], actual=value))
        else:
            message = (
                f"{spec.cells[cids[0]].table_name} 有 {len(items)} 个总计单元格没有数值（文件可能由不计算公式的软件保存），"
                f"已按各项之和计算：{_addresses(places, positions)}"
            )
            findings.append(finding(rule, message, cells=cids, where=[places.of(p) for p in positions], actual=len(items)))


def _plain_reader(src: Source):
    """`value(pos)` for text and cover cells: from the rows where the source has them."""
    rows_of = getattr(src, "rows", None)
    if rows_of is None:
        return src.value

    def raw(pos: Pos) -> object:
        rows = rows_of(pos.sheet)
        try:
            return rows[pos.row][pos.col]
        except IndexError:
            return None

    return raw


def _read_meta(spec: FormSpec, src: Source, loc: Location, report: Report, findings: list[Finding]) -> None:
    raw_at = _plain_reader(src)
    places = places_of(src)
    for mf in spec.meta_fields:
        key = f"meta.{mf.key}"
        name = f"{spec.cover}「{mf.label}」"
        pos = loc.pos.get(key)
        if pos is None:
            if key not in loc.stated:
                continue
            raw, pos = loc.stated[key]
        else:
            raw = raw_at(pos)
        if raw is None or raw == "":
            continue
        if mf.type == INTEGER:
            value = parse_int(raw)
            if mf.key == "year" and (isinstance(raw, bool) or not isinstance(raw, (int, float))):
                # a year typed as text (「2025年」) is wrong in the workbook's own live check too: one policy
                what = f"填写的是文字「{trimmed(raw)}」，应填写数字（如 {value or spec.first_year}）"
                findings.append(_cell_finding(places, "META-YEAR", name, key, pos, what))
            elif value is None:
                findings.append(_cell_finding(places, "NOT-NUMBER", name, key, pos, f"「{normalise_text(raw)}」不是整数"))
                continue
            if value is None:
                continue
        elif mf.type == DATE:
            value = parse_date(raw)
            if value is None:
                findings.append(
                    _cell_finding(places, "META-DATE", name, key, pos, f"「{normalise_text(raw)}」不是日期，请按 2026-01-10 的格式填写")
                )
                continue
        elif mf.type == CHOICE:
            value = normalise_text(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            # exact: file readers give floats; ints come from xlwings' VBA client, which
            # sends text of 16+ digits (an all-digit 统一社会信用代码) as a bare JSON number
            value = str(raw)
        elif isinstance(raw, float):
            if mf.key == "uscc":
                findings.append(
                    finding(
                        "META-USCC",
                        f"{name}（{places.of(pos)}）以数字形式保存（{fmt(raw)}），Excel 只保留 15 位有效数字，代码可能已经改变；"
                        "请将单元格设为文本后重新输入",
                        cells=[key],
                        where=[places.of(pos)],
                    )
                )
                report.meta[mf.key] = fmt(float(raw))
                continue
            value = fmt(float(raw))
        else:
            value = trimmed(raw)
            if not value:
                continue
        report.meta[mf.key] = value
    if loc.title is not None:
        agency, year, _where = loc.title
        if agency and "agency" not in report.meta:
            report.meta["agency"] = agency
        if year and "year" not in report.meta:
            report.meta["year"] = year


def read_source(src: Source, spec: FormSpec | None = None) -> Report:
    """Read a Report from any Source; raises ReadError where nothing can be read.
    A workbook made from a template is read in the form it records; any other in
    `spec` (by default the current form)."""
    loc, spec = locate(src, spec)
    report = Report(source=src.name, form=spec.id)
    findings = list(loc.findings)
    places = places_of(src)
    if loc.where is not None:
        report.where = dict(loc.where)
    else:
        report.where = {k: places.of(p) for k, p in loc.pos.items()}
        for k, (_raw, p) in loc.stated.items():
            report.where[k] = places.of(p)
    _read_cells(spec, src, loc, report, findings)
    if loc.how == ANCHORS:
        from .copies import table_copies

        findings += table_copies(src, spec, report.cells, report.where)
    _read_meta(spec, src, loc, report, findings)
    raw_at = _plain_reader(src)
    for section in spec.sections:
        key = f"text.{section.key}"
        pos = loc.pos.get(key)
        raw = raw_at(pos) if pos is not None else loc.stated.get(key, (None,))[0]
        if isinstance(raw, str) and raw.strip():
            report.text[section.key] = raw
    report.notes = lazy_notes(spec, src)
    report.findings = findings
    flow = getattr(src, "flow", None)  # a published document's fingerprint (check/fingerprint.py)
    report.stamp = flow.stamp if flow is not None else None
    return report


def read_report(path: str | bytes | Path, spec: FormSpec | None = None) -> Report:
    """Read a workbook file into a Report (values only, fast); raises ReadError."""
    from .workbook import open_workbook

    return read_source(open_workbook(path), spec)


def read_bytes(data: bytes, name: str, spec: FormSpec | None = None) -> Report:
    """Read a file received as bytes (an upload) into a Report; raises ReadError. `name` is
    the file's name as its sender gave it (messages name it; nothing is opened by it). The
    bytes are written to a private temporary folder only while they are read (a workbook,
    a document and a LibreOffice conversion all read from a file)."""
    import os
    import tempfile

    safe = os.path.basename(name.replace("\\", "/")) or "upload"
    with tempfile.TemporaryDirectory(prefix="xlsx-tools-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        report = read_report(path, spec)
    report.source = safe
    return report


__all__ = ["Source", "read_source", "read_report", "read_bytes", "locate", "LABELS", "ANCHORS"]
