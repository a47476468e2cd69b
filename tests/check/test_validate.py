"""validate.check_report / validate_file / Result: the examples judged as expected, the
JSON shape of FORMAT-2021, last year's report matched to this year's."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import EDU, EXAMPLES

from xlsx_tools.check.validate import Result, check_report, match_previous, validate_file, validate_files
from xlsx_tools.findings import flatten
from xlsx_tools.read.reader import read_report
from xlsx_tools.report import load_json
from xlsx_tools.testing import synth

TODAY = dt.date(2026, 3, 1)

EXPECTED = {
    "01-人社局-申请量大": [],
    "02-青山镇-全部为零": [],
    "03-教育局": [],
    "04-卫健局": [["DEADLINE", "warning"]],  # published late, and explained in its 情况说明
    "05-自然资源局-结转不平衡": [["T3-BALANCE", "error"], ["T3-BALANCE", "error"], ["NARRATIVE", "warning"]],
    "06-市场监管局-收费提示": [["FEE-COLLECTED", "warning"]],
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_examples_validate_as_expected(stem):
    result = validate_file(EXAMPLES / f"{stem}.xlsx", today=TODAY)
    assert flatten(result.findings, ["rule", "severity"]) == EXPECTED[stem]
    assert result.ok == (stem != "05-自然资源局-结转不平衡")


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_json_of_an_example_validates_like_its_workbook(stem):
    """The rules judge the Report, whatever it was read from (the JSON has no addresses)."""
    from_json = check_report(load_json(EXAMPLES / f"{stem}.json"), today=TODAY)
    assert flatten(from_json, ["rule", "severity"]) == EXPECTED[stem]
    assert all(f.where == [] for f in from_json)


def test_result_json_has_the_shape_of_format_2021():
    data = validate_file(EXAMPLES / "05-自然资源局-结转不平衡.xlsx", today=TODAY).to_json()
    assert list(data) == ["file", "agency", "ok", "errors", "warnings", "explained", "findings", "fingerprint"]
    assert (data["agency"], data["ok"], data["errors"], data["warnings"]) == ("示例县自然资源局", False, 2, 1)
    finding = data["findings"][0]
    assert list(finding) == ["rule", "severity", "cells", "where", "expected", "actual", "message", "explanation"]
    assert finding["rule"] == "T3-BALANCE" and finding["severity"] == "error"
    assert finding["cells"] == ["t3.new.natural", "t3.carried_over.natural", "t3.total.natural", "t3.carried_forward.natural"]
    assert finding["where"] == ["表三!D5", "表三!D6", "表三!D28", "表三!D29"]
    assert (finding["expected"], finding["actual"]) == (104, 105)
    json.dumps(data, ensure_ascii=False)  # serialisable as is


def test_unreadable_file_is_a_result_with_one_error(tmp_path):
    (tmp_path / "空.xlsx").write_bytes(b"")
    result = validate_file(tmp_path / "空.xlsx")
    assert not result.readable and not result.ok and result.report is None
    assert result.to_json() == {
        "file": str(tmp_path / "空.xlsx"),
        "agency": "",
        "ok": False,
        "errors": 1,
        "warnings": 0,
        "explained": 0,
        "findings": [
            {
                "rule": "UNREADABLE",
                "severity": "error",
                "cells": [],
                "where": [],
                "expected": None,
                "actual": None,
                "message": "空.xlsx：是空文件（0 字节）",
                "explanation": None,
            }
        ],
        "fingerprint": None,
    }


def test_reader_findings_come_first_then_the_rules(tmp_path):
    from workbooks import patch_xlsx

    path = patch_xlsx(EDU, tmp_path / "x.xlsx", "表三", {"E6": None, "J5": 91})
    rules = [f.rule for f in validate_file(path, today=TODAY).findings]
    assert rules[0] == "BLANK" and "T3-ROWSUM" in rules[1:]


def test_match_previous_by_code_then_by_name():
    a, b = synth.report(1, "甲局", year=2024), synth.report(2, "乙局", year=2024)
    this = synth.report(2, "乙局", year=2025)
    this.meta["uscc"] = b.meta["uscc"]
    assert match_previous(this, [a, b]) is b
    this.meta["uscc"] = "other"
    assert match_previous(this, [a, b]) is b  # by name
    this.meta["agency"] = "丙局"
    assert match_previous(this, [a, b]) is None
    assert match_previous(this, [a]) is a  # one previous report: that one


def test_validate_files_with_last_year(tmp_path):
    from xlsx_tools.build.template import build_workbook

    last = synth.report(9, "示例县教育局", year=2024)
    last.cells["t3.carried_forward.natural"] = 999
    last.meta["uscc"] = read_report(EDU).meta["uscc"]
    build_workbook(tmp_path / "2024.xlsx", last)
    [result, other] = validate_files(
        [EDU, EXAMPLES / "04-卫健局.xlsx"], [read_report(tmp_path / "2024.xlsx"), synth.report(3, "无关单位")], TODAY
    )
    assert "XY-CARRY" in [f.rule for f in result.findings]
    assert [f.rule for f in other.findings] == ["DEADLINE"]  # no last year's report of its own: no cross-year checks


def test_result_counts():
    result = Result("a.xlsx", None, [])
    assert result.ok and (result.errors, result.warnings) == (0, 0)
