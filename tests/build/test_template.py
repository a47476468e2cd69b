"""The template's structure, inspected with openpyxl (an independent reader)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from gk import (
    AMOUNT,
    CELLS,
    CHECK_SHEET,
    COVER,
    FORM_ID,
    FORM_NAME,
    INPUT_IDS,
    LAYOUT,
    LIVE_ROWS,
    META_FIELDS,
    RESULT_SHEET,
    SHEET_ORDER,
    STATUS_NAME,
    TOTAL_IDS,
    anchor_name,
)
from openpyxl.worksheet.formula import ArrayFormula

from xlsx_tools.build.formulas import ALLOWED_FUNCTIONS
from xlsx_tools.build.template import build_workbook

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "workbook_template.xlsx"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.xlsx"
    build_workbook(path)
    return path


@pytest.fixture(scope="module")
def wb(built):
    return openpyxl.load_workbook(built)


def _formula(value):
    return value.text if isinstance(value, ArrayFormula) else value


def signature(path: Path) -> dict:
    """Everything a clerk meets: values, formulas, locked state, merges, validation,
    conditional formats, protection and defined names."""
    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or not c.protection.locked:
                    cells[c.coordinate] = (_formula(c.value), c.protection.locked, c.fill.fgColor.rgb, c.number_format)
        dv = sorted(
            (str(d.sqref), d.type, d.operator, d.formula1, d.formula2, d.prompt, d.error) for d in ws.data_validations.dataValidation
        )
        cf = sorted((str(rng.sqref), tuple(r.formula or ())) for rng in ws.conditional_formatting for r in rng.rules)
        sheets[ws.title] = {
            "cells": cells,
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "validation": dv,
            "conditional": cf,
            "protected": ws.protection.sheet,
            "freeze": ws.freeze_panes,
            "print_titles": ws.print_title_rows,
        }
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    return {"sheets": sheets, "names": names, "order": wb.sheetnames}


def test_committed_template_equals_builder_output(built):
    """workbook_template.xlsx at the repo root is what `xlsx-tools template` produces."""
    assert signature(COMMITTED) == signature(built)


def test_sheets_in_order(wb):
    assert wb.sheetnames == list(SHEET_ORDER)


def test_every_input_cell_unlocked_validated_and_marked(wb):
    for cid in INPUT_IDS:
        pos = LAYOUT.pos[cid]
        cell = wb[pos.sheet].cell(pos.row + 1, pos.col + 1)
        assert cell.protection.locked is False, cid
        assert cell.fill.fgColor.rgb.endswith("FFF2CC"), cid  # the input colour
        rules = [d for d in wb[pos.sheet].data_validations.dataValidation if pos.a1 in d.sqref]
        assert len(rules) == 1, cid
        rule = rules[0]
        assert rule.type == ("decimal" if CELLS[cid].kind == AMOUNT else "whole"), cid
        assert rule.operator == "greaterThanOrEqual" and rule.formula1 == "0"
        assert rule.prompt and rule.error and rule.showErrorMessage


def test_totals_are_locked_sum_formulas(wb):
    for cid in TOTAL_IDS:
        pos = LAYOUT.pos[cid]
        cell = wb[pos.sheet].cell(pos.row + 1, pos.col + 1)
        assert cell.protection.locked is True, cid
        assert isinstance(cell.value, str) and re.fullmatch(r"=SUM\([A-Z0-9:,]+\)", cell.value), (cid, cell.value)
    assert wb["表三"]["J5"].value == "=SUM(D5:I5)"  # 一、本年新收 总计 = six applicant columns
    assert wb["表三"]["D28"].value == "=SUM(D7:D27)"  # （七）总计 = （一）…（六）
    assert wb["表四"]["E5"].value == "=SUM(A5:D5)"


def test_everything_else_is_locked_and_sheets_protected(wb):
    unlocked_allowed = set()
    for sheet in LAYOUT.sheets.values():
        for k, p in sheet.values.items():
            if k in INPUT_IDS or k.startswith(("meta.", "text.")) or k == "run_status":
                unlocked_allowed |= {(p.sheet, p.moved(dcol=i).a1) for i in range(sheet.value_span.get(k, 1))}
    for ws in wb.worksheets:
        if ws.title in (RESULT_SHEET, LAYOUT.notes):  # the button writes the results; staff explain warnings in the notes
            assert not ws.protection.sheet  # the 校验 button writes its findings here
            continue
        assert ws.protection.sheet, ws.title
        for row in ws.iter_rows():
            for c in row:
                if not c.protection.locked:
                    assert (ws.title, c.coordinate) in unlocked_allowed, (ws.title, c.coordinate)


def test_workbook_structure_is_protected(built):
    with zipfile.ZipFile(built) as z:
        xml = z.read("xl/workbook.xml").decode()
    assert '<workbookProtection lockStructure="1"/>' in xml


def test_anchors_for_every_id_and_form_version(wb):
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    for cid in CELLS:
        assert names[anchor_name(cid)] == LAYOUT.pos[cid].ref
    form = LAYOUT.pos["form"]
    assert names[FORM_NAME] == form.ref
    assert wb[COVER].cell(form.row + 1, form.col + 1).value == FORM_ID
    assert STATUS_NAME in names


def test_labels_are_the_statutory_ones(wb):
    """Row and column labels around every cell, as the national form prints them."""
    for cid in CELLS:
        for label in LAYOUT.labels_near(cid):
            assert wb[label.pos.sheet].cell(label.pos.row + 1, label.pos.col + 1).value == label.text
    t3 = wb["表三"]
    assert t3["A2"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert "A7:A28" in [str(m) for m in t3.merged_cells.ranges]  # 三、本年度办理结果 spans the results
    assert t3["A29"].value == "四、结转下年度继续办理"


def test_formulas_use_only_functions_every_spreadsheet_has(wb):
    used = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                f = _formula(c.value)
                if isinstance(f, str) and f.startswith("="):
                    used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', "", f)))
        for rng in ws.conditional_formatting:
            for rule in rng.rules:
                for f in rule.formula or ():
                    used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', "", f)))
    assert used <= ALLOWED_FUNCTIONS, used - ALLOWED_FUNCTIONS
    assert {"SUM", "IF", "ROUND", "SUMIF"} <= used


def test_check_sheet_lists_every_live_rule(wb):
    ws = wb[CHECK_SHEET]
    codes = [ws.cell(5 + i, 1).value for i in range(len(LIVE_ROWS))]
    assert codes == [r.code for r in LIVE_ROWS]
    rules = {r.rule for r in LIVE_ROWS}
    assert {"T3-BALANCE", "T3-ROWSUM", "T3-RESULTS", "T4-SUM", "TYPE", "FEE-COLLECTED", "FEE-UNPAID"} <= rules


def test_failed_identity_cells_are_highlighted_by_conditional_formats(wb):
    """The cells of T3-BALANCE for 自然人 light up when that check's 问题数 is > 0; every
    cell is in one conditional-format range only, whose rules combine all its checks
    (Gnumeric keeps only the last of overlapping ranges)."""
    t3 = wb["表三"]
    ranges = [(str(r.sqref).split(), [rule.formula[0] for rule in r.rules]) for r in t3.conditional_formatting]
    covering = {}
    for cells, formulas in ranges:
        for rng in cells:
            for row in t3[rng] if ":" in rng else [[t3[rng]]]:
                for cell in row:
                    assert cell.coordinate not in covering, cell.coordinate  # one range per cell
                    covering[cell.coordinate] = formulas
    for a1 in ("D5", "D6", "D28", "D29"):  # 一、二、（七）总计、四 of 自然人
        assert "GK_CHK_T3_BALANCE_natural>0" in covering[a1][0], a1
    assert covering["D5"][0].startswith("OR(GK_CHK_T3_BALANCE_natural>0,GK_CHK_T3_ROWSUM_new>0,IF(ISNUMBER(D5)")
    assert "GK_CHK_T3_BALANCE_natural" not in covering["D7"][0]  # （一）予以公开 is not in that identity
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    assert names["GK_CHK_T3_BALANCE_natural"].startswith(f"'{CHECK_SHEET}'!$J$")


def test_metadata_fields_are_inputs_with_prompts(wb):
    cover = wb[COVER]
    for m in META_FIELDS:
        pos = LAYOUT.pos[f"meta.{m.key}"]
        assert cover.cell(pos.row + 1, pos.col + 1).protection.locked is False
        assert cover.cell(pos.row + 1, pos.col).value == m.label
        assert any(pos.a1 in d.sqref and d.prompt for d in cover.data_validations.dataValidation), m.key


def test_print_setup_a4_fit_to_width(wb):
    for name in ("表二", "表三", "表四"):
        ws = wb[name]
        assert ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows
        assert ws.freeze_panes
    assert wb["表四"].page_setup.orientation == "landscape"


def test_template_is_small_and_fast(tmp_path):
    start = time.perf_counter()
    build_workbook(tmp_path / "t.xlsx")
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, elapsed
    assert (tmp_path / "t.xlsx").stat().st_size < 100_000
    assert COMMITTED.stat().st_size < 100_000
