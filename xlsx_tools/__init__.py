"""xlsx-tools: the statutory annual report on government information disclosure
(政府信息公开工作年度报告, form GK-2021) as a protected Excel template, validation
rules and a merge tool, all from one definition of the form."""

from .findings import Finding, ReadError
from .form import CELLS, FORM_ID, INPUT_IDS, TOTAL_IDS
from .reader import read_report
from .report import Report, ReportError, load_json, report_from_json
from .template import build_workbook

__all__ = [
    "CELLS",
    "FORM_ID",
    "INPUT_IDS",
    "TOTAL_IDS",
    "Finding",
    "ReadError",
    "Report",
    "ReportError",
    "build_workbook",
    "load_json",
    "read_report",
    "report_from_json",
]
__version__ = "0.1.0"
