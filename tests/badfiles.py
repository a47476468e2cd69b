"""The bad-input corpus: real files on disk, each made the way such a file comes about,
with the exact Chinese message the validator must give for it.

`build(directory, lo_files)` writes every file and returns the cases. A case's
`message` is the whole message, or a compiled pattern where a figure in it depends on
the machine (a compression ratio); `where` the workbook address it names, if any.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import msoffcrypto.format.ooxml
import openpyxl
from conftest import EDU
from workbooks import patch_member, patch_xlsx, replace_members, sheet_part, write_statutory

from xlsx_tools.report import load_json

BOMB_BYTES = 2 * 2**30  # what the zip bomb inflates to


@dataclass
class Case:
    name: str  # what the file is
    path: Path | bytes
    rule: str
    message: str | re.Pattern
    where: list[str] | None = None  # the addresses the finding names
    readable: bool = False
    lo: bool = False  # made by LibreOffice (only in the full set of tests)

    @property
    def id(self) -> str:
        return self.name


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _edu_members() -> dict[str, bytes]:
    z = zipfile.ZipFile(EDU)
    return {i.filename: z.read(i.filename) for i in z.infolist()}


def _bomb(path: Path, size: int = BOMB_BYTES) -> Path:
    """The template with its 表三 sheet inflating to `size` bytes (honest sizes)."""
    members = _edu_members()
    part = sheet_part(EDU.read_bytes(), "表三")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            if name != part:
                z.writestr(name, data)
        with z.open(part, "w", force_zip64=True) as fh:
            chunk = b" " * 2**22
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


def _lying_sizes(path: Path, declared: int, inflated: int = 200 * 2**20) -> Path:
    """A member whose directory entries state `declared` bytes but which inflates to far more."""
    members = _edu_members()
    part = sheet_part(EDU.read_bytes(), "表三")
    members[part] = b" " * inflated
    data = bytearray(_zip(members))
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo(part)
    # local header: uncompressed size at +22; central directory entry: at +24
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    cd = data.find(b"PK\x01\x02")
    while cd >= 0:
        name_len = struct.unpack_from("<H", data, cd + 28)[0]
        if data[cd + 46 : cd + 46 + name_len] == part.encode():
            struct.pack_into("<I", data, cd + 24, declared)
            break
        cd = data.find(b"PK\x01\x02", cd + 4)
    path.write_bytes(bytes(data))
    return path


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>\n"
)


def _laughs(path: Path, member: str, use: bytes) -> Path:
    def edit(xml: bytes) -> bytes:
        body = xml[xml.index(b"?>") + 2 :]
        return LAUGHS + body.replace(use, use + b"&lol9;", 1)

    return patch_member(EDU, path, member, edit)


def _encrypted(path: Path) -> Path:
    out = io.BytesIO()
    with open(EDU, "rb") as fh:
        msoffcrypto.format.ooxml.OOXMLFile(fh).encrypt("密码123", out)
    path.write_bytes(out.getvalue())
    return path


def _zip_flag_encrypted(path: Path) -> Path:
    data = bytearray(EDU.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at >= 0:
            struct.pack_into("<H", data, at + flag_at, struct.unpack_from("<H", data, at + flag_at)[0] | 1)
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))
    return path


def _foreign(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门预算"
    ws.append(["项目", "年初预算数", "调整预算数"])
    ws.append(["基本支出", 1200.5, 1180.0])
    wb.save(path)
    return path


def _older_form(path: Path) -> Path:
    report = load_json(EDU.with_suffix(".json"))

    def old(wb):
        ws = wb.active
        for row in ws.iter_rows():
            for c in row:
                if c.value == "现行有效件数":
                    c.value = "对外公开总数量"

    return write_statutory(path, report, after=old)


def _openpyxl_saved(path: Path) -> Path:
    """Saved by a program that writes formulas without their results."""
    wb = openpyxl.load_workbook(EDU)
    wb.save(path)
    return path


def _docx(path: Path) -> Path:
    """A Word document (python-docx), as when the report text is sent instead of the workbook."""
    document = docx.Document()
    document.add_heading("柳州市柳江区总工会2021年政府信息公开工作年度报告", 1)
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "规章", "0"
    document.save(path)
    return path


def _odt(path: Path) -> Path:
    """An OpenDocument text (mimetype stored first, manifest, content), as the spec lays out."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text>'
        "<text:p>一、总体情况</text:p></office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def build(d: Path, lo_files: dict[str, Path] | None, make: bool = True) -> list[Case]:
    """Write the corpus into `d` (or, with make=False, only list its cases). Without
    `lo_files` the cases that LibreOffice makes are left out."""
    if make:
        d.mkdir(parents=True, exist_ok=True)
    rng = random.Random(3)
    cases: list[Case] = []

    def mk(function, *args, **kw):
        return function(*args, **kw) if make else d / "-"

    def copy(key: str, file: str) -> Path:
        return shutil.copy(lo_files[key], d / file)

    def add(name, path, rule, message, where=None, readable=False):
        cases.append(Case(name, path, rule, message, where, readable))

    def add_lo(name, key, file, rule, message, where=None, readable=False):
        if make and lo_files is None:
            return
        cases.append(Case(name, mk(copy, key, file), rule, message, where, readable, lo=True))

    def put(file: str, data: bytes) -> Path:
        (d / file).write_bytes(data)
        return d / file

    def cell(file: str, sheet: str, cells: dict) -> Path:
        return patch_xlsx(EDU, d / file, sheet, cells)

    # ---- not a workbook ----------------------------------------------------------------------
    add(
        "random bytes",
        mk(put, "不是工作簿.xlsx", b"\x00\x01" + rng.randbytes(4000)),
        "UNREADABLE",
        "不是工作簿.xlsx：不是 Excel 工作簿（无法识别的文件格式）",
    )
    add("empty file", mk(put, "空文件.xlsx", b""), "UNREADABLE", "空文件.xlsx：是空文件（0 字节）")
    add(
        "renamed .docx",
        mk(_docx, d / "改名的Word.xlsx"),
        "FOREIGN",
        "改名的Word.xlsx：Word 文档的 1 个表格中没有年度报告的表格（如「一、本年新收政府信息公开申请数量」「行政复议」等行列标签），不是 GK-2021 表式的年度报告",
    )
    add(
        "renamed .csv",
        mk(put, "改名的CSV.xlsx", "项目,本年制发件数,本年废止件数,现行有效件数\n规章,0,0,0\n行政规范性文件,1,0,1\n".encode("gb18030")),
        "UNREADABLE",
        "改名的CSV.xlsx：是 CSV 或文本表格，不是 Excel 工作簿，请使用报告模板填写后保存为 .xlsx",
    )
    add(
        "renamed .txt",
        mk(put, "改名的文本.xlsx", "一、总体情况\n2021年，我单位共收到依申请公开信息0件。\n".encode()),
        "UNREADABLE",
        "改名的文本.xlsx：是文本文件，不是 Excel 工作簿",
    )
    add(
        "renamed .pdf",
        mk(put, "改名的PDF.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        "UNREADABLE",
        "改名的PDF.xlsx：PDF 文件已损坏，无法读取（PdfminerException），请重新导出后提交",
    )
    add(
        "web page saved as .xls",
        mk(
            put,
            "网页导出.xls",
            "<html><head><meta charset='utf-8'></head><body><table><tr><td>规章</td><td>0</td></tr></table></body></html>".encode(),
        ),
        "FOREIGN",
        "网页导出.xls：网页的 1 个表格中没有年度报告的表格（如「一、本年新收政府信息公开申请数量」「行政复议」等行列标签），不是 GK-2021 表式的年度报告",
    )
    add("image", mk(put, "截图.xlsx", b"\x89PNG\r\n\x1a\n" + rng.randbytes(200)), "UNREADABLE", "截图.xlsx：是图片文件，不是 Excel 工作簿")
    add(
        "rar archive",
        mk(put, "打包.xlsx", b"Rar!\x1a\x07\x01\x00" + rng.randbytes(200)),
        "UNREADABLE",
        "打包.xlsx：是压缩文件（RAR/7z/gz），不是 Excel 工作簿，请解压后提交其中的工作簿",
    )
    add(
        "zip of something else",
        mk(put, "压缩包.xlsx", _zip({"说明.txt": "见附件".encode()})),
        "UNREADABLE",
        "压缩包.xlsx：是压缩包，但不是 Excel 工作簿",
    )
    add(
        "truncated zip",
        mk(put, "截断.xlsx", EDU.read_bytes()[: EDU.stat().st_size // 2]),
        "UNREADABLE",
        "截断.xlsx：文件已损坏（压缩包不完整或被截断），请重新保存后提交",
    )
    big = d / "超大文件.xlsx"
    if make:
        with open(big, "wb") as fh:
            fh.truncate(25 * 2**20)
    add("file over 20 MB", big, "UNREADABLE", "超大文件.xlsx：文件过大（25 MB），年度报告工作簿通常不超过 1 MB")

    # ---- hostile archives ---------------------------------------------------------------------
    add(
        "zip bomb",
        mk(_bomb, d / "压缩炸弹.xlsx"),
        "UNREADABLE",
        re.compile(r"^压缩炸弹\.xlsx：解压后体积异常（xl/worksheets/sheet4\.xml 解压后 2048 MB，压缩比 \d+:1），疑似压缩炸弹，拒绝读取$"),
    )
    add(
        "zip member understating its size",
        mk(_lying_sizes, d / "谎报大小.xlsx", declared=1000),
        "UNREADABLE",
        "谎报大小.xlsx：压缩包内 xl/worksheets/sheet4.xml 标注的大小与实际不符，疑似恶意构造的文件，拒绝读取",
    )
    add(
        "zip member inflating beyond its stated size",
        mk(_lying_sizes, d / "谎报大小2.xlsx", declared=400_000),
        "UNREADABLE",
        "谎报大小2.xlsx：压缩包内 xl/worksheets/sheet4.xml 解压后的实际大小超过标注的大小，疑似压缩炸弹，拒绝读取",
    )
    add(
        "billion laughs in shared strings",
        mk(_laughs, d / "十亿笑.xlsx", "xl/sharedStrings.xml", b"<t>"),
        "UNREADABLE",
        "十亿笑.xlsx：文件内部的 xl/sharedStrings.xml 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取",
    )
    add(
        "billion laughs in workbook.xml",
        mk(_laughs, d / "十亿笑2.xlsx", "xl/workbook.xml", b'name="'),
        "UNREADABLE",
        "十亿笑2.xlsx：文件内部的 xl/workbook.xml 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取",
    )
    add(
        "password-encrypted workbook",
        mk(_encrypted, d / "加密.xlsx"),
        "UNREADABLE",
        "加密.xlsx：文件已加密（设置了打开密码），请取消密码后重新保存再提交",
    )
    add("zip-encrypted members", mk(_zip_flag_encrypted, d / "加密压缩包.xlsx"), "UNREADABLE", "加密压缩包.xlsx：压缩包已加密，无法读取")
    sheet4 = sheet_part(EDU.read_bytes(), "表三")
    add(
        "0-byte sheet",
        mk(put, "空工作表.xlsx", replace_members(EDU.read_bytes(), {sheet4: b""})),
        "UNREADABLE",
        re.compile(r"^空工作表\.xlsx：工作表「表三」已损坏，无法作为工作簿读取（\w+），请用 Excel 打开后重新保存$"),
    )
    add(
        "sheet with broken XML",
        mk(
            put,
            "损坏的工作表.xlsx",
            replace_members(EDU.read_bytes(), {sheet4: b"<?xml version='1.0'?><worksheet><sheetData><row r='1'><c r='A1'"}),
        ),
        "UNREADABLE",
        re.compile(r"^损坏的工作表\.xlsx：工作表「表三」已损坏，无法作为工作簿读取（\w+），请用 Excel 打开后重新保存$"),
    )

    # ---- not this form -------------------------------------------------------------------------
    add(
        "foreign workbook",
        mk(_foreign, d / "部门预算.xlsx"),
        "FOREIGN",
        "部门预算.xlsx：没有找到年度报告的表格（如「一、本年新收政府信息公开申请数量」「行政复议」等行列标签），不是 GK-2021 表式的年度报告工作簿（工作表为：部门预算）",
    )
    add(
        "older form (2019 labels)",
        mk(_older_form, d / "2019版.xlsx"),
        "FORM-VERSION",
        re.compile(
            r"^年度报告!\w+ 为「对外公开总数量」：表二（二、主动公开政府信息情况）是国办公开办函〔2019〕60号印发的 2019 年版格式（2019、2020 年度使用）的表格，"
            r"与现行格式（国办公开办函〔2021〕30号，GK-2021）不同，表二未读取（其他表格照常读取）；请按现行格式重新填写表二$"
        ),
        readable=True,
    )
    add(
        "other form version in the template",
        mk(cell, "表式GK-2019.xlsx", "封面", {"B17": "GK-2019"}),
        "FORM-VERSION",
        "表式GK-2019.xlsx：表式版本为「GK-2019」（封面!B17），本工具支持 GK-2021",
        ["封面!B17"],
    )

    # ---- the template, changed ------------------------------------------------------------------
    add_lo(
        "workbook with macros (never run)",
        "xlsm",
        "带宏.xlsm",
        None,
        "",
        readable=True,
    )
    add_lo(
        "row inserted (LibreOffice)",
        "row_inside",
        "插入行.xlsx",
        "EXTRA-NUMBERS",
        "表三第 8 行「（一）其中：网上申请」不属于法定表式（位于「（一）予以公开」与「（二）部分公开」之间，可能是插入的行），其中填有 1 个数（如 表三!D8 为 5），未计入",
        ["表三!D8"],
        True,
    )
    add_lo(
        "deleted sheet",
        "deleted_sheet",
        "删除工作表.xlsx",
        "LAYOUT",
        "工作表「表四」不存在（可能被删除或改名），表四的 15 个数未读取",
        [],
        True,
    )
    add(
        "relabelled row",
        mk(cell, "改了行标签.xlsx", "表三", {"B7": "（一）同意公开"}),
        "LAYOUT",
        "表三!B7 应为「（一）予以公开」，实为「（一）同意公开」：表三的行被改动，该行的 7 个数未读取",
        ["表三!B7"],
        True,
    )

    # ---- every value case ---------------------------------------------------------------------
    values = [
        (
            "blank input",
            "空白.xlsx",
            "表三",
            {"E6": None},
            "BLANK",
            "表三「二、上年结转」商业企业列（表三!E6）：未填写，已按 0 计",
            "表三!E6",
        ),
        (
            "number as text ' 0'",
            "文本数字.xlsx",
            "表四",
            {"A5": " 0"},
            "NUMBER-AS-TEXT",
            "表四 行政复议·结果维持列（表四!A5）：数字「 0」以文本形式保存，按 0 计",
            "表四!A5",
        ),
        (
            "number as text '0 '",
            "尾随空格.xlsx",
            "表四",
            {"C5": "0 "},
            "NUMBER-AS-TEXT",
            "表四 行政复议·其他结果列（表四!C5）：数字「0 」以文本形式保存，按 0 计",
            "表四!C5",
        ),
        (
            "full-width digits",
            "全角数字.xlsx",
            "表三",
            {"D5": "７３"},
            "NUMBER-AS-TEXT",
            "表三「一、本年新收」自然人列（表三!D5）：数字「７３」以文本形式保存，按 73 计",
            "表三!D5",
        ),
        (
            "dash for nothing",
            "横线.xlsx",
            "表四",
            {"B5": "—"},
            "NIL-MARK",
            "表四 行政复议·结果纠正列（表四!B5）：填写的是「—」，按 0 计",
            "表四!B5",
        ),
        (
            "slash for nothing",
            "斜线.xlsx",
            "表二",
            {"D4": "/"},
            "NIL-MARK",
            "表二「规章」现行有效件数列（表二!D4）：填写的是「/」，按 0 计",
            "表二!D4",
        ),
        (
            "无 for nothing",
            "写无.xlsx",
            "表二",
            {"B11": "无"},
            "NIL-MARK",
            "表二「行政处罚」本年处理决定数量列（表二!B11）：填写的是「无」，按 0 计",
            "表二!B11",
        ),
        (
            "decimal in a count",
            "小数.xlsx",
            "表三",
            {"D7": 2.5},
            "TYPE",
            "表三「（一）予以公开」自然人列（表三!D7）：2.5 不是整数（件数应为整数）",
            "表三!D7",
        ),
        (
            "negative count",
            "负数.xlsx",
            "表三",
            {"D7": -3},
            "TYPE",
            "表三「（一）予以公开」自然人列（表三!D7）：-3 为负数（件数和金额不能为负）",
            "表三!D7",
        ),
        (
            "#REF! in an input",
            "错误值.xlsx",
            "表二",
            {"B8": ("error", "#REF!")},
            "CELL-ERROR",
            "表二「行政许可」本年处理决定数量列（表二!B8）：单元格为错误值 #REF!，该数无法使用（请检查公式或重新填写）",
            "表二!B8",
        ),
        (
            "#VALUE! in a total",
            "总计错误值.xlsx",
            "表三",
            {"J5": ("error", "#VALUE!")},
            "CELL-ERROR",
            "表三「一、本年新收」总计列（表三!J5）：单元格为错误值 #VALUE!，该数无法使用（请检查公式或重新填写）",
            "表三!J5",
        ),
        (
            "total without cached value",
            "总计无值.xlsx",
            "表三",
            {"J5": ("formula", "SUM(D5:I5)")},
            "TOTAL-RECOMPUTED",
            "表三「一、本年新收」总计列（表三!J5）没有数值（文件可能由不计算公式的软件保存），已按各项之和计为 90",
            "表三!J5",
        ),
        (
            "total overwritten",
            "总计被改写.xlsx",
            "表三",
            {"J5": 91},
            "T3-ROWSUM",
            "表三「一、本年新收」：总计 = 91，各类申请人之和 = 90，相差 1",
            "表三!J5",
        ),
        (
            "huge number",
            "超大数.xlsx",
            "表二",
            {"B8": 1e15},
            "TOO-LARGE",
            "表二「行政许可」本年处理决定数量列（表二!B8）：1e+15 数值过大（超过 1 万亿），疑似误填，该数无法使用",
            "表二!B8",
        ),
        (
            "absurd float",
            "溢出.xlsx",
            "表三",
            {"D5": 1.7976931348623157e308},
            "TOO-LARGE",
            "表三「一、本年新收」自然人列（表三!D5）：1.79769e+308 数值过大（超过 1 万亿），疑似误填，该数无法使用",
            "表三!D5",
        ),
        (
            "text with a unit",
            "带单位.xlsx",
            "表二",
            {"B8": "5件"},
            "NOT-NUMBER",
            "表二「行政许可」本年处理决定数量列（表二!B8）：「5件」不是数字，该数无法使用（只能填写数字）",
            "表二!B8",
        ),
        (
            "boolean",
            "逻辑值.xlsx",
            "表三",
            {"D5": True},
            "NOT-NUMBER",
            "表三「一、本年新收」自然人列（表三!D5）：「TRUE」不是数字，该数无法使用（只能填写数字）",
            "表三!D5",
        ),
        (
            "USCC stored as a number",
            "代码为数字.xlsx",
            "封面",
            {"B5": 1.14502219532275e17},
            "META-USCC",
            "封面「统一社会信用代码」（封面!B5）以数字形式保存（114502219532275008），Excel 只保留 15 位有效数字，代码可能已经改变；请将单元格设为文本后重新输入",
            "封面!B5",
        ),
    ]
    for name, file, sheet, cells, rule, message, where in values:
        add(name, mk(cell, file, sheet, cells), rule, message, [where], True)
    add(
        "all totals without values (saved by openpyxl)",
        mk(_openpyxl_saved, d / "无缓存值.xlsx"),
        "TOTAL-RECOMPUTED",
        "表三 有 31 个总计单元格没有数值（文件可能由不计算公式的软件保存），已按各项之和计算：J5、J6、J7、J8、J9、J10、J11、J12 等 31 个",
        None,
        True,
    )

    # ---- paths that are not files -----------------------------------------------------------
    if make:
        (d / "文件夹.xlsx").mkdir(exist_ok=True)
    add("a directory", d / "文件夹.xlsx", "UNREADABLE", "文件夹.xlsx：是文件夹，不是工作簿文件")
    add(
        "path in a missing folder",
        d / "不存在的文件夹" / "报告.xlsx",
        "UNREADABLE",
        "报告.xlsx：文件不存在（文件夹 不存在的文件夹 不存在）",
    )
    fifo = d / "管道.xlsx"
    if make and not fifo.exists():
        os.mkfifo(fifo)
    add("a FIFO (would block a naive reader)", fifo, "UNREADABLE", "管道.xlsx：不是普通文件（可能是管道或设备），无法作为工作簿读取")
    link = d / "快捷方式.xlsx"
    if make and not link.is_symlink():
        link.symlink_to(d / "已删除.xlsx")
    add("dangling symlink", link, "UNREADABLE", "快捷方式.xlsx：是指向不存在文件的快捷方式（符号链接）")
    gbk = os.fsencode(d) + b"/" + "教育局报告.xlsx".encode("gbk")
    if make:
        with open(gbk, "wb") as fh:
            fh.write(b"")
    add("non-UTF-8 (GBK) file name", gbk, "UNREADABLE", "教育局报告.xlsx：是空文件（0 字节）")
    return cases
