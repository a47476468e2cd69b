"""The 校验 button run on a workbook file, for PCs where the button itself cannot run.

`marked_workbook(path)` does what clicking 校验 in Excel does, and writes the result
into a copy of the file: the payload xlwings' VBA client would send for the workbook
(`file_payload`, built from the file by the reader's own python-calamine source) goes
through the button's code on xlwings' remote engine (`validate_payload`, hence the
same colours, 校验结果 rows and cover status), and the actions it returns are written
into the package at the XML level (`patch.apply_actions`), so that nothing else in the
file changes. The input file is only read.

The payload mirrors the VBA client's JSON encoder (WebHelpers.bas): empty cells null,
whole numbers as integers, dates as "yyyy-mm-ddT00:00:00.000Z", error cells as their
text, digit strings of 16–100 characters as bare numbers; worksheets only (chart
sheets are not in `Workbook.Worksheets`); the workbook-scoped defined names that refer
to one cell (the anchors the button reads). `xlsx_tools.testing.payload.book_payload`
builds the same payload independently with openpyxl, and the tests compare them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass

from ..findings import ToolError
from ..form import Pos
from ..read.workbook import XLSX, display_name, open_workbook
from ..values import CellError
from .patch import PatchError, apply_actions

_LARGE_NUMBER = re.compile(r"^[0-9.Ee]{16,100}$")
FIRST_CELL = Pos("", 0, 0).a1  # what Excel selects in a sheet never clicked
MARKABLE = (".xlsx", ".xlsm")


class NotMarkable(ToolError):
    """This file cannot be marked (Chinese message); its findings can still be shown."""


def vba_value(value: object) -> object:
    """A cell value as xlwings' VBA client sends it (see the module docstring)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return int(value)
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):
        return f"1899-12-30T{value.strftime('%H:%M:%S')}.000Z"
    if isinstance(value, dt.timedelta):
        return (dt.datetime(1899, 12, 30) + value).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    text = str(value)
    if _LARGE_NUMBER.match(text):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _worksheets(wb) -> list[str]:
    """The workbook's worksheets in order (what `Workbook.Worksheets` lists)."""
    import python_calamine

    try:
        return [m.name for m in wb._book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
    except Exception:  # noqa: BLE001 - metadata is a refinement; every sheet is a worksheet in a report
        return wb.sheet_names()


def _sheet_values(wb, sheet: str) -> list[list]:
    rows = wb.rows(sheet)
    out = []
    for r, row in enumerate(rows):
        values = []
        for c, value in enumerate(row):
            if value == "" or value is None:
                value = wb.value(Pos(sheet, r, c))  # an error cell (calamine reads it as blank) or nothing
                values.append(str(value) if isinstance(value, CellError) else None)
            else:
                values.append(vba_value(value))
        out.append(values)
    if not out or all(v is None for row in out for v in row):
        return [[]]  # the client sends Array(Array()) for an empty sheet
    width = max(len(row) for row in out)
    return [row + [None] * (width - len(row)) for row in out]


def file_payload(path: str | os.PathLike, name: str | None = None, version: str | None = None) -> dict:
    """The payload `RunServerPython` would send for the workbook at `path` (ReadError when
    the file cannot be read as a workbook; NotMarkable when it is not an .xlsx/.xlsm)."""
    wb = open_workbook(path)
    if wb.kind != XLSX:
        raise NotMarkable("只有 .xlsx、.xlsm 工作簿可以标注；请下载问题清单，或把文件另存为 .xlsx 后再上传。")
    if version is None:
        from importlib.metadata import version as installed

        version = installed("xlwings")
    sheets = _worksheets(wb)
    names = [
        {
            "name": label,
            "sheet_index": sheets.index(pos.sheet),
            "address": pos.a1,
            "book_scope": True,
            "scope_sheet_name": None,
            "scope_sheet_index": None,
        }
        for label, pos in wb.names().items()
        if pos.sheet in sheets
    ]
    return {
        "client": "VBA",
        "version": version,
        "book": {"name": name or display_name(path), "active_sheet_index": 0, "selection": FIRST_CELL},
        "names": names,
        "sheets": [{"name": s, "pictures": [], "tables": [], "values": _sheet_values(wb, s)} for s in sheets],
    }


@dataclass
class Marked:
    data: bytes  # the marked workbook
    actions: list[dict]  # what the button did (validate_payload's actions)
    parts: list[str]  # the package parts that changed


def marked_workbook(path: str | os.PathLike, name: str | None = None, today: dt.date | None = None) -> Marked:
    """The workbook at `path` as the 校验 button leaves it: input cells coloured, the
    results sheet filled, the cover's status cell written; nothing else changed."""
    from .remote import validate_payload

    payload = file_payload(path, name)
    actions = validate_payload(payload, today)["actions"]
    if not any(a["func"] in ("setRangeColor", "setValues") for a in actions):
        raise NotMarkable("此文件不是用本工具的报告模板填写的工作簿，无法在其中标注；请下载问题清单。")
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        patched = apply_actions(data, [s["name"] for s in payload["sheets"]], actions)
    except PatchError as exc:
        raise NotMarkable(f"{exc.message}；请下载问题清单。") from None
    return Marked(patched.data, actions, patched.parts)


__all__ = ["MARKABLE", "Marked", "NotMarkable", "file_payload", "marked_workbook", "vba_value"]
