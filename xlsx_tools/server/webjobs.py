"""What the validator processes do with files uploaded from the web page.

Each job gets the folder and the stored files of one upload (`upload.Upload.as_job()`)
and answers `(status, answer)`: a status 200 with the answer (a dict for JSON, or a
`Download`), or a status and a Chinese sentence. The files are read where the front
stored them, under names of its making (`0001.xlsx`); wherever a message names such a
file, the name the person uploaded is put back (`_named`).

- `check_job`: one report (and optionally last year's), judged by `validate_file`
  exactly as `xlsx-tools validate` judges it; the rows as the 校验结果 sheet shows them
  (`excel.results.finding_row`), errors first.
- `download_job`: the marked workbook (`excel.filebook.marked_workbook`: the 校验
  button's own code, its actions written into the file), the findings as .xlsx/.csv, or
  the publisher's report document (.docx, .html) of a report without errors.
- `merge_job`: the county's merge of many submissions (the reading, policy and summing
  of `xlsx_tools.merge`, with the names people gave their files), the merge's terminal
  report, the register, and the summary workbook, register and long table as files;
  progress is written to `<folder>/progress` for the front to pass on.

Every job runs under a time limit (SIGALRM where the platform has it).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import os
import re
import signal
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..findings import ERROR, Finding, ReadError, ToolError
from .checks import Refusal

CHECK_SECONDS = 60  # one report: validation takes milliseconds
MERGE_SECONDS = 600  # a county's submissions: ~3 ms each
REGISTER_SHOWN = 5000  # register rows sent to the page (the file has all)
SHOWN_COLUMNS = (0, 1, 2, 3, 4, 5, 8)  # of finding_row: 级别 规则 表 行 列 单元格 说明
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
CSV = "text/csv; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html; charset=utf-8"
REPORTS = {"report-docx": ("docx", ".docx", DOCX), "report-html": ("html", ".html", HTML)}  # the publisher's documents


class JobTimeout(Refusal):
    """A job that ran past its time limit."""


@dataclass
class Download:
    name: str
    media: str
    data: bytes


@contextmanager
def time_limit(seconds: float):
    """Raise JobTimeout in the block after `seconds` (POSIX main thread; elsewhere the
    front's own time limit answers the person)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise JobTimeout(503, f"处理时间超过服务器的上限（{seconds:.0f} 秒），未完成。文件可能过多或异常复杂；请分批上传，或请管理员查看。")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_job(fn, job: dict, *args) -> tuple[int, object]:
    """(status, answer) of `fn(job, *args)`: a refusal or ToolError as its sentence, any
    other failure as (500, traceback) for the front's log."""
    try:
        return fn(job, *args)
    except Refusal as exc:
        return exc.status, exc.message
    except ToolError as exc:
        return 422, exc.message
    except Exception:  # noqa: BLE001 - the front logs it; the person gets a sentence
        return 500, traceback.format_exc()


# ---- names ------------------------------------------------------------------------------


def _base(name: str) -> str:
    return name.rsplit("/", 1)[-1]


_STORED = re.compile(r"f\d{5}(?:\.[a-z0-9]{1,5})?")


def _named(text: str, files: list[dict]) -> str:
    """`text` with every stored path or stored file name (`…/f00001.xlsx`) replaced, in one
    pass, by the name the person uploaded (the whole name for a path, its last part for a
    file name)."""
    if not _STORED.search(text):
        return text
    by_base = {os.path.basename(f["path"]): f for f in files}
    folders = {os.path.dirname(f["path"]) for f in files}
    pattern = re.compile("(" + "|".join(re.escape(d + os.sep) for d in folders) + ")?" + _STORED.pattern) if folders else _STORED

    def name(m: re.Match) -> str:
        whole = m.group(0)
        folder = m.group(1) if m.re.groups else None
        f = by_base.get(whole[len(folder) :] if folder else whole)
        if f is None:
            return whole
        return f["name"] if folder else _base(f["name"])

    return pattern.sub(name, text)


def _renamed(findings: list[Finding], files: list[dict]) -> list[Finding]:
    return [replace(f, message=_named(f.message, files)) for f in findings]


def _safe(text: str, default: str) -> str:
    """Text fit to be part of a downloaded file's name on any system."""
    return "".join(ch for ch in text if ch not in '<>:"/\\|?*' and ch.isprintable())[:80].strip() or default


def _stem(name: str) -> str:
    base = _base(name)
    return _safe(base.rsplit(".", 1)[0] if "." in base[1:] else base, "报告")


def _role(job: dict, role: str) -> list[dict]:
    return [f for f in job["files"] if f["role"] == role]


# ---- one report -------------------------------------------------------------------------


def _previous(job: dict) -> tuple[list, str | None]:
    """Last year's reports, if a file was uploaded: one report, or the agencies of last
    year's summary (a Refusal when it cannot be read)."""
    from ..merge.previous import load_previous

    prev = _role(job, "previous")
    if not prev:
        return [], None
    f = prev[0]
    try:  # stored under its own suffix: a .json export is read as one
        reports = load_previous([f["path"]]).reports
    except ToolError as exc:
        message = exc.finding.message if exc.finding is not None else exc.message
        raise Refusal(422, f"上年报告无法读取：{_named(message.removeprefix('上年报告无法读取：'), job['files'])}") from None
    return reports, f["name"]


def _validated(job: dict, today: dt.date | None):
    from ..check import validate_files
    from ..form import current, spec_of

    (f,) = _role(job, "report")
    previous, previous_name = _previous(job)
    (result,) = validate_files([f["path"]], previous, today, rules=job.get("rules"))
    result.file = f["name"]
    result.findings = _renamed(result.findings, job["files"])
    spec = spec_of(result.report) if result.report is not None else current()
    return f, result, spec, previous_name


def _markable(path: str, name: str, spec) -> str | None:
    """Why the file cannot be marked as the button marks it, or None."""
    from ..excel.filebook import MARKABLE
    from ..read.workbook import XLSX as KIND
    from ..read.workbook import open_workbook

    if not name.lower().endswith(MARKABLE):
        return "只有 .xlsx、.xlsm 工作簿可以标注。"
    try:
        wb = open_workbook(path)
    except ReadError:
        return "文件无法读取，不能标注。"
    if wb.kind != KIND or spec.layout.results not in wb.sheet_names():
        return f"此文件不是用本工具的报告模板填写的（没有「{spec.layout.results}」工作表），无法在其中标注。"
    return None


def check_job(job: dict, today: dt.date | None = None) -> tuple[int, dict]:
    """The findings of one uploaded report, as the page shows them."""
    from ..check.present import summary
    from ..excel.results import finding_row, ordered

    with time_limit(CHECK_SECONDS):
        f, result, spec, previous_name = _validated(job, today)
        rows = [finding_row(spec, x) for x in ordered(result.findings)]
        headers = spec.layout.result_headers
        why_not = _markable(f["path"], f["name"], spec) if result.readable else "文件无法读取，不能标注。"
        answer = {
            "name": f["name"],
            "agency": result.agency,
            "readable": result.readable,
            "errors": result.errors,
            "warnings": result.warnings,
            "summary": summary(result),
            "previous": previous_name,
            "headers": [headers[i] for i in SHOWN_COLUMNS],
            "rows": [[_cell(row[i]) for i in SHOWN_COLUMNS] for row in rows],
            "levels": ["error" if x.severity == ERROR else "warning" for x in ordered(result.findings)],
            "marked_note": why_not or "",
            "downloads": downloads(spec, why_not is None, result.readable and not result.errors),
        }
        if not result.readable:
            return 422, {"message": result.findings[0].message if result.findings else "文件无法读取。", "result": answer}
        return 200, answer


def marked_note(spec) -> str:
    return (
        f"与 Excel 中「{spec.words['button']}」按钮的标注相同：有问题的填报单元格标为红色（错误）或黄色（提示），"
        f"「{spec.layout.results}」工作表列出全部问题，{spec.cover}写入校验结论；文件的其他内容保持原样。"
        "按钮不比较上年报告，上年衔接的问题只在本页和问题清单中列出。"
    )


def report_note(spec) -> str:
    return (
        f"年度报告按法定格式（{spec.source}）生成：标题、六个部分、三张表格、落款；数字与本次校验的完全相同，"
        "文档中记有指纹，日后校验该文档即可核对数字是否被改动。网页为单个 UTF-8 文件，可直接粘贴到网站的信息发布系统。"
    )


def downloads(spec, markable: bool, publishable: bool = False) -> list[dict]:
    """What the page offers to download for a checked report (kinds of `download_job`):
    the publisher's documents only for a report without errors."""
    out = [{"kind": "marked", "label": "下载标注后的工作簿", "note": marked_note(spec)}] if markable else []
    if publishable:
        out += [
            {"kind": "report-docx", "label": "下载年度报告（Word 文档）", "note": report_note(spec)},
            {"kind": "report-html", "label": "下载年度报告（网页）", "note": ""},
        ]
    out += [
        {"kind": "findings-xlsx", "label": "下载问题清单（Excel）", "note": ""},
        {"kind": "findings-csv", "label": "下载问题清单（CSV）", "note": ""},
    ]
    return out


def published_document(result, kind: str, today: dt.date | None = None) -> Download:
    """The publisher's document of a checked report (xlsx_tools/publish/), or a Refusal
    where the report has errors (as `xlsx-tools publish` refuses)."""
    from ..publish import build_document

    if result.report is None or result.errors:
        raise Refusal(422, f"报告有 {result.errors} 个错误，不能生成年度报告：请改正后重新校验。")
    doc = build_document(result.report, today=today)
    what, suffix, media = REPORTS[kind]
    buf = io.BytesIO()
    if what == "docx":
        from ..publish.word import write_docx

        write_docx(doc, buf)
    else:
        from ..publish.webpage import write_html

        write_html(doc, buf)
    return Download(_safe(doc.title, "年度报告") + suffix, media, buf.getvalue())


def _cell(value: object) -> object:
    return "" if value is None else value


def findings_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM (Excel opens it in Chinese), CRLF, text that a spreadsheet would
    run as a formula neutralised (as the merge's export does)."""
    from ..merge.longtable import neutralise

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else repr(v)) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def findings_xlsx(title: str, headers: list[str], rows: list[list], widths: list[int]) -> bytes:
    """One sheet: a header row, then the rows, filterable; text always written as text."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(title)
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_name": "宋体", "text_wrap": True, "valign": "top"})
    body = wb.add_format({"font_name": "宋体", "text_wrap": True, "valign": "top"})
    for c, h in enumerate(headers):
        ws.set_column(c, c, widths[c] if c < len(widths) else 12)
        ws.write_string(0, c, h, head)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v, body)
            elif v not in (None, ""):
                ws.write_string(r, c, str(v), body)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    wb.close()
    return buf.getvalue()


def download_job(job: dict, kind: str, today: dt.date | None = None) -> tuple[int, Download | str]:
    """The marked workbook, or the findings as .xlsx or .csv, of one uploaded report."""
    from ..excel.results import finding_row, ordered

    with time_limit(CHECK_SECONDS):
        (f,) = _role(job, "report")
        stem = _stem(f["name"])
        if kind == "marked":
            from ..excel.filebook import marked_workbook

            marked = marked_workbook(f["path"], _base(f["name"]), today)
            suffix = ".xlsm" if f["name"].lower().endswith(".xlsm") else ".xlsx"
            return 200, Download(f"{stem}-校验标注{suffix}", XLSM if suffix == ".xlsm" else XLSX, marked.data)
        if kind not in ("findings-xlsx", "findings-csv", *REPORTS):
            return 404, "没有这种下载。"
        _, result, spec, _ = _validated(job, today)
        if kind in REPORTS:
            return 200, published_document(result, kind, today)
        headers = list(spec.layout.result_headers)
        rows = [finding_row(spec, x) for x in ordered(result.findings)]
        if kind == "findings-csv":
            return 200, Download(f"{stem}-问题清单.csv", CSV, findings_csv(headers, rows))
        widths = spec.layout.sheets[spec.layout.results].widths  # as the button's results sheet
        columns = [widths.get(c, 12) for c in range(len(headers))]
        return 200, Download(f"{stem}-问题清单.xlsx", XLSX, findings_xlsx("问题清单", headers, rows, columns))


# ---- the county's merge --------------------------------------------------------------------


class _Progress:
    """Writes 'done total' to the upload's progress file, at most every 0.2 s."""

    def __init__(self, folder: str):
        self.path = Path(folder) / "progress"
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(f"{done} {total}", encoding="ascii")
        os.replace(tmp, self.path)


def read_progress(folder: str | Path) -> tuple[int, int] | None:
    try:
        done, total = (Path(folder) / "progress").read_text(encoding="ascii").split()
        return int(done), int(total)
    except (OSError, ValueError):
        return None


def walk_order(name: str) -> list[tuple[int, str]]:
    """The place of a file (named with its folders) in the order `xlsx-tools merge` reads
    a folder: names sorted, a folder's own files before its subfolders'."""
    parts = name.split("/")
    return [(1, d) for d in parts[:-1]] + [(0, parts[-1])]


def skip_reason(name: str) -> str | None:
    """Why an uploaded file (named with its folders) is not read as a submission, or None."""
    from ..merge.inputs import skip_reason

    parts = name.split("/")
    if any(p.startswith(".") or p == "__pycache__" for p in parts[:-1]):
        return "隐藏文件夹中的文件"
    return skip_reason(Path(_base(name)))


def merge_options(raw: dict):
    """The merge's Options and whether to stop at any error (`strict`), from the page's choices
    (a Refusal or an OutputError, in Chinese, for a choice that cannot be)."""
    from ..form import current
    from ..merge import Options

    name = raw.get("name")
    name = name.strip()[:100] if isinstance(name, str) and name.strip() else None
    year = raw.get("year")
    if isinstance(year, str) and year.strip():
        try:
            year = int(year.strip())
        except ValueError:
            raise Refusal(400, f"报告年度「{year.strip()[:20]}」不是年份。") from None
    year = year if isinstance(year, int) and not isinstance(year, bool) else None
    policy = raw.get("policy", "exclude")
    if policy not in ("exclude", "include", "strict"):
        raise Refusal(400, "有错误的报告如何处理：选项无效。")
    options = Options(name=name, year=year, include_invalid=policy == "include", jobs=1, spec=current())
    options.check()
    return options, policy == "strict"


def _register(merged) -> tuple[list[str], list[list]]:
    from ..merge.book import REGISTER_COLUMNS, _register_rows

    headers = [t for t, _ in REGISTER_COLUMNS]
    return headers, [list(r) for r in _register_rows(merged)]


def _cross_year(merged, job: dict) -> tuple[str | None, list[list], list[str]]:
    """Last year's summary against this one: the findings that only the comparison gives."""
    from ..check import check_report
    from ..excel.results import finding_row, ordered
    from ..read import read_report

    last = _role(job, "summary")
    if not last or merged.summary is None:
        return None, [], []
    f = last[0]
    try:
        previous = read_report(f["path"])
    except ReadError as exc:
        return f["name"], [], [f"上年汇总表无法读取：{_named(exc.finding.message, job['files'])}"]
    spec = merged.options.spec
    plain = {(x.rule, x.message) for x in check_report(merged.summary, spec=spec)}
    found = [x for x in check_report(merged.summary, previous, spec=spec) if (x.rule, x.message) not in plain]
    rows = [[_cell(v) for i, v in enumerate(finding_row(spec, x)) if i in SHOWN_COLUMNS] for x in ordered(found)]
    return f["name"], rows, []


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class _AsUploaded:
    """The merge's reader for uploaded files: a submission whose messages name each file
    as the person uploaded it (the stored copies have names of their own). A class, not
    a closure, so that a worker process can be handed it on every platform."""

    def __init__(self, files: list[dict]):
        self.files = files

    def __call__(self, job: tuple[str, str, str]):
        from ..merge.submission import read_submission

        sub = read_submission(job)
        sub.issues = [replace(i, message=_named(i.message, self.files)) for i in sub.issues]
        return sub


def merge_job(job: dict, today: dt.date | None = None) -> tuple[int, dict]:
    """Merge the uploaded submissions as `xlsx-tools merge` does; the page's answer."""
    from ..merge.core import merge_inputs
    from ..merge.inputs import Inputs, Skipped

    with time_limit(MERGE_SECONDS):
        options, strict = merge_options(job.get("options") or {})
        options.rules = job.get("rules")
        roster_file = _role(job, "roster")
        if roster_file:
            from ..merge.roster import RosterError, load_roster

            try:
                options.roster = load_roster(roster_file[0]["path"])
            except RosterError as exc:
                raise Refusal(422, _named(exc.message, job["files"])) from None
            options.roster.source = roster_file[0]["name"]
            options.roster.problems = [_named(p, job["files"]) for p in options.roster.problems]
        reports = sorted(_role(job, "report"), key=lambda f: walk_order(f["name"]))
        inputs = Inputs()
        for f in reports:
            reason = skip_reason(f["name"])
            if reason:
                inputs.skipped.append(Skipped(f["name"], reason, f["size"]))
            else:
                inputs.files.append((Path(f["path"]), f["name"]))
        progress = _Progress(job["folder"])
        progress(0, len(inputs.files))
        described = [f"网页上传的 {len(reports)} 个文件"]
        merged = merge_inputs(inputs, options, described, progress, _AsUploaded(job["files"]), today=today)
        return 200, _merge_answer(merged, strict, job)


def _merge_answer(merged, strict: bool, job: dict) -> dict:
    from ..merge import write_outputs
    from ..merge.book import detail_note
    from ..merge.text import report_lines, review_lines, table_lines

    roster = merged.options.roster
    lines = [f"名单提示：{p}" for p in roster.problems] if roster else []
    lines += report_lines(merged)
    files, message, done = [], "", False
    if not merged.submissions:
        message = "没有找到报告工作簿（.xlsx/.xlsm/.xls/.ods），未生成汇总。"
    elif strict and merged.with_errors:
        lines += ["", *table_lines(merged)]
        message = f"选择了「有错误的报告时不生成汇总」，且有 {len(merged.with_errors)} 个文件有错误：未生成汇总。"
    elif merged.summary is None:
        lines += ["", *table_lines(merged)]
        message = "没有可以计入汇总的报告，未生成汇总。"
    else:
        meta = merged.summary.meta
        name = f"{_safe(str(meta['agency']), '汇总')}{merged.year}年度汇总.xlsx"
        out = Path(job["folder"]) / "summary.xlsx"
        export = Path(job["folder"]) / "明细.csv"
        write_outputs(merged, out, export, force=True)
        lines += review_lines(merged)
        lines += ["", *table_lines(merged)]
        message = (
            f"已生成汇总：{name}（{meta['agency']}，{merged.year} 年度，计入 {len(merged.included)} 份报告，汇总单位数 {merged.covers}）"
        )
        note = detail_note(merged, "明细.csv")
        if note:
            lines.append(note)
        files = [
            {"kind": "summary", "name": name, "media": XLSX, "data": _b64(out.read_bytes())},
            {"kind": "export", "name": "明细.csv", "media": CSV, "data": _b64(export.read_bytes())},
        ]
        done = True
    headers, register = _register(merged)
    files.insert(
        1 if done else 0, {"kind": "register", "name": "报送登记.csv", "media": CSV, "data": _b64(findings_csv(headers, register))}
    )
    last_name, cross_rows, cross_notes = _cross_year(merged, job)
    rate = None
    if roster is not None:
        expected = len(roster.members)
        submitted = expected - len(merged.missing)
        rate = {
            "expected": expected,
            "submitted": submitted,
            "missing": len(merged.missing),
            "rate": f"{submitted / expected:.1%}" if expected else "—",
        }
    shown = ("序号", "文件", "单位名称", "状态", "错误数", "提示数", "计入汇总", "说明")
    keep = [headers.index(h) for h in shown]
    return {
        "lines": lines,
        "message": message,
        "done": done,
        "counts": merged.counts,
        "rate": rate,
        "register_headers": list(shown),
        "register": [[_cell(r[i]) for i in keep] for r in register[:REGISTER_SHOWN]],
        "register_total": len(register),
        "previous": last_name,
        "previous_headers": [merged.options.spec.layout.result_headers[i] for i in SHOWN_COLUMNS],
        "previous_rows": cross_rows,
        "previous_notes": cross_notes,
        "files": files,
    }


__all__ = [
    "CHECK_SECONDS",
    "MERGE_SECONDS",
    "Download",
    "JobTimeout",
    "check_job",
    "download_job",
    "findings_csv",
    "findings_xlsx",
    "merge_job",
    "merge_options",
    "read_progress",
    "run_job",
    "skip_reason",
    "time_limit",
]
