"""Terminal helpers: a progress bar on stderr (only when it is a terminal) and plain
tables that line up Chinese text (a wide character takes two columns). Only
characters that GBK consoles can print are used."""

from __future__ import annotations

import sys
import time
import unicodedata
from typing import TextIO


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cols: int, right: bool = False) -> str:
    space = " " * max(0, cols - width(text))
    return space + text if right else text + space


def table(headers: list[str], rows: list[list[object]]) -> list[str]:
    """A table without borders: headers, a rule, then the rows right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for k, row in enumerate(cells):
        parts = [pad(c, w, right=k > 0) for c, w in zip(row, widths, strict=False)]
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


class ProgressBar:
    """`bar(done, total)` redraws a one-line bar, at most every `interval` seconds.
    Silent unless the stream is a terminal and there are at least `min_total` items."""

    def __init__(self, label: str, stream: TextIO | None = None, min_total: int = 20, interval: float = 0.1):
        self.label = label
        self.stream = stream or sys.stderr
        self.min_total = min_total
        self.interval = interval
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.min_total:
            return
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        cols = 30
        filled = cols * done // total
        self.stream.write(f"\r{self.label} [{'#' * filled}{'-' * (cols - filled)}] {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
