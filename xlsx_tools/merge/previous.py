"""Last year's reports for `merge --previous`: from last year's summary workbook, or
from last year's folder (or files) of agency workbooks.

A summary written by `xlsx-tools merge` carries, in its per-agency sheet (`book.py`,
AGENCIES), what next year's rules need of every agency it read: the code, the name,
the cells of `spec.previous_ids` and the narrative sections. Reading it costs one
sheet of one file, whatever the number of agencies — the way to keep `merge --previous`
cheap (benchmarks/bench_previous.py). A folder is read report by report, with the same
reader as this year's files (and the same worker processes): it costs as much as
reading last year's files does.
"""

from __future__ import annotations

from pathlib import Path

from ..check.previous import LastYear, prune
from ..findings import ReadError, ToolError
from ..form import FormSpec, current
from ..read.workbook import open_workbook
from ..read.workbook import readable as shown_path
from ..report import Report
from ..values import normalise_text
from .inputs import collect
from .pool import read_all_with
from .review import AGENCIES, AGENCY_ID_ROW, agency_columns


class PreviousError(ToolError):
    """Last year's reports cannot be used (Chinese message)."""


def _from_summary(src, path: Path, spec: FormSpec) -> list[Report] | None:
    """The agencies of a summary workbook's per-agency sheet; None if it has none."""
    if AGENCIES not in src.sheet_names():
        return None
    rows = src.rows(AGENCIES)
    if len(rows) <= AGENCY_ID_ROW:
        return []
    ids = [normalise_text(v) if isinstance(v, str) else "" for v in rows[AGENCY_ID_ROW]]
    wanted = {key for key, _ in agency_columns(spec)}
    col = {key: i for i, key in enumerate(ids) if key in wanted}
    if "meta.agency" not in col:
        raise PreviousError(f"上年汇总表 {shown_path(path)} 的「{AGENCIES}」工作表缺少编号行，无法使用")
    shown = shown_path(path)
    out = []
    for row in rows[AGENCY_ID_ROW + 1 :]:

        def at(key: str, row=row) -> object:
            c = col.get(key)
            return row[c] if c is not None and c < len(row) else None

        agency = normalise_text(at("meta.agency"))
        if not agency:
            continue
        cells = {}
        for cid in spec.previous_ids:
            v = at(cid)
            cells[cid] = (int(v) if isinstance(v, float) and v.is_integer() else v) if isinstance(v, (int, float)) else None
        text = {s.key: at(f"text.{s.key}") for s in spec.sections}
        text = {k: v for k, v in text.items() if isinstance(v, str) and v}
        year = at("meta.year")
        meta = {"agency": agency, "uscc": normalise_text(at("meta.uscc")).upper()}
        if isinstance(year, (int, float)):
            meta["year"] = int(year)
        out.append(Report(meta=meta, cells=cells, text=text, form=spec.id, source=f"{shown}（{AGENCIES}）"))
    return out


def read_previous(job: tuple[str, str, str]) -> Report | None:
    """Last year's report in one workbook, pruned (runs in a worker); None if unreadable."""
    from ..form import FORMS
    from ..read import read_report

    path, shown, form = job
    try:
        report = read_report(path, FORMS[form])
    except ReadError:
        return None
    report.source = shown
    return prune(report)


def load_previous(
    paths: list[str | Path], spec: FormSpec | None = None, jobs: int | None = None, exclude: set[Path] | None = None
) -> LastYear:
    """LastYear from last year's summary workbook(s), folder(s) or report files."""
    spec = spec or current()
    reports: list[Report] = []
    files: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += collect([path], exclude).files
            continue
        if not path.exists():
            raise PreviousError(f"上年报告 {shown_path(path)} 不存在")
        if path.suffix.lower() == ".json":  # a report exported as JSON
            from ..report import load_json

            reports.append(prune(load_json(path)))
            continue
        try:
            src = open_workbook(path)
            summary = _from_summary(src, path, spec)
        except ReadError as exc:
            raise PreviousError(f"上年报告无法读取：{exc.message}") from None
        if summary is None:
            files.append((path, shown_path(path)))
        else:
            reports += summary
    if files:
        one = len(files) == 1  # one file (validate --previous, the agency page): read here, no worker
        read = [read_previous((str(files[0][0]), files[0][1], spec.id))] if one else read_all_with(read_previous, files, jobs, spec=spec)
        reports += [r for r in read if r is not None]
        if not any(r is not None for r in read):
            raise PreviousError(f"上年报告（{'、'.join(shown_path(Path(p)) for p in paths)}）中没有可以读取的报告")
    if not reports:
        raise PreviousError(f"上年报告（{'、'.join(shown_path(Path(p)) for p in paths)}）中没有单位的数据")
    return LastYear(reports, "、".join(shown_path(Path(p)) for p in paths))
