"""What a number cell may hold in the wild, and what we make of it.

Each case has its own finding. This table is the documented policy (the README's
section 校验 repeats it):

| cell holds                                        | rule             | severity | value used                 |
|---------------------------------------------------|------------------|----------|----------------------------|
| a number                                          | –                | –        | the number                 |
| nothing (blank input cell)                        | BLANK            | warning  | 0                          |
| a number stored as text: " 0", "0 ", "１２", "1,234" | NUMBER-AS-TEXT   | warning  | the number                 |
| "—", "-", "/", "无", "空" … (a dash for nothing)  | NIL-MARK         | warning  | 0                          |
| a negative number, or a fraction in a count       | TYPE             | error    | the number as stated       |
| an implausibly large number (≥ 1e12, inf)         | TOO-LARGE        | error    | none: rules using it skip  |
| other text ("5件", "abc"), TRUE/FALSE, a date     | NOT-NUMBER       | error    | none: rules using it skip  |
| an Excel error (#REF!, #VALUE! …)                 | CELL-ERROR       | error    | none: rules using it skip  |
| a formula without a cached result: =2000+517      | FORMULA-COMPUTED | warning  | its plain arithmetic       |
| a formula without a cached result: =D6+D7, =SUM() | FORMULA-NO-VALUE | error    | none: rules using it skip  |
| a total with no value at all (no cached result)   | TOTAL-RECOMPUTED | warning  | the sum of its parts       |
| a total that differs from the sum of its parts    | T3-ROWSUM, T3-RESULTS, T4-SUM | error | the total as stated |

A total that states a value is judged as it stands: the identities compare against
it, never against a recomputed sum. A count within 1e-9 of a whole number (float
noise of a formula such as =0.1*30) counts as that whole number.

Labels (row and column headers) are compared by `label_key`: NFKC (full-width to
half-width), without whitespace, line breaks and punctuation, so that '商业\\n企业',
'1．属于国家秘密' and '1.属于国家秘密', '危及“三安全一稳定”' and '危及"三安全一稳定"' agree.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache

from .findings import Number

NIL_MARKS = frozenset({"—", "——", "-", "--", "–", "―", "/", "无", "空", "没有", "\\", "／", "×"})
ZERO_WORDS = frozenset({"零", "〇"})
HUGE = 1e12
INT_NOISE = 1e-9

# Cases returned by `classify`.
NUMBER, BLANK, TEXT_NUMBER, NIL, NOT_NUMBER, ERROR, TOO_LARGE, FORMULA = (
    "number",
    "blank",
    "text-number",
    "nil",
    "not-number",
    "error",
    "too-large",
    "formula",
)


class CellError(str):
    """An Excel error value such as #REF!."""


class Formula(str):
    """A formula cell that holds no value (no cached result): its text, '=2000+517'."""


EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")
_ERROR_SET = frozenset(EXCEL_ERRORS)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def clean_number(x: float | int) -> Number:
    """Whole floats become ints (5.0 -> 5), and so do floats within float noise of a
    whole number (3.0000000000000004 -> 3): counts read from a workbook are floats."""
    if type(x) is float:
        if x.is_integer():
            return int(x) if abs(x) < 2**53 else x
        r = round(x)
        if abs(x - r) < INT_NOISE and abs(x) < 2**53:
            return int(r)
    return x


def classify(raw: object) -> tuple[str, Number | None, str]:
    """(case, value, shown) for a raw cell value.

    `case` is one of the constants above; `shown` is how the raw content is quoted in
    messages. The value is None where the cell gives no usable number."""
    t = type(raw)
    if t is float or t is int:
        if t is float and not math.isfinite(raw):  # type: ignore[arg-type]
            return TOO_LARGE, None, str(raw)
        if abs(raw) >= HUGE:  # type: ignore[arg-type]
            return TOO_LARGE, None, _shown_number(raw)  # type: ignore[arg-type]
        return NUMBER, clean_number(raw), ""  # type: ignore[arg-type]
    if raw is None or raw == "":
        return BLANK, None, ""
    if isinstance(raw, CellError):
        return ERROR, None, str(raw)
    if isinstance(raw, Formula):
        value = arithmetic(raw)
        if value is None:
            return FORMULA, None, str(raw)
        if not math.isfinite(value) or abs(value) >= HUGE:
            return TOO_LARGE, None, str(raw)
        return FORMULA, clean_number(value), str(raw)
    if isinstance(raw, bool):
        return NOT_NUMBER, None, "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)):  # subclasses (numpy-like)
        return classify(float(raw))
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        if isinstance(raw, dt.datetime) and raw.time() == dt.time():
            raw = raw.date()  # a number shown as a date: 5 -> 1900-01-05
        shown = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
        return NOT_NUMBER, None, shown
    text = str(raw)
    stripped = text.strip()
    if stripped in _ERROR_SET:
        return ERROR, None, stripped
    norm = unicodedata.normalize("NFKC", text).strip()
    if norm == "":
        return BLANK, None, text
    if norm in NIL_MARKS or stripped in NIL_MARKS:
        return NIL, 0, text
    if norm in ZERO_WORDS:
        return TEXT_NUMBER, 0, text
    if _GROUPED.match(norm):
        norm = norm.replace(",", "")
    if _NUMBER.match(norm):
        value = float(norm)
        if not math.isfinite(value) or abs(value) >= HUGE:
            return TOO_LARGE, None, text
        return TEXT_NUMBER, clean_number(value), text
    return NOT_NUMBER, None, text


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([-+*/()]))")
MAX_FORMULA_CHARS = 200


def arithmetic(formula: str) -> float | None:
    """The value of a formula that is plain arithmetic of numbers ('=2000+517', '=(3+4)*2',
    '=-5', '=100/4'), or None for anything else (references, functions, text, division by
    zero). A small recursive-descent parser: nothing is ever evaluated as code."""
    text = unicodedata.normalize("NFKC", formula).strip()
    if text.startswith("="):
        text = text[1:]
    if not text or len(text) > MAX_FORMULA_CHARS:
        return None
    tokens: list[str | float] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip() == "":
                break
            return None
        tokens.append(float(m.group(1)) if m.group(1) else m.group(2))
        pos = m.end()
    try:
        value, rest = _sum(tokens, 0)
    except (IndexError, ZeroDivisionError, _Unparsable):
        return None
    return value if rest == len(tokens) else None


class _Unparsable(Exception):
    pass


def _sum(tokens, i):
    value, i = _product(tokens, i)
    while i < len(tokens) and tokens[i] in ("+", "-"):
        right, j = _product(tokens, i + 1)
        value, i = (value + right if tokens[i] == "+" else value - right), j
    return value, i


def _product(tokens, i):
    value, i = _unary(tokens, i)
    while i < len(tokens) and tokens[i] in ("*", "/"):
        right, j = _unary(tokens, i + 1)
        value, i = (value * right if tokens[i] == "*" else value / right), j
    return value, i


def _unary(tokens, i):
    if tokens[i] in ("+", "-"):
        value, j = _unary(tokens, i + 1)
        return (value if tokens[i] == "+" else -value), j
    if tokens[i] == "(":
        value, j = _sum(tokens, i + 1)
        if j >= len(tokens) or tokens[j] != ")":
            raise _Unparsable
        return value, j + 1
    if isinstance(tokens[i], float):
        return tokens[i], i + 1
    raise _Unparsable


def _shown_number(x: float | int) -> str:
    return f"{x:.6g}" if isinstance(x, float) else str(x)


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


_YEAR = re.compile(r"^\s*(\d{4})\s*年?度?\s*$")


def parse_int(raw: object) -> int | None:
    """An integer from a number cell, a number stored as text, or '2025年'/'2025年度'."""
    case, value, _ = classify(raw)
    if case in (NUMBER, TEXT_NUMBER) and value is not None and value == int(value):
        return int(value)
    if isinstance(raw, str):
        m = _YEAR.match(unicodedata.normalize("NFKC", raw))
        if m:
            return int(m.group(1))
    return None


# Blanks around a cover text that do not count (the live checks agree). Not tabs or carriage
# returns: spreadsheet engines disagree about those (LibreOffice stores a tab as another
# character, Gnumeric's TRIM strips it), so they count as content everywhere.
TEXT_BLANKS = " \n\u3000\xa0"


def trimmed(raw: object) -> str:
    """A cover text as typed, without the spaces, tabs, line breaks and full-width spaces
    around it ('' for None). Not normalised: a full-width code stays full-width (and is
    wrong, as the workbook's own check says)."""
    return str(raw).strip(TEXT_BLANKS) if raw is not None else ""


def normalise_text(s: object) -> str:
    """NFKC (full-width to half-width) and trimmed; '' for None."""
    return unicodedata.normalize("NFKC", str(s)).strip() if s is not None else ""


_NOT_KEY = re.compile(r"[\W_]+")


@lru_cache(maxsize=8192)
def _label_key(text: str) -> str:
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", text))


def label_key(text: object) -> str:
    """How labels compare: NFKC, without whitespace, line breaks and punctuation.

    '商业\\n企业' == '商业企业'; '1．属于国家秘密' == '1.属于国家秘密' == '1、属于国家秘密'."""
    if text is None:
        return ""
    if type(text) is not str:
        if isinstance(text, (int, float)):
            return ""  # a number is never a label
        text = str(text)
    return _label_key(text)
