"""Merge many agencies' submissions into one summary report (`xlsx-tools merge`).

Every workbook is read and judged by the validator's own code (in parallel worker
processes); `policy.py` decides which submissions count (the error policy, the
reporting year, duplicates, the roster); the counted ones are summed exactly into a
summary Report of the same form, so that a summary can be merged again. Writing it
(the template builder plus the sheets of `book.py`) is `write.write_outputs`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..check import validate  # noqa: F401  (the reader, imported before workers are forked)
from ..check.local import NATIONAL, LocalRules
from ..check.previous import LastYear
from ..findings import ToolError
from ..form import FormSpec, current
from ..output import OutputError, check_target
from ..read import workbook  # noqa: F401
from ..report import Report
from ..values import clean_number
from .feedback import check_feedback, plan_feedback
from .inputs import Inputs, Skipped, collect, shown_path
from .longtable import check_export
from .policy import decide, off_roster
from .pool import FILE_TIMEOUT, Progress, read_all_with
from .roster import Member, Roster
from .similar import mark_similar
from .submission import (
    DUPLICATE,
    FAILED,
    OVERLAP,
    UNREADABLE,
    WRONG_YEAR,
    Context,
    Submission,
    read_submission,
    unreadable_submission,
)

EXACT = Decimal("0.000001")  # amounts are summed as decimals rounded to 6 places


@dataclass
class Options:
    name: str | None = None  # the summary's 单位名称 (--name)
    year: int | None = None  # the reporting year (--year); else the majority's
    roster: Roster | None = None
    include_invalid: bool = False
    jobs: int | None = None
    timeout: float = FILE_TIMEOUT  # seconds one file may take to read (--timeout)
    output: str | Path | None = None  # the summary workbook (-o)
    export: str | Path | None = None  # the long table (--export)
    force: bool = False
    spec: FormSpec = field(default_factory=current)  # the form merged; reports of other forms are not counted
    rules: LocalRules | None = None  # local rules (--rules); None: the national ones
    previous: list[str | Path] | None = None  # last year's summary workbook or folder (--previous)
    feedback: str | Path | None = None  # folder for the feedback to agencies (--feedback)

    def check(self, inputs: list[str | Path] = ()) -> None:
        """Refuse, before any work, options that cannot give a summary (OutputError, in
        Chinese): among them an output that is one of the `inputs`, or an agency's report
        inside an input folder (a summary left there by the last run may be replaced)."""
        given = [*inputs, *(self.previous or [])]
        files = [p for p in given if not Path(p).is_dir()]
        if self.output is not None:
            output = Path(self.output)
            if output.suffix.lower() != ".xlsx":
                raise OutputError(f"汇总文件 {output} 应以 .xlsx 结尾")
            check_target(output, self.force, files)
            self._not_a_report_in(output, [Path(p) for p in given if Path(p).is_dir()])
        if self.export is not None:
            check_export(self.export)
            check_target(self.export, self.force, files)
            if self.output is not None and Path(self.export).resolve() == Path(self.output).resolve():
                raise OutputError("--export 的文件不能与汇总文件相同")
        if self.year is not None and not self.spec.plausible_year(self.year):
            raise OutputError(f"--year {self.year} 不是有效的报告年度（本表式自 {self.spec.first_year} 年度起使用）")
        if self.jobs is not None and self.jobs < 1:
            raise OutputError("--jobs 应为不小于 1 的整数")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise OutputError("--timeout 应为大于 0 的秒数")
        if self.feedback is not None:
            check_feedback(self.feedback, self.force)

    def _not_a_report_in(self, output: Path, folders: list[Path]) -> None:
        """An existing output inside an input folder would be an input: it may be replaced
        only if it is a summary (the last run's), never an agency's report."""
        if not output.is_file() or not any(output.resolve().is_relative_to(f.resolve()) for f in folders):
            return
        from ..read import read_report

        try:
            kind = read_report(output, self.spec).meta.get("kind")
        except ToolError:
            kind = None
        if kind != self.spec.summary_kind:
            raise OutputError(
                f"输出文件 {output} 在输入文件夹中，且不是之前生成的汇总报告（可能是单位的报告），不能覆盖；请另取一个输出文件名"
            )

    @property
    def outputs(self) -> set[Path]:
        """The merge's own output files, resolved: never read as inputs."""
        return {Path(p).resolve() for p in (self.output, self.export) if p is not None}

    @property
    def judged_by(self) -> LocalRules:
        return self.rules or NATIONAL


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
    export: str | None = None  # where the long table is exported (--export), once writing
    last_year: LastYear | None = None  # last year's reports (--previous)
    feedback: dict[int, tuple[str, str]] = field(default_factory=dict)  # index of a submission -> (file, why)

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
            "与汇总重叠": self.count(OVERLAP),
            "有警告": sum(1 for s in self.included if s.warnings and not s.errors),
            "不在名单": sum(1 for s in self.submissions if off_roster(s)),
            "未报送": len(self.missing),
            "跳过": len(self.skipped),
        }

    @property
    def submission_rate(self) -> tuple[int, int, str] | None:
        """(agencies on the roster, of them submitted, 报送率 as shown) — None without a roster."""
        roster = self.options.roster
        if roster is None:
            return None
        expected = len(roster.members)
        submitted = expected - len(self.missing)
        return expected, submitted, f"{submitted / expected:.1%}" if expected else "—"

    @property
    def exit_code(self) -> int:
        """0 every workbook counted; 1 something left out, missing or not looked at (a folder
        the system refused); 2 nothing usable."""
        if not self.included:
            return 2
        if len(self.included) < len(self.submissions) or self.missing or any(k.lost for k in self.skipped):
            return 1
        return 0


# ---- reading ---------------------------------------------------------------------------


def read_all(
    files: list[tuple[Path, str]],
    jobs: int | None = None,
    progress: Progress | None = None,
    spec: FormSpec | None = None,
    timeout: float = FILE_TIMEOUT,
    read: Callable[[tuple[str, str, str]], Submission] = read_submission,
    context: Context | None = None,
) -> list[Submission]:
    """Read and judge every file in `jobs` worker processes that judge with `context`
    (local rules, last year's reports); results in input order. A file whose reading
    crashes its worker or takes longer than `timeout` seconds is unreadable, and every
    other file is still read."""
    return read_all_with(read, files, jobs, progress, spec, context, timeout, unreadable_submission)


# ---- summing ---------------------------------------------------------------------------


def sum_values(subs: list[Submission], spec: FormSpec | None = None) -> tuple[dict[str, int | float], int]:
    """The sum of every input cell over `subs`, exactly: counts as integers, amounts
    as decimals rounded to 6 places (so that the order of summing never matters).
    Returns the sums and how many cells had no usable value (summed as 0)."""
    sums: dict[str, int | float] = {}
    unusable = 0
    for i, cid in enumerate((spec or current()).input_ids):
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
    spec = merged.options.spec
    included = merged.included
    sums, merged.unusable = sum_values(included, spec)
    cells = spec.compute_totals(sums)
    name = merged.options.name or _common_parent(included) or "汇总"
    today = today or dt.date.today()
    meta = {
        "agency": name,
        "year": merged.year,
        "kind": spec.summary_kind,
        "covers": merged.covers,
        "filled_on": today,
    }
    facts = {"name": name, "year": merged.year, "covers": merged.covers, "today": today.isoformat(), "cells": cells}
    overview = spec.summary_text(spec, facts)
    first = spec.sections[0].key
    return Report(meta=meta, cells={cid: cells[cid] for cid in spec.cells}, text={first: overview}, form=spec.id, source="汇总")


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
    read: Callable[[tuple[str, str, str]], Submission] = read_submission,
) -> Merged:
    """Find, read, judge and decide; build the summary Report (nothing is written).

    `found(workbooks, skipped)` is called once the inputs are known, `progress(done, total)`
    as files are read; `read` reads one file (in a worker process)."""
    inputs = collect(list(paths), options.outputs | (exclude or set()))
    if found:
        found(len(inputs.files), len(inputs.skipped))
    return merge_inputs(inputs, options, [shown_path(Path(p)) for p in paths], progress, read, exclude)


def merge_inputs(
    inputs: Inputs,
    options: Options,
    described: list[str],
    progress: Progress | None = None,
    read: Callable[[tuple[str, str, str]], Submission] = read_submission,
    exclude: set[Path] | None = None,
    today: dt.date | None = None,
) -> Merged:
    """The merge of files already collected (`inputs`; `described` says what was given, for
    汇总说明): read, judge, decide and sum, as `merge` does for paths."""
    started = dt.datetime.now().replace(microsecond=0)
    last_year = None
    if options.previous:
        from .previous import load_previous

        last_year = load_previous(options.previous, options.spec, options.jobs, options.outputs | (exclude or set()))
    context = Context(options.rules, last_year)
    subs = read_all(inputs.files, options.jobs, progress, options.spec, options.timeout, read, context)
    merged = Merged(options, described, subs, inputs.skipped, started, last_year=last_year)
    rules = options.judged_by
    merged.year, merged.year_note, merged.missing = decide(
        subs, options.year, options.roster, options.include_invalid, screen=lambda current: mark_similar(current, options.spec, rules)
    )
    if options.feedback is not None:
        merged.feedback = plan_feedback(merged)
    if merged.included:
        merged.summary = summary_report(merged, today)
    return merged


__all__ = ["Merged", "Options", "merge", "merge_inputs", "read_all", "read_all_with", "sum_values", "summary_report"]
