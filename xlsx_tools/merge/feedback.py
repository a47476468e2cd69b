"""Feedback to agencies (`merge --feedback DIR`): one workbook per agency whose report
has errors or warnings it has not explained, named after the agency, ready to e-mail
back. It lists every finding of that report in plain Chinese — where, what the rule
asks, what to do — and says how to resend. The county never edits an agency's numbers:
the feedback asks the agency to correct its own workbook, or to explain a warning in it.

Who gets one (`plan_feedback`, recorded in the register's 审核意见 column): a report
with errors (left out of the summary), one that could not be read, one of another year,
and one counted with warnings not explained. Not: an older duplicate (its newer report
is judged), and warnings that are the county's business alone (NOT-ON-ROSTER,
DUPLICATE).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import xlsxwriter

from ..findings import ERROR, RULES
from ..output import OutputError, atomic_path
from ..read.workbook import display_name
from .submission import DUPLICATE, FAILED, UNREADABLE, WRONG_YEAR, Issue, Submission

COUNTY_ONLY = frozenset({"NOT-ON-ROSTER", "DUPLICATE"})  # nothing an agency can do about them
SUFFIX = "审核意见"
MAX_NAME = 60  # characters of the agency's name in a file name
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
COLUMNS = (("序号", 9), ("级别", 9), ("规则", 14), ("位置", 16), ("问题", 44), ("应当", 22), ("怎么办", 40), ("单位的说明", 24))
LINE = 15  # points per line of wrapped text


def _height(texts, widths) -> float:
    """Row height for wrapped texts: the most lines any of them needs (a Chinese character is two columns wide)."""
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        size = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
        lines = max(lines, -(-size // max(1, int(width) - 1)))
    return lines * LINE + 3


def check_feedback(folder: str | Path, force: bool) -> Path:
    """Refuse, before any work, a feedback folder that cannot be used."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--feedback {folder} 是文件，应为文件夹")
    if not folder.exists() and not folder.parent.is_dir():
        raise OutputError(f"--feedback 的上级文件夹 {folder.parent} 不存在")
    return folder


def safe_name(name: str, fallback: str = "未填写单位名称") -> str:
    """A file name from an agency's name that every file system accepts: no path
    separators or characters Windows forbids, no trailing dots or spaces, no device
    names (CON, NUL …), at most MAX_NAME characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    name = re.sub(r"\s+", " ", name)[:MAX_NAME].rstrip(" .")
    if not name or set(name) <= {"_", "."} or _RESERVED.match(name):
        name = (name + "_" if name and _RESERVED.match(name) else "") + fallback
    return name


def _why(s: Submission) -> str | None:
    """Why `s` gets feedback, or None."""
    if s.status == DUPLICATE:
        return None
    if s.status == UNREADABLE:
        return "文件无法读取"
    if s.status == WRONG_YEAR:
        return "报告年度不符"
    unexplained = [i for i in s.unexplained if i.rule not in COUNTY_ONLY]
    if s.errors:
        return f"有 {s.errors} 个错误" + (f"、{len(unexplained)} 处提示未说明" if unexplained else "")
    if unexplained:
        return f"有 {len(unexplained)} 处提示未说明"
    return None


def plan_feedback(merged) -> dict[int, tuple[str, str]]:
    """Submission index -> (file name, why) for every submission that gets feedback;
    file names are unique (a second agency of the same name gets （2）)."""
    year = f"{merged.year}年度" if merged.year else ""
    out: dict[int, tuple[str, str]] = {}
    taken: set[str] = set()
    for i, s in enumerate(merged.submissions):
        why = _why(s)
        if why is None:
            continue
        stem = safe_name(s.agency, safe_name(Path(display_name(s.shown)).stem))
        name, n = f"{stem}_{year}{SUFFIX}.xlsx", 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}（{n}）_{year}{SUFFIX}.xlsx"
        taken.add(name.casefold())
        out[i] = (name, why)
    return out


def _conclusion(s: Submission, notes_sheet: str) -> str:
    if not s.readable:
        return "贵单位报送的文件无法读取，未计入汇总。请按下表所列原因处理后重新报送。"
    if s.status == WRONG_YEAR:
        return "贵单位报送的报告年度与本次汇总的年度不符，未计入汇总。请报送本年度的报告。"
    explain = f"确属实际情况的，请在工作簿的「{notes_sheet}」工作表中写明原因" if notes_sheet else "确属实际情况的，请书面说明原因"
    if s.status == FAILED and not s.included:
        return f"贵单位的报告有 {s.errors} 个错误，未计入汇总。请改正后重新报送；所列提示请一并核实，{explain}。"
    if s.errors:
        return f"贵单位的报告有 {s.errors} 个错误（已按要求计入汇总），请改正后重新报送；所列提示请一并核实，{explain}。"
    return f"贵单位的报告已计入汇总，但有提示尚未说明：请逐条核实，数字有误的请改正后重新报送，{explain}后重新报送。"


def _rows(s: Submission, spec) -> list[tuple]:
    def order(i: Issue) -> int:
        return 0 if i.severity == ERROR else (2 if i.explained else 1)

    rows = []
    for n, i in enumerate(sorted(s.issues, key=order), start=1):
        rule = RULES.get(i.rule)
        level = i.severity.zh + ("（已说明）" if i.explained else "")
        advice = spec.advice.get(i.rule) or ("请改正后重新报送。" if i.severity == ERROR else "请核实。")
        rows.append((n, level, i.rule, i.where or "—", i.message, rule.title if rule else "", advice, i.explanation or ""))
    return rows


def write_one(path: Path, merged, s: Submission, why: str) -> None:
    spec = merged.options.spec
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{s.agency}{SUFFIX}", "created": merged.started})
    font = {"font_name": "宋体", "valign": "top"}
    title = wb.add_format(font | {"bold": True, "font_size": 14})
    key = wb.add_format(font | {"bold": True})
    wrap = wb.add_format(font | {"text_wrap": True})
    head = wb.add_format(font | {"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    cell = wb.add_format(font | {"border": 1, "text_wrap": True})
    bad = wb.add_format(font | {"border": 1, "text_wrap": True, "font_color": "#9C0006", "bold": True})
    ws = wb.add_worksheet(SUFFIX)
    for c, (_, width) in enumerate(COLUMNS):
        ws.set_column(c, c, width)
    year = f"{merged.year}年度" if merged.year else ""
    ws.merge_range(0, 0, 0, len(COLUMNS) - 1, f"{s.agency or display_name(s.shown)} {year}{spec.title} {SUFFIX}", title)
    ws.set_row(0, 28)
    office = merged.summary.meta["agency"] if merged.summary else (merged.options.name or "")
    facts = [
        ("报送文件", s.shown),
        ("审核单位", office or "—"),
        ("审核时间", merged.started.isoformat(" ")),
        ("审核结论", _conclusion(s, spec.layout.notes)),
        ("问题数", f"错误 {s.errors} 个，提示 {s.warnings} 处（其中已说明 {sum(1 for i in s.issues if i.explained)} 处）"),
        (
            "请注意",
            "本意见根据贵单位报送的工作簿逐项校验生成。县政务公开办不修改各单位报送的数据：请在贵单位自己的工作簿中改正或说明，校验通过后重新报送。",
        ),
    ]
    widths = [w for _, w in COLUMNS]
    for r, (k, v) in enumerate(facts, start=2):
        ws.write_string(r, 0, k, key)
        ws.merge_range(r, 1, r, len(COLUMNS) - 1, v, wrap)
        ws.set_row(r, _height([v], [sum(widths[1:])]))
    top = 2 + len(facts) + 1
    for c, (text, _) in enumerate(COLUMNS):
        ws.write_string(top, c, text, head)
    for r, row in enumerate(_rows(s, spec), start=top + 1):
        ws.set_row(r, _height(row, widths))
        for c, value in enumerate(row):
            fmt = bad if c == 1 and value == ERROR.zh else cell
            if isinstance(value, int):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_string(r, c, value, fmt)
    ws.freeze_panes(top + 1, 0)
    ws.repeat_rows(top, top)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()


def check_clashes(merged, force: bool = False) -> None:
    """Refuse (before anything is written) feedback files that exist, unless `force`."""
    if force or merged.options.feedback is None:
        return
    folder = Path(merged.options.feedback)
    clash = next((folder / name for name, _ in merged.feedback.values() if (folder / name).exists()), None)
    if clash is not None:
        raise OutputError(f"审核意见文件 {clash} 已存在；如需覆盖请加 --force")


def write_feedback(merged, force: bool = False) -> list[Path]:
    """Write every planned feedback workbook into the --feedback folder, each atomically;
    an existing file is refused (before any is written) unless `force`."""
    check_clashes(merged, force)
    folder = Path(merged.options.feedback)
    folder.mkdir(exist_ok=True)
    planned = [(folder / name, merged.submissions[i], why) for i, (name, why) in sorted(merged.feedback.items())]
    written = []
    for path, s, why in planned:
        with atomic_path(path, force) as tmp:
            write_one(tmp, merged, s, why)
        written.append(path)
    return written
