"""A county office's folder as it arrives: some reports as workbooks, some as Word
documents, some as web pages. Its merge equals the merge of the same reports as workbooks."""

from __future__ import annotations

import shutil

import pytest
from docfixtures import docx, word_page
from mergekit import EXAMPLES

from xlsx_tools.merge import Options, merge
from xlsx_tools.report import load_json
from xlsx_tools.testing import documents as D


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    mixed = tmp_path_factory.mktemp("mixed")
    books = tmp_path_factory.mktemp("books")
    for k, path in enumerate(sorted(EXAMPLES.glob("*.xlsx"))):
        shutil.copy(path, books / path.name)
        report = load_json(path.with_suffix(".json"))
        c = report.cells
        report.text["other"] = (
            f"发出收费通知{c['fee.notices']}件，收费通知总金额{c['fee.notice_amount']}元，实际收取信息处理费{c['fee.collected']}元。"
        )
        o = D.Options(published="发布时间：2026-01-20", blank_zero=k % 2 == 1)
        if k % 3 == 0:
            shutil.copy(path, mixed / path.name)
        elif k % 3 == 1:
            docx(mixed / f"{path.stem}.docx", report, o)
        else:
            word_page(mixed / f"{path.stem}.htm", report, o, site=True)
    return mixed, books


def test_a_mixed_folder_merges_like_the_same_reports_as_workbooks(folders):
    mixed, books = folders
    assert {p.suffix for p in mixed.iterdir()} == {".xlsx", ".docx", ".htm"}
    a = merge([mixed], Options(name="示例县", year=2025, jobs=1))
    b = merge([books], Options(name="示例县", year=2025, jobs=1))
    assert [s.agency for s in a.submissions] == [s.agency for s in b.submissions]
    assert [s.agency for s in a.included] == [s.agency for s in b.included]  # documents carry a warning more (no 统一社会信用代码)
    assert len(a.included) == len(b.included) == 5
    assert a.summary.cells == b.summary.cells
    assert a.summary.cells["t3.new.total"] == 685
