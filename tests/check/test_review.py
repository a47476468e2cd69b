"""The review loop on one report: explanations (说明), local rules, XY-JUMP,
XY-TEXT-REUSE and TEXT-LENGTH; and `xlsx-tools validate --rules`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EDU, EXAMPLES
from gk import GK, LAYOUT

from xlsx_tools.build import build_workbook
from xlsx_tools.check.explain import apply_notes, explains
from xlsx_tools.check.local import LocalRulesError, parse
from xlsx_tools.check.previous import LastYear, prune
from xlsx_tools.check.similar import normalise, similarity
from xlsx_tools.check.validate import check_report, validate_file
from xlsx_tools.findings import ERROR, WARNING, Finding
from xlsx_tools.read.reader import read_report
from xlsx_tools.report import Note, load_json
from xlsx_tools.testing import synth

TODAY = dt.date(2026, 3, 1)
HEALTH = EXAMPLES / "04-卫健局.xlsx"
BAD = EXAMPLES / "05-自然资源局-结转不平衡.xlsx"
FEE = EXAMPLES / "06-市场监管局-收费提示.xlsx"
ALL = sorted(EXAMPLES.glob("*.json"))


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xlsx_tools.cli", *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)


# ---- explanations ----------------------------------------------------------------------------
def test_an_explained_warning_is_explained_in_validate_json():
    proc = cli("validate", HEALTH, "--format", "json")
    assert proc.returncode == 0
    [result] = json.loads(proc.stdout)
    assert (result["errors"], result["warnings"], result["explained"]) == (0, 1, 1)
    [f] = result["findings"]
    assert f["rule"] == "DEADLINE" and f["severity"] == "warning"
    assert f["explanation"] == "因机构改革，本报告经县人民政府办公室同意于 2026 年 2 月 5 日发布。"
    assert list(f) == ["rule", "severity", "cells", "where", "expected", "actual", "message", "explanation"]


def test_an_explained_warning_in_the_text_output():
    proc = cli("validate", HEALTH)
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{HEALTH}（示例县卫生健康局）：1 个提示（均已说明）"
    assert lines[2].split()[:3] == ["提示（已说明）", "DEADLINE", "封面!B13"]
    assert lines[3].strip() == "说明：因机构改革，本报告经县人民政府办公室同意于 2026 年 2 月 5 日发布。"


def test_unexplained_warnings_have_a_null_explanation():
    [f] = validate_file(FEE, today=TODAY).findings
    assert f.to_json()["explanation"] is None and not f.explained


def test_errors_cannot_be_explained_away():
    report = read_report(BAD)
    report.notes = [Note("T3-BALANCE", "", "数字是对的"), Note("NARRATIVE", "", "正文写的是另一口径")]
    findings = check_report(report, today=TODAY)
    assert [(f.rule, f.severity, f.explanation) for f in findings] == [
        ("T3-BALANCE", ERROR, None),
        ("T3-BALANCE", ERROR, None),
        ("NARRATIVE", WARNING, "正文写的是另一口径"),
    ]
    assert sum(f.is_error for f in findings) == 2  # the exit code does not change


def test_a_note_explains_only_its_rule_and_cells():
    f = Finding("FEE-COLLECTED", WARNING, "x", ["fee.collected", "fee.notice_amount"], ["正文!B12", "正文!B11"])
    assert explains(Note("FEE-COLLECTED", "", "说明"), f)
    assert explains(Note("fee-collected", "正文!B11:B12", "说明"), f)  # a range, any case
    assert explains(Note("FEE-COLLECTED", "B12", "说明"), f)  # without its sheet
    assert explains(Note("FEE-COLLECTED", "fee.collected", "说明"), f)  # a canonical ID
    assert not explains(Note("FEE-COLLECTED", "正文!B13", "说明"), f)  # another cell
    assert not explains(Note("FEE-UNPAID", "", "说明"), f)  # another rule
    assert not explains(Note("FEE-COLLECTED", "", "  "), f)  # nothing said
    assert apply_notes([f], [Note("FEE-COLLECTED", "正文!B13", "x")])[0].explanation is None


def test_notes_round_trip_through_json_fill_and_export(tmp_path):
    data = json.loads(HEALTH.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["notes"] == [
        {"rule": "DEADLINE", "where": "封面!B13", "text": "因机构改革，本报告经县人民政府办公室同意于 2026 年 2 月 5 日发布。"}
    ]
    assert read_report(HEALTH).to_json() == data


def test_the_notes_sheet_is_found_by_its_header_even_when_moved(tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(FEE)
    ws = wb[LAYOUT.notes]
    ws.insert_rows(1, 2)  # two rows inserted above the header
    top = LAYOUT.note_first_row + 2 + 1
    ws.cell(top, 1, "FEE-COLLECTED")
    ws.cell(top, 4, "收取的费用含上年度发出通知的 150 元。")
    wb.save(tmp_path / "moved.xlsx")  # (openpyxl drops the totals' values: TOTAL-RECOMPUTED too)
    [f] = [f for f in validate_file(tmp_path / "moved.xlsx", today=TODAY).findings if f.rule == "FEE-COLLECTED"]
    assert f.explanation == "收取的费用含上年度发出通知的 150 元。"


# ---- local rules -------------------------------------------------------------------------------
def _report_published(day: dt.date, **text):
    report = synth.report(41, "示例县统计局", year=2025)
    report.meta["published_on"] = day
    report.text.update(text)
    return report


def test_a_local_deadline_turns_a_late_january_publication_into_a_warning():
    report = _report_published(dt.date(2026, 1, 28))
    assert "DEADLINE" not in [f.rule for f in check_report(report, today=TODAY)]
    rules = parse('[deadline]\ndefault = "1-26"\n', "本地规则.toml")
    [f] = [f for f in check_report(report, today=TODAY, rules=rules) if f.rule == "DEADLINE"]
    assert f.severity == WARNING
    assert f.message == "封面「发布日期」2026-01-28 晚于本地规定的期限 2026-01-26（部门报告，2025 年度，本地规则.toml）"
    report.meta["kind"] = "政府报告"  # a government's own report keeps the national 31 March
    assert "DEADLINE" not in [f.rule for f in check_report(report, today=TODAY, rules=rules)]


def test_severity_changes_and_switches():
    report = _report_published(dt.date(2026, 1, 20), other="本年度收取信息处理费999元。")
    assert [(f.rule, f.severity) for f in check_report(report, today=TODAY)] == [("NARRATIVE", WARNING)]
    assert [(f.rule, f.severity) for f in check_report(report, today=TODAY, rules=parse('[severity]\nNARRATIVE = "error"'))] == [
        ("NARRATIVE", ERROR)
    ]
    assert check_report(report, today=TODAY, rules=parse('[severity]\nNARRATIVE = "关闭"')) == []


def test_a_warning_made_an_error_cannot_be_explained():
    report = _report_published(dt.date(2026, 1, 20), other="本年度收取信息处理费999元。")
    report.notes = [Note("NARRATIVE", "", "另有口径")]
    [f] = check_report(report, today=TODAY, rules=parse('[severity]\nNARRATIVE = "error"'))
    assert f.severity == ERROR and f.explanation is None


BAD_FILES = [
    ("[deadline]\ndefault = 1-26\n", "第 2 行：不是有效的 TOML 格式"),
    ('[deadline]\ndefault = "2-30"\n', '第 2 行：[deadline] default 应为次年的「月-日」，如 "1-26" 或 "1月26日"，实为 \'2-30\''),
    ('[deadline]\n"街道报告" = "1-20"\n', "第 2 行：[deadline] 中的「街道报告」不是报告类型"),
    ('# 示例\n[severity]\nNARATIVE = "error"\n', "第 3 行：没有规则「NARATIVE」"),
    (
        '[severity]\nBLANK = "off"\nT3-BALANCE = "off"\n',
        "第 3 行：T3-BALANCE 是错误（表三 一+二 = （七）总计+四），本地规则不能把错误改为提示或关闭",
    ),
    ('[severity]\nBLANK = "ignore"\n', "第 2 行：[severity] BLANK 应为"),
    ("[text_length]\noverview = 1000\nsummary = 200\n", "第 3 行：[text_length] 中的「summary」不是正文的部分"),
    ('[text_length]\n"一、总体情况" = 0\n', "第 2 行：[text_length] 一、总体情况 应为不小于 1 的整数"),
    ("[xy_jump]\nfactor = 1\n", "第 2 行：[xy_jump] factor 应为不小于 1.5 的数"),
    ("[text_reuse]\npercent = 150\n", "第 2 行：[text_reuse] percent 是百分比"),
    ("[text_reuse]\nratio = 50\n", "第 2 行：[text_reuse] 中没有「ratio」这一项"),
    ("\n\n[deadlines]\n", "第 3 行：未知的设置「deadlines」"),
    ('[severity]\nDUPLICATE = "error"\n', "第 2 行：DUPLICATE（同一单位只提交一份报告）是汇总时的登记，不能在本地规则中改动"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_a_bad_rules_file_is_refused_naming_the_line(text, message):
    with pytest.raises(LocalRulesError) as exc:
        parse(text, "本地规则.toml")
    assert exc.value.message.startswith("本地规则文件 本地规则.toml ")
    assert message in exc.value.message


def test_the_documented_example_is_valid():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "LOCAL-RULES.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    rules = parse(example, "本地规则.toml")
    assert rules.deadlines[""] == (1, 26) and rules.deadlines["政府报告"] == (3, 31)
    assert rules.severity == {"NARRATIVE": ERROR, "BLANK": "off"}
    assert rules.text_length == {"overview": 1000}
    assert (rules.jump_factor, rules.jump_min, rules.reuse_percent, rules.reuse_min_chars, rules.similar_percent) == (5, 20, 50, 100, 90)


def _cli_workbook(tmp_path: Path, name: str, **text) -> Path:
    path = tmp_path / name
    build_workbook(path, _report_published(dt.date(2026, 1, 28), **text))
    return path


def test_validate_rules_option_moves_the_deadline_and_changes_the_exit_code(tmp_path):
    book = _cli_workbook(tmp_path, "统计局.xlsx", other="本年度收取信息处理费999元。")
    (tmp_path / "期限.toml").write_text('[deadline]\ndefault = "1月26日"\n', encoding="utf-8")
    (tmp_path / "严格.toml").write_text('[severity]\nNARRATIVE = "error"\n', encoding="utf-8")
    plain = cli("validate", book, "--format", "json")
    assert plain.returncode == 0
    assert [f["rule"] for f in json.loads(plain.stdout)[0]["findings"]] == ["NARRATIVE"]
    late = cli("validate", book, "--format", "json", "--rules", tmp_path / "期限.toml")
    assert late.returncode == 0
    assert [(f["rule"], f["severity"]) for f in json.loads(late.stdout)[0]["findings"]] == [
        ("NARRATIVE", "warning"),
        ("DEADLINE", "warning"),
    ]
    strict = cli("validate", book, "--rules", tmp_path / "严格.toml")
    assert strict.returncode == 1
    assert "1 个错误" in strict.stdout


def test_validate_with_a_bad_rules_file_exits_2_with_the_line(tmp_path):
    (tmp_path / "坏.toml").write_text('[severity]\nFEE-COLLECTED = "errror"\n', encoding="utf-8")
    proc = cli("validate", EDU, "--rules", tmp_path / "坏.toml")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"本地规则文件 {tmp_path / '坏.toml'} 第 2 行：[severity] FEE-COLLECTED 应为")
    missing = cli("validate", EDU, "--rules", tmp_path / "无.toml")
    assert missing.returncode == 2 and "不存在" in missing.stderr


def test_text_length_with_a_local_limit():
    report = _report_published(dt.date(2026, 1, 20), **synth.long_text(3, "示例县统计局", 2025))
    n = sum(1 for ch in report.text["overview"] if not ch.isspace())
    assert check_report(report, today=TODAY, rules=parse(f"[text_length]\noverview = {n}\n")) == []
    [f] = check_report(report, today=TODAY, rules=parse(f'[text_length]\n"一、总体情况" = {n - 1}\n'))
    assert (f.rule, f.expected, f.actual, f.cells) == ("TEXT-LENGTH", n - 1, n, ["text.overview"])
    assert f.message == f"正文「一、总体情况」共 {n:,} 字，超过本地规定的 {n - 1:,} 字（本地规则）"


# ---- XY-JUMP ---------------------------------------------------------------------------------------
def _shifted(report, years: int = 1):
    last = load_json(report) if isinstance(report, Path) else report
    last.meta["year"] -= years
    return last


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_example_against_itself_a_year_earlier_has_no_jump(path):
    this, last = load_json(path), _shifted(path)
    assert [f.rule for f in check_report(this, last, TODAY) if f.rule.startswith("XY-JUMP")] == []


def test_a_jump_by_five_times_with_twenty_on_the_larger_side_is_named_with_both_years():
    this, last = synth.report(5, "示例县测试局"), synth.report(5, "示例县测试局", year=2024)
    this.where = {}
    this.cells["t2.penalty.decisions"], last.cells["t2.penalty.decisions"] = 100, 20
    this.cells["t2.license.decisions"], last.cells["t2.license.decisions"] = 19, 3  # 6 ×, but under 20
    this.cells["t2.coercion.decisions"], last.cells["t2.coercion.decisions"] = 99, 20  # 4.95 ×
    this.cells["t4.suit_direct.total"], last.cells["t4.suit_direct.total"] = 0, 12
    this.cells["t4.suit_after_review.total"], last.cells["t4.suit_after_review.total"] = 0, 13  # 25 → 0
    jumps = [f for f in check_report(this, prune(last), TODAY) if f.rule == "XY-JUMP"]
    assert [(f.cells, f.expected, f.actual) for f in jumps] == [
        (["t2.penalty.decisions"], 20, 100),
        (["t4.suit_direct.total", "t4.suit_after_review.total"], 25, 0),
    ]
    assert (
        jumps[0].message
        == "表二 行政处罚本年处理决定数量：本年 100 件，上年 20 件（本年为上年的 5 倍；相差 5 倍及以上即提示），请核实是否填错"
    )
    assert jumps[1].message.startswith("表四 行政诉讼（两类总计之和）：本年 0 件，上年 25 件（本年为 0；")
    looser = parse("[xy_jump]\nfactor = 10\nmin_larger = 30\n")
    assert [f for f in check_report(this, last, TODAY, rules=looser) if f.rule == "XY-JUMP"] == []


def test_a_fee_amount_jump_in_ten_thousand_yuan():
    this, last = synth.report(5, "示例县测试局"), synth.report(5, "示例县测试局", year=2024)
    this.cells["t2.fee.amount"], last.cells["t2.fee.amount"] = 26.28, 262.8  # entered in the wrong unit
    [f] = [f for f in check_report(this, last, TODAY) if f.rule == "XY-JUMP"]
    assert "本年 26.28 万元，上年 262.8 万元（上年为本年的 10 倍" in f.message


# ---- XY-TEXT-REUSE ---------------------------------------------------------------------------------
def test_text_reused_from_last_year_is_a_warning_with_its_percentage():
    this, last = synth.report(5, "示例县测试局"), synth.report(5, "示例县测试局", year=2024)
    last.text.update(synth.long_text(12, "示例县测试局", 2024))
    this.text.update(synth.long_text(5, "示例县测试局", 2025))  # written anew
    assert [f for f in check_report(this, last, TODAY) if f.rule == "XY-TEXT-REUSE"] == []
    reused = last.text["overview"].replace("2024", "2025")
    for a, b in (("30", "45"), ("条", "条")):
        reused = reused.replace(a, b)
    this.text["overview"] = reused  # last year's text, this year's figures
    [f] = [f for f in check_report(this, last, TODAY) if f.rule == "XY-TEXT-REUSE"]
    assert f.cells == ["text.overview"] and f.actual == 100 and f.expected == 50
    assert f.message.startswith("正文「一、总体情况」与上年报告约 100% 相同（达到 50%；不计数字和单位名称）")


def test_reuse_is_measured_on_normalised_text():
    assert normalise("２０２５年，示例县教育局公开信息 1,234 条。", ["示例县教育局"]) == "0年公开信息0条"
    a = normalise(synth.long_text(1, "甲局", 2025)["overview"], ["甲局"])
    b = normalise(synth.long_text(1, "乙局", 2025)["overview"].replace("乙局", "甲局"), ["甲局"])
    assert similarity(a, b) == 100  # only the name and figures differ


def test_short_sections_are_not_compared():
    this, last = synth.report(5, "示例县测试局"), synth.report(5, "示例县测试局", year=2024)
    assert this.text["problems"] == last.text["problems"]  # the same two sentences every year
    assert [f for f in check_report(this, last, TODAY) if f.rule == "XY-TEXT-REUSE"] == []


def test_last_year_is_matched_by_code_then_name():
    a, b = synth.report(1, "甲局", year=2024), synth.report(2, "乙局", year=2024)
    index = LastYear([prune(a), prune(b)])
    this = synth.report(9, "乙 局")  # another code, same name (spaces ignored)
    assert index.match(this) is None  # a name shared by another legal person is no match
    this.meta["uscc"] = ""
    assert index.match(this).meta["agency"] == "乙局"
    this.meta["uscc"] = a.meta["uscc"]
    assert index.match(this).meta["agency"] == "甲局"
    assert set(prune(a).cells) == set(GK.previous_ids)
