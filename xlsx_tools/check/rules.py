"""The rules of a form, evaluated in Python.

Linear rules (balancing identities, fee checks, cross-year checks) are the form's
`Check` data (`spec.checks`), evaluated by `linear_findings`. The rules that are not
linear are the functions below: TYPE over the cells, the metadata rules (META-AGENCY,
META-YEAR, META-USCC, META-NO-USCC) and DEADLINE. Every rule's severity and title are
in the catalogue (`findings.RULES`); NARRATIVE is check/narrative.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from ..findings import Finding, Number, finding, fmt
from ..form import AMOUNT, FormSpec
from ..values import trimmed


def linear_findings(
    spec: FormSpec,
    values: dict[str, Number | None],
    previous: dict[str, Number | None] | None = None,
    where: dict[str, str] | None = None,
) -> list[Finding]:
    """Every linear check of the form that fails (the cross-year ones only with `previous`)."""
    out = []
    for check in spec.checks:
        if check.cross_year and previous is None:
            continue
        f = check.evaluate(values, previous, where)
        if f:
            out.append(f)
    return out


def type_problem(spec: FormSpec, cid: str, value: Number) -> str | None:
    """TYPE: counts are whole numbers ≥ 0, amounts numbers ≥ 0; what is wrong, or None."""
    if value < 0:
        return "为负数（件数和金额不能为负）"
    if spec.cells[cid].kind != AMOUNT and value != int(value):
        return "不是整数（件数应为整数）"
    return None


def type_finding(spec: FormSpec, cid: str, value: Number, where: dict[str, str] | None = None) -> Finding | None:
    problem = type_problem(spec, cid, value)
    if problem is None:
        return None
    at = where.get(cid) if where else None
    return finding(
        "TYPE",
        cells=[cid],
        where=[at] if at else [],
        actual=value,
        cell=spec.cells[cid].display,
        at=f"（{at}）" if at else "",
        value=fmt(value),
        problem=problem,
    )


def type_findings(
    spec: FormSpec, values: dict[str, Number | None], where: dict[str, str] | None = None, skip: Iterable[str] = ()
) -> list[Finding]:
    """TYPE over the input cells (`skip`: cells not to judge).

    Totals are left out: a total is wrong only where a leaf is (already reported here)
    or where it disagrees with its leaves (an identity reports that); the template's
    live check counts the same cells."""
    skip = set(skip)
    out = []
    for cid in spec.input_ids:
        v = values.get(cid)
        if v is not None and cid not in skip and (v < 0 or (type(v) is float and not v.is_integer())):
            f = type_finding(spec, cid, v, where)
            if f:
                out.append(f)
    return out


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_CODE = {ch: i for i, ch in enumerate(USCC_CHARS)}


def uscc_check_char(body: str) -> str:
    """The 18th character for the first 17 of a 统一社会信用代码 (GB 32100-2015)."""
    total = sum(_USCC_CODE[ch] * w for ch, w in zip(body, USCC_WEIGHTS, strict=False))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None if `code` is a valid 统一社会信用代码 (GB 32100-2015), else what is wrong.
    Blanks around it (values.TEXT_BLANKS) and lower case are tolerated, full-width
    characters are not (the workbook's live check judges the same way)."""
    code = trimmed(code).upper()
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位"
    bad = [ch for ch in code if ch not in _USCC_CODE]
    if bad and unicodedata.normalize("NFKC", bad[0]) != bad[0]:
        return f"含有全角字符「{bad[0]}」，请切换到半角（英文）输入后重新输入"
    if bad:
        return f"含有不允许的字符「{bad[0]}」（只用数字和大写字母，不用 I、O、S、V、Z）"
    check = uscc_check_char(code[:17])
    if code[17] != check:
        return f"校验位（第 18 位）应为「{check}」，实为「{code[17]}」，代码可能抄错"
    return None


def meta_findings(spec: FormSpec, meta: dict, where: dict[str, str] | None = None, today: dt.date | None = None) -> list[Finding]:
    """META-AGENCY, META-YEAR, META-USCC / META-NO-USCC."""
    where = where or {}
    today = today or dt.date.today()
    out = []

    def add(rule: str, key: str, message: str, **kw) -> None:
        cid = f"meta.{key}"
        at = where.get(cid)
        out.append(finding(rule, message + (f"（{at}）" if at else ""), cells=[cid], where=[at] if at else [], **kw))

    def field_name(key: str) -> str:
        return f"{spec.cover}「{spec.meta[key].label}」"

    if not trimmed(meta.get("agency")):
        add("META-AGENCY", "agency", f"{field_name('agency')}未填写")
    year = meta.get("year")
    if not spec.plausible_year(year) or year > today.year:  # type: ignore[operator]
        shown = "未填写" if year in (None, "") else f"为「{year}」"
        first = spec.first_year
        add(
            "META-YEAR",
            "year",
            f"{field_name('year')}{shown}，应为 {first} 至 {today.year} 之间的年份（本表式自 {first} 年度起使用）",
            actual=year if isinstance(year, (int, float)) and not isinstance(year, bool) else None,
        )
    code = trimmed(meta.get("uscc"))
    if not code:
        if meta.get("kind") != spec.summary_kind:  # a summary is no legal person: it has no code
            add("META-NO-USCC", "uscc", f"{field_name('uscc')}未填写")
    else:
        problem = uscc_problem(code)
        if problem:
            add("META-USCC", "uscc", f"{field_name('uscc')}{code} {problem}")
    return out


def deadline_finding(spec: FormSpec, meta: dict, where: dict[str, str] | None = None, rules=None) -> Finding | None:
    """DEADLINE: 发布日期 no later than the deadline for the report's kind: the form's,
    or the one local `rules` (check/local.py) set."""
    published = meta.get("published_on")
    if rules is not None:
        found = rules.deadline(spec, meta.get("year"), meta.get("kind"))
        limit, local = found if found else (None, False)
    else:
        limit, local = spec.deadline(meta.get("year"), meta.get("kind")), False
    if not isinstance(published, dt.date) or limit is None or published <= limit:
        return None
    cid = "meta.published_on"
    at = where.get(cid) if where else None
    kind = meta.get("kind") or spec.report_kinds[0]
    label = spec.meta["published_on"].label
    return finding(
        "DEADLINE",
        f"{spec.cover}「{label}」{published.isoformat()} 晚于{'本地规定的' if local else '法定'}期限 {limit.isoformat()}"
        f"（{kind}，{meta['year']} 年度{f'，{rules.source}' if local else ''}）" + (f"（{at}）" if at else ""),
        cells=[cid],
        where=[at] if at else [],
    )
