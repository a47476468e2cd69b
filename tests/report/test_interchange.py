"""JSON interchange: `fill` then `export` gives back the same JSON; bad JSON is refused clearly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gk import INPUT_IDS

from xlsx_tools.read.reader import read_report
from xlsx_tools.report import ReportError, report_from_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_JSON = sorted((ROOT / "examples").glob("*.json"))


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsx_tools.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_there_are_examples():
    assert len(EXAMPLE_JSON) >= 4


@pytest.mark.parametrize("path", EXAMPLE_JSON, ids=lambda p: p.stem)
def test_fill_then_export_round_trips(path, tmp_path):
    out = tmp_path / "filled.xlsx"
    r = cli("fill", str(path), "-o", str(out))
    assert r.returncode == 0, r.stderr
    r = cli("export", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EXAMPLE_JSON, ids=lambda p: p.stem)
def test_committed_example_workbooks_match_their_json(path):
    report = read_report(path.with_suffix(".xlsx"))
    assert report.to_json() == json.loads(path.read_text(encoding="utf-8"))


def test_fill_computes_missing_totals_and_caches_them(tmp_path):
    data = json.loads(EXAMPLE_JSON[0].read_text(encoding="utf-8"))
    full = dict(data["cells"])
    data["cells"] = {k: v for k, v in full.items() if k in INPUT_IDS}
    src = tmp_path / "leaves.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert cli("fill", str(src), "-o", str(tmp_path / "o.xlsx")).returncode == 0
    # a values-only reader sees the totals
    import python_calamine
    from gk import LAYOUT

    pos = LAYOUT.pos["t3.total.total"]
    rows = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "o.xlsx")).get_sheet_by_name(pos.sheet).to_python()
    assert rows[pos.row][pos.col] == full["t3.total.total"]


def test_fill_keeps_a_stated_wrong_total_so_it_can_be_found(tmp_path):
    data = json.loads(EXAMPLE_JSON[0].read_text(encoding="utf-8"))
    data["cells"]["t3.new.total"] += 7  # as a published report might misstate it
    src = tmp_path / "wrong.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert cli("fill", str(src), "-o", str(tmp_path / "o.xlsx")).returncode == 0
    assert read_report(tmp_path / "o.xlsx").cells["t3.new.total"] == data["cells"]["t3.new.total"]


def _problems(data) -> list[str]:
    with pytest.raises(ReportError) as exc:
        report_from_json(data, "x.json")
    return exc.value.problems


def _valid() -> dict:
    return json.loads(EXAMPLE_JSON[0].read_text(encoding="utf-8"))


def test_unknown_id_is_an_error():
    data = _valid()
    data["cells"]["t3.new.robot"] = 1
    assert _problems(data) == ["未知的单元格编号「t3.new.robot」"]


def test_wrong_types_are_errors():
    data = _valid()
    data["cells"]["t3.new.natural"] = "5"
    data["cells"]["t3.new.business"] = True
    data["meta"]["year"] = "2025"
    data["meta"]["published_on"] = "2026/01/18"
    problems = _problems(data)
    assert "t3.new.natural（表三「一、本年新收」自然人列）应为数字，实为 '5'" in problems
    assert "t3.new.business（表三「一、本年新收」商业企业列）应为数字，实为 True" in problems
    assert "封面字段 year（报告年度）应为整数，实为 '2025'" in problems
    assert "封面字段 published_on（发布日期）应为 YYYY-MM-DD 格式的日期，实为 '2026/01/18'" in problems


def test_missing_required_cells_and_meta_are_errors():
    data = _valid()
    del data["cells"]["t3.carried_forward.legal"]
    del data["meta"]["agency"]
    problems = _problems(data)
    assert "缺少必填的单元格：t3.carried_forward.legal" in problems
    assert "缺少必填的封面字段 agency（单位名称）" in problems


def test_other_form_version_is_refused():
    data = _valid()
    data["form"] = "GK-2019"
    assert _problems(data) == ["表式版本为「GK-2019」，本工具支持 GK-2021"]


def test_cli_fill_reports_problems_in_chinese_and_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"form": "GK-2021", "meta": {}, "cells": {"x": 1}}', encoding="utf-8")
    r = cli("fill", str(bad), "-o", str(tmp_path / "o.xlsx"))
    assert r.returncode == 2
    assert "未知的单元格编号「x」" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o.xlsx").exists()
    broken = tmp_path / "broken.json"
    broken.write_text('{"form": ', encoding="utf-8")
    r = cli("fill", str(broken), "-o", str(tmp_path / "o.xlsx"))
    assert r.returncode == 2 and "不是有效的 JSON" in r.stderr


def test_cli_never_overwrites_without_force(tmp_path):
    out = tmp_path / "t.xlsx"
    assert cli("template", "-o", str(out)).returncode == 0
    before = out.read_bytes()
    r = cli("template", "-o", str(out))
    assert r.returncode == 2 and "已存在" in r.stderr and "--force" in r.stderr
    assert out.read_bytes() == before
    assert cli("template", "-o", str(out), "--force").returncode == 0
    assert list(tmp_path.iterdir()) == [out]  # no temporary files left behind


def test_regenerating_the_template_is_one_command(tmp_path):
    r = cli("template", "-o", str(tmp_path / "workbook_template.xlsx"))
    assert r.returncode == 0 and "已生成空白模板" in r.stdout
