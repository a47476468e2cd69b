"""The rows of the live check sheet (校验): every rule the template can check live.

Each row carries its Excel formulas (compiled from the rules by `formulas.py`) and
computes the same figures in Python (`LiveRow.evaluate`), so the builder can cache
the results and tests can hold LibreOffice's recalculation against the Python rules.
Cross-year rules, NARRATIVE and DEADLINE need more than one workbook or free text;
they run in `xlsx-tools validate` and behind the 校验 button only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from ..check.rules import meta_findings, type_problem
from ..findings import ERROR, RULES, Number, Severity
from ..form import Check, FormSpec
from ..form.layout import col_letter
from . import formulas as fx

PASS, FAIL = "通过", "不通过"
META_RULES = (("META-AGENCY", "agency"), ("META-YEAR", "year"), ("META-USCC", "uscc"), ("META-NO-USCC", "uscc"))


def result_text(severity: Severity) -> str:
    return FAIL if severity == ERROR else severity.zh


@dataclass(frozen=True)
class LiveRow:
    spec: FormSpec = field(repr=False, compare=False)
    code: str
    rule: str
    scope: str
    lhs_label: str
    rhs_label: str
    kind: str  # linear | type | blank | meta
    cells: tuple[str, ...] = ()
    check: Check | None = field(default=None, compare=False)
    table: str = ""

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    @property
    def name(self) -> str:
        """Defined name of this row's 问题数 cell (used by conditional formats)."""
        return "GK_CHK_" + self.code.replace("-", "_").replace(".", "_")

    # ---- Excel ------------------------------------------------------------------
    def formulas(self, row: int) -> dict[str, str]:
        """Formulas for the lhs, rhs, diff and problems cells of this row (0-based row)."""
        spec, layout = self.spec, self.spec.layout
        sheet = layout.checks
        cell = {k: f"{col_letter(layout.check_col[k])}{row + 1}" for k in ("lhs", "rhs", "diff", "problems")}
        if self.kind == "linear":
            assert self.check is not None
            test = f"{cell['diff']}=0" if self.check.op == "==" else f"{cell['diff']}<=0"
            return {
                "lhs": "=" + fx.side(layout, self.check.lhs, sheet),
                "rhs": "=" + fx.side(layout, self.check.rhs, sheet),
                "diff": f"=ROUND({cell['lhs']}-{cell['rhs']},6)",
                "problems": f"=IF({test},0,1)",
            }
        if self.kind == "type":
            return {"lhs": fx.type_error_count(spec, list(self.cells), sheet), "problems": f"={cell['lhs']}"}
        if self.kind == "blank":
            return {"lhs": fx.blank_count(layout, list(self.cells), sheet), "problems": f"=IF({cell['lhs']}>0,1,0)"}
        ref = layout.pos[self.cells[0]].ref
        if self.rule == "META-AGENCY":
            problems = f"=IF(LEN(TRIM({ref}))>0,0,1)"
        elif self.rule == "META-YEAR":
            problems = f"=IF(ISNUMBER({ref}),IF(AND({ref}=INT({ref}),{ref}>={spec.first_year},{ref}<=YEAR(TODAY())),0,1),1)"
        elif self.rule == "META-USCC":
            problems = f"=IF(LEN(TRIM({ref}))=0,0,IF({fx.uscc_valid(ref)},0,1))"
        else:  # META-NO-USCC; a summary has no code of its own
            kind = layout.pos["meta.kind"].ref
            problems = f'=IF(AND(LEN(TRIM({ref}))=0,{kind}<>"{spec.summary_kind}"),1,0)'
        return {"lhs": f'={ref}&""', "problems": problems}

    def result_formula(self, row: int) -> str:
        return f'=IF({col_letter(self.spec.layout.check_col["problems"])}{row + 1}=0,"{PASS}","{result_text(self.severity)}")'

    # ---- Python -----------------------------------------------------------------
    def evaluate(self, values: dict[str, Number | None], meta: dict, today: dt.date | None = None) -> dict:
        """The cached values of this row's cells, as Excel computes them.

        `values` are the cells as the sheet states them (None: blank)."""
        zero = {k: (0 if v is None else v) for k, v in values.items()}
        if self.kind == "linear":
            assert self.check is not None
            left, right = self.check.sides(zero)
            diff = round(left - right, 6)
            return {"lhs": left, "rhs": right, "diff": diff, "problems": 0 if self.check.holds(left, right) else 1}
        if self.kind == "type":
            bad = sum(1 for c in self.cells if values.get(c) is not None and type_problem(self.spec, c, values[c]))
            return {"lhs": bad, "problems": bad}
        if self.kind == "blank":
            blank = sum(1 for c in self.cells if values.get(c) is None)
            return {"lhs": blank, "problems": 1 if blank else 0}
        raw = meta.get(self.cells[0].split(".", 1)[1])
        shown = raw.isoformat() if isinstance(raw, dt.date) else ("" if raw is None else str(raw))
        failed = any(f.rule == self.rule for f in meta_findings(self.spec, meta, today=today))
        return {"lhs": shown, "problems": 1 if failed else 0}


@lru_cache(maxsize=16)
def live_rows(spec: FormSpec) -> tuple[LiveRow, ...]:
    """Every row of the form's live check sheet, in order."""
    rows: list[LiveRow] = []
    for check in spec.checks:
        if not check.cross_year:
            rows.append(
                LiveRow(spec, check.code, check.rule, check.scope, check.lhs_label, check.rhs_label, "linear", tuple(check.cells), check)
            )
    tables = list(spec.layout.table_sheets)
    for kind, rule, what in (("type", "TYPE", "不符合要求的单元格数"), ("blank", "BLANK", "未填写的单元格数（按 0 计）")):
        for table in tables:
            ids = tuple(c for c in spec.input_ids if spec.cells[c].table == table)
            name = spec.cells[ids[0]].table_name
            rows.append(LiveRow(spec, f"{rule}.{table}", rule, name, what, "", kind, ids, table=table))
    for rule, key in META_RULES:
        rows.append(LiveRow(spec, rule, rule, spec.cover, spec.meta[key].label, "", "meta", (f"meta.{key}",)))
    return tuple(rows)


def row_of(spec: FormSpec, code: str) -> int:
    """0-based sheet row of a live check."""
    return spec.layout.check_first_row + [r.code for r in live_rows(spec)].index(code)


def totals(spec: FormSpec, values: dict[str, Number | None], meta: dict, today: dt.date | None = None) -> tuple[int, int]:
    """(errors, warnings) as the live check sheet counts them."""
    errors = warnings = 0
    for r in live_rows(spec):
        n = r.evaluate(values, meta, today)["problems"]
        if r.severity == ERROR:
            errors += n
        else:
            warnings += n
    return errors, warnings


def status_text(errors: int, warnings: int) -> str:
    """The cover's status sentence (also compiled into its formula)."""
    if errors == 0 and warnings == 0:
        return "校验通过"
    if errors == 0:
        return f"校验通过，另有 {warnings} 处提示"
    return f"发现 {errors} 处问题" + (f"，另有 {warnings} 处提示" if warnings else "")


def status_formula(errors_ref: str, warnings_ref: str) -> str:
    e, w = errors_ref, warnings_ref
    return f'=IF({e}+{w}=0,"校验通过",IF({e}=0,"校验通过，另有 "&{w}&" 处提示","发现 "&{e}&" 处问题"&IF({w}>0,"，另有 "&{w}&" 处提示","")))'
