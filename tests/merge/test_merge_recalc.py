"""The summary recalculated by a real spreadsheet engine (LibreOffice, always recalculating):
its totals and live checks say what the Python rules say."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from gk import CELLS, GK, INPUT_IDS, LAYOUT
from mergekit import EXAMPLES, run

from xlsx_tools.read.reader import read_report

pytestmark = pytest.mark.libreoffice  # every test here recalculates in LibreOffice

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculated(book: Path, tmp: Path) -> dict[str, list[list[str]]]:
    """Every sheet of `book` as LibreOffice computes it, as CSV rows."""
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = tmp / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return {p.stem.split("-", 1)[1]: list(csv.reader(p.open(encoding="utf-8"))) for p in out.glob("*.csv")}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("recalc")
    book = tmp / "汇总.xlsx"
    assert run("merge", EXAMPLES, "-o", book, "--name", "示例县", "--year", "2025") == 1
    return book, recalculated(book, tmp)


def test_totals_recalculated_equal_the_sums(sheets):
    book, csvs = sheets
    cells = read_report(book).cells
    for cid in CELLS:
        pos = LAYOUT.pos[cid]
        text = csvs[pos.sheet][pos.row][pos.col]
        assert float(text) == pytest.approx(cells[cid]), cid


def test_live_checks_pass_after_recalculation(sheets):
    _, csvs = sheets
    status = LAYOUT.pos["status"]
    assert csvs[status.sheet][status.row][status.col] == "校验通过"  # a summary needs no 统一社会信用代码
    errors = LAYOUT.pos["errors"]
    assert csvs[errors.sheet][errors.row][errors.col] == "0"


def test_merge_sheets_read_by_libreoffice(sheets):
    _, csvs = sheets
    assert len(csvs["明细"]) == 1 + 5 * len(INPUT_IDS)
    assert csvs["报送登记"][0][:3] == ["序号", "文件", "单位名称"]
    assert [r[9] for r in csvs["报送登记"][1:7]] == ["通过", "通过", "通过", "有警告", "有错误", "有警告"]  # 04: a warning, explained


def test_review_sheets_read_by_libreoffice(sheets):
    """说明汇总, and 逐单位数据 with its narrative written as inline strings."""
    from xlsx_tools.merge.review import AGENCIES, EXPLANATIONS, agency_columns

    _, csvs = sheets
    [row] = csvs[EXPLANATIONS][1:]
    assert row[1] == "示例县卫生健康局" and row[4] == "DEADLINE" and row[8].startswith("因机构改革")
    head, ids, *agencies = csvs[AGENCIES]
    cols = agency_columns(GK)
    assert ids[: len(cols)] == [key for key, _ in cols]
    assert len(agencies) == 6 and agencies[0][0] == "示例县人力资源和社会保障局"
    overview = ids.index("text.overview")
    assert agencies[0][overview] == read_report(EXAMPLES / "01-人社局-申请量大.xlsx").text["overview"]
