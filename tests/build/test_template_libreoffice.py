"""Headless LibreOffice recalculates the template and filled workbooks; its live checks
(the 校验 sheet and the cover's status) must say what the Python rules say."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from gk import CELLS, CHECK_FIRST_ROW, CHECK_SHEET, COL, LAYOUT, LIVE_ROWS
from openpyxl.worksheet.formula import ArrayFormula

from xlsx_tools.build.livechecks import status_text
from xlsx_tools.build.template import build_workbook
from xlsx_tools.check.validate import validate_file
from xlsx_tools.report import Report
from xlsx_tools.testing import synth

LIVE_RULES = {r.rule for r in LIVE_ROWS}
CODE_BY_CELLS = {(r.rule, tuple(r.cells)): r.code for r in LIVE_ROWS if r.kind == "linear"}


def _base() -> Report:
    return synth.report(5, "示例县司法局", applications=150)


def _state(report: Report, cid: str, delta) -> Report:
    """State a total (or input) that differs from what the formulas would compute."""
    report.cells[cid] = report.cells[cid] + delta
    return report


def cases() -> dict[str, tuple[Report, set[str]]]:
    """name -> (report, the rules it must fail and no other)."""
    out: dict[str, tuple[Report, set[str]]] = {"balanced": (_base(), set())}

    r = _base()  # a case both closed and carried forward: 一+二 ≠ （七）+四
    r.cells["t3.carried_forward.natural"] += 1
    r.cells["t3.carried_forward.total"] += 1
    out["T3-BALANCE"] = (r, {"T3-BALANCE"})

    r = _base()  # 总计 column overwritten in two rows that cancel out in the balance
    _state(r, "t3.new.total", 1)
    _state(r, "t3.carried_forward.total", 1)
    out["T3-ROWSUM"] = (r, {"T3-ROWSUM"})

    r = _base()  # （七）总计 of 自然人 overwritten; 一、本年新收 raised to keep the column's balance
    _state(r, "t3.total.natural", 1)
    _state(r, "t3.new.natural", 1)
    r.cells["t3.new.total"] += 1
    r.cells["t3.total.total"] += 1
    out["T3-RESULTS"] = (r, {"T3-RESULTS"})

    r = _base()
    _state(r, "t4.review.total", 2)
    out["T4-SUM"] = (r, {"T4-SUM"})

    r = _base()
    r.cells.update({"fee.notice_amount": 100.5, "fee.collected": 100.75})
    out["FEE-COLLECTED"] = (r, {"FEE-COLLECTED"})

    r = _base()
    r.cells["t3.other.unpaid_fee.natural"] += 3
    r.cells["t3.other.unpaid_fee.total"] += 3
    r.cells["t3.disclosed.natural"] -= 3
    r.cells["t3.disclosed.total"] -= 3
    r.cells["fee.notices"] = 0
    r.cells["fee.notice_amount"] = r.cells["fee.collected"] = 0
    out["FEE-UNPAID"] = (r, {"FEE-UNPAID"})

    r = _base()  # a negative and a fraction: TYPE, twice, while all sums still hold
    r.cells["t2.rule.repealed"] = -1
    r.cells["t4.review.other"] = 0.5
    r.cells["t4.review.total"] = None  # let the formula compute it
    out["TYPE"] = (r, {"TYPE"})

    r = _base()
    r.meta["agency"] = ""
    r.meta["uscc"] = "91350100M000100Y42"  # wrong check character (…Y43 is right)
    r.meta["year"] = 2019
    out["META"] = (r, {"META-AGENCY", "META-USCC", "META-YEAR"})

    r = _base()
    del r.meta["uscc"]
    out["META-NO-USCC"] = (r, {"META-NO-USCC"})

    r = _base()  # a summary has no 统一社会信用代码 of its own
    del r.meta["uscc"]
    r.meta["kind"] = "汇总报告"
    out["SUMMARY-NO-USCC"] = (r, set())
    return out


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, libreoffice):
    """Build every case (and the empty template), recalculate all in one LibreOffice run."""
    src = tmp_path_factory.mktemp("cases")
    files = {}
    for name, (report, _) in cases().items():
        report = copy.deepcopy(report)
        report.cells = {k: v for k, v in report.cells.items() if v is not None}
        files[name] = src / f"{name}.xlsx"
        build_workbook(files[name], report)
    files["template"] = src / "template.xlsx"
    build_workbook(files["template"])
    out = libreoffice.convert(list(files.values()), "xlsx", tmp_path_factory.mktemp("recalc"))
    return {name: (files[name], lo) for name, lo in zip(files, out, strict=True)}


def _sheet_rows(path: Path, sheet: str) -> list[list]:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def lo_problems(path: Path) -> Counter:
    """code -> 问题数 of every failing row of the 校验 sheet as LibreOffice computed it."""
    rows = _sheet_rows(path, CHECK_SHEET)
    out = Counter()
    for i, live in enumerate(LIVE_ROWS):
        row = rows[CHECK_FIRST_ROW + i]
        assert row[COL["code"]] == live.code
        n = int(row[COL["problems"]])
        assert row[COL["result"]] == ("通过" if n == 0 else ("不通过" if live.severity == "error" else "提示"))
        if n:
            out[live.code] = n
    return out


def python_problems(path: Path) -> Counter:
    """The same, from the Python rules run on the file as written."""
    out = Counter()
    for f in validate_file(path).findings:
        if f.rule not in LIVE_RULES:
            continue
        if f.rule == "TYPE":
            out[f"TYPE.{CELLS[f.cells[0]].table}"] += 1
        elif f.rule == "BLANK":
            out[f"BLANK.{CELLS[f.cells[0]].table}"] += 1
        elif f.rule.startswith("META"):
            out[f.rule] += 1
        else:
            out[CODE_BY_CELLS[(f.rule, tuple(f.cells))]] += 1
    return out


def lo_status(path: Path) -> str:
    pos = LAYOUT.pos["status"]
    return _sheet_rows(path, pos.sheet)[pos.row][pos.col]


@pytest.mark.parametrize("name", list(cases()) + ["template"])
def test_live_checks_agree_with_python_rules(name, recalculated):
    original, lo = recalculated[name]
    expected_rules = cases()[name][1] if name != "template" else {"BLANK", "META-AGENCY", "META-YEAR", "META-NO-USCC"}
    python = python_problems(original)
    assert {code.split(".")[0] for code in python} == expected_rules  # violates exactly that identity
    assert lo_problems(lo) == python
    errors = sum(n for code, n in python.items() if next(r for r in LIVE_ROWS if r.code == code).severity == "error")
    warnings = sum(python.values()) - errors
    assert lo_status(lo) == status_text(errors, warnings)


def test_balance_error_is_pinned_to_its_column(recalculated):
    _, lo = recalculated["T3-BALANCE"]
    assert lo_problems(lo) == Counter({"T3-BALANCE.natural": 1, "T3-BALANCE.total": 1})


def _formula_cells(path: Path) -> list[tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, ArrayFormula) or (isinstance(c.value, str) and c.value.startswith("=")):
                    out.append((ws.title, c.coordinate))
    return out


@pytest.mark.parametrize("name", ["balanced", "T3-RESULTS", "TYPE", "META", "template"])
def test_cached_values_equal_what_libreoffice_computes(name, recalculated):
    """A values-only reader (python-calamine, pandas) sees the same numbers Excel would."""
    from gk import parse_a1

    original, lo = recalculated[name]
    ours = python_calamine.CalamineWorkbook.from_path(str(original))
    theirs = python_calamine.CalamineWorkbook.from_path(str(lo))
    cache: dict = {}
    for sheet, a1 in _formula_cells(original):
        r, c = parse_a1(a1)
        for book, key in ((ours, "ours"), (theirs, "theirs")):
            if (key, sheet) not in cache:
                cache[(key, sheet)] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        a = cache[("ours", sheet)][r][c]
        b = cache[("theirs", sheet)][r][c]
        assert a == b or (isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-9), (sheet, a1, a, b)


def test_uscc_formula_agrees_with_python_on_many_codes(tmp_path, libreoffice):
    """The GB 32100-2015 check-character formula of the live check, on valid and broken codes."""
    import random

    from xlsx_tools.check.rules import uscc_problem

    rng = random.Random(3)
    codes = [synth.uscc(rng) for _ in range(12)]
    codes += [c[:17] + ("0" if c[17] != "0" else "1") for c in codes[:6]]  # wrong check character
    codes += ["91350100M000100Y43", "91350100m000100y43", "9135010OM000100Y43", "123", "91350100M000100Y4I"]
    files = []
    for i, code in enumerate(codes):
        report = _base()
        report.meta["uscc"] = code
        files.append(tmp_path / f"u{i}.xlsx")
        build_workbook(files[-1], report)
    out = libreoffice.convert(files, "xlsx", tmp_path / "lo")
    row = CHECK_FIRST_ROW + [r.code for r in LIVE_ROWS].index("META-USCC")
    for code, path in zip(codes, out, strict=True):
        lo_failed = _sheet_rows(path, CHECK_SHEET)[row][COL["problems"]] == 1
        assert lo_failed == (uscc_problem(code) is not None), code


def test_template_converts_to_pdf_one_page_wide_per_table(tmp_path, libreoffice):
    """Each statutory table prints on one page width: its leftmost label and rightmost
    column header land on the same page."""
    src = tmp_path / "template.xlsx"
    build_workbook(src)
    pdf = libreoffice.convert([src], "pdf", tmp_path / "pdf")[0]
    assert pdf.stat().st_size > 10_000
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p.replace(" ", "") for p in pages]

    def page_of(text: str) -> list[int]:
        return [i for i, p in enumerate(pages) if text in p]

    for title, left, right in (
        ("二、主动公开政府信息情况", "行政规范性文件", "现行有效件数"),
        ("三、收到和处理政府信息公开申请情况", "四、结转下年度继续办理", "法律服务机"),  # the header wraps in its cell
        ("四、政府信息公开行政复议、行政诉讼情况", "行政复议", "复议后起诉"),
    ):
        [page] = page_of(title)
        assert page in page_of(left) and page in page_of(right), title


def test_date_and_text_round_trip_through_libreoffice(recalculated):
    """LibreOffice keeps the metadata types: dates stay dates, the code stays text."""
    _, lo = recalculated["balanced"]
    report = validate_file(lo).report
    base = _base()
    assert report.meta["published_on"] == base.meta["published_on"]
    assert isinstance(report.meta["published_on"], dt.date)
    assert report.meta["uscc"] == base.meta["uscc"]
    assert report.cells["t3.total.total"] == base.cells["t3.total.total"]


def _pixels_of_colour(pdf: Path, page: int, rgb: tuple[int, int, int], tmp: Path) -> int:
    """Render one PDF page (pdftoppm, PPM) and count pixels of exactly this colour."""
    tmp.mkdir(parents=True, exist_ok=True)
    stem = tmp / f"p{page}"
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), str(pdf), str(stem)], check=True)
    [ppm] = list(tmp.glob(f"p{page}*.ppm"))
    data = ppm.read_bytes()
    # header: P6 <w> <h> <max>\n then raw RGB
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6"
    raw = parts[4]
    target = bytes(rgb)
    return sum(1 for i in range(0, len(raw) - 2, 3) if raw[i : i + 3] == target)


def test_failed_identity_cells_light_up_when_printed(tmp_path, libreoffice):
    """Conditional formats evaluated by a real engine: the 表三 page of a workbook with a
    T3-BALANCE error has error-red cells, the balanced one has none."""
    from gk import SHEET_ORDER, T3_SHEET

    from xlsx_tools.build.styles import ERROR_FILL

    red = tuple(int(ERROR_FILL[i : i + 2], 16) for i in (1, 3, 5))
    balanced, unbalanced = cases()["balanced"][0], cases()["T3-BALANCE"][0]
    files = [tmp_path / "ok.xlsx", tmp_path / "bad.xlsx"]
    build_workbook(files[0], balanced)
    build_workbook(files[1], unbalanced)
    pdfs = libreoffice.convert(files, "pdf", tmp_path / "pdf")
    page = SHEET_ORDER.index(T3_SHEET) + 1  # one page per sheet before it
    assert _pixels_of_colour(pdfs[0], page, red, tmp_path / "a") == 0
    assert _pixels_of_colour(pdfs[1], page, red, tmp_path / "b") > 100
