"""A web page (a saved page of a government site, Word's 「网页」 and 「筛选过的网页」
exports, LibreOffice's HTML) as a `grid.Flow`: its visible text as lines, its data tables
as cells with rowspan/colspan.

- Encoding: a byte-order mark, else the charset a <meta> tag declares (gb2312/gbk are read
  as GB 18030, their superset), else UTF-8 if the bytes are valid UTF-8, else GB 18030.
- Word's markup: conditional blocks (<![if …]> … <![endif]>) are unwrapped, Office XML
  islands and comments dropped; placeholder cells (mso-cell-special:placeholder, Word's
  gridBefore/gridAfter) hold no place; the zero-height row Word adds for misaligned columns
  gives the grid's widths.
- Tables: only tables without tables inside them hold data; a table used to lay out a page
  is read as text. What a person does not see (display:none, <script>, <style>, a <select>'s
  options) is not read.
"""

from __future__ import annotations

import re

from lxml import etree

from ..findings import unreadable
from ..report import STAMP_META
from .grid import Flow, Placed, RawTable

_BOM = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CONDITIONAL = re.compile(r"<!\[(?:if\s[^\]]*|endif)\]>", re.I)
_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030", "cp936", "euc-cn"}
_SKIP = {"script", "style", "noscript", "template", "head", "select", "option", "button", "textarea", "iframe", "object", "svg"}
_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article",
    "header", "footer", "nav", "aside", "main", "blockquote", "pre", "center", "form", "dl", "dt", "dd", "hr", "address",
    "figure", "figcaption", "caption", "tbody", "thead", "tfoot",
}  # fmt: skip
_WS = re.compile(r"[ \t\r\n\f\v]+")
_BLANK = " \t\r\n\f\v\xa0"
_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r]*\n[ \t\r\n]*(?=[{_CJK}])")
_WIDTH = re.compile(r"(?:^|[;\s])width\s*:\s*([\d.]+)\s*(pt|px|cm|mm|in)?", re.I)
_UNIT = {"pt": 1.0, "px": 0.75, "cm": 28.35, "mm": 2.835, "in": 72.0, None: 0.75}


def decode(data: bytes) -> str:
    """The page's text, whatever encoding it is in (see the module)."""
    for bom, encoding in _BOM:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    m = _CHARSET.search(data[:8192])
    declared = m.group(1).decode("ascii", "replace").lower() if m else ""
    if declared in _GB:
        return data.decode("gb18030", "replace")
    if declared in ("utf-8", "utf8"):
        return data.decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def _placeholder(el) -> bool:
    return "mso-cell-special:placeholder" in (el.get("style") or "").replace(" ", "").lower()


def _span(el, attr: str) -> int:
    try:
        return min(max(1, int(str(el.get(attr, "1")).strip() or 1)), 1000)
    except ValueError:
        return 1


def collapse(text: str, indent: bool = False) -> str:
    """Whitespace as a browser shows it: a line break of the source between Chinese
    characters is nothing (Word wraps its HTML at ~80 columns), other runs one space.
    With `indent`, a line's ideographic spaces (「　　」, which a browser shows) are kept."""
    if "\n" in text:
        text = _CJK_BREAK.sub("", text)
    text = _WS.sub(" ", text.replace("\xa0", " "))
    return text.strip(" ") if indent else text.strip()


def _cell_text(el) -> str:
    """A cell's text; <br> and block elements inside it break lines."""
    parts: list[str] = []

    def walk(e) -> None:
        if e.text:
            parts.append(e.text)
        for ch in e:
            tag = ch.tag if isinstance(ch.tag, str) else ""
            if tag and tag not in _SKIP and not _hidden(ch):
                block = tag in _BLOCK
                if block:
                    parts.append("\x01")
                walk(ch)
                if block:
                    parts.append("\x01")
            if ch.tail:
                parts.append(ch.tail)

    walk(el)
    return "\n".join(x for x in (collapse(s) for s in "".join(parts).split("\x01")) if x)


def _widths(table, rows: list, n_cols: int) -> tuple[list[float] | None, frozenset[int]]:
    """Grid widths from <col> elements or Word's zero-height row of empty cells, and that row."""
    cols = [c for c in table.iter("col")]
    if len(cols) == n_cols:
        try:
            return [float(c.get("width", "0").rstrip("px*%") or 0) for c in cols], frozenset()
        except ValueError:
            pass
    for r, tr in enumerate(rows):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        zero = (tr.get("height") or "").strip() in ("0", "0px") or "height:0" in (tr.get("style") or "").replace(" ", "")
        if not zero or len(cells) != n_cols or any(_span(c, "colspan") != 1 or "".join(c.itertext()).strip() for c in cells):
            continue
        widths = []
        for c in cells:
            w = c.get("width")
            try:
                widths.append(float(w) if w else 0.0)
            except ValueError:
                widths.append(0.0)
        return widths, frozenset({r})
    return None, frozenset()


def _table(table) -> RawTable:
    rows = [tr for tr in table.iter("tr") if not _hidden(tr)]
    cells: list[Placed] = []
    taken: dict[int, set[int]] = {}
    n_cols = 0
    for r, tr in enumerate(rows):
        col = 0
        used = taken.setdefault(r, set())
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th") or _hidden(td):
                continue
            while col in used:
                col += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            rs = min(rs, len(rows) - r)
            for rr in range(r, r + rs):
                taken.setdefault(rr, set()).update(range(col, col + cs))
            if not _placeholder(td):
                cells.append(Placed(r, col, _cell_text(td), rs, cs))
            col += cs
        n_cols = max(n_cols, col, max(used, default=-1) + 1)
    widths, spacers = _widths(table, rows, n_cols)
    return RawTable(cells, len(rows), n_cols, widths, spacers)


def read_flow(name: str, data: bytes) -> Flow:
    """The page's lines and data tables in reading order; raises ReadError."""
    text = _CONDITIONAL.sub("", decode(data))
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        raise unreadable(name, "网页内容为空或无法解析")
    flow = Flow()
    title = root.find(".//title")
    if title is not None:
        flow.title = _WS.sub(" ", "".join(title.itertext())).strip()
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date"):
            flow.meta_dates.append(meta.get("content") or "")
        elif key == STAMP_META and flow.stamp is None:
            flow.stamp = meta.get("content") or None
    if flow.stamp is None:  # a page whose body was pasted into a site: the report's element keeps it
        marked = next(root.iterfind(f".//*[@data-{STAMP_META}]"), None)
        flow.stamp = marked.get(f"data-{STAMP_META}") if marked is not None else None
    body = root.find("body")
    lines: list[str] = []
    cur = [""]
    _walk(body if body is not None else root, flow, lines, cur)
    lines.append(cur[0])
    flow.lines = _clean(lines, flow)
    return flow


def _walk(el, flow: Flow, lines: list[str], cur: list[str]) -> None:
    """The visible text into lines: each block element (a paragraph, a heading, a table
    cell used for layout) and each <br> ends a line; an empty paragraph is an empty line."""

    def flush() -> None:
        if cur[0].strip(_BLANK):
            lines.append(cur[0])
        cur[0] = ""

    if el.text:
        cur[0] += el.text
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in _SKIP or _hidden(child):
            pass
        elif tag == "table" and next(child.iterdescendants("table"), None) is None:
            flush()
            flow.tables.append(_table(child))
            flow.tables_at.append(len(lines))  # re-based on the cleaned lines in _clean
            lines.append("\x00")
        elif tag == "br":
            lines.append(cur[0])
            cur[0] = ""
        elif tag in _BLOCK:
            flush()
            before = len(lines)
            _walk(child, flow, lines, cur)
            empty = len(lines) == before and not cur[0].strip(_BLANK)
            flush()
            if empty and tag == "p":
                lines.append("")
        else:
            _walk(child, flow, lines, cur)
        if child.tail:
            cur[0] += child.tail


def _clean(lines: list[str], flow: Flow) -> list[str]:
    """Whitespace collapsed as a browser does; table marks placed."""
    out: list[str] = []
    at: list[int] = []
    for raw in lines:
        if raw == "\x00":
            at.append(len(out))
            continue
        out.append(collapse(raw, indent=True))
    flow.tables_at = at
    return out


__all__ = ["read_flow", "decode"]
