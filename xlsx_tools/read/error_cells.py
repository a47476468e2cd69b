"""Excel error values (#REF!, #DIV/0! …) in a sheet, by (row, col), for each format.

python-calamine reads an error cell as an empty string, which would make it look like
a blank (counted 0). These scanners read the errors from the file itself; the reader
asks for them only when it meets a blank, so a complete workbook never pays for them.
None of them expands XML entities: they are regular expressions over the bytes
(.xlsx, .ods) and a walk over the BIFF8 records (.xls).
"""

from __future__ import annotations

import re
import struct

from ..form.layout import parse_a1
from ..values import CellError

Errors = dict[tuple[int, int], CellError]

# ---- .xlsx: <c r="D5" t="e"><v>#REF!</v></c> ------------------------------------------------
_XLSX_CELL = re.compile(rb"<c\b([^>]*?\bt=\"e\"[^>]*?)(?<!/)>(.*?)</c>", re.S)
_XLSX_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_XLSX_VALUE = re.compile(rb"<v>([^<]*)</v>")


def xlsx_errors(sheet_xml: bytes) -> Errors:
    found: Errors = {}
    if b't="e"' not in sheet_xml:
        return found
    for m in _XLSX_CELL.finditer(sheet_xml):
        ref = _XLSX_REF.search(m.group(1))
        value = _XLSX_VALUE.search(m.group(2))
        if ref and value:
            found[parse_a1(ref.group(1).decode())] = CellError(value.group(1).decode("utf-8", "replace"))
    return found


# ---- .ods: calcext:value-type="error" in content.xml --------------------------------------------
_ODS_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'\btable:number-rows-repeated="(\d+)"')
_ODS_COLS = re.compile(rb'\btable:number-columns-repeated="(\d+)"')
_ODS_TEXT = re.compile(rb"<text:p>([^<]*)</text:p>")


def ods_errors(content_xml: bytes, sheet: str) -> Errors:
    found: Errors = {}
    if b'calcext:value-type="error"' not in content_xml:
        return found
    name = sheet.encode("utf-8")
    start = None
    for m in _ODS_TAG.finditer(content_xml):
        if m.group(2) == b"table" and not m.group(1):
            n = _ODS_NAME.search(m.group(3))
            if n and _xml_text(n.group(1)) == name:
                start = m.end()
                break
    if start is None:
        return found
    row, col, depth, repeat_rows = 0, 0, 0, 1
    for m in _ODS_TAG.finditer(content_xml, start):
        closing, tag, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"table":
            if closing:
                if depth == 0:
                    break
                depth -= 1
            elif not empty:
                depth += 1  # a table inside a cell: not part of this grid
            continue
        if depth:
            continue
        if tag == b"table-row":
            if closing:
                row += repeat_rows
            else:
                col = 0
                rep = _ODS_ROWS.search(attrs)
                repeat_rows = int(rep.group(1)) if rep else 1
                if empty:
                    row += repeat_rows
            continue
        if closing:
            continue
        rep = _ODS_COLS.search(attrs)
        repeat = int(rep.group(1)) if rep else 1
        if b'calcext:value-type="error"' in attrs:
            end = content_xml.find(b"</table:table-cell>", m.end())
            text = _ODS_TEXT.search(content_xml, m.end(), end if end >= 0 else m.end())
            error = CellError(_xml_text(text.group(1)).decode("utf-8", "replace") if text else "#VALUE!")
            for k in range(min(repeat, 1024)):
                found[(row, col + k)] = error
        col += repeat
    return found


def _xml_text(raw: bytes) -> bytes:
    return raw.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&quot;", b'"').replace(b"&apos;", b"'").replace(b"&amp;", b"&")


# ---- .xls: BOOLERR and FORMULA records of the sheet's BIFF8 substream -----------------------------
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}
_BOUNDSHEET, _BOF, _EOF, _BOOLERR, _FORMULA = 0x0085, 0x0809, 0x000A, 0x0205, 0x0006


def xls_errors(data: bytes, sheet: str) -> Errors:
    """Error cells of one sheet of an .xls (BIFF8) file; {} where it cannot tell."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        return {}
    try:
        ole = olefile.OleFileIO(data)
        stream_name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(stream_name).read()
    except Exception:  # not a readable compound file: calamine has read it, so nothing to add
        return {}
    offset = _sheet_offset(stream, sheet)
    if offset is None:
        return {}
    found: Errors = {}
    pos = offset
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == _EOF:
            break
        if kind == _BOOLERR and length >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body)
            found[(row, col)] = CellError(BIFF_ERRORS.get(body[6], "#VALUE!"))
        elif kind == _FORMULA and length >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
            row, col = struct.unpack_from("<HH", body)
            found[(row, col)] = CellError(BIFF_ERRORS.get(body[8], "#VALUE!"))
    return found


def _sheet_offset(stream: bytes, sheet: str) -> int | None:
    """Where a sheet's substream starts (its BOUNDSHEET record in the globals)."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == _EOF:
            return None
        if kind == _BOUNDSHEET and length >= 8:
            cch, flags = body[6], body[7]
            raw = body[8 : 8 + (cch * 2 if flags & 1 else cch)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            if name == sheet:
                return struct.unpack_from("<I", body)[0]
    return None
