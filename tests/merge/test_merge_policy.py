"""The merge policy on submissions as the reader leaves them (policy.py)."""

from __future__ import annotations

import datetime as dt

from gk import INPUT_IDS

from xlsx_tools.merge.policy import decide, target_year
from xlsx_tools.merge.submission import Issue, Submission


def sub(name: str, agency: str, year: int = 2025, uscc: str = "", filled: int = 10, errors: int = 0) -> Submission:
    s = Submission(name, name, readable=True, agency=agency, uscc=uscc, year=year, filled_on=dt.date(2026, 1, filled))
    s.values = tuple(0 for _ in INPUT_IDS)
    s.issues = [Issue("T3-BALANCE", "error", "表三 不平衡")] * errors
    return s


def test_year_tie_takes_the_later_year_and_says_so():
    subs = [sub("a", "甲", 2024), sub("b", "乙", 2025)]
    assert target_year(subs, None) == (2025, "2025（按多数报告的年度确定：2024 年 1 份、2025 年 1 份）")


def test_a_report_without_code_joins_the_coded_one_of_the_same_name():
    coded, plain = sub("a", "示例县教育局", uscc="11450221MB0000001B", filled=5), sub("b", "示例县 教育局", filled=9)
    decide([coded, plain])
    assert (coded.status, coded.included) == ("重复", False)
    assert "统一社会信用代码相同" in coded.note and plain.included


def test_reports_without_name_or_code_are_never_duplicates():
    a, b = sub("a", ""), sub("b", "")
    decide([a, b])
    assert a.status != "重复" and b.status != "重复"


def test_the_newest_report_counts_even_when_it_has_errors():
    old, new = sub("old", "甲", filled=5), sub("new", "甲", filled=20, errors=1)
    decide([old, new])
    assert (old.status, old.included) == ("重复", False)
    assert (new.status, new.included) == ("有错误", False)
    decide([o := sub("old", "甲", filled=5), n := sub("new", "甲", filled=20, errors=1)], include_invalid=True)
    assert (o.included, n.included) == (False, True)
    assert n.note.endswith("已按 --include-invalid 计入汇总")
