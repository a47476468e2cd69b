"""Regenerate the bundled examples: `python examples/make_examples.py`.

Each example is a JSON report (the interchange format) and the workbook that
`xlsx-tools fill` makes of it. The JSON is what `xlsx-tools export` reads back.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from xlsx_tools.build.template import build_workbook
from xlsx_tools.form import current
from xlsx_tools.read.reader import read_report
from xlsx_tools.report import Note
from xlsx_tools.testing import synth

HERE = Path(__file__).resolve().parent


def fee_text(report) -> str:
    """Section 六 as the national format asks: the fee notices sent, their total amount,
    and what was collected (every figure, so a published document states them all)."""
    c = report.cells
    if not c["fee.notices"] and not c["fee.collected"]:
        return "本机关本年度未发出收费通知，未收取信息处理费。"
    return f"本年度共发出收费通知{c['fee.notices']}件，收费通知总金额{c['fee.notice_amount']:g}元，实际收取信息处理费{c['fee.collected']:g}元。"


def examples() -> dict[str, object]:
    busy = synth.report(2025, "示例县人力资源和社会保障局", applications=480)
    township = synth.report(7, "示例县青山镇人民政府", zeros=True)
    township.text["overview"] = "2025年，青山镇人民政府主动公开政府信息126条。全年未收到政府信息公开申请。"
    education = synth.report(11, "示例县教育局", applications=90)
    health = synth.report(12, "示例县卫生健康局", applications=45)
    # One explained warning: published late, and the workbook's 情况说明 says why.
    health.meta["published_on"] = dt.date(2026, 2, 5)
    health.notes = [
        Note(
            "DEADLINE",
            current().layout.pos["meta.published_on"].where,
            "因机构改革，本报告经县人民政府办公室同意于 2026 年 2 月 5 日发布。",
        )
    ]

    # One balance error: a case closed but also carried forward (natural persons).
    unbalanced = synth.report(21, "示例县自然资源局", applications=120)
    unbalanced.cells["t3.carried_forward.natural"] += 1
    unbalanced.cells["t3.carried_forward.total"] += 1

    # One fee warning: more collected than the fee notices asked for.
    fee = synth.report(31, "示例县市场监督管理局", applications=70)
    fee.cells["fee.notices"] = 2
    fee.cells["fee.notice_amount"] = 200.0
    fee.cells["fee.collected"] = 350.0
    reports = {
        "01-人社局-申请量大": busy,
        "02-青山镇-全部为零": township,
        "03-教育局": education,
        "04-卫健局": health,
        "05-自然资源局-结转不平衡": unbalanced,
        "06-市场监管局-收费提示": fee,
    }
    for report in reports.values():
        report.text["other"] = fee_text(report)
    return reports


def main(out: Path = HERE) -> None:
    for stem, report in examples().items():
        xlsx = out / f"{stem}.xlsx"
        build_workbook(xlsx, report)
        (out / f"{stem}.json").write_text(read_report(xlsx).dumps(), encoding="utf-8")
        print(xlsx.name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
