"""Judging a Report: every rule of its form (rules.py, narrative.py), in one call
(validate.py), and the results for people and programs (present.py)."""

from .validate import Result, check_report, match_previous, validate_bytes, validate_file, validate_files

__all__ = ["Result", "check_report", "match_previous", "validate_bytes", "validate_file", "validate_files"]
