"""What `merge --previous` costs, against the same merge without it, in the same run.

    python benchmarks/bench_previous.py [--n 1000] [--jobs 2] [--repeat 3] [--cache DIR] [--folder]

Generates N agencies' reports for two years (2024 and 2025; synth.report with narrative
of a realistic length, synth.long_text: ~450 and ~150 characters; cached in --cache,
default $TMPDIR/xlsx-tools-bench-previous), merges 2024 once into last year's summary
workbook, then times, interleaved, `--repeat` times each (a new process each time, as staff
run it):
  (a) xlsx-tools merge 2025/ -o OUT.xlsx --jobs J
  (b) the same with --previous 2024汇总.xlsx (last year's summary: its 逐单位数据 sheet)
  (c) with --folder also: --previous 2024/ (last year's folder: every file read again)
and reports the fastest run of each and the ratios b/a (target ≤ 1.3, issue 13) and c/a
(not judged: reading last year's N files costs about what reading this year's does).
Every run's findings include the cross-year rules (checked: (b) and (c) find XY rules,
(a) none). Exit 1 when b/a misses the target.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlsx_tools.build.template import build_workbook
from xlsx_tools.testing import synth

DEPARTMENTS = (
    "人力资源和社会保障局",
    "教育局",
    "卫生健康局",
    "自然资源局",
    "市场监督管理局",
    "公安局",
    "民政局",
    "财政局",
    "交通运输局",
    "青山镇人民政府",
)
TARGET = 1.3


def _report(i: int, year: int):
    county, dept = i // len(DEPARTMENTS) + 1, DEPARTMENTS[i % len(DEPARTMENTS)]
    agency = f"示例第{county}县{dept}"
    report = synth.report(i, agency, year=year, applications=20 + i % 200, parent=f"示例第{county}县人民政府")
    report.text.update(synth.long_text(i, agency, year))
    return report


def _build(job: tuple[int, int, str]) -> None:
    i, year, path = job
    build_workbook(path, _report(i, year))


def folders(n: int, cache: Path, jobs: int) -> tuple[Path, Path]:
    out = []
    for year in (2024, 2025):
        folder = cache / f"n{n}" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        todo = [(i, year, str(folder / f"{i:05d}.xlsx")) for i in range(n) if not (folder / f"{i:05d}.xlsx").exists()]
        if todo:
            print(f"生成 {len(todo)} 份 {year} 年度报告（缓存于 {folder}）……", file=sys.stderr, flush=True)
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for _ in pool.imap_unordered(_build, todo, chunksize=8):
                    pass
        out.append(folder)
    return out[0], out[1]


def merge(inputs: Path, out: Path, jobs: int, *extra: str) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "xlsx_tools.cli", "merge", str(inputs), "-o", str(out), "--force", "--jobs", str(jobs), *extra]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"merge failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, proc.stdout


def _xy_rules(summary: Path) -> int:
    """How many findings of the cross-year rules the summary's 问题清单 lists."""
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("问题清单").to_python()
    return sum(1 for r in rows[1:] if len(r) > 4 and str(r[4]).startswith("XY-"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xlsx-tools-bench-previous")
    ap.add_argument("--folder", action="store_true", help="also time --previous with last year's folder")
    args = ap.parse_args()
    last, this = folders(args.n, args.cache, max(1, os.cpu_count() or 1))
    work = Path(tempfile.mkdtemp(prefix="bench-previous-"))
    last_summary = work / "2024汇总.xlsx"
    merge(last, last_summary, args.jobs)
    print(f"上年汇总表：{last_summary}（{last_summary.stat().st_size / 1e6:.1f} MB）", file=sys.stderr)

    runs = {"a": [], "b": [], "c": []}
    outs = {key: work / f"{key}.xlsx" for key in runs}
    for r in range(args.repeat):
        runs["a"].append(merge(this, outs["a"], args.jobs)[0])
        runs["b"].append(merge(this, outs["b"], args.jobs, "--previous", str(last_summary))[0])
        if args.folder:
            runs["c"].append(merge(this, outs["c"], args.jobs, "--previous", str(last))[0])
        print(f"  第 {r + 1} 轮：" + "，".join(f"{k} {v[-1]:.2f} s" for k, v in runs.items() if v), file=sys.stderr, flush=True)
    xy = {key: _xy_rules(outs[key]) for key in runs if runs[key]}
    assert xy["a"] == 0 and xy["b"] > 0, xy
    if args.folder:
        assert xy["c"] == xy["b"], xy  # the same findings from last year's folder as from its summary
    a, b = min(runs["a"]), min(runs["b"])
    print(f"N = {args.n}，--jobs {args.jobs}，每项 {args.repeat} 次取最快：")
    print(f"  (a) merge                          {a:.2f} s")
    print(f"  (b) merge --previous 上年汇总表     {b:.2f} s   b/a = {b / a:.2f}（目标 ≤ {TARGET}）   跨年度提示 {xy['b']} 条")
    if args.folder:
        c = min(runs["c"])
        print(f"  (c) merge --previous 上年文件夹     {c:.2f} s   c/a = {c / a:.2f}（不设目标）         跨年度提示 {xy['c']} 条")
    return 0 if b / a <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
