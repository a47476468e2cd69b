"""The one shape every problem takes, from a bad file to a failed identity."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR, WARNING = "error", "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "提示"}

Number = int | float


@dataclass
class Finding:
    """One problem: which rule, how bad, where, the two sides, and a Chinese message.

    `cells` are canonical IDs (or 'meta.<key>' / 'text.<key>'), `where` the workbook
    addresses they were read from (表三!D5), `expected`/`actual` numbers or None.
    """

    rule: str
    severity: str
    message: str
    cells: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    expected: Number | None = None
    actual: Number | None = None

    def to_json(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in ("rule", "severity", "cells", "where", "expected", "actual", "message")}

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def flatten(findings: list[Finding], keys: list[str]) -> list[list]:
    """[[rule, cell], …] for short exact test assertions (one row per cell when 'cell' is asked)."""
    rows = []
    for f in findings:
        if "cell" in keys:
            for c in f.cells or [None]:
                rows.append([c if k == "cell" else getattr(f, k) for k in keys])
        else:
            rows.append([getattr(f, k) for k in keys])
    return rows


class Counted:
    """`errors` and `warnings` of anything that holds `findings`."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return count(self.findings)[0]

    @property
    def warnings(self) -> int:
        return count(self.findings)[1]


def count(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, len(findings) - errors


def fmt(value: Number | None) -> str:
    """A number as a person writes it: 12, 3.5, 0.25 (no 12.0, no float noise)."""
    if value is None:
        return "空"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


class ReadError(Exception):
    """A file that cannot be read as a report at all; carries its finding."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding
