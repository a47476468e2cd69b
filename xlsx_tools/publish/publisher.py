"""`xlsx-tools publish`: validate a report, then write its document — or refuse.

1. The output is judged before anything is read (output.check_target): a known kind
   (.docx, .html/.htm, .pdf), not the input itself (same path, a link, a hard link),
   not an existing file without --force; for .pdf, LibreOffice must be installed.
2. The input is read as any report is: a workbook or document (read_report), or the
   interchange JSON (load_json). An unreadable file is a ToolError (its finding's message).
3. The report is judged by every rule of its form, with the local rules when given
   (check_report). With errors nothing is written (`Published.path` is None) unless
   `allow_errors`; warnings never stop it.
4. The document (model.py) is written atomically (output.write_atomic): a temporary file
   beside the output, renamed when complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..check import check_report
from ..check.local import LocalRules
from ..check.validate import Result
from ..output import check_target, write_atomic
from ..report import Report, load_json
from .model import Document, PublishError, build_document

KINDS = {".docx": "docx", ".html": "html", ".htm": "html", ".pdf": "pdf"}
KIND_NAMES = {"docx": "Word 文档", "html": "网页", "pdf": "PDF 文件"}


@dataclass
class Published:
    """What publishing did: the validation, and the document written (path None: refused)."""

    result: Result
    kind: str
    path: Path | None = None
    document: Document | None = None

    @property
    def written(self) -> bool:
        return self.path is not None


def output_kind(output: str | Path) -> str:
    kind = KINDS.get(Path(output).suffix.lower())
    if kind is None:
        raise PublishError(f"输出文件 {output} 的扩展名应为 .docx（Word 文档）、.html（网页）或 .pdf")
    return kind


def read_input(path: str | Path) -> Report:
    """The report in a workbook, a document or an interchange JSON file; raises ToolError."""
    if str(path).lower().endswith(".json"):
        return load_json(path)
    from ..read import read_report

    return read_report(path)


def write_document(doc: Document, kind: str, output: str | Path, force: bool = False, inputs=()) -> Path:
    """Write `doc` as `kind` to `output`, atomically."""
    if kind == "docx":
        from .word import write_docx

        return write_atomic(output, lambda tmp: write_docx(doc, tmp), force, inputs)
    if kind == "html":
        from .webpage import write_html

        return write_atomic(output, lambda tmp: write_html(doc, tmp), force, inputs)
    from .pdf import pdf_bytes

    data = pdf_bytes(doc)  # before the target is touched: a failed conversion leaves it as it was
    return write_atomic(output, lambda tmp: tmp.write_bytes(data), force, inputs)


def publish_report(
    report: Report,
    output: str | Path,
    force: bool = False,
    allow_errors: bool = False,
    rules: LocalRules | None = None,
    today: dt.date | None = None,
    inputs=(),
    shown: str | None = None,
    validated: Callable[[Result], None] | None = None,
) -> Published:
    """Validate `report` and write its document to `output` (see the module);
    `validated(result)` is told the validation before anything is written."""
    kind = output_kind(output)
    check_target(output, force, inputs)
    result = Result(shown or str(report.source or ""), report, check_report(report, today=today, rules=rules))
    if validated is not None:
        validated(result)
    if result.errors and not allow_errors:
        return Published(result, kind)
    doc = build_document(report, today=today)
    path = write_document(doc, kind, output, force, inputs)
    return Published(result, kind, path, doc)


def publish_file(
    path: str | Path,
    output: str | Path,
    force: bool = False,
    allow_errors: bool = False,
    rules: LocalRules | None = None,
    today: dt.date | None = None,
    validated: Callable[[Result], None] | None = None,
) -> Published:
    """`xlsx-tools publish FILE -o OUTPUT`: the report in `path`, validated, as a document."""
    from ..read.workbook import readable

    kind = output_kind(output)
    check_target(output, force, [path])
    if kind == "pdf":
        from .pdf import require_soffice

        require_soffice()
    report = read_input(path)
    return publish_report(report, output, force, allow_errors, rules, today, [path], readable(path), validated)


__all__ = ["KINDS", "KIND_NAMES", "Published", "output_kind", "publish_file", "publish_report", "read_input", "write_document"]
