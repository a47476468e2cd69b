"""A Word document (.docx) as a `grid.Flow`: its paragraphs as lines, its tables as cells
with their spans (w:gridSpan, w:vMerge, w:gridBefore/w:gridAfter), read with lxml from
word/document.xml of the bounded package (package.py) — python-docx is not needed, and
no XML parser that expands entities or loads a DTD sees the file.

What Word shows is what is read: deleted revisions (w:del), field codes (w:instrText)
and the fallback copy of text boxes (mc:Fallback) are not; inserted revisions are.
"""

from __future__ import annotations

from lxml import etree

from ..findings import unreadable
from .grid import Flow, Placed, RawTable
from .package import Package, PackageError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _TBL, _TR, _TC, _T = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc", f"{{{W}}}t"
_TAB, _BR, _CR = f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"
_SKIP = {f"{{{W}}}del", f"{{{W}}}instrText", f"{{{W}}}delText", f"{{{MC}}}Fallback", f"{{{W}}}rPr", f"{{{W}}}pPr"}
_VAL = f"{{{W}}}val"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)


def _text(el) -> str:
    """The text Word shows for a paragraph (line breaks as '\\n')."""
    out: list[str] = []

    def walk(node) -> None:
        for child in node:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == _T:
                out.append(child.text or "")
            elif tag == _TAB:
                out.append("\t")
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _P:  # a paragraph inside a text box of this paragraph
                walk(child)
                out.append("\n")
            else:
                walk(child)

    walk(el)
    return "".join(out)


def _int(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return max(1, int(found.get(_VAL, default)))
    except ValueError:
        return default


def _table(tbl) -> RawTable:
    widths = []
    grid = tbl.find(f"{{{W}}}tblGrid")
    if grid is not None:
        for col in grid.findall(f"{{{W}}}gridCol"):
            try:
                widths.append(float(col.get(f"{{{W}}}w", "0")))
            except ValueError:
                widths.append(0.0)
    cells: list[Placed] = []
    open_cells: dict[int, int] = {}  # grid column -> index in `cells` of the vertically merged cell above
    n_cols = len(widths)
    rows = tbl.findall(_TR)
    for r, tr in enumerate(rows):
        tr_pr = tr.find(f"{{{W}}}trPr")
        col = _int(tr_pr, f"{{{W}}}gridBefore", 0) if tr_pr is not None and tr_pr.find(f"{{{W}}}gridBefore") is not None else 0
        for tc in _row_cells(tr):
            pr = tc.find(f"{{{W}}}tcPr")
            span = _int(pr, f"{{{W}}}gridSpan", 1) if pr is not None else 1
            vmerge = pr.find(f"{{{W}}}vMerge") if pr is not None else None
            if vmerge is not None and vmerge.get(_VAL, "continue") != "restart" and col in open_cells:
                k = open_cells[col]
                above = cells[k]
                cells[k] = Placed(above.row, above.col, above.text, r - above.row + 1, above.colspan)
            else:
                text = "\n".join(_text(p) for p in tc.iter(_P) if not _inside_nested(p, tc))
                cells.append(Placed(r, col, text, 1, span))
                if vmerge is not None:
                    open_cells[col] = len(cells) - 1
                else:
                    open_cells.pop(col, None)
            col += span
        n_cols = max(n_cols, col)
    return RawTable(cells, len(rows), n_cols, widths or None)


def _row_cells(tr):
    """The row's own cells (inside content controls too, never a nested table's)."""
    for child in tr:
        if child.tag == _TC:
            yield child
        elif child.tag not in (f"{{{W}}}trPr", f"{{{W}}}tblPrEx") and len(child):
            yield from _row_cells(child)


def _inside_nested(p, tc) -> bool:
    parent = p.getparent()
    while parent is not None and parent is not tc:
        if parent.tag == _TBL:
            return True
        parent = parent.getparent()
    return False


def read_flow(name: str, package: Package) -> Flow:
    """The document's lines and tables in reading order; raises ReadError."""
    try:
        xml = package.read("word/document.xml")
    except PackageError as exc:
        raise unreadable(name, str(exc)) from None
    if xml is None:
        raise unreadable(name, "是压缩包，但其中没有 Word 文档的正文（word/document.xml），请用 Word 或 WPS 重新保存")
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise unreadable(name, "文件内部的 word/document.xml 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取")
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        raise unreadable(name, "Word 文档已损坏（word/document.xml 无法解析），请用 Word 或 WPS 打开后重新保存") from None
    body = root.find(f"{{{W}}}body")
    flow = Flow()
    if body is not None:
        _blocks(body, flow)
    flow.stamp = _identifier(package)
    return flow


_STAMP_PROPERTIES = (
    "{http://purl.org/dc/elements/1.1/}identifier",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords",
)


def _identifier(package: Package) -> str | None:
    """The fingerprint `xlsx-tools publish` records (Report.stamp): the dc:identifier core
    property, else the keywords (which editors that drop dc:identifier keep); None when
    there is none or it cannot be read."""
    try:
        xml = package.read("docProps/core.xml")
    except PackageError:
        return None
    if not xml or b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        return None
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        return None
    for tag in _STAMP_PROPERTIES:
        found = root.find(tag)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def _blocks(parent, flow: Flow) -> None:
    for child in parent:
        tag = child.tag
        if tag == _P:
            flow.lines.extend(_text(child).split("\n"))
        elif tag == _TBL:
            flow.tables.append(_table(child))
            flow.tables_at.append(len(flow.lines))
        elif tag in _SKIP:
            continue
        elif len(child):  # content controls (w:sdt/w:sdtContent), custom XML: their paragraphs and tables
            _blocks(child, flow)


__all__ = ["read_flow"]
