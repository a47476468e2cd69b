"""The published report as PDF: its .docx, printed by headless LibreOffice when installed.

The conversion runs as the readers' conversions do (read/convert.py): a private temporary
folder, LibreOffice's own user profile there, a time limit after which its whole process
group is killed. Without LibreOffice a Chinese message says how to make the PDF by hand.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ..read.convert import TIME_LIMIT, run_soffice, soffice, soffice_command
from .model import Document, PublishError
from .word import write_docx

BY_HAND = "请改为生成 Word 文档（-o 报告.docx），用 Word 或 WPS 打开后「另存为」PDF"


def require_soffice() -> str:
    """The LibreOffice program, or a PublishError saying what to do instead."""
    program = soffice()
    if program is None:
        raise PublishError(f"生成 PDF 需要 LibreOffice，本机未安装（或找不到 soffice）：{BY_HAND}")
    return program


def pdf_bytes(doc: Document, timeout: float | None = None) -> bytes:
    """The document as PDF, printed by LibreOffice from its .docx."""
    program = require_soffice()
    limit = timeout or TIME_LIMIT
    with tempfile.TemporaryDirectory(prefix="xlsx-tools-publish-") as tmp:
        folder = Path(tmp)
        src = folder / "report.docx"
        write_docx(doc, src)
        out = folder / "out"
        try:
            returncode = run_soffice(soffice_command(program, folder / "profile", "pdf", out, src), limit)
        except subprocess.TimeoutExpired:
            raise PublishError(f"用 LibreOffice 生成 PDF 超过 {limit:g} 秒仍未完成，已放弃：{BY_HAND}") from None
        except OSError as exc:
            raise PublishError(f"无法启动 LibreOffice 生成 PDF（{exc.strerror or type(exc).__name__}）：{BY_HAND}") from None
        produced = out / "report.pdf"
        if returncode != 0 or not produced.is_file():
            raise PublishError(f"LibreOffice 未能生成 PDF（退出码 {returncode}）：{BY_HAND}")
        return produced.read_bytes()


__all__ = ["pdf_bytes", "require_soffice"]
