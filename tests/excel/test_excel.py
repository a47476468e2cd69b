"""validate_book through the real xlwings API: payloads of real workbooks opened with
`xw.Book(json=...)` (the remote engine), the actions asserted and replayed on the file."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest
from gk import (
    CELLS,
    COVER,
    INPUT_KEYS,
    LAYOUT,
    RESULT_FIRST_ROW,
    RESULT_HEADERS,
    RESULT_SHEET,
    SHEET_ORDER,
    T3_SHEET,
    Pos,
    compute_totals,
    parse_a1,
)
from remote_actions import apply_actions, fill_of, remote_bas_actions

from xlsx_tools.build.livechecks import status_text
from xlsx_tools.build.styles import ERROR_FILL, INPUT_FILL, WARNING_FILL
from xlsx_tools.check.validate import validate_file
from xlsx_tools.excel import check_book, open_payload, validate_book, validate_caller, validate_payload
from xlsx_tools.testing.payload import book_payload

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UNBALANCED = EXAMPLES / "05-自然资源局-结转不平衡.xlsx"
FEE = EXAMPLES / "06-市场监管局-收费提示.xlsx"
CLEAN = EXAMPLES / "03-教育局.xlsx"
TODAY = dt.date(2026, 1, 10)
REMOTE_BAS = remote_bas_actions()


def run(payload: dict) -> list[dict]:
    actions = validate_payload(payload, TODAY)["actions"]
    assert {a["func"] for a in actions} <= REMOTE_BAS, "an action xlwings' VBA client cannot run"
    return actions


def colours(actions: list[dict]) -> dict[Pos, str]:
    """The fill each cell ends up with, replaying setRangeColor in order."""
    out: dict[Pos, str] = {}
    for a in actions:
        if a["func"] == "setRangeColor":
            sheet = SHEET_ORDER[a["sheet_position"]]
            for r in range(a["start_row"], a["start_row"] + a["row_count"]):
                for c in range(a["start_column"], a["start_column"] + a["column_count"]):
                    out[Pos(sheet, r, c)] = a["args"][0]
    return out


def cells_of(keys) -> set[Pos]:
    """Worksheet cells of layout keys, merged value cells across their width."""
    out = set()
    for key in keys:
        pos = LAYOUT.pos[key]
        span = LAYOUT.sheets[pos.sheet].value_span.get(key, 1)
        out |= {pos.moved(dcol=i) for i in range(span)}
    return out


def of(actions: list[dict], func: str) -> list[dict]:
    return [a for a in actions if a["func"] == func]


def result_values(actions: list[dict]) -> list[list]:
    sheet = SHEET_ORDER.index(RESULT_SHEET)
    return [row for a in of(actions, "setValues") if a["sheet_position"] == sheet for row in a["values"]]


def test_remote_bas_is_parsed():
    assert {"setRangeColor", "setValues", "rangeClearContents", "alert"} <= REMOTE_BAS


def test_unbalanced_workbook():
    actions = run(book_payload(UNBALANCED))
    expected = validate_file(UNBALANCED, today=TODAY).findings
    assert [f.rule for f in expected] == ["T3-BALANCE", "T3-BALANCE", "NARRATIVE"]

    fills = colours(actions)
    red = cells_of(["t3.new.natural", "t3.carried_over.natural", "t3.carried_forward.natural"])
    assert {p for p, c in fills.items() if c == ERROR_FILL} == red
    # NARRATIVE names a total (not coloured) and the narrative text cell it quotes
    assert {p for p, c in fills.items() if c == WARNING_FILL} == cells_of(["text.overview"])
    assert set(fills) == cells_of(INPUT_KEYS)  # every input cell reset first
    assert all(c in (INPUT_FILL, ERROR_FILL, WARNING_FILL) for c in fills.values())

    rows = result_values(actions)
    assert [len(r) for r in rows] == [len(RESULT_HEADERS)] * 3
    assert [(r[1], r[8]) for r in rows] == [(f.rule, f.message) for f in expected]  # same rules as `validate`
    first = rows[0]
    assert first[0] == "错误" and first[2] == "表三" and first[4] == CELLS["t3.new.natural"].col_name
    assert (first[6], first[7]) == (expected[0].expected, expected[0].actual)
    assert LAYOUT.pos["t3.new.natural"].a1 in first[5]

    status = LAYOUT.pos["run_status"]
    writes = {(SHEET_ORDER[a["sheet_position"]], a["start_row"], a["start_column"]): a["values"] for a in of(actions, "setValues")}
    assert writes[(status.sheet, status.row, status.col)] == [[status_text(2, 1)]]

    (alert,) = of(actions, "alert")
    prompt, _title, buttons, mode, callback = alert["args"]
    assert prompt.startswith("发现 2 处错误、1 处提示")
    assert expected[0].message in prompt and RESULT_SHEET in prompt
    assert (buttons, mode, callback) == ("ok", "critical", "")
    assert actions[-1] is alert  # the message box comes after every change


def test_actions_applied_back_with_openpyxl(tmp_path):
    actions = run(book_payload(UNBALANCED))
    out = tmp_path / "after.xlsx"
    alerts = apply_actions(UNBALANCED, actions, out)
    assert len(alerts) == 1
    wb = openpyxl.load_workbook(out)
    for key in ("t3.new.natural", "t3.carried_over.natural", "t3.carried_forward.natural"):
        pos = LAYOUT.pos[key]
        assert fill_of(wb[pos.sheet], pos) == ERROR_FILL, key
    for key in ("t3.new.business", "t2.rule.issued", "meta.agency", "fee.collected"):
        pos = LAYOUT.pos[key]
        assert fill_of(wb[pos.sheet], pos) == INPUT_FILL, key
    ws = wb[RESULT_SHEET]
    header = [c.value for c in ws[RESULT_FIRST_ROW]]
    assert header[: len(RESULT_HEADERS)] == list(RESULT_HEADERS)
    rules = [ws.cell(RESULT_FIRST_ROW + 1 + i, 2).value for i in range(4)]
    assert rules == ["T3-BALANCE", "T3-BALANCE", "NARRATIVE", None]
    status = LAYOUT.pos["run_status"]
    assert wb[COVER].cell(status.row + 1, status.col + 1).value == status_text(2, 1)


def _set_input(path: Path, key: str, value, target: Path) -> None:
    """Change one input as staff would, with the totals recalculated as Excel does."""
    wb = openpyxl.load_workbook(path)
    values = {cid: wb[LAYOUT.pos[cid].sheet].cell(LAYOUT.pos[cid].row + 1, LAYOUT.pos[cid].col + 1).value for cid in CELLS}
    values[key] = value
    totals = compute_totals({k: v for k, v in values.items() if not CELLS[k].total})
    for cid, v in {**totals, key: value}.items():
        pos = LAYOUT.pos[cid]
        wb[pos.sheet].cell(pos.row + 1, pos.col + 1).value = v
    wb.save(target)


def test_twice_gives_the_same_and_a_fix_clears_its_mark(tmp_path):
    first = run(book_payload(UNBALANCED))
    after1 = tmp_path / "after1.xlsx"
    apply_actions(UNBALANCED, first, after1)

    second = run(book_payload(after1))  # the workbook as Excel sends it after the first click
    assert second == first
    after2 = tmp_path / "after2.xlsx"
    apply_actions(after1, second, after2)
    a, b = openpyxl.load_workbook(after1), openpyxl.load_workbook(after2)
    for name in SHEET_ORDER:
        for ra, rb in zip(a[name].iter_rows(), b[name].iter_rows(), strict=False):
            assert [(c.value, fill_of(a[name], Pos(name, c.row - 1, c.column - 1))) for c in ra] == [
                (c.value, fill_of(b[name], Pos(name, c.row - 1, c.column - 1))) for c in rb
            ]

    fixed = tmp_path / "fixed.xlsx"
    wb = openpyxl.load_workbook(after2)
    pos = LAYOUT.pos["t3.carried_forward.natural"]
    old = wb[pos.sheet].cell(pos.row + 1, pos.col + 1).value
    _set_input(after2, "t3.carried_forward.natural", old - 1, fixed)
    third = run(book_payload(fixed))
    after3 = tmp_path / "after3.xlsx"
    alerts = apply_actions(fixed, third, after3)
    wb = openpyxl.load_workbook(after3)
    for key in ("t3.new.natural", "t3.carried_over.natural", "t3.carried_forward.natural"):
        p = LAYOUT.pos[key]
        assert fill_of(wb[p.sheet], p) == INPUT_FILL, key
    ws = wb[RESULT_SHEET]
    assert all(c.value is None for row in ws.iter_rows(min_row=RESULT_FIRST_ROW + 1) for c in row)
    assert alerts[0][0] == "校验通过：未发现问题。" and alerts[0][3] == "info"
    status = LAYOUT.pos["run_status"]
    assert wb[COVER].cell(status.row + 1, status.col + 1).value == status_text(0, 0)


def test_clean_workbook_passes():
    actions = run(book_payload(CLEAN))
    assert set(colours(actions).values()) == {INPUT_FILL}
    assert result_values(actions) == []
    assert not of(actions, "rangeClearContents")  # nothing written before, nothing to clear
    (alert,) = of(actions, "alert")
    assert alert["args"][0] == "校验通过：未发现问题。" and alert["args"][3] == "info"


def test_warnings_get_the_warning_fill_across_merged_cells():
    actions = run(book_payload(FEE))
    fills = colours(actions)
    assert {p for p, c in fills.items() if c == WARNING_FILL} == cells_of(["fee.collected", "fee.notice_amount"])
    assert len(cells_of(["fee.collected"])) > 1  # a merged value cell is coloured across its width
    (alert,) = of(actions, "alert")
    assert alert["args"][0].startswith("没有错误，有 1 处提示") and alert["args"][3] == "info"


def _insert_row(payload: dict, sheet: str, row: int) -> dict:
    """The payload after a row was inserted in `sheet` above 0-based `row` (names follow)."""
    moved = copy.deepcopy(payload)
    index = SHEET_ORDER.index(sheet)
    values = moved["sheets"][index]["values"]
    values.insert(row, [None] * len(values[0]))
    for name in moved["names"]:
        if name["sheet_index"] == index and ":" not in name["address"]:
            r, c = parse_a1(name["address"])
            if r >= row:
                name["address"] = Pos(sheet, r + 1, c).a1
    return moved


def test_cells_are_found_through_the_anchors_not_fixed_addresses():
    payload = _insert_row(book_payload(UNBALANCED), T3_SHEET, 1)  # a row above the table
    actions = run(payload)
    red = {p for p, c in colours(actions).items() if c == ERROR_FILL}
    assert red == {p.moved(drow=1) for p in cells_of(["t3.new.natural", "t3.carried_over.natural", "t3.carried_forward.natural"])}
    rows = result_values(actions)
    assert [r[1] for r in rows] == ["T3-BALANCE", "T3-BALANCE", "NARRATIVE"]
    assert LAYOUT.pos["t3.new.natural"].moved(drow=1).a1 in rows[0][5]


def test_foreign_workbook_gets_a_message_and_no_marks(tmp_path):
    path = tmp_path / "其他表格.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "别的表格"
    wb.save(path)
    actions = run(book_payload(path))
    assert [a["func"] for a in actions] == ["alert"]
    assert "不是 GK-2021 表式" in actions[0]["args"][0] and actions[0]["args"][3] == "critical"


def test_classic_entry_point_runs_unchanged_through_a_mock_caller():
    payload = book_payload(UNBALANCED)
    direct = open_payload(payload)
    validate_book(direct)
    expected = direct.json()["actions"]
    direct.close()

    book = open_payload(payload)
    book.set_mock_caller()
    try:
        validate_caller()
        assert book.json()["actions"] == expected
    finally:
        del xw.Book._mock_caller
        book.close()


def test_classic_entry_point_reports_an_internal_error_as_a_sentence(monkeypatch):
    import xlsx_tools.excel.book as excel_book

    def broken(book, today=None, rules=None):
        raise RuntimeError("模拟故障")

    monkeypatch.setattr(excel_book, "check_book", broken)
    book = open_payload(book_payload(CLEAN))
    book.set_mock_caller()
    try:
        validate_caller()
        (alert,) = book.json()["actions"]
        assert alert["func"] == "alert" and "内部错误" in alert["args"][0] and "模拟故障" in alert["args"][0]
        assert "Traceback" not in alert["args"][0]
    finally:
        del xw.Book._mock_caller
        book.close()


def test_check_book_only_reads():
    book = open_payload(book_payload(UNBALANCED))
    try:
        checked = check_book(book, TODAY)
        assert (checked.errors, checked.warnings) == (2, 1)
        assert checked.found["t3.new.natural"] == LAYOUT.pos["t3.new.natural"]
        assert book.json()["actions"] == []
    finally:
        book.close()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_every_example_matches_the_validate_command(path):
    actions = run(book_payload(path))
    expected = validate_file(path, today=TODAY).findings
    assert sorted((r[1], r[8]) for r in result_values(actions)) == sorted((f.rule, f.message) for f in expected)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.xlsx")) + [EXAMPLES.parent / "workbook_template.xlsm"], ids=lambda p: p.name)
def test_names_from_the_client_list_equal_the_engine_names(path):
    """BookSource reads the remote engine's names from the client's list (fast path);
    they must be exactly what xlwings' Name objects resolve to."""
    from xlsx_tools.excel.source import BookSource

    book = open_payload(book_payload(path))
    try:
        src = BookSource(book)
        fast = src._client_names()
        assert fast is not None and len(fast) > 200
        assert fast == src._engine_names()
        moved = _insert_row(book_payload(path), T3_SHEET, 2)  # names follow the rows
        other = open_payload(moved)
        try:
            assert BookSource(other)._client_names() == BookSource(other)._engine_names() != fast
        finally:
            other.close()
    finally:
        book.close()


# ---- explanations (说明) across clicks ---------------------------------------------------------
NOTES_SHEET = LAYOUT.notes
NOTE_FIRST = LAYOUT.note_first_row


def notes_values(actions: list[dict]) -> list[list]:
    sheet = SHEET_ORDER.index(NOTES_SHEET)
    return [row for a in of(actions, "setValues") if a["sheet_position"] == sheet for row in a["values"]]


def _explain(path: Path, row: int, text: str, target: Path) -> None:
    """Staff type an explanation into the notes sheet (column 情况说明)."""
    wb = openpyxl.load_workbook(path)
    wb[NOTES_SHEET].cell(NOTE_FIRST + row + 1, LAYOUT.note_col["text"] + 1).value = text
    wb.save(target)


def test_the_button_lists_warnings_for_explanation_and_keeps_explanations_across_clicks(tmp_path):
    expected = validate_file(FEE, today=TODAY).findings
    first = run(book_payload(FEE))
    [listed] = notes_values(first)
    assert listed == ["FEE-COLLECTED", "正文!B11:B12", expected[0].message, ""]
    after1 = tmp_path / "after1.xlsx"
    apply_actions(FEE, first, after1)

    typed = tmp_path / "typed.xlsx"
    said = "收取的 350 元含上年度发出收费通知、本年度缴纳的 150 元。"
    _explain(after1, 0, said, typed)
    [f] = [f for f in validate_file(typed, today=TODAY).findings if f.rule == "FEE-COLLECTED"]
    assert f.explanation == said and f.to_json()["explanation"] == said  # `validate` sees it too

    second = run(book_payload(typed))
    assert notes_values(second) == [["FEE-COLLECTED", "正文!B11:B12", expected[0].message, said]]
    [row] = [r for r in result_values(second) if r[1] == "FEE-COLLECTED"]
    assert row[-1] == said and RESULT_HEADERS[-1] == "情况说明"
    (alert,) = of(second, "alert")
    assert alert["args"][0].startswith("没有错误，有 1 处提示（其中 1 处已说明），请核实。")
    after2 = tmp_path / "after2.xlsx"
    apply_actions(typed, second, after2)

    third = run(book_payload(after2))  # the second click again: the same, explanation kept
    assert third == second
    after3 = tmp_path / "after3.xlsx"
    apply_actions(after2, third, after3)
    ws = openpyxl.load_workbook(after3)[NOTES_SHEET]
    assert [c.value for c in ws[NOTE_FIRST + 1]][:4] == ["FEE-COLLECTED", "正文!B11:B12", expected[0].message, said]
    status = LAYOUT.pos["run_status"]
    cover = openpyxl.load_workbook(after3)[COVER]
    assert cover.cell(status.row + 1, status.col + 1).value == status_text(0, 1) + "（其中 1 处提示已说明）"


def test_a_fixed_warning_loses_its_empty_row_but_an_explanation_stays(tmp_path):
    first = run(book_payload(UNBALANCED))
    assert [r[0] for r in notes_values(first)] == ["NARRATIVE"]  # errors are not listed for explanation
    after1 = tmp_path / "after1.xlsx"
    apply_actions(UNBALANCED, first, after1)
    wb = openpyxl.load_workbook(after1)
    ws = wb[NOTES_SHEET]
    ws.cell(NOTE_FIRST + 2, 1).value = "T3-BALANCE"  # an explanation of an error: kept, but explains nothing
    ws.cell(NOTE_FIRST + 2, LAYOUT.note_col["text"] + 1).value = "数字无误"
    wb.save(tmp_path / "typed.xlsx")
    second = run(book_payload(tmp_path / "typed.xlsx"))
    assert [(r[0], r[3]) for r in notes_values(second)] == [("NARRATIVE", ""), ("T3-BALANCE", "数字无误")]
    assert [r[-1] for r in result_values(second)] == ["", "", ""]  # the errors stay unexplained
    assert of(second, "alert")[0]["args"][0].startswith("发现 2 处错误、1 处提示。")
