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

NAME_HEADERS = (
    "单位名称", "单位全称", "机构名称", "部门名称", "机关名称", "报送单位", "单位", "名称", "部门", "name", "agency",
)  # fmt: skip
CODE_HEADERS = ("统一社会信用代码", "社会信用代码", "信用代码", "代码", "uscc", "code")
PARENT_HEADERS = ("上级单位/所属地区", "上级单位", "主管单位", "所属地区", "上级", "parent")
HEADER_ROWS = 20  # the header is looked for among the first rows (a title and notes may stand above it)
TITLE_WORDS = re.compile(r"名单|名录|一览表|清单|附件")  # a title row in a roster without a header row
SERIAL = re.compile(r"\d{1,5}|[(（]?\d{1,5}[)）.、．]?")  # 序号 values: 1, 12, (3), 4.
TOTAL = re.compile(r"(合计|小计|总计|共计|填表人|联系人|备注|说明)")  # rows below the list
CODE_SHAPE = re.compile(r"[0-9A-Z]{18}")
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
        sheets = _workbook_rows(path) if path.suffix.lower() in WORKBOOK_SUFFIXES else [_csv_rows(path)]
    except RosterError:
        raise
    except Exception as exc:  # noqa: BLE001  (a corrupt file of any kind: calamine raises several types)
        raise RosterError(f"名单文件 {path.name} 无法读取（{type(exc).__name__}）") from None
    return _parse(path.name, sheets)


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


def _workbook_rows(path: Path) -> list[list[list[str]]]:
    """Every sheet's rows (the roster is on the first sheet that has a header row)."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise RosterError(f"名单文件 {path.name} 已加密，请取消密码后重试") from None
    return [
        [[_text(v) for v in row] for row in book.get_sheet_by_index(i).to_python(skip_empty_area=True)]
        for i in range(len(book.sheet_names))
    ]


def _text(v: object) -> str:
    if v is None:
        return ""
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def header_key(text: str) -> str:
    """A header cell compared without spaces, case, a trailing colon or a parenthetical
    note: 「统一社会信用代码（18位）」 and 「单 位 名 称：」 are headers."""
    key = re.sub(r"[(（【\[][^)）】\]]*[)）】\]]", "", name_key(text)).rstrip(":：*").lower()
    return key


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [header_key(h) for h in header]
    for name in names:
        if name.lower() in keys:
            return keys.index(name.lower())
    return None


def _cell(row: list[str], col: int | None) -> str:
    return row[col] if col is not None and col < len(row) else ""


@dataclass(frozen=True)
class _Layout:
    first: int  # index of the first row that may be a member
    name: int
    code: int | None
    parent: int | None
    header: tuple[str, ...] = ()  # the header row itself (repeated header rows are skipped)


def _header_layout(rows: list[list[str]]) -> _Layout | None:
    """The header row among the first rows: one holding a name or code column header."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        name, code = _column(row, NAME_HEADERS), _column(row, CODE_HEADERS)
        if name is None and code is not None and sum(1 for c in row if c) >= 2:
            name = _column(row, ("单位", "名称"))  # tolerated only beside a code header
        if name is not None:
            return _Layout(i + 1, name, code, _column(row, PARENT_HEADERS), tuple(header_key(c) for c in row))
    return None


def _positional_layout(source: str, rows: list[list[str]]) -> _Layout:
    """A roster without a header row: skip a title row, a 序号 column and find the code column by its
    shape; refuse when the columns cannot be told apart."""
    first = 0
    while first < len(rows) and (not any(rows[first]) or _is_title(rows[first])):
        first += 1
    data = [row for row in rows[first:] if any(row)]
    width = max((len(row) for row in data), default=0)
    columns = [[_cell(row, c) for row in data] for c in range(width)]
    filled = [c for c in range(width) if any(columns[c])]
    serial = [c for c in filled if all(not v or SERIAL.fullmatch(v) for v in columns[c])]
    code = [c for c in filled if c not in serial and _mostly(columns[c], lambda v: CODE_SHAPE.fullmatch(v.upper()))]
    text = [c for c in filled if c not in serial and c not in code]
    if not text or len(text) > 2 or len(code) > 1:
        raise RosterError(
            f"名单文件 {source} 中没有找到表头行（前 {HEADER_ROWS} 行中应有一行写明「单位名称」，可另有「统一社会信用代码」「上级单位」列）"
        )
    return _Layout(first, text[0], code[0] if code else None, text[1] if len(text) > 1 else None)


def _is_title(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return len(cells) == 1 and bool(TITLE_WORDS.search(cells[0]))


def _mostly(values: list[str], test) -> bool:
    present = [v for v in values if v]
    return bool(present) and sum(1 for v in present if test(v)) * 5 >= len(present) * 4


def _sheet_roster(source: str, rows: list[list[str]], layout: _Layout) -> Roster:
    members: list[Member] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i in range(layout.first, len(rows)):
        row = rows[i]
        name, code = _cell(row, layout.name), code_key(_cell(row, layout.code))
        parent = _cell(row, layout.parent)
        if not name and not code:
            continue
        line = i + 1
        if layout.header and tuple(header_key(c) for c in row) == layout.header:
            continue  # the header repeated (a roster printed over several pages)
        if name and not code and (SERIAL.fullmatch(name) or TOTAL.match(name)):
            problems.append(f"名单第 {line} 行的「{name}」不是单位名称，已忽略")
            continue
        if code and uscc_problem(code):
            problems.append(f"名单第 {line} 行「{name}」的统一社会信用代码 {code} {uscc_problem(code)}")
        key = code or name_key(name)
        if key in seen:
            problems.append(f"名单第 {line} 行「{name}」与第 {seen[key]} 行重复，已忽略")
            continue
        seen[key] = line
        members.append(Member(name, code, parent, line))
    if not members:
        raise RosterError(f"名单文件 {source} 中没有找到单位（表头行应写明：单位名称、统一社会信用代码、上级单位）")
    return Roster(source, members, problems)


def _parse(source: str, sheets: list[list[list[str]]]) -> Roster:
    """The roster on the first sheet with a header row (a first sheet of notes is passed over);
    without one anywhere, the first sheet read by position."""
    sheets = [[[normalise_text(c) for c in row] for row in rows] for rows in sheets]
    sheets = [rows for rows in sheets if any(any(row) for row in rows)]
    if not sheets:
        raise RosterError(f"名单文件 {source} 是空的")
    for rows in sheets:
        if layout := _header_layout(rows):
            return _sheet_roster(source, rows, layout)
    return _sheet_roster(source, sheets[0], _positional_layout(source, sheets[0]))
