"""`xlsx-tools merge` as staff meet it: outputs, --force, --jobs, the progress bar, Ctrl-C."""

from __future__ import annotations

import os
import pty
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from mergekit import EXAMPLES, PYTHON, agency_report, register, run, sheet, summary_cells, write

from xlsx_tools.console import ProgressBar, table, width
from xlsx_tools.read.reader import read_report


def copies(folder: Path, n: int) -> Path:
    """n workbooks (copies of the examples, so mostly duplicates) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(EXAMPLES.glob("*.xlsx"))
    for i in range(n):
        shutil.copy(sources[i % len(sources)], folder / f"{i:04d}.xlsx")
    return folder


def test_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    out.write_bytes(b"old")
    assert run("merge", EXAMPLES, "-o", out) == 2
    assert out.read_bytes() == b"old"
    assert "已存在" in capsys.readouterr().err
    assert run("merge", EXAMPLES, "-o", out, "--force") == 1
    assert summary_cells(out)["t3.new.total"] == 685


def test_output_must_be_xlsx(tmp_path, capsys):
    assert run("merge", EXAMPLES, "-o", tmp_path / "s.xls") == 2
    assert "应以 .xlsx 结尾" in capsys.readouterr().err


def test_policy_options_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run("merge", EXAMPLES, "-o", tmp_path / "s.xlsx", "--strict", "--include-invalid")
    assert exit_.value.code == 2
    assert "参数有误" in capsys.readouterr().err


def test_output_inside_the_input_folder_is_never_read(tmp_path):
    box = tmp_path / "in"
    write(agency_report(1), box / "a.xlsx")
    write(agency_report(2), box / "b.xlsx")
    out = box / "汇总.xlsx"
    assert run("merge", box, "-o", out) == 0
    assert run("merge", box, "-o", out, "--force") == 0  # the first summary is not merged into the second
    row = register(out)["汇总.xlsx"]
    assert (row["状态"], row["说明"]) == ("已跳过", "本次汇总的输出文件")
    assert summary_cells(out)["t3.new.total"] == agency_report(1).cells["t3.new.total"] + agency_report(2).cells["t3.new.total"]


def test_jobs_do_not_change_the_result(tmp_path):
    box = tmp_path / "in"
    for i in range(30):
        write(agency_report(i), box / f"{i:02d}.xlsx")
    assert run("merge", box, "-o", tmp_path / "j1.xlsx", "--jobs", "1") == 0
    assert run("merge", box, "-o", tmp_path / "j2.xlsx", "--jobs", "2") == 0
    assert summary_cells(tmp_path / "j1.xlsx") == summary_cells(tmp_path / "j2.xlsx")
    for name in ("报送登记", "问题清单", "明细"):
        assert sheet(tmp_path / "j1.xlsx", name) == sheet(tmp_path / "j2.xlsx", name)


def test_summary_table_at_the_end(tmp_path, capsys):
    run("merge", EXAMPLES, "-o", tmp_path / "s.xlsx")
    lines = capsys.readouterr().out.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("文件"))
    assert lines[i].split() == ["文件", "计入汇总", "有错误", "有警告", "重复", "未报送", "跳过"]
    assert lines[i + 2] == "   6         5       1       2     0       -     7"  # 04 has an explained warning
    assert lines[i + 3].startswith(f"已生成汇总：{tmp_path / 's.xlsx'}")


def _merge_with_stderr_on_a_terminal(args: list[str]) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([PYTHON, "-m", "xlsx_tools.cli", *args], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal(tmp_path):
    box = copies(tmp_path / "in", 40)
    shown = _merge_with_stderr_on_a_terminal(["merge", str(box), "-o", str(tmp_path / "tty.xlsx")])
    assert "读取 [" in shown and "40/40" in shown
    piped = subprocess.run(
        [PYTHON, "-m", "xlsx_tools.cli", "merge", str(box), "-o", str(tmp_path / "pipe.xlsx")], capture_output=True, text=True, check=False
    )
    assert piped.returncode == 1
    assert "找到 40 个工作簿" in piped.stderr and "读取 [" not in piped.stderr


def test_progress_bar_stays_quiet_for_few_files():
    class Tty:
        text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    stream = Tty()
    bar = ProgressBar("读取", stream, min_total=20, interval=0)
    for i in range(1, 6):
        bar(i, 5)
    assert stream.text == ""
    for i in range(1, 21):
        bar(i, 20)
    bar.close()
    assert stream.text.endswith("[##############################] 20/20\n")


def test_table_aligns_chinese():
    assert width("计入汇总") == 8
    assert table(["文件", "计入汇总", "未报送"], [[6, 5, "-"]]) == [
        "文件  计入汇总  未报送",
        "----  --------  ------",
        "   6         5       -",
    ]


# ---- Ctrl-C ------------------------------------------------------------------------------


def _interrupt(args: list[str], when, env) -> subprocess.CompletedProcess:
    """Run a merge and send it Ctrl-C once `when(stderr so far)` is true."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "xlsx_tools.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.extend(iter(lambda: proc.stderr.read1(4096), b"")))
    reader.start()
    deadline = time.monotonic() + 60
    while proc.poll() is None and not when(b"".join(err).decode("utf-8", "replace")) and time.monotonic() < deadline:
        time.sleep(0.001)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    out = proc.stdout.read()
    proc.wait(timeout=60)
    reader.join(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), b"".join(err).decode())


@pytest.fixture()
def busy(tmp_path) -> tuple[Path, Path, dict]:
    box = copies(tmp_path / "in", 300)
    work = tmp_path / "tmp"
    work.mkdir()
    env = dict(os.environ, TMPDIR=str(work))
    return box, tmp_path / "out", env


def test_ctrl_c_while_reading_leaves_nothing(busy):
    box, outdir, env = busy
    outdir.mkdir()
    out = outdir / "s.xlsx"

    def reading(err: str) -> bool:
        return "正在读取和校验" in err  # printed as reading starts

    done = _interrupt(["merge", str(box), "-o", str(out), "--jobs", "2"], reading, env)
    assert done.returncode == 130, done.stdout + done.stderr
    assert "已取消" in done.stderr and "Traceback" not in done.stderr
    assert list(outdir.iterdir()) == []
    assert list(Path(env["TMPDIR"]).iterdir()) == []


def _writing(outdir: Path):
    return lambda _err="": any(p.name.startswith(".s.xlsx.") for p in outdir.iterdir())  # atomic_path's temporary file


def _interrupt_while_writing(box: Path, out: Path, env: dict, extra: list[str], old: bytes | None) -> None:
    """SIGINT as soon as the output's temporary file appears. Whatever the timing, no
    partial file may remain; the signal must land before the rename at least once
    (a loaded machine may let a small merge finish first, hence a few attempts)."""
    for _attempt in range(5):
        done = _interrupt(["merge", str(box), "-o", str(out), *extra], _writing(out.parent), env)
        assert "Traceback" not in done.stderr
        assert not _writing(out.parent)()
        assert list(Path(env["TMPDIR"]).iterdir()) == []
        if done.returncode == 130 and (out.read_bytes() == old if old is not None else not out.exists()):
            assert "已取消" in done.stderr
            return
        assert read_report(out).meta["kind"] == "汇总报告"  # finished first: a whole summary
        if old is None:
            out.unlink()
        else:
            out.write_bytes(old)
    pytest.fail("the interrupt never landed while the summary was being written")


def test_ctrl_c_while_writing_leaves_nothing(busy):
    box, outdir, env = busy
    outdir.mkdir()
    _interrupt_while_writing(box, outdir / "s.xlsx", env, ["--jobs", "2"], None)
    assert list(outdir.iterdir()) == []


def test_ctrl_c_keeps_an_existing_output(busy):
    box, outdir, env = busy
    outdir.mkdir()
    out = outdir / "s.xlsx"
    out.write_bytes(b"last year's summary")
    _interrupt_while_writing(box, out, env, ["--force"], b"last year's summary")
    assert [p.name for p in outdir.iterdir()] == ["s.xlsx"]


def _limit_file_size() -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_a_failed_write_leaves_nothing_and_says_why(tmp_path):
    out = tmp_path / "out" / "s.xlsx"
    out.parent.mkdir()
    work = tmp_path / "tmp"
    work.mkdir()
    done = subprocess.run(
        [PYTHON, "-m", "xlsx_tools.cli", "merge", str(EXAMPLES), "-o", str(out)],
        capture_output=True,
        text=True,
        env=dict(os.environ, TMPDIR=str(work)),
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert done.returncode == 2
    assert f"无法写入 {out}：文件超过系统允许的大小；没有留下任何文件" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert list(out.parent.iterdir()) == [] and list(work.iterdir()) == []


def test_cells_without_a_usable_value_are_announced(tmp_path, capsys):
    """A report typed by an agency in its own workbook often states the fee figures only
    in prose: it is counted, its fee cells are summed as 0, and the clerk is told."""
    from workbooks import write_statutory

    from xlsx_tools.report import load_json

    inbox = tmp_path / "in"
    inbox.mkdir()
    edu = EXAMPLES / "03-教育局.xlsx"
    title = "示例县教育局2025年政府信息公开工作年度报告"
    write_statutory(inbox / "自录.xlsx", load_json(edu.with_suffix(".json")), title=title)  # no fee block
    shutil.copy(EXAMPLES / "04-卫健局.xlsx", inbox / "卫健局.xlsx")
    assert run("merge", inbox, "-o", tmp_path / "s.xlsx") == 0
    out = capsys.readouterr().out
    assert "注意：计入汇总的报告中有 3 个单元格没有可用的数值" in out
    about = {r[0]: r[1] for r in sheet(tmp_path / "s.xlsx", "汇总说明") if r[0]}
    assert about["无法使用的数值"] == "计入汇总的报告中有 3 个单元格没有可用的数值，按 0 计"
