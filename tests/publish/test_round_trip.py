"""What was validated is what gets published: every example and a county summary,
published as .docx and as .html with `xlsx-tools publish`, read back with
`xlsx-tools export` (the document readers), give exactly the same cells, agency, year
and section texts — and the document says it is unchanged (its fingerprint)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES
from gk import GK

from xlsx_tools.check import validate_file
from xlsx_tools.cli import main
from xlsx_tools.publish import build_document
from xlsx_tools.read import read_report
from xlsx_tools.report import load_json

WORKBOOKS = sorted(EXAMPLES.glob("*.xlsx"))
KINDS = (".docx", ".html")


def export(path: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["export", str(path)]) == 0
    return json.loads(capsys.readouterr().out)


def publish(src: Path, out: Path, capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["publish", str(src), "-o", str(out), *extra])
    return code, capsys.readouterr().out


def _has_errors(path: Path) -> bool:
    return validate_file(path).errors > 0


@pytest.mark.parametrize("suffix", KINDS)
@pytest.mark.parametrize("workbook", WORKBOOKS, ids=lambda p: p.stem)
def test_every_example_comes_back_exactly(workbook, suffix, tmp_path, capsys):
    expected = load_json(workbook.with_suffix(".json")).to_json()
    out = tmp_path / f"report{suffix}"
    extra = ("--allow-errors",) if _has_errors(workbook) else ()
    code, said = publish(workbook, out, capsys, *extra)
    assert code == (1 if extra else 0), said
    got = export(out, capsys)
    assert got["cells"] == expected["cells"]
    assert (got["meta"]["agency"], got["meta"]["year"]) == (expected["meta"]["agency"], expected["meta"]["year"])
    assert got["meta"]["published_on"] == expected["meta"]["published_on"]  # the signature's date
    assert got["text"] == expected["text"]  # every example states its fee figures: nothing added
    assert "注意：" not in said


@pytest.mark.parametrize("suffix", KINDS)
def test_the_json_of_an_example_publishes_as_its_workbook(suffix, tmp_path, capsys):
    source = EXAMPLES / "03-教育局.json"
    code, _ = publish(source, tmp_path / f"a{suffix}", capsys)
    assert code == 0
    assert export(tmp_path / f"a{suffix}", capsys)["cells"] == load_json(source).to_json()["cells"]


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("summary") / "示例县汇总.xlsx"
    assert main(["merge", str(EXAMPLES), "-o", str(out), "--name", "示例县人民政府", "--year", "2025"]) == 1  # 05 has errors
    return out


@pytest.mark.parametrize("suffix", KINDS)
def test_a_summary_publishes_from_the_same_code_path(summary, suffix, tmp_path, capsys):
    merged = read_report(summary)
    assert (merged.meta["kind"], merged.meta["covers"]) == (GK.summary_kind, 5)
    out = tmp_path / f"county{suffix}"
    code, said = publish(summary, out, capsys)
    assert code == 0, said
    got = export(out, capsys)
    want = merged.to_json()
    assert got["cells"] == want["cells"]
    assert {k: got["meta"][k] for k in ("agency", "year", "kind", "covers")} == {
        "agency": "示例县人民政府",
        "year": 2025,
        "kind": GK.summary_kind,
        "covers": 5,
    }
    # section 一 already states 汇总单位数 (the merge's own words); section 六 gets the fee sentence
    doc = build_document(merged)
    fee = GK.document.fee_sentence({"fee.notices": "11", "fee.notice_amount": "1000", "fee.collected": "950"})
    assert fee == "本年度共发出收费通知11件，收费通知总金额1000元，实际收取信息处理费950元。"
    assert got["text"] == {"overview": merged.text["overview"], "other": fee} == {k: v for k, v in doc.texts.items() if v}
    assert f"注意：「六、其他需要报告的事项」末尾补充了信息处理费的说明：{fee}" in said
    assert "注意：正文「五、存在的主要问题及改进情况」没有内容，文档中这一部分只有标题" in said


def test_a_summary_whose_text_does_not_state_its_units_gets_the_sentence(summary, tmp_path):
    merged = read_report(summary)
    merged.text["overview"] = "全年共收到政府信息公开申请685件。"
    doc = build_document(merged)
    assert doc.texts["overview"] == "本报告由5个单位的报告汇总而成。\n全年共收到政府信息公开申请685件。"
    assert doc.subtitle == "（汇总报告，汇总单位数：5）"
    assert "「一、总体情况」开头补充了汇总单位数：本报告由5个单位的报告汇总而成。" in doc.notes
    merged.text["overview"] = "本县 5 个单位报送了年度报告。"
    assert build_document(merged).texts["overview"] == merged.text["overview"]


@pytest.mark.parametrize("suffix", KINDS)
def test_a_published_document_says_its_numbers_are_unchanged(suffix, tmp_path, capsys):
    out = tmp_path / f"r{suffix}"
    publish(EXAMPLES / "01-人社局-申请量大.xlsx", out, capsys)
    capsys.readouterr()
    main(["validate", str(out)])
    said = capsys.readouterr().out
    assert "文档指纹：数字与生成时校验过的报告相同（GK-2021，xlsx-tools 0.1.0 生成）" in said
    assert "FINGERPRINT" not in said
    main(["validate", "--format", "json", str(out)])
    (result,) = json.loads(capsys.readouterr().out)
    assert result["fingerprint"] == "文档指纹：数字与生成时校验过的报告相同（GK-2021，xlsx-tools 0.1.0 生成）"


def test_a_number_changed_after_publishing_is_found(tmp_path, capsys):
    from publishing import retyped, table_cells

    out = tmp_path / "r.docx"
    publish(EXAMPLES / "03-教育局.xlsx", out, capsys)
    row = table_cells(out, 1)[3]
    assert row[0] == "一、本年新收政府信息公开申请数量" and row[1] == "73"
    edited = retyped(out, tmp_path / "edited.docx", 1, 3, 1, "74")
    result = validate_file(edited)
    [f] = [f for f in result.findings if f.rule == "FINGERPRINT"]
    assert f.severity == "warning"
    assert f.message == (
        "本文档由 xlsx-tools 0.1.0 从校验过的报告生成（GK-2021），但文档中的数字与生成时不同：生成后有数字被改动过；"
        "请核对改动，改在报告工作簿中并重新校验、重新生成文档"
    )
    assert result.fingerprint == "文档指纹：数字与生成时校验过的报告不同（GK-2021，xlsx-tools 0.1.0 生成），见 FINGERPRINT"
    assert {"T3-BALANCE", "T3-ROWSUM"} <= {f.rule for f in result.findings}  # and the identities it broke


def test_a_document_without_a_fingerprint_says_nothing_about_one(tmp_path):
    from docfixtures import built, docx

    result = validate_file(docx(tmp_path / "typed.docx", built()))
    assert result.fingerprint is None and "FINGERPRINT" not in {f.rule for f in result.findings}
    assert validate_file(EXAMPLES / "03-教育局.xlsx").fingerprint is None
