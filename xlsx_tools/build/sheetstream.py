"""A worksheet whose body rows are streamed as XML, for tables of many thousands of
rows (the merge register, the list of problems, the long table of every value).

XlsxWriter's cell API costs several microseconds a cell and keeps every cell in
memory (its constant_memory mode is slower still); the long table of a 1,000-agency
merge has 200,000 rows. `StreamSheet.stream(rows)` renders the rows once, as they come,
into a temporary file, with strings in the workbook's shared-string table, numbers as
numbers. Rows above the body (headers) are written with the ordinary API, so formats,
column widths, freeze panes, autofilters and conditional formats work as usual.

This leans on three XlsxWriter internals (the shared-string table `str_table`, the
`_write_sheet_data` step and the `dim_*` extent); tests read the result back with
python-calamine, openpyxl and LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
_CHUNK = 4000  # rows rendered per write


class Block(list):
    """Several rows at once: the XML of each row's cells (from `text_cells` and
    `number_cell`), without the <row> element around them."""


class StreamSheet(Worksheet):
    """Add with `workbook.add_worksheet(name, worksheet_class=StreamSheet)`."""

    def _initialize(self, init_data) -> None:
        super()._initialize(init_data)
        self._body: Path | None = None
        self._head_rowmax: int | None = None

    def text_cells(self, texts: Iterable[str]) -> str:
        """Cells holding `texts` (shared strings), in consecutive columns; None or ''
        becomes an empty cell. Render a recurring run of cells once and reuse it."""
        out = []
        for text in texts:
            out.append(f'<c t="s"><v>{self._string(text)}</v></c>' if text else "<c/>")
        return "".join(out)

    @staticmethod
    def number_cell(value: object) -> str:
        """A number cell ('' for None: only for the last cell of a row)."""
        return "" if value is None else f"<c><v>{value!r}</v></c>"

    def _string(self, text: str) -> int:
        if len(text) > EXCEL_MAX_TEXT:
            text = text[: EXCEL_MAX_TEXT - 1] + "…"
        return self.str_table._get_shared_string_index(text)

    def stream(self, rows: Iterable[Block | Sequence[object]], first_row: int, tmpdir: str | Path, width: int = 0) -> int:
        """Render `rows` from `first_row` (0-based) down and return how many there were.

        An item is either one row, a sequence of values (str, int, float, or None for
        an empty cell), or a `Block` of rows already rendered with `text_cells` and
        `number_cell`, which is how the long table goes fast (`width`: its columns).
        Call once per sheet, before the workbook closes.
        Cells carry no reference of their own: a cell without `r` is the one after the
        previous cell of its row (ECMA-376 §18.3.1.4; Excel, LibreOffice, calamine and
        openpyxl all read it so), which makes the XML a third smaller."""
        if self._body is not None:
            raise RuntimeError("stream() may be called once per sheet")
        fd, name = tempfile.mkstemp(prefix="rows.", suffix=".xml", dir=tmpdir)
        os.close(fd)
        self._body = Path(name)
        self._head_rowmax = self.dim_rowmax
        r = first_row
        widest = width
        with open(name, "w", encoding="utf-8") as fh:
            out: list[str] = []
            pending = r
            for row in rows:
                if row.__class__ is Block:
                    if r + len(row) > EXCEL_MAX_ROWS:
                        raise ValueError(f"工作表「{self.name}」超过 Excel 的行数上限 {EXCEL_MAX_ROWS} 行")
                    out.append("".join([f'<row r="{n}">{cells}</row>' for n, cells in enumerate(row, r + 1)]))
                    r += len(row)
                else:
                    if r >= EXCEL_MAX_ROWS:
                        raise ValueError(f"工作表「{self.name}」超过 Excel 的行数上限 {EXCEL_MAX_ROWS} 行")
                    out.append(f'<row r="{r + 1}">{self._cells(row)}</row>')
                    widest = max(widest, len(row))
                    r += 1
                if r - pending >= _CHUNK:
                    fh.write("".join(out))
                    out.clear()
                    pending = r
            fh.write("".join(out))
        written = r - first_row
        if written:
            self.dim_rowmin = first_row if self.dim_rowmin is None else min(self.dim_rowmin, first_row)
            self.dim_rowmax = r - 1 if self.dim_rowmax is None else max(self.dim_rowmax, r - 1)
            self.dim_colmin = 0 if self.dim_colmin is None else self.dim_colmin
            self.dim_colmax = max(widest - 1, self.dim_colmax or 0)
        return written

    def _cells(self, row: Sequence[object]) -> str:
        out = []
        for value in row:
            if value is None or value == "":
                out.append("<c/>")
            elif value.__class__ is str:
                out.append(f'<c t="s"><v>{self._string(value)}</v></c>')
            else:  # int or float (finite: the reader accepts nothing else)
                out.append(f"<c><v>{value!r}</v></c>")
        return "".join(out)

    def _write_sheet_data(self) -> None:
        if self._body is None:
            super()._write_sheet_data()
            return
        self._xml_start_tag("sheetData")
        if self._head_rowmax is not None:  # ordinary rows above the body
            saved = self.dim_rowmax
            self.dim_rowmax = self._head_rowmax
            self._write_rows()
            self.dim_rowmax = saved
        self.fh.flush()
        with open(self._body, encoding="utf-8") as body:
            shutil.copyfileobj(body, self.fh, 1 << 20)
        self._body.unlink(missing_ok=True)
        self._xml_end_tag("sheetData")
