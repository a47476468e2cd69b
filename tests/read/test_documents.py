"""Reports as they are submitted and published — Word documents and web pages — read to
exactly the cells, agency, year and text they were made from."""

from __future__ import annotations

import datetime as dt

import pytest
from docfixtures import REFERENCE, built, differences, docx, word_page
from gk import CELLS

from xlsx_tools.check.validate import validate_file
from xlsx_tools.findings import flatten
from xlsx_tools.read import read_report
from xlsx_tools.report import Report
from xlsx_tools.testing import documents as D

EXPECTED = built()
NO_USCC = "META-NO-USCC"


def rules(report: Report) -> list[str]:
    return sorted({f.rule for f in report.findings})


def by_rule(report: Report, rule: str):
    return [f for f in report.findings if f.rule == rule]


def assert_reads_back(report: Report, expected: Report = EXPECTED) -> None:
    assert differences(report, expected) == {}
    assert report.meta == {"agency": expected.meta["agency"], "year": expected.meta["year"], "published_on": dt.date(2026, 1, 22)}
    assert report.text == expected.text


PUBLISHED = "来源：示例县教育局　发布时间：2026-01-22 16:34　浏览次数：128"


def test_docx_in_the_national_format_reads_back_exactly(tmp_path):
    report = read_report(docx(tmp_path / "教育局.docx", EXPECTED, D.Options(published=PUBLISHED)))
    assert_reads_back(report)
    assert flatten(report.findings, ["rule"]) == [[NO_USCC]]
    assert (
        report.findings[0].message == "教育局.docx：Word 文档中没有「统一社会信用代码」（法定格式的报告不含这一项），汇总时按单位名称对应"
    )
    assert report.where["t3.new.natural"] == "第 2 个表格第 4 行第 4 列"
    assert report.where["t2.fee.amount"] == "第 1 个表格第 14 行第 2 列"
    assert report.where["meta.agency"] == "正文第 1 段"
    assert report.where["fee.notices"].startswith("正文第 ")


def test_word_web_page_with_site_navigation_in_gbk(tmp_path):
    """Word's 「另存为网页」 published on a site: navigation and breadcrumbs above the title,
    GB 2312 declared in a meta tag, a footer under the signature, zeros left blank."""
    path = word_page(tmp_path / "教育局.htm", EXPECTED, D.Options(published=PUBLISHED, blank_zero=True), site=True)
    raw = path.read_bytes()
    assert b"charset=gb2312" in raw and "政府信息公开".encode("gb2312") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    report = read_report(path)
    assert_reads_back(report)
    assert rules(report) == ["BLANK", NO_USCC, "TOTAL-RECOMPUTED"]  # zeros left blank: read as 0, and said
    assert report.text["other"].endswith("无其他需要报告的事项。")  # the footer is not the report's


def test_word_web_page_in_utf8_without_a_declared_charset(tmp_path):
    path = word_page(tmp_path / "page.html", EXPECTED, D.Options(published=PUBLISHED))
    path.write_bytes(path.read_bytes().decode("gb18030").replace("charset=gb2312", "").encode("utf-8"))
    assert_reads_back(read_report(path))


@pytest.mark.parametrize("kind", ["docx", "html"])
def test_a_header_spanning_two_grid_columns_with_a_spacer_cell(tmp_path, kind):
    """Word's export of uneven widths: 商业企业 spans two grid columns (one a hairline) and
    an empty spacer cell stands beside each of its numbers. The column is read, not lost."""
    o = D.Options(spacer="商业企业", published=PUBLISHED, label=lambda s: s.replace("企业", "\n企业"))
    path = docx(tmp_path / "a.docx", EXPECTED, o) if kind == "docx" else word_page(tmp_path / "a.htm", EXPECTED, o)
    report = read_report(path)
    assert_reads_back(report)
    assert report.cells["t3.new.business"] == EXPECTED.cells["t3.new.business"] == 7
    assert rules(report) == [NO_USCC]


def test_a_spacer_without_widths_is_still_lined_up(tmp_path):
    """The same page with every width removed (as a site's editor may leave it): the spacer
    column holds nothing and is dropped."""
    path = word_page(tmp_path / "a.htm", EXPECTED, D.Options(spacer="商业企业", published=PUBLISHED))
    page = path.read_bytes().decode("gb18030")
    import re

    page = re.sub(r" width=\d+", "", page)
    path.write_bytes(page.encode("gb18030"))
    assert_reads_back(read_report(path))


@pytest.mark.parametrize("repeat", [True, False])
def test_table_three_split_into_two_tables(tmp_path, repeat):
    o = D.Options(split_after="（二）部分公开（区分处理的，只计这一情形，不计其他情形）", repeat_header=repeat, published=PUBLISHED)
    for path in (docx(tmp_path / "split.docx", EXPECTED, o), word_page(tmp_path / "split.htm", EXPECTED, o)):
        report = read_report(path)
        assert_reads_back(report)
        assert rules(report) == [NO_USCC]
        assert report.where["t3.new.natural"] == "第 2 个表格第 4 行第 4 列"
        # rows after the split are named in the second table, counting its repeated header rows
        assert report.where["t3.withheld.state_secret.natural"] == f"第 3 个表格第 {4 if repeat else 1} 行第 4 列"


def test_table_continued_on_a_second_page_with_its_header_repeated(tmp_path):
    """A table continued on the next page within one table, the header rows repeated there
    (as pages made from PDF have it), labels with line breaks and ASCII dots."""
    o = D.Options(continued_in_table="（四）无法提供", published=PUBLISHED, label=lambda s: s.replace("企业", "\n企业").replace("．", "."))
    for path in (docx(tmp_path / "cont.docx", EXPECTED, o), word_page(tmp_path / "cont.htm", EXPECTED, o)):
        report = read_report(path)
        assert_reads_back(report)
        assert rules(report) == [NO_USCC]


def test_the_published_seed_report_as_a_word_document(tmp_path):
    """The real report of reference/ laid out as a .docx in the national format: its title
    over two lines, line breaks in headers, all zeros but 行政规范性文件 1; it reads back to
    its own numbers, name, year, signature date and text."""
    text = REFERENCE.read_text(encoding="utf-8").replace("[bookmark: _GoBack]", "")
    lines = text.splitlines()

    def between(a: str, b: str) -> str:
        i = next(k for k, x in enumerate(lines) if x.strip() == a)
        j = next(k for k, x in enumerate(lines) if x.strip() == b)
        return "\n".join(x.strip() for x in lines[i + 1 : j] if x.strip())

    cells = {c: 0 for c in CELLS}
    cells["t2.normative.issued"] = cells["t2.normative.in_force"] = 1
    seed = Report(
        meta={"agency": "柳州市柳江区总工会", "year": 2021, "published_on": dt.date(2022, 1, 18)},
        cells=cells,
        text={
            "overview": between("一、总体情况", "二、主动公开政府信息情况"),
            "problems": between("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
            "other": between("六、其他需要报告的事项", "柳州市柳江区总工会"),
        },
    )
    assert seed.text["other"] == "我单位2021年未收取信息处理费。"
    broken = {
        "商业企业": "商业\n企业",
        "科研机构": "科研\n机构",
        "结果纠正": "结果\n纠正",
        "其他结果": "其他\n结果",
        "尚未审结": "尚未\n审结",
    }
    o = D.Options(title=[lines[0].strip(), lines[1].strip()], label=lambda s: broken.get(s, s))
    result = validate_file(docx(tmp_path / "柳江区总工会.docx", seed, o), today=dt.date(2022, 2, 1))
    report = result.report
    assert report.meta == {"agency": "柳州市柳江区总工会", "year": 2021, "published_on": dt.date(2022, 1, 18)}
    assert differences(report, seed, [c for c in CELLS if not c.startswith("fee.")]) == {}
    assert report.cells["fee.collected"] == 0  # 「未收取信息处理费」
    assert report.cells["fee.notices"] is None and report.cells["fee.notice_amount"] is None  # not stated: never guessed
    assert report.text == seed.text
    assert result.errors == 0
    assert sorted(f.rule for f in result.findings) == ["FEE-NOT-FOUND", NO_USCC]
    [fee] = by_rule(report, "FEE-NOT-FOUND")
    assert fee.message == "没有找到信息处理费的数字（「发出收费通知的件数」等），有关收费的检查未进行"
    assert fee.cells == ["fee.notices", "fee.notice_amount"]


def test_a_number_in_words_is_named_by_table_row_and_column(tmp_path):
    report_in = built()
    o = D.Options(published=PUBLISHED)
    blocks = D.national(report_in, o)
    t3 = next(b for b in blocks if isinstance(b, D.DocTable) and any(c.text == "自然人" for r in b.rows for c in r))
    row = next(r for r in t3.rows if r[0].text == "一、本年新收政府信息公开申请数量")
    row[1].text = "73件"
    report = read_report(D.write_docx(blocks, tmp_path / "words.docx"))
    [bad] = by_rule(report, "NOT-NUMBER")
    assert bad.message == "表三「一、本年新收」自然人列（第 2 个表格第 4 行第 4 列）：「73件」不是数字，该数无法使用（只能填写数字）"
    assert report.cells["t3.new.natural"] is None


def test_sections_missing_or_out_of_order_are_named(tmp_path):
    blocks = D.national(built(), D.Options(published=PUBLISHED))
    five = blocks.index("五、存在的主要问题及改进情况")
    six = blocks.index("六、其他需要报告的事项")
    moved = blocks[:five] + blocks[six:-3] + blocks[five:six] + blocks[-3:]  # 六 before 五
    report = read_report(D.write_docx(moved, tmp_path / "order.docx"))
    [order] = by_rule(report, "SECTIONS")
    assert order.severity == "warning"
    assert order.message == "「六、其他需要报告的事项」出现在「五、存在的主要问题及改进情况」之前，各部分的顺序与法定格式不一致"
    without = [b for b in blocks if b != "五、存在的主要问题及改进情况"]
    report = read_report(D.write_docx(without, tmp_path / "missing.docx"))
    [missing] = by_rule(report, "SECTIONS")
    assert missing.message == "没有找到「五、存在的主要问题及改进情况」这一部分的标题（法定格式的 6 个部分之一）"
    assert missing.cells == ["text.problems"]


def test_headings_in_other_numbering_styles(tmp_path):
    blocks = D.national(built(), D.Options(published=PUBLISHED))
    restyled = {
        "一、总体情况": "（一）总体情况",
        "二、主动公开政府信息情况": "第二部分 主动公开政府信息情况",
        "五、存在的主要问题及改进情况": "5. 存在的主要问题及改进情况",
        "六、其他需要报告的事项": "六．其他需要报告的事项",
    }
    report = read_report(D.write_docx([restyled.get(b, b) if isinstance(b, str) else b for b in blocks], tmp_path / "styles.docx"))
    assert "SECTIONS" not in rules(report)
    assert report.text == EXPECTED.text
