"""A file that crashes or hangs its reader never stops a merge: the pool replaces the
worker, the file is 无法读取 with the reason, every other file is counted exactly."""

from __future__ import annotations

import faulthandler
import os
import shutil
import time
from pathlib import Path

import pytest
from mergekit import EXAMPLES

from xlsx_tools.merge import Options, merge
from xlsx_tools.merge.core import read_all
from xlsx_tools.merge.inputs import collect
from xlsx_tools.merge.submission import read_submission

GOOD = sorted(p for p in EXAMPLES.glob("*.xlsx") if "不平衡" not in p.name)


def crashing_or_hanging(job):
    """The real reader, except that files named crash-* abort their process and hang-* never return."""
    name = Path(job[0]).name
    if name.startswith("crash"):
        faulthandler.disable()  # pytest's traceback dump would only be noise here
        os.abort()
    if name.startswith("hang"):
        time.sleep(3600)
    return read_submission(job)


def _folder(tmp_path: Path, bad: list[str], copies: int = 3) -> Path:
    box = tmp_path / "box"
    box.mkdir(parents=True)
    for k in range(copies):
        for src in GOOD:
            shutil.copy(src, box / f"{k}-{src.name}")
    for name in bad:
        shutil.copy(GOOD[0], box / name)
    return box


@pytest.mark.parametrize("jobs", [1, 2])
def test_crashing_and_hanging_files_are_unreadable_and_the_rest_is_read(tmp_path, jobs):
    box = _folder(tmp_path, ["crash-1.xlsx", "hang-1.xlsx", "crash-2.xlsx"])
    files = collect([box]).files
    started = time.monotonic()
    subs = read_all(files, jobs=jobs, timeout=2, read=crashing_or_hanging)
    assert time.monotonic() - started < 30
    by_name = {Path(s.path).name: s for s in subs}
    assert [s.path for s in subs] == [str(p) for p, _ in files]  # input order
    for name in ("crash-1.xlsx", "crash-2.xlsx"):
        assert not by_name[name].readable
        assert by_name[name].issues[0].message == f"{name}：读取时程序异常退出（文件可能已损坏或是恶意构造的），未读取"
    assert by_name["hang-1.xlsx"].issues[0].message == "hang-1.xlsx：读取超过 2 秒仍未完成，已停止读取（文件可能已损坏或过于复杂）"
    good = [s for s in subs if not Path(s.path).name.startswith(("crash", "hang"))]
    assert len(good) == 3 * len(GOOD) and all(s.readable and not s.errors for s in good)


def test_the_merge_sums_exactly_the_files_it_could_read(tmp_path):
    bad = _folder(tmp_path / "a", ["crash-1.xlsx", "hang-1.xlsx"], copies=1)
    clean = _folder(tmp_path / "b", [], copies=1)
    options = Options(year=2025, jobs=2, timeout=2)
    with_bad = merge([bad], options, read=crashing_or_hanging)
    without = merge([clean], options)
    assert with_bad.summary.cells == without.summary.cells
    unreadable = sorted(Path(s.path).name for s in with_bad.submissions if not s.readable)
    assert unreadable == ["crash-1.xlsx", "hang-1.xlsx"] and with_bad.exit_code == 1
