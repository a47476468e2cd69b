"""What a number cell may hold in the wild, and what we make of it.

Each case has its own finding; the table below is the documented policy (README):

| cell holds                          | rule            | severity | value used                |
|-------------------------------------|-----------------|----------|---------------------------|
| nothing (blank)                     | BLANK           | warning  | 0                         |
| number stored as text (" 0", "１２") | NUMBER-AS-TEXT  | warning  | the number                |
| "—", "-", "/", "无" …                | NIL-MARK        | warning  | 0                         |
| negative / fraction in a count      | TYPE            | error    | the number as stated      |
| implausibly huge (≥ 1e12)           | TYPE            | error    | the number as stated      |
| other text ("5件", "abc"), TRUE/FALSE, a date | NOT-NUMBER | error  | none: rules using it skip |
| Excel error (#REF!, #VALUE! …)      | CELL-ERROR      | error    | none: rules using it skip |
| a total with no value at all        | TOTAL-RECOMPUTED| warning  | the sum of its parts      |

A total that states a value is judged as it stands: the identities compare against
it, never against a recomputed sum.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from .findings import Number

NIL_MARKS = frozenset({"—", "——", "-", "--", "–", "/", "无", "空", "没有", "\\"})
HUGE = 1e12


class CellError(str):
    """An Excel error value such as #REF!."""


EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def clean_number(x: float | int) -> Number:
    """Whole floats become ints (5.0 -> 5): counts read from a workbook are floats."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def classify(raw: object) -> tuple[str, Number | None, str]:
    """(case, value, shown) for a raw cell value.

    case is one of: number, blank, text-number, nil, not-number, error.
    `shown` is how the raw content is quoted in messages."""
    if raw is None or (isinstance(raw, str) and not isinstance(raw, CellError) and raw == ""):
        return "blank", None, ""
    if isinstance(raw, CellError):
        return "error", None, str(raw)
    if isinstance(raw, bool):
        return "not-number", None, "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return "not-number", None, str(raw)
        return "number", clean_number(raw), ""
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return "not-number", None, str(raw)
    text = str(raw)
    if text.strip() in EXCEL_ERRORS:
        return "error", None, text.strip()
    norm = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if norm == "":
        return "blank", None, text
    if norm in NIL_MARKS or text.strip() in NIL_MARKS:
        return "nil", 0, text
    if _NUMBER.match(norm):
        value = float(norm)
        if math.isfinite(value):
            return "text-number", clean_number(value), text
    return "not-number", None, text


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(raw: object) -> dt.date | None:
    """A date from a date cell, an Excel serial number or text such as 2022年1月18日."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 20000 < raw < 80000:  # an Excel serial date (1954 … 2119)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
        return None
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                try:
                    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    return None
    return None


def parse_int(raw: object) -> int | None:
    case, value, _ = classify(raw)
    if case in ("number", "text-number") and value == int(value):
        return int(value)
    if isinstance(raw, str):  # "2025年"
        m = re.match(r"^\s*(\d{4})\s*年?(度)?\s*$", unicodedata.normalize("NFKC", raw))
        if m:
            return int(m.group(1))
    return None


def label_key(text: object) -> str:
    """Labels compare after NFKC, without whitespace and line breaks: 商业\\n企业 == 商业企业."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    return s.replace("“", '"').replace("”", '"')
