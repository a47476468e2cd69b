"""The worksheet functions, called with what Excel passes through xlwings: the calling
cell as `caller` (an xlwings Range), a text, and a range argument as an xlwings Range."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gk import COVER, LAYOUT, RESULT_HEADERS, T4_SHEET

from xlsx_tools.build.livechecks import FAIL, PASS
from xlsx_tools.excel import open_payload
from xlsx_tools.testing.payload import book_payload

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
from xlsx_tools.excel.udfs import GK_FINDINGS, GK_RULE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def book(request):
    book = open_payload(book_payload(EXAMPLES / request.param))
    yield book
    assert book.json()["actions"] == [], "a worksheet function must not change the workbook"
    book.close()


def caller(book):
    """The cell holding the formula (any cell: the functions judge the whole book)."""
    return book.sheets[COVER].range("E2")


def column_range(book, first: str, last: str):
    a, b = LAYOUT.pos[first], LAYOUT.pos[last]
    return book.sheets[a.sheet].range((a.row + 1, a.col + 1), (b.row + 1, b.col + 1))


@pytest.mark.parametrize("book", ["05-自然资源局-结转不平衡.xlsx"], indirect=True)
def test_findings_table_spills_with_a_header(book):
    table = GK_FINDINGS(caller(book))
    assert table[0] == list(RESULT_HEADERS)
    assert [row[1] for row in table[1:]] == ["T3-BALANCE", "T3-BALANCE", "NARRATIVE"]
    assert {len(row) for row in table} == {len(RESULT_HEADERS)}


@pytest.mark.parametrize("book", ["05-自然资源局-结转不平衡.xlsx"], indirect=True)
def test_findings_of_a_range(book):
    natural = column_range(book, "t3.new.natural", "t3.carried_forward.natural")
    table = GK_FINDINGS(caller(book), natural)
    assert [row[1] for row in table[1:]] == ["T3-BALANCE"]
    assert "自然人" in table[1][8]
    t4 = column_range(book, "t4.review.upheld", "t4.suit_after_review.total")
    assert t4.sheet.name == T4_SHEET
    assert GK_FINDINGS(caller(book), t4) == [[PASS]]


@pytest.mark.parametrize("book", ["03-教育局.xlsx"], indirect=True)
def test_findings_of_a_clean_workbook(book):
    assert GK_FINDINGS(caller(book)) == [[PASS]]


@pytest.mark.parametrize("book", ["05-自然资源局-结转不平衡.xlsx"], indirect=True)
def test_rule_pass_or_fail(book):
    assert GK_RULE(caller(book), "T3-BALANCE") == FAIL
    assert GK_RULE(caller(book), " t4-sum ") == PASS  # as typed in a formula
    assert GK_RULE(caller(book), "NARRATIVE") == FAIL
    assert GK_RULE(caller(book), "T3-BALANCE", column_range(book, "t4.review.upheld", "t4.review.total")) == PASS
    assert GK_RULE(caller(book), "NO-SUCH-RULE") == "未知规则「NO-SUCH-RULE」"
    assert GK_RULE(caller(book), None) == "未知规则「」"


@pytest.mark.parametrize("book", ["06-市场监管局-收费提示.xlsx"], indirect=True)
def test_rule_for_a_warning(book):
    assert GK_RULE(caller(book), "FEE-COLLECTED") == FAIL
    assert GK_RULE(caller(book), "T3-BALANCE") == PASS
