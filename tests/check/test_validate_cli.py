"""`xlsx-tools validate`: text grouped by file (colour only on a terminal), JSON,
exit codes 0/1/2, last year's workbook, and the whole process under 0.6 s."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time

from conftest import EDU, EXAMPLES

BAD = EXAMPLES / "05-自然资源局-结转不平衡.xlsx"
FEE = EXAMPLES / "06-市场监管局-收费提示.xlsx"


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "validate", *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )


def test_clean_file_exits_0_with_a_plain_table():
    proc = run(EDU)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == f"{EDU}（示例县教育局）：通过\n"


def test_errors_exit_1_and_are_grouped_by_file():
    proc = run(EDU, BAD, FEE)
    assert proc.returncode == 1
    assert "\033[" not in proc.stdout  # piped: no colour
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{EDU}（示例县教育局）：通过"
    assert f"{BAD}（示例县自然资源局）：2 个错误，1 个提示" in lines
    head = lines.index(f"{BAD}（示例县自然资源局）：2 个错误，1 个提示")
    assert lines[head + 1].split() == ["级别", "规则", "位置", "说明"]
    assert lines[head + 2].split()[:4] == ["错误", "T3-BALANCE", "表三!D5", "等"]
    assert lines[head + 2].endswith("表三 自然人列：一、本年新收 + 二、上年结转 = 104，（七）总计 + 四、结转下年度继续办理 = 105，相差 1")
    assert lines[-1] == "共 3 个文件：1 个通过，1 个只有提示，1 个有错误"


def test_unreadable_input_exits_2(tmp_path):
    (tmp_path / "空.xlsx").write_bytes(b"")
    proc = run(EDU, tmp_path / "空.xlsx", BAD)
    assert proc.returncode == 2
    assert "空.xlsx：是空文件（0 字节）" in proc.stdout
    assert "1 个无法读取" in proc.stdout.splitlines()[-1]


def test_json_output_is_a_list_of_results():
    proc = run(EDU, BAD, "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert [(r["file"], r["ok"], r["errors"], r["warnings"]) for r in data] == [(str(EDU), True, 0, 0), (str(BAD), False, 2, 1)]
    assert data[1]["findings"][0]["where"] == ["表三!D5", "表三!D6", "表三!D28", "表三!D29"]


def test_colour_on_a_terminal_only():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    pid, fd = pty.fork()
    if pid == 0:  # child: stdout is the terminal
        os.execve(sys.executable, [sys.executable, "-m", "xlsx_tools.cli", "validate", str(BAD)], env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode("utf-8")
    assert os.waitstatus_to_exitcode(status) == 1
    assert "\033[31m错误" in text and "\033[1m" in text
    assert "\033[" not in run(BAD).stdout
    assert "\033[" not in run(BAD, env=env | {"NO_COLOR": "1"}).stdout


def test_previous_year(tmp_path):
    from xlsx_tools.build.template import build_workbook
    from xlsx_tools.read.reader import read_report
    from xlsx_tools.testing import synth

    last = synth.report(9, "示例县教育局", year=2024)
    last.cells["t3.carried_forward.natural"] = 999
    build_workbook(tmp_path / "2024.xlsx", last)
    proc = run(EDU, "--previous", tmp_path / "2024.xlsx")
    assert proc.returncode == 0  # cross-year findings are warnings
    assert "XY-CARRY" in proc.stdout and "本年「二、上年结转」" in proc.stdout
    assert read_report(EDU).cells["t3.carried_over.natural"] != 999
    (tmp_path / "坏.xlsx").write_bytes(b"x")
    proc = run(EDU, "--previous", tmp_path / "坏.xlsx")
    assert proc.returncode == 2 and "坏.xlsx：是文本文件，不是 Excel 工作簿" in proc.stderr


def test_usage_errors_exit_2():
    proc = run()
    assert proc.returncode == 2 and "参数有误" in proc.stderr
    proc = run(EDU, "--format", "xml")
    assert proc.returncode == 2 and "参数有误" in proc.stderr


def test_help_names_the_command():
    proc = subprocess.run([sys.executable, "-m", "xlsx_tools.cli", "--help"], capture_output=True, text=True)
    assert "validate" in proc.stdout and "校验报告工作簿" in proc.stdout


def test_whole_process_is_fast_and_light():
    """< 0.6 s for `xlsx-tools validate FILE`, without pandas, XlsxWriter or openpyxl."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        proc = run(EDU)
        times.append(time.perf_counter() - start)
        assert proc.returncode == 0
    assert min(times) < 0.6, times
    code = (
        "import sys; from xlsx_tools.cli import main; rc = main(['validate', sys.argv[1]]); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', 'xlsxwriter', 'openpyxl', 'xlwings'}))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(EDU)], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "[]"


def test_previous_year_as_json(tmp_path):
    from xlsx_tools.testing import synth

    last = synth.report(9, "示例县教育局", year=2024)
    last.cells["t3.carried_forward.natural"] = 999
    (tmp_path / "2024.json").write_text(last.dumps(), encoding="utf-8")
    proc = run(EDU, "--previous", tmp_path / "2024.json")
    assert proc.returncode == 0 and "XY-CARRY" in proc.stdout


def test_last_years_summary_gives_each_agency_its_own_row(tmp_path):
    """`--previous 上年汇总.xlsx`: each agency is compared with its own row of the summary's
    per-agency sheet, exactly as with its own last-year file — never with the county's total."""
    summary = tmp_path / "上年汇总.xlsx"
    merged = subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "merge", str(EXAMPLES), "-o", str(summary)], capture_output=True, text=True
    )
    assert merged.returncode in (0, 1), merged.stderr
    this = [str(EXAMPLES / "03-教育局.xlsx"), str(EXAMPLES / "04-卫健局.xlsx")]
    by_summary = json.loads(run("--format", "json", *this, "--previous", str(summary)).stdout)
    files = [a for p in this for a in ("--previous", p)]
    by_files = json.loads(run("--format", "json", *this, *files).stdout)
    rules = [[f["rule"] for f in r["findings"]] for r in by_summary]
    assert rules == [[f["rule"] for f in r["findings"]] for r in by_files]
    assert [r["findings"] for r in by_summary] == [r["findings"] for r in by_files]
    assert not any(f["rule"] == "XY-JUMP" for r in by_summary for f in r["findings"])  # not the county total
