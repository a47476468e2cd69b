"""A workbook file as a `reader.Source`: sniffed, size-checked, read by python-calamine.

Nothing here trusts the file: its kind is told by its bytes, not its extension; zip
archives are measured before anything is inflated (zip bombs, sizes that lie); no XML
parser that expands entities ever sees the file (python-calamine refuses unknown
entities, the defined names are read with a regular expression); encrypted and
non-workbook files get a clear message. Inputs are opened read-only and never written.

Cost: one read of the file; each sheet that is asked for is measured (scan.py: its
extent, before python-calamine builds a grid of it) and parsed by python-calamine once.
xl/workbook.xml (defined names, sheets) is parsed once per distinct content, told by its
CRC and size in the zip directory (all copies of the template share it; a mix-up could
only misplace anchors, and every anchor's labels are checked anyway). python-calamine
reads error cells (#REF! …) and formulas without a cached value as blanks, so a sheet's
marks (scan.py) are looked up only when a blank is read from it.
"""

from __future__ import annotations

import io
import os
import re
import stat
from functools import lru_cache
from pathlib import Path

import python_calamine

from ..findings import ReadError, os_reason, unreadable
from ..form.layout import Pos, parse_a1
from .documents import document_kind, open_document
from .package import MAX_PART_BYTES, Package, PackageError
from .scan import MAX_CELLS, Marks, Scan, ods_scan, xls_scan, xlsb_extent, xlsb_sheet_ids, xlsx_extent, xlsx_marks

MAX_FILE_BYTES = 20 * 2**20  # a report workbook is ~30–100 KB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

XLSX, XLS, ODS, XLSB = "xlsx", "xls", "ods", "xlsb"


def readable(path: str | bytes | os.PathLike) -> str:
    """A path or file name as text a person can read, whatever bytes the file system
    holds: each part UTF-8 first, then GB 18030 (names made on Chinese Windows: a GBK
    file in a UTF-8 folder), else with '�'."""
    sep = os.fsencode(os.sep)
    return os.sep.join(_decode_name(part) for part in os.fsencode(path).split(sep))


def _decode_name(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def display_name(path: str | bytes | os.PathLike) -> str:
    """The file's own name (no folders), readable."""
    raw = os.fsencode(path)
    return readable(raw.rstrip(b"/").rsplit(b"/", 1)[-1] or raw)


# ---- what a file that is not a workbook is -----------------------------------------------
def _sniff_text(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "是 PDF 文件，不是 Excel 工作簿"
    low = head.lstrip()[:64].lower()
    if low.startswith((b"<html", b"<!doctype html")) or b"<html" in head[:1024].lower():
        return "是网页（HTML）文件，不是 Excel 工作簿（可能是从网站另存的表格，请用 Excel 打开后另存为 .xlsx）"
    if head.startswith(b"{\\rtf"):
        return "是 RTF 文档，不是 Excel 工作簿"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "是图片文件，不是 Excel 工作簿"
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "是压缩文件（RAR/7z/gz），不是 Excel 工作簿，请解压后提交其中的工作簿"
    if head.lstrip().startswith(b"<?xml") or head.lstrip().startswith(b"<"):
        return "是 XML 文件，不是 Excel 工作簿（.xlsx 文件是压缩包）"
    sample = head[:4096]
    if b"\x00" in sample:
        return "不是 Excel 工作簿（无法识别的文件格式）"
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return "不是 Excel 工作簿（无法识别的文件格式）"
    first = text.splitlines()[0] if text.splitlines() else ""
    if first.count(",") + first.count("\t") + first.count("，") >= 2:
        return "是 CSV 或文本表格，不是 Excel 工作簿，请使用报告模板填写后保存为 .xlsx"
    return "是文本文件，不是 Excel 工作簿"


def _ole_kind(data: bytes) -> str:
    """What an OLE2 compound file holds: encrypted OOXML, Word, or an .xls workbook."""
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "word"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "powerpoint"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return XLS
    return "other"


# ---- defined names ---------------------------------------------------------------------------
_DEFINED_NAME = re.compile(rb"<definedName\b([^>]*)>([^<]*)</definedName>")
_ATTR_NAME = re.compile(rb'\bname="([^"]*)"')
_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]+)$")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape_one(m: re.Match) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED[name]
    try:
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    except (ValueError, OverflowError):
        return m.group(0)


def unescape(text: str) -> str:
    """XML character references and the five predefined entities; nothing else is
    expanded (no DTD entities, ever)."""
    return _ENTITY.sub(_unescape_one, text) if "&" in text else text


def parse_ref(text: str) -> Pos | None:
    """ "'sheet'!$D$5" -> Pos('sheet', 4, 3); None for ranges, #REF! and formulas."""
    m = _REF.match(text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    row, col = parse_a1(m.group(3) + m.group(4))
    return Pos(sheet, row, col)


@lru_cache(maxsize=64)
def _parse_names(block: bytes) -> dict[str, Pos]:
    names: dict[str, Pos] = {}
    for m in _DEFINED_NAME.finditer(block):
        attrs = m.group(1)
        if b"localSheetId" in attrs:
            continue  # sheet-scoped names are not anchors
        name = _ATTR_NAME.search(attrs)
        if not name:
            continue
        pos = parse_ref(unescape(m.group(2).decode("utf-8", "replace")))
        if pos is not None:
            names[unescape(name.group(1).decode("utf-8", "replace"))] = pos
    return names


_SHEET = re.compile(rb"<sheet\b([^>]*?)/?>")
_REL = re.compile(rb"<Relationship\b([^>]*?)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _rel_targets(rels_xml: bytes) -> dict[bytes, str]:
    """Relationship ID -> the package member it points to (xl/worksheets/sheetN.xml)."""
    targets = {}
    for m in _REL.finditer(rels_xml):
        attrs = dict(_ATTR.findall(m.group(1)))
        target = unescape(attrs.get(b"Target", b"").decode("utf-8", "replace"))
        targets[attrs.get(b"Id", b"")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return targets


@lru_cache(maxsize=64)
def _sheet_parts(workbook_xml_sheets: bytes, rels_xml: bytes) -> dict[str, str]:
    """Sheet name -> its part in the package (xl/worksheets/sheetN.xml)."""
    targets = _rel_targets(rels_xml)
    parts = {}
    for m in _SHEET.finditer(workbook_xml_sheets):
        attrs = dict(_ATTR.findall(m.group(1)))
        name = unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        parts[name] = targets.get(attrs.get(b"r:id", b""), "")
    return parts


_WORKBOOK_XML: dict[tuple[int, int], tuple[dict[str, Pos], bytes]] = {}


class WorkbookFile:
    """Source over a workbook file (see reader.Source)."""

    def __init__(self, path: Path, name: str, data: bytes, kind: str, package: Package | None = None):
        self.path = path
        self.name = name
        self.kind = kind  # xlsx | xls | ods | xlsb
        self._zip = package
        self._data = data
        self._names: dict[str, Pos] = {}
        self._sheet_parts: dict[str, str] | None = None
        self._sheets_xml = b""
        self._rows: dict[str, list[list]] = {}
        self._scans: dict[str, Scan] = {}
        self._xml: dict[str, bytes] = {}  # worksheet parts inflated for their scan, kept for their marks
        self._marks: dict[str, Marks] = {}
        self._merged: dict[str, object] = {}
        if kind == XLSX:
            self._read_workbook_xml()
        if kind == ODS and package is not None:  # python-calamine builds every sheet's grid on opening
            self._scans.update(ods_scan(self._part("content.xml") or b""))
            for sheet, scan in self._scans.items():
                self._refuse_enormous(sheet, scan)
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self._sheet_names = list(self._book.sheet_names)
        except python_calamine.PasswordError:
            raise unreadable(name, "文件已加密（设置了打开密码），请取消密码后重新保存再提交") from None
        except Exception as exc:  # calamine raises several unrelated types for corrupt input
            raise self._corrupt(exc) from None

    def _corrupt(self, exc: Exception, sheet: str | None = None) -> ReadError:
        if self._zip is not None:
            for member in self._zip.entries:
                if member.endswith((".xml", ".rels")):
                    try:
                        head = self._zip.read(member, head=2048) or b""
                    except PackageError:
                        continue
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        return unreadable(self.name, f"文件内部的 {member} 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取")
        where = f"工作表「{sheet}」" if sheet else "文件"
        if "cell limit" in str(exc).lower():  # python-calamine's own bound on a grid
            return unreadable(
                self.name, f"{where}的内容范围远超年度报告的正常范围，可能是在远处的单元格中误输入了内容；请删除多余的行、列后重新保存"
            )
        return unreadable(self.name, f"{where}已损坏，无法作为工作簿读取（{type(exc).__name__}），请用 Excel 打开后重新保存")

    # ---- the OOXML package ------------------------------------------------------------
    def _part(self, name: str) -> bytes | None:
        assert self._zip is not None
        try:
            return self._zip.read(name)
        except PackageError as exc:
            raise unreadable(self.name, str(exc)) from None

    def _read_workbook_xml(self) -> None:
        assert self._zip is not None
        entry = self._zip.entries["xl/workbook.xml"]
        key = (entry.crc, entry.size)  # every copy of one template shares its workbook.xml
        known = _WORKBOOK_XML.get(key)
        if known is None:
            wb_xml = self._part("xl/workbook.xml") or b""
            if b"<!DOCTYPE" in wb_xml[:4096] or b"<!ENTITY" in wb_xml[:4096]:
                raise unreadable(self.name, "文件内部的 xl/workbook.xml 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取")
            start = wb_xml.find(b"<definedNames>")
            names = _parse_names(wb_xml[start : wb_xml.find(b"</definedNames>", start)]) if start >= 0 else {}
            sheets_at = wb_xml.find(b"<sheets")
            known = (names, wb_xml[sheets_at : wb_xml.find(b"</sheets>")] if sheets_at >= 0 else b"")
            if len(_WORKBOOK_XML) >= 256:
                _WORKBOOK_XML.clear()
            _WORKBOOK_XML[key] = known
        self._names, self._sheets_xml = known

    # ---- Source ------------------------------------------------------------------------
    def names(self) -> dict[str, Pos]:
        return self._names

    def sheet_names(self) -> list[str]:
        return self._sheet_names

    def hidden_sheets(self) -> set[str]:
        """Sheets a person does not see (hidden or very hidden)."""
        try:
            return {m.name for m in self._book.sheets_metadata if m.visible != python_calamine.SheetVisibleEnum.Visible}
        except Exception:
            return set()

    def rows(self, sheet: str) -> list[list]:
        """The sheet's values from A1 (row-major; '' for empty cells); [] if no such sheet."""
        rows = self._rows.get(sheet)
        if rows is None:
            if sheet not in self._sheet_names:
                rows = []
            else:
                self._check_extent(sheet)
                try:
                    ws = self._book.get_sheet_by_name(sheet)
                    rows = ws.to_python(skip_empty_area=False)
                    self._merged[sheet] = ws  # its merged ranges are asked for only by the label locator
                except Exception as exc:
                    raise self._corrupt(exc, sheet) from None
            self._rows[sheet] = rows
        return rows

    def _check_extent(self, sheet: str) -> None:
        """A worksheet is parsed (by python-calamine, into a grid from A1 to its last cell)
        only when opened: bound its size and its extent then, before python-calamine sees it."""
        self._refuse_enormous(sheet, self._scan(sheet))

    def _refuse_enormous(self, sheet: str, scan: Scan) -> None:
        if scan.cells > MAX_CELLS:
            raise unreadable(
                self.name,
                f"工作表「{sheet}」的内容一直延伸到 {scan.corner} 单元格（{scan.rows} 行 × {scan.cols} 列），远超年度报告的正常范围，"
                "可能是在远处的单元格中误输入了空格或其他内容；请删除这些单元格的内容（或多余的行、列）后重新保存",
            )

    def small_enough(self, sheet: str, cells: int) -> bool:
        """Whether a sheet spans at most `cells` cells (measured without parsing it; a
        worksheet part of more than 64 bytes a cell is not even inflated)."""
        if self.kind in (XLSX, XLSB) and self._zip is not None and self._zip.size(self._sheet_part(sheet)) > 64 * cells:
            return False
        return self._scan(sheet).cells <= cells

    def _scan(self, sheet: str) -> Scan:
        scan = self._scans.get(sheet)
        if scan is None:
            scan = self._scans[sheet] = self._measure(sheet)
        return scan

    def _measure(self, sheet: str) -> Scan:
        if self.kind == XLS:
            return xls_scan(self._data, sheet)
        if self._zip is None:
            return Scan()
        if self.kind == ODS:
            self._scans.update(ods_scan(self._part("content.xml") or b""))
            return self._scans.get(sheet) or Scan()
        part = self._sheet_part(sheet)
        if not part:
            return Scan()
        size = self._zip.size(part)
        if size > MAX_PART_BYTES:
            raise unreadable(self.name, f"工作表「{sheet}」解压后 {size / 2**20:.0f} MB，远超年度报告的正常大小，拒绝读取")
        data = self._part(part) or b""
        if self.kind == XLSB:
            return xlsb_extent(data)
        self._xml[sheet] = data
        return xlsx_extent(data)

    def _sheet_part(self, sheet: str) -> str:
        """The package member of a worksheet ('' if unknown)."""
        if self._sheet_parts is None:
            if self.kind == XLSB:
                rels = self._part("xl/_rels/workbook.bin.rels") or b""
                ids = xlsb_sheet_ids(self._part("xl/workbook.bin") or b"")
                targets = _rel_targets(rels)
                self._sheet_parts = {name: targets.get(rel.encode(), "") for name, rel in ids.items()}
            else:
                self._sheet_parts = _sheet_parts(self._sheets_xml, self._part("xl/_rels/workbook.xml.rels") or b"")
        return self._sheet_parts.get(sheet, "")

    def merged(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Merged ranges ((first row, first col), (last row, last col)) where known."""
        self.rows(sheet)
        ws = self._merged.get(sheet)
        if ws is None or isinstance(ws, list):
            return ws or []
        try:
            ranges = ws.merged_cell_ranges or []
        except Exception:  # merged ranges are a help, not a need
            ranges = []
        self._merged[sheet] = ranges
        return ranges

    def value(self, pos: Pos) -> object:
        rows = self._rows.get(pos.sheet)
        if rows is None:
            rows = self.rows(pos.sheet)
        try:
            value = rows[pos.row][pos.col]
        except IndexError:
            value = None
        if value is None or value == "":
            marks = self._marks.get(pos.sheet)
            if marks is None:
                marks = self._marks[pos.sheet] = self._marks_of(pos.sheet)
            mark = marks.get((pos.row, pos.col))
            if mark is not None:
                return mark
        return value

    def _marks_of(self, sheet: str) -> Marks:
        """Error cells and formulas without a value (python-calamine reads both as blanks)."""
        if self.kind == XLSX:
            self._scan(sheet)
            return xlsx_marks(self._xml.get(sheet, b""))
        return self._scan(sheet).marks


def open_workbook(path: str | bytes | os.PathLike) -> WorkbookFile:
    """Open a workbook file for reading, or raise ReadError saying plainly why not."""
    name = display_name(path)
    fs_path = Path(os.fsdecode(path))
    try:
        st = os.stat(fs_path)
    except FileNotFoundError:
        parent = fs_path.parent
        if not parent.is_dir():
            raise unreadable(name, f"文件不存在（文件夹 {display_name(parent)} 不存在）") from None
        if fs_path.is_symlink():
            raise unreadable(name, "是指向不存在文件的快捷方式（符号链接）") from None
        raise unreadable(name, "文件不存在") from None
    except PermissionError:
        raise unreadable(name, "没有访问权限") from None
    except OSError as exc:
        raise unreadable(name, f"无法访问：{os_reason(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise unreadable(name, "是文件夹，不是工作簿文件")
    if not stat.S_ISREG(st.st_mode):
        raise unreadable(name, "不是普通文件（可能是管道或设备），无法作为工作簿读取")
    if st.st_size == 0:
        raise unreadable(name, "是空文件（0 字节）")
    if st.st_size > MAX_FILE_BYTES:
        raise unreadable(name, f"文件过大（{st.st_size / 2**20:.0f} MB），年度报告工作簿通常不超过 1 MB")
    try:
        with open(fs_path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise unreadable(name, "没有读取权限") from None
    except OSError as exc:
        raise unreadable(name, f"无法读取：{os_reason(exc)}") from None
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _open_zip(fs_path, name, data)
    if data.startswith(OLE_MAGIC):
        kind = _ole_kind(data)
        if kind == "encrypted":
            raise unreadable(name, "文件已加密（设置了打开密码），请取消密码后重新保存再提交")
        if kind == "word" or (kind != XLS and name.lower().endswith(".wps")):  # .doc, WPS 文字: converted (documents.py)
            return open_document(name, data, "wps" if name.lower().endswith(".wps") else "doc")
        if kind == "powerpoint":
            raise unreadable(name, "是 PowerPoint 演示文稿，不是 Excel 工作簿")
        if kind != XLS:
            if name.lower().endswith((".et", ".ett")):
                return _converted_et(fs_path, name, data)
            raise unreadable(name, "是 Office 复合文档，但不是 Excel 工作簿")
        return WorkbookFile(fs_path, name, data, XLS)
    if data.startswith(b"PK"):
        raise unreadable(name, "文件已损坏（压缩包不完整或被截断），请重新保存后提交")
    document = document_kind(data)  # a web page, a PDF, RTF: read as a document (documents.py)
    if document is not None:
        return open_document(name, data, document)
    raise unreadable(name, _sniff_text(data[:4096]))


def _converted_et(path: Path, name: str, data: bytes) -> WorkbookFile:
    """WPS's own spreadsheet format, converted to .xlsx by LibreOffice (convert.py)."""
    from .convert import convert

    converted = convert(name, data, "et", "xlsx")
    try:
        package = Package(converted)
    except PackageError as exc:
        raise unreadable(name, str(exc)) from None
    return WorkbookFile(path, name, converted, XLSX, package)


def _open_zip(path: Path, name: str, data: bytes) -> WorkbookFile:
    try:
        package = Package(data)
    except PackageError as exc:
        raise unreadable(name, str(exc)) from None
    if "word/document.xml" in package:  # a Word document: read as a document (documents.py)
        return open_document(name, data, "docx", package)
    if "ppt/presentation.xml" in package:
        raise unreadable(name, "是 PowerPoint 演示文稿，不是 Excel 工作簿")
    if "xl/workbook.xml" in package:
        return WorkbookFile(path, name, data, XLSX, package)
    if "xl/workbook.bin" in package:
        return WorkbookFile(path, name, data, XLSB, package)
    if "content.xml" in package:
        try:
            mimetype = package.read("mimetype", head=100) or b""
        except PackageError as exc:
            raise unreadable(name, str(exc)) from None
        if b"spreadsheet" in mimetype:
            return WorkbookFile(path, name, data, ODS, package)
        if b"text" in mimetype:
            return open_document(name, data, "odt")
    raise unreadable(name, "是压缩包，但不是 Excel 工作簿")
