"""GK-2021 as the tests name it: the current form's spec and its parts under short names.

The package passes a `FormSpec` around; tests of GK-2021 read its cells, layout and
rules from here, with the spec bound where a function takes one."""

from __future__ import annotations

from functools import partial

from xlsx_tools.build import livechecks
from xlsx_tools.check import narrative, rules
from xlsx_tools.excel import results
from xlsx_tools.findings import RULES  # noqa: F401
from xlsx_tools.form import AMOUNT, Node, Pos, get  # noqa: F401
from xlsx_tools.form.gk2021.tables import FEE, T2_GRIDS, T3, T4  # noqa: F401
from xlsx_tools.form.layout import FORM_NAME, STATUS_NAME, anchor_name, parse_a1  # noqa: F401

GK = get("GK-2021")
FORM_ID = GK.id
CELLS = GK.cells
INPUT_IDS = GK.input_ids
TOTAL_IDS = GK.total_ids
META_FIELDS = GK.meta_fields
SECTIONS = GK.sections
CHECKS = GK.checks

LAYOUT = GK.layout
COVER = LAYOUT.cover
T3_SHEET = LAYOUT.table_sheets["t3"]
T4_SHEET = LAYOUT.table_sheets["t4"]
SHEET_ORDER = LAYOUT.order
TABLE_SHEETS = LAYOUT.table_sheets
CHECK_SHEET = LAYOUT.checks
RESULT_SHEET = LAYOUT.results
RESULT_HEADERS = LAYOUT.result_headers
CHECK_FIRST_ROW = LAYOUT.check_first_row
RESULT_FIRST_ROW = LAYOUT.result_first_row
COL = LAYOUT.check_col

LIVE_ROWS = livechecks.live_rows(GK)
INPUT_KEYS = results.input_keys(GK)

compute_totals = GK.compute_totals
meta_findings = partial(rules.meta_findings, GK)
deadline_finding = partial(rules.deadline_finding, GK)
type_findings = partial(rules.type_findings, GK)
narrative_findings = partial(narrative.narrative_findings, GK)
