"""Errors as data: the rule catalogue, the one shape every problem takes, and the one
exception staff ever see.

- `Severity` (error / warning) and `Rule` (ID, severity, title, message template): the
  catalogue `RULES` holds every rule that does not depend on a form; each form adds
  its own identities when it is registered (`xlsx_tools.form.register`). Severity is
  declared here, once: callers name the rule and `finding()` looks up the rest.
- `Finding`: one problem, from a bad file to a failed identity.
- `ToolError`: a Chinese message (and, where there is one, its finding) that the
  command line, the server and the 校验 button catch once and show as it is.
"""

from __future__ import annotations

import errno
import string
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import lru_cache

Number = int | float


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def zh(self) -> str:
        """How staff read it: 错误 / 提示."""
        return _ZH[self]


ERROR, WARNING = Severity.ERROR, Severity.WARNING
_ZH = {ERROR: "错误", WARNING: "提示"}
SEVERITY_ZH = dict(_ZH)


@dataclass(frozen=True)
class Rule:
    """A rule of the catalogue. `template` renders a finding's message from the fields
    the caller gives (`{detail}`: the message as the caller wrote it)."""

    id: str
    severity: Severity
    title: str  # Chinese, shown to staff
    template: str = "{detail}"


EQUAL = "{scope}：{lhs} = {left}，{rhs} = {right}，相差 {diff}"
AT_MOST = "{scope}：{lhs} = {left}，超过{rhs} = {right}"
CELL = "{cell}（{at}）：{what}"

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("TYPE", ERROR, "件数为非负整数，金额为非负数", "{cell}{at}：{value} {problem}"),
        Rule("META-AGENCY", ERROR, "单位名称已填写"),
        Rule("META-YEAR", ERROR, "报告年度合理"),
        Rule("META-USCC", ERROR, "统一社会信用代码格式及校验位正确"),
        Rule("META-NO-USCC", WARNING, "统一社会信用代码已填写"),
        Rule("BLANK", WARNING, "填报项均已填写（空白按 0 计）"),
        Rule("NARRATIVE", WARNING, "正文所述数字与表格一致"),
        Rule("DEADLINE", WARNING, "按时发布"),
        # Found while reading a file
        Rule("UNREADABLE", ERROR, "文件可以作为工作簿读取", "{file}：{reason}"),
        Rule("FOREIGN", ERROR, "是本表式的年度报告工作簿"),
        Rule("FORM-VERSION", ERROR, "表式版本为本工具支持的版本"),
        Rule("ANCHOR-MISSING", ERROR, "每个单元格的定位名称齐全"),
        Rule("LAYOUT", ERROR, "表格的行列标签与法定格式一致"),
        Rule("NUMBER-AS-TEXT", WARNING, "数字未以文本形式保存"),
        Rule("NIL-MARK", WARNING, "没有用“—”“/”“无”代替 0"),
        Rule("NOT-NUMBER", ERROR, "数字单元格填写的是数字"),
        Rule("CELL-ERROR", ERROR, "单元格没有错误值"),
        Rule("TOTAL-RECOMPUTED", WARNING, "总计单元格有数值"),
        Rule("META-DATE", WARNING, "日期可以识别"),
        Rule("TOO-LARGE", ERROR, "数值在合理范围内（小于 1 万亿）"),
        Rule("FORMULA-COMPUTED", WARNING, "公式有计算结果（没有的，只按数字的加减乘除算出）"),
        Rule("FORMULA-NO-VALUE", ERROR, "公式有计算结果"),
        Rule("ANCHOR-STALE", WARNING, "单元格定位名称与表格内容一致"),
        Rule("LABEL", WARNING, "标题和分组标签与法定格式一致"),
        Rule("ROW-ORDER", WARNING, "表格行的顺序与法定格式一致"),
        Rule("EXTRA-CELLS", WARNING, "表格中没有法定格式以外的行列"),
        Rule("EXTRA-NUMBERS", ERROR, "法定格式以外的行列中没有数字"),
        Rule("TABLE-COPY", ERROR, "工作簿中没有数字不同的另一份表格"),
        Rule("TABLE-COPY-SAME", WARNING, "工作簿中没有表格的副本"),
        Rule("LABEL-VARIANT", WARNING, "标签为法定格式的用语（常见的其他写法已按法定标签读取）"),
        # Found while merging many submissions
        Rule("YEAR-MISMATCH", ERROR, "报告年度与汇总年度一致"),
        Rule("DUPLICATE", WARNING, "同一单位只提交一份报告"),
        Rule("SUMMARY-OVERLAP", ERROR, "汇总报告不与其已包含的单位一起汇总"),
        Rule("NOT-ON-ROSTER", WARNING, "报送单位在应报送单位名单中"),
        # The review loop (issue 13): text reused or copied, local limits
        Rule("XY-TEXT-REUSE", WARNING, "正文各部分不大量沿用上年报告的文字"),
        Rule("TEXT-LENGTH", WARNING, "正文各部分的字数不超过本地规定"),
        Rule("TEXT-SIMILAR", WARNING, "正文各部分与其他单位的报告不雷同"),
        # Published documents (issue 12): generated from the validated report
        Rule("FINGERPRINT", WARNING, "文档中的数字与生成文档时校验过的报告相同"),
    )
}


def add_rules(rules: Iterable[Rule]) -> None:
    """Add a form's own rules to the catalogue; a rule ID may mean only one thing."""
    for rule in rules:
        known = RULES.get(rule.id)
        if known is not None and known != rule:
            raise ValueError(f"rule {rule.id} is already defined differently")
        RULES[rule.id] = rule


def remove_rules(rules: Iterable[Rule]) -> None:
    """Take a form's own rules out of the catalogue again (the form is unregistered)."""
    for rule in rules:
        if RULES.get(rule.id) == rule:
            del RULES[rule.id]


@dataclass
class Finding:
    """One problem: which rule, how bad, where, the two sides, and a Chinese message.

    `cells` are canonical IDs (or 'meta.<key>' / 'text.<key>'), `where` the workbook
    addresses they were read from, `expected`/`actual` numbers or None. Made by
    `finding()`, which takes the severity from the catalogue. `explanation` is the
    说明 staff wrote for a warning (None: not explained; an error never has one)."""

    rule: str
    severity: Severity
    message: str
    cells: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    expected: Number | None = None
    actual: Number | None = None
    explanation: str | None = None

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)

    def to_json(self) -> dict:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return {k: d[k] for k in ("rule", "severity", "cells", "where", "expected", "actual", "message", "explanation")}

    @property
    def explained(self) -> bool:
        """A warning staff explained (说明); errors are never explained."""
        return bool(self.explanation) and self.severity != ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@lru_cache(maxsize=256)
def _fields_of(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def finding(
    rule: str,
    detail: str = "",
    *,
    cells: Iterable[str] = (),
    where: Iterable[str] = (),
    expected: Number | None = None,
    actual: Number | None = None,
    **fields: object,
) -> Finding:
    """The one way to make a Finding: the rule's severity from the catalogue, its message
    rendered from the rule's template with `detail` and `fields`."""
    r = RULES[rule]
    if fields and not detail and _fields_of(r.template) == {"detail"}:
        # the caller gave fields to a rule that renders only its detail: the message would be empty
        raise TypeError(f"rule {rule} renders only its detail, not {sorted(fields)}")
    message = r.template.format(detail=detail, **fields)
    return Finding(rule, r.severity, message, list(cells), list(where), expected, actual)


def flatten(findings: list[Finding], keys: list[str]) -> list[list]:
    """[[rule, cell], …] for short exact test assertions (one row per cell when 'cell' is asked)."""
    rows = []
    for f in findings:
        if "cell" in keys:
            for c in f.cells or [None]:
                rows.append([c if k == "cell" else getattr(f, k) for k in keys])
        else:
            rows.append([getattr(f, k) for k in keys])
    return rows


def count(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for f in findings:
        if f.severity == ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


class Counted:
    """`errors` and `warnings` of anything that holds `findings`."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return count(self.findings)[0]

    @property
    def warnings(self) -> int:
        return count(self.findings)[1]


def fmt(value: Number | None) -> str:
    """A number as a person writes it: 12, 3.5, 0.25 (no 12.0, no float noise)."""
    if value is None:
        return "空"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


class ToolError(Exception):
    """A problem staff are told about in one Chinese message (exit code 2 at the command
    line); `finding` is set where a finding describes it (an unreadable file)."""

    def __init__(self, message: str, finding: Finding | None = None):
        super().__init__(message)
        self.message = message
        self.finding = finding

    def __str__(self) -> str:
        return self.message


class ReadError(ToolError):
    """A file that cannot be read as a report at all; carries its finding."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message, finding)


def unreadable(file: str, reason: str) -> ReadError:
    """ReadError for a file that is no report: 'file：reason'."""
    return ReadError(finding("UNREADABLE", file=file, reason=reason))


# What the operating system says, in Chinese (its own strerror is English).
OS_REASONS = {
    errno.ENOENT: "不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EISDIR: "是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENAMETOOLONG: "名称或路径过长（文件名超过 255 字节，或路径超过系统上限）",
    errno.ELOOP: "快捷方式（符号链接）循环指向自身，或层数过多",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "磁盘为只读",
    errno.EFBIG: "文件超过系统允许的大小",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENFILE: "同时打开的文件过多",
    errno.EIO: "磁盘读写出错",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EINVAL: "名称含有系统不允许的字符",
    errno.EILSEQ: "名称含有无法识别的字符",
    errno.EEXIST: "已存在",
    errno.EXDEV: "不能跨磁盘移动",
    errno.ENOTEMPTY: "文件夹不是空的",
}


def os_reason(exc: BaseException) -> str:
    """A Chinese reason for an operating-system error (never its English strerror)."""
    if isinstance(exc, RecursionError) or (isinstance(exc, RuntimeError) and "loop" in str(exc).lower()):
        return OS_REASONS[errno.ELOOP]  # Path.resolve() on a symlink loop (Python < 3.13)
    code = getattr(exc, "errno", None)
    if code in OS_REASONS:
        return OS_REASONS[code]
    name = errno.errorcode.get(code, "") if code else type(exc).__name__
    return f"操作系统报错（{name}）"
