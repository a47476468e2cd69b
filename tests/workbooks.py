"""Test workbooks: real files made the ways real files are made.

- `patch_xlsx`: change single cells of a workbook the template builder wrote, in its
  sheet XML (everything else, cached formula results included, stays as written), as
  a person typing into Excel would.
- `write_statutory`: the statutory tables typed into a fresh workbook by someone who
  never saw our template (openpyxl): any offset, one sheet or several, merged headers,
  line breaks in labels, numbers as text — labels taken from form.py and varied.
- `lo_edit`: LibreOffice inserting rows, deleting sheets, converting formats.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from gk import FEE, T2_GRIDS, T3, T4, Node
from openpyxl.utils import get_column_letter

from xlsx_tools.build.template import build_workbook
from xlsx_tools.report import Report
from xlsx_tools.testing import synth

HERE = Path(__file__).resolve().parent
UNO_PYTHON = os.environ.get("XLSX_TOOLS_UNO_PYTHON", "/usr/bin/python3")


# ---- editing a workbook's XML ------------------------------------------------------------
def sheet_part(data: bytes, sheet: str) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', wb).group(1)
    target = re.search(rf'<Relationship Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def replace_members(data: bytes, members: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, members.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def cell_xml(a1: str, style: str, value) -> str:
    """The <c> element for a value: number, str (inline string), bool, ('error', '#REF!'),
    ('formula', 'SUM(D5:I5)') without a cached result, or None (blank)."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{a1}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{a1}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{a1}"{s}><v>{value!r}</v></c>'
    if isinstance(value, tuple) and value[0] == "error":
        return f'<c r="{a1}"{s} t="e"><v>{value[1]}</v></c>'
    if isinstance(value, tuple) and value[0] == "formula":
        return f'<c r="{a1}"{s}><f>{value[1]}</f></c>'
    return f'<c r="{a1}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def patch_xlsx(src: Path, dst: Path, sheet: str, cells: dict[str, object]) -> Path:
    """Set cells of one sheet (A1 -> value, see cell_xml), keeping each cell's style."""
    data = src.read_bytes()
    part = sheet_part(data, sheet)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    for a1, value in cells.items():
        pattern = re.compile(rf'<c r="{a1}"( s="(\d+)")?[^>]*?(/>|>.*?</c>)', re.S)
        m = pattern.search(xml)
        assert m, f"{sheet}!{a1} not in {part}"
        xml = xml[: m.start()] + cell_xml(a1, m.group(2) or "", value) + xml[m.end() :]
    dst.write_bytes(replace_members(data, {part: xml.encode()}))
    return dst


def patch_member(src: Path, dst: Path, member: str, edit) -> Path:
    data = src.read_bytes()
    text = zipfile.ZipFile(io.BytesIO(data)).read(member)
    dst.write_bytes(replace_members(data, {member: edit(text)}))
    return dst


def filled(path: Path, report: Report | None = None, seed: int = 5) -> Path:
    build_workbook(path, report or synth.report(seed, "示例县测试局", year=2025, applications=60))
    return path


# ---- the statutory tables typed by hand -------------------------------------------------------
def _cols_tree(ws, nodes: tuple[Node, ...], top: int, left: int, depth: int, merge: bool, label, level: int = 0) -> int:
    col = left
    for node in nodes:
        n = len(node.leaves())
        if node.children:
            ws.cell(top + level, col, label(node.label))
            if merge and n > 1:
                ws.merge_cells(start_row=top + level, start_column=col, end_row=top + level, end_column=col + n - 1)
            elif not merge:
                for k in range(1, n):
                    ws.cell(top + level, col + k, label(node.label))
            _cols_tree(ws, node.children, top, col, depth, merge, label, level + 1)
        else:
            ws.cell(top + level, col, label(node.label))
            if merge and depth - level > 1:
                ws.merge_cells(start_row=top + level, start_column=col, end_row=top + depth - 1, end_column=col)
        col += n
    return col


def _depth(nodes) -> int:
    return max(n.depth for n in nodes)


def write_grid(ws, grid, values: dict, top: int, left: int, *, merge=True, label=lambda s: s, number=lambda v: v, corner=True) -> int:
    """One statutory grid with its header tree, 1-based top/left; returns the next free row."""
    col_depth = _depth(grid.cols)
    label_cols = max((r.depth for r in grid.rows), default=0)
    head = col_depth + (1 if grid.col_root else 0)
    first_val = left + label_cols
    if label_cols and corner:
        ws.cell(top, left, label(grid.corner))
        if merge and (head > 1 or label_cols > 1):
            ws.merge_cells(start_row=top, start_column=left, end_row=top + head - 1, end_column=left + label_cols - 1)
    if grid.col_root:
        ws.cell(top, first_val, label(grid.col_root))
        if merge:
            ws.merge_cells(start_row=top, start_column=first_val, end_row=top, end_column=first_val + len(grid.col_paths) - 1)
    _cols_tree(ws, grid.cols, top + head - col_depth, first_val, col_depth, merge, label)
    body = top + head
    r = body

    def rows(nodes, level):
        nonlocal r
        for node in nodes:
            if node.children:
                start = r
                ws.cell(r, left + level, label(node.label))
                rows(node.children, level + 1)
                if merge and r - start > 1:
                    ws.merge_cells(start_row=start, start_column=left + level, end_row=r - 1, end_column=left + level)
                elif not merge:
                    for k in range(start + 1, r):
                        ws.cell(k, left + level, label(node.label))
            else:
                ws.cell(r, left + level, label(node.label))
                if merge and label_cols - level > 1:
                    ws.merge_cells(start_row=r, start_column=left + level, end_row=r, end_column=left + label_cols - 1)
                r += 1

    rows(grid.rows, 0)
    for i, row in enumerate(grid.row_paths or [()]):
        for j, col in enumerate(grid.col_paths):
            v = values.get(grid.cell_id(row, col))
            if v is not None:
                ws.cell(body + i, first_val + j, number(v))
    return body + max(len(grid.row_paths), 1)


def write_statutory(
    path: Path,
    report: Report,
    *,
    layout: str = "one-sheet",
    top: int = 1,
    left: int = 1,
    merge=True,
    label=lambda s: s,
    number=lambda v: v,
    title: str | None = None,
    fee: bool = False,
    after=None,
) -> Path:
    """The tables 二/三/四 (and optionally the fee block) as an agency might type them.
    layout: 'one-sheet' (all on one sheet, a gap between) or 'sheets' (one each)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度报告"
    row = top
    if title:
        ws.cell(row, left, title)
        row += 2
    values = report.cells

    def next_sheet(name):
        nonlocal ws, row
        if layout == "sheets":
            ws = wb.create_sheet(name)
            row = top

    ws.cell(row, left, "二、主动公开政府信息情况")
    row += 1
    for grid in T2_GRIDS:
        ws.cell(row, left, label(grid.title))
        row = write_grid(ws, grid, values, row + 1, left, merge=merge, label=label, number=number)
    row += 2
    next_sheet("表3")
    ws.cell(row, left, "三、收到和处理政府信息公开申请情况")
    row = write_grid(ws, T3, values, row + 1, left, merge=merge, label=label, number=number) + 2
    next_sheet("Sheet4")
    ws.cell(row, left, "四、政府信息公开行政复议、行政诉讼情况")
    row = write_grid(ws, T4, values, row + 1, left, merge=merge, label=label, number=number) + 2
    if fee:
        ws.cell(row, left, "信息处理费")
        row = write_grid(ws, FEE, values, row + 1, left, merge=merge, label=label, number=number) + 2
    if after:
        after(wb)
    wb.save(path)
    return path


def find_cell(path: Path, text: str) -> tuple[str, int, int]:
    """(sheet, 1-based row, 1-based col) of the first cell holding exactly `text`."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == text:
                    return ws.title, c.row, c.column
    raise KeyError(text)


def a1(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


# ---- LibreOffice -------------------------------------------------------------------------------
def lo_edit(jobs: list[tuple[Path, Path, list]], profile: Path) -> None:
    """Run edits (insert rows, delete sheets, convert) with LibreOffice in one session."""
    spec = profile.parent / f"jobs-{os.getpid()}-{len(jobs)}.json"
    spec.write_text(json.dumps([[str(s), str(d), ops] for s, d, ops in jobs], ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([UNO_PYTHON, str(HERE / "lo_edit.py"), str(profile), str(spec)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for _, dst, _ in jobs:
        assert Path(dst).exists(), f"LibreOffice did not write {dst}"


# ---- a published report's web page ---------------------------------------------------------------
def _html_grid(grid, values: dict, blank_zero: bool) -> str:
    """One statutory grid as the published HTML tables lay it out (rowspan/colspan)."""
    col_depth = _depth(grid.cols)
    label_cols = max((r.depth for r in grid.rows), default=0)
    head = col_depth + (1 if grid.col_root else 0)
    rows: list[list[str]] = [[] for _ in range(head)]
    if label_cols:
        rows[0].append(f'<td rowspan="{head}" colspan="{label_cols}">{grid.corner}</td>')
    if grid.col_root:
        rows[0].append(f'<td colspan="{len(grid.col_paths)}">{grid.col_root}</td>')

    def cols(nodes, level):
        for node in nodes:
            r = head - col_depth + level
            n = len(node.leaves())
            if node.children:
                rows[r].append(f'<td colspan="{n}">{node.label}</td>')
                cols(node.children, level + 1)
            else:
                rows[r].append(f'<td rowspan="{col_depth - level}">{node.label.replace("企业", "<br/>企业")}</td>')

    cols(grid.cols, 0)
    body = []
    for row in grid.row_paths or [()]:
        cells = []
        for depth, node in enumerate(row):
            first_leaf = node.leaves()[0][-1] is row[-1] if node.children else True
            if node.children and first_leaf:
                cells.append(f'<td rowspan="{len(node.leaves())}">{node.label}</td>')
            elif not node.children:
                cells.append(f'<td colspan="{label_cols - depth}">{node.label}</td>')
        for col in grid.col_paths:
            v = values.get(grid.cell_id(row, col))
            cells.append("<td>&nbsp;</td>" if v is None or (blank_zero and v == 0) else f"<td>{v}</td>")
        body.append(cells)
    return '<table border="1">' + "".join(f"<tr>{''.join(r)}</tr>" for r in rows + body) + "</table>"


def statutory_html(report: Report, title: str, blank_zero: bool = True) -> str:
    """The report's tables as a government website publishes them (zeros left blank)."""
    parts = [f"<p>{title}</p>", "<p>二、主动公开政府信息情况</p>"]
    for grid in T2_GRIDS:
        parts.append(f"<p>{grid.title}</p>" + _html_grid(grid, report.cells, blank_zero))
    parts += ["<p>三、收到和处理政府信息公开申请情况</p>", _html_grid(T3, report.cells, blank_zero)]
    parts += ["<p>四、政府信息公开行政复议、行政诉讼情况</p>", _html_grid(T4, report.cells, blank_zero)]
    return '<html><head><meta charset="utf-8"></head><body>' + "".join(parts) + "</body></html>"


def lo_import_html(html: Path, dst: Path, profile: Path) -> Path:
    """Open a web page in LibreOffice Calc and save it as a workbook (merged cells kept)."""
    proc = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--infilter=HTML (StarCalc)",
            "--convert-to",
            dst.suffix.lstrip("."),
            "--outdir",
            str(dst.parent),
            str(html),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    produced = dst.parent / (html.stem + dst.suffix)
    assert produced.exists(), proc.stderr[-2000:]
    produced.rename(dst)
    return dst
