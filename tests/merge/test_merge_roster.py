"""The roster of agencies expected to submit: reading it, and 报送率 / 未报送 / 不在名单."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from mergekit import agency_report, register, run, sheet, write

from xlsx_tools.merge.roster import RosterError, load_roster

HEADER = "单位名称,统一社会信用代码,上级单位\n"


def test_csv_utf8_with_bom(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text(HEADER + "示例县教育局,,示例县人民政府\n示例县 卫生健康局,11450221MB1234567X,\n", encoding="utf-8-sig")
    roster = load_roster(path)
    assert [(m.name, m.code, m.parent) for m in roster.members] == [
        ("示例县教育局", "", "示例县人民政府"),
        ("示例县 卫生健康局", "11450221MB1234567X", ""),
    ]
    assert roster.match("示例县卫生健康局", "") is roster.members[1]  # spaces do not matter
    assert roster.match("别的名字", "11450221MB1234567X") is roster.members[1]  # the code decides
    assert roster.problems and "校验位" in roster.problems[0]


def test_csv_saved_by_excel_in_gbk(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes((HEADER + "示例县教育局,,\n").encode("gbk"))
    assert load_roster(path).members[0].name == "示例县教育局"


def test_xlsx_roster_and_columns_in_any_order(tmp_path):
    path = tmp_path / "名单.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["序号", "上级单位", "统一社会信用代码", "单位名称"])
    ws.write_row(1, 0, [1, "示例县人民政府", "", "示例县教育局"])
    ws.write_row(2, 0, [2, "示例县人民政府", "", "示例县教育局"])
    wb.close()
    roster = load_roster(path)
    assert [(m.name, m.parent, m.line) for m in roster.members] == [("示例县教育局", "示例县人民政府", 2)]
    assert roster.problems == ["名单第 3 行「示例县教育局」与第 2 行重复，已忽略"]


def test_roster_without_header_is_read_by_position(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("示例县教育局\n示例县卫生健康局\n", encoding="utf-8")
    assert [m.name for m in load_roster(path).members] == ["示例县教育局", "示例县卫生健康局"]


@pytest.mark.parametrize(
    "content, message",
    [(None, "不存在"), ("", "是空的"), ("单位名称,代码\n,\n", "没有找到单位")],
)
def test_unusable_roster(tmp_path, content, message):
    path = tmp_path / "名单.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RosterError, match=message):
        load_roster(path)


def test_unusable_roster_is_a_usage_error_before_reading(tmp_path, capsys):
    write(agency_report(1), tmp_path / "in" / "a.xlsx")
    assert run("merge", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--roster", tmp_path / "无.csv") == 2
    assert "名单文件" in capsys.readouterr().err
    assert not (tmp_path / "s.xlsx").exists()


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("county")
    box = root / "in"
    edu = agency_report(1, "示例县教育局")
    health = agency_report(2, "示例县卫生健康局")
    water = agency_report(3, "示例县水利局", uscc=None)
    stranger = agency_report(4, "示例县某某中心")
    write(edu, box / "edu.xlsx")
    write(health, box / "health.xlsx")
    write(water, box / "water.xlsx")
    write(stranger, box / "stranger.xlsx")
    write(agency_report(5, "示例县交通运输局", year=2024), box / "transport-2024.xlsx")
    roster = root / "名单.csv"
    roster.write_text(
        HEADER
        + f"教育局（示例县）,{edu.meta['uscc']},示例县人民政府\n"  # matched by code, named differently
        + "示例县卫生健康局,,示例县人民政府\n"  # matched by name
        + "示例县 水利局,,示例县人民政府\n"
        + "示例县交通运输局,,示例县人民政府\n"  # only last year's report
        + "示例县审计局,,示例县人民政府\n",  # nothing at all
        encoding="utf-8-sig",
    )
    out = root / "汇总.xlsx"
    assert run("merge", box, "-o", out, "--roster", roster) == 1
    return out


def test_missing_agencies_are_listed(county):
    rows = sheet(county, "未报送")
    assert rows[0] == ["序号", "单位名称", "统一社会信用代码", "上级单位", "说明"]
    assert [(r[1], r[4]) for r in rows[1:]] == [
        ("示例县交通运输局", "只收到 2024 年度的报告（" + str(Path(county).parent / "in" / "transport-2024.xlsx") + "）"),
        ("示例县审计局", ""),
    ]


def test_submissions_not_on_the_roster_are_counted_and_flagged(county):
    row = register(county)["stranger.xlsx"]
    assert (row["状态"], row["计入汇总"]) == ("不在名单", "是")
    assert "不在应报送单位名单" in row["说明"]
    assert register(county)["edu.xlsx"]["状态"] == "通过"
    head, *rows = sheet(county, "问题清单")
    problems = [dict(zip(head, r, strict=False)) for r in rows]
    assert [p["规则"] for p in problems if Path(p["文件"]).name == "stranger.xlsx"] == ["NOT-ON-ROSTER"]


def test_about_sheet_gives_the_submission_rate(county):
    about = {r[0]: r[1] for r in sheet(county, "汇总说明") if r[0]}
    assert about["名单单位数"] == 5
    assert about["已报送"] == 3
    assert about["未报送"] == 2
    assert about["报送率"] == "60.0%"
    assert about["不在名单中的报送单位"] == 1


# Rosters as offices really keep them: a title above the header, a 序号 column, headers with notes.
OFFICE_ROSTERS = {
    "title-serial-notes": (
        "示例县2025年度政府信息公开工作年度报告应报送单位名单\n"
        "序号,单位全称,统一社会信用代码（18位）,主管单位\n"
        "1,示例县教育局,,示例县人民政府\n"
        "2,示例县卫生健康局,,示例县人民政府\n"
    ),
    "notes-above-and-repeated-header": (
        "说明：请各单位于1月31日前报送\n\n序号,名称\n1,示例县教育局\n序号,名称\n2,示例县卫生健康局\n合计,\n"
    ),
    "spaced-header-with-colon": "单 位 名 称：,备注\n示例县教育局,\n示例县卫生健康局,\n",
    "title-and-serials-no-header": "示例县应报送单位名单\n1,示例县教育局\n2,示例县卫生健康局\n",
    "code-header-beside-unit": "序号,单位,社会信用代码\n1,示例县教育局,\n2,示例县卫生健康局,\n",
}


@pytest.mark.parametrize("case", sorted(OFFICE_ROSTERS))
def test_rosters_as_offices_keep_them(tmp_path, case):
    path = tmp_path / "名单.csv"
    path.write_text(OFFICE_ROSTERS[case], encoding="utf-8")
    roster = load_roster(path)
    assert [m.name for m in roster.members] == ["示例县教育局", "示例县卫生健康局"]
    assert not any(m.name.isdigit() or "名单" in m.name or "序号" in m.name for m in roster.members)


def test_a_roster_workbook_with_a_notes_sheet_and_a_title(tmp_path):
    path = tmp_path / "名单.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("填表说明").write(0, 0, "填表说明：名单见第二页")
    ws = book.add_worksheet("名单")
    ws.merge_range(0, 0, 0, 3, "应报送单位名单")
    ws.write_row(1, 0, ["序号", "单位名称", "统一社会信用代码（18位）", "上级单位"])
    ws.write_row(2, 0, [1, "示例县教育局", "", "示例县人民政府"])
    ws.write_row(3, 0, [2, "示例县卫生健康局", "", "示例县人民政府"])
    book.close()
    roster = load_roster(path)
    assert [(m.name, m.parent, m.line) for m in roster.members] == [
        ("示例县教育局", "示例县人民政府", 3),
        ("示例县卫生健康局", "示例县人民政府", 4),
    ]


def test_a_roster_whose_columns_cannot_be_told_apart_is_refused(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("1,示例县教育局,甲,乙,丙\n", encoding="utf-8")
    with pytest.raises(RosterError, match="没有找到表头行"):
        load_roster(path)


def test_submission_rate_with_an_office_roster(tmp_path):
    box = tmp_path / "in"
    write(agency_report(1, "示例县教育局"), box / "edu.xlsx")
    write(agency_report(2, "示例县卫生健康局"), box / "health.xlsx")
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "示例县应报送单位名单\n序号,单位全称,统一社会信用代码（18位）\n1,示例县教育局,\n2,示例县卫生健康局,\n3,示例县审计局,\n",
        encoding="utf-8-sig",
    )
    out = tmp_path / "汇总.xlsx"
    assert run("merge", box, "-o", out, "--roster", roster) == 1  # one agency has not submitted
    about = {r[0]: r[1] for r in sheet(out, "汇总说明") if r[0]}
    assert (about["名单单位数"], about["已报送"], about["报送率"]) == (3, 2, "66.7%")
    assert register(out)["edu.xlsx"]["状态"] == "通过"
    assert [r[1] for r in sheet(out, "未报送")[1:]] == ["示例县审计局"]
