"""One turn of a question, understood: which agencies, which years, what figure or topic.

Agency and year spans are cut out of the question so that what is left says
what is asked about; that remainder is what metrics.py and retrieval score.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .audit_answer import asks_about_findings
from .agencies import AgencyMatch, other_bodies, unknown_agencies, unstored_places, vague_places
from .metrics import asked_unit, rewrite
from .synonyms import COUNTING_UNITS
from .textutil import clean_question, quoted_terms
from .years import YearMention, parse_years

_NUMERIC = re.compile(r"多少|几(?:" + "|".join(COUNTING_UNITS) + r")|几$|几？|有几|数量|数目|总数|总计|合计|金额|分别|各(?:是|有|为)"
                      r"|变化|增长|增加了|减少了|下降|同比|环比|最多|最少|最高|最低|排名|排序|排行|占比|比例|多大|几成"
                      r"|(?:哪个|哪家|哪一年|哪年|谁).*(?:多|少|高|低)")
# 访问量？ 金额？: a question ending on a quantity asks for a figure.
_QUANTITY_END = re.compile(r"(?:量|额|数)[？?。!！]*$")
_YES_NO = re.compile(r"有没有|是否|有无|吗[？?]*$|过吗")
_NARRATIVE = re.compile(r"怎么|怎样|如何|哪些|什么|为什么|为何|措施|做法|举措|问题|不足|短板|改进|经验|特点|亮点|介绍|说说|讲讲|哪里|哪儿|何时"
                        r"|哪个(?:部门|单位|机构|科室|处室|平台|渠道|网站)|由谁|谁负责")
_OPS = [
    ("change", re.compile(r"同比|增长|增加了|减少了|下降|变化|多了|少了|增减|相比|比上年|比去年")),
    ("rank", re.compile(r"排名|排序|排行|名次|前[一二三四五六七八九十\d]+名|由高到低|从高到低|由多到少|从多到少")),
    ("max", re.compile(r"最多|最高|最大|哪个.*多|谁.*多")),
    ("min", re.compile(r"最少|最低|最小|哪个.*少|谁.*少")),
    ("sum", re.compile(r"合计|加起来|总和|累计|一共.*(?:几年|年间)")),
]
# Asking over every agency (哪个部门最多, 各部门排名): no agency carries over from earlier turns.
_EVERY_AGENCY = re.compile(r"(?:哪些|哪个|哪家|哪几个|各个?|每个|所有|全部|各级)(?:部门|机关|单位|机构|地区|区县|报告|年报)")
# Words that only point back at an earlier turn (那…呢, 其中, 它的).
_FOLLOW = re.compile(r"^(?:那么?|那个|其中|它的?|他们的?|该机关的?|这个机关的?|同一年|同期)|呢[？?]?$")


def asks_figure(text: str) -> bool:
    """Whether ``text`` asks for a figure (几件, 多少, 金额？) rather than only naming a topic."""
    return bool(_NUMERIC.search(text) or _QUANTITY_END.search(text))


@dataclass
class Turn:
    question: str
    text: str                                   # compacted, quotes removed
    agencies: list[AgencyMatch] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    years: YearMention = field(default_factory=YearMention)
    metric_text: str = ""                       # the question minus agencies and years, rewritten
    rest: str = ""                              # the same, as typed (for quoting it back)
    numeric: bool = False
    narrative: bool = False
    op: str | None = None
    unit: str | None = None
    follow_up: bool = False
    yes_no: bool = False
    audit: bool = False                         # about the reports' own inconsistencies (audit_answer)
    every_agency: bool = False                  # over all agencies, whatever earlier turns named

    @property
    def agency_names(self) -> list[str]:
        out = []
        for m in self.agencies:
            if m.agency not in out:
                out.append(m.agency)
        return out


def understand(question: str, matcher, places: set[str]) -> Turn:
    text = clean_question(question)
    turn = Turn(question=question, text=text)
    turn.agencies, other = other_bodies(text, matcher.find(text), quoted_terms(question)) if matcher else ([], [])
    turn.agencies, foreign, regions = unstored_places(text, turn.agencies, places)
    turn.agencies, vague = vague_places(text, turn.agencies)
    turn.unknown = other + foreign + [u for u in unknown_agencies(text, turn.agencies, places)
                                      if not any(u in f or f in u for f in foreign + other)] + vague
    turn.years = parse_years(text)
    cut = [False] * len(text)
    for m in turn.agencies:
        for i in range(m.start, m.end):
            cut[i] = True
    for s, e in turn.years.spans + regions:
        for i in range(s, min(e, len(text))):
            cut[i] = True
    chars = [" " if c else ch for ch, c in zip(text, cut)]
    for s, e in turn.years.destinations:
        # 结转到2026年 reads as 结转到下年度, the template's words for it.
        chars[s:e] = ["下年度"] + [""] * (e - s - 1)
    rest = "".join(chars)
    turn.rest = re.sub(r"\s+", "", rest)
    turn.metric_text = rewrite(rest)
    turn.numeric = asks_figure(text)
    turn.yes_no = bool(_YES_NO.search(text))
    turn.narrative = bool(_NARRATIVE.search(text))
    turn.unit = asked_unit(text)
    for op, rx in _OPS:
        if rx.search(text):
            turn.op = op
            break
    turn.follow_up = bool(_FOLLOW.search(text))
    turn.audit = asks_about_findings(text)
    turn.every_agency = bool(_EVERY_AGENCY.search(text)) and not turn.agencies
    return turn
