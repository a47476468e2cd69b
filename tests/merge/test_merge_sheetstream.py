"""StreamSheet: streamed rows read back the same by python-calamine, openpyxl and LibreOffice."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from mergekit import sheet

from xlsx_tools.build.sheetstream import EXCEL_MAX_ROWS, Block, StreamSheet

ROWS = [
    ("甲", 1, 2.5, None, "=1+1"),
    ("乙 & <丙>", -3, 1e-05, "", "x" * 40000),
    ("甲", 10**15, 0.1 + 0.2, "换行\n文字", None),
]


def build(path: Path, tmp: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("前")
    ws = wb.add_worksheet("表", worksheet_class=StreamSheet)
    ws.write_row(0, 0, ["名称", "数", "小数", "空", "文字"], wb.add_format({"bold": True}))
    ws.freeze_panes(1, 0)
    fast = Block([ws.text_cells(["甲", None]) + StreamSheet.number_cell(7), ws.text_cells(["乙"])])
    n = ws.stream([*ROWS, fast], 1, tmp, width=5)
    ws.autofilter(0, 0, n, 4)
    wb.add_worksheet("后").write_string(0, 0, "甲")
    wb.close()


EXPECTED = [
    ["名称", "数", "小数", "空", "文字"],
    ["甲", 1, 2.5, None, "=1+1"],
    ["乙 & <丙>", -3, 1e-05, None, "x" * 32766 + "…"],
    ["甲", 10**15, 0.30000000000000004, "换行\n文字", None],
    ["甲", None, 7, None, None],
    ["乙", None, None, None, None],
]


@pytest.fixture()
def book(tmp_path) -> Path:
    path = tmp_path / "s.xlsx"
    build(path, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]  # the row file is gone
    return path


def _norm(rows):
    out = []
    for row in rows:
        row = [None if v in ("", None) else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]
        out.append(row + [None] * (5 - len(row)))
    return out


def test_calamine_reads_the_rows(book):
    assert _norm(sheet(book, "表")) == EXPECTED
    assert sheet(book, "后") == [["甲"]]  # shared strings of other sheets intact


def test_openpyxl_reads_rows_dimension_filter_and_panes(book):
    ws = openpyxl.load_workbook(book)["表"]
    assert _norm([[c.value for c in row] for row in ws.iter_rows()]) == EXPECTED
    assert ws.dimensions == "A1:E6"
    assert ws.auto_filter.ref == "A1:E6"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b


@pytest.mark.libreoffice
def test_libreoffice_reads_the_rows(book, tmp_path):
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
            "--outdir",
            str(out),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    rows = list(csv.reader((out / "s-表.csv").open(encoding="utf-8")))
    assert rows[0] == ["名称", "数", "小数", "空", "文字"]
    assert rows[1][:3] == ["甲", "1", "2.5"] and rows[1][4] == "=1+1"
    assert rows[3][0] == "甲" and rows[3][3] == "换行\n文字"
    assert rows[4][:3] == ["甲", "", "7"]
    assert rows[5][0] == "乙"


def test_rows_beyond_excel_limit_are_refused(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "x.xlsx")
    ws = wb.add_worksheet("表", worksheet_class=StreamSheet)
    with pytest.raises(ValueError, match="行数上限"):
        ws.stream([(1,), (2,), (3,)], EXCEL_MAX_ROWS - 2, tmp_path)
    ws2 = wb.add_worksheet("表2", worksheet_class=StreamSheet)
    with pytest.raises(ValueError, match="行数上限"):
        ws2.stream([Block(["<c><v>1</v></c>"] * 3)], EXCEL_MAX_ROWS - 2, tmp_path)
    wb.close()


def test_stream_once(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "x.xlsx")
    ws = wb.add_worksheet("表", worksheet_class=StreamSheet)
    ws.stream([(1,)], 0, tmp_path)
    with pytest.raises(RuntimeError):
        ws.stream([(1,)], 1, tmp_path)
    wb.close()
    assert sheet(tmp_path / "x.xlsx", "表") == [[1.0]]
