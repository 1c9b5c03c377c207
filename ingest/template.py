"""The national annual-report template as data.

One definition drives table parsing, the template checks and question
understanding: each row and column carries its stable key, the template's own
label (numbering stripped), its parent group, and the other words reports and
people use for it. Formats: "2019" (试行, used for the 2019 and 2020 reports)
and "2021" (国办公开办函〔2021〕30号, 2021 on). See ../shared/corpus/template_*.txt.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    unit: str = "件"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    group: str = ""
    aliases: tuple[str, ...] = ()
    numbering: str = ""  # as printed in the template, e.g. "（一）" or "1."
    not_for: tuple[str, ...] = ()  # what the template reports elsewhere, though the label could read as it


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Format:
    name: str
    tables: tuple[Table, ...] = field(default_factory=tuple)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# --- 第二十条 items ---------------------------------------------------------

_RULES = Row("rules", "规章", aliases=("规章数量",))
_NORMATIVE_2019 = Row("normative", "规范性文件", aliases=("行政规范性文件",))
_NORMATIVE_2021 = Row("normative", "行政规范性文件", aliases=("规范性文件",))
_LICENSE = Row("license", "行政许可", aliases=("许可",))
_OTHER_SERVICES = Row("other_services", "其他对外管理服务事项", aliases=("对外管理服务事项",))
_PENALTY = Row("penalty", "行政处罚", aliases=("处罚",))
_COERCION = Row("coercion", "行政强制", aliases=("强制",))
# The 2021 template: "收取信息处理费的情况，在此处(六、其他需要报告的事项)专门报告" — not in item 8.
_FEE = Row("fee", "行政事业性收费", aliases=("事业性收费", "收费"), not_for=("信息处理费",))
_PROCUREMENT = Row("procurement", "政府集中采购", aliases=("集中采购", "采购"))

_PREV = Column("prev_count", "上一年项目数量", ("上年项目数量",), unit="项")
_CHANGE = Column("change", "本年增/减", ("本年增减", "增减"), unit="项")
_DECISIONS_2019 = Column("decisions", "处理决定数量", ("本年处理决定数量", "决定数量", "决定"))
_DECISIONS_2021 = Column("decisions", "本年处理决定数量", ("处理决定数量", "决定数量", "决定"))

ITEM_TABLES_2019 = (
    Table("item1", "第二十条第（一）项", (_RULES, _NORMATIVE_2019), (
        Column("made", "本年新制作数量", ("新制作", "制发", "制作")),
        Column("published", "本年新公开数量", ("新公开",)),
        Column("in_force", "对外公开总数量", ("公开总数", "现行有效")),
    )),
    Table("item5", "第二十条第（五）项", (_LICENSE, _OTHER_SERVICES), (_PREV, _CHANGE, _DECISIONS_2019)),
    Table("item6", "第二十条第（六）项", (_PENALTY, _COERCION), (_PREV, _CHANGE, _DECISIONS_2019)),
    Table("item8", "第二十条第（八）项", (_FEE,), (_PREV, _CHANGE)),
    Table("item9", "第二十条第（九）项", (_PROCUREMENT,), (
        Column("projects", "采购项目数量", ("项目数量",), unit="项"),
        # Unit is whatever the cell says (万元 or 元); the parser reads it from the cell.
        Column("amount", "采购总金额", ("采购金额", "金额", "花了多少钱"), unit=""),
    )),
)

ITEM_TABLES_2021 = (
    Table("item1", "第二十条第（一）项", (_RULES, _NORMATIVE_2021), (
        Column("made", "本年制发件数", ("制发", "新制作", "制作")),
        Column("repealed", "本年废止件数", ("废止",)),
        Column("in_force", "现行有效件数", ("现行有效", "有效")),
    )),
    Table("item5", "第二十条第（五）项", (_LICENSE,), (_DECISIONS_2021,)),
    Table("item6", "第二十条第（六）项", (_PENALTY, _COERCION), (_DECISIONS_2021,)),
    Table("item8", "第二十条第（八）项", (_FEE,), (
        Column("fee_amount", "本年收费金额（单位：万元）", ("收费金额", "本年收费金额", "金额"), unit="万元"),
    )),
)

# --- 收到和处理政府信息公开申请情况 ------------------------------------------

APPLICANT_COLUMNS = (
    Column("natural", "自然人", ("个人", "群众", "公民")),
    Column("commercial", "商业企业", ("企业", "公司")),
    Column("research", "科研机构", ("科研",)),
    Column("nonprofit", "社会公益组织", ("公益组织", "社会组织")),
    Column("legal", "法律服务机构", ("律师事务所", "律所", "律师", "法律服务")),
    Column("other_org", "其他", ("其他组织",)),
    Column("total", "总计", ("合计", "一共", "总数", "共计", "总共")),
)
LEGAL_PERSON_KEYS = ("commercial", "research", "nonprofit", "legal", "other_org")

_RESULT = "本年度办理结果"
_REFUSE = "不予公开"
_UNABLE = "无法提供"
_IGNORE = "不予处理"
_OTHER = "其他处理"

_APP_HEAD = (
    Row("new", "本年新收政府信息公开申请数量", aliases=("新收", "收到", "受理", "新收申请"), numbering="一、"),
    Row("carried_in", "上年结转政府信息公开申请数量", aliases=("上年结转", "结转过来"), numbering="二、"),
    Row("open", "予以公开", _RESULT, ("全部公开", "公开"), "（一）"),
    Row("partial", "部分公开（区分处理的，只计这一情形，不计其他情形）", _RESULT, ("部分公开", "区分处理"), "（二）"),
    Row("refuse_secret", "属于国家秘密", _REFUSE, ("国家秘密", "涉密"), "1."),
    Row("refuse_law", "其他法律行政法规禁止公开", _REFUSE, ("法律行政法规禁止公开", "法律法规禁止"), "2."),
    Row("refuse_safety", "危及“三安全一稳定”", _REFUSE, ("三安全一稳定", "危及安全稳定"), "3."),
    Row("refuse_third_party", "保护第三方合法权益", _REFUSE, ("第三方合法权益", "第三方权益"), "4."),
    Row("refuse_internal", "属于三类内部事务信息", _REFUSE, ("内部事务信息", "内部事务"), "5."),
    Row("refuse_process", "属于四类过程性信息", _REFUSE, ("过程性信息",), "6."),
    Row("refuse_enforcement", "属于行政执法案卷", _REFUSE, ("行政执法案卷", "执法案卷"), "7."),
    Row("refuse_inquiry", "属于行政查询事项", _REFUSE, ("行政查询事项", "行政查询"), "8."),
    Row("unable_not_held", "本机关不掌握相关政府信息", _UNABLE, ("不掌握", "本机关不掌握", "没有相关信息"), "1."),
    Row("unable_must_create", "没有现成信息需要另行制作", _UNABLE, ("没有现成信息需另行制作", "另行制作", "没有现成信息"), "2."),
    Row("unable_unclear", "补正后申请内容仍不明确", _UNABLE, ("补正后", "内容仍不明确", "不明确"), "3."),
    Row("ignore_petition", "信访举报投诉类申请", _IGNORE, ("信访", "举报投诉", "投诉"), "1."),
    Row("ignore_repeat", "重复申请", _IGNORE, ("重复",), "2."),
    Row("ignore_publication", "要求提供公开出版物", _IGNORE, ("公开出版物", "出版物"), "3."),
    Row("ignore_massive", "无正当理由大量反复申请", _IGNORE, ("大量反复申请", "反复申请"), "4."),
    Row("ignore_confirm", "要求行政机关确认或重新出具已获取信息", _IGNORE, ("确认或重新出具", "重新出具"), "5."),
)
_APP_TAIL = (
    Row("total", "总计", _RESULT, ("办理结果总计", "办结"), "（七）"),
    Row("carried_out", "结转下年度继续办理", aliases=("结转下年度", "结转下一年", "结转到下一年", "继续办理"), numbering="四、"),
)
_OTHER_2019 = Row("other", "其他处理", _RESULT, ("其他处理",), "（六）")
_OTHER_2021 = (
    Row("other_no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", _OTHER,
        ("逾期不补正", "不补正"), "1."),
    Row("other_no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", _OTHER,
        ("逾期未按收费通知要求缴纳费用", "逾期不交费", "未缴纳费用", "不缴费"), "2."),
    Row("other_other", "其他", _OTHER, ("其他情形",), "3."),
)

APPLICATION_2019 = Table("applications", "收到和处理政府信息公开申请情况",
                         _APP_HEAD + (_OTHER_2019,) + _APP_TAIL, APPLICANT_COLUMNS, ("依申请公开", "申请"))
APPLICATION_2021 = Table("applications", "收到和处理政府信息公开申请情况",
                         _APP_HEAD + _OTHER_2021 + _APP_TAIL, APPLICANT_COLUMNS, ("依申请公开", "申请"))
# Some 2021-format reports still print (六)其他处理 as one row without its sub-rows.
APPLICATION_2021_SINGLE_OTHER = Table("applications", "收到和处理政府信息公开申请情况",
                                      _APP_HEAD + (_OTHER_2019,) + _APP_TAIL, APPLICANT_COLUMNS, ("依申请公开", "申请"))

# Derived rows: group totals that the template implies but does not print
# (其他处理 in 2021 is the sum of its sub-rows). Stored with kind "derived".
DERIVED_GROUPS = {
    "refuse": (_REFUSE, ("refuse_secret", "refuse_law", "refuse_safety", "refuse_third_party",
                        "refuse_internal", "refuse_process", "refuse_enforcement", "refuse_inquiry")),
    "unable": (_UNABLE, ("unable_not_held", "unable_must_create", "unable_unclear")),
    "ignore": (_IGNORE, ("ignore_petition", "ignore_repeat", "ignore_publication", "ignore_massive",
                        "ignore_confirm")),
    "other": (_OTHER, ("other_no_correction", "other_no_fee", "other_other")),
}
# The outcome rows whose sum is (七)总计.
OUTCOME_ROWS_2019 = ("open", "partial") + DERIVED_GROUPS["refuse"][1] + DERIVED_GROUPS["unable"][1] + \
    DERIVED_GROUPS["ignore"][1] + ("other",)
OUTCOME_ROWS_2021 = OUTCOME_ROWS_2019[:-1] + DERIVED_GROUPS["other"][1]

# --- 行政复议、行政诉讼 --------------------------------------------------------

REVIEW_COLUMNS = (
    Column("upheld", "结果维持", ("维持",)),
    Column("corrected", "结果纠正", ("纠正",)),
    Column("other", "其他结果", ("其他",)),
    Column("pending", "尚未审结", ("未审结", "审理中")),
    Column("total", "总计", ("合计", "一共", "总共", "共计")),
)
REVIEW = Table("review", "政府信息公开行政复议、行政诉讼情况", (
    Row("review", "行政复议", aliases=("复议",)),
    Row("lawsuit_direct", "未经复议直接起诉", "行政诉讼", ("直接起诉", "直接诉讼")),
    Row("lawsuit_after_review", "复议后起诉", "行政诉讼", ("复议后诉讼",)),
), REVIEW_COLUMNS, ("行政复议", "行政诉讼"))

FORMATS = {
    "2019": Format("2019", ITEM_TABLES_2019 + (APPLICATION_2019, REVIEW)),
    "2021": Format("2021", ITEM_TABLES_2021 + (APPLICATION_2021, REVIEW)),
}


def format_for_year(year: int | None) -> str | None:
    """The template a report of that year was written in (None before 2019)."""
    if year is None or year < 2019:
        return None
    return "2019" if year <= 2020 else "2021"


def detect_format(text: str, year: int | None) -> str | None:
    """Headers decide when present; the year is the fallback."""
    if "本年制发件数" in text or "现行有效件数" in text or "本年收费金额" in text:
        return "2021"
    if "本年新制作数量" in text or "上一年项目数量" in text or "采购总金额" in text:
        return "2019"
    return format_for_year(year)
