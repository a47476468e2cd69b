"""Terminal helpers: a progress bar on stderr (only when it is a terminal), plain
tables that line up Chinese text (a wide character takes two columns), and argparse
in Chinese (its usage, help and every error; numbers checked). Only characters that
GBK consoles can print are used."""

from __future__ import annotations

import argparse
import math
import sys
import time
import unicodedata
from contextlib import contextmanager
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


# argparse's own words, in Chinese (its messages go through a module-level `_`; they are
# swapped in while the command line is parsed, and any message not listed stays as it is).
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "须给出参数 %s 之一",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid %(type)s value: %(value)r": "「%(value)s」不是有效的值",
    "invalid choice: %(value)r (choose from %(choices)s)": "「%(value)s」不是可选的值（可选：%(choices)s）",
    "expected one argument": "后面应跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少应跟一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "不接受值 %r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令「%(parser_name)s」（可用的命令：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开「%(filename)s」：%(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：参数有误：%(message)s\n",
}


@contextmanager
def chinese_argparse():
    """argparse speaks Chinese inside this block (usage, help headings, every error)."""
    saved = argparse._, argparse.ngettext
    argparse._ = lambda text: ARGPARSE_ZH.get(text, text)
    argparse.ngettext = lambda one, many, n: ARGPARSE_ZH.get(one if n == 1 else many, one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: exit 2 with a Chinese hint
        self.print_usage(sys.stderr)
        print(f"{self.prog}：参数有误：{message}", file=sys.stderr)
        sys.exit(2)


def number(kind: type, low: float, high: float = math.inf, *, above: bool = False):
    """An argparse type: a finite `kind` number from `low` (or above it) up to `high`,
    else a Chinese refusal (nan and inf included)."""

    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        fits = value is not None and math.isfinite(value) and (value > low if above else value >= low) and value <= high
        if not fits:
            noun = "整数" if kind is int else "数"
            bound = (
                f"大于 {low:g} 的{noun}"
                if above
                else f" {low:g} 到 {high:g} 之间的{noun}"
                if high < math.inf
                else f"不小于 {low:g} 的{noun}"
            )
            raise argparse.ArgumentTypeError(f"应为{bound}，而不是「{text}」")
        return value

    return convert


POSITIVE = number(float, 0, above=True)  # seconds and megabytes: finite and above 0
