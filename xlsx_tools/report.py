"""A report as plain data keyed by canonical ID, and its JSON interchange form."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, Number, ToolError
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


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _object(data: dict, key: str, problems: list[str]) -> dict:
    """data[key] where it is a JSON object; {} (and a problem said) where it is not."""
    value = data.get(key, {})
    if isinstance(value, dict):
        return value
    problems.append(f"{key} 应为 JSON 对象")
    return {}


def _kept(entries: dict, known, fits, unknown, wrong, problems: list[str]) -> dict:
    """The entries whose key is `known` and whose value `fits`; a problem said for each other."""
    kept = {}
    for key, value in entries.items():
        if key not in known:
            problems.append(unknown(key))
        elif not fits(value):
            problems.append(wrong(key, value))
        else:
            kept[key] = value
    return kept


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
            if not (isinstance(value, int) and not isinstance(value, bool)):
                problems.append(f"{cover}字段 {key}（{mf.label}）应为整数，实为 {value!r}")
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
        elif mf.type == TEXT and not isinstance(value, str):
            problems.append(f"{cover}字段 {key}（{mf.label}）应为文本，实为 {value!r}")
            continue
        meta[key] = value
    for mf in spec.meta_fields:
        if mf.required and meta_in.get(mf.key) in (None, ""):
            problems.append(f"缺少必填的{cover}字段 {mf.key}（{mf.label}）")

    cells_in = _object(data, "cells", problems)
    cells = _kept(
        cells_in,
        spec.cells,
        _is_number,
        lambda cid: f"未知的单元格编号「{cid}」",
        lambda cid, value: f"{cid}（{spec.cells[cid].display}）应为数字，实为 {value!r}",
        problems,
    )
    missing = [cid for cid in spec.input_ids if cid not in cells_in]
    if missing:
        shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 个" if len(missing) > 5 else "")
        problems.append(f"缺少必填的单元格：{shown}")

    text = _kept(
        _object(data, "text", problems),
        spec.section,
        lambda value: isinstance(value, str),
        lambda key: f"未知的{spec.narrative}部分「{key}」（应为 {'、'.join(spec.section)}）",
        lambda key, value: f"{spec.narrative}部分 {key} 应为文本",
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
        notes.append(Note(item["rule"], item.get("where", ""), item["text"]))
    return notes


def load_json(path: str | Path) -> Report:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(str(path), [f"无法读取文件（{type(exc).__name__}）"]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReportError(str(path), [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近（{exc.msg}）"]) from None
    return report_from_json(data, str(path))
