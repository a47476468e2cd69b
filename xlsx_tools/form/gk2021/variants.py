"""How real published GK-2021 reports differ from the statutory wording, as a closed list.

Seen across 87 real reports of one area (2021–2025). Each variant is accepted only where
it cannot stand for anything else in its table; the reader reads the row and warns
(LABEL-VARIANT), naming the label as written. Nothing outside this list is guessed.

- 「规范性文件」 for 「行政规范性文件」 (about one report in six);
- 「不再受理」 for 「不再处理」 in the two rows of （六）其他处理;
- 「属于行政执法案件」 for 「属于行政执法案卷」;
- 「其他法律和行政法规禁止公开」 for 「其他法律行政法规禁止公开」;
- the 「3．」 numbering left out (labels compare without punctuation, so 「3.」 and 「3、」
  are the statutory wording already; the number itself missing is a variant) — but not for
  「3．其他」: 「其他」 alone is also a column header of table 三, so it is not unambiguous;
- the 规章 row left out by agencies without rule-making power (`OMISSIBLE`): not applicable,
  its cells are not read (no zeros are made up: a government that does make rules and
  dropped the row must not be summed as 0 without a word) and a warning says so;
- （六）其他处理 printed as one row, as the 2019 layout did (`COLLAPSIBLE`): where it states 0
  in a column, its three rows are 0 there; another number cannot be split and is not read;
- table 二 in the 2019 layout while tables 三 and 四 follow 2021: `tables.OTHER_FORMS` names
  the 2019 markers of table 二; only that table is refused (FORM-VERSION).
"""

from __future__ import annotations

from ..spec import Collapsible, Omissible, Variant

_NO_CORRECTION = "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
_UNPAID = "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"

VARIANTS: tuple[Variant, ...] = (
    Variant("行政规范性文件", "规范性文件"),
    Variant(_NO_CORRECTION, _NO_CORRECTION.replace("不再处理", "不再受理")),
    Variant(_UNPAID, _UNPAID.replace("不再处理", "不再受理")),
    Variant("7．属于行政执法案卷", "7．属于行政执法案件"),
    Variant("2．其他法律行政法规禁止公开", "2．其他法律和行政法规禁止公开"),
    Variant("3．危及“三安全一稳定”", "危及“三安全一稳定”"),
    Variant("3．补正后申请内容仍不明确", "补正后申请内容仍不明确"),
    Variant("3．要求提供公开出版物", "要求提供公开出版物"),
)

OMISSIBLE: tuple[Omissible, ...] = (Omissible("规章", "没有规章制定权的单位不制定规章，常省略此行"),)

COLLAPSIBLE: tuple[Collapsible, ...] = (Collapsible("（六）其他处理", "2019 年版格式"),)

TITLE_VARIANTS: tuple[str, ...] = ("政府信息公开年度报告",)

# The six parts of the report in statutory order: 一、总体情况 (text), 二、三、四 (the tables),
# 五、存在的主要问题及改进情况, 六、其他需要报告的事项 (text).
OUTLINE: tuple[str, ...] = ("overview", "t2", "t3", "t4", "problems", "other")
