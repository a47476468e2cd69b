"""Judge a Report: every rule of FORMAT-2021, in one call.

The same function serves `xlsx-tools validate`, the 校验 button (xlwings), the
server and the merge tool.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .findings import ERROR, Finding, ReadError, count
from .report import Report
from .rules import deadline_finding, linear_findings, meta_findings, narrative_findings, type_findings


def check_report(report: Report, previous: Report | None = None, today: dt.date | None = None) -> list[Finding]:
    """All findings for `report` (what the reader noticed first, then the rules).

    `previous` is last year's report, for the cross-year rules XY-CARRY and XY-INFORCE."""
    where = report.where
    values = report.cells
    findings = list(report.findings)
    findings += type_findings(values, where)
    findings += linear_findings(values, previous.cells if previous else None, where)
    findings += meta_findings(report.meta, where, today)
    findings += narrative_findings(report.text, values, where)
    late = deadline_finding(report.meta, where)
    if late:
        findings.append(late)
    return findings


@dataclass
class Result:
    """The validation of one file, as FORMAT-2021's JSON describes it."""

    file: str
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True

    @property
    def errors(self) -> int:
        return count(self.findings)[0]

    @property
    def warnings(self) -> int:
        return count(self.findings)[1]

    @property
    def ok(self) -> bool:
        return self.readable and self.errors == 0

    @property
    def agency(self) -> str:
        return (self.report.meta.get("agency") or "") if self.report else ""

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "agency": self.agency,
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_json() for f in self.findings],
        }


def validate_file(path: str | Path, previous: Report | None = None, today: dt.date | None = None) -> Result:
    """Read and judge one workbook file; an unreadable file is a Result with one error."""
    from .reader import read_report

    try:
        report = read_report(path)
    except ReadError as exc:
        return Result(str(path), None, [exc.finding], readable=False)
    return Result(str(path), report, check_report(report, previous, today))


__all__ = ["check_report", "validate_file", "Result", "ERROR"]
