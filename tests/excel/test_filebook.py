"""The 校验 button run on a file (excel/filebook.py) and its actions written into the
package (excel/patch.py): the payload equals the one the VBA client sends (built
independently with openpyxl by testing/payload.py), the marked workbook equals the
actions replayed on the file with openpyxl (tests/remote_actions.py), and every part
and cell the actions do not name keeps its bytes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from gk import LAYOUT
from remote_actions import apply_actions as replay
from remote_actions import fill_of

from xlsx_tools.build.styles import ERROR_FILL, INPUT_FILL, WARNING_FILL
from xlsx_tools.check import validate_file
from xlsx_tools.excel import validate_payload
from xlsx_tools.excel.filebook import NotMarkable, file_payload, marked_workbook
from xlsx_tools.excel.patch import PatchError, apply_actions, sheet_parts
from xlsx_tools.excel.results import result_rows
from xlsx_tools.form import Pos, current
from xlsx_tools.form.layout import parse_a1
from xlsx_tools.testing.payload import book_payload

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
UNBALANCED = ROOT / "examples" / "05-自然资源局-结转不平衡.xlsx"
TEMPLATE_XLSM = ROOT / "workbook_template.xlsm"
SPEC = current()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _trimmed(values: list[list]) -> list[list]:
    """Values without trailing empty rows and columns; '' (a formula's empty text, which
    python-calamine reads as nothing) as None."""
    rows = [[None if v == "" else v for v in row] for row in values]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in rows), default=0)
    return [r[:width] + [None] * (width - len(r[:width])) for r in rows]


@pytest.mark.parametrize("path", [*EXAMPLES, TEMPLATE_XLSM], ids=lambda p: p.name)
def test_payload_is_what_the_vba_client_sends(path):
    ours, theirs = file_payload(path), book_payload(path)
    assert (ours["client"], ours["version"], ours["book"]["name"]) == (theirs["client"], theirs["version"], theirs["book"]["name"])
    assert [s["name"] for s in ours["sheets"]] == [s["name"] for s in theirs["sheets"]]
    for a, b in zip(ours["sheets"], theirs["sheets"], strict=True):
        assert _trimmed(a["values"]) == _trimmed(b["values"]), a["name"]
    cells = re.compile(r"^[A-Z]+[0-9]+$")
    expected = {n["name"]: (n["sheet_index"], n["address"]) for n in theirs["names"] if n["book_scope"] and cells.match(n["address"])}
    assert {n["name"]: (n["sheet_index"], n["address"]) for n in ours["names"]} == expected
    assert validate_payload(ours) == validate_payload(theirs)  # the button does exactly the same on both


def _targets(actions: list[dict], sheets: list[str]) -> dict[str, set[tuple[int, int]]]:
    out: dict[str, set] = {}
    for a in actions:
        if a["func"] == "alert":
            continue
        name = sheets[a["sheet_position"]]
        rows = len(a["values"]) if a["func"] == "setValues" else a["row_count"]
        cols = len(a["values"][0]) if a["func"] == "setValues" else a["column_count"]
        out.setdefault(name, set()).update((a["start_row"] + r, a["start_column"] + c) for r in range(rows) for c in range(cols))
    return out


CELL = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+[0-9]+)\"[^>]*?(?:/>|>.*?</c>)", re.S)


def _cells(xml: bytes) -> dict[tuple[int, int], bytes]:
    return {parse_a1(m.group(1).decode()): m.group(0) for m in CELL.finditer(xml)}


def _outside(xml: bytes) -> bytes:
    """A sheet without its cells and its dimension."""
    xml = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", b"", xml, flags=re.S)
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


def _replayed(path: Path, actions: list[dict], tmp_path: Path) -> openpyxl.Workbook:
    target = tmp_path / "replayed.xlsx"
    replay(path, actions, target)
    return openpyxl.load_workbook(target)


def _assert_same_as_replay(marked: bytes, replayed: openpyxl.Workbook) -> None:
    ours = openpyxl.load_workbook(io.BytesIO(marked), data_only=True)
    for ws in ours.worksheets:
        other = replayed[ws.title]
        for row in range(1, max(ws.max_row, other.max_row) + 1):
            for col in range(1, max(ws.max_column, other.max_column) + 1):
                a, b = ws.cell(row, col), other.cell(row, col)
                where = f"{ws.title}!{a.coordinate}"
                assert (None if a.value == "" else a.value) == (None if b.value == "" else b.value), where
                assert fill_of(ws, Pos(ws.title, row - 1, col - 1)) == fill_of(other, Pos(ws.title, row - 1, col - 1)), where
                assert _format(a) == _format(b), where


def _format(cell) -> tuple:
    return (cell.protection.locked, cell.number_format, cell.font.name, cell.font.b, cell.border.left.style, cell.alignment.wrap_text)


@pytest.mark.parametrize("path", [*EXAMPLES, TEMPLATE_XLSM], ids=lambda p: p.name)
def test_marked_workbook_is_the_buttons_and_nothing_else_changed(path, tmp_path):
    marked = marked_workbook(path)
    before, after = parts(path.read_bytes()), parts(marked.data)
    assert list(after) == list(before)  # the same parts, in the same order
    changed = sorted(n for n in before if before[n] != after[n])
    assert changed == marked.parts
    with zipfile.ZipFile(path) as zf:
        where = sheet_parts(zf)
    sheets = [s["name"] for s in file_payload(path)["sheets"]]
    targets = _targets(marked.actions, sheets)
    assert set(changed) <= {"xl/styles.xml"} | {where[s] for s in targets}
    for name, cells in targets.items():
        part = where[name]
        old, new = _cells(before[part]), _cells(after[part])
        assert _outside(before[part]) == _outside(after[part]), part
        assert set(old) <= set(new)  # no cell removed
        for key in set(old) | set(new):
            if key not in cells:
                assert old.get(key) == new.get(key), (part, key)  # byte for byte
    if "xl/styles.xml" in changed:
        old, new = before["xl/styles.xml"], after["xl/styles.xml"]
        for block in (b"fills", b"cellXfs"):
            inner_old = re.search(rb"<" + block + rb"\b[^>]*>(.*?)</" + block + rb">", old, re.S).group(1)
            inner_new = re.search(rb"<" + block + rb"\b[^>]*>(.*?)</" + block + rb">", new, re.S).group(1)
            assert inner_new.startswith(inner_old)  # appended to, never rewritten
        assert re.sub(rb"<(fills|cellXfs)\b.*?</\1>", b"", old, flags=re.S) == re.sub(rb"<(fills|cellXfs)\b.*?</\1>", b"", new, flags=re.S)
    _assert_same_as_replay(marked.data, _replayed(path, marked.actions, tmp_path))


def test_unbalanced_example_is_marked_like_the_button(tmp_path):
    marked = marked_workbook(UNBALANCED)
    wb = openpyxl.load_workbook(io.BytesIO(marked.data))
    layout = SPEC.layout
    t3 = LAYOUT.pos["t3.new.natural"]
    assert fill_of(wb[t3.sheet], t3) == ERROR_FILL  # the unbalanced column's cells
    assert fill_of(wb[t3.sheet], t3.moved(dcol=1)) == INPUT_FILL  # a sound neighbour
    text = LAYOUT.pos["text.overview"]
    assert fill_of(wb[text.sheet], text) == WARNING_FILL  # the narrative's warning
    findings = validate_file(UNBALANCED).findings
    rows = [[c.value for c in row] for row in wb[layout.results].iter_rows(min_row=layout.result_first_row + 1)]
    assert rows == [[None if v == "" else v for v in row] for row in result_rows(SPEC, findings)]
    status = LAYOUT.pos["run_status"]
    assert wb[status.sheet].cell(status.row + 1, status.col + 1).value == "发现 2 处问题，另有 1 处提示"
    assert UNBALANCED.read_bytes() != marked.data  # a copy was marked; the input is only read


def test_marking_a_marked_workbook_again_changes_nothing_more(tmp_path):
    once = tmp_path / "once.xlsx"
    once.write_bytes(marked_workbook(UNBALANCED).data)
    twice = marked_workbook(once)
    assert twice.data == once.read_bytes() or twice.parts == []  # the same marks: nothing to write


def test_a_fixed_cell_loses_its_mark(tmp_path):
    """As with the button: marked, corrected, marked again → the cell is back to the input fill."""
    once = tmp_path / "once.xlsx"
    once.write_bytes(marked_workbook(UNBALANCED).data)
    wb = openpyxl.load_workbook(once)
    t3 = LAYOUT.pos["t3.new.natural"]
    wb[t3.sheet].cell(t3.row + 1, t3.col + 1).value += 1  # 本年新收 + 上年结转 = 105 again, as (七)总计 + 结转下年度
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    again = openpyxl.load_workbook(io.BytesIO(marked_workbook(fixed).data))
    assert fill_of(again[t3.sheet], t3) == INPUT_FILL


def test_macros_and_buttons_of_an_xlsm_keep_their_bytes():
    marked = marked_workbook(TEMPLATE_XLSM)
    before, after = parts(TEMPLATE_XLSM.read_bytes()), parts(marked.data)
    for name in before:
        if name.endswith((".bin", ".vml")) or "drawings" in name or name == "[Content_Types].xml":
            assert before[name] == after[name], name
    assert any(n.endswith("vbaProject.bin") for n in after)


def test_workbooks_the_button_cannot_mark(tmp_path):
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "不是年度报告"
    wb.save(plain)
    with pytest.raises(NotMarkable, match="不是用本工具的报告模板填写的"):
        marked_workbook(plain)
    csv = tmp_path / "报告.xlsx"
    csv.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(Exception, match="CSV"):
        marked_workbook(csv)


# ---- the patcher on packages other writers make ----------------------------------------------


def _package(sheet: bytes, styles: bytes | None = None) -> bytes:
    """A workbook openpyxl writes (one sheet, 'S & T'), with our own sheet and styles, and a
    calculation chain."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    styles = styles or (
        b"<styleSheet " + ns + b'><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        b'</fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyProtection="1"><protection locked="0"/></xf></cellXfs></styleSheet>'
    )
    wb = openpyxl.Workbook()
    wb.active.title = "S & T"
    base = io.BytesIO()
    wb.save(base)
    files = parts(base.getvalue())
    files["xl/worksheets/sheet1.xml"] = sheet
    files["xl/styles.xml"] = styles
    files["xl/calcChain.xml"] = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="C1" i="1"/></calcChain>'
    )
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_patch_writes_values_colours_and_new_cells_in_order():
    sheet = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:B2"/><x:sheetData>'
        b'<x:row r="1"><x:c r="A1" s="1"><x:v>1</x:v></x:c><x:c r="C1"><x:f>A1*2</x:f><x:v>2</x:v></x:c></x:row>'
        b"<x:row><x:c><x:v>5</x:v></x:c></x:row>"  # row 2 and A2 without r attributes
        b"</x:sheetData></x:worksheet>"
    )
    actions = [
        {
            "func": "setRangeColor",
            "args": ["#FFC7CE"],
            "sheet_position": 0,
            "start_row": 0,
            "start_column": 0,
            "row_count": 2,
            "column_count": 2,
        },
        {"func": "setValues", "values": [["<b>&\x01 ", 3.5], [True, ""]], "sheet_position": 0, "start_row": 0, "start_column": 1},
        {"func": "setValues", "values": [["末行"]], "sheet_position": 0, "start_row": 4, "start_column": 2},
        {"func": "setValues", "values": [["_x0041_"]], "sheet_position": 0, "start_row": 5, "start_column": 0},
        {"func": "rangeClearContents", "sheet_position": 0, "start_row": 0, "start_column": 2, "row_count": 9, "column_count": 1},
        {"func": "alert", "args": ["x"]},
    ]
    out = apply_actions(_package(sheet), ["S & T"], actions)
    got = parts(out.data)
    xml = got["xl/worksheets/sheet1.xml"]
    assert b'<x:c r="A1" s="2"><x:v>1</x:v></x:c>' in xml  # the unlocked format, copied with the fill
    assert b'<x:c r="B1" s="3" t="inlineStr"><x:is><x:t xml:space="preserve">&lt;b&gt;&amp;_x0001_ </x:t></x:is></x:c>' in xml
    assert b'<x:c r="C1"/>' in xml and b"A1*2" not in xml  # cleared: the formula went with its value
    assert b'<x:c r="A2" s="3"><x:v>5</x:v></x:c><x:c r="B2" s="3" t="b"><x:v>1</x:v></x:c>' in xml
    assert '<x:row r="5"><x:c r="C5" t="inlineStr"><x:is><x:t>末行</x:t></x:is></x:c></x:row>'.encode() in xml
    assert b"<x:t>_x005F_x0041_</x:t>" in xml  # a literal that looks like OOXML's escape stays literal
    assert b'<x:dimension ref="A1:C6"/>' in xml
    styles = got["xl/styles.xml"]
    assert b'<fills count="3">' in styles and b'<fgColor rgb="FFFFC7CE"/>' in styles
    assert b'<cellXfs count="4">' in styles
    assert (
        b'<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyProtection="1" applyFill="1"><protection locked="0"/></xf>'
        in styles
    )
    assert "xl/calcChain.xml" not in got and b"calcChain" not in got["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in got["[Content_Types].xml"]
    wb = openpyxl.load_workbook(io.BytesIO(out.data))
    ws = wb["S & T"]
    assert [ws["A1"].value, ws["C1"].value, ws["B2"].value, ws["C5"].value] == [1, None, True, "末行"]
    assert ws["A1"].fill.fgColor.rgb == "FFFFC7CE" and ws["A1"].protection.locked is False


def test_patch_never_breaks_a_shared_formula():
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1"><f t="shared" ref="A1:A3" si="0">B1</f><v>0</v></c></row></sheetData></worksheet>'
    )
    action = {"func": "setValues", "values": [["x"]], "sheet_position": 0, "start_row": 0, "start_column": 0}
    with pytest.raises(PatchError, match="共享或数组公式"):
        apply_actions(_package(sheet), ["S & T"], [action])


def test_patch_on_an_empty_sheet_and_an_unknown_action():
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    out = apply_actions(
        _package(sheet), ["S & T"], [{"func": "setValues", "values": [[7]], "sheet_position": 0, "start_row": 1, "start_column": 1}]
    )
    assert b'<sheetData><row r="2"><c r="B2"><v>7</v></c></row></sheetData>' in parts(out.data)["xl/worksheets/sheet1.xml"]
    with pytest.raises(PatchError, match="runPython"):
        apply_actions(_package(sheet), ["S & T"], [{"func": "runPython", "sheet_position": 0}])


@pytest.mark.libreoffice
def test_libreoffice_opens_the_marked_workbook_of_a_file_it_saved(lo_files, libreoffice, tmp_path):
    """A workbook LibreOffice wrote (shared strings, its own styles) is marked, and LibreOffice
    reads the marks back: the results sheet's rows and the cover's status."""
    source = lo_files["row_inside"]
    marked = tmp_path / "marked.xlsx"
    marked.write_bytes(marked_workbook(source).data)
    (back,) = libreoffice.convert([marked], "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(back, data_only=True)
    layout = SPEC.layout
    rows = [[c.value for c in row] for row in wb[layout.results].iter_rows(min_row=layout.result_first_row + 1) if row[0].value]
    findings = validate_file(source).findings
    assert [r[:2] for r in rows] == [r[:2] for r in result_rows(SPEC, findings)]
    assert [r[8] for r in rows] == [r[8] for r in result_rows(SPEC, findings)]
    status = LAYOUT.pos["run_status"]
    assert wb[status.sheet].cell(status.row + 1, status.col + 1).value.startswith("发现")
