"""NARRATIVE: the numbers the narrative states, held against the tables (warnings only).

Reports state a few totals in their text, in a handful of usual phrasings
(共收到政府信息公开申请N件, 办结N件, 结转下年度继续办理N件, 未收取信息处理费 …). Each
phrasing of the form (`spec.phrases`) names the table cells whose sum it states. Only sentences about
applications are searched for the application totals (a sentence without 申请 is
about something else: 答复人大代表建议12件 is not an answered application). A cell is
reported only if no statement of it agrees with the table: a text may mention a
total and later a part of it with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..findings import Finding, Number, finding, fmt
from ..form import FormSpec, Phrase

_SENTENCE = re.compile(r"[^。；;！!？?\n]+")


def _number(text: str) -> float:
    if text == "零":
        return 0
    return float(text.replace(",", ""))


@dataclass
class _Mention:
    phrase: Phrase
    section: str
    snippet: str
    stated: float
    sentence: str

    def agrees(self, values: dict[str, Number | None], table: float) -> bool:
        if round(self.stated, 2) == table:
            return True
        p = self.phrase
        if p.also and p.also_if in self.sentence:
            parts = [values.get(c) for c in p.also]
            return None not in parts and round(sum(parts), 2) == round(self.stated, 2)  # type: ignore[arg-type]
        return False


def mentions(spec: FormSpec, text: dict[str, str]) -> list[_Mention]:
    """Every statement of a table total found in the narrative, in reading order."""
    out = []
    for key, body in text.items():
        if not body:
            continue
        body = unicodedata.normalize("NFKC", body)
        for sentence in _SENTENCE.findall(body):
            for phrase in spec.phrases:
                if (phrase.hint and phrase.hint not in sentence) or (phrase.needs and phrase.needs not in sentence):
                    continue
                for m in phrase.pattern.finditer(sentence):
                    stated = 0.0 if phrase.zero else _number(m.group("n"))
                    out.append(_Mention(phrase, key, m.group(0).strip(), stated, sentence))
    return out


def narrative_findings(
    spec: FormSpec, text: dict[str, str], values: dict[str, Number | None], where: dict[str, str] | None = None
) -> list[Finding]:
    """NARRATIVE warnings: one per table total that the narrative states differently."""
    where = where or {}
    by_cells: dict[tuple[str, ...], list[_Mention]] = {}
    for m in mentions(spec, text):
        by_cells.setdefault(m.phrase.cells, []).append(m)
    out = []
    for cells, found in by_cells.items():
        parts = [values.get(c) for c in cells]
        if any(v is None for v in parts):
            continue
        table = round(sum(parts), 2)  # type: ignore[arg-type]
        if any(m.agrees(values, table) for m in found):
            continue
        m = found[0]
        names = "、".join(spec.cells[c].display for c in cells)
        text_at = where.get(f"text.{m.section}")
        at = [where[c] for c in cells if c in where] + ([text_at] if text_at else [])
        out.append(
            finding(
                "NARRATIVE",
                f"{spec.narrative}「{spec.section[m.section].label}」中「{m.snippet}」所述{m.phrase.what}为 {fmt(_int(m.stated))} {m.phrase.unit}，"
                f"与{names}的 {fmt(_int(table))} 不一致",
                cells=[*cells, f"text.{m.section}"],
                where=at,
                expected=_int(table),
                actual=_int(m.stated),
            )
        )
    return out


def _int(x: float) -> Number:
    return int(x) if float(x).is_integer() else x
