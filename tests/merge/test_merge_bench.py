"""benchmarks/bench_merge.py runs (CI size): its three methods agree on the sums."""

from __future__ import annotations

import subprocess

from mergekit import PYTHON, ROOT


def test_bench_merge_quick(tmp_path):
    done = subprocess.run(
        [PYTHON, str(ROOT / "benchmarks" / "bench_merge.py"), "--quick", "--cache", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.split()[:1] == ["60"])
    assert row.split()[-1] == "agree"
    assert "--jobs at N=60" in done.stdout
