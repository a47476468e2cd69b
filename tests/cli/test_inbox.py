"""The January inbox (inbox.py), run through the command line in a process of its own as
a clerk runs it: the exit code, the Chinese message, no traceback or English, every
input byte-identical afterwards, and for merges the exact sums of the reports counted.

Run as root, the process loses the right to ignore file permissions (setpriv), so that
read-only and unreadable folders are what they are for staff."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from gk import CELLS
from inbox import SCENES
from mergekit import cells_of

from xlsx_tools.read import read_report

ENGLISH = re.compile(
    r"Traceback|内部错误|Errno|Error:|[Pp]ermission denied|[Nn]o such file|too long|usage:|invalid (int|float|choice)|are required"
)
AS_STAFF = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []


def _params() -> list:
    return [pytest.param(s, id=s.name, marks=[pytest.mark.libreoffice] if s.lo else []) for s in SCENES]


def test_the_inbox_holds_at_least_40_scenes_covering_every_class():
    assert len(SCENES) >= 40 and len({s.name for s in SCENES}) == len(SCENES)
    assert {s.klass for s in SCENES} >= set(range(1, 11))  # 11 (a second engine) is tests/build/test_live_checks_engines.py


@pytest.fixture
def folder():
    """A folder staff can reach (pytest's own temporary folders are private to root)."""
    d = Path(tempfile.mkdtemp(prefix="inbox-"))
    d.chmod(0o755)
    yield d
    for root, dirs, _ in os.walk(d):
        for name in dirs:
            with contextlib.suppress(OSError):  # a path too long for the system: rmtree copes
                os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(d, ignore_errors=True)


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*AS_STAFF, sys.executable, "-m", "xlsx_tools.cli", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


@pytest.mark.parametrize("scene", _params())
def test_scene(request, scene, folder):
    lo = request.getfixturevalue("lo_files") if scene.lo else None
    made = scene.make(folder, lo)
    before = _snapshot(folder)
    proc = _run(made.argv, folder)
    said = proc.stdout + proc.stderr
    assert proc.returncode == scene.code, said
    assert scene.says in said, said
    assert not ENGLISH.search(said), said
    after = _snapshot(folder)
    assert {p: after.get(p) for p in before} == before  # nothing changed, nothing lost
    if made.output:
        assert (folder / made.output).is_file(), said
    elif proc.returncode == 2:
        assert set(after) == set(before), said  # a refusal writes nothing
    if made.counted is not None:
        summary = read_report(folder / made.output).cells
        expected = {cid: 0 for cid in CELLS}
        for report in made.counted:
            for cid, value in cells_of(report).items():
                expected[cid] += value
        assert {cid: summary.get(cid) for cid in CELLS} == expected


def _snapshot(d: Path) -> dict[str, str]:
    """The SHA-256 of every file under `d` (this process may read them all; a file beyond
    the length a path may have is left out)."""
    out = {}
    for root, _, files in os.walk(d):
        for name in files:
            path = os.path.join(root, name)
            try:
                out[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:  # a link that loops, a path too long to open: known by its name
                out[path] = "link:" + os.readlink(path) if os.path.islink(path) else "unreachable"
    return out
