"""What python-calamine cannot tell us about a sheet, read from the file itself.

- The **extent**: python-calamine builds a dense grid from A1 to the last cell that holds
  anything, so one space typed in the far corner (XFD1048576) makes it ask for tens of
  gigabytes and abort the process. The extent is measured here first, from the cells
  that hold a value (a declared <dimension> may lie), and a sheet too large is refused.
- **Error cells** (#REF!, #DIV/0! …), which python-calamine reads as blanks (counted 0).
- **Formulas without a cached value** (a file saved by a script that does not
  calculate), which python-calamine also reads as blanks: they come back as
  `values.Formula` so that the reader can compute plain arithmetic or refuse the cell.

No XML parser that expands entities sees the file: these are regular expressions over
the bytes (.xlsx, .ods) and a walk over the BIFF8 records (.xls).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from ..form.layout import col_letter, parse_a1
from ..values import CellError, Formula

MAX_CELLS = 2_000_000  # rows × columns a sheet's grid may span (a report sheet spans ~500)

Marks = dict[tuple[int, int], CellError | Formula]


@dataclass
class Scan:
    """A sheet's extent (rows × columns from A1 to the last cell holding something) and
    the cells the reader must be told about (`marks`: errors and valueless formulas)."""

    rows: int = 0
    cols: int = 0
    marks: Marks = field(default_factory=dict)

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def corner(self) -> str:
        """The address of the extent's far corner, as a person finds it (XFD1048576)."""
        return f"{col_letter(max(self.cols, 1) - 1)}{max(self.rows, 1)}"


# ---- .xlsx --------------------------------------------------------------------------------------
# A cell that holds something: <c r="D5" …>…</c> (an empty styled cell is <c r="D5" s="3"/>).
_XLSX_FULL_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?(?<!/)>')
# Cheap screen: a cell beyond column CZ or row 9999 (otherwise the extent is at most 9999 × 104).
_XLSX_FAR = re.compile(rb'<c r="(?:[A-Z]{3}|[D-Z][A-Z][0-9]|[A-Z]{1,2}[0-9]{5})')
_XLSX_CELL = re.compile(rb"<c\b([^>]*?)(?<!/)>(.*?)</c>", re.S)
_XLSX_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_XLSX_VALUE = re.compile(rb"<v>([^<]*)</v>")
_XLSX_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>([^<]*)</f>)")


def xlsx_extent(sheet_xml: bytes) -> Scan:
    """The extent of a worksheet part (marks are left for `xlsx_marks`)."""
    if _XLSX_FAR.search(sheet_xml) is None:
        return Scan(min(_last_row(sheet_xml), 9999), 104)  # an upper bound: the screen found nothing wider or longer
    rows = cols = 0
    for letters, digits in _XLSX_FULL_CELL.findall(sheet_xml):
        r, c = parse_a1((letters + digits).decode())
        rows, cols = max(rows, r + 1), max(cols, c + 1)
    return Scan(rows, cols)


def _last_row(sheet_xml: bytes) -> int:
    """The row of the last cell that holds something (cells come in reading order)."""
    end = sheet_xml.rfind(b"</c>")
    start = sheet_xml.rfind(b'<c r="', 0, end) if end >= 0 else -1
    if start < 0:
        return 0
    ref = sheet_xml[start + 6 : sheet_xml.find(b'"', start + 6)]
    digits = ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() else 0


def xlsx_marks(sheet_xml: bytes) -> Marks:
    """Error cells and formulas without a cached value, by (row, col)."""
    found: Marks = {}
    has_errors = b't="e"' in sheet_xml
    has_bare_formulas = b"</f></c>" in sheet_xml or b"</f><v></v>" in sheet_xml or b"<v/>" in sheet_xml or b"/></c>" in sheet_xml
    if not (has_errors or has_bare_formulas):
        return found
    for m in _XLSX_CELL.finditer(sheet_xml):
        attrs, body = m.group(1), m.group(2)
        ref = _XLSX_REF.search(attrs)
        if not ref:
            continue
        value = _XLSX_VALUE.search(body)
        if b't="e"' in attrs and value:
            found[parse_a1(ref.group(1).decode())] = CellError(value.group(1).decode("utf-8", "replace"))
            continue
        formula = _XLSX_FORMULA.search(body)
        if formula and (value is None or value.group(1) == b""):
            text = _xml_text(formula.group(1) or b"").decode("utf-8", "replace")
            found[parse_a1(ref.group(1).decode())] = Formula("=" + text)
    return found


# ---- .ods: content.xml, all sheets in one walk ----------------------------------------------------
_ODS_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'\btable:number-rows-repeated="(\d+)"')
_ODS_COLS = re.compile(rb'\btable:number-columns-repeated="(\d+)"')
_ODS_TEXT = re.compile(rb"<text:p>([^<]*)</text:p>")
_ODS_FORMULA = re.compile(rb'\btable:formula="([^"]*)"')
MAX_MARKS = 1024  # a repeated error cell is marked at most this often


def ods_scan(content_xml: bytes) -> dict[str, Scan]:
    """Extent and marks of every sheet of an .ods content.xml."""
    out: dict[str, Scan] = {}
    scan: Scan | None = None
    row = col = depth = 0
    repeat_rows = 1
    row_has = False
    for m in _ODS_TAG.finditer(content_xml):
        closing, tag, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"table":
            if closing:
                if depth:
                    depth -= 1
                else:
                    scan = None
            elif scan is not None and not empty:
                depth += 1  # a table inside a cell: not part of this grid
            elif scan is None and not empty:
                name = _ODS_NAME.search(attrs)
                scan = out.setdefault(_xml_text(name.group(1)).decode("utf-8", "replace") if name else "", Scan())
                row = 0
            continue
        if scan is None or depth:
            continue
        if tag == b"table-row":
            if closing:
                if row_has:
                    scan.rows = max(scan.rows, row + repeat_rows)
                row += repeat_rows
            else:
                col, row_has = 0, False
                rep = _ODS_ROWS.search(attrs)
                repeat_rows = int(rep.group(1)) if rep else 1
                if empty:
                    row += repeat_rows
            continue
        if closing:
            continue
        rep = _ODS_COLS.search(attrs)
        repeat = int(rep.group(1)) if rep else 1
        holds = b"office:value-type" in attrs or (not empty and content_xml.startswith(b"<text:p", m.end()))
        if holds or b"table:formula" in attrs:
            row_has = True
            scan.cols = max(scan.cols, col + repeat)
        if b'calcext:value-type="error"' in attrs:
            end = content_xml.find(b"</table:table-cell>", m.end())
            text = _ODS_TEXT.search(content_xml, m.end(), end if end >= 0 else m.end())
            error = CellError(_xml_text(text.group(1)).decode("utf-8", "replace") if text else "#VALUE!")
            for k in range(min(repeat, MAX_MARKS)):
                scan.marks[(row, col + k)] = error
        elif b"table:formula" in attrs and b"office:value-type" not in attrs:
            formula = _ODS_FORMULA.search(attrs)
            text = _xml_text(formula.group(1)).decode("utf-8", "replace") if formula else ""
            scan.marks[(row, col)] = Formula(text.removeprefix("of:"))
        col += repeat
    return out


def _xml_text(raw: bytes) -> bytes:
    return raw.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&quot;", b'"').replace(b"&apos;", b"'").replace(b"&amp;", b"&")


# ---- .xls: the sheet's BIFF8 substream -------------------------------------------------------------
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}
_BOUNDSHEET, _EOF, _BOOLERR, _FORMULA = 0x0085, 0x000A, 0x0205, 0x0006
# Records of a cell holding something: NUMBER, LABELSST, LABEL, RK, RSTRING, BOOLERR, FORMULA, MULRK.
_VALUE_CELLS = {0x0203, 0x00FD, 0x0204, 0x027E, 0x00D6, _BOOLERR, _FORMULA}
_MULRK = 0x00BD


def xls_scan(data: bytes, sheet: str) -> Scan:
    """Extent and error cells of one sheet of an .xls (BIFF8) file (an empty Scan where it cannot tell)."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        return Scan()
    try:
        ole = olefile.OleFileIO(data)
        stream_name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(stream_name).read()
    except Exception:  # not a readable compound file: calamine has read it, so nothing to add
        return Scan()
    offset = _sheet_offset(stream, sheet)
    if offset is None:
        return Scan()
    scan = Scan()
    pos = offset
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == _EOF:
            break
        if (kind in _VALUE_CELLS or kind == _MULRK) and length >= 6:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, length - 2)[0] if kind == _MULRK else col
            scan.rows, scan.cols = max(scan.rows, row + 1), max(scan.cols, last + 1)
        if kind == _BOOLERR and length >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body)
            scan.marks[(row, col)] = CellError(BIFF_ERRORS.get(body[6], "#VALUE!"))
        elif kind == _FORMULA and length >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
            row, col = struct.unpack_from("<HH", body)
            scan.marks[(row, col)] = CellError(BIFF_ERRORS.get(body[8], "#VALUE!"))
    return scan


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


# ---- .xlsb: the declared dimension (BrtWsDim) ---------------------------------------------------------
def xlsb_sheet_ids(workbook_bin: bytes) -> dict[str, str]:
    """Sheet name -> relationship ID, from the BrtBundleSh records of xl/workbook.bin."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(workbook_bin):
        kind, pos = _varint(workbook_bin, pos, 2)
        size, pos = _varint(workbook_bin, pos, 4)
        body = workbook_bin[pos : pos + size]
        pos += size
        if kind == 0x9C and size >= 12:  # BrtBundleSh: hsState, iTabID, strRelID, strName
            rel, at = _wide_string(body, 8)
            name, _ = _wide_string(body, at)
            out[name] = rel
    return out


def _wide_string(body: bytes, at: int) -> tuple[str, int]:
    (n,) = struct.unpack_from("<I", body, at) if at + 4 <= len(body) else (0,)
    end = at + 4 + 2 * min(n, 0xFFFF)
    return body[at + 4 : end].decode("utf-16-le", "replace"), end


def xlsb_extent(sheet_bin: bytes) -> Scan:
    """The dimension an .xlsb worksheet declares (record BrtWsDim, near its start)."""
    pos = 0
    for _ in range(64):  # BrtWsDim comes among the first records
        if pos >= len(sheet_bin):
            break
        kind, pos = _varint(sheet_bin, pos, 2)
        size, pos = _varint(sheet_bin, pos, 4)
        if kind == 0x94 and size >= 16:  # BrtWsDim: rwFirst, rwLast, colFirst, colLast
            _, last_row, _, last_col = struct.unpack_from("<IIII", sheet_bin, pos)
            return Scan(last_row + 1, last_col + 1)
        pos += size
    return Scan()


def _varint(data: bytes, pos: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(most):
        if pos >= len(data):
            break
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, pos
