"""Helpers for the merge tests: real submissions on disk, and a look inside the summary."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import sys
from pathlib import Path

import python_calamine
from gk import compute_totals

from xlsx_tools.build.template import build_workbook
from xlsx_tools.cli import main
from xlsx_tools.read.reader import read_report
from xlsx_tools.report import Report
from xlsx_tools.testing import synth

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def agency_report(seed: int, agency: str | None = None, year: int = 2025, **meta) -> Report:
    report = synth.report(seed, agency or f"示例县第{seed}局", year=year, applications=20 + seed % 50)
    report.meta.update(meta)
    return report


def write(report: Report, path: Path, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(path, report)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def unbalance(report: Report) -> Report:
    """One more case carried forward than the table accounts for (T3-BALANCE)."""
    report.cells["t3.carried_forward.natural"] += 1
    report.cells["t3.carried_forward.total"] += 1
    return report


def cells_of(report: Report) -> dict:
    return compute_totals({k: v for k, v in report.cells.items()})


def run(*args: str | Path) -> int:
    return main([str(a) for a in args])


def sheet(path: Path, name: str) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(name).to_python()


def register(path: Path) -> dict[str, dict]:
    """The 报送登记 rows keyed by file name (last part of 文件)."""
    rows = sheet(path, "报送登记")
    head = rows[0]
    return {Path(r[1]).name: dict(zip(head, r, strict=False)) for r in rows[1:]}


def summary_cells(path: Path) -> dict:
    return read_report(path).cells


def snapshot(folder: Path) -> dict[str, tuple[str, float]]:
    """SHA-256 and mtime of every file under `folder`."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p)] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def encrypt(src: Path, dst: Path, password: str = "secret") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(src.read_bytes())).encrypt(password, out)
    dst.write_bytes(out.getvalue())
    return dst


def lock_file(path: Path, user: str = "zhangmin") -> Path:
    """What Excel leaves next to an open workbook: ~$name.xlsx, 165 bytes, the user's name."""
    body = bytes([len(user)]) + user.encode("ascii").ljust(53, b" ") + b"\x00" * 2
    path.write_bytes(body + user.encode("utf-16-le").ljust(110, b" "))
    return path


def foreign_workbook(path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["部门", "申请数"])
    ws.write_row(1, 0, ["教育局", 12])
    wb.close()
    return path


def days_ago(n: int) -> dt.date:
    return dt.date(2026, 1, 20) - dt.timedelta(days=n)


PYTHON = sys.executable
