"""How long the 校验 button's Python side takes: `validate_book` on an open workbook.

    python benchmarks/bench_validate_book.py [--repeat 30]

For every example workbook the payload xlwings' VBA client would send is built once,
then, repeatedly and in-process:
- baseline: `validate_file(path)`, what `xlsx-tools validate` does for one file
  (read the .xlsx with python-calamine, run every rule);
- `xw.Book(json=payload)`: the remote engine opening what the client sent;
- `validate_book(book)`: read through the anchors, run every rule, emit the
  actions (colours, 校验结果 rows, status, alert).
Target: validate_book's median at most 50 ms on every example (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlsx_tools.check.validate import validate_file  # noqa: E402
from xlsx_tools.excel import open_payload, validate_book  # noqa: E402
from xlsx_tools.testing.payload import book_payload  # noqa: E402

TARGET_MS = 50.0
TODAY = dt.date(2026, 1, 10)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    examples = sorted((ROOT / "examples").glob("*.xlsx"))
    print(f"{'workbook':<28} {'validate_file':>14} {'open payload':>13} {'validate_book':>14} {'actions':>8} {'ratio':>6}")
    worst = 0.0
    for path in examples:
        payload = book_payload(path)
        validate_file(path, today=TODAY)  # warm caches and imports
        validate_book(open_payload(payload), TODAY)
        base = timed(lambda p=path: validate_file(p, today=TODAY), args.repeat)
        opening = timed(lambda p=payload: open_payload(p), args.repeat)
        books = [open_payload(payload) for _ in range(args.repeat)]
        queue = iter(books)
        runs = timed(lambda: validate_book(next(queue), TODAY), args.repeat)  # noqa: B023  (called at once)
        actions = len(books[0].json()["actions"])
        for book in books:
            book.close()
        med = statistics.median(runs)
        worst = max(worst, med)
        print(
            f"{path.stem[:26]:<28} {statistics.median(base):>11.1f} ms {statistics.median(opening):>10.1f} ms"
            f" {med:>11.1f} ms {actions:>8} {med / statistics.median(base):>5.2f}x"
        )
    print(f"medians of {args.repeat} runs; ratio = validate_book / validate_file (the `xlsx-tools validate` baseline, same run)")
    ok = worst <= TARGET_MS
    print(f"slowest validate_book median: {worst:.1f} ms (target <= {TARGET_MS:.0f} ms): {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
