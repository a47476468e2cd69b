"""GK-2021's tables, metadata fields and narrative sections (国办公开办函〔2021〕30号).

Every label is the national format's wording; every cell's canonical ID is FORMAT-2021's.
"""

from __future__ import annotations

from ..spec import AMOUNT, CHOICE, DATE, INTEGER, TEXT, Grid, MetaField, Node, OtherForm, Section, Table, cells_of

FORM_ID = "GK-2021"
FORM_TITLE = "政府信息公开工作年度报告"
FORM_SOURCE = "国办公开办函〔2021〕30号"
FIRST_YEAR = 2021
LAST_YEAR = 2100

TABLES = (
    Table("t2", "表二", "二、主动公开政府信息情况"),
    Table("t3", "表三", "三、收到和处理政府信息公开申请情况"),
    Table("t4", "表四", "四、政府信息公开行政复议、行政诉讼情况"),
    Table(
        "fee",
        "信息处理费",
        "信息处理费情况",
        in_text=True,
        absent_rule="FEE-NOT-FOUND",
        absent="没有找到信息处理费的数字（「{label}」等），有关收费的检查未进行",
    ),
)
TITLES = {t.key: t.title for t in TABLES}

# ---- Table 二 -------------------------------------------------------------------
_DOCS = (
    Node("本年制发件数", "issued"),
    Node("本年废止件数", "repealed"),
    Node("现行有效件数", "in_force"),
)
_DECISIONS = (Node("本年处理决定数量", "decisions"),)

T2_GRIDS = (
    Grid("t2", "第二十条第（一）项", (Node("规章", "rule"), Node("行政规范性文件", "normative")), _DOCS, corner="信息内容"),
    Grid("t2", "第二十条第（五）项", (Node("行政许可", "license"),), _DECISIONS, corner="信息内容"),
    Grid("t2", "第二十条第（六）项", (Node("行政处罚", "penalty"), Node("行政强制", "coercion")), _DECISIONS, corner="信息内容"),
    Grid(
        "t2",
        "第二十条第（八）项",
        (Node("行政事业性收费", "fee"),),
        (Node("本年收费金额（单位：万元）", "amount", kind=AMOUNT),),
        corner="信息内容",
    ),
)

# ---- Table 三 -------------------------------------------------------------------
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _items(*labels_keys: tuple[str, str]) -> tuple[Node, ...]:
    return tuple(Node(label, key) for label, key in labels_keys)


T3_RESULTS = Node(
    "三、本年度办理结果",
    None,
    (
        Node("（一）予以公开", "disclosed"),
        Node("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partly_disclosed", short="（二）部分公开"),
        Node(
            "（三）不予公开",
            "withheld",
            _items(
                ("1．属于国家秘密", "state_secret"),
                ("2．其他法律行政法规禁止公开", "prohibited_by_law"),
                ("3．危及“三安全一稳定”", "security_stability"),
                ("4．保护第三方合法权益", "third_party"),
                ("5．属于三类内部事务信息", "internal_affairs"),
                ("6．属于四类过程性信息", "process_info"),
                ("7．属于行政执法案卷", "enforcement_file"),
                ("8．属于行政查询事项", "inquiry"),
            ),
        ),
        Node(
            "（四）无法提供",
            "unavailable",
            _items(
                ("1．本机关不掌握相关政府信息", "not_held"),
                ("2．没有现成信息需要另行制作", "needs_creation"),
                ("3．补正后申请内容仍不明确", "unclear"),
            ),
        ),
        Node(
            "（五）不予处理",
            "not_processed",
            _items(
                ("1．信访举报投诉类申请", "petition"),
                ("2．重复申请", "duplicate"),
                ("3．要求提供公开出版物", "publication"),
                ("4．无正当理由大量反复申请", "excessive"),
                ("5．要求行政机关确认或重新出具已获取信息", "confirmation"),
            ),
        ),
        Node(
            "（六）其他处理",
            "other",
            (
                Node(
                    "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                    "no_correction",
                    short="1．逾期不补正",
                ),
                Node(
                    "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                    "unpaid_fee",
                    short="2．逾期未缴纳费用",
                ),
                Node("3．其他", "other"),
            ),
        ),
        Node("（七）总计", "total", total=True),
    ),
)

T3 = Grid(
    "t3",
    TITLES["t3"],
    (
        Node("一、本年新收政府信息公开申请数量", "new", short="一、本年新收"),
        Node("二、上年结转政府信息公开申请数量", "carried_over", short="二、上年结转"),
        T3_RESULTS,
        Node("四、结转下年度继续办理", "carried_forward"),
    ),
    (
        Node("自然人", "natural"),
        Node(
            "法人或其他组织",
            None,
            _items(
                ("商业企业", "business"),
                ("科研机构", "research"),
                ("社会公益组织", "nonprofit"),
                ("法律服务机构", "legal"),
                ("其他", "other_org"),
            ),
        ),
        Node("总计", "total", total=True),
    ),
    corner=T3_NOTE,
    col_root="申请人情况",
)

# ---- Table 四 -------------------------------------------------------------------
_OUTCOMES = (
    Node("结果维持", "upheld"),
    Node("结果纠正", "corrected"),
    Node("其他结果", "other"),
    Node("尚未审结", "pending"),
    Node("总计", "total", total=True),
)
T4 = Grid(
    "t4",
    TITLES["t4"],
    (),
    (
        Node("行政复议", "review", _OUTCOMES),
        Node(
            "行政诉讼",
            None,
            (
                Node("未经复议直接起诉", "suit_direct", _OUTCOMES),
                Node("复议后起诉", "suit_after_review", _OUTCOMES),
            ),
        ),
    ),
)

# ---- Fee figures of section 六 ---------------------------------------------------
FEE = Grid(
    "fee",
    TITLES["fee"],
    (
        Node("发出收费通知的件数", "notices", short="发出收费通知的件数"),
        Node("收费通知总金额（元）", "notice_amount", kind=AMOUNT, short="收费通知总金额"),
        Node("实际收取的总金额（元）", "collected", kind=AMOUNT, short="实际收取的总金额"),
    ),
    (Node("数量或金额", None),),
    corner="项目",
)

GRIDS: tuple[Grid, ...] = (*T2_GRIDS, T3, T4, FEE)
CELLS = cells_of(GRIDS, TABLES)

# ---- Other versions of the form ---------------------------------------------------
OTHER_FORMS: tuple[OtherForm, ...] = (
    OtherForm(
        "国办公开办函〔2019〕60号印发的 2019 年版格式（2019、2020 年度使用）",
        ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "政府集中采购", "采购项目数量", "采购总金额"),
        table="t2",  # all of them are table 二's: reports of 2021 kept its 2019 layout with tables 三/四 in 2021's
    ),
)

# ---- Metadata and narrative ------------------------------------------------------
REPORT_KINDS = ("部门报告", "政府报告", "汇总报告")
SUMMARY_KIND = REPORT_KINDS[2]
# The statutory deadline (条例第四十九、五十条): departments by 31 January, a government's
# own report and a summary by 31 March, of the following year.
DEADLINES = {"": (1, 31), REPORT_KINDS[1]: (3, 31), SUMMARY_KIND: (3, 31)}

META_FIELDS: tuple[MetaField, ...] = (
    MetaField("agency", "单位名称", TEXT, True, "填写报告单位全称，如：某某县人力资源和社会保障局"),
    MetaField("uscc", "统一社会信用代码", TEXT, False, "18 位统一社会信用代码（GB 32100-2015），大写字母与数字"),
    MetaField("year", "报告年度", INTEGER, True, "报告所属年度，如 2025（于次年 1 月 31 日前发布）"),
    MetaField(
        "kind", "报告类型", CHOICE, False, "部门报告：县级以上政府部门；政府报告：本级政府；汇总报告：多个单位合并而成", REPORT_KINDS
    ),
    MetaField("covers", "汇总单位数", INTEGER, False, "仅汇总报告填写：本报告合并了多少个单位的报告"),
    MetaField("parent", "上级单位/所属地区", TEXT, False, "如：某某县人民政府；用于分级汇总"),
    MetaField("preparer", "填报人", TEXT, False, "负责填报的工作人员姓名"),
    MetaField("phone", "联系电话", TEXT, False, "填报人联系电话"),
    MetaField("filled_on", "填报日期", DATE, False, "日期格式，如 2026-01-10"),
    MetaField("published_on", "发布日期", DATE, False, "报告公开发布的日期；部门报告应不晚于次年 1 月 31 日"),
)

SECTIONS: tuple[Section, ...] = (
    Section("overview", "一、总体情况", "通常包括主动公开、依申请公开、政府信息管理、平台建设、监督保障五部分"),
    Section("problems", "五、存在的主要问题及改进情况", "上年度问题的整改情况和本年度存在的主要问题、改进措施"),
    Section("other", "六、其他需要报告的事项", "含信息处理费收取情况，以及其他需要报告的事项"),
)
