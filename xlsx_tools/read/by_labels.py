"""The whole report by its labels: every grid (labels.py), the cover fields, the
narrative sections, the form version — for a workbook without the template's defined
names. Raises ReadError for a workbook that holds no statutory table (FOREIGN) or the
tables of another form (FORM-VERSION).

Cover fields follow the label–value convention (the value is the cell right of the
label, or of its merged range); a section's text is the cell under its heading, or the
heading cell itself when the text follows the heading in one cell; agency and year may
come from a title such as 某某局2021年政府信息公开工作年度报告.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..findings import Finding, ReadError, finding
from ..form import FormSpec, Pos
from ..values import label_key, normalise_text
from .labels import GridFound, LabelLocator
from .location import LABELS, Location, shapes


def other_forms(finder: LabelLocator) -> dict[str, tuple[ReadError, Finding]]:
    """Tables in another national form's layout: table key -> (the ReadError refusing the
    whole file, the FORM-VERSION finding refusing only that table). Raises the ReadError at
    once for markers that name a whole other form."""
    spec = finder.spec
    refused: dict[str, tuple[ReadError, Finding]] = {}
    for form in spec.other_forms:
        for marker in form.markers:
            hits = finder.index.get(label_key(marker))
            if not hits or form.table in refused:
                continue
            si, r, c = hits[0]
            at = finder.where(si, r, c)
            whole = ReadError(
                finding(
                    "FORM-VERSION",
                    f"{finder.src.name}：{at} 为「{marker}」，这是{form.name}的表格，"
                    f"与现行格式（{spec.source}，{spec.id}）不同，请按现行格式重新填写",
                    where=[at],
                )
            )
            if not form.table:
                raise whole
            table = spec.table[form.table]
            ids = [cid for g in spec.table_grids(form.table) for cid in spec.cells if spec.cells[cid].grid is g]
            one = finding(
                "FORM-VERSION",
                f"{at} 为「{marker}」：{table.name}（{table.title}）是{form.name}的表格，与现行格式（{spec.source}，{spec.id}）不同，"
                f"{table.name}未读取（其他表格照常读取）；请按现行格式重新填写{table.name}",
                cells=ids,
                where=[at],
            )
            refused[form.table] = (whole, one)
    return refused


def value_right_of(finder: LabelLocator, keys: frozenset[str]) -> tuple[Pos, object] | None:
    """The cell right of a label, or of its merged range (the label–value convention)."""
    for si, r, c in finder.find(keys):
        k = finder.right_of(si, r, c)
        v = finder.get(si, r, k)
        return Pos(finder.sheets[si], r, k), (None if v == "" else v)
    return None


def form_version(finder: LabelLocator) -> tuple[str, str] | None:
    """(version, address) written right of the cover's form-version label, if any."""
    label = next(lb for lb in finder.spec.layout.labels_near("form"))
    hit = value_right_of(finder, finder.accepted(label.text))
    if hit is None or hit[1] is None:
        return None
    return normalise_text(hit[1]), hit[0].where


def locate_other(finder: LabelLocator) -> Location:
    loc = Location(how=LABELS)
    spec = finder.spec
    for mf in spec.meta_fields:
        hit = value_right_of(finder, finder.accepted(mf.label))
        if hit is not None:
            loc.pos[f"meta.{mf.key}"] = hit[0]
    section_keys = frozenset(label_key(s.label) for s in spec.sections)
    for section in spec.sections:
        p = _section(finder, section.label, section_keys)
        if p is not None:
            loc.pos[f"text.{section.key}"] = p
    return loc


@lru_cache(maxsize=8)
def _title_pattern(words: str) -> re.Pattern:
    return re.compile(r"^(?P<agency>.*?)\s*(?:(?P<year>\d{4})\s*年度?)?\s*" + re.escape(words))


def title(finder: LabelLocator) -> tuple[str, int | None, str] | None:
    """(agency, year, address) from a title such as 某某局2021年政府信息公开工作年度报告."""
    words = finder.spec.title
    pattern = _title_pattern(words)
    for si in range(len(finder.sheets)):
        for r, row in enumerate(finder.rows(si)[:12]):
            for c, v in enumerate(row):
                if type(v) is str and words in (compact := "".join(v.split())):
                    m = pattern.match(normalise_text(compact))
                    if m:
                        return m.group("agency").strip(), int(m.group("year")) if m.group("year") else None, finder.where(si, r, c)
    return None


def _section(finder: LabelLocator, label: str, section_keys: frozenset[str]) -> Pos | None:
    keys = finder.accepted(label)
    for si, r, c in finder.find(keys):
        for rr, cc in ((r + 1, c), (r + 2, c), (r, c + 1)):
            v = finder.get(si, rr, cc)
            if type(v) is str and v.strip() and label_key(v) not in section_keys:
                return Pos(finder.sheets[si], rr, cc)
        return None
    key = label_key(label)
    for si in range(len(finder.sheets)):
        for r, row in enumerate(finder.rows(si)):
            for c, v in enumerate(row):
                if type(v) is str and len(v) > len(label) + 4 and label_key(v[: len(label) + 8]).startswith(key):
                    return Pos(finder.sheets[si], r, c)
    return None


def _foreign(src, finder: LabelLocator) -> ReadError:
    """FOREIGN: none of the form's tables is there; names a row and a column header to look for."""
    spec = finder.spec
    tables = [g for g in spec.grids if not spec.table[g.table].in_text]
    row = max(tables, key=lambda g: len(g.row_paths)).row_paths[0][-1].label
    col = next((g.cols[0].label for g in tables if not g.rows), tables[0].cols[0].label)
    sheets = "、".join(finder.sheets[:8]) or "无"
    return ReadError(
        finding(
            "FOREIGN",
            f"{src.name}：没有找到年度报告的表格（如「{row}」「{col}」等行列标签），"
            f"不是 {spec.id} 表式的年度报告工作簿（工作表为：{sheets}）",
        )
    )


def locate_grids(finder: LabelLocator, foreign=None) -> Location:
    """Every grid of the form by its labels. A table in another form's layout is refused
    alone (FORM-VERSION) when the others are there; raises ReadError when none of the
    statutory tables is there (FOREIGN: `foreign(finder)` makes it) or only another form's."""
    spec = finder.spec
    src = finder.src
    refused = other_forms(finder)
    loc = Location(how=LABELS)
    results = [finder.locate(shape) for shape in shapes(spec) if shape.grid.table not in refused]
    if not any(r.found_any or r.seen for r in results if not spec.table[r.shape.grid.table].in_text):
        if refused:
            raise next(iter(refused.values()))[0]
        raise (foreign or _foreign)(src, finder)
    for _whole, one in refused.values():
        loc.findings.append(one)
        loc.unread.update(one.cells)
    by_table: dict[str, list[GridFound]] = {}
    for r in results:
        by_table.setdefault(r.shape.grid.table, []).append(r)
    for key, found in by_table.items():
        if not any(r.found_any for r in found) and not any(f for r in found for f in r.location.findings):
            ids = [cid for r in found for cid in r.shape.all_ids]
            loc.unread.update(ids)
            table = spec.table[key]
            grid = found[0].shape.grid
            first = grid.row_paths[0][-1].label if grid.row_paths else grid.cols[0].label
            message = table.absent.format(name=table.name, title=table.title, label=first)
            loc.add(table.absent_rule, message, ids)
            continue
        for r in found:
            if not r.found_any and not r.location.findings:
                first = r.shape.rows[0][-1].label
                r.location.add("LAYOUT", f"没有找到{r.shape.name}（如「{first}」一行），该部分的数未读取", r.shape.all_ids)
            loc.merge(r.location)
    return loc


def locate_all(src, spec: FormSpec) -> Location:
    """Every grid, the cover fields and the narrative, by labels; raises ReadError when
    the workbook holds none of the statutory tables or another form's tables."""
    finder = LabelLocator(src, spec)
    version = form_version(finder)
    if version is not None and version[0] != spec.id:
        raise ReadError(
            finding("FORM-VERSION", f"{src.name}：表式版本为「{version[0]}」（{version[1]}），本工具支持 {spec.id}", where=[version[1]])
        )
    loc = locate_grids(finder)
    other = locate_other(finder)
    loc.merge(other)
    if "meta.agency" not in loc.pos or "meta.year" not in loc.pos:
        found_title = title(finder)
        if found_title is not None:
            loc.title = found_title
    return loc


__all__ = ["locate_all", "locate_grids", "locate_other", "other_forms", "form_version", "title"]
