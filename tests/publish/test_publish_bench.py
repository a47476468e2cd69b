"""benchmarks/bench_publish.py runs (one round): whole processes of validate and publish,
each in the same run, and the steps of a publish in one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_publish_quick():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_publish.py"), "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    for line in ("validate (baseline)", "publish → .docx", "publish → .html", "write .docx", "write .html"):
        assert line in out, out
