"""benchmarks/bench_web.py runs (a short, small run): every answer under load equals the
in-process answer. The timing target itself is for the full run on an idle machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_web_quick():
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_web.py"), "--clients", "4", "--seconds", "1", "--max-requests", "40"]
    done = subprocess.run([*cmd, "--repeat", "5", "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "answers all correct" in done.stdout, done.stdout + done.stderr
    assert "baseline in-process validate_file" in done.stdout and "Traceback" not in done.stderr
