"""The register (报送登记) a summary workbook carries: one row per input file of the merge
that made it. Written by book.py; read back here, so that a summary given to a later
merge says which agencies it already covers (a summary must never be counted together
with any of them)."""

from __future__ import annotations

from pathlib import Path

from ..findings import ReadError
from ..values import normalise_text

REGISTER = "报送登记"
YES, NO = "是", "否"
REGISTER_COLUMNS = (
    ("序号", 6),
    ("文件", 36),
    ("单位名称", 28),
    ("统一社会信用代码", 21),
    ("上级单位", 18),
    ("报告年度", 8),
    ("报告类型", 10),
    ("汇总单位数", 8),
    ("填报日期", 11),
    ("状态", 9),
    ("错误数", 7),
    ("提示数", 7),
    ("计入汇总", 8),
    ("说明", 70),
    ("大小（字节）", 11),
    ("修改时间", 19),
    ("SHA-256", 66),
    ("上年报告", 24),
    ("审核意见", 50),
)
_TITLES = [t for t, _ in REGISTER_COLUMNS]
_NAME, _CODE, _COUNTED = (_TITLES.index(t) for t in ("单位名称", "统一社会信用代码", "计入汇总"))


def covered(path: str | Path) -> list[tuple[str, str]]:
    """(agency, 统一社会信用代码) of every report a summary workbook counted, from its register;
    [] where the workbook has no register in this shape."""
    from ..read.workbook import open_workbook

    try:
        book = open_workbook(path)
        if REGISTER not in book.sheet_names():
            return []
        rows = book.rows(REGISTER)
    except ReadError:
        return []
    head = [normalise_text(c) for c in rows[0][: _COUNTED + 1]] if rows else []
    if head != [normalise_text(t) for t in _TITLES[: _COUNTED + 1]]:
        return []
    out = []
    for row in rows[1:]:
        if len(row) > _COUNTED and normalise_text(row[_COUNTED]) == YES:
            out.append((normalise_text(row[_NAME]), normalise_text(row[_CODE]).upper()))
    return out
