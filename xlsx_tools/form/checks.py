"""Linear rules as data: `Check` = sum(lhs) <op> sum(rhs) over canonical IDs.

A form declares its balancing identities, fee checks and cross-year checks as Check
instances (see gk2021/checks.py). The same instances are evaluated in Python
(`Check.evaluate`), compiled to Excel formulas for the template's live checks
(build/formulas.py), and the template's totals are the checks marked `defines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..findings import RULES, Finding, Number, Severity, finding, fmt


@dataclass(frozen=True)
class Term:
    id: str
    sign: int = 1
    previous: bool = False  # value from last year's report


@dataclass(frozen=True)
class Check:
    """One instance of a linear rule: sum(lhs) <op> sum(rhs)."""

    rule: str
    key: str
    scope: str
    lhs: tuple[Term, ...]
    rhs: tuple[Term, ...]
    lhs_label: str
    rhs_label: str
    op: str = "=="  # "==" or "<="
    defines: bool = False  # lhs is a total that the template computes from rhs

    @property
    def code(self) -> str:
        return f"{self.rule}.{self.key}"

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    @cached_property
    def cells(self) -> list[str]:
        return [t.id for t in self.lhs + self.rhs if not t.previous]

    @cached_property
    def cross_year(self) -> bool:
        return any(t.previous for t in self.lhs + self.rhs)

    @cached_property
    def _same_year(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None:
        """(lhs +, lhs −, rhs +, rhs −) IDs, for a check without last year's terms."""
        if self.cross_year:
            return None
        return tuple(tuple(t.id for t in side if t.sign == sign) for side in (self.lhs, self.rhs) for sign in (1, -1))  # type: ignore[return-value]

    def sides(self, values: dict[str, Number | None], previous: dict[str, Number | None] | None = None) -> tuple[Number, Number] | None:
        """Both sides' values, or None where a term has no usable value."""
        plan = self._same_year
        if plan is not None:
            get = values.__getitem__
            lp, lm, rp, rm = plan
            try:
                left = sum(map(get, lp)) - sum(map(get, lm)) if lm else sum(map(get, lp))
                right = sum(map(get, rp)) - sum(map(get, rm)) if rm else sum(map(get, rp))
            except (KeyError, TypeError):  # a term missing or None
                return None
            return clean(left), clean(right)
        last = previous or {}
        out = []
        for side in (self.lhs, self.rhs):
            total: Number = 0
            for t in side:
                v = last.get(t.id) if t.previous else values.get(t.id)
                if v is None:
                    return None
                total += v if t.sign == 1 else t.sign * v
            out.append(clean(total))
        return out[0], out[1]

    def holds(self, left: Number, right: Number) -> bool:
        diff = round(left - right, 6)
        return diff == 0 if self.op == "==" else diff <= 0

    def evaluate(self, values, previous=None, where=None) -> Finding | None:
        both = self.sides(values, previous)
        if both is None or self.holds(*both):
            return None
        left, right = both
        cells = self.cells
        return finding(
            self.rule,
            cells=cells,
            where=[where[c] for c in cells if c in where] if where else [],
            expected=left,
            actual=right,
            scope=self.scope,
            lhs=self.lhs_label,
            rhs=self.rhs_label,
            left=fmt(left),
            right=fmt(right),
            diff=fmt(clean(abs(left - right))),
        )


def clean(x: Number) -> Number:
    """Sums of amounts carry float noise: 0.1+0.2 -> 0.3; whole floats stay floats."""
    return round(x, 6) if isinstance(x, float) else x


def defining_order(checks: tuple[Check, ...]) -> dict[str, Check]:
    """Total ID -> the check whose right side computes it, every total after the totals it sums."""
    first: dict[str, Check] = {}
    for check in checks:
        if check.defines:
            first.setdefault(check.lhs[0].id, check)
    ordered: dict[str, Check] = {}

    def visit(total_id: str) -> None:
        if total_id in ordered:
            return
        for t in first[total_id].rhs:
            if t.id in first:
                visit(t.id)
        ordered[total_id] = first[total_id]

    for total_id in first:
        visit(total_id)
    return ordered
