"""What the terminal says about a merge: every file left out, loudly and by name;
warnings, missing agencies and skipped files briefly; then one table of counts."""

from __future__ import annotations

from collections import defaultdict

from .console import table
from .submission import DUPLICATE, FAILED, OFF_ROSTER, Submission

SHOWN = 10  # files listed in full per section; the workbook has the rest
ERRORS_SHOWN = 3  # error messages listed per file


def _more(n: int, what: str = "个文件") -> str:
    return f"    ……另有 {n} {what}，详见汇总工作簿的「报送登记」「问题清单」"


def _errors(s: Submission) -> list[str]:
    found = [i.message for i in s.issues if i.severity == "error"]
    lines = [f"      {m}" for m in found[:ERRORS_SHOWN]]
    if len(found) > ERRORS_SHOWN:
        lines.append(f"      ……共 {len(found)} 个错误")
    return lines


def report_lines(merged) -> list[str]:
    lines: list[str] = []
    subs = merged.submissions
    left_out = [s for s in subs if not s.included and s.status != DUPLICATE]
    if left_out:
        lines.append(f"未计入汇总（{len(left_out)} 个文件）：")
        for s in left_out[:SHOWN]:
            if s.status == FAILED:
                lines.append(f"  × {s.label}：有 {s.errors} 个错误")
                lines += _errors(s)
            else:
                lines.append(f"  × {s.label}：{s.status}，{s.note}")
        if len(left_out) > SHOWN:
            lines.append(_more(len(left_out) - SHOWN))
    invalid_in = [s for s in subs if s.included and s.errors]
    if invalid_in:
        lines.append(f"有错误但已计入汇总（--include-invalid，{len(invalid_in)} 个文件）：")
        for s in invalid_in[:SHOWN]:
            lines.append(f"  ! {s.label}：有 {s.errors} 个错误")
            lines += _errors(s)
        if len(invalid_in) > SHOWN:
            lines.append(_more(len(invalid_in) - SHOWN))
    dups = [s for s in subs if s.status == DUPLICATE]
    if dups:
        lines.append(f"重复报送，未计入（{len(dups)} 个文件）：")
        lines += [f"  - {s.label}：{s.note}" for s in dups[:SHOWN]]
        if len(dups) > SHOWN:
            lines.append(_more(len(dups) - SHOWN))
    off = [s for s in subs if s.status == OFF_ROSTER]
    if off:
        lines.append(f"不在应报送单位名单中，已计入（{len(off)} 个文件）：")
        lines += [f"  ! {s.label}" for s in off[:SHOWN]]
        if len(off) > SHOWN:
            lines.append(_more(len(off) - SHOWN))
    warned = [s for s in subs if s.included and s.warnings and not s.errors and s.status != OFF_ROSTER]
    if warned:
        lines.append(f"有警告，已计入（{len(warned)} 个文件）：")
        for s in warned[:SHOWN]:
            first = next(i.message for i in s.issues if i.severity == "warning")
            extra = f"（共 {s.warnings} 条提示）" if s.warnings > 1 else ""
            lines.append(f"  ! {s.label}：{first}{extra}")
        if len(warned) > SHOWN:
            lines.append(_more(len(warned) - SHOWN))
    if merged.missing:
        names = [m.name + (f"（{note}）" if note else "") for m, note in merged.missing]
        shown = "、".join(names[:20]) + (f" 等 {len(names)} 个" if len(names) > 20 else "")
        lines.append(f"未报送（{len(names)} 个单位）：{shown}")
    if merged.skipped:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for k in merged.skipped:
            by_reason[k.reason].append(k.shown)
        lines.append(f"已跳过（{len(merged.skipped)} 个文件）：")
        for reason, files in by_reason.items():
            shown = "、".join(files[:3]) + (f" 等 {len(files)} 个" if len(files) > 3 else "")
            lines.append(f"  - {reason}：{shown}")
    if merged.unusable:
        lines.append(
            f"注意：计入汇总的报告中有 {merged.unusable} 个单元格没有可用的数值（如只在正文中写明的信息处理费），已按 0 计，"
            "见「汇总说明」和「问题清单」。"
        )
    return lines


def table_lines(merged) -> list[str]:
    c = merged.counts
    keys = ["文件", "计入汇总", "有错误", "有警告", "重复", "未报送"]
    keys += [k for k in ("无法读取", "年度不符", "不在名单", "跳过") if c[k]]
    missing = c["未报送"] if merged.options.roster is not None else "-"
    return table(keys, [[missing if k == "未报送" else c[k] for k in keys]])
