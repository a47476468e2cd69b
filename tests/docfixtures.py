"""Shared helpers of the document tests: a report to build documents from, and how a
document reads back compared with what it was built from."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES

from xlsx_tools.report import Report, load_json
from xlsx_tools.testing import documents as D

# a published report, kept with the tests (a clean clone has no ../shared)
REFERENCE = Path(__file__).resolve().parent / "reference" / "sample-report-liujiang-2021.txt"


def built() -> Report:
    """The education bureau's example report, its section 六 stating all three fee figures."""
    report = load_json(EXAMPLES / "03-教育局.json")
    c = report.cells
    report.text["other"] = (
        f"本年度共发出收费通知{c['fee.notices']}件，收费通知总金额{c['fee.notice_amount']}元，"
        f"实际收取信息处理费{c['fee.collected']}元。\n无其他需要报告的事项。"
    )
    return report


def title(report: Report) -> str:
    return f"{report.meta['agency']}{report.meta['year']}年政府信息公开工作年度报告"


def docx(path: Path, report: Report, o: D.Options | None = None) -> Path:
    return D.write_docx(D.national(report, o), path)


def word_page(path: Path, report: Report, o: D.Options | None = None, site: bool = False, charset: str = "gb2312") -> Path:
    blocks = D.national(report, o)
    if site:
        page = D.site_page(blocks, title(report) + "_示例县人民政府门户网站", SITE_NAV, charset)
    else:
        page = D.word_html(blocks, title(report))
    path.write_bytes(D.encoded(page, charset))
    return path


SITE_NAV = [
    "首页",
    "走进示例",
    "政务公开",
    "政府信息公开指南",
    "政府信息公开制度",
    "法定主动公开内容",
    "政府信息公开年报",
    "政策文件",
    "政策解读",
    "人事信息",
    "财政信息",
    "重点领域",
    "政务服务",
    "互动交流",
    "公众留言",
    "在线访谈",
    "征集调查",
    "专题专栏",
]


def differences(report: Report, expected: Report, ids=None) -> dict:
    ids = ids or expected.cells
    return {c: (expected.cells[c], report.cells.get(c)) for c in ids if report.cells.get(c) != expected.cells[c]}
