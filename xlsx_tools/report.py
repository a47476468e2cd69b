"""A report as plain data keyed by canonical ID, and its JSON interchange form."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, Number, ToolError, os_reason
from .form import CHOICE, CURRENT, DATE, FORMS, INTEGER, TEXT, spec_of

STAMP_META = "xlsx-tools-fingerprint"  # the name of a web page's <meta> that holds Report.stamp


@dataclass(frozen=True)
class Note:
    """An explanation (说明) staff wrote for a warning: the rule, where (as typed: an
    address such as 'sheet!D5', several, a range, or '' for every finding of the rule),
    and the text. `row` is the sheet row it was read from (1-based; 0 from JSON)."""

    rule: str
    where: str
    text: str
    row: int = 0
    message: str = ""  # the warning as the 校验 button listed it (not part of the JSON)

    def to_json(self) -> dict:
        return {"rule": self.rule, "where": self.where, "text": self.text}


@dataclass
class Report:
    """What a submission states. Readers produce it; nothing downstream knows its source.

    `cells` holds every canonical ID the source states (None where a cell's value could
    not be used); `where` the workbook address each was read from; `findings` what the
    reader noticed (blank cells, numbers stored as text …).
    """

    meta: dict = field(default_factory=dict)
    cells: dict[str, Number | None] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    form: str = CURRENT
    source: str | None = None
    where: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # explanations of warnings (说明)
    stamp: str | None = None  # the fingerprint a published document records (check/fingerprint.py)

    def to_json(self) -> dict:
        spec = spec_of(self)
        meta = {}
        for m in spec.meta_fields:
            v = self.meta.get(m.key)
            if v is None or v == "":
                continue
            meta[m.key] = v.isoformat() if isinstance(v, dt.date) else v
        cells = {cid: self.cells[cid] for cid in spec.cells if cid in self.cells}
        text = {s.key: self.text[s.key] for s in spec.sections if self.text.get(s.key)}
        out = {"form": self.form, "meta": meta, "cells": cells, "text": text}
        if self.notes:
            out["notes"] = [n.to_json() for n in self.notes]
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"


class ReportError(ToolError):
    """A JSON report that does not fit the form; `problems` are Chinese sentences."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join([f"{source}：数据有误：", *(f"  - {p}" for p in problems)]))


MAX_JSON_BYTES = 20 * 2**20  # a report's JSON is a few KB
EXACT = 10**15  # Excel keeps 15 significant digits: larger numbers would change when saved
CELL_CHARS = 32767  # characters one Excel cell holds


class _Huge:
    """An integer in the JSON too long to be a number of this form (kept out of int())."""

    def __init__(self, digits: int):
        self.digits = digits


def _number_problem(v: object) -> str | None:
    """Why `v` cannot be a cell's value (Chinese), or None."""
    if isinstance(v, _Huge):
        return f"是一个 {v.digits} 位的整数，超出 Excel 能精确保存的 15 位数字"
    if v is None:
        return "没有数值（null）"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return f"应为数字，实为 {v!r}"
    if isinstance(v, float) and not math.isfinite(v):
        return f"应为有限的数字，实为 {v!r}"
    if abs(v) >= EXACT:
        return f"为 {v:g}，超出 Excel 能精确保存的 15 位数字"
    return None


def _text_problem(v: object) -> str | None:
    """Why `v` cannot be saved as a cell's text (Chinese), or None."""
    if not isinstance(v, str):
        return f"应为文本，实为 {'数字' if isinstance(v, (int, float, _Huge)) else type(v).__name__}"
    if len(v) > CELL_CHARS:
        return f"有 {len(v):,} 个字符，超过 Excel 单元格能保存的 {CELL_CHARS:,} 个字符，请精简或分段"
    for i, ch in enumerate(v, start=1):
        code = ord(ch)
        if (code < 32 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            return f"第 {i} 个字符是无法保存的不可见字符（U+{code:04X}），请删除"
    return None


def _object(data: dict, key: str, problems: list[str]) -> dict:
    """data[key] where it is a JSON object; {} (and a problem said) where it is not."""
    value = data.get(key, {})
    if isinstance(value, dict):
        return value
    problems.append(f"{key} 应为 JSON 对象")
    return {}


def _kept(entries: dict, known, unknown, what, problem, problems: list[str]) -> dict:
    """The entries whose key is `known` and whose value has no `problem`; each other one said
    (`what(key)` names the entry)."""
    kept = {}
    for key, value in entries.items():
        if key not in known:
            problems.append(unknown(key))
        elif (why := problem(value)) is not None:
            problems.append(f"{what(key)}{why}")
        else:
            kept[key] = value
    return kept


def parse_json(raw: str, source: str = "JSON") -> object:
    """JSON text as data, or ReportError: not JSON, keys repeated in one object (the later
    value would silently win), integers too long for any cell, nesting too deep."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        out: dict = {}
        for key, value in items:
            if key in out and key not in repeated:
                repeated.append(key)
            out[key] = value
        return out

    def integer(text: str) -> int | _Huge:
        digits = len(text.lstrip("-"))
        return _Huge(digits) if digits > 15 else int(text)

    def constant(name: str) -> float:
        raise ValueError(f"JSON 不允许 {name}")

    try:
        data = json.loads(raw, object_pairs_hook=pairs, parse_int=integer, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise ReportError(source, [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近（{exc.msg}）"]) from None
    except RecursionError:
        raise ReportError(source, ["JSON 嵌套层数过多（报告数据只有两三层）"]) from None
    except ValueError as exc:
        raise ReportError(source, [f"不是有效的 JSON：{exc}"]) from None
    if repeated:
        shown = "、".join(f"「{k}」" for k in repeated[:10]) + (f" 等 {len(repeated)} 个" if len(repeated) > 10 else "")
        raise ReportError(source, [f"同一对象中的键重复出现：{shown}（重复时只有最后一个值有效，请只保留一个）"])
    return data


def report_from_json(data: object, source: str = "JSON") -> Report:
    """Build a Report from the interchange form, or raise ReportError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ReportError(source, ["顶层应为 JSON 对象（{…}）"])
    unknown_top = sorted(set(data) - {"form", "meta", "cells", "text", "notes"})
    if unknown_top:
        problems.append(f"未知的顶层字段：{', '.join(unknown_top)}")
    form = data.get("form", CURRENT)
    spec = FORMS.get(form) if isinstance(form, str) else None
    if spec is None:
        problems.append(f"表式版本为「{form}」，本工具支持 {'、'.join(FORMS)}")
        spec = FORMS[CURRENT]
    cover = spec.cover

    meta_in = _object(data, "meta", problems)
    meta: dict = {}
    for key, value in meta_in.items():
        mf = spec.meta.get(key)
        if mf is None:
            problems.append(f"未知的{cover}字段「{key}」")
            continue
        if value is None:
            continue
        if mf.type == INTEGER:
            whole = isinstance(value, (int, _Huge)) and not isinstance(value, bool)
            why = _number_problem(value) if whole else f"应为整数，实为 {value!r}"
            if why:
                problems.append(f"{cover}字段 {key}（{mf.label}）{why}")
                continue
        elif mf.type == DATE:
            try:
                value = dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                value = None
            if value is None:
                problems.append(f"{cover}字段 {key}（{mf.label}）应为 YYYY-MM-DD 格式的日期，实为 {meta_in[key]!r}")
                continue
        elif mf.type == CHOICE:
            if value not in mf.choices:
                problems.append(f"{cover}字段 {key}（{mf.label}）应为 {'、'.join(mf.choices)} 之一，实为 {value!r}")
                continue
        elif mf.type == TEXT and (why := _text_problem(value)):
            problems.append(f"{cover}字段 {key}（{mf.label}）{why}")
            continue
        meta[key] = value
    for mf in spec.meta_fields:
        if mf.required and meta_in.get(mf.key) in (None, ""):
            problems.append(f"缺少必填的{cover}字段 {mf.key}（{mf.label}）")

    cells_in = _object(data, "cells", problems)
    cells = _kept(
        cells_in,
        spec.cells,
        lambda cid: f"未知的单元格编号「{cid}」",
        lambda cid: f"{cid}（{spec.cells[cid].display}）",
        _number_problem,
        problems,
    )
    missing = [cid for cid in spec.input_ids if cid not in cells_in]
    if missing:
        shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 个" if len(missing) > 5 else "")
        problems.append(f"缺少必填的单元格：{shown}")

    text = _kept(
        _object(data, "text", problems),
        spec.section,
        lambda key: f"未知的{spec.narrative}部分「{key}」（应为 {'、'.join(spec.section)}）",
        lambda key: f"{spec.narrative}部分 {key}（{spec.section[key].label}）",
        _text_problem,
        problems,
    )

    notes = _notes(data.get("notes", []), problems)
    if problems:
        raise ReportError(source, problems)
    return Report(meta=meta, cells=cells, text=text, form=spec.id, source=source, notes=notes)


def _notes(value: object, problems: list[str]) -> list[Note]:
    """notes: [{"rule": "FEE-COLLECTED", "where": "…", "text": "…"}, …]."""
    if not isinstance(value, list):
        problems.append("notes 应为 JSON 列表")
        return []
    notes = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) - {"rule", "where", "text"} or not all(isinstance(v, str) for v in item.values()):
            problems.append(f'notes 第 {i} 项应为 {{"rule": 规则, "where": 位置, "text": 说明}}，各项均为文本')
            continue
        if not item.get("rule") or not item.get("text"):
            problems.append(f"notes 第 {i} 项缺少 rule 或 text")
            continue
        if why := next((w for w in map(_text_problem, item.values()) if w), None):
            problems.append(f"notes 第 {i} 项{why}")
            continue
        notes.append(Note(item["rule"], item.get("where", ""), item["text"]))
    return notes


def load_json(path: str | Path) -> Report:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise ReportError(str(path), [f"无法读取文件：{os_reason(exc)}"]) from None
    if len(data) > MAX_JSON_BYTES:
        raise ReportError(str(path), [f"文件过大（超过 {MAX_JSON_BYTES // 2**20} MB），不像是一份报告的数据"])
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportError(str(path), [f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起无法识别），请另存为 UTF-8"]) from None
    return report_from_json(parse_json(raw, str(path)), str(path))
