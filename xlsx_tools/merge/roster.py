"""The roster of agencies expected to submit (应报送单位名单): a CSV or workbook with
columns name, code (统一社会信用代码) and optionally parent, and how submissions are
matched to it (by code where both have one, else by name).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..check.rules import uscc_problem
from ..findings import ToolError
from ..values import normalise_text

NAME_HEADERS = ("单位名称", "单位", "名称", "机构名称", "部门名称", "部门", "name", "agency")
CODE_HEADERS = ("统一社会信用代码", "社会信用代码", "信用代码", "代码", "uscc", "code")
PARENT_HEADERS = ("上级单位/所属地区", "上级单位", "所属地区", "上级", "parent")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class RosterError(ToolError):
    """A roster that cannot be used (Chinese message)."""


@dataclass(frozen=True)
class Member:
    name: str
    code: str = ""
    parent: str = ""
    line: int = 0  # row in the roster file (1-based), for messages


@dataclass
class Roster:
    source: str
    members: list[Member] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Chinese, shown as warnings

    def __post_init__(self) -> None:
        self._by_code = {m.code: m for m in self.members if m.code}
        self._by_name = {name_key(m.name): m for m in self.members if m.name}

    def match(self, name: str, code: str) -> Member | None:
        """The member a submission stands for: same code, else same name."""
        if code and code in self._by_code:
            return self._by_code[code]
        return self._by_name.get(name_key(name)) if name else None


def name_key(name: str) -> str:
    """Names compare after NFKC, without spaces: 示例县 教育局 == 示例县教育局."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def code_key(code: object) -> str:
    return normalise_text(code).upper() if code not in (None, "") else ""


def load_roster(path: str | Path) -> Roster:
    """Read a roster file, or raise RosterError saying why not."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"名单文件 {path} 不存在")
    try:
        rows = _workbook_rows(path) if path.suffix.lower() in WORKBOOK_SUFFIXES else _csv_rows(path)
    except RosterError:
        raise
    except Exception as exc:  # noqa: BLE001  (a corrupt file of any kind: calamine raises several types)
        raise RosterError(f"名单文件 {path.name} 无法读取（{type(exc).__name__}）") from None
    return _parse(path.name, rows)


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"名单文件 {path.name} 的编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV）")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _workbook_rows(path: Path) -> list[list[str]]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise RosterError(f"名单文件 {path.name} 已加密，请取消密码后重试") from None
    sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=True)
    return [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for v in row] for row in sheet]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [name_key(h).lower() for h in header]
    for name in names:
        if name.lower() in keys:
            return keys.index(name.lower())
    return None


def _cell(row: list[str], col: int | None) -> str:
    return row[col] if col is not None and col < len(row) else ""


def _parse(source: str, rows: list[list[str]]) -> Roster:
    rows = [[normalise_text(c) for c in row] for row in rows]
    start = next((i for i, row in enumerate(rows) if any(row)), None)
    if start is None:
        raise RosterError(f"名单文件 {source} 是空的")
    header = rows[start]
    name_col = _column(header, NAME_HEADERS)
    if name_col is not None:
        code_col, parent_col = _column(header, CODE_HEADERS), _column(header, PARENT_HEADERS)
        start += 1
    else:  # no header row: name, code, parent by position
        name_col, code_col, parent_col = 0, 1, 2
    members: list[Member] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i in range(start, len(rows)):
        row = rows[i]
        name, code, parent = _cell(row, name_col), code_key(_cell(row, code_col)), _cell(row, parent_col)
        if not name and not code:
            continue
        line = i + 1
        if code and uscc_problem(code):
            problems.append(f"名单第 {line} 行「{name}」的统一社会信用代码 {code} {uscc_problem(code)}")
        key = code or name_key(name)
        if key in seen:
            problems.append(f"名单第 {line} 行「{name}」与第 {seen[key]} 行重复，已忽略")
            continue
        seen[key] = line
        members.append(Member(name, code, parent, line))
    if not members:
        raise RosterError(f"名单文件 {source} 中没有找到单位（第一行应为表头：单位名称、统一社会信用代码、上级单位）")
    return Roster(source, members, problems)
