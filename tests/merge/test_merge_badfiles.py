"""A folder as it arrives by e-mail: good workbooks among bad files. The good ones are
merged; every bad one is accounted for in the register, with its reason."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from gk import CELLS
from mergekit import agency_report, encrypt, foreign_workbook, lock_file, register, run, sheet, snapshot, summary_cells, unbalance, write

from xlsx_tools.check.validate import validate_file


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("inbox")
    box = root / "收件箱"
    good = {name: agency_report(seed) for name, seed in (("a.xlsx", 1), ("b.xlsx", 2), ("c.xlsx", 3), ("d.xlsx", 4))}
    for name, report in good.items():
        write(report, box / ("2025年/" + name if name == "d.xlsx" else name))  # d sits in a subfolder
    older = agency_report(3)  # the same agency as c.xlsx, filled earlier
    older.meta["filled_on"] = dt.date(2026, 1, 2)
    good["c.xlsx"].meta["filled_on"] = dt.date(2026, 1, 15)
    write(good["c.xlsx"], box / "c.xlsx")
    write(older, box / "c-旧版.xlsx")
    data = (box / "a.xlsx").read_bytes()
    (box / "损坏.xlsx").write_bytes(data[: len(data) // 2])
    foreign_workbook(box / "别的表格.xlsx")
    encrypt(box / "b.xlsx", box / "加密.xlsx")
    lock_file(box / "~$a.xlsx")
    write(agency_report(7, year=2024), box / "去年.xlsx")
    write(unbalance(agency_report(8)), box / "不平衡.xlsx")
    (box / "文本.xlsx").write_text("单位,申请数,办结数\n教育局,12,10\n", encoding="utf-8")
    (box / "空.xlsx").write_bytes(b"")
    write(agency_report(9), box / ".隐藏.xlsx")
    write(agency_report(10), box / ".git" / "e.xlsx")
    (box / "说明.txt").write_text("请查收", encoding="utf-8")
    gbk = os.fsdecode("水利局（GBK文件名）.xlsx".encode("gbk"))  # unpacked from an archive made on Chinese Windows
    good["水利局（GBK文件名）.xlsx"] = agency_report(11)
    write(good["水利局（GBK文件名）.xlsx"], box / "gbk.tmp.xlsx").rename(box / gbk)
    (box / os.fsdecode("坏（GBK文件名）.xlsx".encode("gbk"))).write_bytes(b"\x00garbage")
    before = snapshot(root)
    out = root / "汇总.xlsx"
    code = run("merge", box, "-o", out, "--name", "示例县", "--year", "2025")
    return out, {"code": code, "good": good, "before": before, "root": root}


def test_good_ones_are_merged(inbox):
    out, ctx = inbox
    assert ctx["code"] == 1
    cells = summary_cells(out)
    for cid in CELLS:
        assert cells[cid] == pytest.approx(sum(r.cells[cid] for r in ctx["good"].values()), abs=1e-9), cid
    assert [f.rule for f in validate_file(out).findings if f.is_error] == []


@pytest.mark.parametrize(
    "name, status, reason",
    [
        ("c-旧版.xlsx", "重复", "已采用较新的"),
        ("损坏.xlsx", "无法读取", "文件已损坏"),
        ("别的表格.xlsx", "无法读取", "不是 GK-2021 表式的年度报告工作簿"),
        ("加密.xlsx", "无法读取", "文件已加密"),
        ("去年.xlsx", "年度不符", "报告年度为 2024 年"),
        ("不平衡.xlsx", "有错误", "表三 自然人列"),
        ("文本.xlsx", "无法读取", "是 CSV 或文本表格"),
        ("空.xlsx", "无法读取", "是空文件"),
        ("坏（GBK文件名）.xlsx", "无法读取", "不是 Excel 工作簿"),
        ("~$a.xlsx", "已跳过", "Office 临时锁定文件"),
        (".隐藏.xlsx", "已跳过", "隐藏文件"),
        ("说明.txt", "已跳过", "不是工作簿（.txt）"),
    ],
)
def test_every_bad_file_is_in_the_register_with_its_reason(inbox, name, status, reason):
    out, _ = inbox
    row = register(out)[name]
    assert row["状态"] == status
    assert row["计入汇总"] == "否"
    assert reason in row["说明"]


def test_register_lists_every_file_once(inbox):
    out, _ = inbox
    rows = sheet(out, "报送登记")[1:]
    names = [Path(r[1]).name for r in rows]
    assert sorted(names) == sorted(
        [
            "a.xlsx",
            "b.xlsx",
            "c.xlsx",
            "d.xlsx",
            "c-旧版.xlsx",
            "损坏.xlsx",
            "别的表格.xlsx",
            "加密.xlsx",
            "~$a.xlsx",
            "去年.xlsx",
            "不平衡.xlsx",
            "文本.xlsx",
            "空.xlsx",
            ".隐藏.xlsx",
            ".git",
            "说明.txt",
            "水利局（GBK文件名）.xlsx",
            "坏（GBK文件名）.xlsx",
        ]
    )
    assert next(r for r in rows if r[1].endswith(".git/"))[13] == "隐藏文件夹，未读取其中的文件"
    included = sorted(Path(r[1]).name for r in rows if r[12] == "是")
    assert included == ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx", "水利局（GBK文件名）.xlsx"]


def test_problem_list_names_file_rule_and_cell(inbox):
    out, _ = inbox
    rows = sheet(out, "问题清单")
    head = rows[0]
    problems = [dict(zip(head, r, strict=False)) for r in rows[1:]]
    unbalanced = [p for p in problems if Path(p["文件"]).name == "不平衡.xlsx" and p["规则"] == "T3-BALANCE"]
    assert unbalanced and unbalanced[0]["级别"] == "错误" and "表三!D5" in unbalanced[0]["位置"]
    assert any(p["规则"] == "UNREADABLE" and Path(p["文件"]).name == "加密.xlsx" for p in problems)
    assert any(p["规则"] == "YEAR-MISMATCH" for p in problems)
    assert any(p["规则"] == "DUPLICATE" and p["级别"] == "提示" for p in problems)


def test_inputs_are_never_modified(inbox):
    out, ctx = inbox
    after = snapshot(ctx["root"])
    del after[str(out)]
    assert after == ctx["before"]


def test_terminal_names_every_file_left_out(tmp_path, capsys):
    box = tmp_path / "in"
    write(agency_report(1), box / "ok.xlsx")
    write(unbalance(agency_report(2)), box / "bad.xlsx")
    (box / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    assert run("merge", box, "-o", tmp_path / "s.xlsx") == 1
    out = capsys.readouterr().out
    assert "未计入汇总（2 个文件）" in out
    assert "bad.xlsx（示例县第2局）：有 2 个错误" in out
    assert "broken.xlsx：无法读取，文件已损坏" in out
