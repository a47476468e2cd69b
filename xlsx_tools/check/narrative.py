"""NARRATIVE: the numbers the narrative states, held against the tables (warnings only).

Reports state a few totals in their text, in a handful of usual phrasings
(共收到政府信息公开申请N件, 办结N件, 结转下年度继续办理N件, 未收取信息处理费 …). Each
phrasing below names the table cells whose sum it states. Only sentences about
applications are searched for the application totals (a sentence without 申请 is
about something else: 答复人大代表建议12件 is not an answered application). A cell is
reported only if no statement of it agrees with the table: a text may mention a
total and later a part of it with the same words.

"主动公开政府信息N条" has no counterpart in the tables (table 二 counts rules and
normative documents issued, repealed and in force, not items published), so it is
not compared; "制发行政规范性文件N件" is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..findings import WARNING, Finding, Number, fmt
from ..form.gk2021 import CELLS, SECTION

_GAP = r"[^。；;，,\d]"  # inside one clause, no digits
_N = r"(?P<n>\d[\d,]*(?:\.\d+)?|零)"


@dataclass(frozen=True)
class Phrase:
    cells: tuple[str, ...]  # the stated number is their sum
    what: str
    pattern: re.Pattern
    unit: str = "件"
    needs: str = ""  # the sentence must contain this word
    zero: bool = False  # the phrase states 0 (未收到…申请)
    hint: str = ""  # a word every match contains (a cheap test before the pattern)
    also: tuple[str, ...] = ()  # also right if it states these cells' sum, when the sentence says `also_if`
    also_if: str = ""


def _p(cells, what, pattern, unit="件", needs="", zero=False, hint="", also=(), also_if="") -> Phrase:
    return Phrase(tuple(cells), what, re.compile(pattern), unit, needs, zero, hint or needs, tuple(also), also_if)


_SUITS = ("t4.suit_direct.total", "t4.suit_after_review.total")
PHRASES: tuple[Phrase, ...] = (
    _p(
        ["t3.new.total"],
        "本年新收申请",
        rf"(?:新收|收到|受理|接收|接到){_GAP}{{0,20}}?申请{_GAP}{{0,8}}?{_N}\s*[件个条宗]",
        needs="申请",
        also=("t3.new.total", "t3.carried_over.total"),  # 共收到申请15件（含上年结转3件）
        also_if="结转",
    ),
    _p(["t3.new.total"], "本年新收申请", rf"未(?:收到|受理|接到|接收){_GAP}{{0,12}}申请", needs="申请", zero=True),
    _p(["t3.carried_over.total"], "上年结转申请", rf"上一?年度?结转{_GAP}{{0,16}}?{_N}\s*[件个条宗]", needs="申请", hint="结转"),
    _p(["t3.total.total"], "本年办结申请", rf"(?:办结|答复|回复|办理完毕){_GAP}{{0,12}}?{_N}\s*[件个条宗]", needs="申请"),
    _p(["t3.carried_forward.total"], "结转下年度的申请", rf"结转(?:至|到)?下一?年度?{_GAP}{{0,12}}?{_N}\s*[件个条宗]", hint="结转"),
    _p(
        ["fee.collected"],
        "实际收取的信息处理费",
        rf"(?:收取|收缴|收到){_GAP}{{0,6}}?信息处理费{_GAP}{{0,6}}?{_N}\s*元",
        unit="元",
        hint="信息处理费",
    ),
    _p(["fee.collected"], "实际收取的信息处理费", rf"未(?:收取|收缴|产生){_GAP}{{0,6}}?信息处理费", unit="元", zero=True, hint="信息处理费"),
    _p(
        ["fee.notices"],
        "发出的收费通知",
        rf"(?:发出|发送|送达|开具){_GAP}{{0,6}}?收费通知书?{_GAP}{{0,4}}?{_N}\s*[件份次]",
        hint="收费通知",
    ),
    _p(["t4.review.total"], "政府信息公开行政复议", rf"行政复议(?:案件|申请)?{_GAP}{{0,6}}?{_N}\s*[件起宗个]", hint="行政复议"),
    _p(["t4.review.total"], "政府信息公开行政复议", rf"未(?:发生|收到|出现|产生|有){_GAP}{{0,14}}?行政复议", zero=True, hint="行政复议"),
    _p(_SUITS, "政府信息公开行政诉讼", rf"行政诉讼(?:案件)?{_GAP}{{0,6}}?{_N}\s*[件起宗个]", hint="行政诉讼"),
    _p(_SUITS, "政府信息公开行政诉讼", rf"未(?:发生|收到|出现|产生|有){_GAP}{{0,20}}?行政诉讼", zero=True, hint="行政诉讼"),
    _p(
        ["t2.normative.issued"],
        "本年制发的行政规范性文件",
        rf"(?:制发|印发|出台|新制定){_GAP}{{0,6}}?(?:行政)?规范性文件{_GAP}{{0,4}}?{_N}\s*[件个份部]",
        hint="规范性文件",
    ),
    _p(["t2.rule.issued"], "本年制发的规章", rf"(?:制发|制定|出台|新制定){_GAP}{{0,4}}?规章{_GAP}{{0,4}}?{_N}\s*[件个部]", hint="规章"),
)

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


def mentions(text: dict[str, str]) -> list[_Mention]:
    """Every statement of a table total found in the narrative, in reading order."""
    out = []
    for key, body in text.items():
        if not body:
            continue
        body = unicodedata.normalize("NFKC", body)
        for sentence in _SENTENCE.findall(body):
            for phrase in PHRASES:
                if (phrase.hint and phrase.hint not in sentence) or (phrase.needs and phrase.needs not in sentence):
                    continue
                for m in phrase.pattern.finditer(sentence):
                    stated = 0.0 if phrase.zero else _number(m.group("n"))
                    out.append(_Mention(phrase, key, m.group(0).strip(), stated, sentence))
    return out


def narrative_findings(text: dict[str, str], values: dict[str, Number | None], where: dict[str, str] | None = None) -> list[Finding]:
    """NARRATIVE warnings: one per table total that the narrative states differently."""
    where = where or {}
    by_cells: dict[tuple[str, ...], list[_Mention]] = {}
    for m in mentions(text):
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
        names = "、".join(CELLS[c].display for c in cells)
        text_at = where.get(f"text.{m.section}")
        at = [where[c] for c in cells if c in where] + ([text_at] if text_at else [])
        out.append(
            Finding(
                "NARRATIVE",
                WARNING,
                f"正文「{SECTION[m.section].label}」中「{m.snippet}」所述{m.phrase.what}为 {fmt(_int(m.stated))} {m.phrase.unit}，"
                f"与{names}的 {fmt(_int(table))} 不一致",
                list(cells) + [f"text.{m.section}"],
                at,
                expected=_int(table),
                actual=_int(m.stated),
            )
        )
    return out


def _int(x: float) -> Number:
    return int(x) if float(x).is_integer() else x
