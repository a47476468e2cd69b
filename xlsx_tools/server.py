"""`xlsx-tools serve`: the 校验 button's server, for PCs with Excel but without Python.

With GK_SERVER_URL set in a workbook's xlwings.conf sheet, the button posts the
workbook to that URL with xlwings' `RunServerPython` (module Remote of the .xlsm):
`POST <url>`, `Content-Type: application/json`, the header `Authorization: <AUTH>`
when the sheet (or the user's xlwings.conf) has an AUTH key, and a JSON body with the
client and xlwings version, the book, its names and every sheet's values. A 200 answer
must be `{"actions": [...]}`, which the client replays; for any other status it shows
the response body verbatim in a message box (UTF-8 decoded). So every refusal here
is a short plain-text Chinese sentence, and no response ever carries a traceback.

Routes: `POST /validate` (also `POST /`, so a server URL without a path works) and
`GET /health`. The body is read with a size limit enforced while it arrives
(413), then checked to be a payload of xlwings' client of the same xlwings version
(400), then validated by `xlsx_tools.excel.validate_payload` in a worker thread.

Concurrency: xlwings' remote engine keeps one active book per process, so
`validate_payload` handles one payload at a time per process (its lock; here also a
capacity limiter of one thread, so waiting requests queue in the event loop rather
than in blocked threads). Validation is pure Python and holds the GIL, so throughput
scales with processes: `--workers N` runs N uvicorn worker processes on one socket
(benchmarks/bench_serve.py measures 1 and 2 on this machine). Worker processes get
their settings through environment variables (`app_from_env`).

The xlwings licence key: the remote engine needs XLWINGS_LICENSE_KEY, which xlwings
reads once, at its first import, so it is set here at import time, before anything
can import xlwings (see xlsx_tools/excel/remote.py for the licence itself).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import os
import socket
import time
import uuid
from contextlib import asynccontextmanager
from functools import lru_cache

from .excel.remote import LICENCE_ENV, LICENCE_KEY

os.environ.setdefault(LICENCE_ENV, LICENCE_KEY)

AUTH_ENV = "GK_SERVER_AUTH"  # the shared secret; also how worker processes receive it
MAX_BYTES_ENV = "GK_SERVER_MAX_BYTES"
DEFAULT_MAX_MB = 4  # a filled template sends ~75 KB
PATHS = ("/validate", "/")
CELL_TYPES = frozenset((str, int, float, bool, type(None)))  # what json.loads makes of a cell

log = logging.getLogger("xlsx_tools.server")


class Refusal(Exception):
    """A request the server answers with `status` and a Chinese sentence for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ServeError(Exception):
    """The server cannot start (Chinese message)."""


@lru_cache(maxsize=1)
def xlwings_version() -> str:
    """The installed xlwings (reading package metadata costs ~0.3 ms: once per process)."""
    from importlib.metadata import version

    return version("xlwings")


# -- checks on a request -------------------------------------------------------------


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def check_auth(header: str | None, secret: str | None) -> None:
    """The `Authorization` header must equal the shared secret (constant-time compare)."""
    if not secret:
        return
    if header is None:
        raise Refusal(401, "校验服务器拒绝了请求：此工作簿没有访问密钥（xlwings.conf 工作表中的 AUTH）。请向县政务公开办索取最新的模板。")
    if not hmac.compare_digest(_digest(header), _digest(secret)):
        raise Refusal(401, "校验服务器拒绝了请求：访问密钥（xlwings.conf 工作表中的 AUTH）不正确。请向县政务公开办索取最新的模板。")


def _too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        f"工作簿数据超过校验服务器的上限（{limit / 1024 / 1024:.1f} MB），未校验。"
        "请删除与年度报告无关的工作表或大段内容后再试，或请管理员调高上限（xlsx-tools serve --max-mb）。",
    )


async def read_body(request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` bytes:
    from Content-Length before reading anything, else while the chunks arrive."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise Refusal(400, "请求的 Content-Length 无效。") from None
        if size > limit:
            raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_payload(body: bytes) -> dict:
    """The JSON of the body, checked to have the shape xlwings' client sends (400 otherwise)."""
    if not body:
        raise Refusal(400, "请求中没有工作簿数据。请在 Excel 中点击「校验」按钮发送工作簿。")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # invalid UTF-8 or JSON, absurd nesting
        raise Refusal(400, "请求内容不是有效的 JSON，无法校验。请在 Excel 中点击「校验」按钮发送工作簿。") from None
    problem = shape_problem(payload)
    if problem:
        raise Refusal(400, f"请求内容不是 xlwings 发送的工作簿数据（{problem}），无法校验。")
    return payload


def shape_problem(payload: object) -> str | None:
    """What is wrong with the payload's shape, or None: the keys and types that
    `xw.Book(json=...)` and `validate_book` rely on, every cell a scalar."""
    if not isinstance(payload, dict):
        return "不是 JSON 对象"
    for key in ("client", "version"):
        if not isinstance(payload.get(key), str):
            return f"缺少 {key}"
    book = payload.get("book")
    if not isinstance(book, dict) or not isinstance(book.get("name"), str):
        return "缺少 book.name"
    if not isinstance(book.get("active_sheet_index", 0), int):
        return "book.active_sheet_index 不是整数"
    sheets = payload.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        return "缺少 sheets"
    for i, sheet in enumerate(sheets):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
            return f"sheets[{i}] 缺少 name"
        values = sheet.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            return f"工作表「{sheet['name']}」的 values 不是二维数组"
        if len({len(row) for row in values}) > 1:
            return f"工作表「{sheet['name']}」的各行长度不一致"
        if not all(set(map(type, row)) <= CELL_TYPES for row in values):
            return f"工作表「{sheet['name']}」含有非单元格值"
        for key in ("pictures", "tables"):
            if not isinstance(sheet.get(key, []), list):
                return f"工作表「{sheet['name']}」的 {key} 不是数组"
    names = payload.get("names", [])
    if not isinstance(names, list):
        return "names 不是数组"
    for name in names:
        if not (
            isinstance(name, dict)
            and isinstance(name.get("name"), str)
            and isinstance(name.get("address"), str)
            and isinstance(name.get("sheet_index"), int)
            and 0 <= name["sheet_index"] < len(sheets)
        ):
            return "names 中有无效的名称"
    return None


def check_version(payload: dict) -> None:
    """The remote engine only serves its own xlwings version (400 otherwise)."""
    client, server = payload["version"], xlwings_version()
    if client != server:
        raise Refusal(
            400,
            f"工作簿「{payload['book']['name']}」中的 xlwings 宏版本为 {client}，校验服务器使用 xlwings {server}，两者必须一致。"
            f"请向县政务公开办索取用 xlwings {server} 生成的新模板（xlsx-tools build-xlsm），"
            f"或由管理员在服务器上安装 xlwings {client}（pip install xlwings=={client}）。",
        )


# -- the ASGI application ---------------------------------------------------------------


def _text(message: str, status: int, headers: dict | None = None):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message, status_code=status, headers=headers)


def create_app(auth: str | None = None, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024, validate=None):
    """The Starlette application: `POST /validate` (and `/`), `GET /health`.

    `validate(payload) -> {"actions": [...]}` answers a checked payload; it defaults to
    `xlsx_tools.excel.validate_payload` (tests pass one that fails, to see a 500)."""
    import anyio
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from . import __version__
    from .excel.remote import remote_xlwings, validate_payload
    from .form import FORM_ID

    validate = validate or validate_payload

    limiter: list[anyio.CapacityLimiter] = []  # one validation thread at a time (created in the event loop)

    def one_thread() -> anyio.CapacityLimiter:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(1))
        return limiter[0]

    @asynccontextmanager
    async def lifespan(app):
        remote_xlwings()  # import xlwings and its remote engine now, not on the first click
        log.info("校验服务器已就绪（xlsx-tools %s，xlwings %s，%s）", __version__, xlwings_version(), "需要访问密钥" if auth else "无访问密钥")
        yield

    async def answer(request):
        started = time.perf_counter()
        try:
            check_auth(request.headers.get("authorization"), auth)
            payload = parse_payload(await read_body(request, max_bytes))
            check_version(payload)
            result = validate(payload) if os.environ.get("GK_INLINE") else await anyio.to_thread.run_sync(validate, payload, limiter=one_thread())
        except Refusal as exc:
            log.info("refused %s: %s", exc.status, exc.message)
            return _text(exc.message, exc.status)
        except ClientDisconnect:
            return _text("", 400)
        except Exception as exc:  # noqa: BLE001 - logged with its traceback, the user gets a sentence
            return await internal_error(request, exc)
        log.debug("validated %s in %.1f ms", payload["book"]["name"], (time.perf_counter() - started) * 1000)
        return JSONResponse(result)

    async def health(request):
        return JSONResponse(
            {
                "status": "ok",
                "service": "xlsx-tools",
                "version": __version__,
                "xlwings": xlwings_version(),
                "form": FORM_ID,
                "auth": bool(auth),
                "max_bytes": max_bytes,
            }
        )

    async def http_error(request, exc: HTTPException):
        if exc.status_code == 404:
            return _text(f"校验服务器没有此地址：{request.url.path}。请把 xlwings.conf 中的 GK_SERVER_URL 设为 http://服务器:端口/validate。", 404)
        if exc.status_code == 405:
            return _text("此地址只接受 Excel「校验」按钮发送的工作簿（POST）；服务器状态见 /health。", 405, exc.headers)
        return _text("请求无效。", exc.status_code, exc.headers)

    async def internal_error(request, exc: Exception):
        ref = uuid.uuid4().hex[:8]
        log.exception("internal error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
        return _text(f"校验服务器内部错误（编号 {ref}），本次未校验。请稍后再试；若仍出现，请把编号告诉县政务公开办。", 500)

    routes = [Route(path, answer, methods=["POST"]) for path in PATHS]
    routes.append(Route("/health", health, methods=["GET"]))
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: internal_error},
        lifespan=lifespan,
    )


def app_from_env():
    """`create_app` configured from the environment (what `serve` sets for its workers)."""
    max_bytes = int(os.environ.get(MAX_BYTES_ENV) or DEFAULT_MAX_MB * 1024 * 1024)
    return create_app(os.environ.get(AUTH_ENV) or None, max_bytes)


# -- running it ------------------------------------------------------------------------


def _check_bind(host: str, port: int) -> None:
    """Fail early, in Chinese, when the address cannot be bound (uvicorn would log English)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        raise ServeError(f"无法解析监听地址 {host}。") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(addr)
        except OSError as exc:
            raise ServeError(f"无法在 {host}:{port} 上监听（{exc.strerror}）：端口可能已被占用，或本机没有该地址。") from None


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    auth: str | None = None,
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
    log_level: str = "info",
    access_log: bool = True,
) -> None:
    """Run the server with uvicorn until interrupted."""
    import uvicorn

    if workers < 1:
        raise ServeError("--workers 至少为 1。")
    if max_bytes < 1024:
        raise ServeError("--max-mb 太小。")
    if auth is not None and not (auth.isascii() and auth.isprintable() and auth == auth.strip() and len(auth) >= 8):
        raise ServeError("访问密钥须为至少 8 个字符的英文字母、数字或符号（HTTP 头只能传送 ASCII），首尾不能有空格。")
    _check_bind(host, port)
    os.environ[AUTH_ENV] = auth or ""
    os.environ[MAX_BYTES_ENV] = str(max_bytes)
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"][log.name] = {"handlers": ["default"], "level": log_level.upper(), "propagate": False}
    uvicorn.run(
        "xlsx_tools.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=log_config,
        access_log=access_log,
        proxy_headers=False,  # behind a reverse proxy the access log shows the proxy; nothing depends on client IPs
    )


__all__ = ["AUTH_ENV", "Refusal", "ServeError", "app_from_env", "create_app", "parse_payload", "serve", "shape_problem"]
