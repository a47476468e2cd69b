"""The web pages of `xlsx-tools serve`: check a report in a browser (`GET /`), merge a
county's submissions (`GET /county`), for PCs on which the 校验 button cannot run (WPS,
domestic-OS desktops, macros disabled by policy).

Routes (added to the button's app by `web_routes`):

- `GET /`, `GET /county`: the pages (xlsx_tools/server/web/*.html), with this server's
  page token, whether a secret is needed, and the limits filled in.
- `GET /static/{name}`: the pages' CSS and JavaScript, from the package (no CDN, no
  build step, no external fonts).
- `POST /api/check`: one report (and optionally last year's) → its findings as JSON,
  the rows of the 校验结果 sheet, errors first.
- `POST /api/download/{kind}`: the same upload → the marked workbook (`marked`) or the
  findings (`findings-xlsx`, `findings-csv`), as a file.
- `POST /api/merge`: a folder's worth of submissions (and optionally a roster and last
  year's summary) → a stream of JSON lines: progress while the validator reads, then the
  merge's report and its files (summary workbook, register, long table).

Uploads go through `upload.receive` (origin, page token, secret, type, size, count,
time) into a private folder, are processed in the validator pool (`webjobs`), and the
folder is removed as soon as the answer is made: nothing uploaded stays on the server.
The server keeps no state between requests; a download is made from the file the page
still holds (sent again), or comes with the merge's answer.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from ..check.local import LocalRules
from ..findings import ToolError
from .checks import Refusal
from .upload import Limits, Upload, check_sender, receive
from .webjobs import (
    CHECK_SECONDS,
    MERGE_SECONDS,
    Download,
    check_job,
    download_job,
    merge_job,
    merge_options,
    read_progress,
    run_job,
    skip_reason,
)

log = logging.getLogger("xlsx_tools.server")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
STATIC = {
    "style.css": "text/css; charset=utf-8",
    "common.js": "text/javascript; charset=utf-8",
    "agency.js": "text/javascript; charset=utf-8",
    "county.js": "text/javascript; charset=utf-8",
    "compat.js": "text/javascript; charset=utf-8",
}
PAGES = {"/": "index.html", "/county": "county.html"}
DOWNLOADS = ("marked", "findings-xlsx", "findings-csv", "report-docx", "report-html")
BUSY = "服务器正忙（同时处理的请求过多），请稍后再试。"
SLOW = "服务器处理超时，未完成。请稍后再试；若仍出现，请联系县政务公开办。"
DEFAULT_MAX_FILES = 2000
DEFAULT_MAX_TOTAL_MB = 200
DEFAULT_UPLOAD_SECONDS = 120
BASE_PREFIX = "xlsx-tools-serve-"


def security_headers(app):
    """ASGI middleware: every response says how a browser must treat it."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        return await app(scope, receive, send_with_headers)

    return wrapped


def _asset(name: str) -> bytes:
    return resources.files("xlsx_tools.server").joinpath("web", name).read_bytes()


@dataclass
class WebConfig:
    auth: str | None
    county_auth: str | None
    max_bytes: int
    max_files: int = DEFAULT_MAX_FILES
    max_total_bytes: int = DEFAULT_MAX_TOTAL_MB * 1024 * 1024
    upload_seconds: float = DEFAULT_UPLOAD_SECONDS
    rules: LocalRules | None = None  # local rules (--rules) for both pages; None: the national ones

    @property
    def county_secret(self) -> str | None:
        return self.county_auth or self.auth

    def agency_limits(self) -> Limits:
        return Limits(self.max_bytes, 2 * self.max_bytes + 64 * 1024, 2, self.upload_seconds, {"report": (1, 1), "previous": (0, 1)})

    def county_limits(self) -> Limits:
        roles = {"report": (0, self.max_files), "roster": (0, 1), "summary": (0, 1)}
        return Limits(self.max_bytes, self.max_total_bytes, self.max_files + 2, self.upload_seconds, roles)


class Uploads:
    """Where uploads wait: one private folder per server run (0700), one folder per
    upload inside it; folders of server runs that ended without cleaning up are removed
    at start."""

    def __init__(self) -> None:
        self.base: str | None = None

    def start(self) -> None:
        tmp = tempfile.gettempdir()
        for old in Path(tmp).glob(f"{BASE_PREFIX}*") if os.name == "posix" else ():
            pid = old.name[len(BASE_PREFIX) :].split("-")[0]
            try:
                if old.stat().st_uid != os.getuid() or not pid.isdigit() or _alive(int(pid)):
                    continue
            except (OSError, AttributeError):
                continue
            shutil.rmtree(old, ignore_errors=True)
        self.base = tempfile.mkdtemp(prefix=f"{BASE_PREFIX}{os.getpid()}-")

    def stop(self) -> None:
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def web_routes(config: WebConfig, validators, gate, internal_error, uploads: Uploads):
    """The routes of the pages and their API (Starlette Route objects)."""
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
    from starlette.routing import Route

    from .. import __version__

    def job_of(upload) -> dict:
        """What a job in the pool needs: the upload's files and options, and the local rules."""
        return {**upload.as_job(), "rules": config.rules}

    token = secrets.token_urlsafe(24)
    pages = {}
    for path, name in PAGES.items():
        text = _asset(name).decode("utf-8")
        needed = config.county_secret if path == "/county" else config.auth
        for key, value in {
            "__TOKEN__": token,
            "__AUTH__": "required" if needed else "none",
            "__MAX_MB__": f"{config.max_bytes / 1024 / 1024:g}",
            "__MAX_FILES__": str(config.max_files),
            "__MAX_TOTAL_MB__": f"{config.max_total_bytes / 1024 / 1024:g}",
            "__VERSION__": __version__,
        }.items():
            text = text.replace(key, html.escape(value))
        pages[path] = text.encode("utf-8")
    assets = {name: _asset(name) for name in STATIC}

    def text(message: str, status: int, headers: dict | None = None):
        return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})

    async def page(request):
        return Response(pages[request.url.path], media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})

    async def static(request):
        name = request.path_params["name"]
        if name not in assets:
            return text("没有此文件。", 404)
        return Response(assets[name], media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    async def accept(request, limits: Limits, secret: str | None) -> Upload:
        check_sender(request.headers, token, secret)
        if not gate.enter_upload():
            raise Refusal(503, BUSY)
        try:
            return await receive(request, limits, uploads.base)
        except ClientDisconnect:  # the page went away while sending: nobody to answer
            raise Refusal(400, "上传中断，未处理。") from None
        finally:
            gate.leave_upload()

    async def run(fn, upload: Upload, *args, seconds: float):
        """(status, answer) of a job in the pool; the upload's folder removed once it is done."""
        future = asyncio.ensure_future(validators.run(run_job, fn, job_of(upload), *args))
        future.add_done_callback(lambda _: upload.remove())
        done, _ = await asyncio.wait({future}, timeout=seconds)
        if not done:
            return 503, SLOW
        return future.result()

    def refused(request, status: int, answer):
        if status == 500:
            return internal_error(request, answer)
        log.info("refused %d: %s", status, answer if isinstance(answer, str) else answer.get("message"))
        if isinstance(answer, dict):
            return JSONResponse(answer, status_code=status, headers={"Cache-Control": "no-store"})
        return text(answer, status, {"Retry-After": "5"} if status == 503 else None)

    async def one_report(request, fn, *args):
        started = time.perf_counter()
        try:
            upload = await accept(request, config.agency_limits(), config.auth)
        except Refusal as exc:
            log.info("refused %d: %s", exc.status, exc.message)
            return text(exc.message, exc.status, {"Retry-After": "5"} if exc.status == 503 else None)
        if not gate.enter():
            upload.remove()
            return text(BUSY, 503, {"Retry-After": "5"})
        try:
            status, answer = await run(fn, upload, *args, seconds=CHECK_SECONDS + 10)
        finally:
            gate.leave()
        log.debug("%s in %.1f ms", request.url.path, (time.perf_counter() - started) * 1000)
        if status != 200:
            return refused(request, status, answer)
        if isinstance(answer, Download):
            disposition = f"attachment; filename=\"download{Path(answer.name).suffix}\"; filename*=UTF-8''{quote(answer.name)}"
            return Response(answer.data, media_type=answer.media, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    async def check(request):
        return await one_report(request, check_job)

    async def download(request):
        kind = request.path_params["kind"]
        if kind not in DOWNLOADS:
            return text("没有这种下载。", 404)
        return await one_report(request, download_job, kind)

    async def merge(request):
        try:
            upload = await accept(request, config.county_limits(), config.county_secret)
        except Refusal as exc:
            log.info("refused %d: %s", exc.status, exc.message)
            return text(exc.message, exc.status, {"Retry-After": "5"} if exc.status == 503 else None)
        try:
            merge_options(upload.options)  # refused before anything is read
        except Refusal as exc:
            upload.remove()
            return text(exc.message, exc.status)
        except ToolError as exc:
            upload.remove()
            return text(exc.message, 400)
        if not gate.enter():
            upload.remove()
            return text(BUSY, 503, {"Retry-After": "5"})
        future = asyncio.ensure_future(validators.run(run_job, merge_job, job_of(upload)))

        def finished(_) -> None:  # whether or not anybody still listens
            upload.remove()
            gate.leave()

        future.add_done_callback(finished)
        reports = [f.name for f in upload.of("report")]
        workbooks = sum(1 for name in reports if skip_reason(name) is None)

        def line(obj) -> bytes:
            return json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n"

        async def stream():
            yield line({"started": workbooks, "skipped": len(reports) - workbooks})
            last, deadline = None, time.monotonic() + MERGE_SECONDS + 30
            while not future.done():
                await asyncio.wait({future}, timeout=0.25)
                progress = read_progress(upload.folder)
                if progress and progress != last:
                    last = progress
                    yield line({"progress": list(progress)})
                if time.monotonic() > deadline:
                    yield line({"error": SLOW, "status": 503})
                    return
            status, answer = future.result()
            if status == 200:
                yield line({"result": answer})
            elif status == 500:
                response = internal_error(request, answer)
                yield line({"error": response.body.decode("utf-8"), "status": 500})
            else:
                log.info("refused %d: %s", status, answer)
                yield line({"error": answer, "status": status})

        return StreamingResponse(stream(), media_type="application/x-ndjson", headers={"Cache-Control": "no-store"})

    routes = [Route(path, page, methods=["GET"]) for path in PAGES]
    routes += [
        Route("/static/{name}", static, methods=["GET"]),
        Route("/api/check", check, methods=["POST"]),
        Route("/api/download/{kind}", download, methods=["POST"]),
        Route("/api/merge", merge, methods=["POST"]),
    ]
    return routes


__all__ = ["CSP", "SECURITY_HEADERS", "Uploads", "WebConfig", "security_headers", "web_routes"]
