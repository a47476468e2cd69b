"""Writing workbooks from a form: the template builder (template.py) with its styles,
formulas and live checks compiled from the rules (formulas.py, livechecks.py), long
sheets streamed (sheetstream.py), and the macro-enabled template (xlsm.py)."""

from .template import build_workbook

__all__ = ["build_workbook"]
