"""`xlsx-tools merge`: sums, identities, mergeability, policy, duplicates, year, exit codes."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from gk import CELLS, INPUT_IDS
from mergekit import EXAMPLES, agency_report, register, run, summary_cells, unbalance, write

from xlsx_tools.check.validate import validate_file
from xlsx_tools.read.reader import read_report
from xlsx_tools.report import load_json

EXAMPLE_OK = ["01-人社局-申请量大", "02-青山镇-全部为零", "03-教育局", "04-卫健局", "06-市场监管局-收费提示"]
EXAMPLE_BAD = "05-自然资源局-结转不平衡"


def errors_of(path: Path) -> list[str]:
    return [f.rule for f in validate_file(path).findings if f.is_error]


@pytest.fixture(scope="module")
def examples_summary(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("examples") / "汇总.xlsx"
    assert run("merge", EXAMPLES, "-o", out, "--name", "示例县", "--year", "2025") == 1  # one left out
    return out


# ---- the examples, by hand ------------------------------------------------------------


def test_examples_hand_computed_totals(examples_summary):
    c = summary_cells(examples_summary)
    # 01 人社局 + 02 青山镇 + 03 教育局 + 04 卫健局 + 06 市场监管局 (05 has errors: left out)
    assert c["t3.new.total"] == 480 + 0 + 90 + 45 + 70 == 685
    assert c["t3.carried_over.total"] == 40 + 0 + 7 + 3 + 5 == 55
    assert c["t3.total.total"] == 503 + 0 + 94 + 46 + 75 == 718
    assert c["t3.carried_forward.total"] == 17 + 0 + 3 + 2 + 0 == 22
    assert c["t3.new.natural"] == 408 + 0 + 73 + 40 + 55 == 576
    assert c["t2.license.decisions"] == 1681 + 0 + 2517 + 483 + 2858 == 7539
    assert c["t4.review.total"] == 2 + 0 + 1 + 1 + 6 == 10
    assert c["fee.notices"] == 4 + 0 + 4 + 1 + 2 == 11
    assert c["fee.notice_amount"] == 400 + 0 + 200 + 200 + 200 == 1000
    assert c["fee.collected"] == 400 + 0 + 0 + 200 + 350 == 950
    # 26.28 + 76.75 + 150.66 + 33.69 in binary floating point is 287.38000000000005
    assert c["t2.fee.amount"] == 287.38
    assert float(sum(Decimal(x) for x in ("26.28", "0", "76.75", "150.66", "33.69"))) == 287.38


def test_examples_summary_equals_json_sums(examples_summary):
    """Every cell of the summary is the sum of the counted examples' JSON (another path than the reader)."""
    reports = [load_json(EXAMPLES / f"{stem}.json") for stem in EXAMPLE_OK]
    c = summary_cells(examples_summary)
    for cid in CELLS:
        expected = sum(Decimal(repr(r.cells[cid])) for r in reports)
        assert Decimal(repr(c[cid])) == expected, cid


def test_summary_is_a_valid_report_of_the_same_form(examples_summary):
    result = validate_file(examples_summary)
    assert result.readable
    assert [f.rule for f in result.findings] == []  # a summary has no code of its own, and needs none
    report = result.report
    assert report.meta["agency"] == "示例县"
    assert report.meta["year"] == 2025
    assert report.meta["kind"] == "汇总报告"
    assert report.meta["covers"] == 5
    assert "共收到政府信息公开申请685件" in report.text["overview"]


def test_examples_register_and_problems(examples_summary):
    reg = register(examples_summary)
    for stem in EXAMPLE_OK:
        assert reg[f"{stem}.xlsx"]["计入汇总"] == "是"
    bad = reg[f"{EXAMPLE_BAD}.xlsx"]
    assert (bad["状态"], bad["计入汇总"], bad["错误数"]) == ("有错误", "否", 2)
    assert "表三 自然人列" in bad["说明"]
    assert reg["06-市场监管局-收费提示.xlsx"]["状态"] == "有警告"
    assert reg["01-人社局-申请量大.xlsx"]["状态"] == "通过"
    assert len(reg["01-人社局-申请量大.xlsx"]["SHA-256"]) == 64
    # the JSON copies and the script are listed as skipped
    assert reg["03-教育局.json"]["状态"] == "已跳过"
    assert reg["make_examples.py"]["说明"] == "不是工作簿（.py）"


def test_include_invalid_counts_the_unbalanced_and_the_summary_shows_it(tmp_path):
    out = tmp_path / "all.xlsx"
    assert run("merge", EXAMPLES, "-o", out, "--include-invalid") == 0  # every workbook counted
    c = summary_cells(out)
    all_six = [load_json(p) for p in sorted(EXAMPLES.glob("*.json"))]
    for cid in INPUT_IDS:
        assert Decimal(repr(c[cid])) == sum(Decimal(repr(r.cells[cid])) for r in all_six), cid
    # an identity over a sum is linear: the error of 05 is the summary's error
    assert errors_of(out) == ["T3-BALANCE", "T3-BALANCE"]
    assert register(out)[f"{EXAMPLE_BAD}.xlsx"]["计入汇总"] == "是"


def test_strict_writes_nothing_when_a_submission_has_errors(tmp_path, capsys):
    out = tmp_path / "strict.xlsx"
    assert run("merge", EXAMPLES, "-o", out, "--strict") == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    assert "--strict" in capsys.readouterr().out


def test_strict_writes_when_all_are_clean(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for stem in EXAMPLE_OK:
        shutil.copy(EXAMPLES / f"{stem}.xlsx", src)
    assert run("merge", src, "-o", tmp_path / "s.xlsx", "--strict") == 0
    assert (tmp_path / "s.xlsx").exists()


# ---- mergeable again -----------------------------------------------------------------------


def test_merging_summaries_equals_merging_all_agencies(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for i in range(7):
        report = agency_report(100 + i)
        report.cells["t2.fee.amount"] = [0.1, 0.2, 0.3, 12.34, 0.07, 1e-06, 99999.99][i]  # decimals that drift as floats
        report.cells["fee.notice_amount"] = float(report.cells["fee.notices"] * 50) + 0.1
        write(report, (a if i < 4 else b) / f"{i}.xlsx")
    assert run("merge", a, "-o", tmp_path / "A.xlsx", "--name", "甲县") == 0
    assert run("merge", b, "-o", tmp_path / "B.xlsx", "--name", "乙县") == 0
    assert run("merge", tmp_path / "A.xlsx", tmp_path / "B.xlsx", "-o", tmp_path / "AB.xlsx", "--name", "某市") == 0
    assert run("merge", a, b, "-o", tmp_path / "ALL.xlsx", "--name", "某市") == 0
    ab, every = read_report(tmp_path / "AB.xlsx"), read_report(tmp_path / "ALL.xlsx")
    assert ab.cells == every.cells
    assert 0.1 + 0.2 + 0.3 + 12.34 + 0.07 + 1e-06 + 99999.99 != 100013.000001  # floats drift …
    assert ab.cells["t2.fee.amount"] == 100013.000001  # … the summary does not
    assert ab.meta["covers"] == every.meta["covers"] == 7
    reg = register(tmp_path / "AB.xlsx")
    assert (reg["A.xlsx"]["报告类型"], reg["A.xlsx"]["汇总单位数"]) == ("汇总报告", 4)
    assert reg["B.xlsx"]["汇总单位数"] == 3
    assert errors_of(tmp_path / "AB.xlsx") == []


# ---- policy: year, duplicates ---------------------------------------------------------------


def test_year_by_majority_flags_the_other_year(tmp_path):
    for i in range(3):
        write(agency_report(i), tmp_path / "in" / f"{i}.xlsx")
    write(agency_report(9, year=2024), tmp_path / "in" / "old.xlsx")
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out) == 1
    reg = register(out)
    assert (reg["old.xlsx"]["状态"], reg["old.xlsx"]["计入汇总"]) == ("年度不符", "否")
    assert "报告年度为 2024 年，与汇总年度 2025 年不符" in reg["old.xlsx"]["说明"]
    assert read_report(out).meta["year"] == 2025
    assert read_report(out).meta["covers"] == 3


def test_year_given_overrides_majority(tmp_path):
    for i in range(3):
        write(agency_report(i), tmp_path / "in" / f"{i}.xlsx")
    write(agency_report(9, year=2024), tmp_path / "in" / "old.xlsx")
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out, "--year", "2024") == 1
    reg = register(out)
    assert reg["old.xlsx"]["状态"] == "通过"
    assert [reg[f"{i}.xlsx"]["状态"] for i in range(3)] == ["年度不符"] * 3
    assert read_report(out).meta["covers"] == 1


def test_wrong_year_is_never_counted_even_with_include_invalid(tmp_path):
    write(agency_report(1), tmp_path / "in" / "a.xlsx")
    write(agency_report(2), tmp_path / "in" / "b.xlsx")
    write(agency_report(3, year=2024), tmp_path / "in" / "old.xlsx")
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out, "--include-invalid") == 1
    assert register(out)["old.xlsx"]["计入汇总"] == "否"


def test_duplicate_newer_filled_on_wins_over_newer_file_time(tmp_path):
    old, new = agency_report(5), agency_report(5)  # same seed: same agency and code
    old.meta["filled_on"] = old.meta["filled_on"].replace(day=5)
    new.meta["filled_on"] = new.meta["filled_on"].replace(day=20)
    new.cells["t2.license.decisions"] += 7
    write(new, tmp_path / "in" / "b-new.xlsx", mtime=1_700_000_000)
    write(old, tmp_path / "in" / "a-old.xlsx", mtime=1_800_000_000)  # touched later, filled earlier
    write(agency_report(6), tmp_path / "in" / "other.xlsx")
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out) == 1
    reg = register(out)
    assert (reg["a-old.xlsx"]["状态"], reg["a-old.xlsx"]["计入汇总"]) == ("重复", "否")
    assert "统一社会信用代码相同" in reg["a-old.xlsx"]["说明"] and "b-new.xlsx" in reg["a-old.xlsx"]["说明"]
    assert reg["b-new.xlsx"]["计入汇总"] == "是"
    expected = new.cells["t2.license.decisions"] + agency_report(6).cells["t2.license.decisions"]
    assert summary_cells(out)["t2.license.decisions"] == expected


def test_duplicate_same_date_uses_file_time_and_names_without_code(tmp_path):
    first, second = agency_report(5, uscc=None), agency_report(5, uscc=None)
    second.cells["t2.penalty.decisions"] += 3
    write(first, tmp_path / "in" / "x1.xlsx", mtime=1_700_000_000)
    write(second, tmp_path / "in" / "x2.xlsx", mtime=1_700_000_500)
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out) == 1
    reg = register(out)
    assert reg["x1.xlsx"]["状态"] == "重复" and "单位名称相同" in reg["x1.xlsx"]["说明"]
    assert summary_cells(out)["t2.penalty.decisions"] == second.cells["t2.penalty.decisions"]


def test_identical_copies_are_one_submission(tmp_path):
    src = write(agency_report(8), tmp_path / "in" / "a.xlsx")
    shutil.copy(src, tmp_path / "in" / "a - 副本.xlsx")
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out) == 1
    reg = register(out)
    dup = [r for r in reg.values() if r["状态"] == "重复"]
    assert len(dup) == 1 and "内容完全相同" in dup[0]["说明"]
    assert read_report(out).meta["covers"] == 1


# ---- exit codes ------------------------------------------------------------------------------


def test_nothing_usable_exits_2_and_writes_nothing(tmp_path, capsys):
    write(unbalance(agency_report(1)), tmp_path / "in" / "bad.xlsx")
    (tmp_path / "in" / "notes.txt").write_text("x", encoding="utf-8")
    out = tmp_path / "s.xlsx"
    assert run("merge", tmp_path / "in", "-o", out) == 2
    assert not out.exists()
    assert "没有可以计入汇总的报告" in capsys.readouterr().out


def test_no_workbook_found_exits_2(tmp_path, capsys):
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    assert run("merge", tmp_path, "-o", tmp_path / "s.xlsx") == 2
    assert "没有找到报告工作簿" in capsys.readouterr().out


def test_missing_input_is_a_usage_error(tmp_path, capsys):
    assert run("merge", tmp_path / "nope", "-o", tmp_path / "s.xlsx") == 2
    assert f"输入 {tmp_path / 'nope'} 不存在" in capsys.readouterr().err
