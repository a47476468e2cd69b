"""The long table of a merge: one row per counted agency × canonical cell ID, ready
for a pivot table. The same rows go to the 明细 sheet, to CSV and to Parquet.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, Iterator

from .form import CELLS
from .submission import CELL_IDS, Submission

COLUMNS = ("单位名称", "统一社会信用代码", "编号", "表", "行", "列", "数值")
LABELS: tuple[tuple[str, str, str, str], ...] = tuple(
    (cid, CELLS[cid].table_name, CELLS[cid].row_name, CELLS[cid].col_name or CELLS[cid].col_label) for cid in CELL_IDS
)
FORMATS = {".csv": "csv", ".parquet": "parquet"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 200  # agencies per Parquet row group


class ExportError(Exception):
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


def rows(subs: Iterable[Submission]) -> Iterator[tuple]:
    for s in subs:
        for labels, value in zip(LABELS, s.values or ()):
            yield (s.agency, s.uscc, *labels, value)


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: str | Path, subs: Iterable[Submission]) -> None:
    """UTF-8 with BOM (so that Excel opens it in Chinese), CRLF, text cells neutralised."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows(subs):
            *text, value = row
            w.writerow([neutralise(t) for t in text] + ["" if value is None else value])


def write_parquet(path: str | Path, subs: Iterable[Submission]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.string()) for c in COLUMNS[:-1]] + [(COLUMNS[-1], pa.float64())])
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[Submission] = []

        def flush() -> None:
            columns = list(zip(*rows(batch))) or [()] * len(COLUMNS)
            arrays = [pa.array(col, type=f.type) for col, f in zip(columns, schema)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            batch.clear()

        for s in subs:
            batch.append(s)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()


def export(path: str | Path, subs: list[Submission], kind: str) -> None:
    (write_parquet if kind == "parquet" else write_csv)(path, subs)
