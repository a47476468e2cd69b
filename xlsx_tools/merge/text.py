"""What the terminal says about a merge: every file left out, loudly and by name;
warnings, missing agencies and skipped files briefly; then one table of counts."""

from __future__ import annotations

from collections import defaultdict

from ..console import table
from ..findings import ERROR, WARNING
from .review import EXPLANATIONS
from .submission import DUPLICATE, FAILED, OFF_ROSTER, Submission

SHOWN = 10  # files listed in full per section; the workbook has the rest
ERRORS_SHOWN = 3  # error messages listed per file


def _more(n: int, what: str = "个文件") -> str:
    return f"    ……另有 {n} {what}，详见汇总工作簿的「报送登记」「问题清单」"


def _short(path: str, width: int = 80) -> str:
    """A path shown on one line: its start and end around an ellipsis when very long."""
    return path if len(path) <= width else f"{path[: width // 2 - 1]}…{path[-(width // 2) :]}"


def _errors(s: Submission) -> list[str]:
    found = [i.message for i in s.issues if i.severity == ERROR]
    lines = [f"      {m}" for m in found[:ERRORS_SHOWN]]
    if len(found) > ERRORS_SHOWN:
        lines.append(f"      ……共 {len(found)} 个错误")
    return lines


def _section(title: str, subs: list[Submission], render, note: str = "") -> list[str]:
    """A heading with the count, the first SHOWN files (each rendered to lines), and a
    pointer to the workbook for the rest; nothing when `subs` is empty."""
    if not subs:
        return []
    lines = [f"{title}（{note}{len(subs)} 个文件）："]
    for s in subs[:SHOWN]:
        lines += render(s)
    if len(subs) > SHOWN:
        lines.append(_more(len(subs) - SHOWN))
    return lines


def _left_out(s: Submission) -> list[str]:
    if s.status == FAILED:
        return [f"  × {s.label}：有 {s.errors} 个错误", *_errors(s)]
    return [f"  × {s.label}：{s.status}，{s.note}"]


def _warned(s: Submission) -> list[str]:
    open_ = s.unexplained
    first = (open_ or [i for i in s.issues if i.severity == WARNING])[0]
    said = "（已说明）" if first.explained else ""
    extra = f"（共 {s.warnings} 条提示" + (f"，{s.warnings - len(open_)} 条已说明" if len(open_) < s.warnings else "") + "）"
    return [f"  ! {s.label}：{first.message}{said}{extra if s.warnings > 1 else ''}"]


def _in_text_hint(spec) -> str:
    """（如只在正文中写明的信息处理费）: the figures reports often give only in their text."""
    names = "、".join(t.name for t in spec.tables if t.in_text)
    return f"（如只在{spec.narrative}中写明的{names}）" if names else ""


def report_lines(merged) -> list[str]:
    subs = merged.submissions
    lines = _section("未计入汇总", [s for s in subs if not s.included and s.status != DUPLICATE], _left_out)
    lines += _section(
        "有错误但已计入汇总",
        [s for s in subs if s.included and s.errors],
        lambda s: [f"  ! {s.label}：有 {s.errors} 个错误", *_errors(s)],
        note="--include-invalid，",
    )
    lines += _section("重复报送，未计入", [s for s in subs if s.status == DUPLICATE], lambda s: [f"  - {s.label}：{s.note}"])
    lines += _section("不在应报送单位名单中，已计入", [s for s in subs if s.status == OFF_ROSTER], lambda s: [f"  ! {s.label}"])
    warned = [s for s in subs if s.included and s.warnings and not s.errors and s.status != OFF_ROSTER]
    lines += _section("有警告，已计入", warned, _warned)
    if merged.submission_rate is not None:
        expected, submitted, rate = merged.submission_rate
        lines.append(f"报送情况：名单 {expected} 个单位，已报送 {submitted} 个，未报送 {expected - submitted} 个，报送率 {rate}")
    if merged.missing:
        names = [m.name + (f"（{note}）" if note else "") for m, note in merged.missing]
        shown = "、".join(names[:20]) + (f" 等 {len(names)} 个" if len(names) > 20 else "")
        lines.append(f"未报送（{len(names)} 个单位）：{shown}")
    lost = [k for k in merged.skipped if k.lost]
    if lost:  # folders the system refused: their reports are unknown, so said loudly and in full
        lines.append(f"无法打开的文件夹（{len(lost)} 个），其中的报告未读取、未计入：")
        lines += [f"  × {_short(k.shown)}：{k.reason}" for k in lost[:SHOWN]]
        if len(lost) > SHOWN:
            lines.append(_more(len(lost) - SHOWN, "个文件夹"))
    skipped = [k for k in merged.skipped if not k.lost]
    if skipped:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for k in skipped:
            by_reason[k.reason].append(_short(k.shown))
        lines.append(f"已跳过（{len(skipped)} 个文件）：")
        for reason, files in by_reason.items():
            shown = "、".join(files[:3]) + (f" 等 {len(files)} 个" if len(files) > 3 else "")
            lines.append(f"  - {reason}：{shown}")
    if merged.unusable:
        lines.append(
            f"注意：计入汇总的报告中有 {merged.unusable} 个单元格没有可用的数值{_in_text_hint(merged.options.spec)}，已按 0 计，"
            "见「汇总说明」和「问题清单」。"
        )
    return lines


def table_lines(merged) -> list[str]:
    c = merged.counts
    keys = ["文件", "计入汇总", "有错误", "有警告", "重复", "未报送"]
    keys += [k for k in ("无法读取", "年度不符", "与汇总重叠", "不在名单", "跳过") if c[k]]
    missing = c["未报送"] if merged.options.roster is not None else "-"
    return table(keys, [[missing if k == "未报送" else c[k] for k in keys]])


def review_lines(merged, feedback: list | None = None) -> list[str]:
    """Last year's reports matched, explanations carried, feedback written."""
    lines = []
    if merged.last_year is not None:
        readable = [s for s in merged.submissions if s.readable]
        found = sum(1 for s in readable if s.previous)
        lines.append(
            f"上年报告：{merged.last_year.source}，{len(merged.last_year)} 个单位；本年 {found} 个单位找到上年报告，{len(readable) - found} 个未找到"
        )
    explained = sum(1 for s in merged.submissions for i in s.issues if i.explained)
    if explained:
        lines.append(f"各单位对 {explained} 处提示作了说明，见汇总工作簿的「{EXPLANATIONS}」")
    if feedback is not None:
        folder = merged.options.feedback
        if feedback:
            lines.append(f"已生成审核意见 {len(feedback)} 份（{folder}）：")
            for _, (name, why) in sorted(merged.feedback.items()):
                lines.append(f"  - {name}：{why}")
        else:
            lines.append(f"没有需要反馈的单位，未生成审核意见（{folder}）")
    return lines
