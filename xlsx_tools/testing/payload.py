"""The JSON payload that xlwings' VBA client sends for a workbook, built from a file.

`RunServerPython` in xlwings' `Remote.bas` posts the open workbook as JSON: the
client and xlwings version, the book's name, active sheet and selection, every
defined name that refers to a range, and each worksheet's values from A1 to the
end of its used range. `book_payload(path)` builds the same dict from an .xlsx or
.xlsm on disk, so tests and the server (`xw.Book(json=payload)`) see exactly what
Excel would send. The conversions mirror the client's JSON encoder (WebHelpers.bas):

| cell holds                  | Excel/VBA sends                       |
|-----------------------------|---------------------------------------|
| nothing                     | null                                  |
| a number                    | a JSON number (whole numbers as 5)    |
| a date or time              | "2022-01-18T00:00:00.000Z"            |
| an error (#REF! …)          | the error text "#REF!"                |
| text of 16–100 characters made of digits, '.', 'E', 'e' | the bare number (the client's "large number" rule) |
| other text, TRUE/FALSE      | a JSON string / boolean               |

The input file is only read.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ..excel.filebook import vba_value  # what the VBA client sends for a cell (one definition)
from ..form import Pos

FIRST_CELL = Pos("", 0, 0).a1  # what Excel selects in a sheet never clicked
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_RANGE = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?|\$?[A-Z]{1,3}:\$?[A-Z]{1,3}|\$?\d+:\$?\d+)$"
)


def _defined_names(path: Path, sheets: list[str]) -> list[dict]:
    """Every defined name that refers to a single range, as `Remote.bas` lists them."""
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    all_sheets = [s.get("name", "") for s in root.iterfind("m:sheets/m:sheet", NS)]
    names = []
    for dn in root.iterfind("m:definedNames/m:definedName", NS):
        m = _RANGE.match((dn.text or "").strip())
        if not m:
            continue  # constants, formulas, #REF!, several areas: no RefersToRange
        target = (m.group(1) or "").replace("''", "'") or m.group(2)
        if target not in sheets:
            continue
        name = dn.get("name", "")
        name = name.removeprefix("_xlnm.")
        local = dn.get("localSheetId")
        scope = all_sheets[int(local)] if local is not None and int(local) < len(all_sheets) else None
        names.append(
            {
                "name": f"{scope}!{name}" if scope else name,
                "sheet_index": sheets.index(target),
                "address": m.group(3).replace("$", ""),
                "book_scope": scope is None,
                "scope_sheet_name": scope,
                "scope_sheet_index": all_sheets.index(scope) if scope else None,
            }
        )
    return names


def book_payload(path: str | Path, version: str | None = None) -> dict:
    """The payload `RunServerPython` would send for the workbook at `path`.

    `version` defaults to the installed xlwings version (the remote engine refuses
    a payload from another version)."""
    import openpyxl

    path = Path(path)
    if version is None:
        from importlib.metadata import version as installed

        version = installed("xlwings")
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        sheets = [ws.title for ws in wb.worksheets]
        active = wb.active
        selection = FIRST_CELL
        if active is not None and active.sheet_view.selection:
            selection = (active.sheet_view.selection[0].sqref or FIRST_CELL).replace(" ", ",")
        sheet_payloads = []
        for ws in wb.worksheets:
            rows = [
                [vba_value(c.value) for c in row] for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column)
            ]
            if all(v is None for row in rows for v in row):
                rows = [[]]  # the client sends Array(Array()) for an empty sheet
            sheet_payloads.append({"name": ws.title, "pictures": [], "tables": [], "values": rows})
        return {
            "client": "VBA",
            "version": version,
            "book": {
                "name": path.name,
                "active_sheet_index": wb.worksheets.index(active) if active in wb.worksheets else 0,
                "selection": selection,
            },
            "names": _defined_names(path, sheets),
            "sheets": sheet_payloads,
        }
    finally:
        wb.close()


__all__ = ["book_payload"]
