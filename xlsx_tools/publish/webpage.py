"""The published report as one web page (.html): UTF-8, self-contained, ready to paste
into a site's content management system.

- Every style is an inline `style` attribute (a CMS keeps the body it is given and drops
  the <head>): no <style> block, no script, no external font, image or stylesheet.
- The tables as the national format prints them, merged cells as rowspan/colspan, their
  header rows in <thead> with <th> cells (a browser repeats a <thead> on each printed
  page; screen readers name the columns); widths as shares of the column.
- The fingerprint (check/fingerprint.py) in a <meta> of the head, and, for a page whose
  body was pasted into a CMS, in a data attribute of the report's <div>.
"""

from __future__ import annotations

from html import escape

from ..report import STAMP_META
from . import style as S
from .model import BODY, HEADING, SIGNATURE, Document, Paragraph
from .tables import Table, positions

PAGE_WIDTH_PX = 800
_TEXT = f"margin:0;text-indent:2em;font-size:{S.BODY_PT}pt;line-height:{S.LINE_PT}pt;text-align:justify"
STYLES = {
    "page": f"max-width:{PAGE_WIDTH_PX}px;margin:0 auto;padding:24px 16px;color:#000;background:#fff;font-family:{S.css_family(S.BODY_FONT)}",
    "title": (
        f"margin:0 0 {S.LINE_PT}pt 0;text-align:center;font-weight:normal;font-size:{S.TITLE_PT}pt;"
        f"line-height:{S.TITLE_LINE_PT}pt;font-family:{S.css_family(S.TITLE_FONT)}"
    ),
    "subtitle": f"margin:0 0 {S.LINE_PT}pt 0;text-align:center;font-size:{S.BODY_PT}pt;line-height:{S.LINE_PT}pt",
    HEADING: (
        f"margin:0;text-indent:2em;font-weight:normal;font-size:{S.HEADING_PT}pt;line-height:{S.LINE_PT}pt;"
        f"font-family:{S.css_family(S.HEADING_FONT)}"
    ),
    BODY: _TEXT,
    "indented": _TEXT.replace("text-indent:2em", "text-indent:0"),
    SIGNATURE: f"margin:0;padding-right:2em;text-align:right;font-size:{S.BODY_PT}pt;line-height:{S.LINE_PT}pt",
    "table": f"width:100%;border-collapse:collapse;table-layout:fixed;margin:0 auto;font-size:{S.TABLE_PT}pt;line-height:1.4",
    "cell": "border:1px solid #000;padding:2px 3px;vertical-align:middle;text-align:center;word-break:break-all",
}


def _table(table: Table) -> str:
    out = [f'<table style="{STYLES["table"]}">', "<colgroup>"]
    for share in table.widths:
        pct = f"{share * 100:.2f}%"
        out.append(f'<col width="{pct}" style="width:{pct}">')
    out.append("</colgroup>")
    placed = positions(table.rows)
    for r, row in enumerate(placed):
        if r == 0:
            out.append("<thead>" if table.header_rows else "<tbody>")
        elif r == table.header_rows and table.header_rows:
            out.append("</thead><tbody>")
        out.append("<tr>")
        for _col, cell in row:
            tag = "th" if r < table.header_rows or cell.bold else "td"
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            look = (
                STYLES["cell"]
                + (";text-align:justify" if cell.left else "")
                + (";font-weight:bold" if cell.bold else ";font-weight:normal")
            )
            out.append(f'<{tag}{attrs} style="{look}">{escape(cell.text)}</{tag}>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _paragraph(block: Paragraph) -> str:
    text = escape(block.text) if block.text else "&nbsp;"
    if block.role == HEADING:
        return f'<h2 style="{STYLES[HEADING]}">{text}</h2>'
    if block.role == SIGNATURE:
        return f'<p style="{STYLES[SIGNATURE]}">{text}</p>'
    look = STYLES["indented"] if block.text[:1].isspace() else STYLES[BODY]
    return f'<p style="{look}">{text}</p>'


def page_html(doc: Document) -> str:
    """The whole page (see the module)."""
    stamp = escape(doc.stamp.text, quote=True)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{escape(doc.stamp.tool, quote=True)}">',
        f'<meta name="{STAMP_META}" content="{stamp}">',
        f"<title>{escape(doc.title)}</title>",
        "</head>",
        '<body style="margin:0;background:#fff">',
        f'<div class="gk-report" data-{STAMP_META}="{stamp}" style="{STYLES["page"]}">',
        f'<h1 style="{STYLES["title"]}">{escape(doc.title)}</h1>',
    ]
    if doc.subtitle:
        parts.append(f'<p style="{STYLES["subtitle"]}">{escape(doc.subtitle)}</p>')
    for block in doc.blocks:
        parts.append(_table(block) if isinstance(block, Table) else _paragraph(block))
    parts += ["</div>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_html(doc: Document, target) -> None:
    """Write the page, UTF-8, to `target` (a path or a binary file object)."""
    data = page_html(doc).encode("utf-8")
    if hasattr(target, "write"):
        target.write(data)
    else:
        with open(target, "wb") as fh:
            fh.write(data)


__all__ = ["STYLES", "page_html", "write_html"]
