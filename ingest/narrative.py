"""Numbers stated in a report's prose, as facts of kind "narrative".

"在我局门户网站主动公开政府信息 3803条" becomes value 3803, unit 条, row
"在我局门户网站主动公开政府信息". Only a number followed by a counting unit is a
fact: that one requirement already leaves out years, dates, phone numbers,
postcodes, document numbers and list numbering, which are never followed by
条/件/人次/元…. The statistical tables (sections 二–四 of template reports, the
统计表 of older ones) are left to the table parser.

Rules, not per-question patterns: a number+unit regex, sentence and clause
segmentation, and a small list of filler words trimmed from the clause.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import sections as sections_mod
from .records import Document, Fact, Section
from .words import pos_cut

# Same-length translation, so offsets in the normalised copy are offsets in doc.text.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％＋", "0123456789.%+")

_NUM = re.compile(r"(?<![0-9A-Za-z_.@/\\\-])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?")

# Longer units first so that 人次 wins over 人, 件次 over 件. Look-aheads refuse the
# unit when the character starts another word: 3个月 (a duration), 12部门 is
# taken as 部门, 项目, 条例, 人民, 家庭, 期间 ….
_BASE_UNITS = (
    r"个百分点|人次|件次|批次|场次|户次|平方米|公里|部门"
    r"|条(?!例|款)|件|篇|项(?!目)|次(?!数|要)|个(?!月|工作日|小时|季度|年)|期(?!间|限|刊)"
    r"|家(?!庭|长)|人(?!民|员|口|大|社)|名(?!称|单|义|录)|元(?!旦|素)|场|份(?!额)|批(?!准|复)"
    r"|户(?!籍|口)|册|套|部|台(?!账)|位(?!于|置)|处(?!理|置)|类(?!别|型)|宗|笔|例(?!如)"
    r"|轮|种|张|页|封|所(?!有|以|属|在|得)|起(?!草|诉|到|止|步|始|来)|亩|吨|%|‰"
)
_UNIT = re.compile(
    r"[ \t\u3000\r\n\f]{0,4}"
    r"(?:余|多)?"          # 7700余条, 3000多人次: the report's own approximation
    r"(?P<mult>万|亿|千)?"
    r"(?:余|多)?"          # 1.2万余人次
    rf"(?P<base>{_BASE_UNITS})?"
    r"\+?"                # 阅读量超10万+
)
_ORDINAL_BEFORE = re.compile(r"第[ \t\u3000]*$")
# A counting rule says how things are counted, not how many there were: 不同渠道和方式公开相同信息计1条,
# 同一申请人多次申请按1件统计, 回应同一热点按1次计. "按 N 件 计/算/统计" is always one; a bare 计/记/算/视为
# before 1 is one when the sentence speaks of the same thing counted once (同一, 相同, 重复, 多次, 不同渠道…)
# or sits in a bracketed note. 共计/合计/累计/总计/统计 before a number are totals, not rules.
_RULE_BY = re.compile(r"按照?[ \t\u3000]*$")
_RULE_BY_END = re.compile(r"[ \t\u3000]*(?:计算|计|算|统计)")
_RULE_AS = re.compile(r"(?:(?<![共合累总统估预设会审小])(?:计|记)(?:为|作)?|只计|仅计|均计|(?<![预决结核计估清概测])算作?|视为|视作)[ \t\u3000]*$")
_RULE_SAME = re.compile(r"同一|相同|重复|多次|多个|多种|多条|不同(?:渠道|方式|平台|媒体)")

_SENTENCE_END = "。！？；!?;"
_CLAUSE_END = _SENTENCE_END + "，,：:"
_SPACE = " \t\u3000"
_HEADING_MARK = re.compile(
    r"[ \t\u3000]*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))"
)
_NEXT_HEADING = re.compile(r"\s*" + _HEADING_MARK.pattern)
_PAGE_MARK = re.compile(r"\n[ \t\u3000]*[-－—]?[ \t\u3000]*\d{1,3}[ \t\u3000]*[-－—]?[ \t\u3000]*(?=\n)")

# Filler trimmed from the ends of a clause so the row names what is counted.
# Single characters carry look-arounds because they also begin or end real words
# (有关, 共享, 约谈 / 行为, 统计, 公共, 存在).
_LEAD_FILLER = re.compile(
    r"^(?:[、，,：:；;）)\s]+"
    r"|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|[一二三四五六七八九十]{1,3}是"
    r"|\d{1,2}[.、．](?!\d)"
    r"|\d{4}[ \t\u3000]*年度?(?:以来|全年|内|底|末)?"
    r"|\d{1,2}[ \t\u3000]*月(?:[ \t\u3000]*\d{1,2}[ \t\u3000]*日)?(?:以来|止|底|末)?"
    r"|截[至止](?:目前|年底|当前)?|目前|其中|此外|另外|同时|全年|今年|本年度|本年|年内|当年|已经"
    r"|共计|合计|总计|累计"
    r"|共(?![享建同识产性])|另(?![行])|并(?![联列轨网])|还(?![款原有])|均(?![衡等])|已(?![知])"
    r"|约(?![谈定束])|达(?![标成])|有(?![关效序力的些所利机偿])"
    r")"
)
_TRAIL_FILLER = re.compile(
    r"(?:达到|多达|高达|超过|共计|累计|合计|总计|突破"
    r"|(?<![到抵送传下])达|(?<![行成作认因以称])为|(?<![节合契大])约|(?<![赶])超|(?<![最临将接])近|逾"
    r"|(?<![公总])共|(?<![统设合累共估预会审])计|(?<![所具拥享占])有|(?<![但就还总])是"
    r"|(?<![存现正所实])在|即|已|[、，,：:（(\s])$"
)
_WEAK = re.compile(
    r"(?:同比|环比|比上年|较上年|比去年|较去年|分别)?(?:占比?|增长|下降|提高|减少|增加|上升|降低|为)?"
)
# A total up to the end of a period (截至2017年底, 截止年末) rather than the year's own.
_SINCE_START = re.compile(r"截[至止][^，,。；;]{0,12}?(?:底|末)")
_SUFFIX_FILLER = re.compile(r"^(?:以上|左右|之多|余|多)")
_YEAR_IN_CLAUSE = re.compile(r"\d{4}[ \t\u3000]*年度?(?:以来|全年|内)?")
_PREPOSITIONS = "在于至到从自和与及、止"
_MAX_SUFFIX = 16
# jieba's flags for an adverb (已, 均), a preposition (在, 通过) and a conjunction (并): the object ends there.
_PHRASE_ENDS = {"d", "p", "c"}
_JOINS = {"和", "与", "及", "以及", "或", "或者"}   # conjunctions inside a noun phrase (预算及决算信息)
_MAX_ROW = 40
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class _Hit:
    start: int      # number
    end: int        # number
    unit_end: int
    value: float
    unit: str


def _is_cjk(c: str) -> bool:
    return bool(_CJK.match(c))


def squash(s: str) -> str:
    """Text as printed minus the PDF line wrapping: page-number lines and line
    breaks go, a break between two Latin letters/digits becomes a space. Spaces
    inside a line are kept (the dev evidence quotes them)."""
    s = _PAGE_MARK.sub("\n", s).replace("\f", "")
    s = re.sub(r"[ \t\u3000\r]*\n\s*", "\n", s)
    out = []
    for i, part in enumerate(s.split("\n")):
        if i and out and out[-1][-1:].isascii() and out[-1][-1:].isalnum() and part[:1].isascii() \
                and part[:1].isalnum():
            out.append(" ")
        out.append(part)
    return "".join(out).strip()


# A count printed without its unit right after a label that says it is a count
# ("不予公开信息数1402。"): it takes the unit of the sentence's other counts.
# "2018年未收到有关政府信息公开申请": a count of nothing, stated without a number. What follows the
# negated verb (up to the clause's end) is what was not received, so the row is verb + object.
_ZERO = re.compile(r"(?:均未|并未|未|没有|无)(?P<row>(?:收到|受理|发生|产生|收取|出现)[^，,。；;！？!?：:（(]{2,30})")
_ZERO_TAIL = re.compile(r"(?:的?(?:情况|问题|现象|事项)|的)$")

_COUNT_LABEL = re.compile(r"(?:数|数量|总数|总量)[为是达：:]?[ \t\u3000]*$")
_BARE_END = re.compile(r"[ \t\u3000]*(?:[，,。；;！？!?、）)]|$)")


def _numbers(norm: str, lo: int, hi: int) -> list[_Hit]:
    hits: list[_Hit] = []
    bare = []
    for m in _NUM.finditer(norm, lo, hi):
        if _ORDINAL_BEFORE.search(norm, max(lo, m.start() - 3), m.start()):
            continue
        u = _UNIT.match(norm, m.end(), hi)
        if u and u.group("base") and _counting_rule(norm, lo, m, u.end()):
            continue
        if not u or not (u.group("mult") or u.group("base")):
            if (_COUNT_LABEL.search(norm, max(lo, m.start() - 6), m.start())
                    and _BARE_END.match(norm, m.end(), hi) and "." not in m.group()):
                bare.append(m)
            continue
        unit = (u.group("mult") or "") + (u.group("base") or "")
        hits.append(_Hit(m.start(), m.end(), u.end(), float(m.group().replace(",", "")), unit))
    for m in bare:
        before = [h for h in hits if h.end <= m.start()]
        if before:
            hits.append(_Hit(m.start(), m.end(), m.end(), float(m.group().replace(",", "")), before[-1].unit))
    return sorted(hits, key=lambda h: h.start)


def _counting_rule(norm: str, lo: int, m: re.Match, unit_end: int) -> bool:
    """Whether the number ``m`` (its unit ending at ``unit_end``) states a counting rule (…计1条, 按1次计)."""
    before = norm[max(lo, m.start() - 4):m.start()]
    if _RULE_BY.search(before) and _RULE_BY_END.match(norm, unit_end):
        return True
    if m.group() != "1" or not _RULE_AS.search(before):
        return False
    opened = norm.rfind("（", lo, m.start()), norm.rfind("(", lo, m.start())
    closed = norm.rfind("）", lo, m.start()), norm.rfind(")", lo, m.start())
    in_note = max(opened) > max(closed)
    return in_note or bool(_RULE_SAME.search(norm, lo, m.start()))   # the sentence: 同一…的，计为1条


def _hard_newlines(text: str, lo: int, hi: int) -> list[int]:
    """Line breaks that end a sentence although no 。 is printed: after a
    heading-like line, or before a line that starts a numbered item. Other breaks
    are PDF line wrapping inside a sentence."""
    out = []
    i = text.find("\n", lo, hi)
    while i >= 0:
        line_start = text.rfind("\n", lo, i) + 1
        prev = text[max(lo, line_start):i].strip()
        heading_line = bool(prev) and len(prev) <= 30 and not any(c in prev for c in _SENTENCE_END) \
            and _HEADING_MARK.match(prev) is not None
        if heading_line or _NEXT_HEADING.match(text, i + 1, hi):
            out.append(i + 1)
        i = text.find("\n", i + 1, hi)
    return out


def _sentences(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    cuts = {lo, hi}
    for i in range(lo, hi):
        if text[i] in _SENTENCE_END:
            cuts.add(i + 1)
    cuts.update(_hard_newlines(text, lo, hi))
    pts = sorted(cuts)
    return [(a, b) for a, b in zip(pts, pts[1:]) if text[a:b].strip()]


def _clause_start(text: str, lo: int, pos: int) -> int:
    """Start of the clause that ends at ``pos``: back to clause punctuation, an
    unclosed opening bracket, or a run of spaces between CJK characters (how the
    one-line reports separate a heading from its text)."""
    depth = 0
    i = pos - 1
    while i >= lo:
        c = text[i]
        if c in _CLAUSE_END:
            return i + 1
        if c in "）)":
            depth += 1
        elif c in "（(":
            if depth == 0:
                return i + 1
            depth -= 1
        elif c in _SPACE:
            j = i
            while j - 1 >= lo and text[j - 1] in _SPACE:
                j -= 1
            right = text[i + 1]
            if i + 1 < pos and j > lo and _is_cjk(text[j - 1]) and (_is_cjk(right) or right.isdigit()):
                return i + 1
            i = j
        i -= 1
    return lo


def _trim_lead(core: str) -> str:
    prev = None
    while prev != core:
        prev = core
        core = _LEAD_FILLER.sub("", core, count=1)
    return core


def _trim(core: str) -> str:
    core = _trim_lead(core)
    # "（一）主动公开政府信息的数量2016年全区主动公开政府信息": a year glued to a
    # sub-heading starts the clause that matters.
    for m in reversed(list(_YEAR_IN_CLAUSE.finditer(core))):
        before = core[:m.start()]
        after = core[m.end():]
        if before and before[-1] not in _PREPOSITIONS and len(after) >= 2:
            core = after
            break
    prev = None
    while prev != core:
        prev = core
        core = _LEAD_FILLER.sub("", core, count=1)
        core = _TRAIL_FILLER.sub("", core)
    return core.strip()


def _suffix(text: str, hit: _Hit, hi: int, next_start: int | None) -> str:
    """The noun that follows the unit when the clause ends with it
    ("共发布467条信息" -> 信息); empty when another number follows in the clause."""
    j = hit.unit_end
    limit = min(hi, next_start) if next_start is not None else hi
    while j < limit and text[j] not in _CLAUSE_END and text[j] not in "（()）":
        j += 1
    if j == limit and next_start is not None and next_start < hi:
        return ""
    s = squash(text[hit.unit_end:j]).replace(" ", "")
    s = _SUFFIX_FILLER.sub("", s)
    if len(s) > _MAX_SUFFIX:
        s = _object_only(s)
    if not s or len(s) > _MAX_SUFFIX or not (_is_cjk(s[0]) or s[0] in "《“\""):
        return ""
    return s


def _object_only(s: str) -> str:
    """The head noun phrase of a long tail: up to the adverb, preposition or conjunction that starts the
    predicate, or a verb taking an object of its own; after a modifier ending in 的 when a predicate
    follows its head (otherwise the 的 belongs to the predicate).
    "收到1份有关政府信息公开行政复议申请已及时处理" → 有关政府信息公开行政复议申请;
    "对5个发挥作用不明显、基层无力维护的政务新媒体予以关停" → 政务新媒体."""
    toks = pos_cut(s)
    des = [i for i, (w, _) in enumerate(toks[:-1]) if w == "的"]
    if des:
        head, stopped = _head(toks[des[-1] + 1:])
        if stopped:
            return head
    return _head(toks)[0]


def _head(toks: list[tuple[str, str]]) -> tuple[str, bool]:
    """The words before the predicate starts, and whether one did."""
    out: list[str] = []
    noun = False
    for i, (word, flag) in enumerate(toks):
        after = toks[i + 1][1] if i + 1 < len(toks) else None
        if (flag in _PHRASE_ENDS and word not in _JOINS) or (flag.startswith("v") and flag != "vn" and noun
                                    and after is not None and after not in _PHRASE_ENDS):
            return "".join(out), True
        out.append(word)
        noun = noun or flag.startswith("n")
    return "".join(out), False


def extract(doc: Document, sections: list[Section] | None = None) -> list[Fact]:
    """Narrative facts of ``doc``, in document order."""
    text = doc.text
    norm = text.translate(_FULLWIDTH)
    if sections is None:
        sections = sections_mod.split(text)
    template = sections_mod.is_template(sections)
    facts: list[Fact] = []
    for sec in sections:
        if template and sec.number in sections_mod.TABLE_SECTIONS:
            continue
        if "统计表" in sec.title:
            continue
        label = sections_mod.label(sec)
        body_start = sections_mod.heading_end(text, sec)
        for s_lo, s_hi in _sentences(norm, body_start, sec.end):
            facts += _zeros(doc, text, norm, s_lo, s_hi, label)
            hits = _numbers(norm, s_lo, s_hi)
            if not hits:
                continue
            sentence = squash(text[s_lo:s_hi])
            prev_end = s_lo
            prev_clause = ""
            for k, hit in enumerate(hits):
                c_lo = max(_clause_start(norm, s_lo, hit.start), prev_end)
                prefix = squash(text[c_lo:hit.start])
                nxt = hits[k + 1].start if k + 1 < len(hits) else None
                core = _trim(prefix)
                suffix = _suffix(norm, hit, s_hi, nxt)
                clause_text = squash(text[c_lo:hit.unit_end]) + suffix
                if len(core) < 2 or _WEAK.fullmatch(core):
                    # "占65.31%": the clause alone does not say what is counted,
                    # the one before it does.
                    row = (prev_clause + "，" if prev_clause else "") + clause_text.lstrip("、，,：:；; ")
                else:
                    row = core + suffix
                    if "累计" in prefix and _SINCE_START.search(text[s_lo:hit.start]) and not row.startswith("累计"):
                        # 截至年底，累计公开152387条: a running total since records began is another figure
                        # than the year's (全年累计 is the year's own; 截至目前共收到 often is too).
                        row = "累计" + row
                if len(row) > _MAX_ROW:
                    # Long enumerations ("通过实施…、…等7项新举措"): what is counted
                    # is named at the end.
                    row = "…" + row[-(_MAX_ROW - 1):]
                facts.append(Fact(
                    table="",
                    table_key="narrative",
                    row=row,
                    row_key="",
                    row_group=label,
                    column="",
                    column_key="",
                    value=hit.value,
                    unit=hit.unit,
                    kind="narrative",
                    source_text=sentence,
                    source_line=doc.line_at(hit.start),
                    source_page=doc.page_at(hit.start),
                    char_start=hit.start,
                    char_end=hit.end,
                ))
                prev_end = hit.unit_end
                prev_clause = _trim_lead(clause_text)
    facts.sort(key=lambda f: f.char_start)
    return facts


def says_none(text: str, f: Fact) -> bool:
    """Whether ``f`` is a count of nothing read by _zeros (its span is the negated clause, not a number)."""
    # _ZERO names no character _FULLWIDTH maps, so the report's own text matches as its normalised copy does.
    return f.value == 0 and f.char_start is not None and _ZERO.match(text, f.char_start) is not None


def _zeros(doc: Document, text: str, norm: str, lo: int, hi: int, label: str) -> list[Fact]:
    """Counts a sentence gives as none (未收到…申请, 未发生…追究): value 0, row verb + object."""
    out = []
    for m in _ZERO.finditer(norm, lo, hi):
        row = _ZERO_TAIL.sub("", squash(text[m.start("row"):m.end()]).replace(" ", ""))
        if len(row) < 4 or any(c.isdigit() for c in row):
            continue
        out.append(Fact(
            table="", table_key="narrative", row=row, row_key="", row_group=label, column="", column_key="",
            value=0.0, unit="元" if "费" in row else "件", kind="narrative",
            source_text=squash(text[lo:hi]), source_line=doc.line_at(m.start()), source_page=doc.page_at(m.start()),
            char_start=m.start(), char_end=m.end(),
        ))
    return out
