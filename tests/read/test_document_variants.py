"""Label variants that real published reports use: the form's closed list, each read and
named in a warning; a table in the 2019 layout refused alone; nothing beyond the list."""

from __future__ import annotations

import pytest
from docfixtures import built, differences, docx
from gk import CELLS

from xlsx_tools.read import read_report
from xlsx_tools.testing import documents as D

EXPECTED = built()
PUBLISHED = "发布时间：2026-01-22"


def by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


@pytest.mark.parametrize(
    "statutory, written",
    [
        ("行政规范性文件", "规范性文件"),
        (
            "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "1．申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",
        ),
        ("7．属于行政执法案卷", "7．属于行政执法案件"),
        ("2．其他法律行政法规禁止公开", "2.其他法律和行政法规禁止公开"),
        ("3．危及“三安全一稳定”", "危及“三安全一稳定”"),
        ("3．要求提供公开出版物", "要求提供公开出版物"),
    ],
)
def test_an_accepted_variant_is_read_and_named(tmp_path, statutory, written):
    path = docx(tmp_path / "v.docx", EXPECTED, D.Options(published=PUBLISHED, label=lambda s: written if s == statutory else s))
    report = read_report(path)
    assert differences(report, EXPECTED) == {}
    [variant] = by_rule(report, "LABEL-VARIANT")
    assert variant.severity == "warning"
    assert f"「{written}」是「{statutory}」的常见写法，已按「{statutory}」读取" in variant.message
    assert variant.where[0].startswith("第 ") and "个表格第" in variant.where[0]
    assert [f.rule for f in report.findings if f.severity == "error"] == []


def test_a_label_beyond_the_list_is_not_read(tmp_path):
    path = docx(
        tmp_path / "x.docx", EXPECTED, D.Options(published=PUBLISHED, label=lambda s: "行政规范文件" if s == "行政规范性文件" else s)
    )
    report = read_report(path)
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message == (
        "第 1 个表格中表二「第二十条第（一）项」缺少「行政规范性文件」这一行（应在第 1 个表格第 3 行「规章」之后），该行的 3 个数未读取"
    )
    assert report.cells["t2.normative.issued"] is None


def test_the_rule_row_left_out_is_not_applicable(tmp_path):
    report = read_report(docx(tmp_path / "no-rule.docx", EXPECTED, D.Options(published=PUBLISHED, omit_rows=("规章",))))
    [omitted] = by_rule(report, "LABEL-VARIANT")
    assert omitted.message == (
        "第 1 个表格中表二「第二十条第（一）项」没有「规章」这一行（没有规章制定权的单位不制定规章，常省略此行），按不适用处理，该行的 3 个数未读取"
    )
    assert omitted.cells == ["t2.rule.issued", "t2.rule.repealed", "t2.rule.in_force"]
    assert all(report.cells[c] is None for c in omitted.cells)  # not applicable: never read as zeros
    others = [c for c in CELLS if not c.startswith("t2.rule.")]
    assert differences(report, EXPECTED, others) == {}
    assert [f.rule for f in report.findings if f.severity == "error"] == []


def test_other_handling_as_one_row_of_zeros(tmp_path):
    """（六）其他处理 printed as one row (2019 layout): its zeros are the three rows' zeros."""
    report_in = built()
    for c in CELLS:
        if c.startswith("t3.other."):
            report_in.cells[c] = 0
    report_in.cells["t3.total.natural"] = sum(
        report_in.cells[f"t3.{r}.natural"]
        for r in [p for p in ("disclosed", "partly_disclosed")]
        + [
            c.split(".", 1)[1].rsplit(".", 1)[0]
            for c in CELLS
            if c.startswith(("t3.withheld.", "t3.unavailable.", "t3.not_processed.")) and c.endswith(".natural")
        ]
    )
    report = read_report(docx(tmp_path / "one-row.docx", report_in, D.Options(published=PUBLISHED, other_single_row=True)))
    assert [report.cells[f"t3.other.{k}.natural"] for k in ("no_correction", "unpaid_fee", "other")] == [0, 0, 0]
    [variant] = by_rule(report, "LABEL-VARIANT")
    assert "「（六）其他处理」只有一行（2019 年版格式），没有分为 3 项；该行为 0 的列，其 3 项均按 0 计" in variant.message
    assert by_rule(report, "LAYOUT") == []


def test_other_handling_as_one_row_with_a_number_cannot_be_split(tmp_path):
    report_in = built()
    assert report_in.cells["t3.other.other.natural"] + report_in.cells["t3.other.no_correction.natural"] > 0
    report = read_report(docx(tmp_path / "one-row.docx", report_in, D.Options(published=PUBLISHED, other_single_row=True)))
    [layout] = by_rule(report, "LAYOUT")
    assert layout.message.startswith("表三「（六）其他处理」只有一行（2019 年版格式），自然人列「")
    assert "无法分到 3 项中，这些列的 3 项未读取" in layout.message
    assert report.cells["t3.other.other.natural"] is None
    assert report.cells["t3.disclosed.natural"] == report_in.cells["t3.disclosed.natural"]


def test_table_two_in_the_2019_layout_is_refused_alone(tmp_path):
    report = read_report(docx(tmp_path / "2019.docx", EXPECTED, D.Options(published=PUBLISHED, t2_2019=True)))
    [version] = by_rule(report, "FORM-VERSION")
    assert version.severity == "error"
    assert version.message == (
        "第 1 个表格第 2 行第 2 列 为「本年新制作数量」：表二（二、主动公开政府信息情况）是国办公开办函〔2019〕60号印发的 2019 年版格式"
        "（2019、2020 年度使用）的表格，与现行格式（国办公开办函〔2021〕30号，GK-2021）不同，表二未读取（其他表格照常读取）；请按现行格式重新填写表二"
    )
    assert all(report.cells[c] is None for c in CELLS if c.startswith("t2."))
    rest = [c for c in CELLS if c.startswith(("t3.", "t4.", "fee."))]
    assert differences(report, EXPECTED, rest) == {}
