"""The publishable report: the validated report as the national format's document.

- `model.py`: the document from a Report and its form (title, six parts, tables,
  signature, fingerprint, what is added to the text); `tables.py`: the statutory tables
  with their merged cells, from the form's header trees; `style.py`: page and type;
- writers: `word.py` (.docx, python-docx), `webpage.py` (one self-contained .html),
  `pdf.py` (the .docx printed by headless LibreOffice);
- `publisher.py`: `xlsx-tools publish` — validate, refuse or write atomically.

Above build/ and merge/ (a summary publishes as any report), below the faces (cli,
excel's 生成报告 button, the server's downloads).
"""

from .model import Document, PublishError, build_document
from .publisher import KIND_NAMES, Published, output_kind, publish_file, publish_report, read_input, write_document

__all__ = [
    "KIND_NAMES",
    "Document",
    "PublishError",
    "Published",
    "build_document",
    "output_kind",
    "publish_file",
    "publish_report",
    "read_input",
    "write_document",
]
