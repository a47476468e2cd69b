"""The payload builder sends what xlwings' VBA client (Remote.bas) would send."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import openpyxl
from gk import COVER, INPUT_IDS, LAYOUT, SHEET_ORDER, T3_SHEET, anchor_name

from xlsx_tools.read.reader import read_report
from xlsx_tools.testing.payload import book_payload

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UNBALANCED = EXAMPLES / "05-自然资源局-结转不平衡.xlsx"


def test_payload_shape_matches_the_vba_client():
    payload = book_payload(UNBALANCED)
    assert payload["client"] == "VBA"
    assert payload["version"] == xw.__version__
    assert payload["book"] == {"name": UNBALANCED.name, "active_sheet_index": 0, "selection": "A1"}
    assert [s["name"] for s in payload["sheets"]] == list(SHEET_ORDER)
    for sheet in payload["sheets"]:
        assert sheet["pictures"] == [] and sheet["tables"] == []
        widths = {len(row) for row in sheet["values"]}
        assert len(widths) == 1  # a rectangle from A1 to the end of the used range
    json.dumps(payload)  # plain JSON, as posted


def test_values_from_a1_to_the_used_range():
    payload = book_payload(UNBALANCED)
    wb = openpyxl.load_workbook(UNBALANCED, data_only=True)
    ws = wb[T3_SHEET]
    values = next(s for s in payload["sheets"] if s["name"] == T3_SHEET)["values"]
    assert len(values) == ws.max_row and len(values[0]) == ws.max_column
    pos = LAYOUT.pos["t3.new.natural"]
    assert values[pos.row][pos.col] == ws.cell(pos.row + 1, pos.col + 1).value
    assert isinstance(values[pos.row][pos.col], int)  # whole numbers as 5, not 5.0


def test_names_are_listed_as_the_client_lists_them():
    names = {n["name"]: n for n in book_payload(UNBALANCED)["names"]}
    for cid in ("t3.new.natural", "t2.fee.amount", "fee.collected"):
        pos = LAYOUT.pos[cid]
        entry = names[anchor_name(cid)]
        assert entry["sheet_index"] == SHEET_ORDER.index(pos.sheet)
        assert entry["address"] == pos.a1
        assert entry["book_scope"] is True and entry["scope_sheet_name"] is None
    titles = names[f"{T3_SHEET}!Print_Titles"]  # sheet-scoped built-in names keep their sheet
    assert titles["book_scope"] is False and titles["scope_sheet_name"] == T3_SHEET
    assert titles["address"] == "1:4"


def test_remote_engine_reads_the_payload_like_the_file():
    report = read_report(UNBALANCED)
    book = xw.Book(json=book_payload(UNBALANCED))
    try:
        for cid in INPUT_IDS[::17]:
            assert book.names[anchor_name(cid)].refers_to_range.value == report.cells[cid]
        published = book.names[anchor_name("meta.published_on")].refers_to_range.value
        assert published == dt.datetime.combine(report.meta["published_on"], dt.time())
    finally:
        book.close()


def test_conversions_follow_the_json_encoder_of_the_client(tmp_path):
    path = tmp_path / "kinds.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "a"
    ws["A1"] = "1234567890123456"  # 16 digits: the client sends a bare number
    ws["B1"] = "12345"
    ws["C1"] = dt.datetime(2022, 1, 18)
    ws["D1"] = 2.5
    ws["E1"] = True
    ws["A2"] = "=1/0"
    wb.create_sheet("empty")
    wb.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    payload = book_payload(path)
    first = payload["sheets"][0]["values"]
    assert first[0] == [1234567890123456, "12345", "2022-01-18T00:00:00.000Z", 2.5, True]
    assert first[1][0] is None  # a formula without a cached value
    assert payload["sheets"][1]["values"] == [[]]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # input only read


def test_cover_date_arrives_as_the_client_writes_dates():
    payload = book_payload(UNBALANCED)
    pos = LAYOUT.pos["meta.published_on"]
    cover = next(s for s in payload["sheets"] if s["name"] == COVER)["values"]
    assert cover[pos.row][pos.col].endswith("T00:00:00.000Z")
