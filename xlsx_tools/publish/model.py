"""The publishable report as a document, from a Report and its form: what every writer
(.docx, .html, and .pdf through the .docx) prints, in order.

- the title 「{单位名称}{年度}年{spec.title}」 (a summary: a line under it saying so);
- the six parts in the order of `spec.outline`, each under its heading: a text section
  as the report's text, line by line; a table as the national format prints it
  (tables.py);
- what the publisher adds, and tells staff it added (`Document.notes`): the fee sentence
  where section 六 does not state every fee figure (worded as the readers read it back),
  a summary's 汇总单位数 where section 一 does not state it;
- the signature: the agency and the publication date (the cover's 发布日期, else today);
- the fingerprint (check/fingerprint.py): form, tool version, a hash of the numbers.

A text line is printed as the readers give it back: its trailing blanks and the blank
lines around a section dropped, line breaks of any system as one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..check.fingerprint import Stamp, make_stamp, number_text, printed_values
from ..findings import Number, ToolError
from ..form import FormSpec, spec_of
from ..report import Report
from .tables import Table, statutory_table

TITLE, SUBTITLE, HEADING, BODY, SIGNATURE = "title", "subtitle", "heading", "body", "signature"
TITLE_LINE = 20  # characters of the title's size on one line of the page: a longer title breaks after the agency


@dataclass
class Paragraph:
    role: str
    text: str
    key: str = ""  # the outline part a heading opens


@dataclass
class Document:
    spec: FormSpec
    report: Report
    title: str
    title_lines: tuple[str, ...]
    subtitle: str
    blocks: list[Paragraph | Table]
    texts: dict[str, str]  # each text section as the document states it
    signed_on: dt.date
    stamp: Stamp
    values: dict[str, Number | None] = field(repr=False, default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for staff: what was added to the text, what is missing

    @property
    def agency(self) -> str:
        return str(self.report.meta.get("agency") or "")

    @property
    def year(self) -> object:
        return self.report.meta.get("year")


class PublishError(ToolError):
    """A report that cannot be published, or a document that cannot be written (Chinese message)."""


def text_lines(text: str | None) -> list[str]:
    """A section's lines as a document states them (and its readers give them back)."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def _fee_lines(spec: FormSpec, texts: dict[str, list[str]], values: dict[str, Number | None], added: list[str]) -> None:
    """The fee sentence, where the fee section does not state every fee figure."""
    from ..read.doctext import stated_fees

    words = spec.document
    assert words is not None
    ids = [cid for cid, cell in spec.cells.items() if spec.table[cell.table].in_text]
    if not ids or any(values.get(cid) is None for cid in ids):
        return
    stated = stated_fees(spec, {k: "\n".join(v) for k, v in texts.items()})
    if all(cid in stated for cid in ids):
        return
    sentence = words.fee_sentence({cid: number_text(values[cid]) for cid in ids})
    lines = texts.setdefault(words.fee_section, [])
    lines.append(sentence)
    added.append(f"「{spec.section[words.fee_section].label}」末尾补充了信息处理费的说明：{sentence}")


def _covers_lines(spec: FormSpec, report: Report, texts: dict[str, list[str]], added: list[str]) -> None:
    """A summary's 汇总单位数 in its section, where the text does not state it."""
    words = spec.document
    covers = report.meta.get("covers")
    if words is None or report.meta.get("kind") != spec.summary_kind or not isinstance(covers, int):
        return
    lines = texts.setdefault(words.covers_section, [])
    if re.search(words.covers_said.format(covers=covers), "\n".join(lines)):
        return
    sentence = words.covers_sentence.format(covers=covers)
    lines.insert(0, sentence)
    added.append(f"「{spec.section[words.covers_section].label}」开头补充了汇总单位数：{sentence}")


def _heading_like(spec: FormSpec, texts: dict[str, list[str]]) -> list[str]:
    """Text lines that read as another part's heading: a reader of the document (and a
    person) would take the part to start there."""
    from ..read.doctext import heading_key

    headings = dict(spec.outline_labels)
    out = []
    for key, lines in texts.items():
        for number, line in enumerate(lines, start=1):
            hit = heading_key(line, spec)
            if hit is not None and hit[0] != key:
                out.append(
                    f"{spec.narrative}「{headings[key]}」第 {number} 行「{line.strip()[:30]}」读起来是「{headings[hit[0]]}」的标题，"
                    "读取文档时会从这里算作那一部分；请改写这一行（如换个说法或去掉编号）"
                )
    return out


def build_document(report: Report, spec: FormSpec | None = None, today: dt.date | None = None) -> Document:
    """The report as its published document (see the module)."""
    spec = spec or spec_of(report)
    if spec.document is None or not spec.outline:
        raise PublishError(f"{spec.id} 表式没有规定年度报告文档的格式，无法生成文档")
    words = spec.document
    meta = report.meta
    agency, year = str(meta.get("agency") or "").strip(), meta.get("year")
    missing = [spec.meta[k].label for k, ok in (("agency", bool(agency)), ("year", isinstance(year, int))) if not ok and k in spec.meta]
    if missing:
        raise PublishError(f"报告没有可用的{'、'.join(missing)}，无法写出报告标题「{{单位名称}}{{年度}}年{spec.title}」")
    values = printed_values(spec, report)
    added: list[str] = []
    texts = {s.key: text_lines(report.text.get(s.key)) for s in spec.sections}
    _fee_lines(spec, texts, values, added)
    _covers_lines(spec, report, texts, added)
    for section in spec.sections:
        if not texts.get(section.key):
            added.append(f"{spec.narrative}「{section.label}」没有内容，文档中这一部分只有标题")
    added += _heading_like(spec, texts)

    title = f"{agency}{year}年{spec.title}"
    title_lines = (title,) if len(title) <= TITLE_LINE else (agency, f"{year}年{spec.title}")
    subtitle = ""
    if meta.get("kind") == spec.summary_kind and isinstance(meta.get("covers"), int):
        label = spec.meta["covers"].label if "covers" in spec.meta else ""
        subtitle = words.subtitle.format(kind=spec.summary_kind, label=label, covers=meta["covers"])
    signed_on = meta.get("published_on") if isinstance(meta.get("published_on"), dt.date) else (today or dt.date.today())
    if not isinstance(meta.get("published_on"), dt.date):
        label = spec.meta["published_on"].label if "published_on" in spec.meta else ""
        added.append(f"{spec.cover}没有「{label}」，落款日期用 {signed_on.isoformat()}")

    blocks: list[Paragraph | Table] = []
    headings = dict(spec.outline_labels)
    for key in spec.outline:
        blocks.append(Paragraph(HEADING, headings[key], key))
        if key in spec.section:
            blocks += [Paragraph(BODY, line) for line in texts.get(key, [])]
        else:
            blocks.append(statutory_table(spec, key, values))
    blocks.append(Paragraph(BODY, ""))
    blocks.append(Paragraph(SIGNATURE, agency))
    blocks.append(Paragraph(SIGNATURE, words.date.format(year=signed_on.year, month=signed_on.month, day=signed_on.day)))
    return Document(
        spec,
        report,
        title,
        title_lines,
        subtitle,
        blocks,
        {k: "\n".join(v) for k, v in texts.items()},
        signed_on,
        make_stamp(spec, report),
        values,
        added,
    )


__all__ = ["BODY", "HEADING", "SIGNATURE", "SUBTITLE", "TITLE", "Document", "Paragraph", "PublishError", "build_document", "text_lines"]
