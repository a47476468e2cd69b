"""`xlsx-tools publish` as staff meet it: validation first, every refusal a Chinese sentence,
nothing written where it refuses, inputs never changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from publishing import digest

from xlsx_tools.cli import main

CLEAN = EXAMPLES / "03-教育局.xlsx"
UNBALANCED = EXAMPLES / "05-自然资源局-结转不平衡.xlsx"
LATE = EXAMPLES / "04-卫健局.xlsx"


def run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    got = capsys.readouterr()
    return code, got.out, got.err


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_clean_report_is_published(tmp_path, capsys):
    before = digest(CLEAN)
    code, out, err = run(capsys, "publish", CLEAN, "-o", tmp_path / "教育局.docx")
    assert code == 0 and err == ""
    assert out == f"{CLEAN}（示例县教育局）：通过\n已生成报告（Word 文档）：{tmp_path / '教育局.docx'}（示例县教育局，2025 年度）\n"
    assert digest(CLEAN) == before
    assert listing(tmp_path) == ["教育局.docx"]  # no temporary file left


def test_warnings_are_listed_and_the_document_written(tmp_path, capsys):
    code, out, _ = run(capsys, "publish", LATE, "-o", tmp_path / "卫健局.html")
    assert code == 0
    assert "提示（已说明）  DEADLINE" in out and "说明：因机构改革，本报告经县人民政府办公室同意于 2026 年 2 月 5 日发布。" in out
    assert out.endswith(f"已生成报告（网页）：{tmp_path / '卫健局.html'}（示例县卫生健康局，2025 年度）\n")


def test_a_report_with_errors_is_not_published(tmp_path, capsys):
    before = digest(UNBALANCED)
    code, out, err = run(capsys, "publish", UNBALANCED, "-o", tmp_path / "自然资源局.docx")
    assert code == 1
    assert (
        "错误  T3-BALANCE" in out
        and "表三 自然人列：一、本年新收 + 二、上年结转 = 104，（七）总计 + 四、结转下年度继续办理 = 105，相差 1" in out
    )
    assert err == (f"{UNBALANCED} 有 2 个错误，未生成报告：请在报告中改正后重新校验；如确需按现有数字生成，请加 --allow-errors。\n")
    assert listing(tmp_path) == [] and digest(UNBALANCED) == before


def test_allow_errors_writes_anyway_and_still_exits_1(tmp_path, capsys):
    code, out, _ = run(capsys, "publish", UNBALANCED, "-o", tmp_path / "a.docx", "--allow-errors")
    assert code == 1
    assert out.endswith("（示例县自然资源局，2025 年度）（有 2 个错误，按 --allow-errors 生成）\n")
    assert listing(tmp_path) == ["a.docx"]


def test_an_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "a.docx"
    out.write_bytes(b"staff's own document")
    code, stdout, err = run(capsys, "publish", CLEAN, "-o", out)
    assert (code, stdout) == (2, "")
    assert err == f"输出文件 {out} 已存在；如需覆盖请加 --force\n"
    assert out.read_bytes() == b"staff's own document"
    assert run(capsys, "publish", CLEAN, "-o", out, "--force")[0] == 0
    assert out.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("how", ["same path", "symbolic link", "hard link"])
def test_the_output_may_not_be_the_input(how, tmp_path, capsys):
    src = tmp_path / "报告.docx"
    assert run(capsys, "publish", CLEAN, "-o", src)[0] == 0  # a published document, published again
    before = digest(src)
    target = src
    if how == "symbolic link":
        target = tmp_path / "link.docx"
        target.symlink_to(src)
    elif how == "hard link":
        target = tmp_path / "hard.docx"
        os.link(src, target)
    code, out, err = run(capsys, "publish", src, "-o", target, "--force")
    assert (code, out) == (2, "")
    assert err == f"输出文件 {target} 就是输入文件 {src}（同一个文件），不能覆盖；请另取一个输出文件名\n"
    assert digest(src) == before


def test_an_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "报告.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    before = digest(bad)
    code, out, err = run(capsys, "publish", bad, "-o", tmp_path / "out.docx")
    assert (code, out) == (2, "")
    assert err == "报告.xlsx：文件已损坏（压缩包不完整或被截断），请重新保存后提交\n"
    assert listing(tmp_path) == ["报告.xlsx"] and digest(bad) == before


def test_a_missing_file_and_a_folder(tmp_path, capsys):
    code, _, err = run(capsys, "publish", tmp_path / "没有.xlsx", "-o", tmp_path / "out.docx")
    assert (code, err) == (2, "没有.xlsx：文件不存在\n")
    code, _, err = run(capsys, "publish", tmp_path, "-o", tmp_path / "out.docx")
    assert (code, err) == (2, f"{tmp_path.name}：是文件夹，不是工作簿文件\n")
    assert listing(tmp_path) == []


def test_bad_json_is_listed(tmp_path, capsys):
    bad = tmp_path / "r.json"
    bad.write_text('{"form": "GK-2021", "meta": {"agency": "某局"}, "cells": {}}', "utf-8")
    code, _, err = run(capsys, "publish", bad, "-o", tmp_path / "r.docx")
    assert code == 2 and err.startswith(f"{bad}：数据有误：\n") and "缺少必填的封面字段 year（报告年度）" in err
    assert not (tmp_path / "r.docx").exists()


def test_unknown_output_kind(tmp_path, capsys):
    code, _, err = run(capsys, "publish", CLEAN, "-o", tmp_path / "r.txt")
    assert code == 2
    assert err == f"输出文件 {tmp_path / 'r.txt'} 的扩展名应为 .docx（Word 文档）、.html（网页）或 .pdf\n"


def test_pdf_without_libreoffice_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XLSX_TOOLS_SOFFICE", str(tmp_path / "no-soffice"))
    code, out, err = run(capsys, "publish", CLEAN, "-o", tmp_path / "r.pdf")
    assert (code, out) == (2, "")
    assert (
        err
        == "生成 PDF 需要 LibreOffice，本机未安装（或找不到 soffice）：请改为生成 Word 文档（-o 报告.docx），用 Word 或 WPS 打开后「另存为」PDF\n"
    )
    assert listing(tmp_path) == []


def test_local_rules_are_applied(tmp_path, capsys):
    rules = tmp_path / "本地规则.toml"
    rules.write_text('[deadline]\ndefault = "1月20日"\n[severity]\nDEADLINE = "error"\n', "utf-8")
    code, out, err = run(capsys, "publish", CLEAN, "-o", tmp_path / "r.docx", "--rules", rules)  # published 2026-01-22
    assert code == 1 and "错误  DEADLINE" in out and "未生成报告" in err
    assert not (tmp_path / "r.docx").exists()
    bad = tmp_path / "坏规则.toml"
    bad.write_text('[severity]\nT3-BALANCE = "off"\n', "utf-8")
    code, _, err = run(capsys, "publish", CLEAN, "-o", tmp_path / "r.docx", "--rules", bad)
    assert code == 2 and "坏规则.toml" in err


def test_usage_in_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["publish", str(CLEAN)])
    assert exit_.value.code == 2
    assert "参数有误" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["publish", "--help"])
    helped = capsys.readouterr().out
    assert "--allow-errors" in helped and "有错误也生成文档" in helped and "本地规则" in helped


def test_the_whole_process(tmp_path):
    """As a clerk runs it: a new process, the document written, nothing else printed."""
    out = tmp_path / "报告.html"
    done = subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "publish", str(CLEAN), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "" and out.is_file()


def test_no_title_no_document_even_with_allow_errors(tmp_path, capsys):
    from xlsx_tools.build.template import build_workbook
    from xlsx_tools.report import load_json

    report = load_json(EXAMPLES / "03-教育局.json")
    del report.meta["year"]
    build_workbook(tmp_path / "无年度.xlsx", report)
    code, out, err = run(capsys, "publish", tmp_path / "无年度.xlsx", "-o", tmp_path / "r.docx", "--allow-errors")
    assert code == 2 and "META-YEAR" in out
    assert err == "报告没有可用的报告年度，无法写出报告标题「{单位名称}{年度}年政府信息公开工作年度报告」\n"
    assert not (tmp_path / "r.docx").exists()
