"""How long does `xlsx-tools publish` take, against `xlsx-tools validate` of the same file?

    python benchmarks/bench_publish.py [WORKBOOK] [--rounds 11]

Whole processes, as a clerk runs them (a new Python each time: start-up, imports,
reading, every rule, the document written): `validate FILE` (the baseline),
`publish FILE -o X.docx --force` and `publish FILE -o X.html --force`, interleaved in
each round so that a busy machine slows all three alike; the median and the best of
the rounds are reported. Then, in one process, where a publish's time goes (read and
validate, build the document, write .docx, write .html). Target: publish ≤ 0.5 s for
.docx and .html, whole process. Default workbook: examples/03-教育局.xlsx.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 0.5


def run(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "xlsx_tools.cli", *args], cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return took


def in_process(workbook: Path, folder: Path, number: int = 20) -> dict[str, float]:
    """Milliseconds per step of a publish, best of `number` runs each."""
    from xlsx_tools.check import check_report
    from xlsx_tools.publish import build_document
    from xlsx_tools.publish.webpage import write_html
    from xlsx_tools.publish.word import write_docx
    from xlsx_tools.read import read_report

    def best(fn) -> float:
        fn()
        times = []
        for _ in range(number):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times) * 1000

    report = read_report(workbook)
    doc = build_document(report)
    return {
        "read + validate": best(lambda: check_report(read_report(workbook))),
        "build the document": best(lambda: build_document(report)),
        "write .docx": best(lambda: write_docx(doc, folder / "x.docx")),
        "write .html": best(lambda: write_html(doc, folder / "x.html")),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workbook", nargs="?", default=str(ROOT / "examples" / "03-教育局.xlsx"))
    ap.add_argument("--rounds", type=int, default=11)
    args = ap.parse_args()
    workbook = Path(args.workbook).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        folder = Path(tmp)
        commands = {
            "validate (baseline)": ("validate", str(workbook)),
            "publish → .docx": ("publish", str(workbook), "-o", str(folder / "r.docx"), "--force"),
            "publish → .html": ("publish", str(workbook), "-o", str(folder / "r.html"), "--force"),
        }
        for cmd in commands.values():  # warm: byte-compiled modules, the file in the page cache
            run(*cmd)
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.rounds):
            for key, cmd in commands.items():
                times[key].append(run(*cmd))
        steps = in_process(workbook, folder)
    base = statistics.median(times["validate (baseline)"])
    print(f"{workbook.name}, {args.rounds} rounds, whole processes (seconds)")
    print(f"{'command':<22} {'median':>7} {'best':>7} {'× validate':>10}  target")
    ok = True
    for key, got in times.items():
        med, best = statistics.median(got), min(got)
        target = "" if key.startswith("validate") else f"≤ {TARGET_S} s {'ok' if med <= TARGET_S else 'MISSED'}"
        ok &= key.startswith("validate") or med <= TARGET_S
        print(f"{key:<22} {med:>7.3f} {best:>7.3f} {med / base:>10.2f}  {target}")
    print("in one process (ms, best of 20):")
    for key, ms in steps.items():
        print(f"  {key:<20} {ms:>7.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
