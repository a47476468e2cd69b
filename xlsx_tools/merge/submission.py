"""One input file of a merge, as the register lists it: read and judged with the same
code as `xlsx-tools validate`, then kept compact (values in form order, findings as
plain tuples) so that ten thousand of them fit in memory and pass between processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..check.local import LocalRules
from ..check.previous import LastYear
from ..findings import ERROR, Finding, Number, Severity, finding
from ..form import FORMS
from ..read.workbook import readable as readable_name
from ..values import normalise_text
from .register import covered

# Register statuses (报送登记「状态」), most decisive first.
PASSED, WARNED, FAILED, UNREADABLE, DUPLICATE, WRONG_YEAR, OFF_ROSTER, OVERLAP = (
    "通过",
    "有警告",
    "有错误",
    "无法读取",
    "重复",
    "年度不符",
    "不在名单",
    "与汇总重叠",
)


@dataclass(slots=True)
class Issue:
    """A finding, flattened for the register and the 问题清单."""

    rule: str
    severity: Severity
    message: str
    where: str = ""
    expected: Number | None = None
    actual: Number | None = None
    explanation: str = ""  # the 说明 the agency wrote for a warning

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)

    @classmethod
    def of(cls, f: Finding) -> Issue:
        return cls(f.rule, f.severity, f.message, "、".join(f.where), f.expected, f.actual, f.explanation or "")

    @property
    def explained(self) -> bool:
        return bool(self.explanation) and self.severity != ERROR

    @classmethod
    def new(cls, rule: str, message: str) -> Issue:
        return cls.of(finding(rule, message))


@dataclass(slots=True)
class Submission:
    path: str
    shown: str  # the file as the register and the terminal name it
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    readable: bool = False
    agency: str = ""
    uscc: str = ""
    year: int | None = None
    kind: str = ""
    covers: int = 1  # agencies this report stands for (a summary: its 汇总单位数)
    parent: str = ""
    filled_on: dt.date | None = None
    summary: bool = False  # a merged report (its kind is the form's summary kind)
    covered: tuple[tuple[str, str], ...] = ()  # a summary's counted agencies: (name, code), from its register
    values: tuple[Number | None, ...] | None = None  # the input cells, in the form's input order (totals are derived)
    carry: tuple[Number | None, ...] = ()  # the cells next year's rules use (spec.previous_ids), as stated
    texts: tuple[str, ...] = ()  # the narrative sections, in the form's order ('' where empty)
    previous: str = ""  # last year's report found for it (--previous): where it came from
    issues: list[Issue] = field(default_factory=list)
    # decided by the merge
    status: str = ""
    included: bool = False
    note: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors

    @property
    def unexplained(self) -> list[Issue]:
        """Its warnings without an explanation (说明)."""
        return [i for i in self.issues if i.severity != ERROR and not i.explained]

    @property
    def is_summary(self) -> bool:
        return self.summary

    @property
    def label(self) -> str:
        """How the terminal names it: 文件（单位）."""
        return f"{self.shown}（{self.agency}）" if self.agency else self.shown

    def add(self, rule: str, message: str) -> None:
        self.issues.append(Issue.new(rule, message))


@dataclass(frozen=True)
class Context:
    """What every worker of a merge judges with: the local rules and last year's reports.
    Handed to each worker process once (a pool initializer), never per file."""

    rules: LocalRules | None = None
    last_year: LastYear | None = None


_CONTEXT = Context()


def set_context(context: Context) -> None:
    """Set the context of this process (the pool's initializer in each worker)."""
    global _CONTEXT
    _CONTEXT = context


def read_submission(job: tuple[str, str, str]) -> Submission:
    """Read and judge one workbook (runs in a worker process) as a report of the form
    `job[2]` (a form ID), with the local rules and last year's report of the process's
    `Context`. Never raises for a bad file: an unreadable one is a Submission with
    readable=False and its reason."""
    from ..check import validate_file

    path, shown, form = job
    context = _CONTEXT
    spec = FORMS[form]
    sub = Submission(path, shown)
    try:
        st = os.stat(path)
        sub.size, sub.mtime = st.st_size, st.st_mtime
        with open(path, "rb") as fh:
            sub.sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        pass  # the reader says why, below
    last_year = context.last_year
    result = validate_file(Path(path), previous=last_year, spec=spec, rules=context.rules)
    raw_name = Path(path).name
    sub.issues = [Issue.of(f) for f in result.findings]
    if readable_name(raw_name) != raw_name:  # the reader's messages name the file as the OS gave it
        for issue in sub.issues:
            text = issue.message.replace(raw_name, readable_name(raw_name))
            issue.message = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    report = result.report
    if report is None:
        return sub
    if report.form != spec.id:  # a report of another registered form: its cells cannot be summed with these
        sub.issues = [Issue.new("FORM-VERSION", f"{shown}：表式为 {report.form}，本次汇总的是 {spec.id} 表式，不能合并")]
        return sub
    sub.readable = True
    meta = report.meta
    sub.agency = normalise_text(meta.get("agency"))
    sub.uscc = normalise_text(meta.get("uscc")).upper()
    year = meta.get("year")
    sub.year = year if isinstance(year, int) and not isinstance(year, bool) else None
    sub.kind = normalise_text(meta.get("kind"))
    sub.summary = sub.kind == spec.summary_kind
    if sub.summary:
        sub.covered = tuple(covered(path))
    covers = meta.get("covers")
    if sub.is_summary and isinstance(covers, int) and not isinstance(covers, bool) and covers >= 1:
        sub.covers = covers
    sub.parent = normalise_text(meta.get("parent"))
    filled = meta.get("filled_on")
    sub.filled_on = filled if isinstance(filled, dt.date) else None
    sub.values = tuple(report.cells.get(cid) for cid in spec.input_ids)
    sub.carry = tuple(report.cells.get(cid) for cid in spec.previous_ids)
    sub.texts = tuple(report.text.get(s.key) or "" for s in spec.sections)
    if last_year is not None:
        found = last_year.match(report)
        sub.previous = (found.source or "") if found is not None else ""
    return sub


def unreadable_submission(job: tuple[str, str, str], reason: str) -> Submission:
    """A file whose reading never finished (its worker died or ran out of time)."""
    path, shown, _ = job
    sub = Submission(path, shown)
    try:
        st = os.stat(path)
        sub.size, sub.mtime = st.st_size, st.st_mtime
    except OSError:
        pass
    sub.issues = [Issue.of(finding("UNREADABLE", file=readable_name(Path(path).name), reason=reason))]
    return sub
