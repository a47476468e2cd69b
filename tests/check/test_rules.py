"""Every rule of the catalogue has a case that makes it fire and one that does not.

The cases are real workbooks where the rule is about a workbook (a patched cell, a
LibreOffice edit, a foreign layout), and Reports where the rule is about figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import EDU, EXAMPLES
from gk import CELLS, RULES, deadline_finding, meta_findings, narrative_findings
from publishing import published, retyped
from workbooks import patch_xlsx, write_statutory

from xlsx_tools.check.local import parse
from xlsx_tools.check.rules import USCC_CHARS, uscc_problem
from xlsx_tools.check.validate import check_report
from xlsx_tools.findings import ReadError
from xlsx_tools.read.reader import read_report
from xlsx_tools.report import Report, load_json
from xlsx_tools.testing import synth

TODAY = dt.date(2026, 3, 1)
ORIGINAL = load_json(EDU.with_suffix(".json"))


def findings_of(path: Path, previous: Report | None = None) -> list:
    try:
        report = read_report(path)
    except ReadError as exc:
        return [exc.finding]
    return check_report(report, previous, TODAY)


def report_findings(change=None, previous=None, rules=None) -> list:
    report = synth.report(5, "示例县测试局", year=2025)
    report.where = {}
    if change:
        change(report)
    return check_report(report, previous, TODAY, rules=rules)


def _last_year(**values) -> Report:
    """The same agency's report a year earlier, with the same figures but `values`."""
    last = synth.report(5, "示例县测试局", year=2024)
    for key, value in values.items():
        last.cells[key.replace("__", ".")] = value
    return last


def _long_text(year: int, seed: int = 5):
    def change(report):
        report.text.update(synth.long_text(seed, "示例县测试局", year))

    return change


def patched(tmp: Path, sheet: str, cells: dict) -> Path:
    return patch_xlsx(EDU, tmp / "patched.xlsx", sheet, cells)


def set_cells(**values):
    def change(report):
        for key, value in values.items():
            report.cells[key.replace("__", ".")] = value

    return change


def foreign(tmp: Path, **kw) -> Path:
    return write_statutory(tmp / "foreign.xlsx", ORIGINAL, **kw)


def _moved_rows(wb):
    ws = wb.active
    cells = {c.value: c.row for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    r1, r2 = cells["1．属于国家秘密"], cells["2．其他法律行政法规禁止公开"]
    for col in range(1, ws.max_column + 1):
        a, b = ws.cell(r1, col).value, ws.cell(r2, col).value
        ws.cell(r1, col).value, ws.cell(r2, col).value = b, a


def _extra_row(text, number):
    def after(wb):
        ws = wb.active
        row = next(c.row for r in ws.iter_rows() for c in r if c.value == "（一）予以公开")
        ws.insert_rows(row + 1)
        ws.cell(row + 1, 2, text)
        if number is not None:
            ws.cell(row + 1, 4, number)

    return after


def _openpyxl_insert(tmp: Path) -> Path:
    wb = openpyxl.load_workbook(EDU)
    wb["表三"].insert_rows(8)
    wb.save(tmp / "stale.xlsx")
    return tmp / "stale.xlsx"


def _copied_sheet(tmp: Path, changes: dict) -> Path:
    """表三 copied in the workbook (as Excel names a copy), the copy then changed."""
    wb = openpyxl.load_workbook(EDU)
    copy = wb.copy_worksheet(wb["表三"])
    copy.title = "表三 (2)"
    for a1, value in changes.items():
        copy[a1] = value
    wb.save(tmp / "copied.xlsx")
    return tmp / "copied.xlsx"


def _previous_with(text=None, **values) -> Report:
    """Last year's report, consistent with this year's (see report_findings), then changed."""
    this = synth.report(5, "示例县测试局", year=2025)
    last = synth.report(4, "示例县测试局", year=2024)
    for c in ("natural", "business", "research", "nonprofit", "legal", "other_org", "total"):
        last.cells[f"t3.carried_forward.{c}"] = this.cells[f"t3.carried_over.{c}"]
    for r in ("rule", "normative"):
        last.cells[f"t2.{r}.in_force"] = this.cells[f"t2.{r}.in_force"] - this.cells[f"t2.{r}.issued"] + this.cells[f"t2.{r}.repealed"]
    for key, value in values.items():
        last.cells[key.replace("__", ".")] = value
    if text:
        text(last)
    return last


FAIL = {
    # the balancing identities and types
    "T3-BALANCE": lambda tmp, lo: findings_of(EXAMPLES / "05-自然资源局-结转不平衡.xlsx"),
    "T3-ROWSUM": lambda tmp, lo: findings_of(patched(tmp, "表三", {"J5": 91})),
    "T3-RESULTS": lambda tmp, lo: findings_of(patched(tmp, "表三", {"D28": 1})),
    "T4-SUM": lambda tmp, lo: findings_of(patched(tmp, "表四", {"E5": 99})),
    "TYPE": lambda tmp, lo: findings_of(patched(tmp, "表三", {"D7": 2.5})),
    "FEE-COLLECTED": lambda tmp, lo: findings_of(EXAMPLES / "06-市场监管局-收费提示.xlsx"),
    "FEE-UNPAID": lambda tmp, lo: report_findings(
        set_cells(t3__other__unpaid_fee__natural=3, t3__other__unpaid_fee__total=3, fee__notices=1)
    ),
    "XY-CARRY": lambda tmp, lo: report_findings(previous=_previous_with(t3__carried_forward__natural=99)),
    "XY-INFORCE": lambda tmp, lo: report_findings(previous=_previous_with(t2__rule__in_force=500)),
    "NARRATIVE": lambda tmp, lo: findings_of(EXAMPLES / "05-自然资源局-结转不平衡.xlsx"),
    "DEADLINE": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B13": "2026年2月3日"})),
    "META-AGENCY": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B4": None})),
    "META-YEAR": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B6": 2019})),
    "META-USCC": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B5": "1145022195322750NY"})),
    "META-NO-USCC": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B5": None})),
    "META-DATE": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B13": "一月下旬"})),
    # what a cell may hold
    "BLANK": lambda tmp, lo: findings_of(patched(tmp, "表三", {"E6": None})),
    "NUMBER-AS-TEXT": lambda tmp, lo: findings_of(patched(tmp, "表四", {"A5": " 0"})),
    "NIL-MARK": lambda tmp, lo: findings_of(patched(tmp, "表四", {"B5": "—"})),
    "NOT-NUMBER": lambda tmp, lo: findings_of(patched(tmp, "表二", {"B8": "5件"})),
    "CELL-ERROR": lambda tmp, lo: findings_of(patched(tmp, "表二", {"B8": ("error", "#REF!")})),
    "TOO-LARGE": lambda tmp, lo: findings_of(patched(tmp, "表二", {"B8": 1e15})),
    "TOTAL-RECOMPUTED": lambda tmp, lo: findings_of(patched(tmp, "表三", {"J5": ("formula", "SUM(D5:I5)")})),
    "FORMULA-COMPUTED": lambda tmp, lo: findings_of(patched(tmp, "表三", {"D5": ("formula", "2000+517")})),
    "FORMULA-NO-VALUE": lambda tmp, lo: findings_of(patched(tmp, "表三", {"D5": ("formula", "D6+D7")})),
    # what a file may be
    "UNREADABLE": lambda tmp, lo: findings_of((tmp / "empty.xlsx", (tmp / "empty.xlsx").write_bytes(b""))[0]),
    "FOREIGN": lambda tmp, lo: findings_of(_foreign_book(tmp)),
    "FORM-VERSION": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B17": "GK-2019"})),
    "ANCHOR-MISSING": lambda tmp, lo: findings_of(lo["deleted_row"]),
    "ANCHOR-STALE": lambda tmp, lo: findings_of(_openpyxl_insert(tmp)),
    "LAYOUT": lambda tmp, lo: findings_of(patched(tmp, "表三", {"B7": "（一）同意公开"})),
    "LABEL": lambda tmp, lo: findings_of(patched(tmp, "表二", {"A2": "第二十条（一）"})),
    "ROW-ORDER": lambda tmp, lo: findings_of(foreign(tmp, merge=False, after=_moved_rows)),
    "EXTRA-CELLS": lambda tmp, lo: findings_of(lo["col_inside"]),
    "EXTRA-NUMBERS": lambda tmp, lo: findings_of(foreign(tmp, merge=False, after=_extra_row("其中：网上申请", 4))),
    "FEE-NOT-FOUND": lambda tmp, lo: findings_of(foreign(tmp)),
    "TABLE-COPY": lambda tmp, lo: findings_of(_copied_sheet(tmp, {"D5": 99})),
    "TABLE-COPY-SAME": lambda tmp, lo: findings_of(_copied_sheet(tmp, {})),
    "LABEL-VARIANT": lambda tmp, lo: findings_of(foreign(tmp, label=lambda s: "规范性文件" if s == "行政规范性文件" else s)),
    "SECTIONS": lambda tmp, lo: findings_of(_document(tmp, drop="五、存在的主要问题及改进情况")),
    # the review loop: against last year, and local limits
    "XY-JUMP": lambda tmp, lo: report_findings(previous=_last_year(t3__new__total=3)),
    "XY-TEXT-REUSE": lambda tmp, lo: report_findings(_long_text(2025), previous=_previous_with(text=_long_text(2025))),
    "TEXT-LENGTH": lambda tmp, lo: report_findings(_long_text(2025), rules=parse("[text_length]\noverview = 300\n")),
    # a published document whose numbers were changed after it was generated
    "FINGERPRINT": lambda tmp, lo: findings_of(retyped(published(EDU, tmp / "a.docx"), tmp / "b.docx", 1, 3, 1, "999")),
}

PASS = {
    "SECTIONS": lambda tmp, lo: findings_of(_document(tmp)),
    "ROW-ORDER": lambda tmp, lo: findings_of(foreign(tmp, merge=False)),
    "EXTRA-NUMBERS": lambda tmp, lo: findings_of(foreign(tmp, merge=False, after=_extra_row("说明：无", None))),
    "FEE-NOT-FOUND": lambda tmp, lo: findings_of(foreign(tmp, fee=True)),
    "XY-CARRY": lambda tmp, lo: report_findings(previous=_previous_with()),
    "XY-INFORCE": lambda tmp, lo: report_findings(previous=_previous_with()),
    "TYPE": lambda tmp, lo: findings_of(patched(tmp, "表二", {"B15": 12.5})),  # an amount may have decimals
    "DEADLINE": lambda tmp, lo: findings_of(patched(tmp, "封面", {"B13": "2026年1月31日"})),
    "XY-JUMP": lambda tmp, lo: report_findings(previous=_last_year(t3__new__total=13)),  # 60 after 13: 4.6 times
    "XY-TEXT-REUSE": lambda tmp, lo: report_findings(_long_text(2025), previous=_previous_with(text=_long_text(2024, seed=12))),
    "TEXT-LENGTH": lambda tmp, lo: report_findings(_long_text(2025), rules=parse("[text_length]\noverview = 1000\n")),
    "FINGERPRINT": lambda tmp, lo: findings_of(published(EDU, tmp / "a.docx")),
}


def _document(tmp: Path, drop: str = "") -> Path:
    """The education bureau's report as a Word document (SECTIONS is a document's rule)."""
    from docfixtures import built

    from xlsx_tools.testing import documents as D

    blocks = [b for b in D.national(built()) if b != drop]
    return D.write_docx(blocks, tmp / "report.docx")


def _foreign_book(tmp: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(tmp / "通讯录.xlsx")
    return tmp / "通讯录.xlsx"


# Rules about a set of submissions rather than one report: merge.py applies them and
# tests/test_merge*.py makes each fire and pass.
MERGE_RULES = {"YEAR-MISMATCH", "DUPLICATE", "NOT-ON-ROSTER", "SUMMARY-OVERLAP", "TEXT-SIMILAR"}


def test_every_rule_has_a_failing_and_a_passing_case():
    assert set(FAIL) == set(RULES) - MERGE_RULES
    merge_tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parents[1].glob("merge/test_merge*.py"))
    assert all(f'"{rule}"' in merge_tests for rule in MERGE_RULES)


NEEDS_LO = {"ANCHOR-MISSING", "EXTRA-CELLS"}  # their failing case is a workbook LibreOffice edited


class _LoFiles:
    """lo_files, asked for only by the cases that use them (so the others run without LibreOffice)."""

    def __init__(self, request):
        self.request = request

    def __getitem__(self, key):
        return self.request.getfixturevalue("lo_files")[key]


def _params(rules):
    return [pytest.param(r, marks=pytest.mark.libreoffice) if r in NEEDS_LO else r for r in sorted(rules)]


@pytest.mark.parametrize("rule", _params(set(RULES) - MERGE_RULES))
def test_rule_fires(rule, tmp_path, request):
    findings = FAIL[rule](tmp_path, _LoFiles(request))
    hits = [f for f in findings if f.rule == rule]
    assert hits, [f.rule for f in findings]
    assert all(f.severity == RULES[rule].severity for f in hits)
    assert all(f.message for f in hits)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_passes(rule, tmp_path, request):
    findings = PASS[rule](tmp_path, _LoFiles(request)) if rule in PASS else findings_of(EDU)
    assert rule not in [f.rule for f in findings]


# ---- the rules one by one, with their exact figures and words ----------------------------------
def test_t3_balance_message_names_column_and_both_sides():
    [f, _] = [f for f in findings_of(EXAMPLES / "05-自然资源局-结转不平衡.xlsx") if f.rule == "T3-BALANCE"]
    assert f.cells == ["t3.new.natural", "t3.carried_over.natural", "t3.total.natural", "t3.carried_forward.natural"]
    assert f.where == ["表三!D5", "表三!D6", "表三!D28", "表三!D29"]
    assert (f.expected, f.actual) == (104, 105)
    assert f.message == "表三 自然人列：一、本年新收 + 二、上年结转 = 104，（七）总计 + 四、结转下年度继续办理 = 105，相差 1"


def test_a_stated_total_is_judged_as_it_stands(tmp_path):
    """J5 (t3.new.total) stated as 91 though its parts sum to 90: every identity uses 91."""
    findings = findings_of(patched(tmp_path, "表三", {"J5": 91}))
    rowsum = [f for f in findings if f.rule == "T3-ROWSUM"]
    assert [(f.expected, f.actual) for f in rowsum] == [(91, 90)]
    balance = [f for f in findings if f.rule == "T3-BALANCE"]
    assert [(f.cells[0], f.expected, f.actual) for f in balance] == [("t3.new.total", 98, 97)]


def test_a_total_without_a_value_is_recomputed_and_said_so(tmp_path):
    path = patched(tmp_path, "表三", {"J5": ("formula", "SUM(D5:I5)")})
    report = read_report(path)
    assert report.cells["t3.new.total"] == ORIGINAL.cells["t3.new.total"]
    [f] = report.findings
    assert f.message == "表三「一、本年新收」总计列（表三!J5）没有数值（文件可能由不计算公式的软件保存），已按各项之和计为 90"
    assert [x.rule for x in check_report(report, today=TODAY)] == ["TOTAL-RECOMPUTED"]


def test_type_names_the_cell(tmp_path):
    [f] = [f for f in findings_of(patched(tmp_path, "表三", {"D7": -1})) if f.rule == "TYPE"]
    assert f.message == "表三「（一）予以公开」自然人列（表三!D7）：-1 为负数（件数和金额不能为负）"
    [f] = [f for f in findings_of(patched(tmp_path, "表三", {"D7": 2.5})) if f.rule == "TYPE"]
    assert f.message == "表三「（一）予以公开」自然人列（表三!D7）：2.5 不是整数（件数应为整数）"


def test_fee_unpaid_compares_dropped_applications_with_notices():
    [f] = [
        f
        for f in report_findings(set_cells(t3__other__unpaid_fee__natural=3, t3__other__unpaid_fee__total=3, fee__notices=1))
        if f.rule == "FEE-UNPAID"
    ]
    assert (f.expected, f.actual) == (3, 1)


def test_cross_year_rules_against_last_years_workbook(tmp_path):
    last = synth.report(5, "示例县测试局", year=2024)
    this = synth.report(5, "示例县测试局", year=2025)
    # this year's carried-over equals last year's carried-forward, in force = last + issued − repealed
    for c in ("natural", "business", "research", "nonprofit", "legal", "other_org", "total"):
        this.cells[f"t3.carried_over.{c}"] = last.cells[f"t3.carried_forward.{c}"]
    this.where = {}
    for r in ("rule", "normative"):
        this.cells[f"t2.{r}.in_force"] = last.cells[f"t2.{r}.in_force"] + this.cells[f"t2.{r}.issued"] - this.cells[f"t2.{r}.repealed"]
    rules = [f.rule for f in check_report(this, last, TODAY)]
    assert "XY-CARRY" not in rules and "XY-INFORCE" not in rules
    this.cells["t2.rule.in_force"] += 2
    [f] = [f for f in check_report(this, last, TODAY) if f.rule == "XY-INFORCE"]
    assert f.severity == "warning" and f.cells == ["t2.rule.in_force", "t2.rule.issued", "t2.rule.repealed"]


USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # GB 32100-2015, computed independently


def independent_check_char(body: str) -> str:
    return USCC_CHARS[(31 - sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=False)) % 31) % 31]


@pytest.mark.parametrize("body", ["11450221MB1234567", "91110108551385082", "12100000400010386", "5144010006789012A"[:17]])
def test_uscc_check_character(body):
    code = body + independent_check_char(body)
    assert uscc_problem(code) is None
    wrong = USCC_CHARS[(USCC_CHARS.index(code[17]) + 1) % 31]
    assert uscc_problem(code[:17] + wrong) == f"校验位（第 18 位）应为「{code[17]}」，实为「{wrong}」，代码可能抄错"
    assert uscc_problem(code.lower()) is None  # read as upper case


@pytest.mark.parametrize(
    "code, problem",
    [
        ("1145022195322750N", "应为 18 位，实为 17 位"),
        ("11450221953227I0NX", "含有不允许的字符「I」（只用数字和大写字母，不用 I、O、S、V、Z）"),
    ],
)
def test_uscc_format(code, problem):
    assert uscc_problem(code) == problem


@pytest.mark.parametrize("year, ok", [(2021, True), (2026, True), (2020, False), (2027, False), (None, False), ("2025", False)])
def test_meta_year_is_plausible(year, ok):
    meta = {"agency": "某局", "uscc": "", "year": year}
    assert ("META-YEAR" not in [f.rule for f in meta_findings(meta, today=TODAY)]) == ok


@pytest.mark.parametrize(
    "kind, published, late",
    [
        ("部门报告", dt.date(2026, 1, 31), False),
        ("部门报告", dt.date(2026, 2, 1), True),
        ("政府报告", dt.date(2026, 3, 31), False),
        ("汇总报告", dt.date(2026, 4, 1), True),
    ],
)
def test_deadline_by_kind(kind, published, late):
    f = deadline_finding({"year": 2025, "kind": kind, "published_on": published})
    assert (f is not None) == late
    if f:
        assert f.severity == "warning" and f.message.startswith(f"封面「发布日期」{published.isoformat()} 晚于法定期限")


# ---- NARRATIVE -----------------------------------------------------------------------------------
TOTALS = {
    "t3.new.total": 12,
    "t3.carried_over.total": 3,
    "t3.total.total": 14,
    "t3.carried_forward.total": 1,
    "fee.collected": 0,
    "fee.notices": 0,
    "t4.review.total": 2,
    "t4.suit_direct.total": 1,
    "t4.suit_after_review.total": 0,
    "t2.normative.issued": 4,
    "t2.rule.issued": 0,
}


@pytest.mark.parametrize(
    "text, cell, stated",
    [
        ("全年共收到政府信息公开申请13件。", "t3.new.total", 13),
        ("本年度新收政府信息公开申请１３件，办结14件。", "t3.new.total", 13),
        ("共受理依申请公开申请 1,300 件。", "t3.new.total", 1300),
        ("全年未收到政府信息公开申请。", "t3.new.total", 0),
        ("上年结转政府信息公开申请2件。", "t3.carried_over.total", 2),
        ("全年共收到申请12件，办结13件。", "t3.total.total", 13),
        ("结转下年度继续办理2件。", "t3.carried_forward.total", 2),
        ("本年度收取信息处理费200元。", "fee.collected", 200),
        ("本年发出收费通知书3件。", "fee.notices", 3),
        ("发生政府信息公开行政复议案件3件。", "t4.review.total", 3),
        ("本年度未发生政府信息公开行政复议、行政诉讼案件。", "t4.review.total", 0),
        ("本年度未发生政府信息公开行政复议、行政诉讼案件。", ("t4.suit_direct.total", "t4.suit_after_review.total"), 0),
        ("全年制发行政规范性文件5件。", "t2.normative.issued", 5),
    ],
)
def test_narrative_finds_the_usual_phrasings(text, cell, stated):
    findings = narrative_findings({"overview": text}, TOTALS)
    cells = (cell,) if isinstance(cell, str) else cell
    [f] = [f for f in findings if f.cells[: len(cells)] == list(cells)]
    assert f.severity == "warning" and f.actual == stated
    assert f.expected == sum(TOTALS[c] for c in cells)
    assert f.message.startswith("正文「一、总体情况」中「")


@pytest.mark.parametrize(
    "text",
    [
        "全年共收到政府信息公开申请12件，办结14件，结转下年度继续办理1件。",
        "本年度答复人大代表建议12件，政协提案5件。",  # not about applications
        "现行有效规范性文件120件。",  # in force, not issued this year
        "共收到申请12件，其中通过网络收到申请8件。",  # a total, then a part of it
        "按时办结率100%。",
        "本机关本年度未收取信息处理费。",
        "本年度未产生信息处理费。",
        "共收到政府信息公开申请15件（含上年结转3件），均已办结。",
    ],
)
def test_narrative_stays_quiet_when_consistent_or_unrelated(text):
    assert narrative_findings({"overview": text, "other": "六、其他需要报告的事项"}, TOTALS) == []


def test_narrative_names_the_table_cell_and_the_text_cell(tmp_path):
    [f] = [f for f in findings_of(EXAMPLES / "05-自然资源局-结转不平衡.xlsx") if f.rule == "NARRATIVE"]
    assert (
        f.message
        == "正文「一、总体情况」中「结转下年度继续办理1件」所述结转下年度的申请为 1 件，与表三「四、结转下年度继续办理」总计列的 2 不一致"
    )
    assert f.where == ["表三!J29", "正文!A3"]


def test_catalogue_titles_are_chinese_and_ids_upper_case():
    for rule in RULES.values():
        assert rule.id == rule.id.upper() and rule.severity in ("error", "warning")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.title)
    assert set(CELLS)  # the catalogue is about this form


def test_readme_documents_every_rule_and_the_value_policy():
    import re

    from conftest import ROOT

    import xlsx_tools.values as values

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 校验 (validate)") :]
    section = section[: section.find("\n## ", 5) if "\n## " in section[5:] else None]
    for rule in RULES:
        assert re.search(rf"(?<![\w-]){re.escape(rule)}(?![\w-])", section), rule
    policy_rules = set(re.findall(r"\| ([A-Z][A-Z0-9-]+(?:, [A-Z0-9-]+)*)\s+\|", values.__doc__))
    assert len(policy_rules) >= 9, policy_rules
    for cell in policy_rules:
        for rule in cell.split(", "):
            assert rule in section, rule


def test_a_huge_year_is_a_finding_not_a_crash(tmp_path):
    """Excel's client sends 16+ digit text as a bare number: the year may be anything."""
    from xlsx_tools.build.template import build_workbook
    from xlsx_tools.check.validate import validate_file
    from xlsx_tools.testing import synth

    report = synth.report(3, "示例县统计局")
    report.meta["year"] = 10**20
    path = tmp_path / "huge-year.xlsx"
    build_workbook(path, report)
    result = validate_file(path)
    assert "META-YEAR" in [f.rule for f in result.findings if f.is_error]
    # the same year arriving as an exact int (the xlwings path) is judged, not a crash
    from xlsx_tools.check.validate import check_report

    findings = check_report(report)
    assert [f.rule for f in findings if f.is_error] == ["META-YEAR"]
    assert not [f for f in findings if f.rule == "DEADLINE"]
