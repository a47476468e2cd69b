"""Load on `xlsx-tools serve`: requests per second and latency at 20 concurrent clients.

    python benchmarks/bench_serve.py [--clients 20] [--seconds 10] [--max-requests 3000] [--workers 1 2]

Loopback only. For a typical workbook (examples/04-卫健局.xlsx, the payload xlwings'
VBA client would send, ~71 KB):
- baseline, in this process: `validate_payload(payload)`, the same work without HTTP
  (wall and CPU time per call);
- for each --workers value (validator processes): the real server (`python -m xlsx_tools.cli serve`) is
  started on a free loopback port and warmed up, then `--clients` clients each post the
  payload in a loop (a new request as soon as the previous answer arrives) until
  `--seconds` have passed or `--max-requests` were sent. Each request opens a new
  connection, as the button does (every click creates a new WinHttpRequest);
  `--keep-alive` reuses connections instead. Every answer must be a 200 with exactly
  the actions of the in-process run, else the run counts as failed.
Reported: requests/s, latency percentiles, the server's CPU time per request (its
processes, from /proc) against the baseline's, and the clients' CPU. The clients share
this machine's cores with the server, and so does anything else running: the load
average is printed before and after; CPU per request is the figure that other load
disturbs least.
Target: p95 < 100 ms at 20 clients with the default worker count (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlsx_tools.excel import validate_payload  # noqa: E402
from xlsx_tools.testing.payload import book_payload  # noqa: E402

WORKBOOK = ROOT / "examples" / "04-卫健局.xlsx"
TARGET_P95_MS = 100.0
DEFAULT_WORKERS = os.cpu_count() or 1  # what `xlsx-tools serve` defaults to
MAX_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def tree_cpu(pid: int) -> float | None:
    """CPU seconds used so far by process `pid` and its children (Linux /proc; None elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    parents, used = {}, {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
        used[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    tree, frontier = {pid}, {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier and p not in tree}
        tree |= frontier
    return sum(used.get(p, 0.0) for p in tree)


def start_server(port: int, workers: int) -> subprocess.Popen:
    import httpx

    cmd = [sys.executable, "-m", "xlsx_tools.cli", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def post_once(port: int, request: bytes, keep: tuple | None) -> tuple[int, bytes, tuple | None]:
    """One HTTP/1.1 POST on a new connection (or on `keep`, an open one): (status, body, connection)."""
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


async def load(port: int, body: bytes, expected: dict, args, server_pid: int) -> dict:
    """`args.clients` clients posting in a closed loop. A minimal HTTP/1.1 client on
    asyncio streams: httpx would spend ~2.5 ms of CPU per request here, on the same two
    cores as the server (on the county's network the clients are other PCs)."""
    connection = "keep-alive" if args.keep_alive else "close"
    request = (
        f"POST /validate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: {connection}\r\n\r\n"
    ).encode() + body
    exact = json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()
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
            if status != 200 or (answer != exact and json.loads(answer) != expected):
                failures.append(f"{status}: {answer[:200].decode('utf-8', 'replace')}")
        if keep:
            keep[1].close()

    # warm-up: every validator process has validated a few times
    await asyncio.gather(*(one_client(time.perf_counter() + 60, 2 * args.clients) for _ in range(args.clients)))
    latencies.clear()
    sent = 0
    server_cpu, cpu, t0 = tree_cpu(server_pid), time.process_time(), time.perf_counter()
    await asyncio.gather(*(one_client(t0 + args.seconds, args.max_requests) for _ in range(args.clients)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
    server_cpu = None if server_cpu is None else tree_cpu(server_pid) - server_cpu
    return {"latencies": latencies, "failures": failures, "wall": wall, "client_cpu": cpu, "server_cpu": server_cpu}


def print_row(workers: int, res: dict, base_ms: float, base_cpu: float) -> float:
    """One row of the results table (latencies against the in-process baseline); the p95."""
    lat = res["latencies"]
    p50, p95 = percentile(lat, 50), percentile(lat, 95)
    per_call = None if res["server_cpu"] is None else res["server_cpu"] * 1000 / len(lat)
    srv = "" if per_call is None else f"{per_call:>14.1f} {per_call / base_cpu:>5.1f}x"
    print(
        f"{workers:>7} {len(lat):>8} {len(lat) / res['wall']:>6.0f} {p50:>7.1f} {p95:>7.1f} {percentile(lat, 99):>7.1f} {max(lat):>7.1f}"
        f" {p50 / base_ms:>7.1f}x {srv:>21} {res['client_cpu'] / res['wall'] * 100:>7.0f} % {len(res['failures']):>6}"
    )
    for failure in res["failures"][:3]:
        print(f"    failed: {failure}")
    return p95


def baseline(payload: dict, repeat: int) -> tuple[list[float], float]:
    """Wall times (ms) of in-process validate_payload calls, and CPU ms per call."""
    runs = []
    cpu = time.process_time()
    for _ in range(repeat):
        t = time.perf_counter()
        validate_payload(payload)
        runs.append((time.perf_counter() - t) * 1000)
    return runs, (time.process_time() - cpu) * 1000 / repeat


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0, help=f"duration of each load run (at most {MAX_SECONDS:.0f})")
    ap.add_argument("--max-requests", type=int, default=3000, help="requests per load run (bound)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, DEFAULT_WORKERS])
    ap.add_argument("--repeat", type=int, default=100, help="in-process baseline runs")
    ap.add_argument("--keep-alive", action="store_true", help="reuse connections (the VBA client does not)")
    args = ap.parse_args()
    args.seconds = min(args.seconds, MAX_SECONDS)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    payload = book_payload(WORKBOOK)
    body = json.dumps(payload).encode()
    expected = validate_payload(payload)
    runs, base_cpu = baseline(payload, args.repeat)
    base = statistics.median(runs)
    cores = os.cpu_count() or 1
    print(f"workbook {WORKBOOK.name}: payload {len(body) / 1024:.0f} KB, {len(expected['actions'])} actions; {cores} cores")
    print(
        f"baseline in-process validate_payload: median {base:.1f} ms, p95 {percentile(runs, 95):.1f} ms, CPU {base_cpu:.1f} ms/call ({args.repeat} runs)"
    )
    print(
        f"{'workers':>7} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" {'p50/base':>8} {'srv CPU ms/req':>14} {'/base':>5} {'client CPU':>10} {'failed':>6}"
    )
    verdict = None
    for workers in args.workers:
        port = free_port()
        proc = start_server(port, workers)
        try:
            res = asyncio.run(load(port, body, expected, args, proc.pid))
        finally:
            stop_server(proc)
        p95 = print_row(workers, res, base, base_cpu)
        if workers == DEFAULT_WORKERS or verdict is None:
            verdict = (workers, p95, not res["failures"])
    runs, base_cpu = baseline(payload, args.repeat)
    print(f"baseline again: median {statistics.median(runs):.1f} ms, CPU {base_cpu:.1f} ms/call")
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
