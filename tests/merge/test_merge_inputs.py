"""Which files a merge reads (inputs.collect): folders, links, lock and hidden files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from mergekit import EXAMPLES

from xlsx_tools.merge.inputs import InputError, collect
from xlsx_tools.read.workbook import readable as readable_name


@pytest.fixture()
def tree(tmp_path) -> Path:
    root = tmp_path / "in"
    (root / "a" / "b").mkdir(parents=True)
    shutil.copy(EXAMPLES / "03-教育局.xlsx", root / "x.xlsx")
    shutil.copy(EXAMPLES / "04-卫健局.xlsx", root / "a" / "b" / "y.XLSX")
    (root / "a" / "~$y.xlsx").write_bytes(b"\x05zhang")
    (root / "a" / "notes.txt").write_bytes(b"PK")
    (root / "a" / "report.docx").write_bytes(b"PK")  # a Word document is a report to read (read/documents.py)
    (root / ".cache").mkdir()
    (root / ".cache" / "z.xlsx").write_bytes(b"")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "m.pyc").write_bytes(b"")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(EXAMPLES / "01-人社局-申请量大.xlsx", other / "w.xlsm")
    os.symlink(other, root / "linked")
    os.symlink(root, root / "a" / "loop")  # a link back up must not loop
    return root


def test_folders_are_walked_once_in_order(tree):
    found = collect([tree])
    assert [s for _, s in found.files] == [
        str(tree / "x.xlsx"),
        str(tree / "a" / "report.docx"),
        str(tree / "a" / "b" / "y.XLSX"),
        str(tree / "linked" / "w.xlsm"),
    ]
    reasons = {Path(k.shown.rstrip(os.sep)).name: k.reason for k in found.skipped}
    assert reasons == {
        ".cache": "隐藏文件夹，未读取其中的文件",
        "~$y.xlsx": "Office 临时锁定文件（~$ 开头，工作簿正被打开时产生），不是报告",
        "notes.txt": "不是工作簿（.txt）",
    }


def test_a_file_given_twice_is_read_once_and_outputs_are_never_read(tree):
    found = collect([tree / "x.xlsx", tree, tree / "x.xlsx"], exclude={(tree / "x.xlsx").resolve()})
    assert str(tree / "x.xlsx") not in [s for _, s in found.files]
    assert [k.reason for k in found.skipped if k.shown == str(tree / "x.xlsx")] == ["本次汇总的输出文件"]


def test_missing_input(tmp_path):
    with pytest.raises(InputError, match="不存在"):
        collect([tmp_path / "无"])


def test_names_that_are_not_utf8():
    gbk = os.fsdecode("教育局.xlsx".encode("gbk"))
    assert gbk != "教育局.xlsx"
    assert readable_name(gbk) == "教育局.xlsx"
    assert readable_name("普通.xlsx") == "普通.xlsx"
