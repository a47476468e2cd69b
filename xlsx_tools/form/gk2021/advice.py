"""What an agency should do about each finding, in the plain words of the feedback the
county office sends back (`xlsx-tools merge --feedback`). The county never edits an
agency's numbers: every piece of advice asks the agency to correct its own workbook,
or to explain a warning in the workbook's 情况说明 sheet.
"""

from __future__ import annotations

EXPLAIN = "如数字无误、确属实际情况，请在工作簿的「情况说明」工作表中写明原因（该提示随报告一并报送）。"
RESEND = "改正后请点击「校验」或重新校验，再重新报送工作簿。"

ADVICE: dict[str, str] = {
    # balancing identities and types: errors, to be corrected
    "T3-BALANCE": "逐列核对表三：一、本年新收 + 二、上年结转，应等于（七）总计 + 四、结转下年度继续办理；找出填错的数字并改正。" + RESEND,
    "T3-ROWSUM": "表三「总计」列由公式计算，请勿改写；恢复公式或改正各类申请人的数字。" + RESEND,
    "T3-RESULTS": "表三（七）总计应等于（一）至（六）各项办理结果之和；核对各项办理结果的数字，总计单元格请勿改写。" + RESEND,
    "T4-SUM": "表四每一组的「总计」应等于结果维持、结果纠正、其他结果、尚未审结之和；总计单元格请勿改写。" + RESEND,
    "TYPE": "件数只能填写不小于 0 的整数，金额填写不小于 0 的数字；请改正所列单元格。" + RESEND,
    "META-AGENCY": "在「封面」填写单位全称。" + RESEND,
    "META-YEAR": "在「封面」填写报告所属年度（如 2025）。" + RESEND,
    "META-USCC": "核对本单位的统一社会信用代码（18 位，见单位证书），将单元格设为文本后重新输入。" + RESEND,
    "META-NO-USCC": "在「封面」填写本单位的统一社会信用代码（18 位），汇总时按它识别单位。",
    "META-DATE": "按 2026-01-10 的格式填写日期。",
    "BLANK": "没有发生的事项请填写 0，不要留空。",
    "NUMBER-AS-TEXT": "将所列单元格改为数字格式后重新输入数字。",
    "NIL-MARK": "用 0 代替“—”“/”“无”等符号。",
    "NOT-NUMBER": "数字单元格只能填写数字（不要写“件”“个”等单位或文字）。" + RESEND,
    "CELL-ERROR": "所列单元格是错误值（如 #REF!），请重新填写数字或恢复公式。" + RESEND,
    "TOO-LARGE": "所列数字大得不合理，请核实是否多输入了数字。" + RESEND,
    "TOTAL-RECOMPUTED": "请用 Excel 或 WPS 打开工作簿并保存一次，使总计单元格有计算结果。",
    "FEE-COLLECTED": "核对「正文」中信息处理费的三个数字：实际收取的总金额不应超过收费通知总金额。" + EXPLAIN,
    "FEE-UNPAID": "表三「（六）其他处理 2．逾期未缴纳费用」的件数不应多于发出收费通知的件数；请核对。" + EXPLAIN,
    "XY-CARRY": "本年「二、上年结转」应等于上年报告的「四、结转下年度继续办理」；请与上年报告核对。" + EXPLAIN,
    "XY-INFORCE": "现行有效件数应等于上年现行有效件数 + 本年制发 − 本年废止；请核对表二。" + EXPLAIN,
    "XY-JUMP": "该数字与上年相差 5 倍以上，请核实是否填错（如填在了相邻的单元格、金额单位错写为元）。" + EXPLAIN,
    "XY-TEXT-REUSE": "该部分文字大量沿用上年报告，请结合本年度的实际工作重新撰写。",
    "TEXT-LENGTH": "该部分字数超过本地规定的上限，请精简。",
    "TEXT-SIMILAR": "该部分文字与其他单位的报告几乎相同，请结合本单位的实际情况撰写。",
    "NARRATIVE": "「正文」中写出的数字应与表格一致；请改正正文或表格中错误的一方。" + EXPLAIN,
    "DEADLINE": "报告应在期限内发布；请核实封面「发布日期」。" + EXPLAIN,
    "UNREADABLE": "文件无法作为工作簿打开；请用 Excel 或 WPS 打开本单位的报告，另存为 .xlsx 后重新报送。",
    "FOREIGN": "提交的不是年度报告工作簿；请使用县里下发的模板填写后报送。",
    "FORM-VERSION": "请使用现行表式（GK-2021）的模板重新填写后报送。",
    "ANCHOR-MISSING": "工作簿中的部分单元格无法识别；请使用县里下发的模板重新填写，不要复制粘贴整张表。",
    "ANCHOR-STALE": "工作簿的行列曾被插入或删除；请勿插入或删除行列。",
    "LAYOUT": "表格的行列标签被改动；请使用县里下发的模板重新填写，不要改动表头。",
    "LABEL": "请不要改动标题和分组标签。",
    "ROW-ORDER": "请不要调整表格各行的顺序。",
    "EXTRA-CELLS": "请删除表格中法定格式以外的行列。",
    "EXTRA-NUMBERS": "法定格式以外的行列中的数字不会计入；请把它们填到法定格式的单元格中，并删除多余的行列。" + RESEND,
    "FEE-NOT-FOUND": "请在「正文」的信息处理费表格中填写三个数字（没有收费的填 0）。",
    "YEAR-MISMATCH": "提交的报告年度与本次汇总的年度不同；请报送本年度的报告。",
}
