"""Test support for the web pages of `xlsx-tools serve`: the real server in a subprocess
(with its own temporary folder, to see that uploads leave nothing behind), the page's
token, and the upload body the pages send (xlsx_tools/server/upload.py)."""

from __future__ import annotations

import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
UNBALANCED = EXAMPLES / "05-自然资源局-结转不平衡.xlsx"
TYPICAL = EXAMPLES / "04-卫健局.xlsx"
UPLOAD = "application/x-gk-upload"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m xlsx_tools.cli serve …` in a subprocess with TMPDIR set to `tmp`."""

    def __init__(self, tmp: Path, *args: str, env: dict | None = None) -> None:
        self.tmp = Path(tmp)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "xlsx_tools.cli", "serve", "--port", str(self.port), *args]
        environ = {**os.environ, "TMPDIR": str(self.tmp), **(env or {})}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.proc.stdout.read().decode()
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("server did not start")

    def stop(self) -> str:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=30)
        return out.decode("utf-8", "replace")

    def token(self, page: str = "/") -> str:
        return page_token(self.url, page)

    def stored(self) -> list[Path]:
        """Every file under the server's temporary folders (uploads waiting or left behind)."""
        return [p for p in self.tmp.rglob("*") if p.is_file()]

    def post(self, path: str, files: list, options: dict | None = None, page: str = "/", headers: dict | None = None, timeout=120):
        """POST an upload as the page sends it: `files` are (name, bytes, role) or Paths (reports)."""
        h = {"Content-Type": UPLOAD, "X-GK-Token": self.token(page), "Origin": self.url, **(headers or {})}
        return httpx.post(self.url + path, content=body(files, options), headers=h, timeout=timeout)


def page_token(url: str, page: str = "/") -> str:
    """The token a page of the server at `url` sends with its uploads."""
    return re.search(r'name="gk-token" content="([^"]+)"', httpx.get(url + page).text).group(1)


def framed(listed: list[dict], options: dict | None = None) -> bytes:
    """The framing's head for a list of files as the page describes them."""
    head = json.dumps({"files": listed, "options": options or {}}, ensure_ascii=False).encode()
    return b"GKUP1" + struct.pack(">I", len(head)) + head


def entries(files: list) -> list[tuple[str, bytes, str]]:
    out = []
    for f in files:
        if isinstance(f, Path):
            out.append((f.name, f.read_bytes(), "report"))
        else:
            out.append(f)
    return out


def header(files: list, options: dict | None = None, modified: int = 1767225600000) -> bytes:
    """The framing's head: magic, length, JSON list of the files."""
    return framed([{"name": n, "size": len(d), "modified": modified, "role": r} for n, d, r in entries(files)], options)


def body(files: list, options: dict | None = None) -> bytes:
    return header(files, options) + b"".join(d for _, d, _ in entries(files))


def stream_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def merge_result(response) -> dict:
    lines = stream_lines(response.text)
    (result,) = [x["result"] for x in lines if "result" in x]
    return result


def read_response(s: socket.socket) -> tuple[bytes, dict, str]:
    """(status line, headers, body text) of one HTTP response on a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = s.recv(65536)
        assert part, data
        data += part
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {k.strip().lower().decode(): v.strip().decode("latin-1") for k, _, v in (line.partition(b":") for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(rest) < length:
        part = s.recv(65536)
        assert part, rest
        rest += part
    return lines[0], headers, rest.decode("utf-8")


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $XLSX_TOOLS_SCREENSHOTS when set (how docs/ gets its pictures), else the test's folder."""
    where = Path(os.environ.get("XLSX_TOOLS_SCREENSHOTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def expected_rows(path: Path) -> list[list[str]]:
    """The rows the agency page shows for a file: `xlsx-tools validate`'s findings, errors first,
    as the 校验结果 sheet words them (级别 规则 表 行 列 单元格 说明)."""
    from xlsx_tools.check import validate_file
    from xlsx_tools.excel.results import finding_row, ordered
    from xlsx_tools.form import current

    spec = current()
    return [
        [str("" if v is None else v) for i, v in enumerate(finding_row(spec, f)) if i in (0, 1, 2, 3, 4, 5, 8)]
        for f in ordered(validate_file(path).findings)
    ]
