"""The form definition matches FORMAT-2021.md."""

import re
from pathlib import Path

from gk import CELLS, INPUT_IDS, LAYOUT, META_FIELDS, SECTIONS, T3, TOTAL_IDS, anchor_name

FORMAT = Path(__file__).resolve().parents[2] / "docs" / "FORMAT-2021.md"  # copy of the shared spec


def test_table_three_has_25_rows_by_7_columns():
    t3 = [c for c in CELLS if c.startswith("t3.")]
    assert len(t3) == 175
    assert len(T3.row_paths) == 25 and len(T3.col_paths) == 7
    assert "t3.withheld.third_party.legal" in CELLS
    assert "t3.total.total" in TOTAL_IDS


def test_counts_of_cells():
    assert len([c for c in CELLS if c.startswith("t2.")]) == 10
    assert len([c for c in CELLS if c.startswith("t4.")]) == 15
    assert [c for c in CELLS if c.startswith("fee.")] == ["fee.notices", "fee.notice_amount", "fee.collected"]
    # totals: 25 row totals + 6 column totals of （七）总计 + 3 of table 四
    assert len(TOTAL_IDS) == 34
    assert len(INPUT_IDS) + len(TOTAL_IDS) == len(CELLS)


def test_amounts_are_the_three_money_figures():
    amounts = sorted(c for c, cell in CELLS.items() if cell.kind == "amount")
    assert amounts == ["fee.collected", "fee.notice_amount", "t2.fee.amount"]


def test_ids_and_labels_agree_with_format_page():
    """Every backticked t3 row ID in FORMAT-2021.md is ours with the same label."""
    text = FORMAT.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| (.+?) \|$", text, flags=re.M))
    ours = {".".join(n.key for n in p if n.key): p[-1].label for p in T3.row_paths}
    assert rows == ours


def test_every_cell_has_a_unique_anchor_name_and_position():
    names = [anchor_name(c) for c in CELLS]
    assert len(set(names)) == len(names)
    positions = [LAYOUT.pos[c] for c in CELLS]
    assert len(set(positions)) == len(positions)
    for m in META_FIELDS:
        assert f"meta.{m.key}" in LAYOUT.pos
    for s in SECTIONS:
        assert f"text.{s.key}" in LAYOUT.pos


def test_messages_name_table_row_and_column_as_printed():
    assert CELLS["t3.carried_forward.natural"].display == "表三「四、结转下年度继续办理」自然人列"
    assert CELLS["t3.withheld.third_party.legal"].display == "表三「（三）不予公开4．保护第三方合法权益」法律服务机构列"
    assert CELLS["t4.suit_after_review.pending"].display == "表四 复议后起诉·尚未审结列"
