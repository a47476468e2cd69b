"""Reading workbooks that do not come from the template: the statutory tables found by
their labels wherever they sit, and every deviation reported precisely."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import EDU
from gk import CELLS, T2_GRIDS
from workbooks import a1, find_cell, lo_edit, write_statutory

from xlsx_tools.check.validate import check_report, validate_file
from xlsx_tools.findings import ReadError, flatten
from xlsx_tools.read.reader import locate, read_report
from xlsx_tools.read.workbook import open_workbook
from xlsx_tools.report import Report, load_json

ORIGINAL = load_json(EDU.with_suffix(".json"))
TABLE_IDS = [c for c in CELLS if not c.startswith("fee.")]


def table_cells(report: Report) -> dict:
    return {c: report.cells[c] for c in TABLE_IDS}


def expected_tables() -> dict:
    return {c: ORIGINAL.cells[c] for c in TABLE_IDS}


def by_rule(report: Report, rule: str):
    return [f for f in report.findings if f.rule == rule]


def test_tables_at_other_offsets_with_merged_headers_and_line_breaks(tmp_path):
    path = write_statutory(
        tmp_path / "typed.xlsx",
        ORIGINAL,
        top=4,
        left=3,
        title="示例县教育局2025年政府信息公开工作年度报告",
        label=lambda s: s.replace("企业", "\n企业").replace("机构", "\n机构").replace("结果", "结果\n"),
    )
    report = read_report(path)
    assert locate(open_workbook(path))[0].how == "labels"
    assert table_cells(report) == expected_tables()
    assert report.meta == {"agency": "示例县教育局", "year": 2025}  # from the title
    assert flatten(report.findings, ["rule"]) == [["FEE-NOT-FOUND"]]
    assert report.findings[0].message == "没有找到信息处理费的数字（「发出收费通知的件数」等），有关收费的检查未进行"
    sheet, row, col = find_cell(path, "一、本年新收政府信息公开申请数量")
    assert report.where["t3.new.natural"] == f"{sheet}!{a1(row, col + 3)}"


def test_one_sheet_per_table_unmerged_labels_and_numbers_as_text(tmp_path):
    path = write_statutory(tmp_path / "sheets.xlsx", ORIGINAL, layout="sheets", merge=False, number=lambda v: f" {v}")
    report = read_report(path)
    assert table_cells(report) == expected_tables()
    as_text = by_rule(report, "NUMBER-AS-TEXT")
    assert [f.message.split("（")[0] for f in as_text] == [
        "表二 有 10 个数字以文本形式保存",
        "表三 有 175 个数字以文本形式保存",
        "表四 有 15 个数字以文本形式保存",
    ]
    assert as_text[2].message.startswith("表四 有 15 个数字以文本形式保存（如 Sheet4!A5「 0」），已按数字计：A5、B5、")
    assert all(f.severity == "warning" for f in report.findings)


def test_punctuation_and_quote_variants(tmp_path):
    variants = lambda s: s.replace("．", ".").replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")  # noqa: E731
    report = read_report(write_statutory(tmp_path / "variants.xlsx", ORIGINAL, label=variants))
    assert table_cells(report) == expected_tables()
    assert flatten(report.findings, ["rule"]) == [["FEE-NOT-FOUND"]]


def liujiang(path):
    """The reference report (reference/sample-report-liujiang-2021.txt) as typed into a
    workbook: line breaks in headers, ' 0' and '0 ' stored as text in table 四."""
    report = Report(cells={c: 0 for c in CELLS})
    report.cells["t2.normative.issued"] = report.cells["t2.normative.in_force"] = 1
    t4_text = [" 0", " 0", "0 ", " 0", " 0", " 0", " 0", " 0", " 0", "0 ", " 0", " 0", " 0", "0 ", "0"]
    t4 = [c for c in CELLS if c.startswith("t4.")]

    def after(wb):
        ws = wb.active
        _, row, col = find_cell_ws(ws, "行政复议")
        for k, text in enumerate(t4_text):
            ws.cell(row + 3, col + k, text)
        r = ws.max_row + 2
        ws.cell(r, 1, "一、总体情况")
        ws.cell(r + 1, 1, "（2） 依申请公开信息办理情况\n2021年，我单位共收到依申请公开信息0件，回复0件。")
        ws.cell(r + 3, 1, "六、其他需要报告的事项")
        ws.cell(r + 4, 1, "我单位2021年未收取信息处理费。")

    broken = {
        "商业企业": "商业\n企业",
        "科研机构": "科研\n机构",
        "结果纠正": "结果\n纠正",
        "其他结果": "其他\n结果",
        "尚未审结": "尚未\n审结",
    }

    def labels(s: str) -> str:
        return broken.get(s, s)

    write_statutory(path, report, title="柳州市柳江区总工会2021年政府信息公开\n工作年度报告", label=labels, after=after)
    assert len(t4) == len(t4_text)
    return report


def find_cell_ws(ws, text):
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return ws.title, c.row, c.column
    raise KeyError(text)


def test_reference_report_as_typed_by_an_agency(tmp_path):
    expected = liujiang(tmp_path / "柳江区总工会.xlsx")
    result = validate_file(tmp_path / "柳江区总工会.xlsx", today=__import__("datetime").date(2022, 2, 1))
    report = result.report
    assert table_cells(report) == {c: expected.cells[c] for c in TABLE_IDS}
    assert report.meta == {"agency": "柳州市柳江区总工会", "year": 2021}
    assert report.text["overview"].endswith("共收到依申请公开信息0件，回复0件。")
    [as_text] = by_rule(report, "NUMBER-AS-TEXT")
    assert as_text.message.startswith("表四 有 15 个数字以文本形式保存（如 年度报告!A")
    assert result.errors == 0
    assert sorted(f.rule for f in result.findings) == ["FEE-NOT-FOUND", "META-NO-USCC", "NUMBER-AS-TEXT"]


def test_relabelled_row_is_reported_where_it_sits(tmp_path):
    path = write_statutory(tmp_path / "relabel.xlsx", ORIGINAL, label=lambda s: "（一）同意公开" if s == "（一）予以公开" else s)
    report = read_report(path)
    sheet, row, col = find_cell(path, "（一）同意公开")
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == f"{sheet}!{a1(row, col)} 应为「（一）予以公开」，实为「（一）同意公开」：表三的行被改动，该行的 7 个数未读取"
    assert all(report.cells[c] is None for c in layout.cells) and len(layout.cells) == 7
    others = [c for c in TABLE_IDS if c not in layout.cells]
    assert {c: report.cells[c] for c in others} == {c: ORIGINAL.cells[c] for c in others}


def test_deleted_row_is_reported_between_its_neighbours(tmp_path):
    def delete(wb):
        ws = wb.active
        _, row, _ = find_cell_ws(ws, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
        ws.delete_rows(row)

    path = write_statutory(tmp_path / "deleted.xlsx", ORIGINAL, merge=False, after=delete)
    report = read_report(path)
    _, row, _ = find_cell(path, "（一）予以公开")
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == (
        f"工作表「年度报告」中表三缺少「（二）部分公开（区分处理的，只计这一情形，不计其他情形）」这一行"
        f"（应在第 {row} 行与第 {row + 1} 行之间，可能被删除），该行的 7 个数未读取"
    )
    assert report.cells["t3.partly_disclosed.natural"] is None
    assert report.cells["t3.withheld.state_secret.natural"] == ORIGINAL.cells["t3.withheld.state_secret.natural"]


def test_extra_row_with_numbers_is_an_error_and_not_counted(tmp_path):
    def insert(wb):
        ws = wb.active
        _, row, col = find_cell_ws(ws, "（一）予以公开")
        ws.insert_rows(row + 1)
        ws.cell(row + 1, col, "其中：网上申请")
        ws.cell(row + 1, col + 2, 4)

    path = write_statutory(tmp_path / "extra.xlsx", ORIGINAL, merge=False, after=insert)
    report = read_report(path)
    assert table_cells(report) == expected_tables()
    _, row, col = find_cell(path, "其中：网上申请")
    [extra] = by_rule(report, "EXTRA-NUMBERS")
    assert (
        extra.message == f"表三第 {row} 行「其中：网上申请」不属于法定表式，其中填有 1 个数（如 年度报告!{a1(row, col + 2)} 为 4），未计入"
    )


def test_moved_rows_are_read_by_their_labels_and_reported(tmp_path):
    def swap(wb):
        ws = wb.active
        _, r1, _ = find_cell_ws(ws, "1．属于国家秘密")
        _, r2, _ = find_cell_ws(ws, "2．其他法律行政法规禁止公开")
        for col in range(1, ws.max_column + 1):
            a, b = ws.cell(r1, col).value, ws.cell(r2, col).value
            ws.cell(r1, col).value, ws.cell(r2, col).value = b, a

    path = write_statutory(tmp_path / "moved.xlsx", ORIGINAL, merge=False, after=swap)
    report = read_report(path)
    assert table_cells(report) == expected_tables()
    [order] = by_rule(report, "ROW-ORDER")
    assert order.severity == "warning"
    _, r1, _ = find_cell(path, "1．属于国家秘密")
    assert (
        order.message
        == f"表三的行顺序与法定表式不一致：「2．其他法律行政法规禁止公开」（第 {r1 - 1} 行）应在「1．属于国家秘密」（第 {r1} 行）之后（已按标签读取）"
    )


def test_relabelled_column_is_reported(tmp_path):
    path = write_statutory(tmp_path / "col.xlsx", ORIGINAL, label=lambda s: "律师事务所" if s == "法律服务机构" else s)
    report = read_report(path)
    sheet, row, col = find_cell(path, "律师事务所")
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == f"{sheet}!{a1(row, col)} 应为「法律服务机构」，实为「律师事务所」：表三的列被改动，该列的 25 个数未读取"
    assert report.cells["t3.new.legal"] is None and report.cells["t3.new.other_org"] == ORIGINAL.cells["t3.new.other_org"]


def test_missing_group_header_of_table_four_is_a_warning(tmp_path):
    path = write_statutory(tmp_path / "t4.xlsx", ORIGINAL, label=lambda s: "复议" if s == "行政复议" else s)
    report = read_report(path)
    assert table_cells(report) == expected_tables()
    [label] = by_rule(report, "LABEL")
    assert label.message.startswith("表四缺少表头「行政复议」（应在 年度报告!")


def test_missing_table_is_named(tmp_path):
    def drop_t4(wb):
        ws = wb.active
        _, row, _ = find_cell_ws(ws, "行政复议")
        ws.delete_rows(row - 1, 10)

    path = write_statutory(tmp_path / "no-t4.xlsx", ORIGINAL, merge=False, after=drop_t4)
    report = read_report(path)
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == "没有找到表四（四、政府信息公开行政复议、行政诉讼情况）的行列标签，该表的数未读取"
    assert all(report.cells[c] is None for c in CELLS if c.startswith("t4."))
    assert "T4-SUM" not in [f.rule for f in check_report(report)]


def test_the_same_table_twice_is_ambiguous(tmp_path):
    def copy(wb):
        src = wb.active
        ws = wb.create_sheet("副本")
        for row in src.iter_rows():
            for c in row:
                if c.value is not None:
                    ws.cell(c.row, c.column, c.value)

    report = read_report(write_statutory(tmp_path / "twice.xlsx", ORIGINAL, merge=False, after=copy))
    messages = [f.message for f in by_rule(report, "LAYOUT")]
    assert "表三出现在多个工作表（「年度报告」、「副本」）中，无法确定读取哪一份，未读取" in messages
    assert all(report.cells[c] is None for c in CELLS if c.startswith("t3."))


def test_older_layout_of_table_two_is_refused_alone(tmp_path):
    """Reports of 2021 kept table 二 in the 2019 layout with tables 三/四 in 2021's: only
    table 二 is refused (FORM-VERSION, its cells unread); the others are read."""

    def old(wb):
        ws = wb.active
        _, row, col = find_cell_ws(ws, "本年制发件数")
        ws.cell(row, col, "本年新制作数量")

    path = write_statutory(tmp_path / "2019版.xlsx", ORIGINAL, after=old)
    report = read_report(path)
    [version] = by_rule(report, "FORM-VERSION")
    assert version.severity == "error"
    assert version.message.startswith("年度报告!")
    assert (
        "为「本年新制作数量」：表二（二、主动公开政府信息情况）是国办公开办函〔2019〕60号印发的 2019 年版格式（2019、2020 年度使用）的表格"
        in version.message
    )
    assert all(report.cells[c] is None for c in CELLS if c.startswith("t2."))
    assert {c: report.cells[c] for c in TABLE_IDS if not c.startswith("t2.")} == {
        c: ORIGINAL.cells[c] for c in TABLE_IDS if not c.startswith("t2.")
    }


def test_older_form_throughout_is_refused(tmp_path):
    """Only 2019 labels (no table of 2021's layout at all): the file is refused."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度报告"
    for row in (["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", 0, 0, 0], ["规范性文件", 1, 1, 3]):
        ws.append(row)
    wb.save(tmp_path / "2019版.xlsx")
    with pytest.raises(ReadError) as exc:
        read_report(tmp_path / "2019版.xlsx")
    assert exc.value.finding.rule == "FORM-VERSION"
    assert exc.value.finding.message == (
        "2019版.xlsx：年度报告!B1 为「本年新制作数量」，这是国办公开办函〔2019〕60号印发的 2019 年版格式（2019、2020 年度使用）的表格，"
        "与现行格式（国办公开办函〔2021〕30号，GK-2021）不同，请按现行格式重新填写"
    )


def test_a_workbook_of_something_else_is_foreign(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["项目", "预算数", "决算数"])
    wb.active.append(["基本支出", 120.5, 118.0])
    wb.active.title = "部门决算"
    wb.save(tmp_path / "决算表.xlsx")
    with pytest.raises(ReadError) as exc:
        read_report(tmp_path / "决算表.xlsx")
    assert exc.value.finding.rule == "FOREIGN"
    assert exc.value.finding.message == (
        "决算表.xlsx：没有找到年度报告的表格（如「一、本年新收政府信息公开申请数量」「行政复议」等行列标签），"
        "不是 GK-2021 表式的年度报告工作簿（工作表为：部门决算）"
    )


def test_template_sheets_pasted_into_a_new_workbook(tmp_path):
    """Someone copies the values of our sheets into their own workbook, shifted."""
    src = open_workbook(EDU)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, sheet in enumerate(["封面", "表二", "表三", "表四", "正文"]):
        ws = wb.create_sheet(f"Sheet{k + 1}")
        for r, row in enumerate(src.rows(sheet)):
            for c, v in enumerate(row):
                if v not in (None, ""):
                    ws.cell(r + 3, c + 2, v)
    wb.save(tmp_path / "pasted.xlsx")
    report = read_report(tmp_path / "pasted.xlsx")
    assert report.cells == ORIGINAL.cells and report.meta == ORIGINAL.meta and report.text == ORIGINAL.text
    assert report.findings == []
    assert report.where["t3.new.natural"] == "Sheet3!E7"


@pytest.mark.libreoffice
def test_foreign_workbook_as_xls_and_ods(tmp_path):
    src = write_statutory(tmp_path / "typed.xlsx", ORIGINAL, top=2, left=2, fee=True, label=lambda s: s.replace("企业", "\n企业"))
    lo_edit([(src, tmp_path / "typed.xls", []), (src, tmp_path / "typed.ods", [])], tmp_path / "profile")
    for name in ("typed.xls", "typed.ods"):
        report = read_report(tmp_path / name)
        assert report.cells == ORIGINAL.cells, name
        assert report.findings == [], name


def test_every_label_of_the_form_is_distinct_within_its_table():
    """The label locator relies on this: a row label names one row of its table."""
    from xlsx_tools.form import current
    from xlsx_tools.read.labels import _row_keys
    from xlsx_tools.read.location import shapes

    for shape in shapes(current()):
        keys = [k for path in shape.grid.row_paths for k in _row_keys(shape.spec, path)]
        assert len(keys) == len(set(keys)), shape.name
    assert len(T2_GRIDS) == 4


def test_a_list_that_merely_mentions_a_row_label_is_not_a_report(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "事项清单"
    for row in (["事项类别", "事项名称", "办理时限"], ["行政许可", "食品经营许可", 20], ["行政处罚", "警告", 5]):
        ws.append(row)
    wb.save(tmp_path / "清单.xlsx")
    with pytest.raises(ReadError) as exc:
        read_report(tmp_path / "清单.xlsx")
    assert exc.value.finding.rule == "FOREIGN"


def test_a_missing_block_of_table_two_is_named(tmp_path):
    def drop(wb):
        ws = wb.active
        _, row, _ = find_cell_ws(ws, "第二十条第（八）项")
        ws.delete_rows(row, 3)

    report = read_report(write_statutory(tmp_path / "no-fee-block.xlsx", ORIGINAL, merge=False, after=drop))
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == "没有找到表二「第二十条第（八）项」（如「行政事业性收费」一行），该部分的数未读取"
    assert report.cells["t2.fee.amount"] is None and report.cells["t2.rule.issued"] == ORIGINAL.cells["t2.rule.issued"]


def test_fee_figures_next_to_their_labels(tmp_path):
    from gk import FEE

    def fees(wb):
        ws = wb.active
        r = ws.max_row + 2
        for k, path in enumerate(FEE.row_paths):
            ws.cell(r + k, 2, path[-1].label)
            ws.cell(r + k, 3, ORIGINAL.cells[FEE.cell_id(path, FEE.col_paths[0])])

    report = read_report(write_statutory(tmp_path / "fees.xlsx", ORIGINAL, after=fees))
    assert report.cells == ORIGINAL.cells
    assert report.findings == []


def test_a_relabelled_header_merged_over_two_rows_is_found_where_it_is(tmp_path):
    path = write_statutory(tmp_path / "col.xlsx", ORIGINAL, label=lambda s: "公民" if s == "自然人" else s)
    report = read_report(path)
    sheet, row, col = find_cell(path, "公民")
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == f"{sheet}!{a1(row, col)} 应为「自然人」，实为「公民」：表三的列被改动，该列的 25 个数未读取"


def test_a_copy_on_a_hidden_sheet_is_not_read(tmp_path):
    def hidden_copy(wb):
        src = wb.active
        ws = wb.create_sheet("旧版")
        for row in src.iter_rows():
            for c in row:
                if c.value is not None:
                    ws.cell(c.row, c.column, 0 if isinstance(c.value, (int, float)) else c.value)
        ws.sheet_state = "hidden"

    report = read_report(write_statutory(tmp_path / "hidden.xlsx", ORIGINAL, merge=False, after=hidden_copy))
    assert table_cells(report) == expected_tables()
    assert report.where["t3.new.natural"].startswith("年度报告!")


@pytest.mark.libreoffice
def test_published_web_page_opened_in_a_spreadsheet(tmp_path):
    """A report as government websites publish it (HTML tables, rowspan/colspan, zeros
    left blank, line breaks in headers), opened in LibreOffice Calc and saved as .xlsx."""
    from workbooks import lo_import_html, statutory_html

    html = tmp_path / "报告.html"
    html.write_text(statutory_html(ORIGINAL, "示例县教育局2025年政府信息公开工作年度报告"), encoding="utf-8")
    report = read_report(lo_import_html(html, tmp_path / "网页报告.xlsx", tmp_path / "profile"))
    assert table_cells(report) == expected_tables()  # blanks count 0, totals recomputed where blank
    assert report.meta == {"agency": "示例县教育局", "year": 2025}
    rules = {f.rule for f in report.findings}
    assert rules <= {"BLANK", "TOTAL-RECOMPUTED", "FEE-NOT-FOUND"}, report.findings
    assert "BLANK" in rules
