"""The sheets a merge adds to the summary workbook, after the form's own sheets:
汇总说明 (what was merged, when, by which policy, counts), 报送登记 (one row per input
file), 问题清单 (one row per finding, filterable), 未报送 (roster members without a
report) and 明细 (the long table). Large tables are streamed (`sheetstream.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..build.sheetstream import Block, StreamSheet
from ..findings import ERROR, RULES, WARNING
from . import review
from .longtable import COLUMNS, labels
from .register import NO, REGISTER, REGISTER_COLUMNS, YES
from .submission import DUPLICATE, FAILED, OFF_ROSTER, OVERLAP, PASSED, UNREADABLE, WARNED, WRONG_YEAR

ABOUT, PROBLEMS, MISSING, DETAILS = "汇总说明", "问题清单", "未报送", "明细"
SKIPPED = "已跳过"

PROBLEM_COLUMNS = (
    ("序号", 6),
    ("单位名称", 28),
    ("文件", 36),
    ("级别", 6),
    ("规则", 16),
    ("规则说明", 30),
    ("位置", 18),
    ("说明", 90),
    ("计入汇总", 8),
)
MISSING_COLUMNS = (("序号", 6), ("单位名称", 32), ("统一社会信用代码", 21), ("上级单位", 20), ("说明", 60))
DETAIL_WIDTHS = (28, 21, 34, 10, 40, 22, 12)
# ~1,775 agencies (~50 MB of sheet XML, ~5 MB in the file): the reader never opens this
# sheet (zip_package.MAX_SHEET_BYTES), and the summary stays far below the reader's file
# limit, so that it can always be merged again. Longer tables go to --export only.
DETAIL_MAX_ROWS = 300_000
BAD_STATUSES = (FAILED, UNREADABLE, WRONG_YEAR, OVERLAP)
MILD_STATUSES = (WARNED, DUPLICATE, OFF_ROSTER)


def sheets(merged, workdir: Path) -> Callable[[xlsxwriter.Workbook, object], None]:
    """The builder's `extra` callback that adds the merge's sheets."""

    def extra(wb: xlsxwriter.Workbook, st) -> None:
        wb.tmpdir = str(workdir)  # XlsxWriter's temporary parts go with ours (removed on error / Ctrl-C)
        about = wb.add_worksheet(ABOUT)
        _register(wb, st, merged, workdir)
        _problems(wb, st, merged, workdir)
        _missing(wb, st, merged)
        review.explanations(wb, st, merged, workdir)
        review.agencies(wb, st, merged, workdir)
        _details(wb, st, merged, workdir)
        _about(about, wb, st, merged)

    return extra


def _table_head(ws, st, columns) -> None:
    for c, (title, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(0, c, title, st.header)
    ws.freeze_panes(1, 0)


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _previous(merged, s) -> str | None:
    """The register's 上年报告: last year's report found for it (with --previous)."""
    if merged.last_year is None or not s.readable:
        return None
    return s.previous or "未找到"


def _feedback(merged, i: int) -> str | None:
    sent = merged.feedback.get(i)
    return f"{sent[0]}（{sent[1]}）" if sent else None


def _register_rows(merged) -> Iterator[tuple]:
    n = 0
    for i, s in enumerate(merged.submissions):
        n += 1
        yield (
            n,
            s.shown,
            s.agency or None,
            s.uscc or None,
            s.parent or None,
            s.year,
            s.kind or None,
            s.covers if s.readable else None,
            _date(s.filled_on),
            s.status,
            s.errors,
            s.warnings,
            YES if s.included else NO,
            s.note or None,
            s.size,
            dt.datetime.fromtimestamp(s.mtime).isoformat(" ", "seconds") if s.mtime else None,
            s.sha256 or None,
            _previous(merged, s),
            _feedback(merged, i),
        )
    for k in merged.skipped:
        n += 1
        yield (n, k.shown, None, None, None, None, None, None, None, SKIPPED, None, None, NO, k.reason, k.size, None, None, None, None)


def _streamed_table(wb, st, name: str, columns, rows: Iterator[tuple], workdir: Path, marks: dict[str, tuple]):
    """A sheet of `rows` under a header, filterable; `marks` colours cells of a column
    that say given words: {column title: ((words, format), …)}. Returns (sheet, rows written)."""
    ws = wb.add_worksheet(name, worksheet_class=StreamSheet)
    _table_head(ws, st, columns)
    n = ws.stream(rows, 1, workdir)
    last = max(n, 1)
    ws.autofilter(0, 0, last, len(columns) - 1)
    titles = [t for t, _ in columns]
    for title, rules in marks.items():
        c = titles.index(title)
        for words, fmt in rules:
            for word in words:
                ws.conditional_format(1, c, last, c, {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt})
    return ws, n


def _register(wb, st, merged, workdir: Path) -> None:
    marks = {
        "状态": ((BAD_STATUSES, st.bad), (MILD_STATUSES, st.warn), ((PASSED,), st.good)),
        "计入汇总": (((NO,), st.bad),),
    }
    _streamed_table(wb, st, REGISTER, REGISTER_COLUMNS, _register_rows(merged), workdir, marks)


def _problem_rows(merged) -> Iterator[tuple]:
    n = 0
    for s in merged.submissions:
        for i in s.issues:
            n += 1
            rule = RULES.get(i.rule)
            yield (
                n,
                s.agency or None,
                s.shown,
                i.severity.zh,
                i.rule,
                rule.title if rule else None,
                i.where or None,
                i.message,
                YES if s.included else NO,
            )


def _problems(wb, st, merged, workdir: Path) -> None:
    marks = {"级别": (((ERROR.zh,), st.bad), ((WARNING.zh,), st.warn))}
    ws, n = _streamed_table(wb, st, PROBLEMS, PROBLEM_COLUMNS, _problem_rows(merged), workdir, marks)
    if n == 0:
        ws.write_string(1, 0, "没有发现问题。")


def _missing(wb, st, merged) -> None:
    ws = wb.add_worksheet(MISSING)
    roster = merged.options.roster
    if roster is None:
        ws.set_column(0, 0, 90)
        ws.write_string(0, 0, "未提供应报送单位名单（--roster），无法列出未报送的单位。", st.header)
        return
    _table_head(ws, st, MISSING_COLUMNS)
    for r, (m, note) in enumerate(merged.missing, start=1):
        ws.write_number(r, 0, r)
        for c, text in enumerate((m.name, m.code, m.parent, note), start=1):
            if text:
                ws.write_string(r, c, text)
    if not merged.missing:
        ws.write_string(1, 0, f"名单中的 {len(roster.members)} 个单位均已报送。")
    else:
        ws.autofilter(0, 0, len(merged.missing), len(MISSING_COLUMNS) - 1)


def detail_note(merged, export: str | Path | None = None) -> str | None:
    """Why the long table is not in the workbook, or None when it is. Beyond
    DETAIL_MAX_ROWS (some 1,775 agencies: more than a county, or most cities, have) the
    summary file would grow towards the reader's file-size limit, and could no longer be
    merged again."""
    rows = len(merged.included) * len(labels(merged.options.spec))
    if rows <= DETAIL_MAX_ROWS:
        return None
    where = f"已导出到 {export}" if export else "请使用 --export 导出为 CSV 或 Parquet"
    return f"明细共 {rows} 行，超过汇总工作簿可容纳的 {DETAIL_MAX_ROWS} 行（为使汇总表仍能再次汇总），未写入工作簿；{where}。"


def _details(wb, st, merged, workdir: Path) -> None:
    ws = wb.add_worksheet(DETAILS, worksheet_class=StreamSheet)
    note = detail_note(merged, merged.export)
    if note:
        ws.set_column(0, 0, 120)
        ws.write_string(0, 0, note, st.header)
        return
    _table_head(ws, st, tuple(zip(COLUMNS, DETAIL_WIDTHS, strict=False)))
    n = ws.stream(_detail_xml(ws, merged), 1, workdir, width=len(COLUMNS))
    ws.autofilter(0, 0, max(n, 1), len(COLUMNS) - 1)


def _detail_xml(ws: StreamSheet, merged) -> Iterator[Block]:
    """The long table as ready XML, a block per submission: the label cells of each
    canonical ID and the agency cells of each submission are rendered once."""
    per_id = [ws.text_cells(cell) for cell in labels(merged.options.spec)]
    number = StreamSheet.number_cell
    for s in merged.included:
        head = ws.text_cells((s.agency, s.uscc))
        yield Block([f"{head}{cells}{number(value)}" for cells, value in zip(per_id, s.values or (), strict=False)])


def _about(ws, wb, st, merged) -> None:
    o = merged.options
    spec = o.spec
    c = merged.counts
    roster = o.roster
    rows: list[tuple[str, object]] = [
        (spec.summary_kind, merged.summary.meta["agency"] if merged.summary else ""),
        ("报告年度", merged.year_note),
        ("汇总时间", merged.started.isoformat(" ")),
        ("汇总工具", f"xlsx-tools {__version__}（表式 {spec.id}）"),
        ("输入", "；".join(merged.inputs)),
        ("", ""),
        ("汇总口径", spec.words["summary_scope"]),
        (
            "有错误的报告",
            "已计入汇总（使用了 --include-invalid）" if o.include_invalid else "不计入汇总（默认；如需计入请使用 --include-invalid）",
        ),
        ("报告年度不符", "不计入汇总（报告年度无法识别的也不计入）"),
        (
            "重复报送",
            "同一单位（统一社会信用代码相同，未填代码的按单位名称）提交多份报告时，采用填报日期较新的一份（日期相同时取文件修改时间较新的），其余标记为「重复」，不计入",
        ),
        (
            f"{spec.summary_kind}作为输入",
            f"按一个单位计入，其{spec.cover}的「{spec.meta['covers'].label}」计入本报告的汇总单位数；它已包含的单位（见其「报送登记」）若也在本次输入中，该汇总报告不计入",
        ),
        ("", ""),
        ("工作簿文件数", c["文件"]),
        ("计入汇总的报告数", c["计入汇总"]),
        ("汇总单位数", merged.covers),
        ("有错误", c["有错误"]),
        ("无法读取", c["无法读取"]),
        ("年度不符", c["年度不符"]),
        ("重复", c["重复"]),
        ("与汇总重叠", c["与汇总重叠"]),
        ("有警告（已计入）", c["有警告"]),
        ("跳过的其他文件", c["跳过"]),
    ]
    if detail_note(merged, merged.export):
        rows.append(("明细", detail_note(merged, merged.export)))
    if merged.unusable:
        rows.append(("无法使用的数值", f"计入汇总的报告中有 {merged.unusable} 个单元格没有可用的数值，按 0 计"))
    if roster is not None:
        expected, submitted, rate = merged.submission_rate
        rows += [
            ("", ""),
            ("应报送单位名单", roster.source),
            ("名单单位数", expected),
            ("已报送", submitted),
            ("未报送", len(merged.missing)),
            ("报送率", rate),
            ("不在名单中的报送单位", c["不在名单"]),
        ]
        rows += [("名单问题", p) for p in roster.problems]
    else:
        rows += [("", ""), ("应报送单位名单", "未提供（--roster），无法统计报送率和未报送单位")]
    rows += review.about_rows(merged)
    rows += [
        ("", ""),
        (
            "工作表",
            "报送登记：每个输入文件一行；问题清单：每个问题一行；未报送：名单中未报送的单位；"
            f"{review.EXPLANATIONS}：各单位对提示所作的说明；{review.AGENCIES}：每个单位一行，明年用 --previous 比对；明细：每个计入汇总的单位 × 每个填报单元格（总计由各项相加，不单列）一行，可直接插入数据透视表，其合计即为汇总表",
        ),
        ("提示", "本工作簿的结构已保护（无密码），插入数据透视表前请在「审阅」中点击「保护工作簿」取消保护"),
    ]
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 110)
    ws.write_string(0, 0, f"{ABOUT}", st.title)
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "font_name": "宋体"})
    key = wb.add_format({"bold": True, "valign": "top", "font_name": "宋体"})
    for r, (k, v) in enumerate(rows, start=2):
        if k:
            ws.write_string(r, 0, k, key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            ws.write_number(r, 1, v, wrap)
        elif v:
            ws.write_string(r, 1, str(v), wrap)
