"""Old and foreign formats (.doc, .wps, .rtf, .odt, WPS's .et) through headless LibreOffice,
when it is installed: into .docx or .xlsx, then read like any other.

The conversion runs in a private temporary folder (a copy of the input under a plain
name, LibreOffice's own user profile there too, so that no other LibreOffice instance or
profile is touched and macros never run), within a time limit; the folder is removed
afterwards. Without LibreOffice, a Chinese message says how to convert by hand.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..findings import os_reason, unreadable

TIME_LIMIT = 90  # seconds for one conversion (LibreOffice's first start in a new profile takes ~5 s)
ENV_SOFFICE = "XLSX_TOOLS_SOFFICE"  # the LibreOffice program to use, if not `soffice` on the PATH

HOW = {
    "docx": "请用 Word 或 WPS 文字打开后「另存为」Word 文档（.docx）再提交",
    "xlsx": "请用 WPS 表格或 Excel 打开后「另存为」Excel 工作簿（.xlsx）再提交",
}
WHAT = {
    "doc": "Word 97-2003 文档（.doc）",
    "wps": "WPS 文字文档（.wps）",
    "rtf": "RTF 文档",
    "odt": "ODF 文字文档（.odt）",
    "et": "WPS 表格文件（.et）",
}


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    given = os.environ.get(ENV_SOFFICE)
    if given:
        return given if shutil.which(given) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(name: str, data: bytes, source: str, target: str) -> bytes:
    """The document converted to `target` (docx or xlsx); raises ReadError saying why not."""
    what = WHAT.get(source, "文档")
    program = soffice()
    if program is None:
        raise unreadable(name, f"是{what}，需要先转换格式才能读取（本机未安装 LibreOffice，无法自动转换）：{HOW[target]}")
    with tempfile.TemporaryDirectory(prefix="xlsx-tools-convert-") as tmp:
        folder = Path(tmp)
        src = folder / f"input.{source}"
        src.write_bytes(data)
        out = folder / "out"
        command = soffice_command(program, folder / "profile", target, out, src)
        try:
            returncode = run_soffice(command)
        except subprocess.TimeoutExpired:
            raise unreadable(name, f"是{what}，用 LibreOffice 转换超过 {TIME_LIMIT} 秒仍未完成，已放弃：{HOW[target]}") from None
        except OSError as exc:
            raise unreadable(name, f"是{what}，无法启动 LibreOffice 转换（{os_reason(exc)}）：{HOW[target]}") from None
        produced = out / f"input.{target}"
        if returncode != 0 or not produced.is_file():
            raise unreadable(name, f"是{what}，LibreOffice 无法转换（文件可能已损坏或已加密）：{HOW[target]}")
        return produced.read_bytes()


def soffice_command(program: str, profile: Path, target: str, out: Path, src: Path) -> list[str]:
    """Headless LibreOffice converting `src` to `target` into the folder `out`, with its own
    user profile in `profile` (no other instance or profile touched, no macro run)."""
    return [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        str(src),
    ]


def run_soffice(command: list[str], timeout: float | None = None) -> int:
    """Run LibreOffice in its own process group; past the time limit the whole group is killed
    (soffice is a script that starts soffice.bin: killing the script alone would leave it running)."""
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return proc.wait(timeout=timeout or TIME_LIMIT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


__all__ = ["convert", "run_soffice", "soffice", "soffice_command", "TIME_LIMIT"]
