"""`xlsx-tools build-xlsm`, checked with readers that did not write it: oletools'
olevba and olefile for the VBA project, openpyxl for the workbook, headless
LibreOffice for the whole file (it keeps every VBA module of an .xlsm it converts
to .ods as Basic/VBAProject/<Module>.xml, and the buttons as form controls)."""

from __future__ import annotations

import re
import subprocess
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import olefile
import openpyxl
import pytest
from gk import COVER, GK, LAYOUT, SHEET_ORDER, TABLE_SHEETS

from xlsx_tools.build import xlsm
from xlsx_tools.check.validate import validate_file
from xlsx_tools.cli import main

with warnings.catch_warnings():  # oletools still uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

REPO = Path(__file__).resolve().parents[2]
OUR_MODULE = Path(xlsm.MACRO_FILE).stem
MODULES = [name for name, _ in xlsm.STANDALONE_MODULES + xlsm.REMOTE_MODULES] + [OUR_MODULE]
SHEETS = [*SHEET_ORDER, xlsm.CONF_SHEET]
BUTTON_SHEETS = {COVER, *TABLE_SHEETS.values()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "workbook_template.xlsm"
    assert main(["build-xlsm", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def sources(built) -> dict[str, str]:
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        return {Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def ods(built, tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("ods")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "ods", "--outdir", str(out), str(built)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return zipfile.ZipFile(out / (built.stem + ".ods"))


def test_package_is_a_macro_enabled_workbook(built):
    with zipfile.ZipFile(built) as zf:
        types = zf.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "xl/vbaProject.bin" in zf.namelist()
        assert 'codeName="ThisWorkbook"' in zf.read("xl/workbook.xml").decode()


def test_olevba_lists_every_module_and_our_source(sources):
    assert set(MODULES) <= set(sources)
    ours = sources[OUR_MODULE]
    assert f"Public Sub {xlsm.MACRO_NAME}()" in ours
    assert "RunPython GK_PYTHON" in ours and "RunServerPython url" in ours
    assert "gk.validate_caller()" in ours
    assert f"Public Sub {xlsm.PUBLISH_MACRO}()" in ours and "gk.publish_caller()" in ours  # the 生成报告 button
    assert "RunPython GK_PUBLISH_PYTHON" in ours and "RunServerPython GK_PublishUrl(url)" in ours
    assert ours == ours.encode("ascii").decode("ascii")


def test_the_macro_calls_only_procedures_the_project_defines(sources):
    defined = {
        name
        for code in sources.values()
        for name in re.findall(r"^(?:Public |Private )?(?:Function|Sub) (\w+)\(", code, flags=re.MULTILINE)
    }
    for called in ("GetConfig", "RunPython", "RunServerPython"):
        assert called in defined, called
    assert "Public Const XLWINGS_VERSION" in sources["xlwings"]


def test_document_modules_match_the_sheets(built):
    with zipfile.ZipFile(built) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
        project = ole.openstream("PROJECT").read().decode("latin-1")
        documents = re.findall(r"^Document=(\w+)/", project, flags=re.MULTILINE)
        assert documents == ["ThisWorkbook"] + [f"Sheet{i}" for i in range(1, len(SHEETS) + 1)]
        for i in range(1, len(SHEETS) + 1):
            sheet = zf.read(f"xl/worksheets/sheet{i}.xml").decode()
            assert f'codeName="Sheet{i}"' in sheet


def test_buttons_call_the_macro(built):
    with zipfile.ZipFile(built) as zf:
        vml = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/drawings/vmlDrawing")]
    assert len(vml) == len(BUTTON_SHEETS)
    for drawing in vml:
        assert f"[0]!{xlsm.MACRO_NAME}" in drawing and "校验" in drawing
    publishing = [d for d in vml if f"[0]!{xlsm.PUBLISH_MACRO}" in d]
    assert len(publishing) == 1 and "生成报告" in publishing[0]  # on the cover only


def test_conf_sheet(built, tmp_path):
    wb = openpyxl.load_workbook(built)
    assert wb.sheetnames == SHEETS
    conf = wb[xlsm.CONF_SHEET]
    assert conf.sheet_state == "hidden"
    keys = [r[0] for r in conf.iter_rows(values_only=True)]
    assert None not in keys  # xlwings reads keys from A1 down to the first blank
    rows = {r[0]: r[1] for r in conf.iter_rows(values_only=True)}
    assert rows == {"UDF_MODULES": "xlsx_tools.excel.udfs", xlsm.SERVER_KEY: None}  # no interpreter: xlwings' own setting

    other = tmp_path / "server.xlsm"
    xlsm.build_xlsm(other, interpreter=r"C:\Python312\pythonw.exe", server_url="http://127.0.0.1:8000/validate")
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(other)[xlsm.CONF_SHEET].iter_rows(values_only=True)}
    assert rows["INTERPRETER_WIN"] == r"C:\Python312\pythonw.exe"
    assert rows[xlsm.SERVER_KEY] == "http://127.0.0.1:8000/validate"


def test_still_the_template_for_the_reader(built, tmp_path):
    plain = tmp_path / "template.xlsx"
    main(["template", "-o", str(plain)])
    assert [f.to_json() for f in validate_file(built).findings] == [{**f.to_json()} for f in validate_file(plain).findings]


@pytest.mark.libreoffice
def test_libreoffice_keeps_every_module(ods):
    names = ods.namelist()
    for module in MODULES:
        assert f"Basic/VBAProject/{module}.xml" in names, module
    ours = ods.read(f"Basic/VBAProject/{OUR_MODULE}.xml").decode()
    assert xlsm.MACRO_NAME in ours and "gk.validate_caller()" in ours


@pytest.mark.libreoffice
def test_libreoffice_sees_a_button_on_the_cover_and_each_table_sheet(ods):
    ns = {
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "form": "urn:oasis:names:tc:opendocument:xmlns:form:1.0",
        "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
        "xlink": "http://www.w3.org/1999/xlink",
    }
    root = ElementTree.fromstring(ods.read("content.xml"))
    found = {}
    for table in root.iter(f"{{{ns['table']}}}table"):
        buttons = table.findall(".//form:button", ns)
        if buttons:
            name = table.get(f"{{{ns['table']}}}name")
            found[name] = [
                (b.get(f"{{{ns['form']}}}label"), [e.get(f"{{{ns['xlink']}}}href") for e in b.findall(".//script:event-listener", ns)])
                for b in buttons
            ]
    assert set(found) == BUTTON_SHEETS
    for sheet, buttons in found.items():
        (label, hrefs), *others = buttons
        assert label == "校验"
        assert any(f"VBAProject.{OUR_MODULE}.{xlsm.MACRO_NAME}" in h for h in hrefs), sheet
        if sheet == COVER:  # and beside it, 生成报告
            ((label, hrefs),) = others
            assert label == "生成报告"
            assert any(f"VBAProject.{OUR_MODULE}.{xlsm.PUBLISH_MACRO}" in h for h in hrefs)
        else:
            assert others == []


def test_button_positions_come_from_the_layout():
    cells = xlsm._button_cells(GK)
    run = LAYOUT.pos["run_status"]
    assert cells[COVER] == (run.row, run.col + 1)
    for sheet in TABLE_SHEETS.values():
        _row, col = cells[sheet]
        assert all(lb.pos.col + lb.cols <= col for lb in LAYOUT.sheets[sheet].labels)  # right of the table


def test_existing_output_is_not_overwritten(built, capsys):
    before = built.read_bytes()
    assert main(["build-xlsm", "-o", str(built)]) == 2
    assert "已存在" in capsys.readouterr().err
    assert built.read_bytes() == before


def test_every_macro_source_is_ascii():
    files = sorted((REPO / "macros").glob("*.bas"))
    assert files
    for path in files:
        path.read_bytes().decode("ascii")


def test_a_non_ascii_macro_is_refused(tmp_path, monkeypatch):
    (tmp_path / xlsm.MACRO_FILE).write_text('Attribute VB_Name = "GK_Validate"\r\nMsgBox "校验"\r\n', encoding="utf-8")
    monkeypatch.setattr(xlsm, "MACRO_DIR", tmp_path)
    with pytest.raises(xlsm.BuildError, match="ASCII"):
        xlsm.macro_source()


def test_build_is_reproducible(tmp_path):
    a, b = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    xlsm.build_xlsm(a)
    xlsm.build_xlsm(b)
    assert a.read_bytes() == b.read_bytes()


def test_committed_xlsm_equals_the_build(tmp_path):
    """workbook_template.xlsm at the repo root is what `xlsx-tools build-xlsm` produces."""
    out = tmp_path / "workbook_template.xlsm"
    xlsm.build_xlsm(out)
    committed = Path(__file__).resolve().parents[2] / "workbook_template.xlsm"
    assert committed.read_bytes() == out.read_bytes()
