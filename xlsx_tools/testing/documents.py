"""Reports as documents, made the way real ones are made: the national format's tables
with their merged header cells, as Word saves them (.docx, through python-docx: gridSpan
and vMerge) and as Word saves a web page (mso markup, GB 2312/GBK, placeholder cells),
with the ways real documents differ on request. For tests and benchmarks: what a
document was built from is a `Report`, so reading it back can be compared exactly.

A document is a list of blocks: lines of text and `DocTable`s (rows of `Cell`s on a grid
of column widths in twips).
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..form import FormSpec, current
from ..report import Report

VALUE_TWIPS = 720  # a number column (1.27 cm)
LABEL_TWIPS = 1600
HAIR_TWIPS = 40  # a border that does not line up (0.07 cm)


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1


@dataclass
class DocTable:
    rows: list[list[Cell]]
    widths: list[int]  # of each grid column, in twips


@dataclass
class Options:
    """How a document differs from a clean national-format document."""

    label: Callable[[str], str] = lambda s: s  # each label as written (variants, line breaks, dots)
    blank_zero: bool = False  # zeros left blank
    spacer: str | None = None  # a column header of table 三 spanning two grid columns, a spacer beside its numbers
    split_after: str | None = None  # table 三 split into two tables after this row label
    repeat_header: bool = True  # the continuation repeats the header rows
    continued_in_table: str | None = None  # table 三's header repeated inside the table before this row (a new page)
    nav: list[str] = field(default_factory=list)  # site navigation lines above the title
    title: list[str] | None = None  # the title as written (lines), else 「{agency}{year}年{title}」
    published: str | None = None  # a 「发布时间：」 line
    signature: bool = True
    omit_rows: tuple[str, ...] = ()  # statutory rows left out (规章)
    t2_2019: bool = False  # table 二 in the 2019 layout
    other_single_row: bool = False  # （六）其他处理 as one row


def _number(v, o: Options) -> str:
    if v is None:
        return ""
    if v == 0 and o.blank_zero:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _grid_rows(spec: FormSpec, grid, values: dict, o: Options, label_cols: int, value_cols: int) -> list[list[Cell]]:
    """A grid's header rows and body rows (national format), label area `label_cols` wide."""
    col_depth = max(n.depth for n in grid.cols)
    head = col_depth + (1 if grid.col_root else 0)
    rows: list[list[Cell]] = [[] for _ in range(head)]
    leaves = len(grid.col_paths)
    span = value_cols // leaves if leaves else 1
    if label_cols:
        rows[0].append(Cell(o.label(grid.corner), label_cols, head))
    if grid.col_root:
        rows[0].append(Cell(o.label(grid.col_root), value_cols))

    def cols(nodes, level):
        for node in nodes:
            r = head - col_depth + level
            if node.children:
                rows[r].append(Cell(o.label(node.label), len(node.leaves()) * span))
                cols(node.children, level + 1)
            else:
                rows[r].append(Cell(o.label(node.label), span, col_depth - level))

    cols(grid.cols, 0)
    body = []
    paths = [p for p in grid.row_paths if p[-1].label not in o.omit_rows] or [()]
    for row in paths:
        cells = []
        for depth, node in enumerate(row):
            if node.children:
                kids = [p for p in paths if node in p]
                if kids[0][-1] is row[-1]:
                    cells.append(Cell(o.label(node.label), 1, len(kids)))
            else:
                cells.append(Cell(o.label(node.label), label_cols - depth))
        for col in grid.col_paths:
            cells.append(Cell(_number(values.get(grid.cell_id(row, col)), o), span))
        body.append(cells)
    return rows + body


def table_two(spec: FormSpec, values: dict, o: Options) -> DocTable:
    grids = spec.table_grids(spec.outline[1])
    rows: list[list[Cell]] = []
    for grid in grids:
        rows.append([Cell(o.label(grid.title), 4)])
        block = _grid_rows(spec, grid, values, o, 1, 3)
        if o.t2_2019 and grid is grids[0]:
            block[0] = [block[0][0], Cell("本年新制作数量"), Cell("本年新公开数量"), Cell("对外公开总数量")]
        rows.extend(block)
    return DocTable(rows, [LABEL_TWIPS * 2] + [VALUE_TWIPS * 2] * 3)


def table_three(spec: FormSpec, values: dict, o: Options) -> list[DocTable]:
    grid = spec.table_grids(spec.outline[2])[0]
    n_values = len(grid.col_paths)
    rows = _grid_rows(spec, grid, values, o, 3, n_values)
    if o.other_single_row:
        rows = _single_other_row(spec, grid, rows, values, o)
    head = max(n.depth for n in grid.cols) + (1 if grid.col_root else 0)
    widths = [500, 700, 2400] + [VALUE_TWIPS] * n_values
    if o.spacer:
        rows, widths = _with_spacer(rows, widths, head, o.label(o.spacer))
    if o.continued_in_table:  # a new page inside the table: the header rows again, spanning cells cut there
        k = next(i for i, r in enumerate(rows) if any(c.text == o.label(o.continued_in_table) for c in r))
        header = [[replace(c) for c in r] for r in rows[:head]]
        rows = rows[:k] + header + _cut_rowspans(rows[:k], rows[k:])
    if o.split_after:
        k = next(i for i, r in enumerate(rows) if any(c.text == o.label(o.split_after) for c in r)) + 1
        first, second = rows[:k], rows[k:]
        second = _cut_rowspans(first, second)
        if o.repeat_header:
            second = [list(map(replace, r)) for r in rows[:head]] + second
        return [DocTable(first, widths), DocTable(second, widths)]
    return [DocTable(rows, widths)]


def _cut_rowspans(first: list[list[Cell]], second: list[list[Cell]]) -> list[list[Cell]]:
    """Where a table is split, cells spanning down into the second part are repeated there
    (as Word does when a table is split: each part is a table of its own)."""
    n = len(first)
    carried = []
    for r, row in enumerate(first):
        for c in row:
            if r + c.rowspan > n:
                left = r + c.rowspan - n
                c.rowspan -= left
                carried.append(Cell(c.text, c.colspan, left))
    if carried:
        second = [list(second[0])] + second[1:]
        second[0] = carried + second[0]
    return second


def _with_spacer(rows: list[list[Cell]], widths: list[int], head: int, header: str) -> tuple[list[list[Cell]], list[int]]:
    """The header `header` spans two grid columns (the second a hairline); in every other row
    the cell under it is one column wide and an empty spacer cell fills the hairline."""
    positions = _positions(rows)
    target = next(col for (r, col), c in positions.items() if c.text == header)
    out = []
    for r, row in enumerate(rows):
        new = []
        for c in row:
            col = next(k for (rr, k), cc in positions.items() if cc is c and rr == r)
            if col == target and r >= head:
                new.extend([c, Cell("")])
            elif col <= target < col + c.colspan:
                new.append(replace(c, colspan=c.colspan + 1))
            else:
                new.append(c)
        out.append(new)
    return out, widths[: target + 1] + [HAIR_TWIPS] + widths[target + 1 :]


def _positions(rows: list[list[Cell]]) -> dict[tuple[int, int], Cell]:
    taken: dict[int, set[int]] = {}
    out = {}
    for r, row in enumerate(rows):
        col = 0
        for c in row:
            while col in taken.get(r, set()):
                col += 1
            out[(r, col)] = c
            for rr in range(r, r + c.rowspan):
                taken.setdefault(rr, set()).update(range(col, col + c.colspan))
            col += c.colspan
    return out


def _single_other_row(spec: FormSpec, grid, rows, values: dict, o: Options):
    """（六）其他处理 as one row with the group's sums (the 2019 layout)."""
    group = next(n for n in grid.rows[2].children if n.label in spec.collapsible_labels)
    leaves = [p for p in grid.row_paths if group in p]
    first = next(i for i, r in enumerate(rows) if any(c.text == o.label(group.label) for c in r))
    sums = []
    for col in grid.col_paths:
        vals = [values.get(grid.cell_id(p, col)) or 0 for p in leaves]
        sums.append(Cell(_number(sum(vals), o)))
    new = [Cell(o.label(group.label), 2)] + sums
    rows = rows[:first] + [new] + rows[first + len(leaves) :]
    for row in rows:  # the results group label spans three rows fewer
        for c in row:
            if c.text == o.label(grid.rows[2].label):
                c.rowspan -= len(leaves) - 1
    return rows


def table_four(spec: FormSpec, values: dict, o: Options) -> DocTable:
    grid = spec.table_grids(spec.outline[3])[0]
    rows = _grid_rows(spec, grid, values, o, 0, len(grid.col_paths))
    return DocTable(rows, [VALUE_TWIPS] * len(grid.col_paths))


def national(report: Report, o: Options | None = None, spec: FormSpec | None = None) -> list:
    """The report as the national format lays it out: title, six sections, signature."""
    spec = spec or current()
    o = o or Options()
    values = dict(report.cells)
    meta = report.meta
    blocks: list = list(o.nav)
    blocks += o.title or [f"{meta.get('agency', '')}{meta.get('year', '')}年{spec.title}"]
    if o.published:
        blocks.append(o.published)
    headings = dict(spec.outline_labels)
    texts = {s.key for s in spec.sections}
    for key in spec.outline:
        blocks.append(headings[key])
        if key in texts:
            blocks.extend((report.text.get(key) or "").split("\n"))
        elif key == spec.outline[1]:
            blocks.append(table_two(spec, values, o))
        elif key == spec.outline[2]:
            parts = table_three(spec, values, o)
            for k, part in enumerate(parts):
                if k:
                    blocks.append("")  # Word keeps two tables apart with a paragraph
                blocks.append(part)
        else:
            blocks.append(table_four(spec, values, o))
    if o.signature:
        blocks += ["", meta.get("agency", "")]
        if meta.get("published_on"):
            d = meta["published_on"]
            blocks.append(f"{d.year}年{d.month}月{d.day}日" if hasattr(d, "year") else str(d))
    return blocks


# ---- writers ---------------------------------------------------------------------------------------
def write_docx(blocks: list, path: Path) -> Path:
    """A .docx as Word saves it: python-docx's tables, merged cells as gridSpan/vMerge, the grid's widths."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        n_cols = len(block.widths)
        table = document.add_table(rows=len(block.rows), cols=n_cols)
        table.style = "Table Grid"
        table.autofit = False
        grid = table._tbl.tblGrid
        for k, col in enumerate(grid.findall(qn("w:gridCol"))):
            col.set(qn("w:w"), str(block.widths[k]))
        positions = _positions(block.rows)
        for (r, c), cell in positions.items():
            first = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                first = first.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            first.text = cell.text
        for row in table.rows:
            for k, cell in enumerate(row.cells):
                cell.width = Twips(block.widths[min(k, n_cols - 1)])
    document.save(path)
    return path


WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Administrator</o:Author>
  <o:Pages>5</o:Pages>
 </o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face {{font-family:宋体; panose-1:2 1 6 0 3 1 1 1 1 1;}}
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{margin:0cm; text-align:justify; text-justify:inter-ideograph; font-size:10.5pt; font-family:"Calibri",sans-serif;}}
table.MsoNormalTable {{mso-style-name:普通表格; mso-tstyle-rowband-size:0;}}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>
"""


def _span(text: str) -> str:
    lines = [_html.escape(x) for x in text.split("\n")]
    inner = "<br>\n  ".join(lines) if lines else ""
    return f"<span style='font-size:10.5pt;font-family:宋体'>{inner or '&nbsp;'}<o:p></o:p></span>"


def word_html(blocks: list, title: str = "", site: bool = False) -> str:
    """A page as Word's 「另存为网页」 writes it (and as a site publishes that page)."""
    parts = [WORD_HEAD.format(charset="{charset}", title=_html.escape(title))]
    if site:
        parts.append("<div class=header><ul class=nav>")
    parts.append("<div class=WordSection1 style='layout-grid:15.6pt'>\n")
    for block in blocks:
        if isinstance(block, str):
            parts.append(f"<p class=MsoNormal style='text-indent:21.0pt'>{_span(block)}</p>\n")
        else:
            parts.append(_word_table(block))
    parts.append("</div>\n</body>\n</html>\n")
    return "".join(parts)


def _word_table(t: DocTable) -> str:
    out = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0\n style='border-collapse:collapse;border:none;"
        "mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n"
    ]
    px = [max(1, round(w / 15)) for w in t.widths]
    positions = _positions(t.rows)
    for r, row in enumerate(t.rows):
        out.append(f" <tr style='mso-yfti-irow:{r}'>\n")
        for c in row:
            col = next(k for (rr, k), cc in positions.items() if cc is c and rr == r)
            width = sum(px[col : col + c.colspan])
            attrs = f" width={width}"
            if c.colspan > 1:
                attrs += f" colspan={c.colspan}"
            if c.rowspan > 1:
                attrs += f" rowspan={c.rowspan}"
            out.append(
                f"  <td{attrs} style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'>\n"
                f"  <p class=MsoNormal align=center style='text-align:center'>{_span(c.text)}</p>\n  </td>\n"
            )
        out.append(" </tr>\n")
    if any(w < VALUE_TWIPS // 4 for w in t.widths):  # Word adds a row of the grid's widths where borders do not line up
        out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>\n")
        out.extend(f"  <td width={w} style='border:none'></td>\n" for w in px)
        out.append(" </tr>\n <![endif]>\n")
    out.append("</table>\n")
    return "".join(out)


def site_page(blocks: list, title: str, nav: list[str], charset: str = "gb2312") -> str:
    """A government site's article page around Word's HTML: navigation and breadcrumbs above,
    a footer below, as pages that publish the report look."""
    body = word_html(blocks, title)
    head, _, rest = body.partition("<div class=WordSection1")
    links = "".join(f"<li><a href='/col{k}/'>{_html.escape(x)}</a></li>" for k, x in enumerate(nav))
    top = (
        "<div class=top><a href='/'>首页</a> | <a href='/zwgk/'>政务公开</a></div>\n"
        f"<div class=nav><ul>{links}</ul></div>\n"
        "<div class=crumb>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/'>政府信息公开</a> &gt; 政府信息公开工作年度报告</div>\n"
        "<script>var a = '<table><tr><td>规章</td></tr></table>';</script>\n"
        "<div class=article>\n"
    )
    foot = "</div>\n<div class=footer><p>【打印本页】【关闭窗口】</p><p>主办：示例县人民政府办公室　网站标识码：4502210001</p></div>\n"
    page = head + top + "<div class=WordSection1" + rest.replace("</body>", foot + "</body>")
    return page.replace("{charset}", charset)


def encoded(page: str, charset: str = "gb2312") -> bytes:
    return page.replace("{charset}", charset).encode("gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset)


__all__ = [
    "Cell",
    "DocTable",
    "Options",
    "national",
    "write_docx",
    "word_html",
    "site_page",
    "encoded",
    "table_two",
    "table_three",
    "table_four",
]
