"""Explanations (说明) of warnings: which finding a note staff wrote explains.

A note names a rule and, optionally, where: one or more workbook addresses as the 校验
button lists them ('sheet!D5', 'sheet!D5:D7、sheet!F9'), canonical IDs, or nothing
(every finding of that rule). It explains a finding of that rule whose cells it
touches. Only warnings can be explained: an error stays an error, whatever is written
about it (the statutory identities are corrected, not explained).
"""

from __future__ import annotations

import dataclasses
import re

from ..findings import ERROR, Finding
from ..form.layout import parse_a1
from ..report import Note
from ..values import normalise_text

_SEPARATORS = re.compile(r"[、，,；;\s]+")


def _cells(where: str) -> set[str]:
    """Every single cell an address text names ('sheet!D5:D7' -> sheet!D5, sheet!D6, sheet!D7);
    a token that is no address (a canonical ID) stands for itself."""
    out: set[str] = set()
    sheet = ""
    for token in _SEPARATORS.split(normalise_text(where)):
        if not token:
            continue
        if "!" in token:
            sheet, _, token = token.rpartition("!")
            sheet = sheet.strip("'")
        first, _, last = token.replace("$", "").partition(":")
        try:
            r1, c1 = parse_a1(first)
            r2, c2 = parse_a1(last) if last else (r1, c1)
        except ValueError:
            out.add(token)
            continue
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:  # a whole column typed by hand: not a cell list
            out.add(token)
            continue
        for r in range(min(r1, r2), max(r1, r2) + 1):
            for c in range(min(c1, c2), max(c1, c2) + 1):
                out.add(f"{sheet}!{r}:{c}" if sheet else f"{r}:{c}")
    return out


def _finding_cells(f: Finding) -> set[str]:
    out = set(f.cells)
    for w in f.where:
        found = _cells(w)
        out |= found
        out |= {c.split("!", 1)[1] for c in found if "!" in c}  # an address typed without its sheet
    return out


def explains(note: Note, f: Finding, written: bool = True) -> bool:
    """Whether `note` is about `f` (same rule; its where names one of f's cells, or is
    empty) and, unless `written` is False, says something."""
    if note.rule.strip().upper() != f.rule or (written and not note.text.strip()):
        return False
    named = _cells(note.where)
    return not named or bool(named & _finding_cells(f))


def apply_notes(findings: list[Finding], notes: list[Note]) -> list[Finding]:
    """The findings with each warning's explanation set (the first note about it);
    errors are never explained."""
    usable = [n for n in notes if n.text.strip()]
    if not usable:
        return findings
    out = []
    for f in findings:
        if f.severity != ERROR:
            note = next((n for n in usable if explains(n, f)), None)
            if note is not None:
                f = dataclasses.replace(f, explanation=note.text.strip())
        out.append(f)
    return out
