"""Writing output files: atomically, never over an existing file unless asked; and
holding Ctrl-C back over the few steps that must not be cut in half."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .findings import ToolError, os_reason


class OutputError(ToolError):
    """An output that cannot or may not be written (Chinese message)."""


def same_file(a: str | Path, b: str | Path) -> bool:
    """The same file: the same path, a link to it, or a hard link of it."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): compare where the paths lead
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, RuntimeError):
            return False


def check_target(path: str | Path, force: bool, inputs: Iterable[str | Path] = ()) -> Path:
    """Refuse (OutputError) an output that may not be written: a folder, an existing file
    without --force, a missing folder, a name the system refuses, or — even with --force —
    one of the inputs."""
    path = Path(path)
    for given in inputs:
        if same_file(path, given):
            raise OutputError(f"输出文件 {path} 就是输入文件 {given}（同一个文件），不能覆盖；请另取一个输出文件名")
    try:
        if path.is_dir():
            raise OutputError(f"输出路径 {path} 是文件夹，请给出文件名")
        if path.exists() and not force:
            raise OutputError(f"输出文件 {path} 已存在；如需覆盖请加 --force")
        if not path.parent.is_dir():
            raise OutputError(f"输出文件夹 {path.parent} 不存在")
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{os_reason(exc)}") from None
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success it replaces `path` in one step.
    On any error or Ctrl-C the temporary file is removed and `path` is untouched."""
    path = check_target(path, force, inputs)
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
        yield Path(tmp)
        if path.exists() and not force:  # appeared meanwhile
            raise OutputError(f"输出文件 {path} 已存在；如需覆盖请加 --force")
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp:
            with contextlib.suppress(OSError):
                Path(tmp).unlink(missing_ok=True)
        cause = os_cause(exc)
        if cause is not None and not isinstance(exc, OutputError):
            raise OutputError(f"无法写入 {path}：{os_reason(cause)}；没有留下任何文件") from None
        raise


def os_cause(exc: BaseException) -> OSError | None:
    """The operating-system error behind `exc` (itself, or one it was raised from: XlsxWriter
    wraps a full disk in its own FileCreateError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def write_atomic(path: str | Path, writer: Callable[[Path], None], force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    with atomic_path(path, force, inputs) as tmp:
        writer(tmp)
    return Path(path)


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """A Ctrl-C that arrives inside the block takes effect when the block ends: no temporary
    file exists without being registered for removal (or is left half-removed), no worker
    process is interrupted while being forked. Without POSIX signal masks (Windows), or
    outside the main thread, the block is unprotected."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
