"""Reading many files in worker processes that may die or hang without taking the merge
with them.

A file can kill the process that reads it (a native library aborting on a hostile
file) or make it hang. Each file is therefore read in a worker process, one file at a
time per worker, under a time limit: a worker that dies or runs out of time is replaced,
its file is reported as unreadable with the reason, and every other file is still read.
(`multiprocessing.Pool` would wait forever for a dead worker's result.) Each worker is
given the merge's `Context` (local rules, last year's reports) once, when it starts.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Generic, TypeVar

from ..form import FormSpec, current
from ..output import sigint_deferred
from .submission import Context, set_context

Job = TypeVar("Job")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]
FILE_TIMEOUT = 60.0  # seconds one file may take to read (a report takes milliseconds)


def default_jobs() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _work(conn: Connection, theirs: Connection, parent: int, read: Callable, context: Context) -> None:
    _ignore_sigint()
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent around the fork (see _Worker)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    set_context(context)
    theirs.close()  # the parent's end, inherited through fork: its closing must reach us as EOF
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:  # the merge is gone (Ctrl-C, killed): so are we
                    return
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        index, job = item
        conn.send((index, read(job)))


class _Worker:
    def __init__(self, ctx, read: Callable, context: Context):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_work, args=(child, self.conn, os.getpid(), read, context), daemon=True)
        with sigint_deferred():  # a Ctrl-C during the fork reaches the merge after it, never the new worker
            self.process.start()
        child.close()
        self.index: int | None = None  # the job it is reading
        self.since = 0.0

    def give(self, index: int, job) -> None:
        self.index, self.since = index, time.monotonic()
        self.conn.send((index, job))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class Pool(Generic[Job, Result]):
    """`run(jobs)` reads every job with `read(job)` in at most `workers` processes and
    returns the results in job order; a job whose worker died or took longer than
    `timeout` seconds gets `failed(job, reason)` instead."""

    def __init__(
        self,
        read: Callable[[Job], Result],
        failed: Callable[[Job, str], Result],
        workers: int,
        timeout: float,
        context: Context | None = None,
    ):
        self.read = read
        self.failed = failed
        self.workers = max(1, workers)
        self.timeout = timeout
        self.context = context or Context()
        # fork is cheap and safe here (no threads); elsewhere the platform's default (spawn)
        self.ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)

    def run(self, jobs: list[Job], progress: Callable[[int, int], None] | None = None) -> list[Result]:
        n = len(jobs)
        out: list[Result | None] = [None] * n
        pending = list(range(n - 1, -1, -1))  # popped from the end: job order
        workers: list[_Worker] = []
        done = 0
        try:
            for _ in range(min(self.workers, n)):
                workers.append(self._start(jobs, pending))
            while done < n:
                busy = [w for w in workers if w.index is not None]
                if not busy:
                    break
                deadline = min(w.since for w in busy) + self.timeout
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], max(0.0, deadline - time.monotonic()))
                now = time.monotonic()
                for w in list(workers):
                    if w.index is None:
                        continue
                    reason = None
                    if w.conn in ready:
                        try:
                            index, result = w.conn.recv()
                        except (EOFError, OSError):
                            reason = "读取时程序异常退出（文件可能已损坏或是恶意构造的），未读取"
                        else:
                            out[index] = result
                            done += 1
                            w.index = None
                            if pending:
                                index = pending.pop()
                                w.give(index, jobs[index])
                            if progress:
                                progress(done, n)
                            continue
                    elif w.process.sentinel in ready:
                        reason = "读取时程序异常退出（文件可能已损坏或是恶意构造的），未读取"
                    elif now - w.since >= self.timeout:
                        reason = f"读取超过 {self.timeout:g} 秒仍未完成，已停止读取（文件可能已损坏或过于复杂）"
                    if reason is None:
                        continue
                    out[w.index] = self.failed(jobs[w.index], reason)
                    done += 1
                    w.stop(kill=True)
                    workers.remove(w)
                    if pending:  # a fresh worker takes its place
                        workers.append(self._start(jobs, pending))
                    if progress:
                        progress(done, n)
        finally:
            for w in workers:
                w.stop(kill=w.index is not None)
        return out  # type: ignore[return-value]

    def _start(self, jobs: list, pending: list[int]) -> _Worker:
        w = _Worker(self.ctx, self.read, self.context)
        if pending:
            index = pending.pop()
            w.give(index, jobs[index])
        return w


def read_all_with(
    reader: Callable,
    files: list[tuple[Path, str]],
    jobs: int | None = None,
    progress: Progress | None = None,
    spec: FormSpec | None = None,
    context: Context | None = None,
    timeout: float = FILE_TIMEOUT,
    failed: Callable[[tuple[str, str, str], str], object] = lambda job, reason: None,
) -> list:
    """`reader((path, shown, form ID))` for every file, in `jobs` worker processes that
    judge with `context` (local rules, last year's reports); results in input order, and
    `failed(job, reason)` for a file whose reading crashed or hung its worker."""
    form = (spec or current()).id
    work = [(str(path), shown, form) for path, shown in files]
    pool = Pool(reader, failed, min(jobs or default_jobs(), max(len(work), 1)), timeout, context)
    return pool.run(work, progress)
