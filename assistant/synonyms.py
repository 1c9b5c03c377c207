"""Words people use that the template and the reports do not, as data.

The template (ingest/template.py) holds each row's and column's own labels and
aliases; this module only adds what a citizen types that no report prints
(没法提供, 打官司, 交费 …), the abbreviations used for agency names, and the
function words that carry no meaning for choosing a figure.
"""
from __future__ import annotations

# Measure words that make 几…/多少… ask for a count (几场 发布会, 几批 抽检): the units reports count in.
from ingest.units import COUNTING_UNITS  # noqa: F401  (re-exported for metrics and understanding)

# Rewrites applied to the question (colloquial → report wording) before its
# figure is looked up. Longest keys are applied first.
QUESTION_REWRITES = {
    "没法提供": "无法提供",
    "没办法提供": "无法提供",
    "不能提供": "无法提供",
    "提供不了": "无法提供",
    "打官司": "行政诉讼",
    "官司": "行政诉讼",
    "告上法庭": "行政诉讼",
    "告上法院": "行政诉讼",
    "告到法院": "行政诉讼",
    "当被告": "行政诉讼",
    "被告": "行政诉讼",
    "被起诉": "行政诉讼",
    "不经复议": "未经复议",
    "没经复议": "未经复议",
    "没经过复议": "未经复议",
    "不经过复议": "未经复议",
    "没有公开": "不予公开",
    "没公开": "不予公开",
    "没给公开": "不予公开",
    "不给公开": "不予公开",
    "未公开": "不予公开",
    "未予公开": "不予公开",
    "拒绝公开": "不予公开",
    "不让公开": "不予公开",
    "同意公开": "予以公开",
    "准予公开": "予以公开",
    "答应公开": "予以公开",
    "批准公开": "予以公开",
    "败诉": "纠正",
    "打输": "纠正",
    "查不到": "不掌握",
    "补正以后": "补正后",
    "补正之后": "补正后",
    "还是不明确": "仍不明确",
    "依然不明确": "仍不明确",
    "不交费": "未缴纳费用",
    "不缴费": "未缴纳费用",
    "没交费": "未缴纳费用",
    "没缴费": "未缴纳费用",
    "结转到下一年": "结转下年度",
    "结转到下年度": "结转下年度",
    "结转至下年度": "结转下年度",
    "结转到下年": "结转下年度",
    "结转至下一年": "结转下年度",
    "转到下一年": "结转下年度",
    "上一年结转": "上年结转",
    "去年结转": "上年结转",
    "从上一年": "上年",
    "被纠正": "纠正",
    "纠错": "纠正",
    "撤销": "纠正",
    "被维持": "维持",
    "还没审结": "尚未审结",
    "没有审结": "尚未审结",
    "没审完": "尚未审结",
    "律师事务所": "法律服务机构",
    "科研单位": "科研机构",
    "科研院所": "科研机构",
    "公益单位": "社会公益组织",
    "依申请公开的数量": "新收申请数量",
    "依申请公开数量": "新收申请数量",
    "依申请公开的件数": "新收申请数量",
    "依申请公开件数": "新收申请数量",
    "花了多少钱": "金额",
    "多少钱": "金额",
    "收了多少万元": "收费金额",
    "老百姓": "自然人",
    "几次": "几件",
    "申请复议": "行政复议",
    "申请行政复议": "行政复议",
    "提起行政复议": "行政复议",
    "提起行政诉讼": "行政诉讼",
    "新收到": "新收",
    # 哪个单位最多 compares agencies; 单位 alone would read as the 法人或其他组织 column.
    "哪个单位": "哪个",
    "哪家单位": "哪个",
    "哪个部门": "哪个",
    "哪个机关": "哪个",
}

# A rewrite that starts with 没 is not applied after 有: 有没有公开 asks whether, it does not negate.
NEGATION_START = "没"

# Words that mean the same in the reports' prose; a question word is taken as
# found when any word of its group is in the candidate's description.
SYNONYM_GROUPS = [
    ("公开", "公布", "发布", "发出", "发了"),
    ("全区", "我区"),
    ("全市", "我市"),
    ("全县", "我县"),
    ("访问量", "点击量", "浏览量", "访问人次", "访问"),
    ("粉丝", "关注", "订阅"),
    ("公众号", "微信", "政务微信"),
    ("微博", "新浪微博"),
    ("网站", "门户网站", "网站平台"),
    ("新媒体", "政务新媒体"),
    ("申请", "依申请"),
    ("咨询", "问询"),
    ("收到", "受理", "接收", "接到"),
    ("收取", "收费", "收缴"),
    ("工作人员", "人员", "人手"),
    ("总共", "一共", "共", "合计", "总计", "总数"),
    ("乡镇", "镇", "街道"),
    ("解读", "政策解读"),
    ("梳理", "清理"),
    ("年度", "全年", "年"),
    ("不足", "短板", "差距", "薄弱", "问题", "弱项"),
    ("审核", "把关", "审查", "审签"),
    ("舆情", "舆论", "关切"),
]

# Function and question words: they say that a figure is wanted, not which one.
# Words every report uses about its own work: a narrative question made only of these
# has no topic of its own to look for in the passages.
NARRATIVE_GENERIC = set("""
政府 信息 公开 政务 政务公开 信息公开 政府信息 工作 开展 进行 做了 做好 做 加强 推进 情况 方面 有关 相关
怎么 如何 哪些 什么 是否 有没有 没有 主要 具体 平台 网站 政府网站 处理 办理 措施 举措 内容 活动
怎么样 怎样 咋样 咋 亮点 特色 成效 成绩 效果 做法 经验 进展 建设 哪些方面 什么样
""".split())

STOPWORDS = set("""
的 了 吗 呢 吧 啊 呀 么 是 有 在 和 与 及 或 都 也 还 就 被 把 让 给 向 对 从 到 为 以 于 因 因为 由于 所以 而
多少 几 几件 几条 几个 几项 几篇 几次 几名 几人 多 少 是否 有没有 有无 没有没有 一下 请问 请 告诉 我 你 他们 他 她 它
那 那么 那个 这 这个 其中 其 里 中 里面 之中 当中 一共 分别 各 各是 各有 是多少 有多少 多少件 多少条 怎样 怎么
什么 哪些 哪个 如何 情况 年 年度 全年 本年 本年度 报告 数量 数 个 件 条 项 篇 次 名 人次 元 万元 万 提 提出 提的
提出的 的话 过 了吗 比上年 较上年 比去年 较去年 上年 去年同期 增加 增加了 减少了 下降了 变化 增长 减少 同比 环比 最多 最少 最高 最低 趋势 比较 对比 相比 哪个 各自 每年 历年 有人 是因为 类有 办有 算作 方面 哪一年 那年 这一年 呢？ 吗？ 自己 说 一 该 呢 哪 谁 又
还有 另外 涉及 认定 被认定为 案件 案子 合计 加起来 总和 累计 总共 共计
你好 您好 谢谢 谢谢你 多谢 麻烦 麻烦你 帮我 帮忙 查一下 查查 问一下 想问 想知道 我想 我想问 请帮我
""".split())


# Which units a question's measure word accepts (几件 → 件, 多少钱 → 元/万元).
UNIT_WORDS = {
    "件": ("件", "次", "宗", "个", "项", "条"),
    "次": ("件", "次", "宗"),
    "宗": ("件", "次", "宗"),
    "条": ("条", "篇", "则"),
    "篇": ("篇", "条", "件"),
    "项": ("项", "件", "个"),
    "个": ("个", "件", "项", "家", "人", "名"),
    "家": ("家", "个"),
    "人次": ("人次", "人"),   # a count of people-times; 次 alone counts events (培训1次 is not 96人次)
    "人": ("人", "名", "人次"),
    "名": ("人", "名"),
    "期": ("期", "次"),
    "天": ("天", "日", "个工作日"),
    "%": ("%", "‰", "个百分点"),
    "场": ("场", "次", "场次"),
    "批": ("批", "批次", "次"),
    "套": ("套", "户"),
    "起": ("起", "件", "宗"),
    "万元": ("万元", "元", "亿元"),
    "元": ("元", "万元", "亿元"),
    "钱": ("元", "万元", "亿元"),
    "金额": ("元", "万元", "亿元", ""),
}


# Organisation kinds an agency name ends with; the rest of the name is its place.
ORG_SUFFIXES = ("人民政府办公厅", "人民政府办公室", "人民政府", "办公厅", "办公室", "委员会")
# Administrative levels that end a place name (longest first).
PLACE_LEVELS = ("特别行政区", "自治区", "自治州", "自治县", "综合实验区", "实验区", "经济开发区", "开发区",
                "新区", "省", "市", "县", "区", "旗", "镇", "乡", "街道")
# Words that look like places but name none (全区, 我市 …): never an unknown agency.
NOT_PLACES = {"全区", "全市", "全县", "全省", "我区", "我市", "我县", "本区", "本市", "本县", "各区", "各县",
              "区县", "市区", "县区", "省市", "城区", "辖区", "新区", "中国", "全国", "国家", "乡镇", "各乡镇",
              "街道", "社区", "农村", "城乡"}
