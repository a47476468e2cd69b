"""xlwings' remote engine: a workbook arrives as the JSON payload of xlwings' VBA
client (`RunServerPython`), is opened with `xw.Book(json=payload)`, validated, and
answered with the list of actions the client replays (`book.json()`).

The remote engine is part of xlwings PRO (`xlwings/pro/_xlremote.py`), dual-licensed;
this project uses it under the PolyForm Noncommercial licence, which allows use by
government institutions, with the licence key `noncommercial`. xlwings reads the key
from the environment variable XLWINGS_LICENSE_KEY when it is first imported, so it is
set here before that import unless the caller set one. The classic RunPython button
and the worksheet functions do not use the remote engine and need no key.
"""

from __future__ import annotations

import datetime as dt
import os
import threading

from ..findings import ToolError

LICENCE_ENV = "XLWINGS_LICENSE_KEY"
LICENCE_KEY = "noncommercial"

# The remote engine keeps one "active book" per process (App.alert writes to it), so
# payloads are handled one at a time.
_LOCK = threading.Lock()


class RemoteUnavailable(ToolError):
    """xlwings was imported without a licence key, so its remote engine is missing."""


def remote_xlwings():
    """The xlwings module with its remote engine loaded."""
    os.environ.setdefault(LICENCE_ENV, LICENCE_KEY)
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        raise RemoteUnavailable(
            f"xlwings 的远程引擎未加载：请在启动 Python 之前设置环境变量 {LICENCE_ENV}={LICENCE_KEY}（xlwings 在首次导入时读取许可证）"
        )
    return xw


def open_payload(payload: dict):
    """`xw.Book(json=payload)`: the workbook as the VBA client sent it."""
    return remote_xlwings().Book(json=payload)


def validate_payload(payload: dict, today: dt.date | None = None, rules=None) -> dict:
    """Validate the workbook in `payload` (judged by local `rules`, check/local.py, when
    given); returns `{"actions": [...]}` for the client."""
    from .book import validate_book

    with _LOCK:
        book = open_payload(payload)
        try:
            validate_book(book, today, rules)
            return book.json()
        finally:
            book.close()
