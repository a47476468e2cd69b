"""A document (Word, web page, PDF) located as a report: its tables through the same label
locator as any workbook (labels.py, by_labels.locate_grids), everything else from its text
(doctext.py): agency and year from the title, the publication date, the three text
sections, the fee figures its sentences state, and SECTIONS — the six statutory parts
present and in order (only a document has headings; a workbook's sheets hold the parts
by construction, so SECTIONS is a document's rule).
"""

from __future__ import annotations

from ..findings import ReadError, finding
from ..form import FormSpec, Pos
from .by_labels import locate_grids
from .doctext import Text, date_of, read_text
from .grid import TEXT_SHEET, DocumentSource
from .labels import LabelLocator
from .location import Location

KINDS = {"docx": "Word 文档", "html": "网页", "pdf": "PDF 文件"}


def kind_name(src: DocumentSource) -> str:
    return KINDS.get(src.kind, "文档")


def _foreign(src: DocumentSource, finder: LabelLocator) -> ReadError:
    spec = finder.spec
    tables = [g for g in spec.grids if not spec.table[g.table].in_text]
    row = max(tables, key=lambda g: len(g.row_paths)).row_paths[0][-1].label
    col = next((g.cols[0].label for g in tables if not g.rows), tables[0].cols[0].label)
    what = kind_name(src)
    if src.table_count == 0:
        why = {
            "html": "网页中没有表格（表格可能是图片，或报告全文在附件中：请下载附件后提交）",
            "pdf": "PDF 中没有找到带边框线的表格（可能是扫描件或图片），请提交 Word 文档或工作簿",
        }.get(src.kind, f"{what}中没有表格")
        return ReadError(finding("FOREIGN", f"{src.name}：{why}，无法读取年度报告的表格"))
    return ReadError(
        finding(
            "FOREIGN",
            f"{src.name}：{what}的 {src.table_count} 个表格中没有年度报告的表格（如「{row}」「{col}」等行列标签），"
            f"不是 {spec.id} 表式的年度报告",
        )
    )


def _table_heads(src: DocumentSource) -> list[str]:
    """Each table's first row where it is one cell (a section heading typed into the table)."""
    heads = []
    for raw in src.flow.tables:
        first = [c for c in raw.cells if c.row == 0 and c.text.strip()]
        heads.append(first[0].text if len(first) == 1 else "")
    return heads


def locate_document(src: DocumentSource, spec: FormSpec) -> Location:
    """Where every key of the form is in a document; raises ReadError (FOREIGN,
    FORM-VERSION) where it holds no report."""
    finder = LabelLocator(src, spec)
    loc = locate_grids(finder, foreign=_foreign)
    for number in src.skipped:
        loc.add("LAYOUT", f"第 {number} 个表格过大（超过年度报告表格的正常大小），未读取")
    flow = src.flow
    text = read_text(flow.lines, flow.tables_at, _table_heads(src), spec, flow.title, flow.meta_dates)
    _meta(src, spec, text, loc)
    for key, (body, line) in text.sections.items():
        loc.stated[f"text.{key}"] = (body, Pos(TEXT_SHEET, line, 0))
    _fees(spec, text, loc)
    loc.findings.extend(_sections(spec, text))
    return loc


def _at(line: int) -> Pos:
    return Pos(TEXT_SHEET, max(line, 0), 0)


def _meta(src: DocumentSource, spec: FormSpec, text: Text, loc: Location) -> None:
    example = f"「某某局{spec.first_year}年{spec.title}」"
    if text.title is not None:
        agency, year, line = text.title
        loc.stated["meta.agency"] = (agency, _at(line))
        if year is not None:
            loc.stated["meta.year"] = (year, _at(line))
        else:
            loc.add("META-YEAR", f"{src.name}：报告标题中没有年度（应为如{example}的标题），报告年度无法读取", ["meta.year"])
    else:
        if text.signature is not None and text.signature[0]:
            loc.stated["meta.agency"] = (text.signature[0], _at(text.signature[1]))
        else:
            loc.add("META-AGENCY", f"{src.name}：没有找到报告标题（如{example}），单位名称无法读取", ["meta.agency"])
        loc.add("META-YEAR", f"{src.name}：没有找到报告标题（如{example}），报告年度无法读取", ["meta.year"])
    if text.summary is not None:  # a summary says so under its title (the publisher's words)
        kind, covers, line = text.summary
        loc.stated["meta.kind"] = (kind, _at(line))
        loc.stated["meta.covers"] = (covers, _at(line))
    if text.published is not None:
        written, line = text.published
        date = date_of(written)
        loc.stated["meta.published_on"] = (date.isoformat() if date else written, _at(line))
    label = spec.meta["uscc"].label if "uscc" in spec.meta else ""
    if label:
        loc.add(
            "META-NO-USCC",
            f"{src.name}：{kind_name(src)}中没有「{label}」（法定格式的报告不含这一项），汇总时按单位名称对应",
            ["meta.uscc"],
        )


def _fees(spec: FormSpec, text: Text, loc: Location) -> None:
    """Fee figures from sentences where no table gives them."""
    for table in spec.tables:
        if not table.in_text:
            continue
        ids = [cid for cid, cell in spec.cells.items() if cell.table == table.key]
        if any(cid in loc.pos for cid in ids):
            continue
        loc.findings = [f for f in loc.findings if not (f.rule == table.absent_rule and set(f.cells) == set(ids))]
        for cid in ids:
            if cid in text.fees:
                value, line = text.fees[cid]
                loc.stated[cid] = (int(value) if float(value).is_integer() else value, _at(line))
                loc.unread.discard(cid)
        missing = [cid for cid in ids if cid not in loc.stated]
        if missing:
            first = spec.cells[missing[0]].row_name
            loc.add(table.absent_rule, table.absent.format(name=table.name, title=table.title, label=first), missing)


def _sections(spec: FormSpec, text: Text) -> list:
    """SECTIONS: each of the six parts missing or out of order, named."""
    out = []
    texts = {s.key for s in spec.sections}
    parts = spec.outline_labels
    for key, heading in parts:
        if key not in text.headings:
            cells = [f"text.{key}"] if key in texts else []
            out.append(finding("SECTIONS", f"没有找到「{heading}」这一部分的标题（法定格式的 {len(parts)} 个部分之一）", cells=cells))
    present = [(text.headings[k], k, h) for k, h in parts if k in text.headings]
    for (a, _ka, ha), (b, kb, hb) in zip(present, present[1:], strict=False):
        if b < a:
            cells = [f"text.{kb}"] if kb in texts else []
            out.append(finding("SECTIONS", f"「{hb}」出现在「{ha}」之前，各部分的顺序与法定格式不一致", cells=cells))
    return out


__all__ = ["locate_document", "kind_name"]
