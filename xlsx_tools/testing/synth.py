"""Realistic synthetic GK-2021 reports, for the bundled examples, tests and benchmarks.

Every report generated here balances (all identities hold) unless a caller breaks it
on purpose. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random

from ..check.rules import uscc_check_char
from ..form import get
from ..form.spec import path_key
from ..report import Report

GK2021 = get("GK-2021")
T3 = next(g for g in GK2021.grids if g.table == "t3")
T3_COLS = [p[-1].key for p in T3.col_paths if not p[-1].total]
T3_RESULT_ROWS = [path_key(p) for p in T3.row_paths if path_key(p) not in ("new", "carried_over", "total", "carried_forward")]
# How often each outcome happens, roughly as in published county reports.
RESULT_WEIGHTS = {
    "disclosed": 40,
    "partly_disclosed": 8,
    "withheld.state_secret": 0.2,
    "withheld.prohibited_by_law": 0.5,
    "withheld.security_stability": 0.3,
    "withheld.third_party": 1.5,
    "withheld.internal_affairs": 1,
    "withheld.process_info": 2,
    "withheld.enforcement_file": 1,
    "withheld.inquiry": 1.5,
    "unavailable.not_held": 18,
    "unavailable.needs_creation": 4,
    "unavailable.unclear": 2,
    "not_processed.petition": 5,
    "not_processed.duplicate": 3,
    "not_processed.publication": 0.5,
    "not_processed.excessive": 1,
    "not_processed.confirmation": 0.5,
    "other.no_correction": 3,
    "other.unpaid_fee": 0.3,
    "other.other": 2,
}
APPLICANT_SHARE = {"natural": 82, "business": 10, "research": 0.5, "nonprofit": 0.5, "legal": 4, "other_org": 3}


def uscc(rng: random.Random, region: str = "450221") -> str:
    """A valid 统一社会信用代码 for an organ of state (机关, prefix 11)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "11" + region + "".join(rng.choice(chars[:10]) for _ in range(8)) + rng.choice(chars)
    return body + uscc_check_char(body)


def _split(rng: random.Random, total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` over the keys of `weights` (multinomial draw)."""
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=[weights[k] for k in keys], k=total):
        out[key] += 1
    return out


def report(
    seed: int,
    agency: str = "示例县某某局",
    year: int = 2025,
    applications: int = 60,
    parent: str = "示例县人民政府",
    zeros: bool = False,
) -> Report:
    """A balanced report of an agency that received about `applications` requests."""
    rng = random.Random(seed)
    cells = dict.fromkeys(GK2021.input_ids, 0)
    if not zeros:
        new = _split(rng, applications, APPLICANT_SHARE)
        carried = _split(rng, applications // 12, APPLICANT_SHARE)
        for c in T3_COLS:
            open_ = new[c] + carried[c]
            forward = min(open_, rng.randint(0, max(0, open_ // 10)))
            cells[f"t3.new.{c}"] = new[c]
            cells[f"t3.carried_over.{c}"] = carried[c]
            cells[f"t3.carried_forward.{c}"] = forward
            for row, n in _split(rng, open_ - forward, RESULT_WEIGHTS).items():
                cells[f"t3.{row}.{c}"] = n
        for row in ("rule", "normative"):
            issued, repealed = rng.randint(0, 3 if row == "rule" else 12), rng.randint(0, 4)
            cells[f"t2.{row}.issued"] = issued
            cells[f"t2.{row}.repealed"] = repealed
            cells[f"t2.{row}.in_force"] = rng.randint(repealed, 60) + issued
        cells["t2.license.decisions"] = rng.randint(0, 3000)
        cells["t2.penalty.decisions"] = rng.randint(0, 500)
        cells["t2.coercion.decisions"] = rng.randint(0, 40)
        cells["t2.fee.amount"] = round(rng.uniform(0, 300), 2)
        for group in ("review", "suit_direct", "suit_after_review"):
            for col in ("upheld", "corrected", "other", "pending"):
                cells[f"t4.{group}.{col}"] = rng.choices([0, 1, 2, 3, 5], weights=[50, 20, 10, 5, 2])[0]
        unpaid = sum(cells[f"t3.other.unpaid_fee.{c}"] for c in T3_COLS)
        notices = unpaid + rng.randint(0, 3)
        cells["fee.notices"] = notices
        cells["fee.notice_amount"] = float(notices * rng.choice([50, 100, 200]))
        cells["fee.collected"] = cells["fee.notice_amount"] if notices and rng.random() < 0.5 else 0.0
    values = GK2021.compute_totals(cells)
    new_total, received = values["t3.new.total"], values["t3.total.total"]
    published = dt.date(year + 1, 1, rng.randint(10, 28))
    text = {
        "overview": (
            f"{year}年，{agency}严格落实《中华人民共和国政府信息公开条例》，主动公开政府信息{rng.randint(50, 900)}条。"
            f"全年共收到政府信息公开申请{new_total}件，办结{received}件，"
            f"结转下年度继续办理{values['t3.carried_forward.total']}件。"
        ),
        "problems": "一是信息公开的及时性有待提高；二是工作人员业务能力需进一步加强。下一步将加强培训，完善制度。",
        "other": (
            f"本年度发出收费通知{values['fee.notices']}件，收取信息处理费{values['fee.collected']:g}元。"
            if values["fee.notices"]
            else "本机关本年度未收取信息处理费。"
        ),
    }
    meta = {
        "agency": agency,
        "uscc": uscc(rng),
        "year": year,
        "kind": "部门报告",
        "parent": parent,
        "preparer": rng.choice(["张敏", "李强", "王芳", "刘洋", "陈静", "杨帆"]),
        "phone": f"0772-{rng.randint(7000000, 7999999)}",
        "filled_on": published - dt.timedelta(days=rng.randint(3, 9)),
        "published_on": published,
    }
    return Report(meta=meta, cells={k: values[k] for k in GK2021.cells}, text=text, form=GK2021.id)
