"""The fingerprint of a published report: which form, which tool, and a hash of its numbers.

`xlsx-tools publish` writes it into the document it generates (a .docx's core properties,
an HTML page's <meta>); the document readers hand it back as `Report.stamp`. Validating a
published document then says whether its numbers are still those that were validated
when it was generated (FINGERPRINT, a warning when they are not), or that they are.

The hash is SHA-256 over every cell of the form in printed order, each as the document
prints it (`number_text`: 12, 3.5, 26.28; totals as stated, or computed where a JSON
report leaves them out), so the numbers read back from a document hash exactly as the
numbers it was generated from.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..findings import Finding, Number, finding, fmt
from ..form import FormSpec
from ..report import Report

TOOL = "xlsx-tools"
META_NAME = "xlsx-tools-fingerprint"  # the HTML <meta name=…> that holds it
# as written: "GK-2021; xlsx-tools 0.1.0; cells-sha256=<hex>"; as a keywords field may give it back
# (LibreOffice splits keywords at ';' and spaces, and joins them with ', ' in a PDF, ' ' in a .docx)
_SEP = r"[;,\s]+"
_STAMP = re.compile(
    rf"(?P<form>[A-Za-z0-9_.-]+){_SEP}{TOOL}{_SEP}(?P<version>[0-9A-Za-z.+-]+){_SEP}cells-sha256=(?P<digest>[0-9a-f]{{64}})\b"
)


@dataclass(frozen=True)
class Stamp:
    form: str
    tool: str  # "xlsx-tools 0.1.0"
    digest: str

    @property
    def text(self) -> str:
        return f"{self.form}; {self.tool}; cells-sha256={self.digest}"


def number_text(value: Number | None) -> str:
    """A number as the published document prints it ('' for a number that cannot be used)."""
    return "" if value is None else fmt(value)


def printed_values(spec: FormSpec, report: Report) -> dict[str, Number | None]:
    """Every cell of the form as a document of `report` states it: inputs as given, each
    total as stated, or computed from its parts where the report leaves it out."""
    cells = report.cells
    inputs = {cid: cells.get(cid) for cid in spec.input_ids}
    given = {cid: cells[cid] for cid in spec.total_ids if cells.get(cid) is not None}
    values = spec.compute_totals(inputs, given)  # type: ignore[arg-type]
    return {cid: values.get(cid) for cid in spec.cells}


def digest(spec: FormSpec, report: Report) -> str:
    values = printed_values(spec, report)
    text = "\n".join(f"{cid}={number_text(v)}" for cid, v in values.items())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_stamp(spec: FormSpec, report: Report) -> Stamp:
    from .. import __version__

    return Stamp(spec.id, f"{TOOL} {__version__}", digest(spec, report))


def parse_stamp(text: object) -> Stamp | None:
    """The stamp a document records, or None (none, or not one of ours)."""
    if not isinstance(text, str):
        return None
    m = _STAMP.search(text)  # a property may hold more (tags someone added to the keywords)
    return Stamp(m.group("form"), f"{TOOL} {m.group('version')}", m.group("digest")) if m else None


def same_numbers(spec: FormSpec, report: Report) -> bool | None:
    """Whether a published document's numbers are those it was generated from (None:
    it records no fingerprint, or one of another form)."""
    stamp = parse_stamp(report.stamp)
    if stamp is None or stamp.form != spec.id:
        return None
    return stamp.digest == digest(spec, report)


def fingerprint_findings(spec: FormSpec, report: Report) -> list[Finding]:
    """FINGERPRINT: the document's numbers differ from those it was generated from."""
    if same_numbers(spec, report) is not False:
        return []
    stamp = parse_stamp(report.stamp)
    assert stamp is not None
    return [
        finding(
            "FINGERPRINT",
            f"本文档由 {stamp.tool} 从校验过的报告生成（{stamp.form}），但文档中的数字与生成时不同：生成后有数字被改动过；"
            "请核对改动，改在报告工作簿中并重新校验、重新生成文档",
        )
    ]


def fingerprint_note(spec: FormSpec, report: Report) -> str | None:
    """A line saying whether the numbers are still those validated (None: no fingerprint)."""
    same = same_numbers(spec, report)
    if same is None:
        return None
    stamp = parse_stamp(report.stamp)
    assert stamp is not None
    if same:
        return f"文档指纹：数字与生成时校验过的报告相同（{stamp.form}，{stamp.tool} 生成）"
    return f"文档指纹：数字与生成时校验过的报告不同（{stamp.form}，{stamp.tool} 生成），见 FINGERPRINT"


__all__ = [
    "META_NAME",
    "Stamp",
    "digest",
    "fingerprint_findings",
    "fingerprint_note",
    "make_stamp",
    "number_text",
    "parse_stamp",
    "printed_values",
    "same_numbers",
]
