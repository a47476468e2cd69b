"""Excel integration through xlwings: the 校验 button and worksheet functions.

- `validate_book(book)`: validate an open xlwings Book and write the results into it
  (cell fills, the 校验结果 sheet, the cover's status cell, an alert).
- `validate_caller()`: the same for the classic RunPython button (`xw.Book.caller()`).
- `validate_payload(payload)`: the same for a payload of xlwings' VBA client, through
  the remote engine; returns the actions for the client.
- `check_book(book)`: read and judge only.
- `publish_book(book)` / `publish_caller()`: the 生成报告 button — the validated workbook's
  Word document written next to it (publish.py).
- `xlsx_tools.excel.udfs`: the worksheet functions GK_FINDINGS and GK_RULE.

xlwings itself is imported only where it is needed.
"""

from .book import BookCheck, check_book, validate_book, validate_caller
from .publish import publish_book, publish_caller
from .remote import RemoteUnavailable, open_payload, validate_payload
from .source import BookSource

__all__ = [
    "BookCheck",
    "BookSource",
    "RemoteUnavailable",
    "check_book",
    "open_payload",
    "publish_book",
    "publish_caller",
    "validate_book",
    "validate_caller",
    "validate_payload",
]
