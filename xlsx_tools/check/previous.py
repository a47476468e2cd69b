"""Last year's reports, kept small and found again by agency.

`LastYear` holds one pruned Report per agency of last year — only what this year's
rules use (`spec.previous_ids`: the cross-year checks' terms and the headline figures,
plus the narrative and the names) — and finds an agency's report by its 统一社会信用代码,
else by its name (spaces and full-/half-width ignored). The merge builds one from last
year's summary workbook or folder and hands it to every worker; `validate --previous`
uses the same matching.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..form import FormSpec, spec_of
from ..report import Report
from ..values import label_key, normalise_text

META_KEPT = ("agency", "uscc", "year", "kind")


def prune(report: Report, spec: FormSpec | None = None) -> Report:
    """The part of last year's report that this year's rules use."""
    spec = spec or spec_of(report)
    cells = {cid: report.cells.get(cid) for cid in spec.previous_ids}
    meta = {k: report.meta[k] for k in META_KEPT if k in report.meta}
    return Report(meta=meta, cells=cells, text=dict(report.text), form=report.form, source=report.source)


def name_key(name: object) -> str:
    """How agency names compare: NFKC, no whitespace or punctuation."""
    return label_key(normalise_text(name))


class LastYear:
    """Last year's reports of many agencies, matched by code, then by name."""

    def __init__(self, reports: Iterable[Report] = (), source: str = ""):
        self.source = source  # what they were read from (for messages)
        self.reports: list[Report] = []
        self._by_code: dict[str, Report | None] = {}
        self._by_name: dict[str, Report | None] = {}
        for r in reports:
            self.add(r)

    def add(self, report: Report) -> None:
        self.reports.append(report)
        for index, key in (
            (self._by_code, normalise_text(report.meta.get("uscc")).upper()),
            (self._by_name, name_key(report.meta.get("agency"))),
        ):
            if key:
                index[key] = None if key in index else report  # two reports under one key: neither is sure

    def __len__(self) -> int:
        return len(self.reports)

    def match(self, report: Report) -> Report | None:
        """Last year's report of the agency of `report`: same 统一社会信用代码, else same name."""
        code = normalise_text(report.meta.get("uscc")).upper()
        if code and self._by_code.get(code) is not None:
            return self._by_code[code]
        name = name_key(report.meta.get("agency"))
        hit = self._by_name.get(name) if name else None
        if hit is not None:
            theirs = normalise_text(hit.meta.get("uscc")).upper()
            if code and theirs and theirs != code:  # same name, another legal person
                return None
        return hit
