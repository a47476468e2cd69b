"""Worksheet functions (xlwings UDFs) for the report workbook.

    =GK_FINDINGS()               every finding of this workbook, as a spilled table
    =GK_FINDINGS(表三!D5:J31)     only the findings that involve cells of that range
    =GK_RULE("T3-BALANCE")       通过 or 不通过 for one rule of the catalogue
    =GK_RULE("TYPE", 表四!D5:O5)  the same, restricted to a range

Imported by Excel through xlwings (`UDF_MODULES` = xlsx_tools.excel.udfs in the
xlwings.conf sheet, then "Import Functions"). They only read the workbook, which
they reach through the calling cell; they are volatile, so they follow every edit.
"""

from __future__ import annotations

import xlwings as xw

from ..build.livechecks import FAIL, PASS
from ..findings import RULES, Finding
from ..form import Pos
from .book import BookCheck, check_book
from .results import result_rows


def _in_range(pos: Pos, rng) -> bool:
    rows, cols = rng.shape
    return pos.sheet == rng.sheet.name and rng.row <= pos.row + 1 < rng.row + rows and rng.column <= pos.col + 1 < rng.column + cols


def _findings(caller, cells) -> tuple[BookCheck, list[Finding]]:
    checked = check_book(caller.sheet.book)
    if cells is None:
        return checked, checked.findings
    return checked, [f for f in checked.findings if any(k in checked.found and _in_range(checked.found[k], cells) for k in f.cells)]


@xw.func(volatile=True)
@xw.arg("cells", "range", doc="可选：只列出涉及这个区域内单元格的问题")
def GK_FINDINGS(caller, cells=None):
    """校验本工作簿，返回问题清单（级别、规则、表、行、列、单元格、左边、右边、说明）。"""
    checked, findings = _findings(caller, cells)
    rows = result_rows(checked.spec, findings)
    if not rows:
        return [[PASS]]
    return [list(checked.spec.layout.result_headers), *rows]


@xw.func(volatile=True)
@xw.arg("rule", doc="规则编号，如 T3-BALANCE、T4-SUM、TYPE、FEE-COLLECTED")
@xw.arg("cells", "range", doc="可选：只看涉及这个区域内单元格的问题")
def GK_RULE(caller, rule, cells=None):
    """某条规则是否通过：返回「通过」或「不通过」。"""
    rule_id = str(rule or "").strip().upper()
    if rule_id not in RULES:
        return f"未知规则「{rule_id}」"
    return FAIL if any(f.rule == rule_id for f in _findings(caller, cells)[1]) else PASS
