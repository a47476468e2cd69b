"""The fingerprint of a published report (check/fingerprint.py): its text as written and as
editors give it back, and a hash that depends on the numbers as printed, nothing else."""

from __future__ import annotations

from conftest import EXAMPLES
from gk import GK

from xlsx_tools.check.fingerprint import Stamp, digest, make_stamp, parse_stamp, same_numbers
from xlsx_tools.report import load_json

HEX = "0123456789abcdef" * 4


def test_the_stamp_as_written_and_as_editors_give_it_back():
    want = Stamp("GK-2021", "xlsx-tools 0.1.0", HEX)
    assert want.text == f"GK-2021; xlsx-tools 0.1.0; cells-sha256={HEX}"
    for written in (
        want.text,
        f"GK-2021, xlsx-tools, 0.1.0, cells-sha256={HEX}",  # LibreOffice's PDF keywords
        f"GK-2021 xlsx-tools 0.1.0 cells-sha256={HEX}",  # LibreOffice's .docx keywords
        f"年度报告; GK-2021; xlsx-tools 0.1.0; cells-sha256={HEX}; 已发布",  # tags someone added
    ):
        assert parse_stamp(written) == want, written
    for other in (
        None,
        "",
        "GK-2021",
        f"GK-2021; other-tool 1.0; cells-sha256={HEX}",
        f"GK-2021; xlsx-tools 0.1.0; cells-sha256={HEX[:-1]}",
    ):
        assert parse_stamp(other) is None, other


def test_the_hash_is_of_the_numbers_as_printed():
    report = load_json(EXAMPLES / "03-教育局.json")
    base = digest(GK, report)
    assert len(base) == 64 and make_stamp(GK, report).digest == base
    as_floats = load_json(EXAMPLES / "03-教育局.json")
    as_floats.cells = {k: float(v) for k, v in as_floats.cells.items()}
    assert digest(GK, as_floats) == base  # 12 and 12.0 print alike
    without_totals = load_json(EXAMPLES / "03-教育局.json")
    without_totals.cells = {k: v for k, v in without_totals.cells.items() if k in GK.input_ids}
    assert digest(GK, without_totals) == base  # a total left out is printed as computed
    without_totals.text["other"] = "另一段文字"
    without_totals.meta["agency"] = "别的单位"
    assert digest(GK, without_totals) == base  # the numbers only
    changed = load_json(EXAMPLES / "03-教育局.json")
    changed.cells["t3.new.natural"] += 1
    assert digest(GK, changed) != base
    changed.cells["t3.new.natural"] -= 1
    changed.cells["t3.new.total"] += 1  # a stated total differs from its parts: printed as stated
    assert digest(GK, changed) != base


def test_same_numbers_only_for_a_stamp_of_its_form():
    report = load_json(EXAMPLES / "03-教育局.json")
    assert same_numbers(GK, report) is None
    report.stamp = make_stamp(GK, report).text
    assert same_numbers(GK, report) is True
    report.stamp = Stamp("GK-2099", "xlsx-tools 0.1.0", digest(GK, report)).text
    assert same_numbers(GK, report) is None
    report.stamp = Stamp("GK-2021", "xlsx-tools 0.1.0", HEX).text
    assert same_numbers(GK, report) is False
