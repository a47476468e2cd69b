"""The usual phrasings in which GK-2021 reports state table totals in their narrative
(NARRATIVE): each names the cells whose sum it states. How they are searched for is
check/narrative.py.

"主动公开政府信息N条" has no counterpart in the tables (table 二 counts rules and
normative documents issued, repealed and in force, not items published), so it is
not listed; "制发行政规范性文件N件" is.
"""

from __future__ import annotations

import re

from ..spec import Phrase

_GAP = r"[^。；;，,\d]"  # inside one clause, no digits
_N = r"(?P<n>\d[\d,]*(?:\.\d+)?|零)"


def _p(cells, what, pattern, unit="件", needs="", zero=False, hint="", also=(), also_if="", implies=()) -> Phrase:
    return Phrase(tuple(cells), what, re.compile(pattern), unit, needs, zero, hint or needs, tuple(also), also_if, tuple(implies))


_SUITS = ("t4.suit_direct.total", "t4.suit_after_review.total")
PHRASES: tuple[Phrase, ...] = (
    _p(
        ["t3.new.total"],
        "本年新收申请",
        rf"(?:新收|收到|受理|接收|接到){_GAP}{{0,20}}?申请{_GAP}{{0,8}}?{_N}\s*[件个条宗]",
        needs="申请",
        also=("t3.new.total", "t3.carried_over.total"),  # 共收到申请15件（含上年结转3件）
        also_if="结转",
    ),
    _p(["t3.new.total"], "本年新收申请", rf"未(?:收到|受理|接到|接收){_GAP}{{0,12}}申请", needs="申请", zero=True),
    _p(["t3.carried_over.total"], "上年结转申请", rf"上一?年度?结转{_GAP}{{0,16}}?{_N}\s*[件个条宗]", needs="申请", hint="结转"),
    _p(["t3.total.total"], "本年办结申请", rf"(?:办结|答复|回复|办理完毕){_GAP}{{0,12}}?{_N}\s*[件个条宗]", needs="申请"),
    _p(["t3.carried_forward.total"], "结转下年度的申请", rf"结转(?:至|到)?下一?年度?{_GAP}{{0,12}}?{_N}\s*[件个条宗]", hint="结转"),
    _p(
        ["fee.collected"],
        "实际收取的信息处理费",
        rf"(?:收取|收缴|收到){_GAP}{{0,6}}?信息处理费{_GAP}{{0,6}}?{_N}\s*元",
        unit="元",
        hint="信息处理费",
    ),
    _p(
        ["fee.collected"], "实际收取的信息处理费", rf"未(?:收取|收缴|产生){_GAP}{{0,6}}?信息处理费", unit="元", zero=True, hint="信息处理费"
    ),
    _p(
        ["fee.notices"],
        "发出的收费通知",
        rf"(?:发出|发送|送达|开具){_GAP}{{0,6}}?收费通知书?{_GAP}{{0,4}}?{_N}\s*[件份次]",
        hint="收费通知",
    ),
    _p(
        ["fee.notices"],
        "发出的收费通知",
        rf"未(?:发出|发送|送达|开具){_GAP}{{0,6}}?收费通知",
        zero=True,
        hint="收费通知",
        implies=["fee.notice_amount"],  # no notice sent: their total amount is 0 as well
    ),
    _p(["fee.notice_amount"], "收费通知总金额", rf"收费通知书?{_GAP}{{0,6}}?金额{_GAP}{{0,4}}?{_N}\s*元", unit="元", hint="收费通知"),
    _p(["t4.review.total"], "政府信息公开行政复议", rf"行政复议(?:案件|申请)?{_GAP}{{0,6}}?{_N}\s*[件起宗个]", hint="行政复议"),
    _p(["t4.review.total"], "政府信息公开行政复议", rf"未(?:发生|收到|出现|产生|有){_GAP}{{0,14}}?行政复议", zero=True, hint="行政复议"),
    _p(_SUITS, "政府信息公开行政诉讼", rf"行政诉讼(?:案件)?{_GAP}{{0,6}}?{_N}\s*[件起宗个]", hint="行政诉讼"),
    _p(_SUITS, "政府信息公开行政诉讼", rf"未(?:发生|收到|出现|产生|有){_GAP}{{0,20}}?行政诉讼", zero=True, hint="行政诉讼"),
    _p(
        ["t2.normative.issued"],
        "本年制发的行政规范性文件",
        rf"(?:制发|印发|出台|新制定){_GAP}{{0,6}}?(?:行政)?规范性文件{_GAP}{{0,4}}?{_N}\s*[件个份部]",
        hint="规范性文件",
    ),
    _p(["t2.rule.issued"], "本年制发的规章", rf"(?:制发|制定|出台|新制定){_GAP}{{0,4}}?规章{_GAP}{{0,4}}?{_N}\s*[件个部]", hint="规章"),
)
