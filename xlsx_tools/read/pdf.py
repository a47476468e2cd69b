"""A PDF exported from Word or WPS (with a text layer) as a `grid.Flow`, by pdfplumber.

A table is read only where its structure can be recovered with certainty: from the ruling
lines drawn around its cells (pdfplumber's "lines" strategy), every cell a rectangle of
those lines; its spans follow from where its borders stand among all the table's borders.
A table without ruling lines is not guessed from the spacing of its text. A table that
continues on the next page is a second table there, joined like a Word table continued
(grid.py). A scanned PDF (pages without any text) gets a clear message.
"""

from __future__ import annotations

import io

from ..findings import unreadable
from .grid import Flow, Placed, RawTable

MAX_PAGES = 60  # a report is 4–12 pages
SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3, "join_tolerance": 3}


def _index(edges: list[float], x: float) -> int:
    return min(range(len(edges)), key=lambda k: abs(edges[k] - x))


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 2:
            out.append(v)
    return out


def _table(table) -> tuple[RawTable, list[float]]:
    """The table's cells on the grid of all its borders (a cell's text: pdfplumber's, by the
    characters whose centre is inside it), and the x positions of its column borders."""
    placed = [
        (box, text)
        for row, texts in zip(table.rows, table.extract(), strict=True)
        for box, text in zip(row.cells, texts, strict=True)
        if box
    ]
    boxes = [b for b, _ in placed]
    xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
    cells = []
    for (x0, top, x1, bottom), text in placed:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 > c0 and r1 > r0:
            cells.append(Placed(r0, c0, text or "", r1 - r0, c1 - c0))
    widths = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    return RawTable(cells, max(len(ys) - 1, 0), max(len(xs) - 1, 0), widths), xs


def _align_continued(flow: Flow, edges: list[list[float]], pages: list[tuple[int, bool, bool]]) -> None:
    """A table continued on the next page whose part on one page lacks some of the other
    part's column borders (the rows there span those columns: a header block, a label
    spanning three columns) is laid on the finer part's columns, so that the two parts
    have the same grid and are joined as one table (grid.py)."""
    for k in range(1, len(flow.tables)):
        (page_a, _first_a, last_a), (page_b, first_b, _last_b) = pages[k - 1], pages[k]
        a, b = edges[k - 1], edges[k]
        if page_b != page_a + 1 or not (last_a and first_b) or len(a) == len(b) or len(a) < 2 or len(b) < 2:
            continue
        if abs(a[0] - b[0]) > _SAME or abs(a[-1] - b[-1]) > _SAME:
            continue
        coarse, fine = (k - 1, b) if len(a) < len(b) else (k, a)
        at = [_index(fine, x) for x in edges[coarse]]
        if any(abs(fine[j] - x) > _SAME for j, x in zip(at, edges[coarse], strict=True)):
            continue
        raw = flow.tables[coarse]
        cells = [Placed(c.row, at[c.col], c.text, c.rowspan, at[c.col + c.colspan] - at[c.col]) for c in raw.cells]
        flow.tables[coarse] = RawTable(cells, raw.n_rows, len(fine) - 1, [y - x for x, y in zip(fine, fine[1:], strict=False)])
        edges[coarse] = fine


_SAME = 2.0  # points: two borders this close are the same border


def _keywords(metadata: dict) -> str | None:
    """The document's keywords, where a PDF exported from a published .docx keeps its
    fingerprint (Report.stamp)."""
    value = metadata.get("Keywords") if isinstance(metadata, dict) else None
    if isinstance(value, bytes):
        value = value.decode("utf-16" if value.startswith((b"\xfe\xff", b"\xff\xfe")) else "latin-1", "replace")
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_flow(name: str, data: bytes) -> Flow:
    """The PDF's lines and ruled tables in reading order; raises ReadError."""
    import pdfplumber  # imported here: pdfminer costs ~0.2 s to load

    flow = Flow()
    edges: list[list[float]] = []
    placed: list[tuple[int, bool, bool]] = []  # each table's page, first and last on it
    chars = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = pdf.pages
            flow.stamp = _keywords(pdf.metadata)
            if len(pages) > MAX_PAGES:
                raise unreadable(name, f"PDF 共 {len(pages)} 页，远超年度报告的正常篇幅，拒绝读取")
            for number, page in enumerate(pages):
                chars += len(page.chars)
                tables = page.find_tables(SETTINGS)
                boxes = [t.bbox for t in tables]

                def outside(obj, boxes=boxes) -> bool:
                    if obj.get("object_type") != "char":
                        return True
                    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                items = [(line["top"], "line", line["text"]) for line in page.filter(outside).extract_text_lines()]
                items += [(t.bbox[1], "table", t) for t in tables]
                on_page = 0
                for _top, kind, item in sorted(items, key=lambda i: (i[0], i[1] == "line")):
                    if kind == "line":
                        flow.lines.append(item)
                    else:
                        raw, xs = _table(item)
                        flow.tables.append(raw)
                        flow.tables_at.append(len(flow.lines))
                        edges.append(xs)
                        placed.append((number, on_page == 0, on_page == len(tables) - 1))
                        on_page += 1
    except Exception as exc:  # pdfminer raises many unrelated types for encrypted or corrupt files
        if getattr(exc, "finding", None) is not None:
            raise
        kind = type(exc).__name__
        if "Password" in kind or "Encrypt" in kind:
            raise unreadable(name, "PDF 文件已加密（设置了打开密码），请取消密码后重新导出再提交") from None
        raise unreadable(name, f"PDF 文件已损坏，无法读取（{kind}），请重新导出后提交") from None
    _align_continued(flow, edges, placed)
    if chars == 0:
        raise unreadable(name, "是扫描件或图片形式的 PDF（没有文字层），无法读取其中的数字；请提交 Word 文档、网页或工作簿")
    return flow


__all__ = ["read_flow"]
