"""The 校验 button's actions written into a workbook file, touching nothing else.

`apply_actions(data, sheets, actions)` takes the bytes of an .xlsx/.xlsm package, the
names of its worksheets in the order of the payload (an action names its sheet by
position), and the actions `validate_payload` returns for xlwings' VBA client, and
gives back the bytes of the same package in which only what those actions change has
changed — the way Excel would have it after the button ran:

- `setRangeColor`: the cell gets a copy of its own cell format (number format, font,
  border, alignment, protection) with a solid fill of that colour, as
  `Range.Interior.Color` does; a cell that already has that fill keeps its format;
- `setValues`: the value, text as an inline string (sharedStrings.xml is left as it
  is), numbers and booleans as such; the cell keeps its format; `""` empties a cell;
- `rangeClearContents`: the values go, the formats stay; a cell that does not exist
  is not created;
- `alert`: nothing (the page shows the findings itself).

Everything else — every other part of the package (VBA project, drawings, defined
names, shared strings, document properties…), every other cell of the sheets
touched, every existing format, fill and cell style — keeps its bytes. The parts that
change are the sheets written to (their `<sheetData>`, and `<dimension>` when a cell is
added outside it) and `xl/styles.xml` (fills and cell formats appended at the end, the
`count`s updated). A formula a value replaces is removed with its calculation chain
(`xl/calcChain.xml`, which Excel rebuilds), as Excel does; a cell that is part of a
shared or array formula is never overwritten (PatchError).

The XML is edited as text, element by element, never parsed and re-serialised: a
round trip through an XML library would rename namespace prefixes (breaking
`mc:Ignorable`) and rewrite every byte. The elements handled (`row`, `c`, `xf`,
`fill`) carry only attributes, never text, between their tags.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from ..findings import ToolError
from ..form.layout import col_letter, parse_a1

MAX_PACKAGE_BYTES = 100 * 2**20  # inflated size of every part together; a report is ~0.5 MB
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTRS = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class PatchError(ToolError):
    """The actions cannot be written into this file without touching more than they say."""


def _attrs(raw: bytes) -> list[tuple[bytes, bytes]]:
    return [(m.group(1), m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTRS.finditer(raw)]


def _attr(raw: bytes, name: bytes) -> bytes | None:
    for key, value in _attrs(raw):
        if key == name:
            return value
    return None


def _set_attrs(raw: bytes, changes: dict[bytes, bytes | None]) -> bytes:
    """The attribute text `raw` with `changes` applied (None removes); the others keep their
    bytes and order, new ones are appended."""
    out, seen = raw, set()
    for m in reversed(list(_ATTRS.finditer(raw))):
        key = m.group(1)
        if key in changes:
            seen.add(key)
            value = changes[key]
            repl = b"" if value is None else key + b'="' + value + b'"'
            start = m.start()
            if value is None:  # take the blank before it too
                while start > 0 and out[start - 1 : start] in (b" ", b"\t", b"\n", b"\r"):
                    start -= 1
            out = out[:start] + repl + out[m.end() :]
    for key, value in changes.items():
        if key not in seen and value is not None:
            out = out.rstrip() + b" " + key + b'="' + value + b'"'
    return out


_LOOKS_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _escape(text: str) -> bytes:
    text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)  # a literal "_x0041_" must not read as "A"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _NOT_XML_CHAR.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)  # OOXML's escape for characters XML cannot hold
    return text.encode("utf-8")


# ---- a worksheet's cells -------------------------------------------------------------


@dataclass
class _Cell:
    col: int
    attrs: bytes  # the attribute text of <c …>
    inner: bytes | None  # between <c …> and </c>; None for <c …/>
    raw: bytes | None  # the element as it was (None: a new cell)


@dataclass
class _Row:
    row: int
    attrs: bytes
    cells: list[_Cell]
    tail: bytes  # after the last cell (an extLst, blanks)
    raw: bytes | None
    changed: bool = False


@dataclass
class _Change:
    style: int | None = None  # the new cell format; None: as it was
    value: object = ...  # ...: as it was; None: emptied; else the new value


class _Sheet:
    """The <sheetData> of one worksheet part, cells addressable by (row, col), 0-based."""

    def __init__(self, xml: bytes, part: str):
        self.xml, self.part = xml, part
        m = re.search(rb"<(?:(\w+):)?sheetData\b([^>]*?)(/?)>", xml)
        if not m:
            raise PatchError(f"工作表 {part} 中没有单元格数据，无法标注")
        self.p = (m.group(1) + b":") if m.group(1) else b""
        if m.group(3):  # <sheetData/>
            self.start, self.end, body = m.start(), m.end(), b""
            self.open = b"<" + self.p + b"sheetData" + m.group(2).rstrip() + b">"
        else:
            close = xml.find(b"</" + self.p + b"sheetData>", m.end())
            if close < 0:
                raise PatchError(f"工作表 {part} 已损坏，无法标注")
            self.start, self.end, body = m.start(), close + len(b"</" + self.p + b"sheetData>"), xml[m.end() : close]
            self.open = m.group(0)
        self.rows = self._rows(body)
        self.by_row = {r.row: r for r in self.rows}
        self.cols = self._col_styles(xml[: self.start])
        self.changes: dict[tuple[int, int], _Change] = {}
        self.formulas_removed = False

    def _rows(self, body: bytes) -> list[_Row]:
        p = re.escape(self.p)
        row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
        cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        rows, last = [], -1
        for rm in row_re.finditer(body):
            r = _attr(rm.group(1), b"r")
            index = int(r) - 1 if r is not None else last + 1
            content = rm.group(2) or b""
            cells, col, end = [], -1, 0
            for cm in cell_re.finditer(content):
                ref = _attr(cm.group(1), b"r")
                col = parse_a1(ref.decode("ascii"))[1] if ref is not None else col + 1
                cells.append(_Cell(col, cm.group(1), cm.group(2), cm.group(0)))
                end = cm.end()
            if rows and index <= rows[-1].row:
                raise PatchError(f"工作表 {self.part} 的行顺序异常，无法标注")
            rows.append(_Row(index, rm.group(1), cells, content[end:] if cells else content, rm.group(0)))
            last = index
        return rows

    def _col_styles(self, head: bytes) -> list[tuple[int, int, int]]:
        """(first col, last col, style) of each <col> with a style (0-based columns)."""
        out = []
        for m in re.finditer(rb"<" + re.escape(self.p) + rb"col\b([^>]*?)/?>", head):
            a = dict(_attrs(m.group(1)))
            if b"style" in a and b"min" in a and b"max" in a:
                out.append((int(a[b"min"]) - 1, int(a[b"max"]) - 1, int(a[b"style"])))
        return out

    def cell(self, row: int, col: int) -> _Cell | None:
        r = self.by_row.get(row)
        if r is None:
            return None
        return next((c for c in r.cells if c.col == col), None)

    def style_of(self, row: int, col: int) -> int:
        """The cell format a cell has (or, not existing, would show): its own, else the
        row's (customFormat), else its column's, else the default."""
        change = self.changes.get((row, col))
        if change is not None and change.style is not None:
            return change.style
        c = self.cell(row, col)
        if c is not None:
            return int(_attr(c.attrs, b"s") or 0)
        r = self.by_row.get(row)
        if r is not None and _attr(r.attrs, b"customFormat") in (b"1", b"true") and _attr(r.attrs, b"s") is not None:
            return int(_attr(r.attrs, b"s"))
        for first, last, style in self.cols:
            if first <= col <= last:
                return style
        return 0

    def change(self, row: int, col: int) -> _Change:
        return self.changes.setdefault((row, col), _Change())

    # ---- writing -------------------------------------------------------------------------

    def _cell_xml(self, row: int, col: int, old: _Cell | None, change: _Change) -> bytes | None:
        """The element for a changed cell; None when a new cell would hold nothing."""
        value_changed = change.value is not ...
        t, inner = self._value(change.value) if value_changed else (None, None)
        if old is None:
            if inner is None and change.style is None:
                return None
            attrs = b' r="' + f"{col_letter(col)}{row + 1}".encode() + b'"'
            if change.style:
                attrs += b' s="%d"' % change.style
            if t:
                attrs += b' t="' + t + b'"'
            return self._element(attrs, inner)
        attrs = old.attrs
        if change.style is not None and change.style != int(_attr(attrs, b"s") or 0):
            attrs = _set_attrs(attrs, {b"s": str(change.style).encode()})
        if not value_changed:
            return old.raw if attrs == old.attrs else self._element(attrs, old.inner)
        if old.inner and re.search(rb"<" + re.escape(self.p) + rb"f\b", old.inner):
            f = re.search(rb"<" + re.escape(self.p) + rb"f\b([^>]*)", old.inner)
            kind = _attr(f.group(1), b"t")
            if kind in (b"array", b"dataTable") or (kind == b"shared" and _attr(f.group(1), b"ref") is not None):
                raise PatchError(f"工作表 {self.part} 的单元格 {col_letter(col)}{row + 1} 属于共享或数组公式，无法写入")
            self.formulas_removed = True
        return self._element(_set_attrs(attrs, {b"t": t, b"cm": None, b"vm": None}), inner)

    def _element(self, attrs: bytes, inner: bytes | None) -> bytes:
        attrs = attrs if not attrs or attrs.startswith((b" ", b"\t", b"\n", b"\r")) else b" " + attrs
        if inner is None:
            return b"<" + self.p + b"c" + attrs + b"/>"
        return b"<" + self.p + b"c" + attrs + b">" + inner + b"</" + self.p + b"c>"

    def _value(self, value: object) -> tuple[bytes | None, bytes | None]:
        p = self.p
        if value is None or value == "":
            return None, None
        if isinstance(value, bool):
            return b"b", b"<" + p + b"v>" + (b"1" if value else b"0") + b"</" + p + b"v>"
        if isinstance(value, (int, float)):
            return None, b"<" + p + b"v>" + repr(value).encode() + b"</" + p + b"v>"
        text = str(value)
        space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
        return b"inlineStr", b"<" + p + b"is><" + p + b"t" + space + b">" + _escape(text) + b"</" + p + b"t></" + p + b"is>"

    def _row_xml(self, row: _Row) -> bytes:
        changes = {c: ch for (r, c), ch in self.changes.items() if r == row.row}
        if not changes:
            return row.raw  # type: ignore[return-value]
        cells: list[tuple[int, bytes]] = []
        for c in row.cells:
            if _attr(c.attrs, b"r") is None:  # its place was implied by order: a cell put before it would move it
                ref = f"{col_letter(c.col)}{row.row + 1}".encode()
                c = _Cell(c.col, b' r="' + ref + b'"' + c.attrs, c.inner, None)
                c.raw = self._element(c.attrs, c.inner)
            ch = changes.pop(c.col, None)
            xml = c.raw if ch is None else self._cell_xml(row.row, c.col, c, ch)
            cells.append((c.col, xml))  # type: ignore[arg-type]
        for col, ch in changes.items():
            xml = self._cell_xml(row.row, col, None, ch)
            if xml is not None:
                cells.append((col, xml))
        cells.sort(key=lambda t: t[0])
        attrs = row.attrs
        spans = _attr(attrs, b"spans")
        if spans is not None and cells and b":" in spans and b" " not in spans:
            lo, hi = (int(x) for x in spans.split(b":"))
            lo, hi = min(lo, cells[0][0] + 1), max(hi, cells[-1][0] + 1)
            if f"{lo}:{hi}".encode() != spans:
                attrs = _set_attrs(attrs, {b"spans": f"{lo}:{hi}".encode()})
        if _attr(attrs, b"r") is None:
            attrs = _set_attrs(attrs, {b"r": str(row.row + 1).encode()})
        attrs = attrs if attrs.startswith((b" ", b"\t", b"\n", b"\r")) else b" " + attrs
        content = b"".join(x for _, x in cells) + row.tail
        if not content:
            return b"<" + self.p + b"row" + attrs + b"/>"
        return b"<" + self.p + b"row" + attrs + b">" + content + b"</" + self.p + b"row>"

    def xml_out(self) -> bytes:
        if not self.changes:
            return self.xml
        rows = list(self.rows)
        for r in sorted({r for r, _ in self.changes} - set(self.by_row)):
            rows.append(_Row(r, b' r="%d"' % (r + 1), [], b"", None))
        rows.sort(key=lambda r: r.row)
        body = b"".join(self._row_xml(r) for r in rows)
        out = self.xml[: self.start] + self.open + body + b"</" + self.p + b"sheetData>" + self.xml[self.end :]
        return self._dimension(out)

    def _dimension(self, xml: bytes) -> bytes:
        """Widen <dimension ref> to cover cells written outside it."""
        written = [(r, c) for (r, c), ch in self.changes.items() if ch.value not in (..., None, "")]
        m = re.search(rb"<" + re.escape(self.p) + rb'dimension\b[^>]*?\bref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"', xml)
        if not written or not m:
            return xml
        (r1, c1) = parse_a1(m.group(1).decode())
        (r2, c2) = parse_a1(m.group(2).decode()) if m.group(2) else (r1, c1)
        nr1, nc1 = min([r1] + [r for r, _ in written]), min([c1] + [c for _, c in written])
        nr2, nc2 = max([r2] + [r for r, _ in written]), max([c2] + [c for _, c in written])
        if (nr1, nc1, nr2, nc2) == (r1, c1, r2, c2):
            return xml
        ref = f"{col_letter(nc1)}{nr1 + 1}:{col_letter(nc2)}{nr2 + 1}".encode()
        return xml[: m.start(1)] + ref + xml[m.end(2) if m.group(2) else m.end(1) :]


# ---- the cell formats ------------------------------------------------------------------


class _Styles:
    """xl/styles.xml: fills and cell formats (cellXfs), appended to, never rewritten."""

    def __init__(self, xml: bytes):
        self.xml = xml
        m = re.search(rb"<(?:(\w+):)?styleSheet\b", xml)
        self.p = (m.group(1) + b":") if m and m.group(1) else b""
        self.fills_block = self._block(b"fills")
        self.xfs_block = self._block(b"cellXfs")
        p = re.escape(self.p)
        self.fills = [
            m.group(0) for m in re.finditer(rb"<" + p + rb"fill\b[^>]*?(?:/>|>.*?</" + p + rb"fill>)", self._inner(self.fills_block), re.S)
        ]
        self.xfs = [
            m.group(0) for m in re.finditer(rb"<" + p + rb"xf\b[^>]*?(?:/>|>.*?</" + p + rb"xf>)", self._inner(self.xfs_block), re.S)
        ]
        self.new_fills: list[bytes] = []
        self.new_xfs: list[bytes] = []
        self._with_fill: dict[tuple[int, str], int] = {}

    def _block(self, name: bytes) -> re.Match:
        p = re.escape(self.p)
        m = re.search(rb"<" + p + name + rb"\b([^>]*)>(.*?)</" + p + name + rb">", self.xml, re.S)
        if not m:
            raise PatchError("工作簿的样式表（xl/styles.xml）不完整，无法标注")
        return m

    @staticmethod
    def _inner(m: re.Match) -> bytes:
        return m.group(2)

    def _solid_rgb(self, fill: bytes) -> str | None:
        if not re.search(rb'patternType="solid"', fill):
            return None
        m = re.search(rb'<(?:\w+:)?fgColor\b[^>]*?\brgb="([0-9A-Fa-f]{6,8})"', fill)
        return m.group(1).decode().upper()[-6:] if m else None

    def _fill_id(self, colour: str) -> int:
        every = self.fills + self.new_fills
        for i, fill in enumerate(every):
            if self._solid_rgb(fill) == colour and b"bgColor" not in fill.replace(b'<bgColor indexed="64"/>', b""):
                return i
        p = self.p
        self.new_fills.append(
            b"<" + p + b'fill><' + p + b'patternFill patternType="solid"><' + p + b'fgColor rgb="FF' + colour.encode() + b'"/><'
            + p + b'bgColor indexed="64"/></' + p + b"patternFill></" + p + b"fill>"
        )  # fmt: skip
        return len(every)

    def with_fill(self, style: int, colour: str) -> int:
        """The cell format `style` with a solid fill of `colour` (#RRGGBB): `style` itself if
        it has that fill already, else a copy appended once."""
        colour = colour.lstrip("#").upper()
        key = (style, colour)
        if key in self._with_fill:
            return self._with_fill[key]
        every = self.xfs + self.new_xfs
        xf = every[style] if 0 <= style < len(every) else every[0]
        head = re.match(rb"<(?:\w+:)?xf\b([^>]*?)(/?>)", xf)
        fill_id = int(_attr(head.group(1), b"fillId") or 0)
        fills = self.fills + self.new_fills
        if 0 <= fill_id < len(fills) and self._solid_rgb(fills[fill_id]) == colour:
            result = style
        else:
            attrs = _set_attrs(head.group(1), {b"fillId": str(self._fill_id(colour)).encode(), b"applyFill": b"1"})
            copy = xf[: head.start(1)] + attrs + xf[head.end(1) :]
            if copy in every:  # a workbook marked before: its marked formats serve again
                result = every.index(copy)
            else:
                self.new_xfs.append(copy)
                result = len(every)
        self._with_fill[key] = result
        return result

    def xml_out(self) -> bytes:
        if not self.new_xfs and not self.new_fills:
            return self.xml
        out = self.xml
        # the later block first, so that the earlier one's offsets stay valid
        for block, items, new in sorted(
            ((self.fills_block, self.fills, self.new_fills), (self.xfs_block, self.xfs, self.new_xfs)), key=lambda t: -t[0].start()
        ):
            if not new:
                continue
            attrs = _set_attrs(block.group(1), {b"count": str(len(items) + len(new)).encode()})
            inner = block.group(2) + b"".join(new)
            name = b"fills" if block is self.fills_block else b"cellXfs"
            out = out[: block.start()] + b"<" + self.p + name + attrs + b">" + inner + b"</" + self.p + name + b">" + out[block.end() :]
        return out


# ---- the package -------------------------------------------------------------------------

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*?)/?>")
_REL = re.compile(rb"<Relationship\b([^>]*?)/?>")


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    for entity, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, ch)
    return text


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> its part (xl/worksheets/sheetN.xml)."""
    rels = zf.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for m in _REL.finditer(rels):
        a = dict(_attrs(m.group(1)))
        target = _unescape(a.get(b"Target", b""))
        targets[a.get(b"Id", b"")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = {}
    for m in _SHEET.finditer(zf.read("xl/workbook.xml")):
        a = dict(_attrs(m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), b"")
        out[_unescape(a.get(b"name", b""))] = targets.get(rid, "")
    return out


@dataclass
class Patched:
    data: bytes
    parts: list[str] = field(default_factory=list)  # the parts that changed (for tests and logs)


def _cells_of(action: dict):
    r0, c0 = action["start_row"], action["start_column"]
    for r in range(r0, r0 + action["row_count"]):
        for c in range(c0, c0 + action["column_count"]):
            yield r, c


def apply_actions(data: bytes, sheets: list[str], actions: list[dict]) -> Patched:
    """The package `data` with `actions` written into it (see the module docstring)."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        infos = zin.infolist()
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise PatchError("工作簿解压后过大，无法标注")
        parts = sheet_parts(zin)
        touched: dict[str, _Sheet] = {}
        styles = _Styles(zin.read("xl/styles.xml"))
        for action in actions:
            func = action.get("func")
            if func == "alert":
                continue
            if func not in ("setRangeColor", "setValues", "rangeClearContents"):
                raise PatchError(f"无法在文件中执行操作 {func}")
            name = sheets[action["sheet_position"]]
            part = parts.get(name)
            if not part:
                raise PatchError(f"工作簿中找不到工作表「{name}」")
            sheet = touched.get(part)
            if sheet is None:
                sheet = touched[part] = _Sheet(zin.read(part), part)
            if func == "setRangeColor":
                colour = action["args"][0]
                for r, c in _cells_of(action):
                    new = styles.with_fill(sheet.style_of(r, c), colour)
                    if new != sheet.style_of(r, c) or (r, c) in sheet.changes:
                        sheet.change(r, c).style = new
            elif func == "setValues":
                r0, c0 = action["start_row"], action["start_column"]
                for i, row in enumerate(action["values"]):
                    for j, value in enumerate(row):
                        sheet.change(r0 + i, c0 + j).value = None if value == "" else value
            else:
                for r, c in _cells_of(action):
                    old = sheet.cell(r, c)
                    if old is not None and (old.inner or (r, c) in sheet.changes):
                        sheet.change(r, c).value = None
        replaced = {part: s.xml_out() for part, s in touched.items()}
        replaced = {part: xml for part, xml in replaced.items() if xml != zin.read(part)}
        new_styles = styles.xml_out()
        if new_styles != styles.xml:
            replaced["xl/styles.xml"] = new_styles
        dropped = set()
        if any(s.formulas_removed for s in touched.values()) and "xl/calcChain.xml" in zin.namelist():
            dropped.add("xl/calcChain.xml")
            replaced["xl/_rels/workbook.xml.rels"] = re.sub(
                rb"<Relationship\b[^>]*?Target=\"[^\"]*calcChain\.xml\"[^>]*?/>", b"", zin.read("xl/_rels/workbook.xml.rels")
            )
            replaced["[Content_Types].xml"] = re.sub(
                rb"<Override\b[^>]*?PartName=\"/xl/calcChain\.xml\"[^>]*?/>", b"", zin.read("[Content_Types].xml")
            )
        if not replaced:
            return Patched(data, [])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zout:
            for info in infos:
                if info.filename in dropped:
                    continue
                zout.writestr(info, replaced.get(info.filename) or zin.read(info.filename))
        return Patched(out.getvalue(), sorted(replaced))
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise PatchError(f"工作簿的结构异常，无法标注（{type(exc).__name__}）") from None


__all__ = ["MAX_PACKAGE_BYTES", "PatchError", "Patched", "apply_actions", "sheet_parts"]
