"""The long table of a merge: one row per counted agency × input cell (canonical ID),
ready for a pivot table. The same rows go to the 明细 sheet, to CSV and to Parquet.

Only the input cells are listed: the totals are sums of them (a pivot table sums
them itself, and would count them twice if they were listed too), and the summary
itself is the sum of exactly these rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from ..findings import ToolError
from ..form import FormSpec, current
from .submission import Submission

COLUMNS = ("单位名称", "统一社会信用代码", "编号", "表", "行", "列", "数值")


@lru_cache(maxsize=16)
def labels(spec: FormSpec) -> tuple[tuple[str, str, str, str], ...]:
    """(ID, table, row, column) of each input cell, in the order Submission.values holds them."""
    cells = spec.cells
    return tuple((cid, cells[cid].table_name, cells[cid].row_name, cells[cid].col_name or cells[cid].col_label) for cid in spec.input_ids)


FORMATS = {".csv": "csv", ".parquet": "parquet"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 200  # agencies per Parquet row group


class ExportError(ToolError):
    """An export that cannot be made (Chinese message)."""


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"导出文件 {path} 应以 .csv 或 .parquet 结尾")
    return FORMATS[suffix]


def check_export(path: str | Path) -> str:
    """The export format, after checking that it can be written here (before any work)."""
    kind = format_of(path)
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ExportError("导出 Parquet 需要安装 pyarrow：pip install 'xlsx-tools[parquet]'") from None
    return kind


def rows(subs: Iterable[Submission], spec: FormSpec | None = None) -> Iterator[tuple]:
    per_id = labels(spec or current())
    for s in subs:
        for cell, value in zip(per_id, s.values or (), strict=False):
            yield (s.agency, s.uscc, *cell, value)


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_line(cells: Iterable[str]) -> str:
    """Cells as one CSV line without its end (quoted as the csv module quotes)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    return buf.getvalue()


def write_csv(path: str | Path, subs: Iterable[Submission], spec: FormSpec | None = None) -> None:
    """UTF-8 with BOM (so that Excel opens it in Chinese), CRLF, text cells neutralised.
    The label cells of each ID and the agency cells of each submission are rendered
    once; a row is then one string operation."""
    per_id = [_csv_line(neutralise(t) for t in cell) + "," for cell in labels(spec or current())]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(_csv_line(COLUMNS) + "\r\n")
        for s in subs:
            head = _csv_line(neutralise(t) for t in (s.agency, s.uscc)) + ","
            fh.write("".join([f"{head}{ids}{'' if v is None else repr(v)}\r\n" for ids, v in zip(per_id, s.values or (), strict=False)]))


def write_parquet(path: str | Path, subs: Iterable[Submission], spec: FormSpec | None = None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.string()) for c in COLUMNS[:-1]] + [(COLUMNS[-1], pa.float64())])
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[Submission] = []

        def flush() -> None:
            columns = list(zip(*rows(batch, spec), strict=False)) or [()] * len(COLUMNS)
            arrays = [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=False)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            batch.clear()

        for s in subs:
            batch.append(s)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()


def export(path: str | Path, subs: list[Submission], kind: str, spec: FormSpec | None = None) -> None:
    (write_parquet if kind == "parquet" else write_csv)(path, subs, spec)
