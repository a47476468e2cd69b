"""Compile rules into Excel formulas.

Only functions that Excel 2007, WPS and LibreOffice all share are emitted
(`ALLOWED_FUNCTIONS`; a test scans the template for anything else).
"""

from __future__ import annotations

from itertools import groupby

from ..check.rules import USCC_CHARS, USCC_WEIGHTS
from ..form import AMOUNT, Check, FormSpec, Pos, Term
from ..form.layout import Layout, col_letter

ALLOWED_FUNCTIONS = frozenset(
    "SUM SUMIF IF AND OR NOT ROUND ABS INT MOD LEN TRIM MID FIND UPPER ISNUMBER ISTEXT ISBLANK "  # noqa: SIM905
    "COUNTBLANK IFERROR SUMPRODUCT YEAR TODAY".split()
)

Rect = tuple[str, int, int, int, int]  # sheet, first row, first col, last row, last col


def rectangles(positions: list[Pos]) -> list[Rect]:
    """Cover a set of cells exactly with few rectangles: vertical runs per column,
    then neighbouring columns with identical runs merged."""
    runs: list[tuple[str, int, int, int]] = []  # sheet, col, first row, last row
    for (sheet, col), group in groupby(sorted(positions, key=lambda p: (p.sheet, p.col, p.row)), key=lambda p: (p.sheet, p.col)):
        rows = [p.row for p in group]
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((sheet, col, start, prev))
                start = r
            prev = r
        runs.append((sheet, col, start, prev))
    rects: list[Rect] = []
    for sheet, col, r1, r2 in sorted(runs, key=lambda x: (x[0], x[2], x[3], x[1])):
        if rects and rects[-1][0] == sheet and rects[-1][1] == r1 and rects[-1][3] == r2 and rects[-1][4] == col - 1:
            s, a, b, c, _ = rects[-1]
            rects[-1] = (s, a, b, c, col)
        else:
            rects.append((sheet, r1, col, r2, col))
    return rects


def a1_range(rect: Rect) -> str:
    _, r1, c1, r2, c2 = rect
    first = f"{col_letter(c1)}{r1 + 1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_letter(c2)}{r2 + 1}"


def range_ref(rect: Rect, from_sheet: str | None = None) -> str:
    """D5:D6 on the same sheet, 'sheet'!D5:D6 from another."""
    return a1_range(rect) if rect[0] == from_sheet else f"'{rect[0]}'!{a1_range(rect)}"


def sum_of(layout: Layout, ids: list[str], from_sheet: str | None = None) -> str:
    """SUM(…) over the cells of `ids`, with contiguous cells written as ranges."""
    refs = [range_ref(r, from_sheet) for r in rectangles([layout.cell(i) for i in ids])]
    return f"SUM({','.join(refs)})"


def side(layout: Layout, terms: tuple[Term, ...], from_sheet: str | None = None) -> str:
    plus = [t.id for t in terms if t.sign > 0]
    minus = [t.id for t in terms if t.sign < 0]
    out = sum_of(layout, plus, from_sheet) if plus else "0"
    if minus:
        out += "-" + sum_of(layout, minus, from_sheet)
    return out


def total_formula(layout: Layout, check: Check) -> str:
    """=SUM(…): the template's formula for the total a defining check computes."""
    sheet = layout.cell(check.lhs[0].id).sheet
    return "=" + side(layout, check.rhs, sheet)


def type_error_count(spec: FormSpec, ids: list[str], from_sheet: str | None = None) -> str:
    """Array formula counting cells that are text, errors, negative or (counts) fractional."""
    parts = []
    for amount in (False, True):
        group = [i for i in ids if (spec.cells[i].kind == AMOUNT) == amount]
        for rect in rectangles([spec.layout.cell(i) for i in group]):
            r = range_ref(rect, from_sheet)
            bad = f"{r}<0" if amount else f"({r}<0)+({r}<>INT({r}))"
            parts.append(f"SUM(IF(ISNUMBER({r}),IF({bad},1,0),IF(ISBLANK({r}),0,1)))")
    return "{=" + "+".join(parts) + "}"


def blank_count(layout: Layout, ids: list[str], from_sheet: str | None = None) -> str:
    return "=" + "+".join(f"COUNTBLANK({range_ref(r, from_sheet)})" for r in rectangles([layout.cell(i) for i in ids]))


def type_cf(first: Pos, amount: bool) -> str:
    """Relative conditional-format formula for the top-left cell of an input range."""
    c = first.a1
    bad = f"{c}<0" if amount else f"OR({c}<0,{c}<>INT({c}))"
    return f"=IF(ISNUMBER({c}),{bad},NOT(ISBLANK({c})))"


def uscc_valid(ref: str) -> str:
    """A boolean formula: `ref` holds a valid 统一社会信用代码 (GB 32100-2015)."""
    u = f"UPPER(TRIM({ref}))"
    positions = "{" + ",".join(str(i) for i in range(1, 18)) + "}"
    weights = "{" + ",".join(str(w) for w in USCC_WEIGHTS) + "}"
    total = f'SUMPRODUCT((FIND(MID({u},{positions},1),"{USCC_CHARS}")-1)*{weights})'
    check = f'MID("{USCC_CHARS}",MOD(31-MOD({total},31),31)+1,1)'
    return f'IF(LEN({u})<>18,FALSE,IFERROR(AND(ISNUMBER(FIND(MID({u},18,1),"{USCC_CHARS}")),{check}=MID({u},18,1)),FALSE))'
