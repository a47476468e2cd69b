"""Judge a Report: every rule of FORMAT-2021, in one call.

The same function serves `xlsx-tools validate`, the 校验 button (xlwings), the
server and the merge tool.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ERROR, Counted, Finding, ReadError
from ..form import FormSpec, spec_of
from ..read.workbook import readable as shown_path
from ..report import Report
from .explain import apply_notes
from .fingerprint import fingerprint_findings, fingerprint_note
from .local import NATIONAL, LocalRules
from .narrative import narrative_findings
from .previous import LastYear
from .rules import deadline_finding, linear_findings, meta_findings, type_findings
from .screening import jump_findings, length_findings, reuse_findings


def check_report(
    report: Report,
    previous: Report | None = None,
    today: dt.date | None = None,
    spec: FormSpec | None = None,
    rules: LocalRules | None = None,
) -> list[Finding]:
    """All findings for `report`: what the reader noticed first, then the rules of its form,
    judged by the local `rules` (severities, deadline, limits; national when None), and
    each warning with the explanation staff wrote for it (report.notes).

    `previous` is last year's report, for the cross-year rules (XY-CARRY, XY-INFORCE,
    XY-JUMP, XY-TEXT-REUSE). A rule the reader already reported for a cell (META-USCC
    for a code saved as a number) is not reported twice."""
    rules = rules or NATIONAL
    spec = spec or spec_of(report)
    where = report.where
    values = report.cells
    findings = list(report.findings)
    recomputed = [c for f in findings if f.rule == "TOTAL-RECOMPUTED" for c in f.cells]
    findings += type_findings(spec, values, where, recomputed)
    findings += linear_findings(spec, values, previous.cells if previous else None, where)
    seen = {(f.rule, c) for f in findings for c in f.cells}
    findings += [f for f in meta_findings(spec, report.meta, where, today) if (f.rule, f.cells[0]) not in seen]
    if previous is not None:
        findings += jump_findings(spec, report, previous, rules)
        findings += reuse_findings(spec, report, previous, rules)
    if report.text:
        findings += narrative_findings(spec, report.text, values, where)
    if rules.text_length:
        findings += length_findings(spec, report, rules)
    late = deadline_finding(spec, report.meta, where, rules)
    if late:
        findings.append(late)
    if report.stamp:  # a published document: are its numbers those it was generated from?
        findings += fingerprint_findings(spec, report)
    findings = rules.judge(findings)
    if any(f.severity != ERROR for f in findings):  # the notes are read only when there is a warning to explain
        findings = apply_notes(findings, report.notes)
    return findings


@dataclass
class Result(Counted):
    """The validation of one file, as FORMAT-2021's JSON describes it.

    `file` is the path as a person can read it (a file name that is not valid UTF-8 is
    decoded as GB 18030 or with '�'); `path` is the path as given."""

    file: str
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True
    path: str | bytes | Path | None = None

    @property
    def ok(self) -> bool:
        return self.readable and self.errors == 0

    @property
    def agency(self) -> str:
        return (self.report.meta.get("agency") or "") if self.report else ""

    @property
    def explained(self) -> int:
        """Warnings staff explained (说明)."""
        return sum(1 for f in self.findings if f.explained)

    @property
    def fingerprint(self) -> str | None:
        """For a document `xlsx-tools publish` generated: a line saying whether its numbers
        are still those validated when it was generated (None for anything else)."""
        if self.report is None or not self.report.stamp:
            return None
        return fingerprint_note(spec_of(self.report), self.report)

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "agency": self.agency,
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "explained": self.explained,
            "findings": [f.to_json() for f in self.findings],
            "fingerprint": self.fingerprint,
        }


def validate_file(
    path: str | bytes | Path,
    previous: Report | LastYear | None = None,
    today: dt.date | None = None,
    spec: FormSpec | None = None,
    rules: LocalRules | None = None,
) -> Result:
    """Read and judge one file (a workbook made from a template in the form it records,
    any other as `spec`); an unreadable file is a Result with one error. `previous` is
    last year's report, or last year's reports (LastYear) to find this agency's in."""
    from ..read import read_report

    shown = shown_path(path)
    try:
        report = read_report(path, spec)
    except ReadError as exc:
        return Result(shown, None, [exc.finding], readable=False, path=path)
    last = previous.match(report) if isinstance(previous, LastYear) else previous
    return Result(shown, report, check_report(report, last, today, rules=rules), path=path)


def validate_bytes(
    data: bytes, name: str, previous: Report | None = None, today: dt.date | None = None, spec: FormSpec | None = None
) -> Result:
    """Read and judge a file received as bytes (an upload to a web page): like
    `validate_file`, the file named `name` in messages."""
    from ..read import read_bytes

    try:
        report = read_bytes(data, name, spec)
    except ReadError as exc:
        return Result(name, None, [exc.finding], readable=False, path=name)
    return Result(name, report, check_report(report, previous, today), path=name)


def match_previous(report: Report, previous: list[Report]) -> Report | None:
    """Last year's report of the same agency: by 统一社会信用代码, else by name; with a
    single previous report given, that one — unless one is a summary and the other is not
    (a county's total is no agency's last year)."""
    if len(previous) == 1:
        summary = spec_of(report).summary_kind
        if (previous[0].meta.get("kind") == summary) != (report.meta.get("kind") == summary):
            return None
        return previous[0]
    for key in ("uscc", "agency"):
        mine = report.meta.get(key)
        if mine:
            hits = [p for p in previous if p.meta.get(key) == mine]
            if len(hits) == 1:
                return hits[0]
    return None


def validate_files(
    paths: list,
    previous: list[Report] | None = None,
    today: dt.date | None = None,
    spec: FormSpec | None = None,
    rules: LocalRules | None = None,
) -> list[Result]:
    """Validate many files; each is matched to its own last-year report (match_previous)."""
    from ..read import read_report

    results = []
    for path in paths:
        shown = shown_path(path)
        try:
            report = read_report(path, spec)
        except ReadError as exc:
            results.append(Result(shown, None, [exc.finding], readable=False, path=path))
            continue
        last = match_previous(report, previous) if previous else None
        results.append(Result(shown, report, check_report(report, last, today, rules=rules), path=path))
    return results


__all__ = ["check_report", "validate_file", "validate_bytes", "validate_files", "match_previous", "Result"]
