"""Which document a file is, and its reader: the file sniffer (workbook.py) hands over
every file that is a Word document, a web page, a PDF or an old format to convert.

| the file's content                          | read as                                              |
|---------------------------------------------|------------------------------------------------------|
| a zip with word/document.xml (.docx, .docm, .wps saved as docx) | docx.py                          |
| HTML (a saved page, Word's 网页/筛选过的网页, LibreOffice) | html.py                                  |
| a single-file web page (.mht, MIME)         | its HTML part, html.py                               |
| PDF with a text layer                       | pdf.py (ruled tables only); a scanned PDF: a message |
| .doc/.wps (OLE Word), RTF, .odt             | converted to .docx by LibreOffice (convert.py)       |

(WPS's .et files that are not .xls inside are converted to .xlsx by workbook.py.)
"""

from __future__ import annotations

import email
import email.policy

from ..findings import unreadable
from .grid import DocumentSource
from .package import Package, PackageError


def document_kind(data: bytes) -> str | None:
    """'html', 'pdf', 'rtf' or 'mht' for a file that is one (by its first bytes), else None."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    head = data[:4096].lower()
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"mime-version:") and b"text/html" in head:
        return "mht"
    low = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<html", b"<!doctype html")) or b"<html" in low:
        return "html"
    return None


def open_document(name: str, data: bytes, kind: str, package: Package | None = None):
    """A Source for a document: kind 'docx' (with its package), 'html', 'mht', 'pdf', or a
    format LibreOffice converts to .docx first ('doc', 'wps', 'rtf', 'odt')."""
    if kind == "docx":
        from .docx import read_flow

        assert package is not None
        return DocumentSource(name, "docx", read_flow(name, package))
    if kind == "html":
        from .html import read_flow

        return DocumentSource(name, "html", read_flow(name, data))
    if kind == "mht":
        from .html import read_flow

        return DocumentSource(name, "html", read_flow(name, _mht_html(name, data)))
    if kind == "pdf":
        from .pdf import read_flow

        return DocumentSource(name, "pdf", read_flow(name, data))
    from .convert import convert

    converted = convert(name, data, kind, "docx")
    try:
        package = Package(converted)
    except PackageError as exc:
        raise unreadable(name, str(exc)) from None
    if "word/document.xml" not in package:
        raise unreadable(name, "转换后不是 Word 文档，无法读取")
    source = open_document(name, converted, "docx", package)
    source.kind = "docx"
    return source


def _mht_html(name: str, data: bytes) -> bytes:
    """The HTML part of a single-file web page (Word's 「单个文件网页」)."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if charset and b"charset" not in payload[:4096].lower():
                payload = f'<meta charset="{charset}">'.encode("ascii") + payload
            return payload
    raise unreadable(name, "是单个文件网页（.mht），但其中没有网页内容")


__all__ = ["document_kind", "open_document"]
