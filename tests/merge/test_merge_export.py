"""The long table: the 明细 sheet, --export CSV (BOM, formula injection) and Parquet."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from gk import INPUT_IDS
from mergekit import agency_report, run, sheet, write

from xlsx_tools.merge.longtable import COLUMNS, neutralise


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("export")
    reports = {
        "a.xlsx": agency_report(1, '=HYPERLINK("http://x","点我")'),
        "b.xlsx": agency_report(2, "+示例县第2局"),
        "c.xlsx": agency_report(3, "@示例县第3局"),
        "d.xlsx": agency_report(4, "-示例县第4局"),
    }
    reports["a.xlsx"].cells["t2.fee.amount"] = 12.34
    for name, report in reports.items():
        write(report, root / "in" / name)
    for suffix in ("csv", "parquet"):
        assert run("merge", root / "in", "-o", root / f"{suffix}.xlsx", "--export", root / f"明细.{suffix}") == 0
    return root, reports


def test_neutralise():
    assert [neutralise(t) for t in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "示例", "1-2")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\t=1",
        "示例",
        "1-2",
    ]


def test_detail_sheet_is_agency_by_id(merged):
    root, reports = merged
    rows = sheet(root / "csv.xlsx", "明细")
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 1 + len(reports) * len(INPUT_IDS)
    first = [r for r in rows[1:] if r[2] == "t2.fee.amount" and r[0].startswith("=HYPERLINK")]
    assert first == [
        [
            '=HYPERLINK("http://x","点我")',
            reports["a.xlsx"].meta["uscc"],
            "t2.fee.amount",
            "表二",
            "行政事业性收费",
            "本年收费金额（单位：万元）",
            12.34,
        ]
    ]


def test_csv_has_bom_and_neutralised_text(merged):
    root, reports = merged
    raw = (root / "明细.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader((root / "明细.csv").open(encoding="utf-8-sig", newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 1 + len(reports) * len(INPUT_IDS)
    agencies = {r[0] for r in rows[1:]}
    assert agencies == {'\'=HYPERLINK("http://x","点我")', "'+示例县第2局", "'@示例县第3局", "'-示例县第4局"}
    value = {(r[0], r[2]): r[6] for r in rows[1:]}
    assert value[("'+示例县第2局", "t3.new.natural")] == str(reports["b.xlsx"].cells["t3.new.natural"])
    assert ("'+示例县第2局", "t3.new.total") not in value  # totals are sums of the rows, not rows
    assert value[('\'=HYPERLINK("http://x","点我")', "t2.fee.amount")] == "12.34"


def test_parquet_holds_the_same_table(merged):
    import pyarrow.parquet as pq

    root, reports = merged
    table = pq.read_table(root / "明细.parquet")
    assert tuple(table.column_names) == COLUMNS
    assert table.num_rows == len(reports) * len(INPUT_IDS)
    rows = sheet(root / "parquet.xlsx", "明细")[1:]
    assert table.to_pylist()[:3] == [dict(zip(COLUMNS, r, strict=False)) for r in rows[:3]]
    new = sum(
        v for cid, v in zip(table.column("编号").to_pylist(), table.column("数值").to_pylist(), strict=False) if cid.startswith("t3.new.")
    )
    assert new == sum(r.cells["t3.new.total"] for r in reports.values())


def test_export_format_is_checked_before_any_work(tmp_path, capsys):
    write(agency_report(1), tmp_path / "in" / "a.xlsx")
    assert run("merge", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--export", tmp_path / "x.txt") == 2
    assert "应以 .csv 或 .parquet 结尾" in capsys.readouterr().err
    assert not (tmp_path / "s.xlsx").exists()


def test_export_is_not_written_over_without_force(tmp_path, capsys):
    write(agency_report(1), tmp_path / "in" / "a.xlsx")
    (tmp_path / "x.csv").write_text("keep", encoding="utf-8")
    assert run("merge", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--export", tmp_path / "x.csv") == 2
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "s.xlsx").exists()


def test_a_long_table_too_big_for_the_workbook_is_left_to_the_export(tmp_path, monkeypatch, capsys):
    from xlsx_tools.merge import book as mergebook

    monkeypatch.setattr(mergebook, "DETAIL_MAX_ROWS", 300)  # instead of generating 3,000 agencies
    write(agency_report(1), tmp_path / "in" / "a.xlsx")
    write(agency_report(2), tmp_path / "in" / "b.xlsx")
    assert run("merge", tmp_path / "in", "-o", tmp_path / "s.xlsx") == 0
    note = f"明细共 {2 * len(INPUT_IDS)} 行，超过汇总工作簿可容纳的 300 行（为使汇总表仍能再次汇总），未写入工作簿；请使用 --export 导出为 CSV 或 Parquet。"
    assert note in capsys.readouterr().out
    assert sheet(tmp_path / "s.xlsx", "明细") == [[note]]
    assert run("merge", tmp_path / "in", "-o", tmp_path / "t.xlsx", "--export", tmp_path / "t.csv") == 0
    assert f"已导出到 {tmp_path / 't.csv'}" in sheet(tmp_path / "t.xlsx", "明细")[0][0]
    assert len((tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 2 * len(INPUT_IDS)


def test_the_largest_long_table_in_a_workbook_can_still_be_merged_again(tmp_path):
    """A summary whose 明细 is as long as allowed, with long names and wide numbers, is
    read back by the reader (whose zip-bomb limits bound every workbook part)."""
    import datetime as dt
    import random

    from xlsx_tools.merge import Merged, Options, summary_report, write_outputs
    from xlsx_tools.merge.book import DETAIL_MAX_ROWS
    from xlsx_tools.merge.submission import Submission
    from xlsx_tools.read.reader import read_report

    rng = random.Random(5)
    subs = []
    for i in range(DETAIL_MAX_ROWS // len(INPUT_IDS)):
        s = Submission(f"{i}.xlsx", f"收件箱/{i:05d}-某某省某某市某某县人力资源和社会保障局.xlsx", readable=True)
        s.agency, s.uscc, s.year, s.status, s.included = (
            f"某某省某某市某某县第{i:05d}号人力资源和社会保障局",
            f"11450221MB{i:07d}X",
            2025,
            "通过",
            True,
        )
        s.values = tuple(rng.randint(100, 99999) for _ in INPUT_IDS)
        subs.append(s)
    merged = Merged(Options(name="某市"), ["收件箱"], subs, [], dt.datetime(2026, 1, 20), year=2025)
    merged.summary = summary_report(merged)
    write_outputs(merged, tmp_path / "big.xlsx")
    assert len(sheet(tmp_path / "big.xlsx", "明细")) == 1 + len(subs) * len(INPUT_IDS)
    again = read_report(tmp_path / "big.xlsx")
    assert again.meta["covers"] == len(subs)
    assert again.cells["t3.new.natural"] == sum(s.values[INPUT_IDS.index("t3.new.natural")] for s in subs)
