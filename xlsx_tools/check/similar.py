"""How alike two narrative texts are: XY-TEXT-REUSE (this year against last year) and
TEXT-SIMILAR (one agency against another, in a merge).

Texts are normalised first, so that what is compared is the writing, not the figures
or the name: Unicode NFKC (full-width → half-width), the agency's own name removed,
every number replaced by one placeholder (a text copied from last year with this
year's figures filled in is still a copy), whitespace and punctuation dropped.

The measure is rapidfuzz's `fuzz.ratio`: the normalised Indel similarity, 100 × 2·LCS /
(len a + len b), where LCS is the longest common subsequence of characters — a
standard measure (difflib's `SequenceMatcher.ratio` is its close cousin). Chosen for
speed, measured on real-length report sections (566 and 1,698 characters): rapidfuzz
5 µs and 70 µs a pair, difflib 1.2–2.3 ms and 5–13 ms; a merge of 1,000 agencies
compares 3,000 section pairs with last year, which difflib would turn into 15 s and
rapidfuzz into 0.2 s. Calibration on real texts (the overview of the published report in
shared/reference and two more agencies'): unrelated overviews on the same subject score
17–22; keeping 30 / 50 / 60 / 80 % of the reference's sentences and replacing the rest
with another agency's scores a median of 50 / 67 / 68 / 86 (20 random draws each). So the
default 50 flags a text that keeps about a third or more of last year's sentences.

Short texts are not compared (`min_chars`): two sentences such as 「本年度未收取信息
处理费」 are alike in every report without anything being copied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NOT_WORD = re.compile(r"[\W_]+")
_CLAUSE = re.compile(r"[。；;！!？?\n，,：:]+")


def normalise(text: str, names: Iterable[str] = ()) -> str:
    """The text as compared: NFKC, names removed, numbers as '0', no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "")
    for name in names:
        name = unicodedata.normalize("NFKC", name or "").strip()
        if len(name) >= 2:
            text = text.replace(name, "")
    return _NOT_WORD.sub("", _NUMBER.sub("0", text))


def similarity(a: str, b: str, cutoff: float = 0) -> int:
    """0–100: how much of two normalised texts is the same (rapidfuzz fuzz.ratio);
    below `cutoff` the answer is 0 (rapidfuzz stops early)."""
    from rapidfuzz import fuzz

    return round(fuzz.ratio(a, b, score_cutoff=cutoff))


def clauses(text: str, names: Iterable[str] = (), shortest: int = 8) -> set[int]:
    """Hashes of the text's normalised clauses of at least `shortest` characters: the
    fingerprint that finds candidate pairs of near-identical texts among many."""
    names = tuple(names)
    text = unicodedata.normalize("NFKC", text or "")
    out = set()
    for part in _CLAUSE.split(text):
        clause = normalise(part, names)
        if len(clause) >= shortest:
            out.add(hash(clause))
    return out
