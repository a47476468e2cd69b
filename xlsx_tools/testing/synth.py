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


# ---- narrative of a realistic length (XY-TEXT-REUSE, TEXT-SIMILAR, benchmarks) ------------------
_TOPICS = (
    (
        "{year}年，{agency}坚持以人民为中心的发展思想，认真贯彻落实《中华人民共和国政府信息公开条例》，围绕{focus}等重点领域，"
        "通过门户网站主动公开政府信息{n}条。",
        "{agency}把主动公开作为常态，{year}年在政府信息公开专栏发布{focus}方面的信息{n}条，及时更新机构职能、领导分工和权责清单。",
        "全年主动公开各类信息{n}条，其中{focus}类信息占比较大；对涉及群众切身利益的政策文件，做到应公开尽公开。",
        "本年度重点做好{focus}信息的公开，共发布{n}条，并同步在政务新媒体转载，扩大信息覆盖面。",
        "围绕本单位中心工作，{year}年累计公开{focus}等信息{n}条，公开内容涵盖政策法规、规划计划、工作动态。",
        "以清单化方式推进主动公开，编制{focus}公开事项清单，全年公开信息{n}条，未发生应公开未公开的情况。",
    ),
    (
        "严格执行依申请公开的登记、审核、办理、答复、归档制度，做到件件有登记、事事有回音。",
        "优化依申请公开办理流程，建立申请办理台账，明确各环节时限，全部申请均在法定期限内答复。",
        "对疑难复杂申请实行集体会商，加强与申请人的沟通，提高答复的规范性和针对性。",
        "畅通网上、信函、当面等申请渠道，为申请人提供便利，答复文书统一使用规范文本。",
        "落实申请办理首问负责制，对申请内容不明确的及时告知补正，避免程序瑕疵。",
        "定期梳理依申请公开中群众关注较多的信息，及时转为主动公开，减少重复申请。",
    ),
    (
        "加强政府信息管理，严格落实公开前保密审查，坚持“先审查、后公开”“一事一审”。",
        "完善信息发布协调机制，对涉及其他单位的信息事先沟通确认，确保发布内容准确一致。",
        "开展政策文件清理，对已公开的规范性文件逐件核对有效性，标注失效、废止情况。",
        "规范政府信息公开属性认定，在公文办理环节同步确定公开方式，杜绝随意不公开。",
        "建立信息公开工作台账，对公开信息的内容、时间、载体进行登记，做到有据可查。",
        "健全政策解读机制，做到政策文件与解读材料同步组织、同步审签、同步部署。",
    ),
    (
        "优化政府信息公开专栏设置，新增{column}栏目，方便群众查找信息。",
        "加强政务新媒体管理，利用微信公众号发布{column}等信息，拓宽公开渠道。",
        "在办事大厅设置政府信息查阅点，配备{column}查询设备，为群众提供查阅服务。",
        "对照标准目录调整{column}栏目，做到栏目设置规范、内容更新及时、链接有效。",
        "推进{column}与政务服务平台融合，实现信息公开与办事服务的有效衔接。",
        "定期检查网站{column}栏目的错链、空白栏目，及时整改发现的问题。",
    ),
    (
        "将政务公开工作纳入年度考核，明确分管领导和工作人员，形成主要领导亲自抓、分管领导具体抓的工作格局。",
        "组织政务公开业务培训{k}次，邀请专家讲解条例和相关政策，提升工作人员业务水平。",
        "主动接受社会监督，设立意见箱和咨询电话，对群众反映的问题及时回应。",
        "开展政务公开自查{k}次，对发现的问题建立清单、限期整改，做到整改到位。",
        "落实政务公开工作责任追究制度，对公开不及时、不规范的情况进行通报。",
        "加强与上级政务公开主管部门的沟通，按时报送年度报告和工作总结。",
    ),
)
_FOCUS = ("财政预决算", "重大建设项目", "社会救助", "教育收费", "医疗卫生", "就业创业", "生态环境", "食品安全", "乡村振兴", "安全生产")
_COLUMNS = ("政策解读", "通知公告", "重点领域信息", "民生服务", "机构概况", "人事信息", "规划计划", "统计信息")
_PROBLEMS = (
    "政策解读的形式还比较单一，图解、视频等解读方式运用不多。",
    "部分信息更新不够及时，个别栏目存在内容较少的情况。",
    "工作人员调整频繁，业务能力有待进一步提高。",
    "依申请公开答复的说理性有待加强。",
    "政务新媒体与门户网站的联动还不够紧密。",
    "公开内容与群众需求的契合度还需提高。",
    "基层政务公开标准化规范化建设还有差距。",
    "对公开工作的监督考核还需进一步细化。",
)
_MEASURES = (
    "下一步，我们将加强政策解读，丰富解读形式，提高解读质量。",
    "下一步，将建立信息更新提醒机制，确保信息发布及时准确。",
    "下一步，将加大培训力度，每年至少组织两次业务培训。",
    "下一步，将完善答复文书模板，提高答复的规范化水平。",
    "下一步，将推进门户网站与政务新媒体的协同发布。",
    "下一步，将开展群众需求调查，围绕需求做好公开。",
)


_WORDS = "政务服务数据共享便民事项清单规范指南流程台账档案审查发布解读回应平台栏目专题信息系统标准目录制度机制队伍培训考核监督整改"


def _own(rng: random.Random) -> str:
    """A sentence about an agency's own work (its projects and places have their own names)."""
    name = "".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 7)))
    return rng.choice(("重点推进「{}」工作。", "结合本单位实际开展了「{}」。", "完成了「{}」的建设。")).format(name)


def long_text(seed: int, agency: str, year: int) -> dict[str, str]:
    """Sections 一 and 五 of a realistic length (about 450 and 150 characters) for an
    agency: the five usual parts of 一, each two of a few variants of how county reports
    put it and one sentence about the agency's own work, and the problems of 五
    (deterministic for a seed and year)."""
    rng = random.Random(f"text-{seed}-{year}")
    parts = []
    for i, variants in enumerate(_TOPICS, start=1):
        chosen = rng.sample(variants, 2)
        fields = {"agency": agency, "year": year, "n": rng.randint(30, 900), "k": rng.randint(1, 6)}
        fields |= {"focus": rng.choice(_FOCUS), "column": rng.choice(_COLUMNS)}
        parts.append(f"（{'一二三四五'[i - 1]}）" + "".join(s.format(**fields) for s in chosen) + _own(rng))
    problems = rng.sample(_PROBLEMS, 3)
    measures = rng.sample(_MEASURES, 2)
    return {
        "overview": "\n".join(parts),
        "problems": "一是" + problems[0] + "二是" + problems[1] + "三是" + problems[2] + "".join(measures),
    }
