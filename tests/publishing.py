"""Shared helpers of the publisher's tests: published documents, and the edits a person
makes to one after it was published (a number retyped in Word)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from lxml import etree

from xlsx_tools.publish import publish_file

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def published(src: Path, out: Path, **kw) -> Path:
    """`src` published to `out` (its kind by the suffix); the document must be written."""
    done = publish_file(src, out, **kw)
    assert done.written, [f.message for f in done.result.findings]
    return out


def table_cells(docx: Path, table: int) -> list[list[str]]:
    """The texts of a .docx table's cells, row by row (each w:tc once, merged ones too)."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    tbl = root.findall(f".//{{{W}}}tbl")[table]
    return [["".join(tc.itertext()) for tc in tr.findall(f"{{{W}}}tc")] for tr in tbl.findall(f"{{{W}}}tr")]


def retyped(docx: Path, out: Path, table: int, row: int, cell: int, text: str) -> Path:
    """A copy of `docx` in which one table cell's text was changed (as a person would in
    Word: the document's text only, its properties kept)."""
    with zipfile.ZipFile(docx) as zf:
        parts = {info: zf.read(info.filename) for info in zf.infolist()}
    for info, data in parts.items():
        if info.filename == "word/document.xml":
            root = etree.fromstring(data)
            tbl = root.findall(f".//{{{W}}}tbl")[table]
            tc = tbl.findall(f"{{{W}}}tr")[row].findall(f"{{{W}}}tc")[cell]
            (t,) = tc.iter(f"{{{W}}}t")
            t.text = text
            parts[info] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts.items():
            zf.writestr(info, data)
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
