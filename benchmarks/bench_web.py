"""Load on the agency page's check (`POST /api/check` of `xlsx-tools serve`): latency at 20
concurrent clients uploading a typical workbook.

    python benchmarks/bench_web.py [--clients 20] [--seconds 10] [--max-requests 3000] [--workers 2]

Loopback only. For a typical workbook (examples/04-卫健局.xlsx, ~31 KB), in the same run:
- baseline, in this process: `validate_file(path)`, the validation the page shows
  (wall and CPU time per call), and the whole job a validator runs for a request
  (`webjobs.check_job`: read, validate, the rows of the 校验结果 sheet, whether it can be
  marked) on a copy written to a temporary folder, as the front stores an upload;
- load: the real server (`python -m xlsx_tools.cli serve`) on a free loopback port,
  warmed up, then `--clients` clients each upload the workbook as the page does (the
  page's framing, its token, same-origin headers) in a closed loop — a new request as
  soon as the previous answer arrives — until `--seconds` have passed or
  `--max-requests` were sent. Each request opens a new connection (`--keep-alive` reuses
  them, as a browser would). Every answer must be a 200 with exactly the in-process
  answer, else the run counts as failed.
Reported: requests/s, latency percentiles, the server's CPU time per request (from /proc)
against the baseline's; the load average before and after (the machine is shared).
Target: p95 < 300 ms at 20 clients (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_serve import free_port, percentile, print_row, stop_server, tree_cpu  # noqa: E402

from xlsx_tools.check import validate_file  # noqa: E402
from xlsx_tools.server.webjobs import check_job  # noqa: E402

WORKBOOK = ROOT / "examples" / "04-卫健局.xlsx"
TARGET_P95_MS = 300.0
MAX_SECONDS = 60.0
DEFAULT_WORKERS = os.cpu_count() or 1


def framed(name: str, data: bytes) -> bytes:
    head = json.dumps({"files": [{"name": name, "size": len(data), "modified": None, "role": "report"}], "options": {}}).encode()
    return b"GKUP1" + struct.pack(">I", len(head)) + head + data


def start_server(port: int, workers: int):
    import subprocess

    import httpx

    cmd = [sys.executable, "-m", "xlsx_tools.cli", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            page = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            if page.status_code == 200:
                return proc, re.search(r'name="gk-token" content="([^"]+)"', page.text).group(1)
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def baseline(repeat: int) -> dict:
    """In-process: validate_file, and the validator's whole job on a stored copy."""
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        stored = folder / "f00001.xlsx"
        shutil.copy(WORKBOOK, stored)
        job = {
            "folder": str(folder),
            "files": [{"path": str(stored), "name": WORKBOOK.name, "size": 0, "modified": None, "role": "report"}],
        }
        out = {}
        for label, fn in (("validate_file", lambda: validate_file(WORKBOOK)), ("check_job", lambda: check_job(job))):
            fn()
            runs, cpu = [], time.process_time()
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                runs.append((time.perf_counter() - t) * 1000)
            out[label] = (runs, (time.process_time() - cpu) * 1000 / repeat)
        out["answer"] = check_job(job)[1]
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def post_once(port: int, request: bytes, keep):
    reader, writer = keep or await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    body = await reader.readexactly(length)
    if keep is None:
        writer.close()
        await writer.wait_closed()
    return status, body, keep


async def load(port: int, token: str, body: bytes, expected: dict, args, server_pid: int) -> dict:
    connection = "keep-alive" if args.keep_alive else "close"
    request = (
        f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nSec-Fetch-Site: same-origin\r\n"
        f"Content-Type: application/x-gk-upload\r\nX-GK-Token: {token}\r\nContent-Length: {len(body)}\r\nConnection: {connection}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    failures: list[str] = []
    sent = 0

    async def one_client(stop_at: float, limit: int) -> None:
        nonlocal sent
        keep = await asyncio.open_connection("127.0.0.1", port) if args.keep_alive else None
        while sent < limit and time.perf_counter() < stop_at:
            sent += 1
            t = time.perf_counter()
            status, answer, keep = await post_once(port, request, keep)
            latencies.append((time.perf_counter() - t) * 1000)
            if status != 200 or json.loads(answer) != expected:
                failures.append(f"{status}: {answer[:200].decode('utf-8', 'replace')}")
        if keep:
            keep[1].close()

    await asyncio.gather(*(one_client(time.perf_counter() + 60, 2 * args.clients) for _ in range(args.clients)))  # warm-up
    latencies.clear()
    sent = 0
    server_cpu, cpu, t0 = tree_cpu(server_pid), time.process_time(), time.perf_counter()
    await asyncio.gather(*(one_client(t0 + args.seconds, args.max_requests) for _ in range(args.clients)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
    server_cpu = None if server_cpu is None else tree_cpu(server_pid) - server_cpu
    return {"latencies": latencies, "failures": failures, "wall": wall, "client_cpu": cpu, "server_cpu": server_cpu}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0, help=f"duration of each load run (at most {MAX_SECONDS:.0f})")
    ap.add_argument("--max-requests", type=int, default=3000, help="requests per load run (bound)")
    ap.add_argument("--workers", type=int, nargs="+", default=[DEFAULT_WORKERS])
    ap.add_argument("--repeat", type=int, default=100, help="in-process baseline runs")
    ap.add_argument("--keep-alive", action="store_true", help="reuse connections, as a browser does")
    args = ap.parse_args()
    args.seconds = min(args.seconds, MAX_SECONDS)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    data = WORKBOOK.read_bytes()
    body = framed(WORKBOOK.name, data)
    base = baseline(args.repeat)
    expected = base["answer"]
    print(f"workbook {WORKBOOK.name}: {len(data) / 1024:.0f} KB, {len(expected['rows'])} findings; {os.cpu_count()} cores")
    for label in ("validate_file", "check_job"):
        runs, cpu = base[label]
        print(
            f"baseline in-process {label}: median {statistics.median(runs):.2f} ms, p95 {percentile(runs, 95):.2f} ms, CPU {cpu:.2f} ms/call"
        )
    base_ms = statistics.median(base["validate_file"][0])
    base_cpu = base["validate_file"][1]
    print(
        f"{'workers':>7} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" {'p50/base':>8} {'srv CPU ms/req':>14} {'/base':>6} {'client CPU':>10} {'failed':>6}"
    )
    verdict = None
    for workers in args.workers:
        port = free_port()
        proc, token = start_server(port, workers)
        try:
            res = asyncio.run(load(port, token, body, expected, args, proc.pid))
        finally:
            stop_server(proc)
        p95 = print_row(workers, res, base_ms, base_cpu)
        if workers == DEFAULT_WORKERS or verdict is None:
            verdict = (workers, p95, not res["failures"])
    again = baseline(args.repeat)
    print(f"baseline again: validate_file median {statistics.median(again['validate_file'][0]):.2f} ms")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    workers, p95, correct = verdict
    ok = correct and p95 < TARGET_P95_MS
    print(
        f"{args.clients} clients, {workers} worker(s): p95 {p95:.1f} ms (target < {TARGET_P95_MS:.0f} ms),"
        f" answers {'all correct' if correct else 'WRONG'}: {'OK' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
