"""The published documents as a Word user and a web editor meet them: the national format's
merged header cells (docs/DOCUMENTS.md), A4 and the fonts of a government office, an
outline of headings, a long table's header repeated, one self-contained web page."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLES
from gk import GK
from lxml import etree, html
from publishing import W, published

from xlsx_tools.check.fingerprint import parse_stamp
from xlsx_tools.publish import build_document
from xlsx_tools.publish.tables import statutory_table
from xlsx_tools.read import read_report

SOURCE = EXAMPLES / "01-人社局-申请量大.xlsx"
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@pytest.fixture(scope="module")
def doc():
    return build_document(read_report(SOURCE))


@pytest.fixture(scope="module")
def word(tmp_path_factory) -> Path:
    return published(SOURCE, tmp_path_factory.mktemp("word") / "report.docx")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    return published(SOURCE, tmp_path_factory.mktemp("page") / "report.html")


def spans(table) -> list[list[tuple[str, int, int]]]:
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows]


# ---- the tables: merged cells exactly as the national format prints them ----------------------------
def test_table_two_groups_with_their_header_rows(doc):
    t2 = statutory_table(GK, "t2", doc.values)
    rows = spans(t2)
    assert t2.n_cols == 4 and t2.header_rows == 0
    assert rows[0] == [("第二十条第（一）项", 1, 4)]
    assert rows[1] == [("信息内容", 1, 1), ("本年制发件数", 1, 1), ("本年废止件数", 1, 1), ("现行有效件数", 1, 1)]
    assert [r[0][0] for r in rows[2:4]] == ["规章", "行政规范性文件"] and all(len(r) == 4 for r in rows[2:4])
    assert rows[4:7] == [
        [("第二十条第（五）项", 1, 4)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政许可", 1, 1), ("1681", 1, 3)],
    ]
    assert rows[-2] == [("信息内容", 1, 1), ("本年收费金额（单位：万元）", 1, 3)]
    assert rows[-1] == [("行政事业性收费", 1, 1), ("26.28", 1, 3)]


def test_table_three_header_block_and_row_groups(doc):
    t3 = statutory_table(GK, "t3", doc.values)
    rows = spans(t3)
    assert t3.n_cols == 10 and t3.header_rows == 3
    assert rows[0] == [(T3_NOTE, 3, 3), ("申请人情况", 1, 7)]
    assert rows[1] == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    assert rows[2] == [(x, 1, 1) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]
    assert rows[3][0] == ("一、本年新收政府信息公开申请数量", 1, 3) and len(rows[3]) == 8
    assert rows[5][:2] == [("三、本年度办理结果", 22, 1), ("（一）予以公开", 1, 2)]
    assert rows[6][0] == ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)
    assert rows[7][:2] == [("（三）不予公开", 8, 1), ("1．属于国家秘密", 1, 1)]
    assert [r[0][:2] for r in rows[3:] if r[0][0].startswith("（") and r[0][1] > 1] == [
        ("（三）不予公开", 8),
        ("（四）无法提供", 3),
        ("（五）不予处理", 5),
        ("（六）其他处理", 3),
    ]
    assert rows[-2][0] == ("（七）总计", 1, 2)
    assert rows[-1][0] == ("四、结转下年度继续办理", 1, 3)
    assert [c[0] for c in rows[3][1:]] == ["408", "38", "4", "3", "15", "12", "480"]


def test_table_four_two_groups_over_fifteen_numbers(doc):
    t4 = statutory_table(GK, "t4", doc.values)
    rows = spans(t4)
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert t4.n_cols == 15 and t4.header_rows == 3
    assert rows[0] == [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    assert rows[1] == [(x, 2, 1) for x in outcomes] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)]
    assert rows[2] == [(x, 1, 1) for x in outcomes * 2]
    assert len(rows[3]) == 15 and all(c[1:] == (1, 1) for c in rows[3])


def test_widths_fill_the_text_block(doc):
    for key in ("t2", "t3", "t4"):
        t = statutory_table(GK, key, doc.values)
        assert sum(t.widths) == pytest.approx(1)
        assert min(t.widths) >= 0.06  # two characters of 五号 per line in the narrowest column


# ---- the .docx ---------------------------------------------------------------------------------------
def test_word_page_fonts_and_outline(word):
    d = docx.Document(str(word))
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [37, 35, 28, 26]

    def east_asian(style) -> str:
        return style.element.rPr.rFonts.get(f"{{{W}}}eastAsia")

    styles = d.styles
    assert east_asian(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size.pt == 16
    assert east_asian(styles["报告标题"]) == "方正小标宋简体" and styles["报告标题"].font.size.pt == 22
    assert east_asian(styles["Heading 1"]) == "黑体"
    assert styles["Heading 1"].element.pPr.find(f"{{{W}}}outlineLvl").get(f"{{{W}}}val") == "0"
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == [h for _, h in GK.outline_labels]
    assert d.paragraphs[0].style.name == "报告标题"
    assert d.paragraphs[0].text == "示例县人力资源和社会保障局\n2025年政府信息公开工作年度报告"
    assert [p.text for p in d.paragraphs[-2:]] == ["示例县人力资源和社会保障局", "2026年1月21日"]
    assert all(p.style.name == "落款" for p in d.paragraphs[-2:])
    assert styles["落款"].paragraph_format.alignment == 2  # right


def test_word_declares_each_font_with_its_substitute(word):
    with zipfile.ZipFile(word) as zf:
        fonts = etree.fromstring(zf.read("word/fontTable.xml"))
        document = zf.read("word/document.xml").decode()
    alt = {f.get(f"{{{W}}}name"): f.find(f"{{{W}}}altName").get(f"{{{W}}}val") for f in fonts if f.find(f"{{{W}}}altName") is not None}
    assert alt == {"方正小标宋简体": "宋体", "黑体": "SimHei", "仿宋_GB2312": "仿宋"}
    assert "majorEastAsia" not in document and "ＭＳ" not in document  # never the template's Japanese theme fonts


def test_word_tables_fit_and_repeat_their_header(word):
    with zipfile.ZipFile(word) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    tables = root.findall(f".//{{{W}}}tbl")
    assert len(tables) == 3
    text_twips = round(156 / 25.4 * 1440)
    for tbl in tables:
        grid = [int(c.get(f"{{{W}}}w")) for c in tbl.iter(f"{{{W}}}gridCol")]
        assert sum(grid) == int(tbl.find(f"{{{W}}}tblPr/{{{W}}}tblW").get(f"{{{W}}}w")) == text_twips
        assert tbl.find(f"{{{W}}}tblPr/{{{W}}}tblLayout").get(f"{{{W}}}type") == "fixed"
        rows = tbl.findall(f"{{{W}}}tr")
        assert all(r.find(f"{{{W}}}trPr/{{{W}}}cantSplit") is not None for r in rows)
        for row in rows:  # every row covers the whole grid
            spans = [
                int(tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan").get(f"{{{W}}}val"))
                if tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan") is not None
                else 1
                for tc in row.findall(f"{{{W}}}tc")
            ]
            assert sum(spans) == len(grid)
    repeated = [[r.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None for r in t.findall(f"{{{W}}}tr")] for t in tables]
    assert [sum(r) for r in repeated] == [0, 3, 3]
    assert repeated[1][:3] == [True, True, True]


def test_word_merged_cells_read_back_as_merged(word):
    t3 = docx.Document(str(word)).tables[1]
    corner = t3.cell(0, 0)
    assert corner.text == T3_NOTE and corner._tc is t3.cell(2, 2)._tc  # 3 rows × 3 columns
    results = t3.cell(5, 0)
    assert results.text == "三、本年度办理结果" and results._tc is t3.cell(26, 0)._tc
    assert t3.cell(0, 3).text == "申请人情况" and t3.cell(0, 3)._tc is t3.cell(0, 9)._tc


def test_word_properties_carry_the_fingerprint(word, doc):
    props = docx.Document(str(word)).core_properties
    assert props.title == "示例县人力资源和社会保障局2025年政府信息公开工作年度报告"
    assert props.author == "示例县人力资源和社会保障局" and props.language == "zh-CN"
    stamp = parse_stamp(props.identifier)
    assert stamp == parse_stamp(props.keywords) == doc.stamp
    assert (stamp.form, stamp.tool) == ("GK-2021", "xlsx-tools 0.1.0") and len(stamp.digest) == 64


# ---- the web page ------------------------------------------------------------------------------------
def test_page_is_self_contained_utf8(page):
    raw = page.read_bytes()
    raw.decode("utf-8")
    text = raw.decode()
    tree = html.fromstring(raw)
    assert tree.find(".//meta[@charset]").get("charset") == "utf-8"
    assert not tree.findall(".//script") and not tree.findall(".//link") and not tree.findall(".//style")
    assert not tree.findall(".//img") and not tree.findall(".//iframe")
    assert "http://" not in text and "https://" not in text and "url(" not in text and "@import" not in text
    assert all(not el.get(a) for el in tree.iter() if isinstance(el.tag, str) for a in ("src", "href", "onload", "onclick"))
    body = tree.find("body")
    assert all(el.get("style") for el in body.iter() if isinstance(el.tag, str) and el.tag in ("div", "h1", "h2", "p", "table", "td", "th"))


def test_page_tables_span_as_printed(page, doc):
    tree = html.fromstring(page.read_bytes())
    tables = tree.findall(".//table")
    assert len(tables) == 3
    for table, key in zip(tables, ("t2", "t3", "t4"), strict=True):
        expected = spans(statutory_table(GK, key, doc.values))
        got = [
            [(c.text_content(), int(c.get("rowspan", 1)), int(c.get("colspan", 1))) for c in tr if c.tag in ("td", "th")]
            for tr in table.iter("tr")
        ]
        assert got == expected
    t3 = tables[1]
    assert len(t3.find("thead").findall("tr")) == 3  # printed on each page the table runs onto


def test_page_title_and_fingerprint(page, doc):
    tree = html.fromstring(page.read_bytes())
    assert tree.find(".//title").text == tree.find(".//h1").text == doc.title
    assert [h.text for h in tree.findall(".//h2")] == [h for _, h in GK.outline_labels]
    stamp = tree.find(".//meta[@name='xlsx-tools-fingerprint']").get("content")
    assert parse_stamp(stamp) == doc.stamp
    assert tree.find(".//div[@class='gk-report']").get("data-xlsx-tools-fingerprint") == stamp


def test_a_pasted_body_keeps_its_fingerprint(page, tmp_path):
    """A site's CMS keeps the body it is given: the page read back is still recognised."""
    tree = html.fromstring(page.read_bytes())
    article = etree.tostring(tree.find(".//div[@class='gk-report']"), encoding="unicode")
    site = tmp_path / "site.html"
    site.write_text(
        f"<html><head><meta charset='utf-8'><title>政务公开</title></head><body><div class=nav>首页 &gt; 年报</div>{article}</body></html>",
        "utf-8",
    )
    back = read_report(site)
    assert back.stamp == parse_stamp(back.stamp).text and back.cells == read_report(page).cells


def test_text_is_escaped_and_lines_kept(tmp_path):
    report = read_report(EXAMPLES / "03-教育局.xlsx")
    report.text["problems"] = "一是<b>培训</b>不足 & 制度不全；\n\n　　二是平台建设滞后。  "
    doc = build_document(report)
    assert doc.texts["problems"] == "一是<b>培训</b>不足 & 制度不全；\n\n　　二是平台建设滞后。"
    from xlsx_tools.publish.webpage import page_html
    from xlsx_tools.publish.word import write_docx

    assert "<b>" not in page_html(doc) and "一是&lt;b&gt;培训&lt;/b&gt;不足 &amp; 制度不全；" in page_html(doc)
    (tmp_path / "p.html").write_text(page_html(doc), "utf-8")
    write_docx(doc, tmp_path / "p.docx")
    for path in (tmp_path / "p.html", tmp_path / "p.docx"):
        assert read_report(path).text["problems"] == doc.texts["problems"], path.suffix


def test_a_text_line_that_reads_as_another_heading_is_pointed_out(tmp_path):
    from xlsx_tools.publish.word import write_docx

    report = read_report(EXAMPLES / "03-教育局.xlsx")
    report.text["overview"] += "\n五、存在的主要问题及改进情况\n一、总体情况"  # the second is its own heading again: harmless
    doc = build_document(report)
    assert doc.notes == [
        "正文「一、总体情况」第 2 行「五、存在的主要问题及改进情况」读起来是「五、存在的主要问题及改进情况」的标题，"
        "读取文档时会从这里算作那一部分；请改写这一行（如换个说法或去掉编号）"
    ]
    write_docx(doc, tmp_path / "r.docx")
    assert read_report(tmp_path / "r.docx").text["overview"] != doc.texts["overview"]  # as the note says


# The order WordprocessingML's schema (ECMA-376, transitional) gives the children of the property
# elements written here: Word refuses ("unreadable content") what LibreOffice and python-docx accept.
SCHEMA_ORDER = {
    "pPr": [
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "widowControl",
        "numPr",
        "pBdr",
        "shd",
        "tabs",
        "spacing",
        "ind",
        "jc",
        "outlineLvl",
        "rPr",
    ],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "color", "spacing", "w", "kern", "sz", "szCs", "u", "lang"],
    "tcPr": ["tcW", "gridSpan", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "vAlign"],
    "tblPr": ["tblStyle", "tblW", "jc", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "font": ["altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig"],
    "style": ["name", "aliases", "basedOn", "next", "link", "uiPriority", "semiHidden", "unhideWhenUsed", "qFormat", "rsid", "pPr", "rPr"],
    "styles": ["docDefaults", "latentStyles", "style"],
}


def test_word_properties_are_in_the_schemas_order(word):
    with zipfile.ZipFile(word) as zf:
        parts = [n for n in zf.namelist() if n.startswith("word/") and n.endswith(".xml")]
        roots = {n: etree.fromstring(zf.read(n)) for n in parts}
    checked = 0
    for name, root in roots.items():
        for el in root.iter():
            local = etree.QName(el).localname if isinstance(el.tag, str) else ""
            order = SCHEMA_ORDER.get(local)
            if order is None or etree.QName(el).namespace != W:
                continue
            kids = [etree.QName(c).localname for c in el if isinstance(c.tag, str)]
            known = [k for k in kids if k in order]
            assert known == sorted(known, key=order.index), (name, local, kids)
            checked += 1
    assert checked > 500
