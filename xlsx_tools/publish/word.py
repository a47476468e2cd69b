"""The published report as a Word document (.docx), with python-docx.

- A4 with the margins, fonts and sizes of style.py. Every font is named for East Asian
  text (w:eastAsia) and for Latin text (Times New Roman), never through the template's
  theme (whose East Asian fonts are Japanese), and declared in the font table with the
  font Windows always has as its alternative (w:altName: 仿宋_GB2312 → 仿宋,
  方正小标宋简体 → 宋体), so Word and WPS substitute sensibly where a font is missing.
- Styles people can see and reuse: 报告标题, 报告副标题, the built-in 标题 1 (Heading 1:
  the six section headings, so the navigation pane shows the outline), 正文 (Normal),
  表格文字, 落款.
- Tables written as WordprocessingML: a fixed layout exactly the text block wide, the
  grid's widths, merged cells as w:gridSpan and w:vMerge, rows that do not break across
  pages, and a long table's header rows marked w:tblHeader, so Word, WPS and LibreOffice
  repeat them on every page it runs onto.
- Core properties: title, author (the agency), subject, language, and the fingerprint
  (check/fingerprint.py) in dc:identifier, which the .docx reader hands back.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from . import style as S
from .model import BODY, HEADING, SIGNATURE, Document, Paragraph
from .tables import Cell, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TWIPS_PER_MM = 1440 / 25.4
TITLE, SUBTITLE, NORMAL, HEADING1, TABLE, SIGNED = "GKTitle", "GKSubtitle", "Normal", "Heading1", "GKTable", "GKSignature"
STYLE_NAMES = {TITLE: "报告标题", SUBTITLE: "报告副标题", TABLE: "表格文字", SIGNED: "落款"}


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def _half_points(pt: float) -> int:
    return round(pt * 2)


def _rpr(font: S.Font, pt: float, bold: bool = False) -> str:
    b = "<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    return (
        f'<w:rPr><w:rFonts w:ascii="{S.LATIN_FONT}" w:hAnsi="{S.LATIN_FONT}" w:eastAsia="{font.name}" w:cs="{S.LATIN_FONT}" w:hint="eastAsia"/>'
        f'{b}<w:i w:val="0"/><w:color w:val="000000"/><w:kern w:val="0"/><w:sz w:val="{_half_points(pt)}"/><w:szCs w:val="{_half_points(pt)}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>'
    )


def _ppr(
    jc: str, line_pt: float | None, first_chars: int = 0, after: int = 0, right_chars: int = 0, pt: float = 16, heading: bool = False
) -> str:
    """Paragraph properties, in the schema's order (keepNext … spacing, ind, jc, outlineLvl)."""
    keep = "<w:keepNext/><w:keepLines/>" if heading else ""
    rule = f' w:line="{round(line_pt * 20)}" w:lineRule="exact"' if line_pt else ' w:line="240" w:lineRule="auto"'
    ind = (
        f'<w:ind w:rightChars="{right_chars * 100}" w:right="{round(right_chars * pt * 20)}"'
        f' w:firstLineChars="{first_chars * 100}" w:firstLine="{round(first_chars * pt * 20)}"/>'
    )
    outline = '<w:outlineLvl w:val="0"/>' if heading else ""
    return f'<w:pPr>{keep}<w:widowControl/><w:spacing w:before="0" w:after="{after}"{rule}/>{ind}<w:jc w:val="{jc}"/>{outline}</w:pPr>'


def _styles(document) -> None:
    """The document's own look: defaults, 正文, 标题 1 and the styles of style.py."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    styles = document.styles
    root = styles.element
    defaults = root.find(f"{{{W}}}docDefaults")
    if defaults is not None:
        root.remove(defaults)
    root.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault>{_rpr(S.BODY_FONT, S.BODY_PT)}</w:rPrDefault>"
            f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
        ),
    )

    def restyle(style, ppr: str, rpr: str) -> None:
        el = style.element
        for tag in ("pPr", "rPr"):
            old = el.find(f"{{{W}}}{tag}")
            if old is not None:
                el.remove(old)
        el.append(parse_xml(ppr.replace("<w:pPr>", f"<w:pPr {nsdecls('w')}>", 1)))
        el.append(parse_xml(rpr.replace("<w:rPr>", f"<w:rPr {nsdecls('w')}>", 1)))

    normal = styles["Normal"]
    restyle(normal, _ppr("both", S.LINE_PT, first_chars=2, pt=S.BODY_PT), _rpr(S.BODY_FONT, S.BODY_PT))
    heading = styles["Heading 1"]
    restyle(
        heading,
        _ppr("both", S.LINE_PT, first_chars=2, pt=S.HEADING_PT, heading=True),
        _rpr(S.HEADING_FONT, S.HEADING_PT),
    )
    looks = {
        TITLE: (_ppr("center", S.TITLE_LINE_PT, after=round(S.LINE_PT * 20)), _rpr(S.TITLE_FONT, S.TITLE_PT)),
        SUBTITLE: (_ppr("center", S.LINE_PT, after=round(S.LINE_PT * 20)), _rpr(S.BODY_FONT, S.BODY_PT)),
        TABLE: (_ppr("center", None), _rpr(S.BODY_FONT, S.TABLE_PT)),
        SIGNED: (_ppr("right", S.LINE_PT, right_chars=2, pt=S.BODY_PT), _rpr(S.BODY_FONT, S.BODY_PT)),
    }
    for style_id, (ppr, rpr) in looks.items():
        style = styles.add_style(STYLE_NAMES[style_id], WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = normal
        style.quick_style = True
        restyle(style, ppr, rpr)


def _font_table(document) -> None:
    """Declare each font with its usual substitute (w:altName), GB 2312 charset."""
    from lxml import etree

    part = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for font in S.FONTS:
        el = etree.SubElement(root, f"{{{W}}}font", {f"{{{W}}}name": font.name})
        etree.SubElement(el, f"{{{W}}}altName", {f"{{{W}}}val": font.fallbacks[0]})
        etree.SubElement(el, f"{{{W}}}panose1", {f"{{{W}}}val": font.panose})
        etree.SubElement(el, f"{{{W}}}charset", {f"{{{W}}}val": "86"})
        etree.SubElement(el, f"{{{W}}}family", {f"{{{W}}}val": font.family})
        etree.SubElement(el, f"{{{W}}}pitch", {f"{{{W}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(document) -> None:
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(S.PAGE_MM[0]), Mm(S.PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(S.MARGIN_MM["top"]), Mm(S.MARGIN_MM["bottom"])
    section.left_margin, section.right_margin = Mm(S.MARGIN_MM["left"]), Mm(S.MARGIN_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(20)


def _footer(document) -> None:
    """「— 1 —」: the page number, centred."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    footer = document.sections[0].footer
    p = footer.paragraphs[0]._p
    for child in list(p):
        p.remove(child)
    rpr = _rpr(S.Font("宋体", (), "", "roman"), S.FOOTER_PT)
    p.append(parse_xml(f'<w:pPr {nsdecls("w")}><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve">— </w:t></w:r>'))
    p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>'))


def _cell_xml(cell: Cell | None, width: int, span: int, vmerge: str | None) -> str:
    text = cell.text if cell is not None else ""
    jc = "both" if cell is not None and cell.left else "center"
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge:
        props += f'<w:vMerge w:val="{vmerge}"/>' if vmerge == "restart" else "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    run = ""
    if vmerge != "continue" and text:
        bold = "<w:rPr><w:b/><w:bCs/></w:rPr>" if cell is not None and cell.bold else ""
        run = f'<w:r>{bold}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    return f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{TABLE}"/><w:jc w:val="{jc}"/></w:pPr>{run}</w:p></w:tc>'


def table_xml(table: Table, width_mm: float = S.TEXT_WIDTH_MM) -> str:
    """The table as a w:tbl element (see the module)."""
    total = _twips(width_mm)
    widths = [round(share * total) for share in table.widths]
    widths[-1] += total - sum(widths)
    n = table.n_cols
    occupied: list[list[tuple | None]] = [[None] * n for _ in table.rows]
    taken: dict[int, set[int]] = {}
    for r, row in enumerate(table.rows):
        col = 0
        for cell in row:
            while col in taken.get(r, ()):
                col += 1
            for rr in range(r, r + cell.rowspan):
                taken.setdefault(rr, set()).update(range(col, col + cell.colspan))
                occupied[rr][col] = (cell, rr == r)
            col += cell.colspan
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    margin = _twips(S.CELL_MARGIN_MM)
    out = [
        f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:bottom w:w="0" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>',
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>",
    ]
    for r in range(len(table.rows)):
        header = "<w:tblHeader/>" if r < table.header_rows else ""
        out.append(f'<w:tr><w:trPr><w:cantSplit/>{header}<w:trHeight w:val="{_twips(6)}"/></w:trPr>')
        col = 0
        while col < n:
            got = occupied[r][col]
            if got is None:  # cannot happen for a well-formed table; keep the grid whole
                out.append(_cell_xml(None, widths[col], 1, None))
                col += 1
                continue
            cell, starts = got
            span_width = sum(widths[col : col + cell.colspan])
            vmerge = None if cell.rowspan == 1 else ("restart" if starts else "continue")
            out.append(_cell_xml(cell, span_width, cell.colspan, vmerge))
            col += cell.colspan
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _paragraph(document, block: Paragraph) -> None:
    if block.role == HEADING:
        document.add_paragraph(block.text, "Heading 1")
    elif block.role == SIGNATURE:
        document.add_paragraph(block.text, STYLE_NAMES[SIGNED])
    else:
        p = document.add_paragraph(block.text)
        if block.role == BODY and block.text[:1].isspace():  # staff indented it themselves
            p.paragraph_format.first_line_indent = 0


def _properties(document, doc: Document) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.title = doc.title
    props.subject = doc.spec.title
    props.author = doc.agency
    props.last_modified_by = doc.agency
    props.category = doc.spec.id
    props.comments = f"由 {doc.stamp.tool} 从校验过的报告生成（{doc.spec.id}）"
    props.identifier = doc.stamp.text
    props.keywords = doc.stamp.text  # kept by editors that drop dc:identifier, and exported to PDF
    props.language = "zh-CN"
    props.created = props.modified = now
    props.revision = 1


def write_docx(doc: Document, target) -> None:
    """Write the document as .docx to `target` (a path or a binary file object)."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    document = docx.Document()
    _page(document)
    _styles(document)
    _font_table(document)
    _footer(document)
    title = document.add_paragraph(style=STYLE_NAMES[TITLE])
    for k, line in enumerate(doc.title_lines):
        run = title.add_run(line)
        if k < len(doc.title_lines) - 1:
            run.add_break()
    if doc.subtitle:
        document.add_paragraph(doc.subtitle, STYLE_NAMES[SUBTITLE])
    sect = document.element.body.find(qn("w:sectPr"))
    for block in doc.blocks:
        if isinstance(block, Table):
            sect.addprevious(parse_xml(table_xml(block)))
        else:
            _paragraph(document, block)
    _properties(document, doc)
    document.save(target)


__all__ = ["table_xml", "write_docx"]
