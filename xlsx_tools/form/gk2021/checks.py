"""GK-2021's own rules: the balancing identities (勾稽关系) of FORMAT-2021, the fee
checks and the cross-year checks, as `Check` data generated from the tables, and their
entries for the rule catalogue."""

from __future__ import annotations

from ...findings import AT_MOST, EQUAL, ERROR, WARNING, Rule
from ..checks import Check, Term
from ..spec import Headline, path_key
from .tables import CELLS, T2_GRIDS, T3, T4

RULES = (
    Rule("T3-BALANCE", ERROR, "表三 一+二 = （七）总计+四", EQUAL),
    Rule("T3-ROWSUM", ERROR, "表三 总计列 = 各类申请人之和", EQUAL),
    Rule("T3-RESULTS", ERROR, "表三 （七）总计 = 各项办理结果之和", EQUAL),
    Rule("T4-SUM", ERROR, "表四 总计 = 各项结果之和", EQUAL),
    Rule("FEE-COLLECTED", WARNING, "实际收取金额不超过收费通知总金额", AT_MOST),
    Rule("FEE-UNPAID", WARNING, "因逾期未缴费不再处理的申请不多于收费通知件数", AT_MOST),
    Rule("XY-CARRY", WARNING, "上年结转 = 上年报告的结转下年度继续办理", EQUAL),
    Rule("XY-INFORCE", WARNING, "现行有效件数 = 上年现行有效 + 本年制发 − 本年废止", EQUAL),
    Rule("FEE-NOT-FOUND", WARNING, "信息处理费的数字可以找到"),
    Rule("SECTIONS", WARNING, "六个部分齐全且顺序正确（一、总体情况 … 六、其他需要报告的事项）"),
    Rule("XY-JUMP", WARNING, "主要数字与上年相比没有成倍的异常变化"),
)

T3_OUTER_ROWS = ("new", "carried_over", "total", "carried_forward")


def _t3_checks() -> list[Check]:
    rows = [path_key(p) for p in T3.row_paths]
    cols = [path_key(p) for p in T3.col_paths]
    col_name = {c: CELLS[f"t3.new.{c}"].col_name for c in cols}
    result_rows = [r for r in rows if r not in T3_OUTER_ROWS]
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
                f"表三「{name[r]}」",
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
        c = path_key(p)
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


HEADLINES: tuple[Headline, ...] = (
    Headline("表二 行政许可本年处理决定数量", ("t2.license.decisions",)),
    Headline("表二 行政处罚本年处理决定数量", ("t2.penalty.decisions",)),
    Headline("表二 行政强制本年处理决定数量", ("t2.coercion.decisions",)),
    Headline("表二 行政事业性收费本年收费金额", ("t2.fee.amount",), "万元"),
    Headline("表三 本年新收政府信息公开申请（总计）", ("t3.new.total",)),
    Headline("表三 本年度办理结果（七）总计", ("t3.total.total",)),
    Headline("表四 行政复议（总计）", ("t4.review.total",)),
    Headline("表四 行政诉讼（两类总计之和）", ("t4.suit_direct.total", "t4.suit_after_review.total")),
)
"""The headline figures screened against last year's report (XY-JUMP)."""
