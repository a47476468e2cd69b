"""A zip package (.xlsx, .xlsm, .ods, .docx …) measured before anything is inflated.

`Package(data)` reads the central directory — with a few struct calls for the usual
archive, with `zipfile` for anything unusual (zip64, data before the archive) — and
refuses, with the reason in Chinese, what a report workbook never is: more members or
more inflated bytes than a workbook can need, compression ratios of a zip bomb, sizes
in the directory that the data contradicts, encrypted members. `read(name)` inflates
one member within the limits and checks its CRC.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

MAX_PART_BYTES = 20 * 2**20  # inflated size of one member that may be read
MAX_TOTAL_BYTES = 60 * 2**20  # inflated size of all such members
# A worksheet is inflated only when the reader opens it (WorkbookFile.rows checks it
# against MAX_PART_BYTES then); the report's sheets are small, but a summary's long
# 明细 sheet, which the reader never opens, may be much larger.
MAX_SHEET_BYTES = 400 * 2**20
MAX_RATIO = 100  # inflated/compressed, for members over 1 MB
MAX_MEMBERS = 2000
VERIFY_PACKED_BYTES = 64 * 2**10  # members this large are inflated once to check their stated size

STORED, DEFLATED = 0, 8
_EOCD = b"PK\x05\x06"
_CD = struct.Struct("<4s6H3I5H2I")  # central directory file header, 46 bytes
_LOCAL = b"PK\x03\x04"


class PackageError(Exception):
    """Why a package is refused (a Chinese sentence, without the file name)."""


@dataclass(frozen=True)
class Entry:
    name: str
    flags: int
    method: int
    crc: int
    packed: int
    size: int
    offset: int  # of the local file header


def _fast_directory(data: bytes) -> list[Entry] | None:
    """The central directory of a plain archive; None where zipfile must look."""
    end = data.rfind(_EOCD, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        return None
    _sig, disk, cd_disk, _n_here, count, cd_size, cd_offset, _comment = struct.unpack_from("<4s4H2IH", data, end)
    if disk or cd_disk or count == 0xFFFF or cd_offset == 0xFFFFFFFF or cd_offset + cd_size != end:
        return None
    entries = []
    pos = cd_offset
    for _ in range(count):
        if data[pos : pos + 4] != b"PK\x01\x02" or pos + 46 > end:
            return None
        (_s, _made, _need, flags, method, _t, _d, crc, packed, size, nlen, xlen, clen, _disk, _ia, _ea, offset) = _CD.unpack_from(data, pos)
        if 0xFFFFFFFF in (packed, size, offset):
            return None
        raw = data[pos + 46 : pos + 46 + nlen]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        entries.append(Entry(name, flags, method, crc, packed, size, offset))
        pos += 46 + nlen + xlen + clen
    return entries


def _zipfile_directory(data: bytes) -> list[Entry]:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError, struct.error):
        raise PackageError("文件已损坏（压缩包不完整或被截断），请重新保存后提交") from None
    return [Entry(i.filename, i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size, i.header_offset) for i in infos]


def is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


class Package:
    def __init__(self, data: bytes):
        self.data = data
        entries = _fast_directory(data)
        if entries is None:
            entries = _zipfile_directory(data)
        self.entries = {e.name: e for e in entries}
        self._check(entries)

    def _check(self, entries: list[Entry]) -> None:
        if len(entries) > MAX_MEMBERS:
            raise PackageError(f"压缩包内文件过多（{len(entries)} 个），拒绝读取")
        total = 0
        for e in entries:
            sheet = is_worksheet(e.name)
            total += 0 if sheet else e.size
            ratio = e.size / max(e.packed, 1)
            limit = MAX_SHEET_BYTES if sheet else MAX_PART_BYTES
            if e.size > limit or total > MAX_TOTAL_BYTES or (e.size > 2**20 and ratio > MAX_RATIO):
                raise PackageError(
                    f"解压后体积异常（{e.name} 解压后 {e.size / 2**20:.0f} MB，压缩比 {ratio:.0f}:1），疑似压缩炸弹，拒绝读取"
                )
            if e.packed > e.size * 1.02 + 4096:  # deflate never grows data this much: the stated size lies
                raise PackageError(f"压缩包内 {e.name} 标注的大小与实际不符，疑似恶意构造的文件，拒绝读取")
            if e.flags & 0x1:
                raise PackageError("压缩包已加密，无法读取")
            if e.method not in (STORED, DEFLATED):
                raise PackageError(f"压缩包内 {e.name} 使用了不支持的压缩方式，请用 Excel 重新保存")
            if e.packed > VERIFY_PACKED_BYTES and e.method == DEFLATED and self._inflated_size(e, e.size + 1) > e.size:
                raise PackageError(f"压缩包内 {e.name} 解压后的实际大小超过标注的大小，疑似压缩炸弹，拒绝读取")

    def _raw(self, e: Entry) -> memoryview:
        header = self.data[e.offset : e.offset + 30]
        if len(header) < 30 or header[:4] != _LOCAL:
            raise PackageError(f"文件已损坏（{e.name} 的位置信息有误），请重新保存后提交")
        nlen, xlen = struct.unpack_from("<HH", header, 26)
        start = e.offset + 30 + nlen + xlen
        return memoryview(self.data)[start : start + e.packed]

    def _inflated_size(self, e: Entry, limit: int) -> int:
        """Inflate in bounded chunks, counting; stops past `limit`. Memory stays ~1 MB."""
        pending = self._raw(e)
        inflater = zlib.decompressobj(-15)
        produced = 0
        try:
            while pending and produced <= limit:
                produced += len(inflater.decompress(pending, 2**20))
                pending = inflater.unconsumed_tail
            produced += len(inflater.flush()) if produced <= limit else 0
        except zlib.error:
            return 0  # corrupt, not a bomb: reported when the member is read
        return produced

    def size(self, name: str) -> int:
        """Inflated size of a member as checked against its data (0 if absent)."""
        e = self.entries.get(name)
        return e.size if e else 0

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def read(self, name: str, head: int | None = None) -> bytes | None:
        """A member's bytes (or its first `head` bytes), None if absent."""
        e = self.entries.get(name)
        if e is None:
            return None
        raw = self._raw(e)
        try:
            if e.method == STORED:
                out = bytes(raw[: head or e.size])
            else:
                out = zlib.decompressobj(-15).decompress(raw, head or (e.size + 1))
        except zlib.error:
            raise PackageError(f"文件已损坏（{name} 无法解压），请重新保存后提交") from None
        if head is None and (len(out) != e.size or zlib.crc32(out) != e.crc):
            raise PackageError(f"文件已损坏（{name} 的内容与校验值不符），请重新保存后提交")
        return out
