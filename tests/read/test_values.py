import datetime as dt
import math

import pytest

from xlsx_tools.values import (
    BLANK,
    ERROR,
    NIL,
    NOT_NUMBER,
    NUMBER,
    TEXT_NUMBER,
    TOO_LARGE,
    CellError,
    classify,
    clean_number,
    label_key,
    parse_date,
    parse_int,
)


@pytest.mark.parametrize(
    "raw, case, value",
    [
        (5.0, NUMBER, 5),
        (7, NUMBER, 7),
        (2.5, NUMBER, 2.5),
        (-3.0, NUMBER, -3),  # TYPE judges the sign, the reader keeps the number
        (3.0000000000000004, NUMBER, 3),  # float noise of a formula
        (None, BLANK, None),
        ("", BLANK, None),
        ("   ", BLANK, None),
        ("\u3000", BLANK, None),
        (" 0", TEXT_NUMBER, 0),  # as in the reference report
        ("0 ", TEXT_NUMBER, 0),
        ("\xa012\xa0", TEXT_NUMBER, 12),
        ("１２", TEXT_NUMBER, 12),  # full-width digits
        ("０．５", TEXT_NUMBER, 0.5),
        ("1,234", TEXT_NUMBER, 1234),
        ("１，２３４", TEXT_NUMBER, 1234),
        ("零", TEXT_NUMBER, 0),
        ("—", NIL, 0),
        ("——", NIL, 0),
        ("-", NIL, 0),
        ("－", NIL, 0),  # full-width hyphen
        ("/", NIL, 0),
        ("无", NIL, 0),
        (" 无 ", NIL, 0),
        ("1,5", NOT_NUMBER, None),  # not a thousands separator: ambiguous
        ("5件", NOT_NUMBER, None),
        ("abc", NOT_NUMBER, None),
        (True, NOT_NUMBER, None),
        (dt.datetime(1900, 1, 5), NOT_NUMBER, None),
        (CellError("#REF!"), ERROR, None),
        ("#VALUE!", ERROR, None),
        (1e12, TOO_LARGE, None),
        (-2e15, TOO_LARGE, None),
        ("99999999999999", TOO_LARGE, None),
        (math.inf, TOO_LARGE, None),
        (math.nan, TOO_LARGE, None),
    ],
)
def test_classify(raw, case, value):
    got_case, got_value, _shown = classify(raw)
    assert (got_case, got_value) == (case, value)
    if value is not None:
        assert type(got_value) is type(value)


def test_classify_quotes_the_raw_content():
    assert classify(" 0")[2] == " 0"
    assert classify(CellError("#DIV/0!"))[2] == "#DIV/0!"
    assert classify(True)[2] == "TRUE"


def test_clean_number():
    assert clean_number(5.0) == 5 and type(clean_number(5.0)) is int
    assert clean_number(0.1 + 0.2) == pytest.approx(0.3) and type(clean_number(0.1 + 0.2)) is float
    assert type(clean_number(2.0**60)) is float  # beyond exact integers: left alone


@pytest.mark.parametrize(
    "raw, date",
    [
        (dt.datetime(2022, 1, 18, 0, 0), dt.date(2022, 1, 18)),
        (dt.date(2022, 1, 18), dt.date(2022, 1, 18)),
        (44579, dt.date(2022, 1, 18)),  # Excel serial
        ("2022年1月18日", dt.date(2022, 1, 18)),
        ("２０２２年１月１８日", dt.date(2022, 1, 18)),
        ("2022-01-18", dt.date(2022, 1, 18)),
        ("2022/1/18", dt.date(2022, 1, 18)),
        ("2022.1.18", dt.date(2022, 1, 18)),
        ("20220118", dt.date(2022, 1, 18)),
        ("2022-02-30", None),
        ("明年一月", None),
        (12, None),
    ],
)
def test_parse_date(raw, date):
    assert parse_date(raw) == date


@pytest.mark.parametrize(
    "raw, year", [(2025.0, 2025), ("2025", 2025), ("2025年", 2025), ("２０２５年度", 2025), ("2025.5", None), ("明年", None)]
)
def test_parse_int(raw, year):
    assert parse_int(raw) == year


@pytest.mark.parametrize(
    "a, b",
    [
        ("商业\n企业", "商业企业"),
        ("结果\n纠正", "结果纠正"),
        ("1．属于国家秘密", "1.属于国家秘密"),
        ("1．属于国家秘密", "1、属于国家秘密"),
        ("3．危及“三安全一稳定”", '3.危及"三安全一稳定"'),
        ("（七）总计", "(七)总计"),
        (" 行政 许可 ", "行政许可"),
        ("第二十条第（一）项", "第二十条第(一)项"),
    ],
)
def test_label_key_equates_variants(a, b):
    assert label_key(a) == label_key(b)


def test_label_key_keeps_different_labels_apart():
    assert label_key("（七）总计") != label_key("总计")
    assert label_key("3．其他") != label_key("其他")
    assert label_key(12.0) == "" and label_key(None) == ""
