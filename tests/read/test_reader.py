"""Reading workbooks made from the template: through the anchors (defined names), with
every label checked, and what happens when rows, columns, sheets or labels change."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import EDU, EXAMPLES
from gk import CELLS, INPUT_IDS
from workbooks import patch_member, patch_xlsx

from xlsx_tools.check.validate import check_report
from xlsx_tools.findings import ReadError, flatten
from xlsx_tools.read.reader import locate, read_report, read_source
from xlsx_tools.read.workbook import open_workbook
from xlsx_tools.report import load_json

ORIGINAL = load_json(EDU.with_suffix(".json"))


def rules(report) -> list[str]:
    return [f.rule for f in report.findings]


@pytest.mark.parametrize("xlsx", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_examples_read_exactly_as_their_json(xlsx):
    report = read_report(xlsx)
    expected = load_json(xlsx.with_suffix(".json"))
    assert report.cells == expected.cells
    assert report.meta == expected.meta
    assert report.text == expected.text
    assert report.findings == []
    assert locate(open_workbook(xlsx))[0].how == "anchors"
    assert report.where["t3.new.natural"] == "表三!D5"
    assert report.where["meta.agency"] == "封面!B4"


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_libreoffice_copies_read_like_the_original_through_their_labels(lo_files, kind):
    path = lo_files[kind]
    report = read_report(path)
    assert locate(open_workbook(path))[0].how == "labels"
    assert report.cells == ORIGINAL.cells
    assert report.meta == ORIGINAL.meta
    assert report.text == ORIGINAL.text
    assert report.findings == []
    assert report.where["t3.withheld.inquiry.business"] == "表三!E16"


def test_row_inserted_inside_a_table_moves_the_anchors_and_is_reported(lo_files):
    report = read_report(lo_files["row_inside"])
    assert {c: report.cells[c] for c in INPUT_IDS} == {c: ORIGINAL.cells[c] for c in INPUT_IDS}
    assert report.where["t3.partly_disclosed.natural"] == "表三!D9"  # moved down by one
    [extra] = [f for f in report.findings if f.rule == "EXTRA-NUMBERS"]
    assert extra.severity == "error"
    assert extra.message == (
        "表三第 8 行「（一）其中：网上申请」不属于法定表式（位于「（一）予以公开」与「（二）部分公开」之间，可能是插入的行），"
        "其中填有 1 个数（如 表三!D8 为 5），未计入"
    )
    assert extra.where == ["表三!D8"]
    # LibreOffice widened the SUM formulas over the new row: the stated totals now differ.
    assert "T3-RESULTS" in [f.rule for f in check_report(report)]


def test_empty_row_inserted_is_a_warning(lo_files):
    report = read_report(lo_files["row_inside_empty"])
    assert report.cells == ORIGINAL.cells
    assert flatten(report.findings, ["rule", "severity"]) == [["EXTRA-CELLS", "warning"]]
    assert report.findings[0].message == (
        "表三第 13 行不属于法定表式（位于「（三）不予公开4．保护第三方合法权益」与「（三）不予公开5．属于三类内部事务信息」之间，可能是插入的行），已忽略"
    )


def test_rows_inserted_above_the_tables_change_nothing(lo_files):
    report = read_report(lo_files["rows_above"])
    assert report.cells == ORIGINAL.cells and report.meta == ORIGINAL.meta
    assert report.findings == []
    assert report.where["t3.new.natural"] == "表三!D7"
    assert report.where["t2.rule.issued"] == "表二!B5"
    assert report.where["meta.agency"] == "封面!B5"


def test_column_inserted_inside_a_table_is_reported(lo_files):
    report = read_report(lo_files["col_inside"])
    assert report.cells == ORIGINAL.cells
    assert [f.message for f in report.findings] == [
        "表三 F 列不属于法定表式（位于「商业企业」列与「科研机构」列之间，可能是插入的列），已忽略"
    ]


def test_deleted_sheet_is_named_and_its_cells_are_not_read(lo_files):
    report = read_report(lo_files["deleted_sheet"])
    assert [f.message for f in report.findings] == ["工作表「表四」不存在（可能被删除或改名），表四的 15 个数未读取"]
    assert all(report.cells[c] is None for c in CELLS if c.startswith("t4."))
    assert all(report.cells[c] == ORIGINAL.cells[c] for c in CELLS if not c.startswith("t4."))
    assert "T4-SUM" not in [f.rule for f in check_report(report)]  # nothing to judge


def test_deleted_row_leaves_its_cells_unread(lo_files):
    report = read_report(lo_files["deleted_row"])
    [missing] = [f for f in report.findings if f.rule == "ANCHOR-MISSING"]
    assert missing.message.startswith("表三有 7 个单元格缺少定位名称（如表三「（二）部分公开」自然人列）")
    assert all(report.cells[f"t3.partly_disclosed.{c}"] is None for c in ("natural", "total"))
    assert report.cells["t3.withheld.state_secret.natural"] == ORIGINAL.cells["t3.withheld.state_secret.natural"]


def test_row_inserted_by_a_program_that_does_not_move_names_is_read_by_labels(tmp_path):
    wb = openpyxl.load_workbook(EDU)
    wb["表三"].insert_rows(8)  # openpyxl moves the cells but not the defined names
    path = tmp_path / "openpyxl-insert.xlsx"
    wb.save(path)
    report = read_report(path)
    assert {c: report.cells[c] for c in CELLS} == ORIGINAL.cells  # totals recomputed: openpyxl drops cached results
    [stale] = [f for f in report.findings if f.rule == "ANCHOR-STALE"]
    assert stale.message == (
        "表三的单元格定位名称与表格内容不一致（表三!B8 应为「（二）部分公开（区分处理的，只计这一情形，不计其他情形）」，实为「空白」），"
        "可能用其他软件插入或删除了行列；已按行列标签读取"
    )
    assert report.where["t3.partly_disclosed.natural"] == "表三!D9"
    assert "TOTAL-RECOMPUTED" in rules(report)


def test_relabelled_row_is_reported_where_it_is_and_not_read(tmp_path):
    path = patch_xlsx(EDU, tmp_path / "relabelled.xlsx", "表三", {"B7": "（一）同意公开"})
    report = read_report(path)
    [layout] = [f for f in report.findings if f.rule == "LAYOUT"]
    assert layout.message == "表三!B7 应为「（一）予以公开」，实为「（一）同意公开」：表三的行被改动，该行的 7 个数未读取"
    assert layout.where == ["表三!B7"]
    assert sorted(layout.cells) == sorted(c for c in CELLS if c.startswith("t3.disclosed."))
    assert all(report.cells[c] is None for c in layout.cells)
    assert "T3-RESULTS" not in [f.rule for f in check_report(report)]  # never judged on a guess


def test_relabelled_column_is_reported(tmp_path):
    path = patch_xlsx(EDU, tmp_path / "relabelled-col.xlsx", "表三", {"E4": "企业"})
    report = read_report(path)
    [layout] = [f for f in report.findings if f.rule == "LAYOUT"]
    assert layout.message == "表三!E4 应为「商业企业」，实为「企业」：表三的列被改动，该列的 25 个数未读取"
    assert report.cells["t3.new.business"] is None and report.cells["t3.new.natural"] == ORIGINAL.cells["t3.new.natural"]


def test_short_form_of_a_label_is_accepted(tmp_path):
    path = patch_xlsx(EDU, tmp_path / "short.xlsx", "表三", {"B8": "（二）部分公开", "A5": "一、本年新收"})
    report = read_report(path)
    assert report.findings == [] and report.cells == ORIGINAL.cells


def test_changed_title_is_a_warning_only(tmp_path):
    path = patch_xlsx(EDU, tmp_path / "title.xlsx", "表二", {"A2": "第二十条（一）"})
    report = read_report(path)
    assert [(f.rule, f.message) for f in report.findings] == [
        ("LABEL", "表二!A2 应为「第二十条第（一）项」，实为「第二十条（一）」（标题被改动，不影响读取）")
    ]
    assert report.cells == ORIGINAL.cells


def test_other_form_version_is_refused(tmp_path):
    path = patch_xlsx(EDU, tmp_path / "old-version.xlsx", "封面", {"B17": "GK-2019"})
    with pytest.raises(ReadError) as exc:
        read_report(path)
    assert exc.value.finding.rule == "FORM-VERSION"
    assert exc.value.finding.message == "old-version.xlsx：表式版本为「GK-2019」（封面!B17），本工具支持 GK-2021"


def test_anchor_pointing_elsewhere_falls_back_to_labels(tmp_path):
    path = patch_member(
        EDU, tmp_path / "moved-name.xlsx", "xl/workbook.xml", lambda x: x.replace("'表三'!$D$5<".encode(), "'表三'!$D$20<".encode())
    )
    report = read_report(path)
    assert report.cells == ORIGINAL.cells
    [stale] = report.findings
    assert stale.rule == "ANCHOR-STALE"
    assert "表三「一、本年新收」自然人列的定位名称指向 表三!D20" in stale.message


def test_workbook_without_names_is_read_by_labels(tmp_path):
    path = patch_member(
        EDU,
        tmp_path / "no-names.xlsx",
        "xl/workbook.xml",
        lambda x: x[: x.index(b"<definedNames>")] + x[x.index(b"</definedNames>") + 15 :],
    )
    report = read_report(path)
    assert locate(open_workbook(path))[0].how == "labels"
    assert (report.cells, report.meta, report.text, report.findings) == (ORIGINAL.cells, ORIGINAL.meta, ORIGINAL.text, [])


class NamesOnly:
    """A Source with no rows(): names and single values only (as a minimal xlwings source)."""

    def __init__(self, path: Path):
        self._wb = open_workbook(path)
        self.name = self._wb.name

    def names(self):
        return self._wb.names()

    def value(self, pos):
        return self._wb.value(pos)

    def sheet_names(self):
        return self._wb.sheet_names()


def test_a_source_without_rows_reads_through_anchors(tmp_path):
    assert read_source(NamesOnly(EDU)).cells == ORIGINAL.cells
    relabelled = patch_xlsx(EDU, tmp_path / "r.xlsx", "表三", {"B7": "（一）同意公开"})
    report = read_source(NamesOnly(relabelled))
    assert [f.rule for f in report.findings] == ["LAYOUT"] and report.cells["t3.disclosed.natural"] is None


def test_reading_never_modifies_the_input(lo_files):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in [EDU, lo_files["row_inside"], lo_files["xls"]]}
    for p in before:
        read_report(p)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before


def test_a_cleared_version_cell_is_read_as_this_form_with_a_warning(tmp_path):
    report = read_report(patch_xlsx(EDU, tmp_path / "no-version.xlsx", "封面", {"B17": None}))
    assert [(f.rule, f.message) for f in report.findings] == [("LABEL", "封面!B17 的表式版本为空（应为 GK-2021），按 GK-2021 表式读取")]
    assert report.cells == ORIGINAL.cells


@pytest.mark.parametrize("kind", ["errors_xlsx", "errors_ods", "errors_xls"])
def test_error_values_are_errors_in_every_format(lo_files, kind):
    """python-calamine reads error cells as blanks; they must not count as 0."""
    report = read_report(lo_files[kind])
    errors = {f.where[0]: f.message for f in report.findings if f.rule == "CELL-ERROR"}
    assert errors == {
        "表三!D5": "表三「一、本年新收」自然人列（表三!D5）：单元格为错误值 #DIV/0!，该数无法使用（请检查公式或重新填写）",
        "表三!E5": "表三「一、本年新收」商业企业列（表三!E5）：单元格为错误值 #N/A，该数无法使用（请检查公式或重新填写）",
        "表三!J5": "表三「一、本年新收」总计列（表三!J5）：单元格为错误值 #DIV/0!，该数无法使用（请检查公式或重新填写）",
    }
    assert "BLANK" not in [f.rule for f in report.findings]
    assert report.cells["t3.new.natural"] is None and report.cells["t3.new.total"] is None
