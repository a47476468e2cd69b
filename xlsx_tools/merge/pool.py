"""Reading many files in worker processes: each worker is given the merge's `Context`
(local rules, last year's reports) once, then reads file after file; results come
back in input order. A few files are read in this process (starting workers costs
more than it saves)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from ..form import FormSpec, current
from .submission import Context, set_context

POOL_MIN_FILES = 12  # below this, reading in-process beats starting workers

Progress = Callable[[int, int], None]


def default_jobs() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _init_worker(context: Context) -> None:
    _ignore_sigint()
    set_context(context)


def _read_indexed(item: tuple[int, tuple[str, str, str], Callable]) -> tuple[int, object]:
    i, job, reader = item
    return i, reader(job)


def read_all_with(
    reader: Callable,
    files: list[tuple[Path, str]],
    jobs: int | None = None,
    progress: Progress | None = None,
    spec: FormSpec | None = None,
    context: Context | None = None,
) -> list:
    """`reader((path, shown, form ID))` for every file, in `jobs` worker processes that
    judge with `context` (local rules, last year's reports); results in input order."""
    form = (spec or current()).id
    work = [(str(path), shown, form) for path, shown in files]
    n = len(work)
    jobs = jobs or default_jobs()
    context = context or Context()
    out: list = [None] * n
    if jobs <= 1 or n < POOL_MIN_FILES:
        set_context(context)
        try:
            for i, job in enumerate(work):
                out[i] = reader(job)
                if progress:
                    progress(i + 1, n)
        finally:
            set_context(Context())
        return out
    # fork is cheap and safe here (no threads); elsewhere the platform's default (spawn).
    # The context reaches each worker once: inherited with fork, pickled once with spawn.
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    chunk = max(1, min(16, n // (jobs * 8)))
    with ctx.Pool(min(jobs, n), initializer=_init_worker, initargs=(context,)) as pool:
        items = ((i, job, reader) for i, job in enumerate(work))
        for done, (i, result) in enumerate(pool.imap_unordered(_read_indexed, items, chunk), start=1):
            out[i] = result
            if progress:
                progress(done, n)
    return out
