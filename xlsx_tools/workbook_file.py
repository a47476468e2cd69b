"""A workbook file as a `reader.Source`: sniffed, size-checked, read by python-calamine.

Nothing here trusts the file: its kind is told by its bytes, not its extension; zip
archives are measured before anything is inflated (zip bombs); XML parts that carry a
DOCTYPE (entity expansion) are refused; encrypted and non-workbook files get a clear
message. Inputs are opened read-only and never written.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import python_calamine

from .findings import ERROR, Finding, ReadError
from .layout import Pos, parse_a1
from .values import CellError

MAX_FILE_BYTES = 50 * 2**20  # a report workbook is ~30–100 KB
MAX_PART_BYTES = 100 * 2**20  # inflated size of one zip member
MAX_TOTAL_BYTES = 300 * 2**20  # inflated size of all members
MAX_RATIO = 200  # inflated/compressed, for members over 1 MB
MAX_MEMBERS = 5000

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _fail(path: Path, reason: str) -> ReadError:
    return ReadError(Finding("UNREADABLE", ERROR, f"{path.name}：{reason}", where=[]))


def _sniff_text(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "是 PDF 文件，不是 Excel 工作簿"
    if head.lstrip().lower().startswith((b"<html", b"<!doctype html")):
        return "是网页（HTML）文件，不是 Excel 工作簿"
    if head.startswith(b"{\\rtf"):
        return "是 RTF 文档，不是 Excel 工作簿"
    sample = head[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = sample.decode("gb18030")
        except UnicodeDecodeError:
            return "不是 Excel 工作簿（无法识别的文件格式）"
    if text.count(",") + text.count("\t") >= 3 and "\n" in text:
        return "是 CSV 或文本表格，不是 Excel 工作簿，请使用报告模板填写后另存为 .xlsx"
    return "是文本文件，不是 Excel 工作簿"


def _ole_kind(data: bytes) -> str:
    """What an OLE2 compound file holds: encrypted OOXML, Word, or an .xls workbook."""
    utf16 = lambda s: s.encode("utf-16-le")  # noqa: E731
    if utf16("EncryptionInfo") in data or utf16("EncryptedPackage") in data:
        return "encrypted"
    if utf16("WordDocument") in data:
        return "word"
    if utf16("Workbook") in data or utf16("Book") in data:
        return "xls"
    return "other"


class WorkbookFile:
    """Source over a workbook file."""

    def __init__(self, path: Path, data: bytes, kind: str):
        self.path = path
        self.name = path.name
        self.kind = kind  # xlsx | xls | ods
        self._data = data
        self._zip = zipfile.ZipFile(io.BytesIO(data)) if kind in ("xlsx", "ods") else None
        self._names: dict[str, Pos] = {}
        self._sheet_parts: dict[str, str] = {}
        self._rows: dict[str, list[list]] = {}
        self._errors: dict[str, dict[tuple[int, int], CellError]] = {}
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError:
            raise _fail(path, "文件已加密（设置了打开密码），请取消密码后重新保存再提交") from None
        except Exception as exc:  # calamine raises several unrelated types for corrupt input
            raise _fail(path, f"文件已损坏，无法作为工作簿读取（{type(exc).__name__}）") from None
        if kind == "xlsx":
            self._read_workbook_xml()

    # ---- the OOXML package ------------------------------------------------------------
    def _part(self, name: str) -> bytes | None:
        assert self._zip is not None
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            return None
        if info.file_size > MAX_PART_BYTES:
            raise _fail(self.path, f"文件内部的 {name} 过大（{info.file_size // 2**20} MB），拒绝读取")
        data = self._zip.read(info)
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
            raise _fail(self.path, f"文件内部的 {name} 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取")
        return data

    def _read_workbook_xml(self) -> None:
        wb_xml = self._part("xl/workbook.xml")
        rels_xml = self._part("xl/_rels/workbook.xml.rels")
        if wb_xml is None:
            raise _fail(self.path, "压缩包中没有 xl/workbook.xml，不是 Excel 工作簿")
        try:
            root = ElementTree.fromstring(wb_xml)
            rels = ElementTree.fromstring(rels_xml) if rels_xml else None
        except ElementTree.ParseError:
            raise _fail(self.path, "工作簿结构（xl/workbook.xml）已损坏") from None
        targets = {}
        if rels is not None:
            for rel in rels:
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[rel.get("Id")] = target
        for sheet in root.iterfind("m:sheets/m:sheet", NS):
            self._sheet_parts[sheet.get("name", "")] = targets.get(sheet.get(REL_NS), "")
        for dn in root.iterfind("m:definedNames/m:definedName", NS):
            if dn.get("localSheetId") is not None:
                continue
            pos = parse_ref(dn.text or "")
            if pos is not None:
                self._names[dn.get("name", "")] = pos

    def _scan_errors(self, sheet: str) -> dict[tuple[int, int], CellError]:
        """Cells holding Excel errors (#REF! …): python-calamine reads them as blanks."""
        part = self._sheet_parts.get(sheet)
        if not part or self._zip is None:
            return {}
        data = self._part(part) or b""
        if b't="e"' not in data:
            return {}
        found = {}
        for m in re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>', data):
            found[parse_a1(m.group(1).decode())] = CellError(m.group(2).decode("utf-8", "replace"))
        return found

    # ---- Source ------------------------------------------------------------------------
    def names(self) -> dict[str, Pos]:
        return self._names

    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def value(self, pos: Pos) -> object:
        rows = self._rows.get(pos.sheet)
        if rows is None:
            try:
                rows = self._book.get_sheet_by_name(pos.sheet).to_python(skip_empty_area=False)
            except python_calamine.WorksheetNotFound:
                rows = []
            except Exception as exc:
                raise _fail(self.path, f"工作表「{pos.sheet}」已损坏，无法读取（{type(exc).__name__}）") from None
            self._rows[pos.sheet] = rows
            self._errors[pos.sheet] = self._scan_errors(pos.sheet) if self.kind == "xlsx" else {}
        err = self._errors[pos.sheet].get((pos.row, pos.col))
        if err is not None:
            return err
        if pos.row < len(rows) and pos.col < len(rows[pos.row]):
            return rows[pos.row][pos.col]
        return None


_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]+)$")


def parse_ref(text: str) -> Pos | None:
    """"'表三'!$D$5" -> Pos('表三', 4, 3); None for ranges, #REF! and formulas."""
    m = _REF.match(text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    row, col = parse_a1(m.group(3) + m.group(4))
    return Pos(sheet, row, col)


def open_workbook(path: str | Path) -> WorkbookFile:
    """Open a workbook file for reading, or raise ReadError saying plainly why not."""
    path = Path(path)
    try:
        if path.is_dir():
            raise _fail(path, "是文件夹，不是工作簿文件")
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(path, "文件不存在") from None
    except OSError as exc:
        raise _fail(path, f"无法访问（{exc.strerror or type(exc).__name__}）") from None
    if size == 0:
        raise _fail(path, "是空文件（0 字节）")
    if size > MAX_FILE_BYTES:
        raise _fail(path, f"文件过大（{size // 2**20} MB），年度报告工作簿通常不超过 1 MB")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise _fail(path, "没有读取权限") from None
    except OSError as exc:
        raise _fail(path, f"无法读取（{exc.strerror or type(exc).__name__}）") from None
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _open_zip(path, data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = _ole_kind(data)
        if kind == "encrypted":
            raise _fail(path, "文件已加密（设置了打开密码），请取消密码后重新保存再提交")
        if kind == "word":
            raise _fail(path, "是 Word 文档（.doc），不是 Excel 工作簿")
        return WorkbookFile(path, data, "xls")
    raise _fail(path, _sniff_text(data[:4096]))


def _open_zip(path: Path, data: bytes) -> WorkbookFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise _fail(path, "文件已损坏（压缩包不完整或被截断），请重新保存后提交") from None
    if len(infos) > MAX_MEMBERS:
        raise _fail(path, f"压缩包内文件过多（{len(infos)} 个），拒绝读取")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES or (info.file_size > 2**20 and ratio > MAX_RATIO):
            raise _fail(path, f"解压后体积异常（{info.filename} 解压后 {info.file_size // 2**20} MB，压缩比 {ratio:.0f}:1），疑似压缩炸弹，拒绝读取")
        if info.flag_bits & 0x1:
            raise _fail(path, "压缩包已加密，无法读取")
    names = {i.filename for i in infos}
    if "word/document.xml" in names:
        raise _fail(path, "是 Word 文档（.docx），不是 Excel 工作簿")
    if "ppt/presentation.xml" in names:
        raise _fail(path, "是 PowerPoint 演示文稿，不是 Excel 工作簿")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            return WorkbookFile(path, data, "xlsb")
        return WorkbookFile(path, data, "xlsx")
    if "content.xml" in names and b"spreadsheet" in (zf.read("mimetype") if "mimetype" in names else b""):
        return WorkbookFile(path, data, "ods")
    raise _fail(path, "是压缩包，但不是 Excel 工作簿")
