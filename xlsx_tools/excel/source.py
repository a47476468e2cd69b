"""An open xlwings `Book` as a `reader.Source`.

Works the same over every xlwings engine: the desktop Excel of the classic
`RunPython` button (COM), and the remote engine that `xw.Book(json=payload)` opens
from what xlwings' VBA client sends. Each sheet's values are read in one call (A1
to the end of the used range), defined names once; nothing is written.
"""

from __future__ import annotations

from functools import lru_cache

from ..form import Pos
from ..read.workbook import parse_ref
from ..values import EXCEL_ERRORS, CellError


@lru_cache(maxsize=4096)
def _cell_of(sheet: str, address: str) -> Pos | None:
    """The cell of a name as the client lists it ('J56' on a sheet); None for ranges.
    Cached: every workbook from the template names the same cells."""
    return parse_ref(f"'{sheet.replace(chr(39), chr(39) * 2)}'!{address}")


class BookSource:
    """Source over an xlwings Book (duck-typed: no xlwings import needed here)."""

    def __init__(self, book):
        self.book = book
        self.name = book.name
        self._sheets = {sheet.name: sheet for sheet in book.sheets}
        self._rows: dict[str, list[list]] = {}
        self._names: dict[str, Pos] | None = None

    def names(self) -> dict[str, Pos]:
        """Workbook-scoped names that refer to one cell (sheet-scoped ones are skipped)."""
        if self._names is None:
            self._names = self._client_names()
            if self._names is None:
                self._names = self._engine_names()
        return self._names

    def _engine_names(self) -> dict[str, Pos]:
        """The names through the engine's Name objects (any xlwings engine)."""
        found: dict[str, Pos] = {}
        for name in self.book.names:
            label = name.name
            if "!" in label:
                continue
            try:
                ref = name.refers_to
            except Exception:  # noqa: BLE001, S112 - a name the engine cannot resolve is not an anchor
                continue
            pos = parse_ref(ref or "")
            if pos is not None and pos.sheet in self._sheets:
                found[label] = pos
        return found

    def _client_names(self) -> dict[str, Pos] | None:
        """The same names straight from the list xlwings' VBA client sent, when the remote
        engine opened the book (its `api` is that payload); None otherwise, or when an
        entry is not in the VBA client's form. Building a Range per name through the
        engine would cost a third of the button's server-side time."""
        api = getattr(self.book, "api", None)
        if not isinstance(api, dict) or not isinstance(api.get("names"), list) or not isinstance(api.get("sheets"), list):
            return None
        sheets = [sheet.get("name") if isinstance(sheet, dict) else None for sheet in api["sheets"]]
        found: dict[str, Pos] = {}
        for entry in api["names"]:
            if not isinstance(entry, dict):
                return None
            label, index, address = entry.get("name"), entry.get("sheet_index"), entry.get("address")
            if not (isinstance(label, str) and isinstance(index, int) and isinstance(address, str) and 0 <= index < len(sheets)):
                return None
            if "!" in label or entry.get("book_scope") is False:
                continue  # sheet-scoped
            sheet = sheets[index]
            pos = _cell_of(sheet, address) if isinstance(sheet, str) else None
            if pos is not None and pos.sheet in self._sheets:
                found[label] = pos
        return found

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def sheet(self, name: str):
        return self._sheets[name]

    def rows(self, sheet_name: str) -> list[list]:
        """The sheet's values from A1 to the end of its used range (cached)."""
        rows = self._rows.get(sheet_name)
        if rows is None:
            sheet = self._sheets.get(sheet_name)
            rows = []
            if sheet is not None:
                last = sheet.used_range.last_cell
                if last.row >= 1 and last.column >= 1:
                    rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value or []
            self._rows[sheet_name] = rows
        return rows

    def value(self, pos: Pos) -> object:
        rows = self.rows(pos.sheet)
        if pos.row < len(rows) and pos.col < len(rows[pos.row]):
            value = rows[pos.row][pos.col]
            if isinstance(value, str) and value in EXCEL_ERRORS:
                return CellError(value)
            return value
        return None
