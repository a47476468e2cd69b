"""What a request to the 校验 server must be, and how it is refused otherwise.

Each check raises `Refusal(status, message)`: the HTTP status and a short Chinese
sentence that xlwings' VBA client shows verbatim in a message box (it displays the
body of any non-200 answer). Nothing here imports a web framework or xlwings.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache

from ..findings import ToolError

CELL_TYPES = frozenset((str, int, float, bool, type(None)))  # what json.loads makes of a cell


class Refusal(ToolError):
    """A request the server answers with `status` and a Chinese sentence for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@lru_cache(maxsize=1)
def xlwings_version() -> str:
    """The installed xlwings (reading package metadata costs ~0.3 ms: once per process)."""
    from importlib.metadata import version

    return version("xlwings")


def secret_problem(secret: str) -> str | None:
    """Why `secret` cannot be the shared secret (it travels as an HTTP header), or None."""
    if not (secret.isascii() and secret.isprintable() and secret == secret.strip() and len(secret) >= 8):
        return "访问密钥须为至少 8 个字符的英文字母、数字或符号（HTTP 头只能传送 ASCII），首尾不能有空格。"
    return None


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def secret_matches(given: str | None, secret: str) -> bool:
    """Whether `given` equals `secret`, in time independent of both (digests of equal
    length compared in constant time)."""
    return given is not None and hmac.compare_digest(_digest(given), _digest(secret))


def check_auth(header: str | None, secret: str | None) -> None:
    """The `Authorization` header must equal the shared secret. Digests of equal length
    are compared in constant time, so the answer's timing tells nothing about the secret."""
    if not secret:
        return
    if header is None:
        raise Refusal(401, "校验服务器拒绝了请求：此工作簿没有访问密钥（xlwings.conf 工作表中的 AUTH）。请向县政务公开办索取最新的模板。")
    if not secret_matches(header, secret):
        raise Refusal(401, "校验服务器拒绝了请求：访问密钥（xlwings.conf 工作表中的 AUTH）不正确。请向县政务公开办索取最新的模板。")


def too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        f"工作簿数据超过校验服务器的上限（{limit / 1024 / 1024:.1f} MB），未校验。"
        "请删除与年度报告无关的工作表或大段内容后再试，或请管理员调高上限（xlsx-tools serve --max-mb）。",
    )


def declared_length(header: str | None, limit: int) -> None:
    """Refuse before reading anything when Content-Length already exceeds `limit`."""
    if header is None:
        return
    try:
        size = int(header)
    except ValueError:
        raise Refusal(400, "请求的 Content-Length 无效。") from None
    if size > limit:
        raise too_large(limit)


def parse_payload(body: bytes) -> dict:
    """The JSON of the body, checked to have the shape xlwings' client sends (400 otherwise)."""
    if not body:
        raise Refusal(400, "请求中没有工作簿数据。请在 Excel 中点击「校验」按钮发送工作簿。")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # invalid UTF-8 or JSON, absurd nesting
        raise Refusal(400, "请求内容不是有效的 JSON，无法校验。请在 Excel 中点击「校验」按钮发送工作簿。") from None
    problem = shape_problem(payload)
    if problem:
        raise Refusal(400, f"请求内容不是 xlwings 发送的工作簿数据（{problem}），无法校验。")
    return payload


def shape_problem(payload: object) -> str | None:
    """What is wrong with the payload's shape, or None: the keys and types that
    `xw.Book(json=...)` and `validate_book` rely on, every cell a scalar, rows rectangular."""
    if not isinstance(payload, dict):
        return "不是 JSON 对象"
    for key in ("client", "version"):
        if not isinstance(payload.get(key), str):
            return f"缺少 {key}"
    book = payload.get("book")
    if not isinstance(book, dict) or not isinstance(book.get("name"), str):
        return "缺少 book.name"
    if not isinstance(book.get("active_sheet_index", 0), int):
        return "book.active_sheet_index 不是整数"
    sheets = payload.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        return "缺少 sheets"
    for i, sheet in enumerate(sheets):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
            return f"sheets[{i}] 缺少 name"
        values = sheet.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            return f"工作表「{sheet['name']}」的 values 不是二维数组"
        if len({len(row) for row in values}) > 1:
            return f"工作表「{sheet['name']}」的各行长度不一致"
        if not all(set(map(type, row)) <= CELL_TYPES for row in values):
            return f"工作表「{sheet['name']}」含有非单元格值"
        for key in ("pictures", "tables"):
            if not isinstance(sheet.get(key, []), list):
                return f"工作表「{sheet['name']}」的 {key} 不是数组"
    names = payload.get("names", [])
    if not isinstance(names, list):
        return "names 不是数组"
    for name in names:
        if not (
            isinstance(name, dict)
            and isinstance(name.get("name"), str)
            and isinstance(name.get("address"), str)
            and isinstance(name.get("sheet_index"), int)
            and 0 <= name["sheet_index"] < len(sheets)
        ):
            return "names 中有无效的名称"
    return None


def check_version(payload: dict) -> None:
    """The remote engine only serves its own xlwings version (400 otherwise)."""
    client, server = payload["version"], xlwings_version()
    if client != server:
        raise Refusal(
            400,
            f"工作簿「{payload['book']['name']}」中的 xlwings 宏版本为 {client}，校验服务器使用 xlwings {server}，两者必须一致。"
            f"请向县政务公开办索取用 xlwings {server} 生成的新模板（xlsx-tools build-xlsm），"
            f"或由管理员在服务器上安装 xlwings {client}（pip install xlwings=={client}）。",
        )


__all__ = [
    "Refusal",
    "check_auth",
    "secret_matches",
    "check_version",
    "declared_length",
    "parse_payload",
    "secret_problem",
    "shape_problem",
    "too_large",
]
