"""The rules of FORMAT-2021 as data, and their evaluation in Python.

Linear rules (the balancing identities, the fee checks, the cross-year checks) are
`Check` instances generated from the form definition: two sides of canonical-ID terms
and a relation. The same instances are compiled to Excel formulas by `formulas.py`,
and the totals of the template are the checks marked `defines`. Rules that are not
linear (TYPE, metadata, NARRATIVE, DEADLINE) are functions below; their IDs and
severities are declared in `RULES` like the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from ..findings import ERROR, WARNING, Finding, Number, fmt
from ..form.gk2021 import AMOUNT, CELLS, FIRST_YEAR, INPUT_IDS, META, REPORT_KINDS, SUMMARY_KIND, T2_GRIDS, T3, T4, Node
from ..values import normalise_text

# ---- The rule catalogue -----------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str  # Chinese, shown to staff


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("T3-BALANCE", ERROR, "表三 一+二 = （七）总计+四"),
        Rule("T3-ROWSUM", ERROR, "表三 总计列 = 各类申请人之和"),
        Rule("T3-RESULTS", ERROR, "表三 （七）总计 = 各项办理结果之和"),
        Rule("T4-SUM", ERROR, "表四 总计 = 各项结果之和"),
        Rule("TYPE", ERROR, "件数为非负整数，金额为非负数"),
        Rule("META-AGENCY", ERROR, "单位名称已填写"),
        Rule("META-YEAR", ERROR, "报告年度合理"),
        Rule("META-USCC", ERROR, "统一社会信用代码格式及校验位正确"),
        Rule("META-NO-USCC", WARNING, "统一社会信用代码已填写"),
        Rule("BLANK", WARNING, "填报项均已填写（空白按 0 计）"),
        Rule("FEE-COLLECTED", WARNING, "实际收取金额不超过收费通知总金额"),
        Rule("FEE-UNPAID", WARNING, "因逾期未缴费不再处理的申请不多于收费通知件数"),
        Rule("XY-CARRY", WARNING, "上年结转 = 上年报告的结转下年度继续办理"),
        Rule("XY-INFORCE", WARNING, "现行有效件数 = 上年现行有效 + 本年制发 − 本年废止"),
        Rule("NARRATIVE", WARNING, "正文所述数字与表格一致"),
        Rule("DEADLINE", WARNING, "按时发布"),
        # Found while reading a file (reader.py, values.py, workbook_file.py)
        Rule("UNREADABLE", ERROR, "文件可以作为工作簿读取"),
        Rule("FOREIGN", ERROR, "是本表式的年度报告工作簿"),
        Rule("FORM-VERSION", ERROR, "表式版本为 GK-2021"),
        Rule("ANCHOR-MISSING", ERROR, "每个单元格的定位名称齐全"),
        Rule("LAYOUT", ERROR, "表格的行列标签与法定格式一致"),
        Rule("NUMBER-AS-TEXT", WARNING, "数字未以文本形式保存"),
        Rule("NIL-MARK", WARNING, "没有用“—”“/”“无”代替 0"),
        Rule("NOT-NUMBER", ERROR, "数字单元格填写的是数字"),
        Rule("CELL-ERROR", ERROR, "单元格没有错误值"),
        Rule("TOTAL-RECOMPUTED", WARNING, "总计单元格有数值"),
        Rule("META-DATE", WARNING, "日期可以识别"),
        Rule("TOO-LARGE", ERROR, "数值在合理范围内（小于 1 万亿）"),
        Rule("ANCHOR-STALE", WARNING, "单元格定位名称与表格内容一致"),
        Rule("LABEL", WARNING, "标题和分组标签与法定格式一致"),
        Rule("ROW-ORDER", WARNING, "表格行的顺序与法定格式一致"),
        Rule("EXTRA-CELLS", WARNING, "表格中没有法定格式以外的行列"),
        Rule("EXTRA-NUMBERS", ERROR, "法定格式以外的行列中没有数字"),
        Rule("FEE-NOT-FOUND", WARNING, "信息处理费的数字可以找到"),
        # Found while merging many submissions (merge.py)
        Rule("YEAR-MISMATCH", ERROR, "报告年度与汇总年度一致"),
        Rule("DUPLICATE", WARNING, "同一单位只提交一份报告"),
        Rule("NOT-ON-ROSTER", WARNING, "报送单位在应报送单位名单中"),
    )
}

# ---- Linear checks ----------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    id: str
    sign: int = 1
    previous: bool = False  # value from last year's report


@dataclass(frozen=True)
class Check:
    """One instance of a linear rule: sum(lhs) <op> sum(rhs)."""

    rule: str
    key: str
    scope: str
    lhs: tuple[Term, ...]
    rhs: tuple[Term, ...]
    lhs_label: str
    rhs_label: str
    op: str = "=="  # "==" or "<="
    defines: bool = False  # lhs is a total that the template computes from rhs

    @property
    def code(self) -> str:
        return f"{self.rule}.{self.key}"

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    @cached_property
    def cells(self) -> list[str]:
        return [t.id for t in self.lhs + self.rhs if not t.previous]

    @cached_property
    def cross_year(self) -> bool:
        return any(t.previous for t in self.lhs + self.rhs)

    @cached_property
    def _same_year(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None:
        """(lhs +, lhs −, rhs +, rhs −) IDs, for a check without last year's terms."""
        if self.cross_year:
            return None
        return tuple(tuple(t.id for t in side if t.sign == sign) for side in (self.lhs, self.rhs) for sign in (1, -1))  # type: ignore[return-value]

    def sides(self, values: dict[str, Number | None], previous: dict[str, Number | None] | None = None) -> tuple[Number, Number] | None:
        """Both sides' values, or None where a term has no usable value."""
        plan = self._same_year
        if plan is not None:
            get = values.__getitem__
            lp, lm, rp, rm = plan
            try:
                left = sum(map(get, lp)) - sum(map(get, lm)) if lm else sum(map(get, lp))
                right = sum(map(get, rp)) - sum(map(get, rm)) if rm else sum(map(get, rp))
            except (KeyError, TypeError):  # a term missing or None
                return None
            return _clean(left), _clean(right)
        last = previous or {}
        out = []
        for side in (self.lhs, self.rhs):
            total: Number = 0
            for t in side:
                v = last.get(t.id) if t.previous else values.get(t.id)
                if v is None:
                    return None
                total += v if t.sign == 1 else t.sign * v
            out.append(_clean(total))
        return out[0], out[1]

    def holds(self, left: Number, right: Number) -> bool:
        diff = round(left - right, 6)
        return diff == 0 if self.op == "==" else diff <= 0

    def message(self, left: Number, right: Number) -> str:
        if self.op == "==":
            return f"{self.scope}：{self.lhs_label} = {fmt(left)}，{self.rhs_label} = {fmt(right)}，相差 {fmt(_clean(abs(left - right)))}"
        return f"{self.scope}：{self.lhs_label} = {fmt(left)}，超过{self.rhs_label} = {fmt(right)}"

    def evaluate(self, values, previous=None, where=None) -> Finding | None:
        both = self.sides(values, previous)
        if both is None or self.holds(*both):
            return None
        left, right = both
        cells = self.cells
        return Finding(
            self.rule,
            self.severity,
            self.message(left, right),
            cells,
            [where[c] for c in cells if c in where] if where else [],
            expected=left,
            actual=right,
        )


def _clean(x: Number) -> Number:
    """Sums of amounts carry float noise: 0.1+0.2 -> 0.3; whole floats stay floats."""
    return round(x, 6) if isinstance(x, float) else x


def _ids(nodes_paths, fmt_id) -> list[str]:
    return [fmt_id(p) for p in nodes_paths]


def _key(path: tuple[Node, ...]) -> str:
    return ".".join(n.key for n in path if n.key)


def _t3_checks() -> list[Check]:
    rows = [_key(p) for p in T3.row_paths]
    cols = [_key(p) for p in T3.col_paths]
    col_name = {_key(p): CELLS[f"t3.new.{_key(p)}"].col_name for p in T3.col_paths}
    result_rows = [r for r in rows if r not in ("new", "carried_over", "total", "carried_forward")]
    name = {r: CELLS[f"t3.{r}.total"].row_name for r in rows}  # 一、本年新收, （七）总计 …
    checks = []
    for c in cols:
        checks.append(
            Check(
                "T3-BALANCE",
                c,
                f"表三 {col_name[c]}列",
                (Term(f"t3.new.{c}"), Term(f"t3.carried_over.{c}")),
                (Term(f"t3.total.{c}"), Term(f"t3.carried_forward.{c}")),
                f"{name['new']} + {name['carried_over']}",
                f"{name['total']} + {name['carried_forward']}",
            )
        )
    for c in cols:
        checks.append(
            Check(
                "T3-RESULTS",
                c,
                f"表三 {col_name[c]}列",
                (Term(f"t3.total.{c}"),),
                tuple(Term(f"t3.{r}.{c}") for r in result_rows),
                name["total"],
                f"{name[result_rows[0]][:3]}至{name[result_rows[-1]][:3]}各项之和",
                defines=c != "total",
            )
        )
    leaves = [c for c in cols if c != "total"]
    for r in rows:
        checks.append(
            Check(
                "T3-ROWSUM",
                r,
                f"表三「{CELLS[f't3.{r}.total'].row_name}」",
                (Term(f"t3.{r}.total"),),
                tuple(Term(f"t3.{r}.{c}") for c in leaves),
                "总计",
                "各类申请人之和",
                defines=True,
            )
        )
    return checks


def _t4_checks() -> list[Check]:
    checks = []
    for group in T4.cols[0:1] + T4.cols[1].children:
        parts = [o.key for o in group.children if not o.total]
        checks.append(
            Check(
                "T4-SUM",
                group.key,
                f"表四 {group.label}",
                (Term(f"t4.{group.key}.total"),),
                tuple(Term(f"t4.{group.key}.{p}") for p in parts),
                "总计",
                "、".join(o.label for o in group.children if not o.total) + "之和",
                defines=True,
            )
        )
    return checks


def _fee_checks() -> list[Check]:
    return [
        Check(
            "FEE-COLLECTED",
            "collected",
            "信息处理费",
            (Term("fee.collected"),),
            (Term("fee.notice_amount"),),
            CELLS["fee.collected"].row_name,
            CELLS["fee.notice_amount"].row_name,
            op="<=",
        ),
        Check(
            "FEE-UNPAID",
            "unpaid_fee",
            "信息处理费",
            (Term("t3.other.unpaid_fee.total"),),
            (Term("fee.notices"),),
            CELLS["t3.other.unpaid_fee.total"].display.removesuffix("列"),
            CELLS["fee.notices"].row_name,
            op="<=",
        ),
    ]


def _cross_year_checks() -> list[Check]:
    checks = []
    for p in T3.col_paths:
        c = _key(p)
        checks.append(
            Check(
                "XY-CARRY",
                c,
                f"表三 {CELLS[f't3.new.{c}'].col_name}列",
                (Term(f"t3.carried_over.{c}"),),
                (Term(f"t3.carried_forward.{c}", previous=True),),
                f"本年「{CELLS['t3.carried_over.total'].row_name}」",
                f"上年报告「{CELLS['t3.carried_forward.total'].row_name}」",
            )
        )
    for row in T2_GRIDS[0].rows:
        r = row.key
        checks.append(
            Check(
                "XY-INFORCE",
                r,
                f"表二「{row.label}」",
                (Term(f"t2.{r}.in_force"),),
                (Term(f"t2.{r}.in_force", previous=True), Term(f"t2.{r}.issued"), Term(f"t2.{r}.repealed", -1)),
                "本年现行有效件数",
                "上年现行有效 + 本年制发 − 本年废止",
            )
        )
    return checks


CHECKS: tuple[Check, ...] = (*_t3_checks(), *_t4_checks(), *_fee_checks(), *_cross_year_checks())
"""Every linear check instance, in the order the 校验 sheet lists them."""

def _defining_order() -> dict[str, Check]:
    """Total ID -> the check whose right side computes it, ordered so that every
    total comes after the totals it sums (t3.total.total after t3.total.natural)."""
    first: dict[str, Check] = {}
    for check in CHECKS:
        if check.defines:
            first.setdefault(check.lhs[0].id, check)
    ordered: dict[str, Check] = {}

    def visit(total_id: str) -> None:
        if total_id in ordered:
            return
        for t in first[total_id].rhs:
            if t.id in first:
                visit(t.id)
        ordered[total_id] = first[total_id]

    for total_id in first:
        visit(total_id)
    return ordered


DEFINING: dict[str, Check] = _defining_order()


def compute_totals(values: dict[str, Number | None], given: dict[str, Number] | None = None) -> dict[str, Number | None]:
    """Values of every cell as the template states them: each total is what its formula
    computes over the stated values, unless `given` states a value for it."""
    given = given or {}
    out = dict(values)
    for total_id in DEFINING:
        out[total_id] = given[total_id] if total_id in given else formula_value(total_id, out)
    return out


def formula_value(total_id: str, values: dict[str, Number | None]) -> Number | None:
    """What the template's formula for a total evaluates to over `values`."""
    check = DEFINING[total_id]
    terms = [values.get(t.id) for t in check.rhs]
    if any(v is None for v in terms):
        return None
    return _clean(sum(t.sign * v for t, v in zip(check.rhs, terms)))


# ---- Non-linear rules ---------------------------------------------------------------


def type_finding(cid: str, value: Number, where: dict[str, str] | None = None) -> Finding | None:
    """TYPE: counts are whole numbers ≥ 0, amounts numbers ≥ 0."""
    cell = CELLS[cid]
    problem = None
    if value < 0:
        problem = "为负数（件数和金额不能为负）"
    elif cell.kind != AMOUNT and value != int(value):
        problem = "不是整数（件数应为整数）"
    if problem is None:
        return None
    at = where.get(cid) if where else None
    return Finding(
        "TYPE",
        ERROR,
        f"{cell.display}{f'（{at}）' if at else ''}：{fmt(value)} {problem}",
        [cid],
        [at] if at else [],
        actual=value,
    )


def type_findings(values: dict[str, Number | None], where: dict[str, str] | None = None, skip: Iterable[str] = ()) -> list[Finding]:
    """TYPE over the input cells (`skip`: cells not to judge).

    Totals are left out: a total is wrong only where a leaf is (already reported here)
    or where it disagrees with its leaves (an identity reports that); the template's
    live check counts the same cells."""
    skip = set(skip)
    out = []
    for cid in INPUT_IDS:
        v = values.get(cid)
        if v is not None and cid not in skip and (v < 0 or (type(v) is float and not v.is_integer())):
            f = type_finding(cid, v, where)
            if f:
                out.append(f)
    return out


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_CODE = {ch: i for i, ch in enumerate(USCC_CHARS)}


def uscc_check_char(body: str) -> str:
    """The 18th character for the first 17 of a 统一社会信用代码 (GB 32100-2015)."""
    total = sum(_USCC_CODE[ch] * w for ch, w in zip(body, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None if `code` is a valid 统一社会信用代码 (GB 32100-2015), else what is wrong."""
    code = normalise_text(code).upper()
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位"
    bad = [ch for ch in code if ch not in _USCC_CODE]
    if bad:
        return f"含有不允许的字符「{bad[0]}」（只用数字和大写字母，不用 I、O、S、V、Z）"
    check = uscc_check_char(code[:17])
    if code[17] != check:
        return f"校验位（第 18 位）应为「{check}」，实为「{code[17]}」，代码可能抄错"
    return None


def meta_findings(meta: dict, where: dict[str, str] | None = None, today: dt.date | None = None) -> list[Finding]:
    """META-AGENCY, META-YEAR, META-USCC / META-NO-USCC."""
    where = where or {}
    today = today or dt.date.today()
    out = []

    def finding(rule: str, key: str, message: str, **kw) -> Finding:
        cid = f"meta.{key}"
        at = where.get(cid)
        return Finding(rule, RULES[rule].severity, message + (f"（{at}）" if at else ""), [cid], [at] if at else [], **kw)

    if not normalise_text(meta.get("agency")):
        out.append(finding("META-AGENCY", "agency", f"封面「{META['agency'].label}」未填写"))
    year = meta.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= today.year:
        shown = "未填写" if year in (None, "") else f"为「{year}」"
        out.append(
            finding(
                "META-YEAR",
                "year",
                f"封面「{META['year'].label}」{shown}，应为 {FIRST_YEAR} 至 {today.year} 之间的年份（本表式自 {FIRST_YEAR} 年度起使用）",
                actual=year if isinstance(year, (int, float)) and not isinstance(year, bool) else None,
            )
        )
    code = normalise_text(meta.get("uscc"))
    if not code:
        if meta.get("kind") != SUMMARY_KIND:  # a summary is no legal person: it has no code
            out.append(finding("META-NO-USCC", "uscc", f"封面「{META['uscc'].label}」未填写"))
    else:
        problem = uscc_problem(code)
        if problem:
            out.append(finding("META-USCC", "uscc", f"封面「{META['uscc'].label}」{code} {problem}"))
    return out


def deadline(meta: dict) -> dt.date | None:
    """The legal publication deadline for the report's year and kind (条例第四十九、五十条)."""
    year = meta.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year < dt.MAXYEAR:
        return None  # no deadline for an implausible year (META-YEAR reports it)
    if meta.get("kind") in REPORT_KINDS[1:]:  # a government's own report, or a summary
        return dt.date(year + 1, 3, 31)
    return dt.date(year + 1, 1, 31)


def deadline_finding(meta: dict, where: dict[str, str] | None = None) -> Finding | None:
    """DEADLINE: 发布日期 no later than 31 January (a government's or summary report: 31 March)."""
    published = meta.get("published_on")
    limit = deadline(meta)
    if not isinstance(published, dt.date) or limit is None or published <= limit:
        return None
    cid = "meta.published_on"
    at = where.get(cid) if where else None
    kind = meta.get("kind") or "部门报告"
    return Finding(
        "DEADLINE",
        WARNING,
        f"封面「发布日期」{published.isoformat()} 晚于法定期限 {limit.isoformat()}（{kind}，{meta['year']} 年度）" + (f"（{at}）" if at else ""),
        [cid],
        [at] if at else [],
        actual=None,
    )


def linear_findings(
    values: dict[str, Number | None],
    previous: dict[str, Number | None] | None = None,
    where: dict[str, str] | None = None,
    checks: Iterable[Check] = CHECKS,
) -> list[Finding]:
    out = []
    for check in checks:
        if check.cross_year and previous is None:
            continue
        f = check.evaluate(values, previous, where)
        if f:
            out.append(f)
    return out



def narrative_findings(text: dict[str, str], values: dict[str, Number | None], where: dict[str, str] | None = None) -> list[Finding]:
    """NARRATIVE: totals the narrative states vs the tables (warnings); see narrative.py."""
    from .narrative import narrative_findings as find

    return find(text, values, where)


__all__ = [
    "RULES",
    "CHECKS",
    "DEFINING",
    "Check",
    "Term",
    "Rule",
    "INPUT_IDS",
    "compute_totals",
    "formula_value",
    "linear_findings",
    "type_findings",
    "meta_findings",
    "narrative_findings",
    "deadline_finding",
    "uscc_problem",
    "normalise_text",
]
