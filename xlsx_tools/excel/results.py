"""What the 校验 button shows: the 校验结果 rows, the alert text, which cells get which fill.

Pure functions over findings and cell positions, shared by `validate_book` (which
writes them into the workbook) and the worksheet functions (which return the rows).
"""

from __future__ import annotations

from functools import lru_cache

from ..build.formulas import a1_range, rectangles
from ..build.livechecks import status_text
from ..build.styles import ERROR_FILL, INPUT_FILL, WARNING_FILL
from ..check.explain import explains
from ..findings import ERROR, WARNING, Finding, count
from ..form import FormSpec, Pos
from ..form.layout import parse_a1
from ..report import Note

ALERT_SHOWN = 5  # findings named in the alert
ALERT_LIMIT = 900  # characters: MsgBox prompts are cut at 1024

Rect = tuple[str, int, int, int, int]


def alert_title(spec: FormSpec) -> str:
    return f"{spec.title} · {spec.words['button']}"


@lru_cache(maxsize=16)
def input_keys(spec: FormSpec) -> frozenset[str]:
    """Cells staff fill (the template gives them INPUT_FILL): the ones the button colours."""
    return frozenset(spec.input_ids) | {k for k in spec.layout.pos if k.startswith(("meta.", "text."))}


def _label(spec: FormSpec, key: str) -> tuple[str, str, str]:
    """(table, row, column) of a cell key as people read them."""
    if key in spec.cells:
        cell = spec.cells[key]
        return cell.table_name, cell.row_name, cell.col_name
    if key.startswith("meta."):
        mf = spec.meta.get(key[5:])
        return spec.cover, mf.label if mf else key, ""
    if key.startswith("text."):
        section = spec.section.get(key[5:])
        return spec.layout.pos[key].sheet if key in spec.layout.pos else "", section.label if section else key, ""
    return "", "", ""


def _summary(values: list[str], unit: str) -> str:
    """'自然人' for one value, 'a、b' for two, 'a 等 5 行' for more."""
    seen = list(dict.fromkeys(v for v in values if v))
    if len(seen) <= 2:
        return "、".join(seen)
    return f"{seen[0]} 等 {len(seen)} {unit}"


def addresses(where: list[str]) -> str:
    """sheet!D5、sheet!D7:D9 — the addresses of a finding, contiguous cells as ranges."""
    positions = []
    for w in where:
        sheet, _, a1 = w.rpartition("!")
        try:
            positions.append(Pos(sheet, *parse_a1(a1)))
        except ValueError:
            return "、".join(where)
    return "、".join(f"{r[0]}!{a1_range(r)}" for r in rectangles(positions))


def _number(value) -> object:
    return "" if value is None else value


def finding_row(spec: FormSpec, f: Finding) -> list:
    """One row of the results sheet, in the order of the layout's result headers."""
    labels = [_label(spec, k) for k in f.cells]
    return [
        f.severity.zh,
        f.rule,
        _summary([t for t, _, _ in labels], "个表"),
        _summary([r for _, r, _ in labels], "行"),
        _summary([c for _, _, c in labels], "列"),
        addresses(f.where),
        _number(f.expected),
        _number(f.actual),
        f.message,
        f.explanation or "",
    ][: len(spec.layout.result_headers)]


def ordered(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings; otherwise in the order the rules found them."""
    return sorted(findings, key=lambda f: f.severity != ERROR)


def result_rows(spec: FormSpec, findings: list[Finding]) -> list[list]:
    return [finding_row(spec, f) for f in ordered(findings)]


def _explained(findings: list[Finding]) -> int:
    return sum(1 for f in findings if f.explained)


def run_status(findings: list[Finding]) -> str:
    """The cover's 按钮校验结果 cell (the same sentence as the live status, and how many
    warnings are explained)."""
    explained = _explained(findings)
    return status_text(*count(findings)) + (f"（其中 {explained} 处提示已说明）" if explained else "")


def note_rows(spec: FormSpec, notes: list[Note], findings: list[Finding]) -> list[list[str]]:
    """The rows of the notes sheet after a click: every row staff wrote an explanation in
    (kept word for word, its warning text refreshed), the rows of warnings still found,
    and a new row for each warning no row is about yet (explanation left for staff).
    Rows of warnings no longer found, with nothing written, are dropped. Clicking again
    gives the same rows."""
    warnings = [f for f in ordered(findings) if f.severity != ERROR]
    rows: list[list[str]] = []
    covered: set[int] = set()
    for note in notes:
        about = [f for f in warnings if explains(note, f, written=False)]
        if not about and not note.text.strip():
            continue
        rows.append([note.rule, note.where, about[0].message if about else note.message, note.text])
        covered |= {id(f) for f in about}
    for f in warnings:
        if id(f) not in covered:
            rows.append([f.rule, addresses(f.where), f.message, ""])
    width = len(spec.layout.note_columns)
    return [row[:width] for row in rows]


def alert_text(spec: FormSpec, findings: list[Finding]) -> str:
    """校验通过, or how many errors and warnings with the first few named."""
    errors, warnings = count(findings)
    if not findings:
        return "校验通过：未发现问题。"
    explained = _explained(findings)
    said = f"（其中 {explained} 处已说明）" if explained else ""
    head = f"发现 {errors} 处错误、{warnings} 处提示{said}。" if errors else f"没有错误，有 {warnings} 处提示{said}，请核实。"
    lines = [head, ""]
    shown = ordered(findings)[:ALERT_SHOWN]
    for i, f in enumerate(shown, start=1):
        lines.append(f"{i}. 【{f.severity.zh}】{f.message}")
    if len(findings) > len(shown):
        lines.append(f"……另有 {len(findings) - len(shown)} 处")
    lines += ["", f"全部问题见「{spec.layout.results}」工作表；相关填报单元格已标为红色（错误）或黄色（提示）。"]
    if warnings > explained and spec.layout.notes:
        lines.append(f"提示如确属实际情况，请在「{spec.layout.notes}」工作表中写明原因；错误必须改正。")
    text = "\n".join(lines)
    if len(text) > ALERT_LIMIT:
        text = text[: ALERT_LIMIT - 1] + "…"
    return text


def alert_mode(findings: list[Finding]) -> str:
    return "critical" if count(findings)[0] else "info"


def _cells(spec: FormSpec, keys: set[str], found: dict[str, Pos]) -> list[Pos]:
    """Every worksheet cell of the given keys, merged value cells across their full width."""
    out = []
    for key in keys:
        pos = found[key]
        span = spec.layout.span(key) if key in spec.layout.pos else 1
        out.extend(pos.moved(dcol=i) for i in range(span))
    return out


def fill_plan(spec: FormSpec, findings: list[Finding], found: dict[str, Pos]) -> list[tuple[Rect, str]]:
    """(rectangle, colour) in the order to apply them: every input cell back to the
    template's input fill, then the cells of warnings, then those of errors (an
    error wins where a cell has both)."""
    inputs = {k for k in found if k in input_keys(spec)}
    marked: dict[str, object] = {}
    for f in findings:
        for key in f.cells:
            if key in inputs and marked.get(key) != ERROR:
                marked[key] = f.severity
    plan: list[tuple[Rect, str]] = [(r, INPUT_FILL) for r in rectangles(_cells(spec, inputs, found))]
    for severity, colour in ((WARNING, WARNING_FILL), (ERROR, ERROR_FILL)):
        keys = {k for k, s in marked.items() if s == severity}
        plan += [(r, colour) for r in rectangles(_cells(spec, keys, found))]
    return plan


__all__ = ["alert_mode", "alert_text", "alert_title", "fill_plan", "input_keys", "note_rows", "result_rows", "run_status"]
