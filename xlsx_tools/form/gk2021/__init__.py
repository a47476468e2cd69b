"""GK-2021: the national format of 国办公开办函〔2021〕30号, used from reporting year 2021 on.

`SPEC` assembles the tables, fields and sections (tables.py), the rules (checks.py),
the narrative phrasings (phrases.py) and the workbook recipe (layout.py).
"""

from __future__ import annotations

from ..spec import FormSpec
from . import tables as t
from .advice import ADVICE
from .checks import CHECKS, HEADLINES, RULES
from .document import DOCUMENT
from .layout import layout
from .phrases import PHRASES
from .variants import COLLAPSIBLE, OMISSIBLE, OUTLINE, TITLE_VARIANTS, VARIANTS

WORDS = {
    "cover": "封面",  # the metadata fields, as messages name them
    "narrative": "正文",  # the report's text sections, as messages name them
    "button": "校验",  # the caption of the workbook's validate button
    "publish_button": "生成报告",  # the caption of the button that writes the report's Word document
    "summary_scope": "汇总表（表二、表三、表四及正文中的信息处理费）为计入汇总的各报告相应单元格之和；各总计由公式计算。",
}


def summary_text(spec: FormSpec, facts: dict) -> str:
    """Section 一 of a merged report: what it summarises, and its headline totals."""
    cells = facts["cells"]
    return (
        f"本报告为{facts['name']}{facts['year']}年度{spec.title}的汇总数据，由 {facts['covers']} 个单位的报告汇总而成"
        f"（xlsx-tools 于 {facts['today']} 汇总）。全年共收到政府信息公开申请{cells['t3.new.total']}件，"
        f"结转下年度继续办理{cells['t3.carried_forward.total']}件。"
    )


SPEC = FormSpec(
    id=t.FORM_ID,
    title=t.FORM_TITLE,
    source=t.FORM_SOURCE,
    first_year=t.FIRST_YEAR,
    last_year=t.LAST_YEAR,
    tables=t.TABLES,
    grids=t.GRIDS,
    meta_fields=t.META_FIELDS,
    report_kinds=t.REPORT_KINDS,
    summary_kind=t.SUMMARY_KIND,
    sections=t.SECTIONS,
    rules=RULES,
    checks=CHECKS,
    phrases=PHRASES,
    other_forms=t.OTHER_FORMS,
    deadlines=t.DEADLINES,
    words=WORDS,
    layout_recipe=layout,
    summary_text=summary_text,
    variants=VARIANTS,
    omissible=OMISSIBLE,
    collapsible=COLLAPSIBLE,
    title_variants=TITLE_VARIANTS,
    outline=OUTLINE,
    headlines=HEADLINES,
    advice=ADVICE,
    document=DOCUMENT,
)
