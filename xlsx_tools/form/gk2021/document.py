"""What GK-2021's published report says beyond the report's own text (xlsx_tools/publish/).

- Section 六 states the 信息处理费 (国办公开办函〔2021〕30号: 发出收费通知的件数和总金额以及实际
  收取的总金额); where the text does not state every figure, the publisher adds this
  sentence, worded as the reader's phrases (phrases.py) read it back:
  「本年度共发出收费通知4件，收费通知总金额400元，实际收取信息处理费400元。」, or
  「本年度未发出收费通知，未收取信息处理费。」.
- A summary states its 汇总单位数 in section 一 (unless its text does), and a line under
  the title says it is a summary.
- The signature's date as GB/T 9704 writes it: 2026年1月21日.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..spec import DocumentWords


def fee_sentence(figures: Mapping[str, str]) -> str:
    """Section 六's sentence from the fee figures (as printed: '4', '400', '12.5')."""
    notices, amount, collected = figures["fee.notices"], figures["fee.notice_amount"], figures["fee.collected"]
    sent = "未发出收费通知" if notices == amount == "0" else f"共发出收费通知{notices}件，收费通知总金额{amount}元"
    got = "未收取信息处理费" if collected == "0" else f"实际收取信息处理费{collected}元"
    return f"本年度{sent}，{got}。"


DOCUMENT = DocumentWords(
    fee_section="other",
    fee_sentence=fee_sentence,
    covers_section="overview",
    covers_sentence="本报告由{covers}个单位的报告汇总而成。",
    covers_said=r"(?<!\d){covers}\s*个(?:单位|部门)",
    subtitle="（{kind}，{label}：{covers}）",
    date="{year}年{month}月{day}日",
)
