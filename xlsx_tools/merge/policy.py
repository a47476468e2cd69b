"""Which submissions a merge counts, and why not: the reporting year, duplicates,
the roster, and the error policy. Sets each Submission's status, `included` and note."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ..findings import ERROR
from .roster import Member, Roster, name_key
from .submission import DUPLICATE, FAILED, OFF_ROSTER, OVERLAP, PASSED, UNREADABLE, WARNED, WRONG_YEAR, Submission


def off_roster(s: Submission) -> bool:
    return any(i.rule == "NOT-ON-ROSTER" for i in s.issues)


def target_year(subs: list[Submission], wanted: int | None) -> tuple[int | None, str]:
    """The reporting year of the merge and how it was chosen."""
    years = Counter(s.year for s in subs if s.readable and s.year is not None)
    if wanted is not None:
        return wanted, f"{wanted}（由 --year 指定）"
    if not years:
        return None, ""
    if len(years) == 1:
        (year,) = years
        return year, f"{year}（所有报告的年度）"
    top = max(years.values())
    year = max(y for y, c in years.items() if c == top)
    spread = "、".join(f"{y} 年 {c} 份" for y, c in sorted(years.items()))
    return year, f"{year}（按多数报告的年度确定：{spread}）"


def _newness(s: Submission) -> tuple:
    return (s.filled_on or dt.date.min, s.mtime, s.shown)


def mark_duplicates(subs: list[Submission]) -> None:
    """Among reports of one agency (same 统一社会信用代码, or same name where a report
    has no code; or the same numbers where a report names no agency: the same report in
    two formats) keep the newest (填报日期, then file time); mark the others 重复."""
    code_of_name = {name_key(s.agency): s.uscc for s in subs if s.uscc and s.agency}
    groups: dict[str, list[Submission]] = {}
    for s in subs:
        if s.uscc:
            key = "code:" + s.uscc
        elif s.agency:
            code = code_of_name.get(name_key(s.agency))
            key = "code:" + code if code else "name:" + name_key(s.agency)
        else:
            continue
        groups.setdefault(key, []).append(s)
    _same_numbers_without_a_name(subs, groups)
    for key, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=_newness, reverse=True)
        kept = group[0]
        basis = {"code": "统一社会信用代码相同", "name": "单位名称相同", "numbers": "所填数字完全相同，且有一份未写明单位"}[
            key.split(":")[0]
        ]
        when = f"填报日期 {kept.filled_on.isoformat()}" if kept.filled_on else "文件修改时间较新"
        for s in group[1:]:
            s.status = DUPLICATE
            if s.sha256 and s.sha256 == kept.sha256:
                s.add("DUPLICATE", f"与 {kept.shown} 是同一单位的报告（{basis}，两个文件内容完全相同），只计一次")
            elif s.values is not None and s.values == kept.values and key.startswith(("code:", "name:")):
                s.add(
                    "DUPLICATE",
                    f"与 {kept.shown} 是同一单位的报告（{basis}，所填数字完全相同），只计一次，已采用较新的 {kept.shown}（{when}）",
                )
            else:
                s.add("DUPLICATE", f"与 {kept.shown} 是同一单位的报告（{basis}），已采用较新的 {kept.shown}（{when}）")


def _same_numbers_without_a_name(subs: list[Submission], groups: dict[str, list[Submission]]) -> None:
    """A report that names no agency joins the group of a report with exactly its numbers
    (a published page read by its labels beside the agency's workbook); unnamed ones with
    the same numbers form a group of their own. Named reports never join by numbers:
    different agencies may well report the same figures (all zeros)."""
    named: dict[tuple, str] = {}
    for key, group in groups.items():
        for s in group:
            if s.values is not None:
                named.setdefault(s.values, key)
    for s in subs:
        if s.uscc or s.agency or s.values is None or not any(s.values):
            continue
        key = named.get(s.values) or f"numbers:{hash(s.values)}"
        groups.setdefault(key, []).append(s)


def mark_overlaps(subs: list[Submission]) -> None:
    """A summary counted with any agency it already covers (its register lists them), or
    with another summary covering the same agency, would count them twice: such a summary
    is not counted, and the overlap is named."""
    summaries = [s for s in subs if s.summary and s.covered and s.status != DUPLICATE]
    if not summaries:
        return
    owners: dict[str, list[Submission]] = {}
    for s in subs:
        if s.status == DUPLICATE:
            continue
        for name, code in s.covered if s.summary else ((s.agency, s.uscc),):
            for key in ("code:" + code if code else "", "name:" + name_key(name) if name else ""):
                if key:
                    owners.setdefault(key, []).append(s)
    for s in summaries:
        shared: dict[str, set[str]] = {}  # other file -> agencies both count
        for name, code in s.covered:
            for key in ("code:" + code if code else "", "name:" + name_key(name) if name else ""):
                for other in owners.get(key, ()):
                    if other is not s:
                        shared.setdefault(other.shown, set()).add(name or code)
        if not shared:
            continue
        agencies = sorted({a for names in shared.values() for a in names})
        files = "、".join(sorted(shared)[:3]) + (f" 等 {len(shared)} 个文件" if len(shared) > 3 else "")
        shown = "、".join(agencies[:5]) + (f" 等 {len(agencies)} 个单位" if len(agencies) > 5 else "")
        s.status = OVERLAP
        s.add(
            "SUMMARY-OVERLAP",
            f"这份汇总报告已包含 {shown}（见其「报送登记」），与本次汇总中的 {files} 重复，未计入；请只保留汇总报告，或只保留各单位的报告",
        )


def decide(
    subs: list[Submission],
    year: int | None = None,
    roster: Roster | None = None,
    include_invalid: bool = False,
    screen: Callable[[list[Submission]], None] | None = None,
) -> tuple[int | None, str, list[tuple[Member, str]]]:
    """Set every submission's status, whether it is counted, and a note; return the
    reporting year (`year`, else the majority's), how it was chosen, and the roster
    members with no report of that year. `screen` looks at the reports of the year, one
    per agency, before they are settled (texts copied between agencies: TEXT-SIMILAR)."""
    year, year_note = target_year(subs, year)
    current = []
    for s in subs:
        if not s.readable:
            continue
        if year is not None and s.year is None:
            s.status = WRONG_YEAR
            s.add("YEAR-MISMATCH", f"报告年度无法识别（未填写，标题中也没有年度），不能确定是否属于 {year} 年度，未计入")
        elif year is not None and s.year != year:
            s.status = WRONG_YEAR
            s.add("YEAR-MISMATCH", f"报告年度为 {s.year} 年，与汇总年度 {year} 年不符")
        else:
            current.append(s)
    mark_duplicates(current)
    mark_overlaps(current)
    if screen is not None:
        screen([s for s in current if s.status != DUPLICATE])
    missing: list[tuple[Member, str]] = []
    if roster is not None:
        matched: set[Member] = set()
        for s in current:
            member = roster.match(s.agency, s.uscc)
            if member is None:
                s.add("NOT-ON-ROSTER", f"「{s.agency or '未填写单位名称'}」不在应报送单位名单（{roster.source}）中")
            else:
                matched.add(member)
        other_years: dict[Member, Submission] = {}
        for s in subs:
            if s.status == WRONG_YEAR:
                member = roster.match(s.agency, s.uscc)
                if member is not None:
                    other_years.setdefault(member, s)
        for m in roster.members:
            if m not in matched:
                old = other_years.get(m)
                missing.append((m, f"只收到 {old.year} 年度的报告（{old.shown}）" if old else ""))
    for s in subs:
        _settle(s, include_invalid)
    return year, year_note, missing


def _settle(s: Submission, include_invalid: bool) -> None:
    errors = [i for i in s.issues if i.severity == ERROR]
    first = errors[0].message if errors else ""
    if not s.readable:
        s.status, s.included, s.note = UNREADABLE, False, first.removeprefix(Path(s.shown).name + "：")
        return
    if s.status == WRONG_YEAR:
        s.included, s.note = False, next(i.message for i in s.issues if i.rule == "YEAR-MISMATCH")
        return
    if s.status == DUPLICATE:
        s.included, s.note = False, next(i.message for i in s.issues if i.rule == "DUPLICATE")
        return
    if s.status == OVERLAP:
        s.included, s.note = False, next(i.message for i in s.issues if i.rule == "SUMMARY-OVERLAP")
        return
    if errors:
        s.status, s.included = FAILED, include_invalid
        more = f"（另有 {len(errors) - 1} 个错误）" if len(errors) > 1 else ""
        s.note = first + more + ("；已按 --include-invalid 计入汇总" if include_invalid else "")
        return
    s.included = True
    if off_roster(s):
        s.status = OFF_ROSTER
        s.note = next(i.message for i in s.issues if i.rule == "NOT-ON-ROSTER") + "，已计入汇总"
    elif s.warnings:
        open_ = s.unexplained
        s.status = WARNED
        s.note = open_[0].message if open_ else f"{s.warnings} 处提示均已说明（{s.issues[0].explanation}）"
    else:
        s.status, s.note = PASSED, ""
