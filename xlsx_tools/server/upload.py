"""Files uploaded from the web page, received in the front process: who may send them,
how many, how large, how fast, and where they wait while a validator reads them.

The page sends one request body in a small framing of its own (content type
`application/x-gk-upload`), not a browser form:

    b"GKUP1" | header length (4 bytes, big-endian) | header (JSON, UTF-8) | the files' bytes, one after another

with the header `{"files": [{"name", "size", "modified", "role"}, …], "options": {…}}`.
Every limit is judged from the header before a byte of any file is read (too many
files, a file too large, sizes that do not add up to Content-Length); the files are
then streamed to disk, each counted against its declared size, the whole body against
a time limit. A browser form cannot produce this content type, and a page of another
site cannot send it (or the custom headers below) without a CORS preflight that this
server never grants.

Checks on every upload, in order, each refusing with a status and a Chinese sentence
(`Refusal`): the request comes from this server's own page (`Origin` and
`Sec-Fetch-Site` when the browser sends them; the page's token in `X-GK-Token`, compared
in constant time), the secret (`Authorization`, constant time), the content type, the
declared length, the header, the bytes as they arrive, the time.

Uploaded names are never used as paths: file i is stored as `dir/fNNNNN.ext`, where
`ext` is the upload's extension if it is short and alphanumeric (the reader tells a
file by its bytes, but some messages name the kind by extension); the name is shown
to people only. The folder is private (0700) and the caller removes it after the
answer (`Upload.remove`).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .checks import Refusal, secret_matches

MAGIC = b"GKUP1"
CONTENT_TYPE = "application/x-gk-upload"
MAX_HEADER_BYTES = 1024 * 1024  # 2,000 files with long names need ~300 KB
ROLES = ("report", "previous", "roster", "summary")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 255  # characters of a shown name (with its folders)


@dataclass(frozen=True)
class Limits:
    file_bytes: int  # one file
    total_bytes: int  # the whole body
    files: int  # files in one request
    seconds: float  # to receive the whole body
    roles: dict[str, tuple[int, int]]  # role -> (at least, at most)


@dataclass
class Stored:
    path: str
    name: str  # as the person's computer named it (with folders for a folder upload)
    size: int
    modified: float | None  # seconds since the epoch, from the browser
    role: str

    def as_job(self) -> dict:
        return {"path": self.path, "name": self.name, "size": self.size, "modified": self.modified, "role": self.role}


@dataclass
class Upload:
    folder: Path
    files: list[Stored] = field(default_factory=list)
    options: dict = field(default_factory=dict)

    def of(self, role: str) -> list[Stored]:
        return [f for f in self.files if f.role == role]

    def as_job(self) -> dict:
        return {"folder": str(self.folder), "files": [f.as_job() for f in self.files], "options": self.options}

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# ---- who may upload -------------------------------------------------------------------


OTHER_SITE = "请求来自其他网站的页面（{origin}），已拒绝。请直接在浏览器中打开本服务器的校验页面上传文件。"
STALE_PAGE = "页面已过期，或请求不是从本服务器的页面发出的。请刷新页面（按 F5）后重试。"
NO_SECRET = "此服务器需要访问密钥：请在页面上方填写县政务公开办提供的访问密钥。"
WRONG_SECRET = "访问密钥不正确，未处理。请核对县政务公开办提供的访问密钥后重试。"
WRONG_TYPE = "请求的格式不对，未处理：请在本服务器的校验页面中选择文件上传（浏览器表单或其他程序直接提交的内容不受理）。"


def own_origin_ok(headers) -> str | None:
    """None when the request comes from a page of this server, else the other origin."""
    site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    if site is not None and site not in ("same-origin", "none"):
        return origin or site
    if origin is None:
        return None  # not a browser's cross-site request (those always carry Origin on POST)
    if origin == "null":
        return origin
    netloc = urlsplit(origin).netloc.lower()
    hosts = {h.strip().lower() for h in (headers.get("host", ""), *headers.get("x-forwarded-host", "").split(",")) if h.strip()}
    return None if netloc in hosts else origin


def check_sender(headers, token: str, secret: str | None) -> None:
    """The page's origin and token, then the secret (each a Refusal)."""
    other = own_origin_ok(headers)
    if other is not None:
        raise Refusal(403, OTHER_SITE.format(origin=other))
    if not secret_matches(headers.get("x-gk-token"), token):
        raise Refusal(403, STALE_PAGE)
    if secret:
        given = headers.get("authorization")
        if not given:
            raise Refusal(401, NO_SECRET)
        if not secret_matches(given, secret):
            raise Refusal(401, WRONG_SECRET)


# ---- how much -----------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def file_too_large(name: str, size: int, limit: int) -> Refusal:
    return Refusal(
        413,
        f"文件「{name}」有 {_mb(size)}，超过服务器对单个文件的上限（{_mb(limit)}），未处理。"
        "请删除与年度报告无关的工作表或图片后再试，或请管理员调高上限（xlsx-tools serve --max-mb）。",
    )


def body_too_large(limit: int) -> Refusal:
    return Refusal(
        413, f"上传的文件合计超过服务器的上限（{_mb(limit)}），未处理。请分批上传，或请管理员调高上限（xlsx-tools serve --max-total-mb）。"
    )


def too_many(count: int, limit: int) -> Refusal:
    return Refusal(
        413, f"一次最多上传 {limit} 个文件，本次有 {count} 个，未处理。请分批上传，或请管理员调高上限（xlsx-tools serve --max-files）。"
    )


def timed_out(seconds: float) -> Refusal:
    return Refusal(408, f"上传超时：{seconds:.0f} 秒内没有收完文件，已停止接收，未处理。请检查网络后重试；文件很多时请分批上传。")


def _bad(detail: str) -> Refusal:
    return Refusal(400, f"上传的内容不完整或格式有误（{detail}），未处理。请刷新页面后重新选择文件。")


def shown_name(raw: object) -> str:
    """A name as the page sent it, fit to be shown (never used as a path)."""
    text = _CONTROL.sub("", raw if isinstance(raw, str) else "").replace("\\", "/").strip().lstrip("/")
    return (text[:MAX_NAME] or "未命名文件").strip()


def _header(raw: bytes, limits: Limits, declared: int | None) -> tuple[list[dict], dict]:
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError):
        raise _bad("文件清单不是有效的 JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("files"), list):
        raise _bad("没有文件清单")
    files = header["files"]
    if len(files) > limits.files:
        raise too_many(len(files), limits.roles.get("report", (0, limits.files))[1])
    options = header.get("options", {})
    if not isinstance(options, dict):
        raise _bad("选项无效")
    out, total = [], 0
    for entry in files:
        if not isinstance(entry, dict):
            raise _bad("文件清单有误")
        size, role, modified = entry.get("size"), entry.get("role", "report"), entry.get("modified")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _bad("文件大小无效")
        if role not in limits.roles:
            raise _bad(f"文件用途 {str(role)[:20]} 无效")
        name = shown_name(entry.get("name"))
        if size > limits.file_bytes:
            raise file_too_large(name, size, limits.file_bytes)
        if not (isinstance(modified, (int, float)) and not isinstance(modified, bool) and 0 < modified < 1e14):
            modified = None
        out.append({"name": name, "size": size, "role": role, "modified": modified / 1000 if modified else None})
        total += size
    for role, (least, most) in limits.roles.items():
        n = sum(1 for e in out if e["role"] == role)
        if n < least:
            raise Refusal(400, "没有选择要处理的文件。" if role == "report" else f"缺少必需的文件（{role}）。")
        if n > most:
            raise _bad(f"{role} 文件多于 {most} 个")
    if total + len(MAGIC) + 4 + len(raw) > limits.total_bytes:
        raise body_too_large(limits.total_bytes)
    if declared is not None and declared != total + len(MAGIC) + 4 + len(raw):
        raise _bad("文件大小与请求长度不符")
    return out, options


class _Body:
    """The request body as it arrives, in exact amounts."""

    def __init__(self, stream, limit: int):
        self.stream = stream.__aiter__()
        self.buffer = bytearray()
        self.received = 0
        self.limit = limit

    async def _more(self) -> bool:
        try:
            chunk = await self.stream.__anext__()
        except StopAsyncIteration:
            return False
        self.received += len(chunk)
        if self.received > self.limit:
            raise body_too_large(self.limit)
        self.buffer += chunk
        return True

    async def exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not await self._more():
                raise _bad("内容提前结束")
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    async def copy_to(self, fh, n: int) -> None:
        while n:
            if not self.buffer and not await self._more():
                raise _bad("内容提前结束")
            piece = self.buffer[:n]
            fh.write(piece)
            n -= len(piece)
            del self.buffer[: len(piece)]

    async def at_end(self) -> bool:
        while not self.buffer:
            if not await self._more():
                return True
        return False


def new_folder(base: str | None) -> Path:
    return Path(tempfile.mkdtemp(prefix="u", dir=base))  # 0700


async def receive(request, limits: Limits, base: str | None) -> Upload:
    """The files of an upload, stored in a new private folder under `base` (a Refusal when
    the request breaks a limit; nothing is left on disk then)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != CONTENT_TYPE:
        raise Refusal(415, WRONG_TYPE)
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared = int(declared)
        except ValueError:
            raise Refusal(400, "请求的 Content-Length 无效。") from None
        if declared > limits.total_bytes:
            raise body_too_large(limits.total_bytes)
    upload = Upload(new_folder(base))
    try:
        async with asyncio.timeout(limits.seconds):
            await _receive(request, limits, declared, upload)
    except TimeoutError:
        upload.remove()
        raise timed_out(limits.seconds) from None
    except BaseException:
        upload.remove()
        raise
    return upload


async def _receive(request, limits: Limits, declared: int | None, upload: Upload) -> None:
    body = _Body(request.stream(), limits.total_bytes)
    if await body.exactly(len(MAGIC)) != MAGIC:
        raise Refusal(415, WRONG_TYPE)
    (length,) = struct.unpack(">I", await body.exactly(4))
    if length > MAX_HEADER_BYTES:
        most = limits.roles.get("report", (0, limits.files))[1]
        raise Refusal(413, f"文件清单过长（文件过多或文件名过长），未处理。一次最多上传 {most} 个文件，请分批上传。")
    entries, upload.options = _header(await body.exactly(length), limits, declared)
    for i, entry in enumerate(entries, start=1):
        m = _EXTENSION.search(entry["name"])
        path = upload.folder / f"f{i:05d}{('.' + m.group(1).lower()) if m else ''}"
        with open(path, "xb") as fh:
            await body.copy_to(fh, entry["size"])
        if entry["modified"]:
            os.utime(path, (time.time(), entry["modified"]))
        upload.files.append(Stored(str(path), entry["name"], entry["size"], entry["modified"], entry["role"]))
    if not await body.at_end():
        raise _bad("文件之后还有多余的内容")


__all__ = [
    "CONTENT_TYPE",
    "MAGIC",
    "Limits",
    "Stored",
    "Upload",
    "check_sender",
    "file_too_large",
    "own_origin_ok",
    "receive",
    "shown_name",
    "timed_out",
]
