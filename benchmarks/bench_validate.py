"""How fast is validation, against python-calamine alone reading the same file?

    python benchmarks/bench_validate.py [WORKBOOK.xlsx] [--rounds 7] [--number 200]

Baseline, measured in the same run, in short batches alternating with the candidate
(the best batch of each is reported, so both see the same machine): python-calamine
opens the file and reads every sheet the reader needs (those that hold a value of the
form: 封面, 表二, 表三, 表四, 正文) into Python lists. Candidate: `validate_file` — sniff and
size checks, defined names, every label checked, every value normalised, every rule.
Targets: in-process validation ≤ 2× the baseline; `xlsx-tools validate FILE` as a
whole process < 0.6 s. Also shown: the first file in a fresh process (nothing cached),
many different files in turn (as the merge tool reads them), the import time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import timeit
from pathlib import Path

import python_calamine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlsx_tools.check.validate import validate_file  # noqa: E402
from xlsx_tools.form import current  # noqa: E402

GK = current()
CELLS, META_FIELDS, SECTIONS, LAYOUT = GK.cells, GK.meta_fields, GK.sections, GK.layout

NEEDED_SHEETS = sorted(
    {LAYOUT.pos[k].sheet for k in (*CELLS, *(f"meta.{m.key}" for m in META_FIELDS), *(f"text.{s.key}" for s in SECTIONS))},
    key=list(LAYOUT.sheets).index,
)
TARGET_RATIO, TARGET_PROCESS = 2.0, 0.6


def calamine_alone(path: str) -> None:
    book = python_calamine.CalamineWorkbook.from_path(path)
    for sheet in NEEDED_SHEETS:
        book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def per_call(fn, number: int, rounds: int) -> list[float]:
    return [t / number for t in timeit.repeat(fn, number=number, repeat=rounds)]


def interleaved(baseline, candidate, number: int, rounds: int) -> tuple[float, float]:
    """(baseline, candidate) seconds per call: the best of many short batches taken
    alternately, so that both see the same machine (other processes come and go)."""
    baseline()
    candidate()
    base, cand = [], []
    batch = max(1, number // 10)
    for _ in range(rounds * 10):
        base += per_call(baseline, batch, 1)
        cand += per_call(candidate, batch, 1)
    return min(base), min(cand)


def in_process(path: str, number: int, rounds: int) -> tuple[float, float]:
    return interleaved(lambda: calamine_alone(path), lambda: validate_file(path), number, rounds)


def fresh_process(path: str, runs: int = 5) -> tuple[float, float]:
    """(first validate_file in a fresh interpreter, whole `xlsx-tools validate` process), best of runs."""
    code = (
        "import time, sys; t = time.perf_counter(); from xlsx_tools.check.validate import validate_file; "
        "i = time.perf_counter(); validate_file(sys.argv[1]); print(time.perf_counter() - i)"
    )
    first, whole = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True, cwd=ROOT)
        first.append(float(out.stdout))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xlsx_tools.cli", "validate", path], capture_output=True, cwd=ROOT)
        whole.append(time.perf_counter() - start)
    return min(first), min(whole)


def import_time() -> float:
    """Seconds to import everything `xlsx-tools validate` needs (python -X importtime)."""
    out = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import xlsx_tools.cli, xlsx_tools.check.validate, xlsx_tools.read.reader, xlsx_tools.check.present, xlsx_tools.read.workbook",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    total = 0
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].startswith(" xlsx_tools") and not parts[2].startswith("  "):
            total += int(parts[1])
    return total / 1e6


def bare_python() -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workbook", nargs="?", default=str(ROOT / "examples" / "03-教育局.xlsx"))
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--number", type=int, default=200)
    args = ap.parse_args()
    path = args.workbook
    print(f"workbook: {path} ({Path(path).stat().st_size // 1024} KB); sheets read: {'、'.join(NEEDED_SHEETS)}")

    base, cand = in_process(path, args.number, args.rounds)
    ratio = cand / base
    print(f"python-calamine alone (baseline)   {base * 1e3:7.3f} ms per file")
    print(f"validate_file (read + all rules)   {cand * 1e3:7.3f} ms per file   ratio {ratio:.2f}× (target ≤ {TARGET_RATIO:.0f}×)")

    examples = [str(p) for p in sorted((ROOT / "examples").glob("*.xlsx"))]
    many_base, many_cand = interleaved(
        lambda: [calamine_alone(p) for p in examples],
        lambda: [validate_file(p) for p in examples],
        args.number // len(examples),
        args.rounds,
    )
    many_base, many_cand = many_base / len(examples), many_cand / len(examples)
    print(f"{len(examples)} different files in turn         {many_cand * 1e3:7.3f} ms per file   ratio {many_cand / many_base:.2f}×")

    first, whole = fresh_process(path)
    print(f"first file in a fresh process      {first * 1e3:7.3f} ms (layout plans built, nothing cached)")
    print(
        f"`xlsx-tools validate FILE`         {whole:7.3f} s  whole process (target < {TARGET_PROCESS} s; bare python {bare_python():.3f} s)"
    )
    print(f"import of the validate path        {import_time():7.3f} s  (python -X importtime, xlsx_tools modules)")

    ok = ratio <= TARGET_RATIO and whole < TARGET_PROCESS
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
