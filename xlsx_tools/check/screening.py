"""Screening rules that are not identities: a headline figure that jumped from last
year's (XY-JUMP), a narrative section copied from last year's report (XY-TEXT-REUSE),
and a section longer than a local limit (TEXT-LENGTH). Their thresholds are settings
of the `LocalRules` given (the national defaults when none is)."""

from __future__ import annotations

import unicodedata

from ..findings import Finding, Number, finding, fmt
from ..form import FormSpec
from ..report import Report
from .local import NATIONAL, LocalRules
from .similar import normalise, similarity


def _value(cells: dict[str, Number | None], ids: tuple[str, ...]) -> Number | None:
    parts = [cells.get(c) for c in ids]
    if any(v is None for v in parts):
        return None
    total = sum(parts)  # type: ignore[arg-type]
    return round(total, 6) if isinstance(total, float) else total


def _times(big: Number, small: Number) -> str:
    return f"{big / small:.1f}".removesuffix(".0") + " 倍"


def jump_findings(spec: FormSpec, report: Report, previous: Report, rules: LocalRules = NATIONAL) -> list[Finding]:
    """XY-JUMP: each headline figure that grew or shrank by `rules.jump_factor` or more
    from last year's, with at least `rules.jump_min` on the larger side."""
    out = []
    for h in spec.headlines:
        now, last = _value(report.cells, h.cells), _value(previous.cells, h.cells)
        if now is None or last is None:
            continue
        big, small = max(now, last), min(now, last)
        if big < rules.jump_min or (small > 0 and big < small * rules.jump_factor):
            continue
        if not last:
            how = "上年为 0"
        elif not now:
            how = "本年为 0"
        elif now > last:
            how = f"本年为上年的 {_times(now, last)}"
        else:
            how = f"上年为本年的 {_times(last, now)}"
        at = [report.where[c] for c in h.cells if c in report.where]
        out.append(
            finding(
                "XY-JUMP",
                f"{h.name}：本年 {fmt(now)} {h.unit}，上年 {fmt(last)} {h.unit}（{how}；"
                f"相差 {fmt(rules.jump_factor)} 倍及以上即提示），请核实是否填错",
                cells=list(h.cells),
                where=at,
                expected=last,
                actual=now,
            )
        )
    return out


def _names(*reports: Report) -> list[str]:
    return [r.meta.get("agency") or "" for r in reports]


def reuse_findings(spec: FormSpec, report: Report, previous: Report, rules: LocalRules = NATIONAL) -> list[Finding]:
    """XY-TEXT-REUSE: each narrative section at least `rules.reuse_percent` % the same as
    last year's (normalised; both texts at least `rules.reuse_min_chars` long)."""
    out = []
    names = _names(report, previous)
    for section in spec.sections:
        now, last = report.text.get(section.key), previous.text.get(section.key)
        if not now or not last:
            continue
        a, b = normalise(now, names), normalise(last, names)
        if min(len(a), len(b)) < rules.reuse_min_chars:
            continue
        percent = similarity(a, b, cutoff=rules.reuse_percent)
        if percent < rules.reuse_percent:
            continue
        key = f"text.{section.key}"
        at = report.where.get(key)
        out.append(
            finding(
                "XY-TEXT-REUSE",
                f"{spec.narrative}「{section.label}」与上年报告约 {percent}% 相同（达到 {rules.reuse_percent}%；"
                "不计数字和单位名称），请结合本年度工作重新撰写" + (f"（{at}）" if at else ""),
                cells=[key],
                where=[at] if at else [],
                expected=rules.reuse_percent,
                actual=percent,
            )
        )
    return out


def characters(text: str) -> int:
    """字数 as a limit counts it: every character but whitespace (full-width as one)."""
    return sum(1 for ch in unicodedata.normalize("NFC", text) if not ch.isspace())


def length_findings(spec: FormSpec, report: Report, rules: LocalRules = NATIONAL) -> list[Finding]:
    """TEXT-LENGTH: sections longer than the local limit (there is no national one)."""
    out = []
    for key, limit in rules.text_length.items():
        text = report.text.get(key) or ""
        n = characters(text)
        if n <= limit:
            continue
        cid = f"text.{key}"
        at = report.where.get(cid)
        out.append(
            finding(
                "TEXT-LENGTH",
                f"{spec.narrative}「{spec.section[key].label}」共 {n:,} 字，超过本地规定的 {limit:,} 字（{rules.source}）"
                + (f"（{at}）" if at else ""),
                cells=[cid],
                where=[at] if at else [],
                expected=limit,
                actual=n,
            )
        )
    return out
