"""Test support: what xlwings' VBA client can do with the actions a server returns.

`remote_bas_actions()` reads the action names from the installed xlwings'
addin/Remote.bas (every `Sub name(wb As Workbook, action As Dictionary)` that
`Application.Run action("func"), wb, action` can call). `apply_actions` replays the
actions we emit on a workbook file with openpyxl, as that client does in Excel.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill


def remote_bas() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("xlwings").origin).parent / "addin" / "Remote.bas"


def remote_bas_actions() -> set[str]:
    text = remote_bas().read_text(encoding="utf-8")
    return set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)", text, flags=re.MULTILINE))


def _cells(ws, action):
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    for r in range(r0, r0 + action["row_count"]):
        for c in range(c0, c0 + action["column_count"]):
            yield r, c


def apply_actions(source: Path, actions: list[dict], target: Path) -> list[list]:
    """Replay `actions` on a copy of `source` (values as the file caches them) saved to
    `target`; returns the arguments of the alerts. Unknown actions raise."""
    wb = openpyxl.load_workbook(source, data_only=True)  # formulas become their cached values
    sheets = wb.worksheets
    alerts = []
    for action in actions:
        func = action["func"]
        if func == "alert":
            alerts.append(action["args"])
            continue
        ws = sheets[action["sheet_position"]]
        if func == "setRangeColor":
            colour = action["args"][0].lstrip("#").upper()
            for r, c in _cells(ws, action):
                ws.cell(r, c).fill = PatternFill(fill_type="solid", fgColor="FF" + colour)
        elif func == "setValues":
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    ws.cell(r0 + i, c0 + j).value = None if value == "" else value
        elif func == "rangeClearContents":
            for r, c in _cells(ws, action):
                ws.cell(r, c).value = None
        else:
            raise AssertionError(f"no replay for action {func}")
    wb.save(target)
    wb.close()
    return alerts


def fill_of(ws, pos) -> str:
    """'#RRGGBB' of a cell's solid fill ('' if none); pos is a layout.Pos."""
    fill = ws.cell(pos.row + 1, pos.col + 1).fill
    if fill is None or fill.fill_type != "solid" or not isinstance(fill.fgColor.rgb, str):
        return ""
    return "#" + fill.fgColor.rgb[-6:].upper()
