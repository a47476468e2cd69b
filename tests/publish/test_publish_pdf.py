"""A real engine prints the published document: LibreOffice turns the .docx into PDF
(`xlsx-tools publish -o X.pdf`), and the PDF is checked from its text positions
(pdfplumber): A4, every table within the text block, every statutory label present,
table 三's header repeated at the top of its second page; the PDF reads back as the same
report, fingerprint included. Also: a published .docx saved again by LibreOffice (as an
editor would) keeps its fingerprint."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest
from conftest import EXAMPLES
from gk import GK

from xlsx_tools.check import validate_file
from xlsx_tools.cli import main
from xlsx_tools.publish.style import MARGIN_MM, PAGE_MM
from xlsx_tools.read import read_report

pytestmark = pytest.mark.libreoffice

PT_PER_MM = 72 / 25.4
LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3, "join_tolerance": 3}
SOURCES = {"busy": EXAMPLES / "01-人社局-申请量大.xlsx", "quiet": EXAMPLES / "02-青山镇-全部为零.xlsx"}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    summary = out / "汇总.xlsx"
    assert main(["merge", str(EXAMPLES), "-o", str(summary), "--name", "示例县人民政府", "--year", "2025"]) == 1
    made = {}
    for name, src in {**SOURCES, "summary": summary}.items():
        made[name] = out / f"{name}.pdf"
        assert main(["publish", str(src), "-o", str(made[name])]) == 0
    return made


def _flat(text: str | None) -> str:
    return "".join((text or "").split())


def _node_labels(nodes) -> set[str]:
    return {n.label for n in nodes} | {x for n in nodes for x in _node_labels(n.children)}


def statutory_labels() -> set[str]:
    """Every label the national format prints: headings, group rows, headers, row labels, notes."""
    labels = {h for _, h in GK.outline_labels}
    for key in GK.outline:
        if key not in GK.table:
            continue
        grids = GK.table_grids(key)
        for grid in grids:
            if len(grids) > 1:
                labels.add(grid.title)
            labels |= {x for x in (grid.corner, grid.col_root) if x}
            labels |= _node_labels(grid.rows) | _node_labels(grid.cols)
    return {_flat(x) for x in labels}


def pages(pdf: Path):
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            tables = page.find_tables(LINES)
            yield page.width, page.height, page.chars, [(t.bbox, t.extract()) for t in tables], page.extract_text()


@pytest.mark.parametrize("name", ["busy", "quiet", "summary"])
def test_a4_and_every_table_within_the_text_block(pdfs, name):
    left = MARGIN_MM["left"] * PT_PER_MM
    right = (PAGE_MM[0] - MARGIN_MM["right"]) * PT_PER_MM
    n_tables = 0
    for width, height, chars, tables, _text in pages(pdfs[name]):
        assert (round(width / PT_PER_MM), round(height / PT_PER_MM)) == (210, 297)
        for (x0, _top, x1, _bottom), _rows in tables:
            n_tables += 1
            assert left - 1.5 <= x0 and x1 <= right + 1.5, (x0, x1, left, right)
        assert all(left - 1.5 <= c["x0"] and c["x1"] <= right + 1.5 for c in chars), "text outside the text block"
    assert n_tables >= 3


@pytest.mark.parametrize("name", ["busy", "summary"])
def test_every_statutory_label_is_printed(pdfs, name):
    seen: set[str] = set()
    printed = ""
    for _w, _h, _chars, tables, text in pages(pdfs[name]):
        printed += _flat(text)
        seen |= {_flat(cell) for _box, rows in tables for row in rows for cell in row if cell}
    missing = {label for label in statutory_labels() if label not in seen and label not in printed}
    assert missing == set()
    assert _flat("示例县人力资源和社会保障局2025年政府信息公开工作年度报告") in printed or name == "summary"


def test_table_three_repeats_its_header_on_its_second_page(pdfs):
    header = [_flat(x) for x in ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "总计")]
    body = {_flat(n.label) for grid in GK.table_grids("t3") for path in grid.row_paths for n in path}
    found = []
    for number, (_w, _h, _chars, tables, _text) in enumerate(pages(pdfs["busy"]), start=1):
        for _box, rows in tables:
            cells = [_flat(c) for row in rows for c in row if c]
            if body & set(cells):
                found.append((number, [_flat(c) for row in rows[:3] for c in row if c]))
    assert [n for n, _ in found] == [1, 2], "table 三 of this report runs from page 1 onto page 2"
    for _number, top in found:
        assert all(h in top for h in header), top


def test_the_pdf_reads_back_as_the_same_report(pdfs):
    busy = read_report(pdfs["busy"])
    source = read_report(SOURCES["busy"])
    assert busy.cells == source.cells
    assert (busy.meta["agency"], busy.meta["year"]) == (source.meta["agency"], source.meta["year"])
    result = validate_file(pdfs["busy"])
    assert result.fingerprint == "文档指纹：数字与生成时校验过的报告相同（GK-2021，xlsx-tools 0.1.0 生成）"


def test_libreoffice_saving_the_docx_again_keeps_the_fingerprint(tmp_path, libreoffice):
    src = tmp_path / "in" / "报告.docx"
    src.parent.mkdir()
    assert main(["publish", str(SOURCES["busy"]), "-o", str(src)]) == 0
    out = tmp_path / "out"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / "报告.docx"
    assert saved.read_bytes() != src.read_bytes()
    result = validate_file(saved)
    assert result.report.stamp and result.fingerprint.startswith("文档指纹：数字与生成时校验过的报告相同")
    assert read_report(saved).cells == read_report(src).cells
