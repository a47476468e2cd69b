"""xlsx-tools: the statutory annual report on government information disclosure
(政府信息公开工作年度报告, form GK-2021) as a protected Excel template, validation
rules and a merge tool, all from one definition of the form.

Imports are lazy: `import xlsx_tools` costs little, and validating a workbook never
loads the template builder (XlsxWriter)."""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "FormSpec": "form",
    "current_form": "form",
    "Finding": "findings",
    "ReadError": "findings",
    "ToolError": "findings",
    "Report": "report",
    "ReportError": "report",
    "load_json": "report",
    "report_from_json": "report",
    "read_report": "read",
    "read_bytes": "read",
    "build_workbook": "build",
    "check_report": "check",
    "validate_file": "check",
    "validate_bytes": "check",
    "publish_file": "publish",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xlsx_tools' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
