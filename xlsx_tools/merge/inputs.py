"""Which files a merge reads: files and folders (recursively) in, reports out — workbooks,
and the Word documents, web pages and PDF files reports are submitted and published as.

Office lock files (~$…), hidden files and folders, files that are not workbooks by
their extension, and the merge's own output files are skipped and listed with a
reason, never fatal. A workbook's content is judged later, by the reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ToolError, os_reason
from ..read.workbook import readable as shown_path

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
# reports as they are submitted and published (read/documents.py): Word, web pages, PDF, and
# formats converted by LibreOffice when it is installed
DOCUMENT_SUFFIXES = frozenset({".docx", ".docm", ".doc", ".wps", ".rtf", ".odt", ".html", ".htm", ".mht", ".mhtml", ".pdf", ".et"})


class InputError(ToolError):
    """An input path that does not exist (Chinese message)."""


@dataclass(frozen=True)
class Skipped:
    """A file (or hidden folder) that is not read, and why."""

    shown: str
    reason: str
    size: int | None = None
    lost: bool = False  # could not be looked at (a folder the system refused): never "all counted"


@dataclass
class Inputs:
    files: list[tuple[Path, str]] = field(default_factory=list)  # (path, how it is shown)
    skipped: list[Skipped] = field(default_factory=list)


def skip_reason(path: Path) -> str | None:
    """Why a file is not read as a submission, or None if it is a workbook to read."""
    name = path.name
    if name.startswith("~$"):
        return "Office 临时锁定文件（~$ 开头，工作簿正被打开时产生），不是报告"
    if name.startswith("."):
        return "隐藏文件"
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES and suffix not in DOCUMENT_SUFFIXES:
        return f"不是工作簿（{suffix or '无扩展名'}）"
    return None


def _is_hidden_dir(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def collect(paths: list[str | Path], exclude: set[Path] | None = None) -> Inputs:
    """The workbooks under `paths` in a stable order, and what was skipped.

    `exclude` holds resolved paths that must never be read (the merge's outputs)."""
    exclude = exclude or set()
    out = Inputs()
    seen: set[Path] = set()

    def consider(path: Path, shown: str) -> None:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            real = path.absolute()
        if real in seen:
            return
        seen.add(real)
        size = _size(path)
        if real in exclude:
            out.skipped.append(Skipped(shown, "本次汇总的输出文件", size))
            return
        reason = skip_reason(path)
        if reason:
            out.skipped.append(Skipped(shown, reason, size))
        else:
            out.files.append((path, shown))

    def unreadable(err: OSError) -> None:
        where = shown_path(Path(err.filename)) + os.sep if err.filename else ""
        out.skipped.append(Skipped(where, f"无法打开文件夹（{os_reason(err)}），其中的文件未读取", lost=True))

    for given in paths:
        path = Path(given)
        try:
            os.stat(path)
        except FileNotFoundError:
            raise InputError(f"输入 {shown_path(path)} 不存在") from None
        except OSError as exc:
            raise InputError(f"输入 {shown_path(path)} 无法打开：{os_reason(exc)}") from None
        if path.is_dir():
            walked = {os.path.realpath(path)}
            for root, dirs, files in os.walk(path, onerror=unreadable, followlinks=True):
                hidden = sorted(d for d in dirs if _is_hidden_dir(d))
                for d in hidden:
                    if d != "__pycache__":
                        out.skipped.append(Skipped(shown_path(Path(root) / d) + os.sep, "隐藏文件夹，未读取其中的文件"))
                keep = []
                for d in sorted(d for d in dirs if not _is_hidden_dir(d)):
                    real = os.path.realpath(os.path.join(root, d))
                    if real not in walked:  # a linked folder is read once, and links cannot loop
                        walked.add(real)
                        keep.append(d)
                dirs[:] = keep
                for name in sorted(files):
                    p = Path(root) / name
                    consider(p, shown_path(p))
        elif path.exists():
            consider(path, shown_path(path))
        else:
            raise InputError(f"输入 {shown_path(path)} 不存在")
    return out


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
