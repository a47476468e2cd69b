"""Local rules (本地规则): what a province or county asks beyond the national form, from
a TOML file (docs/LOCAL-RULES.md). Loaded once into a `LocalRules` value and handed to
wherever findings are judged (`check_report`, and through it validate, merge, the
button's server); `LocalRules()` is the national rules, unchanged.

- `[deadline]`: the publication deadline per report kind, as month and day of the
  following year (some provinces ask departments to publish by 1 月 26 日); `default`
  is for the kinds with the national default deadline (departments), others by name;
- `[severity]`: per rule, "error" (a warning becomes an error) or "off" (a warning is not
  reported). Errors stay errors: the statutory identities and unreadable cells are not
  a local matter, so a rules file cannot lower or switch them off;
- `[text_length]`: the most characters (字) a narrative section may have (TEXT-LENGTH);
- `[xy_jump]`: the XY-JUMP thresholds (factor, and the least value on the larger side);
- `[text_reuse]`: XY-TEXT-REUSE's percentage, the shortest text compared, and the
  percentage above which two agencies' sections count as 雷同 in a merge (TEXT-SIMILAR).

A file that cannot be used is refused before any work, with a Chinese message naming
the line (`LocalRulesError`, a ToolError).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ERROR, RULES, WARNING, Finding, Severity, ToolError, os_reason
from ..form import FormSpec, current

OFF = "off"
_SEVERITY_WORDS = {"error": ERROR, "错误": ERROR, "warning": WARNING, "提示": WARNING, "off": OFF, "关闭": OFF}
_DATE = re.compile(r"^\s*(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})\s*日?\s*$")
TABLES = ("deadline", "severity", "text_length", "xy_jump", "text_reuse")
BOOKKEEPING = frozenset({"DUPLICATE", "NOT-ON-ROSTER"})  # how a merge registers files, not a judgement of a report


class LocalRulesError(ToolError):
    """A rules file that cannot be used (Chinese message naming the file and line)."""


@dataclass(frozen=True)
class LocalRules:
    """Local rules, national defaults where a file says nothing."""

    source: str = ""  # the file they came from ("" for the national rules)
    deadlines: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # kind ("" any) -> (month, day)
    severity: Mapping[str, Severity | str] = field(default_factory=dict)  # rule -> ERROR or OFF
    text_length: Mapping[str, int] = field(default_factory=dict)  # section key -> most characters
    jump_factor: float = 5.0  # XY-JUMP: grew or shrank by at least this factor …
    jump_min: float = 20.0  # … with at least this much on the larger side
    reuse_percent: int = 50  # XY-TEXT-REUSE: at least this similar to last year's text
    reuse_min_chars: int = 100  # texts shorter than this (normalised) are not compared
    similar_percent: int = 90  # TEXT-SIMILAR: two agencies' sections at least this similar

    @property
    def local(self) -> bool:
        return bool(self.source)

    def deadline(self, spec: FormSpec, year: object, kind: object) -> tuple[dt.date, bool] | None:
        """The publication deadline of a report (and whether it is a local one)."""
        national = spec.deadline(year, kind)
        if national is None:
            return None
        # "default" moves the deadline of the kinds that have the national default (departments);
        # a kind with its own national deadline (a government's report, a summary) only by name
        own = kind if kind in spec.deadlines else ""
        local = self.deadlines.get(kind) if kind in self.deadlines else (self.deadlines.get("") if not own else None)  # type: ignore[arg-type]
        if local is None:
            return national, False
        return dt.date(national.year, *local), True

    def judge(self, findings: list[Finding]) -> list[Finding]:
        """Findings with the local severities: a warning made an error, or left out."""
        if not self.severity:
            return findings
        out = []
        for f in findings:
            wanted = self.severity.get(f.rule)
            if wanted is None or f.severity == ERROR:
                out.append(f)
            elif wanted != OFF:
                out.append(dataclasses.replace(f, severity=wanted, explanation=None))
        return out

    @classmethod
    def load(cls, path: str | Path, spec: FormSpec | None = None) -> LocalRules:
        """Read a rules file; raises LocalRulesError naming the line of the first problem."""
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise LocalRulesError(f"本地规则文件 {path} 不存在") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = "不是 UTF-8 编码的文本" if isinstance(exc, UnicodeDecodeError) else os_reason(exc)
            raise LocalRulesError(f"无法读取本地规则文件 {path}：{reason}") from None
        return parse(text, str(path), spec)


NATIONAL = LocalRules()


def _line_of(text: str, table: str | None, key: str | None = None) -> int:
    """1-based line of `[table]` (or of `key = …` inside it); 0 if not found."""
    lines = text.splitlines()
    start = 0
    if table is not None:
        header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]")
        found = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if found is None:
            return 0
        if key is None:
            return found + 1
        start = found + 1
    pattern = re.compile(r"""^\s*(?:"|')?""" + re.escape(key or "") + r"""(?:"|')?\s*=""")
    for i in range(start, len(lines)):
        if i > start and re.match(r"^\s*\[", lines[i]):
            break
        if pattern.match(lines[i]):
            return i + 1
    return 0


def parse(text: str, source: str = "本地规则", spec: FormSpec | None = None) -> LocalRules:
    """LocalRules from the text of a rules file (`source` names it in messages)."""
    spec = spec or current()

    def fail(line: int, what: str) -> LocalRulesError:
        at = f"第 {line} 行：" if line else ""
        return LocalRulesError(f"本地规则文件 {source} {at}{what}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        reason = str(exc).split(" (at", 1)[0]
        raise fail(int(m.group(1)) if m else 0, f"不是有效的 TOML 格式（{reason}）；请对照 docs/LOCAL-RULES.md 中的示例") from None

    for name, value in data.items():
        if name not in TABLES:
            raise fail(_line_of(text, name) or _line_of(text, None, name), f"未知的设置「{name}」（可用的有：{'、'.join(TABLES)}）")
        if not isinstance(value, dict):
            raise fail(_line_of(text, None, name), f"「{name}」应写成 [{name}] 表")

    def number(table: str, key: str, value: object, low: float, integer: bool = False) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= low
        if ok and integer and not float(value).is_integer():  # type: ignore[arg-type]
            ok = False
        if not ok:
            kind = "整数" if integer else "数"
            raise fail(_line_of(text, table, key), f"[{table}] {key} 应为不小于 {low:g} 的{kind}，实为 {value!r}")
        return value  # type: ignore[return-value]

    deadlines: dict[str, tuple[int, int]] = {}
    for key, value in data.get("deadline", {}).items():
        line = _line_of(text, "deadline", key)
        kind = "" if key == "default" else key
        if kind and kind not in spec.report_kinds:
            raise fail(line, f"[deadline] 中的「{key}」不是报告类型（应为 default 或 {'、'.join(spec.report_kinds)}）")
        m = _DATE.match(value) if isinstance(value, str) else None
        try:
            month, day = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
            dt.date(2001, month, day)  # a valid month and day (29 February never is a deadline)
        except ValueError:
            raise fail(line, f'[deadline] {key} 应为次年的「月-日」，如 "1-26" 或 "1月26日"，实为 {value!r}') from None
        deadlines[kind] = (month, day)

    severity: dict[str, Severity | str] = {}
    for rule, value in data.get("severity", {}).items():
        line = _line_of(text, "severity", rule)
        if rule not in RULES:
            raise fail(line, f"没有规则「{rule}」（规则编号见 README 的规则表）")
        wanted = _SEVERITY_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
        if wanted is None:
            raise fail(line, f'[severity] {rule} 应为 "error"（改为错误）或 "off"（关闭），实为 {value!r}')
        if rule in BOOKKEEPING:
            raise fail(line, f"{rule}（{RULES[rule].title}）是汇总时的登记，不能在本地规则中改动")
        if RULES[rule].severity == ERROR and wanted != ERROR:
            raise fail(line, f"{rule} 是错误（{RULES[rule].title}），本地规则不能把错误改为提示或关闭")
        if wanted != RULES[rule].severity:
            severity[rule] = wanted

    lengths: dict[str, int] = {}
    by_label = {s.label: s.key for s in spec.sections}
    for key, value in data.get("text_length", {}).items():
        section = key if key in spec.section else by_label.get(key)
        if section is None:
            names = "、".join(f"{s.key}（{s.label}）" for s in spec.sections)
            raise fail(_line_of(text, "text_length", key), f"[text_length] 中的「{key}」不是{spec.narrative}的部分（应为 {names}）")
        lengths[section] = int(number("text_length", key, value, 1, integer=True))

    settings: dict[str, float] = {}
    known = {
        "xy_jump": {"factor": ("jump_factor", 1.5, False), "min_larger": ("jump_min", 1, False)},
        "text_reuse": {
            "percent": ("reuse_percent", 1, True),
            "min_chars": ("reuse_min_chars", 1, True),
            "similar_percent": ("similar_percent", 1, True),
        },
    }
    for table, keys in known.items():
        for key, value in data.get(table, {}).items():
            if key not in keys:
                raise fail(_line_of(text, table, key), f"[{table}] 中没有「{key}」这一项（可用的有：{'、'.join(keys)}）")
            attr, low, integer = keys[key]
            settings[attr] = number(table, key, value, low, integer)
            if table == "text_reuse" and key != "min_chars" and value > 100:
                raise fail(_line_of(text, table, key), f"[{table}] {key} 是百分比，应不大于 100，实为 {value!r}")
    ints = {"reuse_percent", "reuse_min_chars", "similar_percent"}
    settings = {k: int(v) if k in ints else float(v) for k, v in settings.items()}
    return LocalRules(source, deadlines, severity, lengths, **settings)  # type: ignore[arg-type]
