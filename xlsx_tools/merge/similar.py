"""Texts copied between agencies (雷同): TEXT-SIMILAR, a warning on each of two
agencies whose narrative section is near-identical (rapidfuzz ratio of the normalised
texts ≥ `similar_percent`, 90 by default; names and figures do not count, see
check/similar.py), naming the other agencies.

Comparing every pair would cost n² (a million pairs of 700-character texts take about
10 s for 1,000 agencies), so pairs are found first: texts that are the same once
normalised are grouped at once; each other text looks up the texts that share its
RAREST clauses (fingerprinted by hash) — a near-identical text shares nearly all of
them — and a pair sharing at least half of the clauses is measured. A clause found in
more than `COMMON` reports is boilerplate (「严格落实《条例》…」) and looks up nothing:
a text made only of such clauses is found only by an exact copy.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from ..check.local import OFF, LocalRules
from ..check.similar import clauses, normalise, similarity
from ..findings import RULES
from ..form import FormSpec
from .submission import Issue, Submission

RULE = "TEXT-SIMILAR"

RAREST = 3  # clauses of a text that look for texts sharing them
COMMON = 64  # a clause in more reports than this is boilerplate and looks up nothing
NAMED = 3  # other agencies named in one finding


def _pairs(texts: dict[int, str], raw: dict[int, str], names: dict[int, str], percent: int) -> dict[int, dict[int, int]]:
    """i -> {j: similarity} for every pair of near-identical texts (i, j: submission indices)."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, text in texts.items():
        groups[text].append(i)
    reps = {}
    for members in groups.values():
        for a, b in combinations(members, 2):
            found[a][b] = found[b][a] = 100
        reps[members[0]] = members
    prints = {i: clauses(raw[i], [names[i]]) for i in reps}
    index: dict[int, list[int]] = defaultdict(list)
    for i, fp in prints.items():
        for h in fp:
            index[h].append(i)
    checked: set[tuple[int, int]] = set()
    for a, fp in prints.items():
        # a near-identical text shares nearly every clause, so also a's rarest ones
        for h in sorted(fp, key=lambda h: len(index[h]))[:RAREST]:
            if len(index[h]) > COMMON:
                break
            for b in index[h]:
                pair = (a, b) if a < b else (b, a)
                if b == a or pair in checked:
                    continue
                checked.add(pair)
                if len(fp & prints[b]) * 2 < min(len(fp), len(prints[b])):
                    continue
                score = similarity(texts[a], texts[b], cutoff=percent)
                if score < percent:
                    continue
                for x in reps[a]:
                    for y in reps[b]:
                        found[x][y] = found[y][x] = score
    return found


def mark_similar(subs: list[Submission], spec: FormSpec, rules: LocalRules) -> None:
    """Add TEXT-SIMILAR to each submission with a section near-identical to another's
    (an error instead, or nothing, where the local rules say so)."""
    severity = rules.severity.get(RULE, RULES[RULE].severity)
    if severity == OFF:
        return
    for k, section in enumerate(spec.sections):
        raw, texts, names = {}, {}, {}
        for i, s in enumerate(subs):
            text = s.texts[k] if k < len(s.texts) else ""
            if not text:
                continue
            norm = normalise(text, [s.agency])
            if len(norm) >= rules.reuse_min_chars:
                raw[i], texts[i], names[i] = text, norm, s.agency
        if len(texts) < 2:
            continue
        for i, others in sorted(_pairs(texts, raw, names, rules.similar_percent).items()):
            ranked = sorted(others.items(), key=lambda item: (-item[1], subs[item[0]].shown))
            shown = "、".join(f"{subs[j].agency or subs[j].shown}（{score}%）" for j, score in ranked[:NAMED])
            more = f" 等 {len(ranked)} 个单位" if len(ranked) > NAMED else ""
            message = (
                f"雷同：{spec.narrative}「{section.label}」与 {shown}{more}的几乎相同（不计数字和单位名称），请结合本单位的实际情况撰写"
            )
            subs[i].issues.append(Issue(RULE, severity, message))
