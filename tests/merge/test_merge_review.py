"""The review loop in a merge: explanations carried into 说明汇总, feedback to agencies
(--feedback), last year's reports (--previous: a summary workbook or a folder), texts
copied between agencies (TEXT-SIMILAR, 雷同) and local rules (--rules)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from gk import GK
from mergekit import EXAMPLES, agency_report, register, run, sheet, snapshot, write

from xlsx_tools.check.local import parse
from xlsx_tools.check.validate import validate_file
from xlsx_tools.merge import Options, merge
from xlsx_tools.merge.feedback import safe_name
from xlsx_tools.merge.review import AGENCIES, EXPLANATIONS
from xlsx_tools.testing import synth

WORKBOOKS = sorted(EXAMPLES.glob("*.xlsx"))


def _examples(tmp: Path) -> Path:
    folder = tmp / "examples"
    folder.mkdir()
    for p in WORKBOOKS:
        shutil.copy2(p, folder / p.name)
    return folder


# ---- explanations and feedback on the examples -------------------------------------------------
def test_every_explanation_reaches_the_summary(tmp_path):
    out = tmp_path / "汇总.xlsx"
    assert run("merge", _examples(tmp_path), "-o", out, "--year", "2025") == 1
    head, *rows = sheet(out, EXPLANATIONS)
    assert head[:9] == ["序号", "单位名称", "统一社会信用代码", "文件", "规则", "规则说明", "位置", "提示内容", "情况说明（单位填写）"]
    [row] = rows
    health = validate_file(EXAMPLES / "04-卫健局.xlsx")
    assert row[1] == "示例县卫生健康局" and row[2] == health.report.meta["uscc"]
    assert row[4:7] == ["DEADLINE", "按时发布", "封面!B13"]
    assert row[7] == health.findings[0].message
    assert row[8] == "因机构改革，本报告经县人民政府办公室同意于 2026 年 2 月 5 日发布。" and row[9] == "是"
    assert register(out)["04-卫健局.xlsx"]["说明"].startswith("1 处提示均已说明")


def test_feedback_goes_to_the_agency_with_errors_and_the_one_with_an_unexplained_warning(tmp_path):
    folder = _examples(tmp_path)
    before = snapshot(folder)
    out, feedback = tmp_path / "汇总.xlsx", tmp_path / "审核意见"
    assert run("merge", folder, "-o", out, "--year", "2025", "--feedback", feedback) == 1
    files = sorted(p.name for p in feedback.iterdir())
    assert files == ["示例县市场监督管理局_2025年度审核意见.xlsx", "示例县自然资源局_2025年度审核意见.xlsx"]
    for name, example in (
        ("示例县自然资源局_2025年度审核意见.xlsx", "05-自然资源局-结转不平衡.xlsx"),
        ("示例县市场监督管理局_2025年度审核意见.xlsx", "06-市场监管局-收费提示.xlsx"),
    ):
        text = "\n".join(str(v) for row in sheet(feedback / name, "审核意见") for v in row if v is not None)
        findings = validate_file(EXAMPLES / example).findings
        assert findings
        for f in findings:  # every finding, with where it is and what to do
            assert f.message in text and f.rule in text
            assert all(w in text for w in f.where)
        assert "县政务公开办不修改各单位报送的数据" in text
    reg = register(out)
    assert reg["05-自然资源局-结转不平衡.xlsx"]["审核意见"] == "示例县自然资源局_2025年度审核意见.xlsx（有 2 个错误、1 处提示未说明）"
    assert reg["06-市场监管局-收费提示.xlsx"]["审核意见"] == "示例县市场监督管理局_2025年度审核意见.xlsx（有 1 处提示未说明）"
    assert not reg["04-卫健局.xlsx"]["审核意见"]  # its one warning is explained
    assert not reg["03-教育局.xlsx"]["审核意见"]
    assert snapshot(folder) == before  # the county never edits an agency's file


def test_feedback_files_are_not_overwritten_without_force(tmp_path):
    folder, feedback = _examples(tmp_path), tmp_path / "审核意见"
    assert run("merge", folder, "-o", tmp_path / "a.xlsx", "--feedback", feedback) == 1
    assert run("merge", folder, "-o", tmp_path / "b.xlsx", "--feedback", feedback) == 2
    assert not (tmp_path / "b.xlsx").exists()  # refused before the summary was written
    assert run("merge", folder, "-o", tmp_path / "c.xlsx", "--feedback", feedback, "--force") == 1


def test_feedback_file_names_are_safe():
    assert safe_name("示例县/教育局:*?") == "示例县_教育局_"
    assert safe_name("  示例县教育局. ") == "示例县教育局"
    assert safe_name("CON") == "CON_未填写单位名称"
    assert safe_name("") == "未填写单位名称" and safe_name("..", "甲.xlsx") == "甲.xlsx"
    assert len(safe_name("局" * 200)) == 60
    assert safe_name("ａｂｃ\t局") == "abc_局"


def test_two_agencies_of_the_same_name_get_two_files(tmp_path):
    folder = tmp_path / "in"
    for seed in (1, 2):
        report = agency_report(seed, "示例县/某局")
        report.cells["t3.carried_forward.natural"] += 1  # an error each
        write(report, folder / f"{seed}.xlsx")
    merged = merge([folder], Options(feedback=tmp_path / "fb"))
    assert sorted(name for name, _ in merged.feedback.values()) == [
        "示例县_某局_2025年度审核意见.xlsx",
        "示例县_某局（2）_2025年度审核意见.xlsx",
    ]


# ---- last year: a summary workbook or a folder --------------------------------------------------
def _two_years(tmp: Path) -> tuple[Path, Path]:
    """Four agencies in 2024 and 2025, consistent from year to year, except: agency 1's
    行政处罚 decisions jumped (XY-JUMP), agency 2 kept last year's overview (XY-TEXT-REUSE),
    agency 3 carried over a different number (XY-CARRY)."""
    last_dir, this_dir = tmp / "2024", tmp / "2025"
    for seed in (1, 2, 3, 4):
        last = agency_report(seed, year=2024)
        this = copy.deepcopy(last)
        this.meta["year"] = 2025
        cells = {k: v for k, v in this.cells.items() if not GK.cells[k].total}
        for c in ("natural", "business", "research", "nonprofit", "legal", "other_org"):
            # carried over what was carried forward, carried as many forward again, received as many as decided
            cells[f"t3.carried_over.{c}"] = cells[f"t3.carried_forward.{c}"]
            cells[f"t3.new.{c}"] = last.cells[f"t3.total.{c}"]
        for r in ("rule", "normative"):
            cells[f"t2.{r}.repealed"] = 0
            cells[f"t2.{r}.in_force"] = last.cells[f"t2.{r}.in_force"] + cells[f"t2.{r}.issued"]
        this.cells = GK.compute_totals(cells)
        last.text.update(synth.long_text(seed, last.meta["agency"], 2024))
        this.text.update(synth.long_text(seed + 10, this.meta["agency"], 2025))
        if seed == 1:
            this.cells["t2.penalty.decisions"], last.cells["t2.penalty.decisions"] = 250, 30
        if seed == 2:
            this.text["overview"] = last.text["overview"].replace("2024", "2025")
            this.text["problems"] = last.text["problems"]
        if seed == 3:  # this year's carried over and carried forward one more
            for c in ("natural", "total"):
                this.cells[f"t3.carried_over.{c}"] += 1
                this.cells[f"t3.carried_forward.{c}"] += 1
        write(last, last_dir / f"{seed}.xlsx")
        write(this, this_dir / f"{seed}.xlsx")
    return last_dir, this_dir


def _cross_year(merged) -> dict[str, list[str]]:
    return {s.agency: sorted(i.rule for i in s.issues if i.rule.startswith("XY-")) for s in merged.submissions}


EXPECTED_XY = {
    "示例县第1局": ["XY-JUMP"],
    "示例县第2局": ["XY-TEXT-REUSE", "XY-TEXT-REUSE"],
    "示例县第3局": ["XY-CARRY", "XY-CARRY"],
    "示例县第4局": [],
}


@pytest.mark.parametrize("jobs", [1, 2])
def test_previous_from_last_years_folder_or_summary_gives_the_same_findings(tmp_path, jobs):
    last_dir, this_dir = _two_years(tmp_path)
    last_summary = tmp_path / "2024汇总.xlsx"
    assert run("merge", last_dir, "-o", last_summary) == 0
    rows = sheet(last_summary, AGENCIES)
    assert [r[0] for r in rows[2:]] == ["示例县第1局", "示例县第2局", "示例县第3局", "示例县第4局"]
    by_folder = merge([this_dir], Options(previous=[last_dir], jobs=jobs))
    by_summary = merge([this_dir], Options(previous=[last_summary], jobs=jobs))
    assert _cross_year(by_folder) == _cross_year(by_summary) == EXPECTED_XY
    assert len(by_summary.last_year) == 4 and all(s.previous for s in by_summary.submissions)
    jump = next(i for s in by_summary.submissions for i in s.issues if i.rule == "XY-JUMP")
    assert "本年 250 件，上年 30 件" in jump.message
    assert _cross_year(merge([this_dir], Options())) == dict.fromkeys(EXPECTED_XY, [])  # without --previous


def test_previous_on_the_command_line_and_in_the_register(tmp_path, capsys):
    last_dir, this_dir = _two_years(tmp_path)
    out = tmp_path / "汇总.xlsx"
    assert run("merge", this_dir, "-o", out, "--previous", last_dir) == 0
    said = capsys.readouterr().out
    assert f"上年报告：{last_dir}，4 个单位；本年 4 个单位找到上年报告，0 个未找到" in said
    assert {r["上年报告"] for r in register(out).values()} == {str(last_dir / f"{n}.xlsx") for n in (1, 2, 3, 4)}


def test_an_unusable_previous_is_refused_before_any_work(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    shutil.copy2(EXAMPLES / "03-教育局.xlsx", tmp_path / "in")
    assert run("merge", tmp_path / "in", "-o", tmp_path / "a.xlsx", "--previous", tmp_path / "没有.xlsx") == 2
    assert "上年报告" in capsys.readouterr().err and not (tmp_path / "a.xlsx").exists()
    (tmp_path / "empty").mkdir()
    assert run("merge", tmp_path / "in", "-o", tmp_path / "a.xlsx", "--previous", tmp_path / "empty") == 2


# ---- texts copied between agencies ------------------------------------------------------------
def test_near_identical_sections_of_two_agencies_are_listed_as_similar(tmp_path):
    folder = tmp_path / "in"
    shared = synth.long_text(7, "示例县甲局", 2025)["overview"]
    for seed, name in ((1, "示例县甲局"), (2, "示例县乙局"), (3, "示例县丙局")):
        report = agency_report(seed, name)
        report.text.update(synth.long_text(seed, name, 2025))
        if seed in (1, 2):
            report.text["overview"] = shared.replace("示例县甲局", name).replace("2025年", "本年")
        write(report, folder / f"{seed}.xlsx")
    merged = merge([folder], Options())
    similar = {s.agency: [i.message for i in s.issues if i.rule == "TEXT-SIMILAR"] for s in merged.submissions}
    assert similar["示例县丙局"] == []
    [a] = similar["示例县甲局"]
    assert a == "雷同：正文「一、总体情况」与 示例县乙局（100%）的几乎相同（不计数字和单位名称），请结合本单位的实际情况撰写"
    assert similar["示例县乙局"] == [a.replace("示例县乙局", "示例县甲局")]
    assert {s.status for s in merged.submissions if s.agency != "示例县丙局"} == {"有警告"}
    rules = parse('[severity]\nTEXT-SIMILAR = "error"\n')
    strict = merge([folder], Options(rules=rules))
    assert [(s.agency, s.status) for s in strict.submissions if s.errors] == [("示例县甲局", "有错误"), ("示例县乙局", "有错误")]
    quiet = merge([folder], Options(rules=parse('[severity]\nTEXT-SIMILAR = "off"\n')))
    assert not any(i.rule == "TEXT-SIMILAR" for s in quiet.submissions for i in s.issues)


def test_similar_texts_are_found_among_many_without_comparing_every_pair(tmp_path):
    from xlsx_tools.check.local import NATIONAL
    from xlsx_tools.form import current
    from xlsx_tools.merge.similar import mark_similar
    from xlsx_tools.merge.submission import Submission

    subs = []
    for i in range(400):
        s = Submission(f"{i}.xlsx", f"{i}.xlsx", readable=True, agency=f"示例县第{i}局")
        text = synth.long_text(i, s.agency, 2025)["overview"]
        if i == 399:  # a copy of agency 5's, one sentence changed
            text = synth.long_text(5, s.agency, 2025)["overview"].replace("（五）", "（五）另外，")
        s.texts = (text, "", "")
        subs.append(s)
    mark_similar(subs, current(), NATIONAL)
    flagged = sorted(i for i, s in enumerate(subs) if s.issues)
    assert flagged == [5, 399]


# ---- local rules in a merge ---------------------------------------------------------------------
def test_local_rules_in_a_merge(tmp_path):
    folder = _examples(tmp_path)
    rules = tmp_path / "本地规则.toml"
    rules.write_text('[severity]\nFEE-COLLECTED = "error"\n', encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    assert run("merge", folder, "-o", out, "--rules", rules) == 1
    reg = register(out)
    assert reg["06-市场监管局-收费提示.xlsx"]["状态"] == "有错误" and reg["06-市场监管局-收费提示.xlsx"]["计入汇总"] == "否"
    about = {r[0]: r[1] for r in sheet(out, "汇总说明") if r and r[0]}
    assert about["本地规则"] == str(rules)
    rules.write_text('[severity]\nT4-SUM = "off"\n', encoding="utf-8")
    assert run("merge", folder, "-o", tmp_path / "b.xlsx", "--rules", rules) == 2
    assert not (tmp_path / "b.xlsx").exists()
