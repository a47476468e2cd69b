"""Load on `xlsx-tools serve`: requests per second and latency at 20 concurrent clients.

    python benchmarks/bench_serve.py [--clients 20] [--seconds 10] [--max-requests 3000] [--workers 1 2]

Loopback only. For a typical workbook (examples/04-卫健局.xlsx, the payload xlwings'
VBA client would send, ~75 KB):
- baseline, in this process: `validate_payload(payload)`, the same work without HTTP
  (its median is the floor for any request; cores / median the ceiling for throughput);
- for each --workers value: the real server (`python -m xlsx_tools.cli serve`) is
  started on a free loopback port, warmed up, then `--clients` clients each post the
  payload in a loop (a new request as soon as the previous answer arrives) until
  `--seconds` have passed or `--max-requests` were sent. Each request opens a new
  connection, as the button does (every click creates a new WinHttpRequest);
  `--keep-alive` reuses connections instead. Every answer must be a 200 with exactly
  the actions of the in-process run, else the run counts as failed.
The clients share this machine's cores with the server (the figure is pessimistic),
and so does anything else running: the load average is printed before and after.
Target: p95 < 100 ms at 20 clients for the default worker count (exit 1 otherwise).
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
from xlsx_tools.payload import book_payload  # noqa: E402

WORKBOOK = ROOT / "examples" / "04-卫健局.xlsx"
TARGET_P95_MS = 100.0
DEFAULT_WORKERS = 2  # what `xlsx-tools serve` defaults to


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


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


async def load(url: str, body: bytes, expected: dict, clients: int, seconds: float, max_requests: int, keep_alive: bool) -> dict:
    import httpx

    latencies: list[float] = []
    failures: list[str] = []
    sent = 0
    headers = {"Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients if keep_alive else 0)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # warm-up: every connection and every worker process once
        await asyncio.gather(*(client.post(url, content=body, headers=headers) for _ in range(2 * clients)))
        stop_at = time.perf_counter() + seconds

        async def one_client() -> None:
            nonlocal sent
            while sent < max_requests and time.perf_counter() < stop_at:
                sent += 1
                t = time.perf_counter()
                r = await client.post(url, content=body, headers=headers)
                latencies.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200 or r.json() != expected:
                    failures.append(f"{r.status_code}: {r.text[:200]}")

        cpu, t0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
    return {"latencies": latencies, "failures": failures, "wall": wall, "client_cpu": cpu}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each load run (bound)")
    ap.add_argument("--max-requests", type=int, default=3000, help="requests per load run (bound)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, DEFAULT_WORKERS])
    ap.add_argument("--repeat", type=int, default=100, help="in-process baseline runs")
    ap.add_argument("--keep-alive", action="store_true", help="reuse connections (the VBA client does not)")
    args = ap.parse_args()
    args.seconds = min(args.seconds, 60.0)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    payload = book_payload(WORKBOOK)
    body = json.dumps(payload).encode()
    expected = validate_payload(payload)
    runs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        validate_payload(payload)
        runs.append((time.perf_counter() - t) * 1000)
    base = statistics.median(runs)
    cores = os.cpu_count() or 1
    print(f"workbook {WORKBOOK.name}: payload {len(body) / 1024:.0f} KB, {len(expected['actions'])} actions; {cores} cores")
    print(f"baseline in-process validate_payload: median {base:.1f} ms, p95 {percentile(runs, 95):.1f} ms ({args.repeat} runs)")
    print(f"  -> a {args.clients}-client closed loop needs >= {args.clients * 1000 / TARGET_P95_MS:.0f} req/s for p95 near {TARGET_P95_MS:.0f} ms;"
          f" in-process ceiling {cores * 1000 / base:.0f} req/s on {cores} cores")
    print(f"{'workers':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'p50/base':>8} {'client cpu':>10} {'failed':>6}")
    verdict = None
    for workers in args.workers:
        port = free_port()
        proc = start_server(port, workers)
        try:
            url = f"http://127.0.0.1:{port}/validate"
            res = asyncio.run(load(url, body, expected, args.clients, args.seconds, args.max_requests, args.keep_alive))
        finally:
            stop_server(proc)
        lat = res["latencies"]
        p50, p95 = percentile(lat, 50), percentile(lat, 95)
        print(
            f"{workers:>7} {len(lat):>8} {len(lat) / res['wall']:>7.0f} {p50:>7.1f} {p95:>7.1f} {percentile(lat, 99):>7.1f} {max(lat):>7.1f}"
            f" {p50 / base:>7.1f}x {res['client_cpu'] / res['wall'] * 100:>8.0f} % {len(res['failures']):>6}"
        )
        for failure in res["failures"][:3]:
            print(f"    failed: {failure}")
        if workers == DEFAULT_WORKERS or verdict is None:
            verdict = (workers, p95, not res["failures"])
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    workers, p95, correct = verdict
    ok = correct and p95 < TARGET_P95_MS
    print(f"{args.clients} clients, {workers} worker(s): p95 {p95:.1f} ms (target < {TARGET_P95_MS:.0f} ms), answers {'all correct' if correct else 'WRONG'}: {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
