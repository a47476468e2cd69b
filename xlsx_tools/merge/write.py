"""Writing a merge's outputs so that nothing half-written is ever left: each output
goes to a temporary file next to it and is renamed into place at the end; Ctrl-C,
a full disk or any error removes every temporary file and leaves existing files as
they were."""

from __future__ import annotations

import contextlib
import gc
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import os_reason
from ..output import OutputError, atomic_path, os_cause, sigint_deferred

if TYPE_CHECKING:
    from .core import Merged


def write_outputs(merged: Merged, output: str | Path, export: str | Path | None = None, force: bool = False) -> None:
    """Write the summary workbook (and the long table), each atomically: on any error
    or Ctrl-C nothing is left behind and existing files are untouched."""
    from ..build.template import build_workbook
    from . import book as mergebook
    from . import longtable

    if merged.summary is None:
        raise ValueError("nothing to write")
    stack = ExitStack()
    try:
        with sigint_deferred():
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xlsx-tools-merge-")))
            tmp_out = stack.enter_context(atomic_path(output, force))
            tmp_export = stack.enter_context(atomic_path(export, force)) if export else None
        if export:
            merged.export = str(export)
            longtable.export(tmp_export, merged.included, longtable.format_of(export), merged.options.spec)
        build_workbook(tmp_out, merged.summary, extra=mergebook.sheets(merged, work))
    except BaseException as exc:
        with sigint_deferred(), contextlib.suppress(BaseException):  # the original exception follows
            stack.__exit__(*sys.exc_info())  # removes the temporary files (and re-raises)
        cause = os_cause(exc)
        if cause is not None and not isinstance(exc, OutputError):
            _release_quietly(exc)
            raise WriteError(f"无法写入 {output}：{os_reason(cause)}；没有留下任何文件") from None
        raise
    with sigint_deferred():
        stack.close()  # each output renamed into place; the work folder removed


class WriteError(OutputError):
    """The outputs could not be written (Chinese message); nothing was left behind."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _release_quietly(exc: BaseException) -> None:
    """Free what a failed write still holds (XlsxWriter's half-written zip file), without
    the 'Exception ignored' trace its finaliser prints when the disk is full."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        for e in _chain(exc):
            e.__traceback__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook
