"""Merge many agencies' submissions into one summary report (`xlsx-tools merge`).

Every workbook is read and judged by the validator's own code (in parallel worker
processes); the merge then decides which submissions count (the error policy, the
reporting year, duplicates, the roster), sums the counted ones exactly, and makes the
summary a Report of the same form, so that a summary can be merged again. Writing it
(the template builder plus the register sheets of `mergebook.py`) is `write_outputs`.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from .form import CELLS, INPUT_IDS
from .inputs import Skipped, collect, shown_path
from .output import OutputError, atomic_path
from .report import Report
from .roster import Member, Roster, name_key
from .rules import compute_totals
from .submission import (
    DUPLICATE,
    FAILED,
    OFF_ROSTER,
    PASSED,
    UNREADABLE,
    WARNED,
    WRONG_YEAR,
    Submission,
    read_submission,
)
from .values import clean_number

SUMMARY_KIND = "汇总报告"
EXACT = Decimal("0.000001")  # amounts are summed as decimals rounded to 6 places
POOL_MIN_FILES = 12  # below this, reading in-process beats starting workers

Progress = Callable[[int, int], None]


@dataclass
class Options:
    name: str | None = None  # the summary's 单位名称 (--name)
    year: int | None = None  # the reporting year (--year); else the majority's
    roster: Roster | None = None
    include_invalid: bool = False
    jobs: int | None = None


@dataclass
class Merged:
    """Everything a merge found and decided; what the outputs and the terminal show."""

    options: Options
    inputs: list[str]
    submissions: list[Submission]
    skipped: list[Skipped]
    started: dt.datetime
    year: int | None = None
    year_note: str = ""
    missing: list[tuple[Member, str]] = field(default_factory=list)  # roster members without a report
    summary: Report | None = None
    unusable: int = 0  # cells without a usable value in counted reports (--include-invalid), summed as 0

    @property
    def included(self) -> list[Submission]:
        return [s for s in self.submissions if s.included]

    @property
    def covers(self) -> int:
        return sum(s.covers for s in self.submissions if s.included)

    @property
    def with_errors(self) -> list[Submission]:
        """Submissions with errors of their own (unreadable, failed rules, wrong year)."""
        return [s for s in self.submissions if s.errors and s.status != DUPLICATE]

    def count(self, status: str) -> int:
        return sum(1 for s in self.submissions if s.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """The figures of the closing table and of 汇总说明."""
        return {
            "文件": len(self.submissions),
            "计入汇总": len(self.included),
            "有错误": self.count(FAILED),
            "无法读取": self.count(UNREADABLE),
            "年度不符": self.count(WRONG_YEAR),
            "重复": self.count(DUPLICATE),
            "有警告": sum(1 for s in self.included if s.warnings and not s.errors),
            "不在名单": sum(1 for s in self.submissions if _off_roster(s)),
            "未报送": len(self.missing),
            "跳过": len(self.skipped),
        }

    @property
    def exit_code(self) -> int:
        """0 every workbook counted; 1 something left out or missing; 2 nothing usable."""
        if not self.included:
            return 2
        if len(self.included) < len(self.submissions) or self.missing:
            return 1
        return 0


def _off_roster(s: Submission) -> bool:
    return any(i.rule == "NOT-ON-ROSTER" for i in s.issues)


# ---- reading ---------------------------------------------------------------------------


def default_jobs() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _read_indexed(item: tuple[int, tuple[str, str]]) -> tuple[int, Submission]:
    i, job = item
    return i, read_submission(job)


def read_all(files: list[tuple[Path, str]], jobs: int | None = None, progress: Progress | None = None) -> list[Submission]:
    """Read and judge every file, in `jobs` worker processes; results in input order."""
    work = [(str(path), shown) for path, shown in files]
    n = len(work)
    jobs = jobs or default_jobs()
    out: list[Submission | None] = [None] * n
    if jobs <= 1 or n < POOL_MIN_FILES:
        for i, job in enumerate(work):
            out[i] = read_submission(job)
            if progress:
                progress(i + 1, n)
        return out  # type: ignore[return-value]
    from . import validate, workbook_file  # noqa: F401  (imported once here; forked workers inherit them)

    # fork is cheap and safe here (no threads); elsewhere the platform's default (spawn)
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    chunk = max(1, min(16, n // (jobs * 8)))
    with ctx.Pool(min(jobs, n), initializer=_ignore_sigint) as pool:
        for done, (i, sub) in enumerate(pool.imap_unordered(_read_indexed, enumerate(work), chunk), start=1):
            out[i] = sub
            if progress:
                progress(done, n)
    return out  # type: ignore[return-value]


# ---- deciding --------------------------------------------------------------------------


def target_year(subs: list[Submission], wanted: int | None) -> tuple[int | None, str]:
    """The reporting year of the merge and how it was chosen."""
    years = Counter(s.year for s in subs if s.readable and s.year is not None)
    if wanted is not None:
        return wanted, f"{wanted}（由 --year 指定）"
    if not years:
        return None, ""
    if len(years) == 1:
        (year,) = years
        return year, f"{year}（所有报告的年度）"
    top = max(years.values())
    year = max(y for y, c in years.items() if c == top)
    spread = "、".join(f"{y} 年 {c} 份" for y, c in sorted(years.items()))
    return year, f"{year}（按多数报告的年度确定：{spread}）"


def _newness(s: Submission) -> tuple:
    return (s.filled_on or dt.date.min, s.mtime, s.shown)


def mark_duplicates(subs: list[Submission]) -> None:
    """Among reports of one agency (same 统一社会信用代码, or same name where a report
    has no code) keep the newest (填报日期, then file time); mark the others 重复."""
    code_of_name = {name_key(s.agency): s.uscc for s in subs if s.uscc and s.agency}
    groups: dict[str, list[Submission]] = {}
    for s in subs:
        if s.uscc:
            key = "code:" + s.uscc
        elif s.agency:
            code = code_of_name.get(name_key(s.agency))
            key = "code:" + code if code else "name:" + name_key(s.agency)
        else:
            continue
        groups.setdefault(key, []).append(s)
    for key, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=_newness, reverse=True)
        kept = group[0]
        basis = "统一社会信用代码相同" if key.startswith("code:") else "单位名称相同"
        when = f"填报日期 {kept.filled_on.isoformat()}" if kept.filled_on else "文件修改时间较新"
        for s in group[1:]:
            same = "，两个文件内容完全相同" if s.sha256 and s.sha256 == kept.sha256 else ""
            s.status = DUPLICATE
            s.add("DUPLICATE", f"与 {kept.shown} 是同一单位的报告（{basis}{same}），已采用较新的 {kept.shown}（{when}）")


def decide(subs: list[Submission], options: Options) -> tuple[int | None, str, list[tuple[Member, str]]]:
    """Set every submission's status, whether it is counted, and a note; return the
    reporting year, how it was chosen, and the roster members with no report."""
    year, year_note = target_year(subs, options.year)
    current = []
    for s in subs:
        if not s.readable:
            continue
        if year is not None and s.year is not None and s.year != year:
            s.status = WRONG_YEAR
            s.add("YEAR-MISMATCH", f"报告年度为 {s.year} 年，与汇总年度 {year} 年不符")
        else:
            current.append(s)
    mark_duplicates(current)
    missing: list[tuple[Member, str]] = []
    roster = options.roster
    if roster is not None:
        matched: set[Member] = set()
        for s in current:
            member = roster.match(s.agency, s.uscc)
            if member is None:
                s.add("NOT-ON-ROSTER", f"「{s.agency or '未填写单位名称'}」不在应报送单位名单（{roster.source}）中")
            else:
                matched.add(member)
        other_years: dict[Member, Submission] = {}
        for s in subs:
            if s.status == WRONG_YEAR:
                member = roster.match(s.agency, s.uscc)
                if member is not None:
                    other_years.setdefault(member, s)
        for m in roster.members:
            if m not in matched:
                old = other_years.get(m)
                missing.append((m, f"只收到 {old.year} 年度的报告（{old.shown}）" if old else ""))
    for s in subs:
        _settle(s, options.include_invalid)
    return year, year_note, missing


def _settle(s: Submission, include_invalid: bool) -> None:
    errors = [i for i in s.issues if i.severity == "error"]
    first = errors[0].message if errors else ""
    if not s.readable:
        s.status, s.included, s.note = UNREADABLE, False, first.removeprefix(Path(s.shown).name + "：")
        return
    if s.status == WRONG_YEAR:
        s.included, s.note = False, next(i.message for i in s.issues if i.rule == "YEAR-MISMATCH")
        return
    if s.status == DUPLICATE:
        s.included, s.note = False, next(i.message for i in s.issues if i.rule == "DUPLICATE")
        return
    if errors:
        s.status, s.included = FAILED, include_invalid
        more = f"（另有 {len(errors) - 1} 个错误）" if len(errors) > 1 else ""
        s.note = first + more + ("；已按 --include-invalid 计入汇总" if include_invalid else "")
        return
    s.included = True
    if _off_roster(s):
        s.status = OFF_ROSTER
        s.note = next(i.message for i in s.issues if i.rule == "NOT-ON-ROSTER") + "，已计入汇总"
    elif s.warnings:
        s.status, s.note = WARNED, s.issues[0].message
    else:
        s.status, s.note = PASSED, ""


# ---- summing ---------------------------------------------------------------------------


def sum_values(subs: list[Submission]) -> tuple[dict[str, int | float], int]:
    """The sum of every input cell over `subs`, exactly: counts as integers, amounts
    as decimals rounded to 6 places (so that the order of summing never matters).
    Returns the sums and how many cells had no usable value (summed as 0)."""
    sums: dict[str, int | float] = {}
    unusable = 0
    for i, cid in enumerate(INPUT_IDS):
        column = [s.values[i] for s in subs]  # type: ignore[index]
        unusable += column.count(None)
        ints = [v for v in column if v.__class__ is int]
        total: int | Decimal = sum(ints)
        if len(ints) + column.count(None) < len(column):
            total = Decimal(total) + sum(
                (Decimal(repr(v)).quantize(EXACT) for v in column if v is not None and v.__class__ is not int), Decimal(0)
            )
            total = clean_number(float(total))
        sums[cid] = total
    return sums, unusable


def summary_report(merged: Merged, today: dt.date | None = None) -> Report:
    """The summary as a report of the same form: the sums, totals computed, and metadata
    saying what it summarises."""
    included = merged.included
    sums, merged.unusable = sum_values(included)
    cells = compute_totals(sums)
    name = merged.options.name or _common_parent(included) or "汇总"
    today = today or dt.date.today()
    meta = {
        "agency": name,
        "year": merged.year,
        "kind": SUMMARY_KIND,
        "covers": merged.covers,
        "filled_on": today,
    }
    overview = (
        f"本报告为{name}{merged.year}年度政府信息公开工作年度报告的汇总数据，由 {merged.covers} 个单位的报告汇总而成"
        f"（xlsx-tools 于 {today.isoformat()} 汇总）。全年共收到政府信息公开申请{cells['t3.new.total']}件，"
        f"结转下年度继续办理{cells['t3.carried_forward.total']}件。"
    )
    return Report(meta=meta, cells={cid: cells[cid] for cid in CELLS}, text={"overview": overview}, source="汇总")


def _common_parent(subs: list[Submission]) -> str:
    parents = {s.parent for s in subs}
    return parents.pop() if len(parents) == 1 else ""


# ---- the whole merge -------------------------------------------------------------------


def merge(
    paths: list[str | Path],
    options: Options,
    exclude: set[Path] | None = None,
    progress: Progress | None = None,
    found: Callable[[int, int], None] | None = None,
) -> Merged:
    """Find, read, judge and decide; build the summary Report (nothing is written).

    `found(workbooks, skipped)` is called once the inputs are known, `progress(done, total)`
    as files are read."""
    started = dt.datetime.now().replace(microsecond=0)
    inputs = collect(list(paths), exclude)
    if found:
        found(len(inputs.files), len(inputs.skipped))
    subs = read_all(inputs.files, options.jobs, progress)
    merged = Merged(options, [shown_path(Path(p)) for p in paths], subs, inputs.skipped, started)
    merged.year, merged.year_note, merged.missing = decide(subs, options)
    if merged.included:
        merged.summary = summary_report(merged)
    return merged


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """A Ctrl-C that arrives inside the block takes effect when the block ends, so that
    no temporary file exists without being registered for removal (and none is left
    half-removed). Without POSIX signal masks (Windows) the block is unprotected."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_outputs(merged: Merged, output: str | Path, export: str | Path | None = None, force: bool = False) -> None:
    """Write the summary workbook (and the long table), each atomically: on any error
    or Ctrl-C nothing is left behind and existing files are untouched."""
    from . import longtable, mergebook
    from .template import build_workbook

    if merged.summary is None:
        raise ValueError("nothing to write")
    stack = ExitStack()
    try:
        with sigint_deferred():
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xlsx-tools-merge-")))
            tmp_out = stack.enter_context(atomic_path(output, force))
            tmp_export = stack.enter_context(atomic_path(export, force)) if export else None
        if export:
            longtable.export(tmp_export, merged.included, longtable.format_of(export))
        build_workbook(tmp_out, merged.summary, extra=mergebook.sheets(merged, work))
    except BaseException as exc:
        with sigint_deferred():
            try:
                stack.__exit__(*sys.exc_info())  # removes the temporary files (and re-raises)
            except BaseException:  # noqa: BLE001, S110  (the original exception follows)
                pass
        if isinstance(exc, (OSError, FileCreateError)):
            reason = _write_failure(exc)
            _release_quietly(exc)
            raise WriteError(f"无法写入 {output}：{reason}；没有留下任何文件") from None
        raise
    with sigint_deferred():
        stack.close()  # each output renamed into place; the work folder removed


class WriteError(OutputError):
    """The outputs could not be written (Chinese message); nothing was left behind."""


WRITE_ERRORS = {errno.ENOSPC: "磁盘空间不足", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "磁盘为只读", errno.EFBIG: "文件超过系统允许的大小"}


def _write_failure(exc: BaseException) -> str:
    os_error = exc if isinstance(exc, OSError) else next((e for e in _chain(exc) if isinstance(e, OSError)), None)
    if os_error is None:
        return str(exc)
    return WRITE_ERRORS.get(os_error.errno, os_error.strerror or str(os_error))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _release_quietly(exc: BaseException) -> None:
    """Free what a failed write still holds (XlsxWriter's half-written zip file), without
    the 'Exception ignored' trace its finaliser prints when the disk is full."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        for e in _chain(exc):
            e.__traceback__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook
