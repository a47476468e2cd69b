"""`xlsx-tools serve` as the 校验 button meets it: the real server (uvicorn, started by
the CLI in a subprocess) on a loopback port, payloads built from real workbooks posted
with an HTTP client, answers compared with the in-process path (`validate_payload`)."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from gk import LAYOUT
from remote_actions import remote_bas_actions
from webkit import Server, free_port

from xlsx_tools import __version__
from xlsx_tools.excel import validate_payload
from xlsx_tools.server.app import create_app
from xlsx_tools.testing.payload import book_payload

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
UNBALANCED = ROOT / "examples" / "05-自然资源局-结转不平衡.xlsx"
SECRET = "county-office-2026-Xq7!"
LIMIT_MB = 0.5  # the test server's payload limit; a filled template sends ~75 KB
XLWINGS = version("xlwings")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("serve"), "--workers", "2", "--max-mb", str(LIMIT_MB))
    yield srv
    srv.log = srv.stop()


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("serve-secured"), "--workers", "1", env={"GK_SERVER_AUTH": SECRET}
    )  # the secret from the environment
    yield srv
    srv.stop()


def post(url: str, body, headers: dict | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(url, content=content, headers={"Content-Type": "application/json", **(headers or {})}, timeout=30)


def assert_refused(r: httpx.Response, status: int, *words: str) -> None:
    """A refusal as the VBA client shows it: the body verbatim in a message box."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    for word in words:
        assert word in r.text, (word, r.text)
    assert "Traceback" not in r.text and "Error" not in r.text


def set_cell(payload: dict, key: str, value) -> dict:
    """The payload after staff typed `value` into the cell of layout key `key`."""
    out = copy.deepcopy(payload)
    pos = LAYOUT.pos[key]
    sheet = next(s for s in out["sheets"] if s["name"] == pos.sheet)
    sheet["values"][pos.row][pos.col] = value
    return out


# -- answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_actions_equal_the_in_process_path(server, path):
    payload = book_payload(path)
    r = post(f"{server.url}/validate", payload)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == validate_payload(payload)
    assert {a["func"] for a in r.json()["actions"]} <= remote_bas_actions()


def test_unbalanced_workbook_gets_its_errors(server):
    actions = post(f"{server.url}/validate", book_payload(UNBALANCED)).json()["actions"]
    (alert,) = [a for a in actions if a["func"] == "alert"]
    assert alert["args"][0].startswith("发现 2 处错误、1 处提示")
    assert alert["args"][3] == "critical"


def test_a_server_url_without_path_works(server):
    payload = book_payload(UNBALANCED)
    r = post(server.url, payload)  # GK_SERVER_URL = http://host:port → POST /
    assert r.status_code == 200 and r.json() == validate_payload(payload)


def test_health(server, secured):
    for srv, auth in ((server, False), (secured, True)):
        r = httpx.get(f"{srv.url}/health")  # no secret needed
        assert r.status_code == 200
        assert r.json() == {
            "status": "ok",
            "service": "xlsx-tools",
            "version": __version__,
            "xlwings": XLWINGS,
            "form": "GK-2021",
            "workers": 2 if srv is server else 1,
            "auth": auth,
            "max_bytes": int(LIMIT_MB * 1024 * 1024) if srv is server else 4 * 1024 * 1024,
        }


def test_50_concurrent_requests_get_their_own_answers(server):
    """Fifty different workbooks at once, through both worker processes: each answer
    must be the one for its own workbook (a distinct number in each)."""
    bases = [book_payload(p) for p in EXAMPLES]
    payloads = [set_cell(bases[i % len(bases)], "t3.new.natural", 1000 + i) for i in range(50)]
    expected = [validate_payload(p) for p in payloads]
    assert len({json.dumps(e, sort_keys=True) for e in expected}) == 50  # cross-talk would show

    async def all_at_once():
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return await asyncio.gather(*(client.post(f"{server.url}/validate", json=p) for p in payloads))

    responses = asyncio.run(all_at_once())
    assert [r.status_code for r in responses] == [200] * 50
    for r, e in zip(responses, expected, strict=False):
        assert r.json() == e


# -- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b'{"client": "VBA", "version": ', b"\xff\xfe\x00garbage", b"[" * 100_000 + b"]" * 100_000],
    ids=["empty", "brace", "truncated", "not-utf8", "deep-nesting"],
)
def test_malformed_json(server, body):
    r = post(f"{server.url}/validate", body)
    assert_refused(r, 400)
    assert "JSON" in r.text or "没有工作簿数据" in r.text


def _shapes():
    good = book_payload(UNBALANCED)
    no_sheets = {k: v for k, v in good.items() if k != "sheets"}
    flat = copy.deepcopy(good)
    flat["sheets"][0]["values"] = [1, 2, 3]
    nested = set_cell(good, "t3.new.natural", {"a": 1})
    ragged = copy.deepcopy(good)
    ragged["sheets"][1]["values"][0] = ragged["sheets"][1]["values"][0][:-1]
    bad_name = copy.deepcopy(good)
    bad_name["names"][0]["sheet_index"] = 99
    return {
        "list": [1, 2],
        "no-version": {k: v for k, v in good.items() if k != "version"},
        "no-sheets": no_sheets,
        "values-not-2d": flat,
        "cell-is-object": nested,
        "ragged-rows": ragged,
        "name-to-no-sheet": bad_name,
    }


@pytest.mark.parametrize("name", list(_shapes()))
def test_wrong_shape(server, name):
    r = post(f"{server.url}/validate", _shapes()[name])
    assert_refused(r, 400, "不是 xlwings 发送的工作簿数据")


def test_other_xlwings_version_says_what_to_install(server):
    payload = book_payload(UNBALANCED, version="0.30.0")
    r = post(f"{server.url}/validate", payload)
    assert_refused(r, 400, UNBALANCED.name, "0.30.0", XLWINGS, "xlsx-tools build-xlsm", "pip install xlwings==0.30.0")


def test_oversized_payload_with_httpx(server):
    payload = book_payload(UNBALANCED)
    payload["sheets"].append({"name": "附件", "pictures": [], "tables": [], "values": [["很长的说明" * 40] * 10] * 100})
    body = json.dumps(payload).encode()
    assert len(body) > LIMIT_MB * 1024 * 1024
    assert_refused(post(f"{server.url}/validate", body), 413, "0.5 MB", "--max-mb")


def read_response(s: socket.socket) -> tuple[bytes, str]:
    """(status line, body text) of one HTTP response on a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = s.recv(65536)
        assert part, data
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        part = s.recv(65536)
        assert part, body
        body += part
    return head.split(b"\r\n")[0], body.decode("utf-8")


def test_declared_length_over_the_limit_is_refused_before_the_body(server):
    """Content-Length beyond the limit: 413 with nothing of the body sent."""
    head = f"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {10 * 1024 * 1024}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(head.encode())
        status, body = read_response(s)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert "超过校验服务器的上限" in body


def test_streamed_body_is_cut_off_at_the_limit(server):
    """Chunked upload without a length: 413 once the limit is passed, while the
    client is still sending (the request is never finished)."""
    head = b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = b"[" + b"0," * 32767 + b"0"  # 64 KiB of a JSON array, never closed
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(head)
        sent = 0
        while sent < 10 * LIMIT_MB * 1024 * 1024:
            s.sendall(chunk)
            sent += len(piece)
            readable, _, _ = select.select([s], [], [], 0.05)
            if readable:
                break
        status, body = read_response(s)
    assert status.startswith(b"HTTP/1.1 413"), status
    # The body never ends (no last chunk): a server reading it all before judging would never answer.
    assert sent > LIMIT_MB * 1024 * 1024
    assert "超过校验服务器的上限" in body


def test_shared_secret(secured):
    payload = book_payload(UNBALANCED)
    url = f"{secured.url}/validate"
    assert_refused(post(url, payload), 401, "没有访问密钥", "AUTH")
    assert_refused(post(url, payload, {"Authorization": SECRET[:-1]}), 401, "访问密钥", "不正确")
    assert_refused(post(url, payload, {"Authorization": "Bearer " + SECRET}), 401, "不正确")
    r = post(url, payload, {"Authorization": SECRET})  # what RunServerPython sends for AUTH
    assert r.status_code == 200 and r.json() == validate_payload(payload)


def test_secret_is_checked_before_the_body_is_read(secured):
    """Without the secret even an oversized body gets 401, not 413: strangers cost nothing."""
    head = f"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", secured.port), timeout=20) as s:
        s.sendall(head.encode())
        status, body = read_response(s)
    assert status.startswith(b"HTTP/1.1 401"), status
    assert "访问密钥" in body


def test_other_paths_and_methods(server):
    assert_refused(httpx.get(f"{server.url}/validate"), 405, "POST", "/health")
    assert_refused(post(f"{server.url}/api/validate", {}), 404, "/api/validate", "GK_SERVER_URL")


def broken(payload):
    """A validator that fails as a bug would (module level: it runs in a validator process)."""
    raise ZeroDivisionError("division by zero in a rule")


def slow(payload):
    time.sleep(1.5)
    return validate_payload(payload)


class ThreadServer:
    """The real uvicorn serving `create_app(**options)` in a thread of the test process."""

    def __init__(self, **options) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(**options), host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(30)


def test_internal_error_is_a_sentence_and_logged(caplog):
    """A failure inside validation: 500 with a Chinese sentence and a reference; the
    traceback only in the server log, found by that reference."""
    import logging

    with ThreadServer(validate=broken, workers=1) as srv, caplog.at_level(logging.ERROR, logger="xlsx_tools.server.app"):
        r = post(f"{srv.url}/validate", book_payload(UNBALANCED))
    assert_refused(r, 500, "内部错误", "本次未校验")
    assert "ZeroDivision" not in r.text and "division" not in r.text
    ref = r.text.split("编号 ")[1][:8]
    (record,) = [rec for rec in caplog.records if ref in rec.getMessage()]
    assert "ZeroDivisionError: division by zero in a rule" in record.getMessage()
    assert "Traceback" in record.getMessage()


def test_too_many_pending_requests_get_busy():
    """Beyond `max_pending` requests in the front, a 503 with a Chinese sentence, given
    while the pending ones are still being validated."""
    payload = book_payload(UNBALANCED)
    with ThreadServer(validate=slow, workers=1, max_pending=2) as srv:

        async def timed(client):
            r = await client.post(f"{srv.url}/validate", json=payload)
            return r, time.perf_counter()

        async def four():
            async with httpx.AsyncClient(timeout=60) as client:
                first = [asyncio.create_task(timed(client)) for _ in range(2)]
                await asyncio.sleep(0.7)  # both are in the server now (the first takes 1.5 s)
                more = await asyncio.gather(*(timed(client) for _ in range(2)))
                return await asyncio.gather(*first), more

        first, more = asyncio.run(four())
    assert [r.status_code for r, _ in first] == [200, 200]
    for r, done in more:
        assert_refused(r, 503, "正忙")
        assert r.headers["retry-after"] == "5"
        assert done < min(t for _, t in first)


def _validators(front: int) -> list[int]:
    """Process ids of the validator processes under the server process `front` (Linux)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmd = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if ppid == front and b"spawn_main" in cmd:
            out.append(int(stat.parent.name))
    return out


def test_a_validator_that_dies_is_replaced(tmp_path):
    import signal

    srv = Server(tmp_path, "--workers", "2")
    try:
        payload = book_payload(UNBALANCED)
        victims = _validators(srv.proc.pid)
        assert len(victims) == 2
        os.kill(victims[0], signal.SIGKILL)
        time.sleep(0.5)
        statuses = []
        for _ in range(5):
            r = post(f"{srv.url}/validate", payload)
            statuses.append(r.status_code)
            if r.status_code == 500:
                assert_refused(r, 500, "内部错误")
            else:
                assert r.status_code == 200 and r.json() == validate_payload(payload)
        assert statuses.count(500) <= 1 and statuses[-1] == 200
        deadline = time.monotonic() + 10  # the broken pool's other process is being stopped
        while len(_validators(srv.proc.pid)) != 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_validators(srv.proc.pid)) == 2 and not set(victims) & set(_validators(srv.proc.pid))
    finally:
        srv.stop()


@pytest.mark.parametrize("secret", ["县政务公开办密钥", "short", " padded-secret "])
def test_unusable_secret_is_refused_at_start(secret):
    r = subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "serve", "--port", str(free_port()), "--auth", secret],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "访问密钥须为至少 8 个字符" in r.stderr and "Traceback" not in r.stderr


def test_port_in_use_is_a_chinese_message(server):
    r = subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "serve", "--port", str(server.port)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert f"无法在 127.0.0.1:{server.port} 上监听" in r.stderr
    assert "Traceback" not in r.stderr


def test_xlsm_built_for_the_server_reaches_it(secured, tmp_path):
    """`build-xlsm --server-url --auth` writes what RunServerPython reads from the
    xlwings.conf sheet (keys from A1 down, upper-cased); posting the workbook the way it
    does (that URL, AUTH as the Authorization header) gets the in-process answer."""
    import openpyxl

    from xlsx_tools.cli import main

    target = tmp_path / "county.xlsm"
    assert main(["build-xlsm", "-o", str(target), "--server-url", f"{secured.url}/validate", "--auth", SECRET]) == 0
    conf = {}
    for key, value, *_ in openpyxl.load_workbook(target)["xlwings.conf"].iter_rows(values_only=True):
        if key is None:
            break
        conf[key.upper()] = value
    assert conf["GK_SERVER_URL"] == f"{secured.url}/validate" and conf["AUTH"] == SECRET
    payload = book_payload(target)
    r = post(conf["GK_SERVER_URL"], payload, {"Authorization": conf["AUTH"]})
    assert r.status_code == 200 and r.json() == validate_payload(payload)
    assert any(a["func"] == "alert" for a in r.json()["actions"])
