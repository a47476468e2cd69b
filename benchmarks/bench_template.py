"""How long `xlsx-tools template` takes, against a bare Python start in the same run.

    python benchmarks/bench_template.py [-n RUNS]

Target (issue 2): the whole command in under 1 s; the workbook well under 100 KB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", "--runs", type=int, default=10)
    runs = ap.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "t.xlsx"
        command = [sys.executable, "-m", "xlsx_tools.cli", "template", "-o", str(target), "--force"]
        baseline = [sys.executable, "-c", "pass"]
        timed(command, 1)
        a, b = timed(command, runs), timed(baseline, runs)
        from xlsx_tools.build.template import build_workbook

        inproc = []
        for _ in range(runs):
            start = time.perf_counter()
            build_workbook(Path(tmp) / "i.xlsx")
            inproc.append(time.perf_counter() - start)
        size = target.stat().st_size
    med = statistics.median
    print(f"runs: {runs}")
    print(f"xlsx-tools template (whole process): median {med(a) * 1000:.0f} ms (min {min(a) * 1000:.0f}, max {max(a) * 1000:.0f})")
    print(f"bare python -c pass (baseline):      median {med(b) * 1000:.0f} ms")
    print(f"build_workbook in-process:           median {med(inproc) * 1000:.0f} ms")
    print(f"template size: {size / 1024:.1f} KB")
    print(f"target < 1000 ms: {'met' if med(a) < 1.0 else 'MISSED'}; size < 100 KB: {'met' if size < 100_000 else 'MISSED'}")


if __name__ == "__main__":
    main()
