"""Validation results for people (a table per file) and for programs (JSON).

`render_text` groups findings by file: a heading with the agency and the counts, then
one line per finding (级别, 规则, 位置, 说明), padded for Chinese characters, which a
terminal shows two columns wide. Colour (ANSI) only when asked: the CLI asks when its
output is a terminal and NO_COLOR is not set. `render_json` is the list of results in
FORMAT-2021's shape.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable
from typing import IO

from ..findings import ERROR, SEVERITY_ZH, Finding
from .validate import Result

RED, YELLOW, GREEN, BOLD, RESET = "\033[31m", "\033[33m", "\033[32m", "\033[1m", "\033[0m"
HEADERS = ("级别", "规则", "位置", "说明")


def wants_colour(stream: IO[str]) -> bool:
    """Colour for a terminal only (never when piped or redirected), unless NO_COLOR is set."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def width(text: str) -> int:
    """Terminal columns: wide (Chinese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def place(f: Finding) -> str:
    if not f.where:
        return "-"
    return f.where[0] + (f" 等 {len(f.where)} 处" if len(f.where) > 1 else "")


def summary(r: Result) -> str:
    if not r.readable:
        return "无法读取"
    if r.errors == 0 and r.warnings == 0:
        return "通过"
    parts = []
    if r.errors:
        parts.append(f"{r.errors} 个错误")
    if r.warnings:
        explained = r.explained
        parts.append(
            f"{r.warnings} 个提示" + (f"（{'均' if explained == r.warnings else f'其中 {explained} 个'}已说明）" if explained else "")
        )
    return "，".join(parts)


EXPLAINED = "已说明"


def level(f: Finding) -> str:
    """错误 / 提示 / 提示（已说明）."""
    return SEVERITY_ZH[f.severity] + (f"（{EXPLAINED}）" if f.explained else "")


def render_text(results: Iterable[Result], colour: bool = False) -> str:
    results = list(results)
    paint = (lambda code, s: f"{code}{s}{RESET}") if colour else (lambda code, s: s)
    lines: list[str] = []
    for r in results:
        status = summary(r)
        code = GREEN if r.ok and not r.warnings else (RED if not r.ok else YELLOW)
        agency = f"（{r.agency}）" if r.agency else ""
        lines.append(f"{paint(BOLD, r.file)}{agency}：{paint(code, status)}")
        if r.fingerprint:
            lines.append(f"  {r.fingerprint}")
        if not r.findings:
            lines.append("")
            continue
        rows = [(level(f), f.rule, place(f), f.message) for f in r.findings]
        widths = [max(width(row[k]) for row in rows + [HEADERS]) for k in range(3)]
        lines.append("  " + "  ".join(pad(h, w) for h, w in zip(HEADERS[:3], widths, strict=False)) + "  " + HEADERS[3])
        for f, row in zip(r.findings, rows, strict=False):
            shown = paint(RED if f.severity == ERROR else (GREEN if f.explained else YELLOW), pad(row[0], widths[0]))
            lines.append("  " + "  ".join([shown, pad(row[1], widths[1]), pad(row[2], widths[2])]) + "  " + row[3])
            if f.explained:
                lines.append("  " + " " * (sum(widths) + 6) + f"说明：{f.explanation}")
        lines.append("")
    if len(results) > 1:
        unreadable = sum(1 for r in results if not r.readable)
        failed = sum(1 for r in results if r.readable and r.errors)
        warned = sum(1 for r in results if r.ok and r.warnings)
        passed = len(results) - unreadable - failed - warned
        parts = [f"{passed} 个通过"]
        if warned:
            parts.append(f"{warned} 个只有提示")
        if failed:
            parts.append(f"{failed} 个有错误")
        if unreadable:
            parts.append(f"{unreadable} 个无法读取")
        lines.append(f"共 {len(results)} 个文件：" + "，".join(parts))
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(results: Iterable[Result]) -> str:
    return json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2) + "\n"
