"""Zip limits bound what the reader inflates, not what a workbook may carry unread:
a summary's long 明细 sheet must not stop it being read (and merged again)."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from xlsx_tools.findings import ReadError
from xlsx_tools.read.package import MAX_PART_BYTES
from xlsx_tools.read.reader import read_report

ROOT = Path(__file__).resolve().parents[2]
EDU = ROOT / "examples" / "03-教育局.xlsx"


def _padding(size: int) -> bytes:
    """XML comment of random digits: compresses only ~2:1, like real cell data."""
    digits = bytes(b"0123456789"[i % 10] for i in range(256))
    return b"<!--" + random.Random(1).randbytes(size).translate(digits) + b"-->"


def _rewrite(src: Path, dst: Path, member: str, grow: int) -> None:
    """Copy a workbook, making one worksheet part `grow` bytes larger (a comment before its root's end)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                data = data.replace(b"</worksheet>", _padding(grow) + b"</worksheet>")
            zout.writestr(info, data)


def _part_of(sheet_index: int) -> str:
    return f"xl/worksheets/sheet{sheet_index}.xml"


def test_a_large_sheet_the_reader_never_opens_is_no_obstacle(tmp_path):
    path = tmp_path / "big-unread.xlsx"
    _rewrite(EDU, path, _part_of(8), MAX_PART_BYTES + 2**20)  # 校验结果, never read
    assert path.stat().st_size < 20 * 2**20
    report = read_report(path)
    assert report.cells == read_report(EDU).cells


def test_a_large_sheet_the_reader_needs_is_refused_with_its_name(tmp_path):
    path = tmp_path / "big-t3.xlsx"
    _rewrite(EDU, path, _part_of(4), MAX_PART_BYTES + 2**20)  # 表三
    with pytest.raises(ReadError) as exc:
        read_report(path)
    assert exc.value.finding.message.startswith("big-t3.xlsx：工作表「表三」解压后 21 MB")
