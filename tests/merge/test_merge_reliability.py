"""What a January inbox really contains, for a merge: an output that is an input, a
summary among the agencies it covers, a report of unknown year, the same report in two
formats. Exact sums, exact messages, exit codes, and inputs unchanged (hashes)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from mergekit import EXAMPLES, agency_report, cells_of, register, run, write

from xlsx_tools.merge import Options, merge
from xlsx_tools.read import read_report

GOOD = sorted(p for p in EXAMPLES.glob("*.xlsx") if "不平衡" not in p.name)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _box(tmp_path: Path) -> Path:
    box = tmp_path / "box"
    box.mkdir()
    for src in GOOD:
        shutil.copy(src, box / src.name)
    return box


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_an_output_that_is_an_input_is_refused_even_with_force(tmp_path, capsys, how):
    box = _box(tmp_path)
    first = box / GOOD[0].name
    target = {"same path": first, "symlink": box / "link.xlsx", "hard link": box / "hard.xlsx"}[how]
    if how == "symlink":
        target.symlink_to(first)
    elif how == "hard link":
        os.link(first, target)
    before = _digests(box)
    assert run("merge", first, box / GOOD[1].name, "-o", target, "--force") == 2
    err = capsys.readouterr().err
    assert f"输出文件 {target} 就是输入文件 {first}（同一个文件），不能覆盖；请另取一个输出文件名" in err
    assert _digests(box) == before


def test_an_agencys_report_inside_the_input_folder_is_never_the_output(tmp_path, capsys):
    box = _box(tmp_path)
    before = _digests(box)
    assert run("merge", box, "-o", box / GOOD[0].name, "--force") == 2
    assert "在输入文件夹中，且不是之前生成的汇总报告（可能是单位的报告），不能覆盖" in capsys.readouterr().err
    assert _digests(box) == before


def test_last_runs_summary_in_the_input_folder_is_replaced_not_counted(tmp_path):
    box = _box(tmp_path)
    out = box / "汇总.xlsx"
    assert run("merge", box, "-o", out, "--year", "2025") == 0
    first = read_report(out).cells
    assert run("merge", box, "-o", out, "--year", "2025", "--force") == 0  # the old summary is the output: skipped, replaced
    assert read_report(out).cells == first
    assert register(out)["汇总.xlsx"]["状态"] == "已跳过"


def test_a_summary_is_never_counted_with_the_agencies_it_covers(tmp_path, capsys):
    box = _box(tmp_path)
    last = tmp_path / "县汇总.xlsx"
    assert run("merge", box, "-o", last, "--year", "2025") == 0
    shutil.copy(last, box / "县汇总.xlsx")  # left in the folder with the agencies it already holds
    before = _digests(box)
    out = tmp_path / "again.xlsx"
    assert run("merge", box, "-o", out, "--year", "2025") == 1
    text = capsys.readouterr().out
    assert "与汇总重叠" in text and "见其「报送登记」" in text
    assert read_report(out).cells == read_report(last).cells  # each agency once: the sums are exact
    row = register(out)["县汇总.xlsx"]
    assert row["状态"] == "与汇总重叠" and row["计入汇总"] == "否"
    assert _digests(box) == before
    merged = merge([box], Options(year=2025))
    (overlap,) = [s for s in merged.submissions if s.status == "与汇总重叠"]
    assert [i.rule for i in overlap.issues if i.rule == "SUMMARY-OVERLAP"] == ["SUMMARY-OVERLAP"]


def test_two_summaries_sharing_an_agency_are_not_both_counted(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, seeds in ((a, (1, 2)), (b, (2, 3))):  # agency 2 is in both
        for seed in seeds:
            write(agency_report(seed), folder / f"{seed}.xlsx")
    box = tmp_path / "summaries"
    box.mkdir()
    assert run("merge", a, "-o", box / "A.xlsx", "--year", "2025", "--name", "甲片区") == 0
    assert run("merge", b, "-o", box / "B.xlsx", "--year", "2025", "--name", "乙片区") == 0
    merged = merge([box], Options(year=2025))
    assert {s.status for s in merged.submissions} == {"与汇总重叠"} and merged.summary is None


def test_a_report_of_unknown_year_is_not_counted_into_a_year(tmp_path):
    box = tmp_path / "box"
    write(agency_report(1), box / "1.xlsx")
    nameless = agency_report(2)
    nameless.meta.pop("year")
    write(nameless, box / "2.xlsx")
    merged = merge([box], Options(year=2025))
    by_file = {Path(s.path).name: s for s in merged.submissions}
    assert not by_file["2.xlsx"].included and by_file["2.xlsx"].status == "年度不符"
    assert by_file["2.xlsx"].note == "报告年度无法识别（未填写，标题中也没有年度），不能确定是否属于 2025 年度，未计入"
    assert merged.summary.cells == cells_of(agency_report(1))


def test_the_same_report_without_its_name_beside_it_is_a_duplicate(tmp_path):
    """A published page read by its labels may lack the agency's name: with exactly the
    numbers of a named report it is that report again, not a second agency."""
    box = tmp_path / "box"
    report = agency_report(4)
    write(report, box / "局.xlsx", mtime=1_700_000_000)
    anonymous = agency_report(4)
    for key in ("agency", "uscc"):
        anonymous.meta.pop(key)
    write(anonymous, box / "网页另存.xlsx", mtime=1_600_000_000)
    merged = merge([box], Options(year=2025, include_invalid=True))
    statuses = {Path(s.path).name: s.status for s in merged.submissions}
    assert statuses["网页另存.xlsx"] == "重复"
    assert merged.summary.cells == cells_of(report)  # counted once


def test_different_agencies_with_the_same_numbers_are_not_duplicates(tmp_path):
    box = tmp_path / "box"
    for k, agency in enumerate(("甲镇", "乙镇")):
        write(agency_report(7, agency, uscc=""), box / f"{k}.xlsx")
    merged = merge([box], Options(year=2025))
    assert len(merged.included) == 2
