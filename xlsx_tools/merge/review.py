"""The review loop's sheets of a summary workbook:

- 说明汇总: every explanation (说明) the agencies wrote for a warning, so the county reads
  them without opening each file (agency, rule, where, the warning, the explanation);
- 逐单位数据 (AGENCIES): one row per agency of the year, with what next year's rules need
  of it (`spec.previous_ids`: last year's carried-forward and in-force counts, the
  headline figures) and its narrative sections, so that next year's
  `merge --previous 上年汇总.xlsx` reads one sheet instead of a folder. Row
  AGENCY_ID_ROW holds the canonical IDs the columns are found by. The sections are
  written as inline strings: the shared-string table, which the reader loads whenever
  the summary is merged again, stays small.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from ..build.sheetstream import EXCEL_MAX_TEXT, Block, StreamSheet
from ..findings import RULES
from ..form import FormSpec
from .submission import DUPLICATE, UNREADABLE, WRONG_YEAR

EXPLANATIONS, AGENCIES = "说明汇总", "逐单位数据"
AGENCY_ID_ROW = 1  # 0-based row of the canonical IDs
MAX_TEXT_CHARS = 12_000_000  # narrative written in all (~36 MB of XML, a few MB zipped); beyond it left out
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

EXPLANATION_COLUMNS = (
    ("序号", 6),
    ("单位名称", 28),
    ("统一社会信用代码", 21),
    ("文件", 30),
    ("规则", 16),
    ("规则说明", 28),
    ("位置", 18),
    ("提示内容", 70),
    ("情况说明（单位填写）", 60),
    ("计入汇总", 8),
)


def agency_columns(spec: FormSpec) -> list[tuple[str, str]]:
    """(key, header) of the per-agency sheet: names, the cells next year needs, the sections."""
    cols = [("meta.agency", "单位名称"), ("meta.uscc", "统一社会信用代码"), ("meta.year", "报告年度"), ("included", "计入汇总")]
    cols += [(cid, spec.cells[cid].display) for cid in spec.previous_ids]
    cols += [(f"text.{s.key}", f"{spec.narrative}：{s.label}") for s in spec.sections]
    return cols


def _head(ws, st, columns: list[tuple[str, int]]) -> None:
    for c, (title, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(0, c, title, st.header)
    ws.freeze_panes(1, 0)


def _explanation_rows(merged) -> Iterator[tuple]:
    n = 0
    for s in merged.submissions:
        for i in s.issues:
            if not i.explained:
                continue
            n += 1
            rule = RULES.get(i.rule)
            yield (
                n,
                s.agency or None,
                s.uscc or None,
                s.shown,
                i.rule,
                rule.title if rule else None,
                i.where or None,
                i.message,
                i.explanation,
                "是" if s.included else "否",
            )


def explanations(wb, st, merged, workdir: Path) -> None:
    ws = wb.add_worksheet(EXPLANATIONS, worksheet_class=StreamSheet)
    _head(ws, st, list(EXPLANATION_COLUMNS))
    n = ws.stream(_explanation_rows(merged), 1, workdir)
    ws.autofilter(0, 0, max(n, 1), len(EXPLANATION_COLUMNS) - 1)
    if n == 0:
        ws.write_string(1, 0, "没有单位对提示作出说明。")


def _inline(text: str) -> str:
    if not text:
        return "<c/>"
    text = _XML_ILLEGAL.sub("", text)
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + "…"
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def agency_rows(merged) -> list:
    """The submissions of the year, one per agency (not unreadable, duplicate or of another year)."""
    return [s for s in merged.submissions if s.readable and s.status not in (UNREADABLE, DUPLICATE, WRONG_YEAR)]


def agencies(wb, st, merged, workdir: Path) -> None:
    spec = merged.options.spec
    cols = agency_columns(spec)
    ws = wb.add_worksheet(AGENCIES, worksheet_class=StreamSheet)
    for c, (key, title) in enumerate(cols):
        ws.set_column(c, c, 60 if key.startswith("text.") else (28 if key == "meta.agency" else 14))
        ws.write_string(0, c, title, st.header)
        ws.write_string(AGENCY_ID_ROW, c, key)
    ws.freeze_panes(AGENCY_ID_ROW + 1, 1)
    subs = agency_rows(merged)
    with_text = sum(len(t) for s in subs for t in s.texts) <= MAX_TEXT_CHARS

    def rows() -> Iterator[Block]:
        for s in subs:
            head = ws.text_cells((s.agency, s.uscc))
            year = StreamSheet.number_cell(s.year) or "<c/>"
            included = ws.text_cells(("是" if s.included else "否",))
            numbers = "".join(StreamSheet.number_cell(v) or "<c/>" for v in s.carry)
            texts = "".join(_inline(t) for t in s.texts) if with_text else ""
            yield Block([f"{head}{year}{included}{numbers}{texts}"])

    n = ws.stream(rows(), AGENCY_ID_ROW + 1, workdir, width=len(cols))
    if not with_text:
        ws.write_string(
            0, len(cols), f"各单位{spec.narrative}合计超过 {MAX_TEXT_CHARS:,} 字，未写入本表（明年比对文字请用今年的报告文件夹）"
        )
    if n:
        ws.autofilter(AGENCY_ID_ROW, 0, AGENCY_ID_ROW + n, len(cols) - 1)


def about_rows(merged) -> list[tuple[str, object]]:
    """The 汇总说明 lines of the review loop: local rules, last year, explanations, feedback."""
    o = merged.options
    rows: list[tuple[str, object]] = [("", "")]
    rows.append(("本地规则", o.rules.source if o.rules and o.rules.local else "未使用（--rules），按国家规定校验"))
    if merged.last_year is not None:
        found = sum(1 for s in merged.submissions if s.previous)
        rows.append(
            (
                "上年报告",
                f"{merged.last_year.source}：{len(merged.last_year)} 个单位，与本年 {found} 个单位对应（按统一社会信用代码，其次单位名称）",
            )
        )
    else:
        rows.append(("上年报告", "未提供（--previous），未与上年比对"))
    explained = sum(1 for s in merged.submissions for i in s.issues if i.explained)
    rows.append(("各单位的说明", f"{explained} 条，见「{EXPLANATIONS}」"))
    if o.feedback is not None:
        rows.append(("审核意见", f"{len(merged.feedback)} 个单位，已写入 {o.feedback}（见「报送登记」的「审核意见」列）"))
    return rows
