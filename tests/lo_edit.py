"""Edit a workbook with LibreOffice, as a person would in a spreadsheet program.

Run with a Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with
python3-uno):  python3 lo_edit.py PROFILE_DIR JOBS_JSON_FILE

JOBS_JSON_FILE holds a list of jobs [SRC, DST, OPS], run in one LibreOffice session.
OPS is a list of operations applied in order:
  ["insert_rows", sheet, row0, count]      rows inserted before 0-based row (Excel/LO move defined names)
  ["insert_cols", sheet, col0, count]
  ["delete_rows", sheet, row0, count]
  ["delete_sheet", sheet]
  ["set", sheet, row0, col0, value]        a number or a string
  ["formula", sheet, row0, col0, "=1/0"]   a formula
  ["basic_module", name, source]           a Basic/VBA module (for .xlsm)
The result is stored in the format DST's extension asks for (.xlsx, .xlsm, .xls, .ods).
Sheets are unprotected first (the template's protection has no password).
"""

import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {
    ".xlsx": "Calc MS Excel 2007 XML",
    ".xlsm": "Calc MS Excel 2007 VBA XML",
    ".xls": "MS Excel 97",
    ".ods": "calc8",
}


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile):
    pipe = f"xlsxtools_lo_{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return proc, ctx
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("LibreOffice did not start")


def main(profile, jobs):
    proc, ctx = connect(profile)
    desktop = None
    try:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for src, dst, ops in jobs:
            edit(desktop, src, dst, ops)
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def edit(desktop, src, dst, ops):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise SystemExit(f"LibreOffice could not open {src}")
    sheets = doc.Sheets
    for i in range(sheets.Count):
        sheets.getByIndex(i).unprotect("")
    if doc.isProtected():
        doc.unprotect("")
    for op in ops:
        kind = op[0]
        if kind == "insert_rows":
            sheets.getByName(op[1]).Rows.insertByIndex(op[2], op[3])
        elif kind == "insert_cols":
            sheets.getByName(op[1]).Columns.insertByIndex(op[2], op[3])
        elif kind == "delete_rows":
            sheets.getByName(op[1]).Rows.removeByIndex(op[2], op[3])
        elif kind == "formula":
            sheets.getByName(op[1]).getCellByPosition(op[3], op[2]).setFormula(op[4])
        elif kind == "delete_sheet":
            sheets.removeByName(op[1])
        elif kind == "set":
            cell = sheets.getByName(op[1]).getCellByPosition(op[3], op[2])
            if isinstance(op[4], str):
                cell.setString(op[4])
            else:
                cell.setValue(op[4])
        elif kind == "basic_module":  # a VBA module: LibreOffice writes xl/vbaProject.bin for it
            from com.sun.star.script import ModuleInfo

            libs = doc.BasicLibraries
            libs.VBACompatibilityMode = True
            libs.ProjectName = "VBAProject"
            if not libs.hasByName("VBAProject"):
                libs.createLibrary("VBAProject")
            lib = libs.getByName("VBAProject")
            lib.insertByName(op[1], op[2])
            info = ModuleInfo()
            info.ModuleType = 1  # com.sun.star.script.ModuleType.NORMAL
            lib.insertModuleInfo(op[1], info)
        else:
            raise SystemExit(f"unknown operation {kind}")
    doc.calculateAll()
    ext = os.path.splitext(dst)[1].lower()
    doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)), (prop("FilterName", FILTERS[ext]),))
    doc.close(True)


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as fh:
        main(sys.argv[1], json.load(fh))
