"""A merge over N files of which a few crash or hang their reader, against the same
folder without them, in the same run.

    python benchmarks/bench_merge_faults.py [--n 1000] [--jobs 2] [--crash 3] [--hang 2]
                                           [--timeout 10] [--repeat 3] [--cache DIR]

Both merges run the library's merge and write the summary workbook, as `xlsx-tools
merge` does. The reader is the real one, except that files named crash-* abort their
worker process (os.abort, as a native reader's abort does) and files named hang-* never
return (as a reader stuck in a loop). The submissions are bench_merge.py's (cached).

Checked, not only timed: with the bad files the merge finishes, the crash and hang files
are 无法读取 with their reason, every other file is counted, and the summary is exactly
the summary without them. The cost of the bad files is expected to be about one
--timeout (hung files wait their timeout alongside the other work) plus a new worker
per crash.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_merge import folder_of  # noqa: E402

from xlsx_tools.merge import Options, merge  # noqa: E402
from xlsx_tools.merge.submission import UNREADABLE, read_submission  # noqa: E402
from xlsx_tools.merge.write import write_outputs  # noqa: E402


def faulty_reader(job):
    """The real reader, except that crash-* abort the worker and hang-* never return."""
    name = Path(job[0]).name
    if name.startswith("crash-"):
        faulthandler.disable()
        os.abort()
    if name.startswith("hang-"):
        time.sleep(10**6)
    return read_submission(job)


def timed(folder: Path, out: Path, jobs: int, timeout: float):
    t = time.perf_counter()
    merged = merge([folder], Options(jobs=jobs, timeout=timeout), read=faulty_reader)
    write_outputs(merged, out, force=True)
    return time.perf_counter() - t, merged


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--crash", type=int, default=3)
    ap.add_argument("--hang", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds a file may take (merge --timeout)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xlsx-tools-bench")
    args = ap.parse_args()

    clean = folder_of(args.n, args.cache, max(1, os.cpu_count() or 1))
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    faulty = work / "faulty"
    shutil.copytree(clean, faulty, copy_function=os.link)
    sample = sorted(clean.iterdir())[0]
    bad = [f"crash-{k}.xlsx" for k in range(args.crash)] + [f"hang-{k}.xlsx" for k in range(args.hang)]
    for name in bad:
        shutil.copy(sample, faulty / name)

    runs: dict[str, list[float]] = {"clean": [], "faulty": []}
    for r in range(args.repeat):
        t_clean, good = timed(clean, work / "clean.xlsx", args.jobs, args.timeout)
        t_faulty, bent = timed(faulty, work / "faulty.xlsx", args.jobs, args.timeout)
        runs["clean"].append(t_clean)
        runs["faulty"].append(t_faulty)
        print(f"  第 {r + 1} 轮：无坏文件 {t_clean:.2f} s，有坏文件 {t_faulty:.2f} s", file=sys.stderr, flush=True)

    unreadable = sorted(Path(s.path).name for s in bent.submissions if s.status == UNREADABLE)
    assert unreadable == sorted(bad), unreadable
    assert len(bent.included) == len(good.included) == args.n, (len(bent.included), len(good.included))
    assert bent.summary.cells == good.summary.cells
    a, b = min(runs["clean"]), min(runs["faulty"])
    print(f"N = {args.n}，--jobs {args.jobs}，--timeout {args.timeout:g} 秒，每项 {args.repeat} 次取最快：")
    print(f"  (a) 同一文件夹，没有坏文件              {a:.2f} s")
    print(
        f"  (b) 另加 {args.crash} 个使读取进程崩溃、{args.hang} 个使之卡死的文件 {b:.2f} s"
        f"   b − a = {b - a:.2f} s（约一个超时 {args.timeout:g} s）"
    )
    print(f"  坏文件均记为无法读取：{'、'.join(unreadable)}；其余 {len(bent.included)} 份均计入，汇总数与 (a) 完全相同")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
