from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gnumeric import Gnumeric  # noqa: E402
from libreoffice import LibreOffice  # noqa: E402
from workbooks import lo_edit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EDU = EXAMPLES / "03-教育局.xlsx"  # a typical filled workbook

# Rows of 表三 as the template lays them out (0-based, for LibreOffice edits).
T3_DISCLOSED_ROW = 6  # （一）予以公开
T3_PARTLY_ROW = 7  # （二）部分公开
# Error values as formulas produce them (表三!D5 #DIV/0!, E5 #N/A; the total J5 follows).
ERROR_FORMULAS = [["formula", "表三", 4, 3, "=1/0"], ["formula", "表三", 4, 4, "=NA()"]]
MACRO_MARKER = "xlsx-tools-macro-ran.txt"
MACRO = (
    'Attribute VB_Name = "Module1"\n'
    "Sub Auto_Open()\n"
    '  Open Environ("TMPDIR") & "/{marker}" For Output As #1\n'
    '  Print #1, "macro ran"\n'
    "  Close #1\n"
    "End Sub\n"
)


LO_FIXTURES = {"libreoffice", "lo_files", "lo_corpus"}
GNUMERIC_FIXTURES = {"gnumeric"}


def pytest_collection_modifyitems(items):
    """A test that uses LibreOffice or Gnumeric through a fixture is marked `libreoffice`
    or `gnumeric` (tests that start them themselves carry the mark explicitly), so
    `pytest -m "not libreoffice and not gnumeric"` is the fast set."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if LO_FIXTURES & names:
            item.add_marker(pytest.mark.libreoffice)
        if GNUMERIC_FIXTURES & names:
            item.add_marker(pytest.mark.gnumeric)
        engine = getattr(item, "callspec", None) and item.callspec.params.get("engine_name")
        if engine:
            item.add_marker(getattr(pytest.mark, engine))


@pytest.fixture(scope="session")
def lo_files(tmp_path_factory) -> dict[str, Path]:
    """Workbooks edited or converted by LibreOffice (one session for all)."""
    out = tmp_path_factory.mktemp("lo-files")
    profile = tmp_path_factory.mktemp("lo-profile")
    jobs = {
        "ods": (EDU, out / "教育局.ods", []),
        "xls": (EDU, out / "教育局.xls", []),
        "row_inside": (
            EDU,
            out / "row-inside.xlsx",
            [
                ["insert_rows", "表三", T3_PARTLY_ROW, 1],
                ["set", "表三", T3_PARTLY_ROW, 1, "（一）其中：网上申请"],
                ["set", "表三", T3_PARTLY_ROW, 3, 5],
            ],
        ),
        "row_inside_empty": (EDU, out / "row-inside-empty.xlsx", [["insert_rows", "表三", 12, 1]]),
        "rows_above": (
            EDU,
            out / "rows-above.xlsx",
            [["insert_rows", "表三", 0, 2], ["insert_rows", "表二", 0, 1], ["insert_rows", "封面", 0, 1]],
        ),
        "col_inside": (EDU, out / "col-inside.xlsx", [["insert_cols", "表三", 5, 1]]),
        "deleted_sheet": (EDU, out / "deleted-sheet.xlsx", [["delete_sheet", "表四"]]),
        "deleted_row": (EDU, out / "deleted-row.xlsx", [["delete_rows", "表三", T3_PARTLY_ROW, 1]]),
        "xlsm": (EDU, out / "macros.xlsm", [["basic_module", "Module1", MACRO.format(marker=MACRO_MARKER)]]),
        "errors_ods": (EDU, out / "errors.ods", ERROR_FORMULAS),
        "errors_xls": (EDU, out / "errors.xls", ERROR_FORMULAS),
        "errors_xlsx": (EDU, out / "errors.xlsx", ERROR_FORMULAS),
        # one space typed in a far cell of 表三: the used range reaches it
        "far_ods": (EDU, out / "far.ods", [["set", "表三", 1_048_575, 1023, " "]]),
        "far_xls": (EDU, out / "far.xls", [["set", "表三", 65_535, 255, " "]]),
    }
    lo_edit(list(jobs.values()), profile)
    return {key: job[1] for key, job in jobs.items()}


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    return LibreOffice(tmp_path_factory.mktemp("lo-profile"))


@pytest.fixture(scope="session")
def gnumeric() -> Gnumeric:
    return Gnumeric()


@pytest.fixture(scope="session")
def example_workbooks() -> list[Path]:
    return sorted(EXAMPLES.glob("*.xlsx"))
