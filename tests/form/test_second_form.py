"""A second national form joins as one new value: a made-up form (GK-DEMO) with one
small table, its own identities, sheet names and words, registered beside GK-2021,
goes through template → fill → read → validate → merge without any other module
knowing it exists."""

from __future__ import annotations

import random
import re

import pytest

from xlsx_tools.build import build_workbook
from xlsx_tools.check import validate_file
from xlsx_tools.findings import EQUAL, ERROR, RULES, Rule
from xlsx_tools.form import CURRENT, FORMS, Check, FormSpec, Grid, Node, Phrase, Section, Table, Term, register, unregister
from xlsx_tools.form.gk2021 import layout as gk_layout
from xlsx_tools.form.gk2021.tables import META_FIELDS
from xlsx_tools.merge import Options, merge, write_outputs
from xlsx_tools.read import read_report
from xlsx_tools.report import report_from_json
from xlsx_tools.testing import synth

ROWS = (
    Node("一、新收申请", "new"),
    Node("二、上年结转", "carried_over"),
    Node(
        "三、办理结果",
        None,
        (Node("（一）予以公开", "disclosed"), Node("（二）不予公开", "withheld"), Node("（三）合计", "total", total=True)),
    ),
    Node("四、结转下年", "carried_forward"),
)
COLS = (Node("个人", "person"), Node("单位", "org"), Node("合计", "total", total=True))
GRID = Grid("a", "一、申请办理情况", ROWS, COLS, corner="项目")


def _checks() -> tuple[Check, ...]:
    out = []
    for c in ("person", "org", "total"):
        out.append(
            Check(
                "DEMO-BALANCE",
                c,
                f"甲表 {c}列",
                (Term(f"a.new.{c}"), Term(f"a.carried_over.{c}")),
                (Term(f"a.total.{c}"), Term(f"a.carried_forward.{c}")),
                "新收+结转",
                "合计+结转下年",
            )
        )
        out.append(
            Check(
                "DEMO-RESULTS",
                c,
                f"甲表 {c}列",
                (Term(f"a.total.{c}"),),
                (Term(f"a.disclosed.{c}"), Term(f"a.withheld.{c}")),
                "合计",
                "各项之和",
                defines=c != "total",
            )
        )
    for r in ("new", "carried_over", "disclosed", "withheld", "total", "carried_forward"):
        out.append(
            Check(
                "DEMO-ROWSUM",
                r,
                f"甲表「{r}」",
                (Term(f"a.{r}.total"),),
                (Term(f"a.{r}.person"), Term(f"a.{r}.org")),
                "合计",
                "个人+单位",
                defines=True,
            )
        )
    return tuple(out)


DEMO = FormSpec(
    id="GK-DEMO",
    title="示范工作年度报告",
    source="某某函〔2030〕1号",
    first_year=2021,
    last_year=2100,
    tables=(Table("a", "甲表", "一、申请办理情况"),),
    grids=(GRID,),
    meta_fields=META_FIELDS,
    report_kinds=("部门报告", "政府报告", "汇总报告"),
    summary_kind="汇总报告",
    sections=(Section("overview", "一、概况", "概况"),),
    rules=(
        Rule("DEMO-BALANCE", ERROR, "甲表 新收+结转 = 合计+结转下年", EQUAL),
        Rule("DEMO-RESULTS", ERROR, "甲表 合计 = 各项之和", EQUAL),
        Rule("DEMO-ROWSUM", ERROR, "甲表 合计列 = 个人+单位", EQUAL),
    ),
    checks=_checks(),
    phrases=(Phrase(("a.new.total",), "新收申请", re.compile(r"新收申请(?P<n>\d+)件"), hint="新收申请"),),
    other_forms=(),
    deadlines={"": (2, 28)},
    words={"cover": "基本信息", "narrative": "文字说明", "button": "检查", "summary_scope": "各单位之和"},
    layout_recipe=gk_layout,
    summary_text=lambda spec, facts: f"{facts['name']}汇总，新收申请{facts['cells']['a.new.total']}件。",
)


@pytest.fixture
def demo():
    register(DEMO)
    yield DEMO
    unregister(DEMO.id)


def _data(agency: str, uscc: str, new=(3, 1), disclosed=(3, 1), text="新收申请4件。", published="2026-02-10") -> dict:
    cells = {f"a.{r}.{c}": 0 for r in ("new", "carried_over", "disclosed", "withheld", "carried_forward") for c in ("person", "org")}
    cells |= {"a.new.person": new[0], "a.new.org": new[1], "a.disclosed.person": disclosed[0], "a.disclosed.org": disclosed[1]}
    meta = {"agency": agency, "uscc": uscc, "year": 2025, "kind": "部门报告", "published_on": published}
    return {"form": "GK-DEMO", "meta": meta, "cells": cells, "text": {"overview": text}}


def test_a_second_form_goes_through_every_step(demo, tmp_path):
    assert set(FORMS) == {CURRENT, "GK-DEMO"}
    blank = tmp_path / "blank.xlsx"
    build_workbook(blank, spec=demo)
    assert read_report(blank).form == "GK-DEMO"

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    build_workbook(good, report_from_json(_data("甲局", synth.uscc(random.Random(1)))))
    unbalanced = _data("乙局", "", new=(5, 1), text="新收申请9件。")
    build_workbook(bad, report_from_json(unbalanced))

    report = read_report(good)
    assert report.form == "GK-DEMO" and report.meta["agency"] == "甲局"
    assert report.cells["a.total.total"] == 4 and report.where["a.new.person"].startswith("甲表!")
    assert validate_file(good).findings == []

    late = tmp_path / "late.xlsx"  # the form's own deadline (28 February) and words (基本信息) reach the findings
    build_workbook(late, report_from_json(_data("甲局", "11450221MB1234567X", published="2026-03-01")))
    assert [(f.rule, f.message) for f in validate_file(late).findings] == [
        ("META-USCC", "基本信息「统一社会信用代码」11450221MB1234567X 校验位（第 18 位）应为「0」，实为「X」，代码可能抄错（基本信息!B5）"),
        ("DEADLINE", "基本信息「发布日期」2026-03-01 晚于法定期限 2026-02-28（部门报告，2025 年度）（基本信息!B13）"),
    ]

    result = validate_file(bad)
    rules = sorted({f.rule for f in result.findings})
    assert rules == ["DEMO-BALANCE", "META-NO-USCC", "NARRATIVE"]
    balance = next(f for f in result.findings if f.rule == "DEMO-BALANCE")
    assert balance.severity == ERROR and balance.message.startswith("甲表 person列：新收+结转 = 5，合计+结转下年 = 3")
    assert "文字说明「一、概况」" in next(f for f in result.findings if f.rule == "NARRATIVE").message


def test_a_second_form_merges_into_its_own_summary(demo, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i, agency in enumerate(("甲局", "乙局")):
        build_workbook(inbox / f"{i}.xlsx", report_from_json(_data(agency, "")))
    out = tmp_path / "summary.xlsx"
    options = Options(name="示范县", year=2025, spec=demo, output=out)
    merged = merge([inbox], options)
    assert len(merged.included) == 2
    write_outputs(merged, out)
    summary = read_report(out)
    assert summary.form == "GK-DEMO" and summary.cells["a.new.total"] == 8
    assert summary.text["overview"] == "示范县汇总，新收申请8件。"


def test_the_current_form_does_not_merge_another_forms_report(demo, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build_workbook(inbox / "demo.xlsx", report_from_json(_data("甲局", "")))
    merged = merge([inbox], Options(year=2025))
    (sub,) = merged.submissions
    assert not sub.readable and sub.issues[0].rule == "FORM-VERSION" and "GK-DEMO" in sub.issues[0].message


def test_unregistered_the_form_is_unknown(tmp_path):
    register(DEMO)
    path = tmp_path / "demo.xlsx"
    build_workbook(path, spec=DEMO)
    unregister(DEMO.id)
    result = validate_file(path)
    assert [f.rule for f in result.findings] == ["FORM-VERSION"] and "GK-DEMO" in result.findings[0].message
    assert "DEMO-BALANCE" not in RULES and "T3-BALANCE" in RULES  # the form's own rules went with it


@pytest.mark.libreoffice
def test_a_second_forms_live_checks_agree_with_python_in_libreoffice(demo, tmp_path, libreoffice):
    import python_calamine

    from xlsx_tools.build.livechecks import live_rows
    from xlsx_tools.build.template import sheet_values

    report = report_from_json(_data("乙局", "", new=(5, 1)))
    path = tmp_path / "bad.xlsx"
    build_workbook(path, report)
    (recalculated,) = libreoffice.convert([path], "xlsx", tmp_path / "lo")
    layout = demo.layout
    book = python_calamine.CalamineWorkbook.from_path(str(recalculated))
    rows = book.get_sheet_by_name(layout.checks).to_python(skip_empty_area=False)
    values, _ = sheet_values(demo, report)
    col = layout.check_col["problems"]
    got = {r.code: rows[layout.check_first_row + i][col] for i, r in enumerate(live_rows(demo))}
    want = {r.code: r.evaluate(values, report.meta)["problems"] for r in live_rows(demo)}
    assert got == want and want["DEMO-BALANCE.person"] == 1
