"""Merging many agencies' submissions into one summary: which files (inputs.py), each
read and judged (submission.py), which count (policy.py, roster.py), summed (core.py),
written (write.py, book.py, longtable.py) and reported in the terminal (text.py)."""

from .core import Merged, Options, merge, read_all, sum_values, summary_report
from .write import WriteError, write_outputs

__all__ = ["Merged", "Options", "WriteError", "merge", "read_all", "sum_values", "summary_report", "write_outputs"]
