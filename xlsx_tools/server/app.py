"""`xlsx-tools serve`: the 校验 button's server, for PCs with Excel but without Python.

With GK_SERVER_URL set in a workbook's xlwings.conf sheet, the button posts the
workbook to that URL with xlwings' `RunServerPython` (module Remote of the .xlsm):
`POST <url>`, `Content-Type: application/json`, the header `Authorization: <AUTH>`
when the sheet (or the user's xlwings.conf) has an AUTH key, and a JSON body with the
client and xlwings version, the book, its names and every sheet's values. A 200 answer
must be `{"actions": [...]}`, which the client replays; for any other status it shows
the response body verbatim in a message box (UTF-8 decoded). So every refusal is a
short plain-text Chinese sentence (server_checks.py), and no answer carries a traceback.

Routes: `POST /validate` (also `POST /`, so a server URL without a path works),
`POST /publish` (the 生成报告 button behind a server: a message pointing to the web page) and
`GET /health`; the web pages for PCs where the button cannot run (`GET /`, `GET /county`
and their API, web.py).

Processes: one front process runs the HTTP server (Starlette on uvicorn): it checks
the secret and reads the body, refusing it as soon as it exceeds the limit (from
Content-Length before reading, else chunk by chunk). The body then goes to a pool of
`--workers` validator processes, which parse and check it and run
`xlsx_tools.excel.validate_payload`, answering with the JSON bytes. Why processes:
xlwings' remote engine keeps one active book per process (validate_payload holds a
lock), and validation is pure Python under the GIL, so only processes run two
validations at once. Why one queue in front of them rather than N uvicorn workers on
one socket: every request goes to the next free validator, whereas uvicorn workers
each keep the connections they happened to accept, and a busy one lets its queue grow
while another idles (benchmarks/bench_serve.py measured both).

The xlwings licence key: the remote engine needs XLWINGS_LICENSE_KEY, which xlwings
reads once, at its first import; importing this module sets it (in the front and in
every validator, which imports this module to run `answer_body`) before anything can
import xlwings (see xlsx_tools/excel/remote.py for the licence itself).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import socket
import time
import uuid
from contextlib import asynccontextmanager

from ..excel.remote import LICENCE_ENV, LICENCE_KEY
from ..findings import ToolError, os_reason
from .checks import Refusal, check_auth, check_version, declared_length, parse_payload, secret_problem, too_large, xlwings_version

os.environ.setdefault(LICENCE_ENV, LICENCE_KEY)

AUTH_ENV = "GK_SERVER_AUTH"  # the shared secret, for `serve` when --auth is not given
COUNTY_AUTH_ENV = "GK_COUNTY_AUTH"  # the county page's own secret, when --county-auth is not given
DEFAULT_MAX_MB = 4  # a filled template sends ~75 KB
DEFAULT_WORKERS = os.cpu_count() or 1
MAX_PENDING = 64  # requests in the front at once (bodies held in memory); more get a 503
PATHS = ("/validate", "/")

log = logging.getLogger("xlsx_tools.server")  # the name operators filter on

INTERNAL_ERROR = "校验服务器内部错误（编号 {ref}），本次未校验。请稍后再试；若仍出现，请把编号告诉县政务公开办。"
BUSY = "校验服务器正忙（同时校验的工作簿过多），请稍后再点击「校验」。"


# -- in a validator process --------------------------------------------------------------


def start_validator() -> None:
    """Initializer of a validator process: load xlwings and its remote engine once."""
    from ..excel.remote import remote_xlwings

    remote_xlwings()


def _ready() -> int:
    return os.getpid()


def answer_body(body: bytes, validate=None, rules=None) -> tuple[int, bytes | str]:
    """The answer to a request body: (200, JSON bytes of the actions) or (status, Chinese
    message); (500, the traceback) when validation fails, for the front's log only."""
    import traceback

    from ..excel.remote import validate_payload

    try:
        payload = parse_payload(body)
        check_version(payload)
        result = validate(payload) if validate else validate_payload(payload, rules=rules)
    except ToolError as exc:  # a refusal, or a problem on the server's side (500, logged)
        return getattr(exc, "status", 500), exc.message
    except Exception:  # noqa: BLE001 - the front logs it; the user gets a sentence
        return 500, traceback.format_exc()
    return 200, json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Validators:
    """The pool of validator processes (spawned, as on Windows), rebuilt if one dies."""

    def __init__(self, workers: int, validate=None, rules=None) -> None:
        self.workers = workers
        self.validate = validate
        self.rules = rules  # local rules (a LocalRules) the button's answers are judged by
        self.pool = None
        self.restarting = asyncio.Lock()

    def start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_validator)
        pids = {f.result() for f in [self.pool.submit(_ready) for _ in range(4 * self.workers)]}
        log.debug("validators ready: %s", sorted(pids))

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def answer(self, body: bytes) -> tuple[int, bytes | str]:
        return await self.run(answer_body, body, self.validate, self.rules)

    async def run(self, fn, *args) -> tuple[int, object]:
        """`fn(*args)` in a validator process; (500, why) when a validator died."""
        from concurrent.futures.process import BrokenProcessPool

        loop = asyncio.get_running_loop()
        pool = self.pool
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:  # a validator died (killed, out of memory): start afresh
            async with self.restarting:
                if self.pool is pool:
                    pool.shutdown(wait=False)
                    await loop.run_in_executor(None, self.start)
            return 500, "BrokenProcessPool: a validator process died"


class Gate:
    """How many requests the front holds: waiting for a validator (`max_pending`, bodies
    in memory or on disk), and web uploads still arriving (`max_uploads`). Beyond
    either, a 503."""

    def __init__(self, max_pending: int, max_uploads: int) -> None:
        self.max_pending, self.max_uploads = max_pending, max_uploads
        self.pending = self.uploads = 0

    def enter(self) -> bool:
        if self.pending >= self.max_pending:
            log.warning("busy: %d requests pending", self.pending)
            return False
        self.pending += 1
        return True

    def leave(self) -> None:
        self.pending -= 1

    def enter_upload(self) -> bool:
        if self.uploads >= self.max_uploads:
            log.warning("busy: %d uploads arriving", self.uploads)
            return False
        self.uploads += 1
        return True

    def leave_upload(self) -> None:
        self.uploads -= 1


# -- the ASGI application (front process) ------------------------------------------------


def _text(message: str, status: int, headers: dict | None = None):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message, status_code=status, headers=headers)


async def read_body(request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` bytes."""
    declared_length(request.headers.get("content-length"), limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    auth: str | None = None,
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
    workers: int = DEFAULT_WORKERS,
    validate=None,
    max_pending: int = MAX_PENDING,
    web=None,
):
    """The Starlette application: `POST /validate` (and `/`), `GET /health`, and the web
    pages with their API (`web`: a `web.WebConfig`; by default one with the button's
    secret and size limit).

    `validate(payload) -> {"actions": [...]}` runs in the validator processes; it
    defaults to `xlsx_tools.excel.validate_payload` (tests pass a module-level function
    that fails or waits, to see a 500 or a 503)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from .. import __version__
    from ..form import current
    from .web import Uploads, WebConfig, security_headers, web_routes

    web = web or WebConfig(auth, None, max_bytes)
    validators = Validators(workers, validate, web.rules)
    gate = Gate(max_pending, 2 * max_pending)
    uploads = Uploads()

    @asynccontextmanager
    async def lifespan(app):
        uploads.start()
        await asyncio.get_running_loop().run_in_executor(None, validators.start)
        log.info(
            "校验服务器已就绪：xlsx-tools %s，xlwings %s，%d 个校验进程，%s",
            __version__,
            xlwings_version(),
            workers,
            "需要访问密钥" if auth else "无访问密钥",
        )
        if web.rules is not None:
            log.info("按本地规则校验：%s", web.rules.source)
        try:
            yield
        finally:
            validators.stop()
            uploads.stop()

    def internal_error(request, detail: str):
        ref = uuid.uuid4().hex[:8]
        log.error("internal error %s on %s %s:\n%s", ref, request.method, request.url.path, detail)
        return _text(INTERNAL_ERROR.format(ref=ref), 500)

    async def answer(request):
        if not gate.enter():
            return _text(BUSY, 503, {"Retry-After": "5"})
        started = time.perf_counter()
        try:
            check_auth(request.headers.get("authorization"), auth)
            status, out = await validators.answer(await read_body(request, max_bytes))
        except Refusal as exc:
            status, out = exc.status, exc.message
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is listening
        finally:
            gate.leave()
        if status == 200:
            log.debug("validated in %.1f ms", (time.perf_counter() - started) * 1000)
            return Response(out, media_type="application/json")
        if status == 500:
            return internal_error(request, out)
        log.info("refused %d: %s", status, out)
        return _text(out, status)

    async def publish_hint(request):
        """The 生成报告 button behind this server: a message box pointing to the web page
        (the document cannot be written on the clerk's computer from here)."""
        from functools import partial

        from ..excel.publish import publish_hint_payload

        if not gate.enter():
            return _text(BUSY, 503, {"Retry-After": "5"})
        try:
            check_auth(request.headers.get("authorization"), auth)
            body = await read_body(request, max_bytes)
            status, out = await validators.run(answer_body, body, partial(publish_hint_payload, page=str(request.base_url)))
        except Refusal as exc:
            status, out = exc.status, exc.message
        except ClientDisconnect:
            return Response(status_code=400)
        finally:
            gate.leave()
        if status == 200:
            return Response(out, media_type="application/json")
        return internal_error(request, out) if status == 500 else _text(out, status)

    async def health(request):
        return JSONResponse(
            {
                "status": "ok",
                "service": "xlsx-tools",
                "version": __version__,
                "xlwings": xlwings_version(),
                "form": current().id,
                "workers": workers,
                "auth": bool(auth),
                "max_bytes": max_bytes,
            }
        )

    async def http_error(request, exc: HTTPException):
        if exc.status_code == 404:
            return _text(
                f"校验服务器没有此地址：{request.url.path}。请把 xlwings.conf 中的 GK_SERVER_URL 设为 http://服务器:端口/validate。"
                "在浏览器中校验请打开 http://服务器:端口/ ，汇总请打开 http://服务器:端口/county 。",
                404,
            )
        if exc.status_code == 405:
            return _text("此地址只接受 Excel「校验」按钮发送的工作簿（POST）；服务器状态见 /health。", 405, exc.headers)
        return _text("请求无效。", exc.status_code, exc.headers)

    async def any_error(request, exc: Exception):
        import traceback

        return internal_error(request, "".join(traceback.format_exception(exc)))

    routes = [Route(path, answer, methods=["POST"]) for path in PATHS]
    routes.append(Route("/health", health, methods=["GET"]))
    routes.append(Route("/publish", publish_hint, methods=["POST"]))
    routes += web_routes(web, validators, gate, internal_error, uploads)
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: any_error}, lifespan=lifespan)
    return security_headers(app)


# -- running it ------------------------------------------------------------------------


def _check_bind(host: str, port: int) -> None:
    """Fail early, in Chinese, when the address cannot be bound (uvicorn would log English)."""
    if not 0 < port < 65536:
        raise ServeError(f"端口 {port} 无效（应为 1–65535）。")
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
            raise ServeError(f"无法在 {host}:{port} 上监听（{os_reason(exc)}）：端口可能已被占用，或本机没有该地址。") from None


class ServeError(ToolError):
    """The server cannot start (Chinese message)."""


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = DEFAULT_WORKERS,
    auth: str | None = None,
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
    log_level: str = "info",
    web=None,
) -> None:
    """Run the server with uvicorn until interrupted (`web`: the pages' secret and limits,
    a `web.WebConfig`)."""
    import uvicorn

    if workers < 1:
        raise ServeError("--workers 至少为 1。")
    if max_bytes < 1024:
        raise ServeError("--max-mb 太小。")
    if auth is not None and secret_problem(auth):
        raise ServeError(secret_problem(auth))
    if web is not None:
        if web.county_auth is not None and secret_problem(web.county_auth):
            raise ServeError("汇总页面的" + secret_problem(web.county_auth))
        if web.max_files < 1 or web.max_files > 99_999:
            raise ServeError("--max-files 应在 1 到 99999 之间。")
        if web.max_total_bytes < max_bytes:
            raise ServeError("--max-total-mb 不能小于 --max-mb。")
        if web.upload_seconds < 1:
            raise ServeError("--upload-seconds 至少为 1。")
    _check_bind(host, port)
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"][log.name] = {"handlers": ["default"], "level": log_level.upper(), "propagate": False}
    uvicorn.run(
        create_app(auth, max_bytes, workers, web=web),
        host=host,
        port=port,
        log_level=log_level,
        log_config=log_config,
        proxy_headers=False,  # behind a reverse proxy the access log shows the proxy; nothing depends on client addresses
    )


__all__ = ["AUTH_ENV", "COUNTY_AUTH_ENV", "Gate", "Refusal", "ServeError", "Validators", "answer_body", "create_app", "serve"]
