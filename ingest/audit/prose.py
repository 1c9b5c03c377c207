"""Prose against its own tables, and the percentages prose prints.

A number in the prose is compared with a table cell only when its clause names
the same measure plainly (收到/受理…申请, 行政复议, 行政诉讼, 现行有效/本年制发
规范性文件, 予以公开, 不予公开, 无法提供) and speaks of this year: a clause about
last year, a change, a part (其中/涉及) or a cumulative figure is never compared.
A percentage is recomputed from the counts printed before it in its paragraph;
when several percentages share one base, the base they agree on is used, so one
wrong share among right ones stands out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..checks import cell_ref, fmt_number
from ..narrative import says_none
from ..records import Document, Fact, Finding

# A clause about another time, a change or a part of the year's figure is not the figure itself.
_NOT_THIS_FIGURE = re.compile(r"上年|去年|前年|上一年|同比|环比|较|比上|比去年|增长|下降|回落|减少|增加|提高|降低"
                              r"|累计|以来|历年|其中|涉及|含|包括|平均|月均|日均|占")
_COUNT_UNITS = {"件", "条", "个", "起", "宗", "份", "次", "件次"}


@dataclass(frozen=True)
class Measure:
    key: str
    what: str                         # how the message names it
    test: Callable[[str], bool]       # on the clause (the narrative fact's label)
    cells: tuple                      # the table cells whose sum is the figure


def _has(*words: str) -> Callable[[str], bool]:
    return lambda s: all(re.search(w, s) for w in words)


def _received(clause: str) -> bool:
    return "申请" in clause and bool(re.search(r"收到|受理|接收|接到|新收|共有|办理", clause)) \
        and not re.search(r"答复|办结|结转|顺延|予以|不予|无法|驳回|复议|诉讼|咨询|许可|审批|户外|竣工|窗口", clause)


def _decisions(clause: str, what: str) -> bool:
    return bool(re.search(what + r"(?:决定|案件)?(?:数量)?$", clause)) \
        and bool(re.search(r"作出|办理|实施|办结|决定", clause)) \
        and not re.search(r"发布|公开|公示|栏目|网站|平台|推送|信用", clause)


MEASURES = (
    Measure("received", "收到的政府信息公开申请", _received, (("applications", "new", "total"),)),
    Measure("review", "政府信息公开行政复议",
            lambda s: "复议" in s and "诉讼" not in s and "后" not in s, (("review", "review", "total"),)),
    Measure("lawsuit", "政府信息公开行政诉讼",
            lambda s: "诉讼" in s and "复议" not in s,
            (("review", "lawsuit_direct", "total"), ("review", "lawsuit_after_review", "total"))),
    Measure("normative_in_force", "现行有效的行政规范性文件", _has("规范性文件", "现行有效"),
            (("item1", "normative", "in_force"),)),
    Measure("normative_made", "本年制发的行政规范性文件",
            lambda s: "规范性文件" in s and bool(re.search(r"本年|年度|全年|今年", s))
            and bool(re.search(r"制发|印发|出台|制定", s)) and "现行" not in s,
            (("item1", "normative", "made"),)),
    Measure("open", "予以公开的申请",
            lambda s: s.endswith("予以公开") and "不予" not in s, (("applications", "open", "total"),)),
    Measure("open_partial", "予以公开和部分公开的申请",
            lambda s: bool(re.search(r"予以公开(及|和|与|、)部分公开$", s)),
            (("applications", "open", "total"), ("applications", "partial", "total"))),
    Measure("refuse", "不予公开的申请", lambda s: s.endswith("不予公开"), (("applications", "refuse", "total"),)),
    Measure("unable", "无法提供的申请", lambda s: s.endswith("无法提供"), (("applications", "unable", "total"),)),
    # Decisions made this year (the 2021 table's 本年处理决定数量), not items published on a page.
    Measure("license", "本年作出的行政许可决定", lambda s: _decisions(s, "行政许可"), (("item5", "license", "decisions"),)),
    Measure("penalty", "本年作出的行政处罚决定", lambda s: _decisions(s, "行政处罚"), (("item6", "penalty", "decisions"),)),
)

# "未收到…申请" said in words: the prose's zero.
_NONE_RECEIVED = re.compile(r"(?:未|没有|无)(?:收到|受理|接到|发生)(?:[^。；;，,]{0,16}?)(?P<what>行政复议|行政诉讼|申请)")


def _sentence(doc: Document, start: int, end: int) -> dict:
    return {"text": doc.text[start:end].strip(), "char_start": start, "char_end": end, "line": doc.line_at(start)}


def _sentence_around(doc: Document, pos: int) -> tuple[int, int]:
    text = doc.text
    start = max(text.rfind(ch, 0, pos) for ch in "。；;\n") + 1
    ends = [i for i in (text.find(ch, pos) for ch in "。；;\n") if i >= 0]
    return start, (min(ends) + 1 if ends else len(text))


def _table(facts: list[Fact]) -> dict:
    return {(f.table_key, f.row_key, f.column_key): f for f in facts if f.kind in ("table", "derived")}


def _figure(table: dict, keys: tuple) -> tuple[float | None, list[Fact]]:
    cells = [table.get(k) for k in keys]
    if any(c is None for c in cells):
        return None, []
    return sum(c.value for c in cells), cells


# Applications in a sentence about service windows are administrative-approval ones (区县已入驻审批服务部门…
# 开设窗口26个，共受理申请121510件), not disclosure requests.
_DISCLOSURE_MEASURES = {"received", "open", "open_partial", "refuse", "unable"}
_OTHER_APPLICATIONS = re.compile(r"审批|窗口|入驻|办件|政务服务|许可|办事")


def clause_measure(clause: str, sentence: str) -> Measure | None:
    """The measure a prose count states for the report's year (its clause and the sentence around it),
    or None when it states something else."""
    clause = re.sub(r"\s+", "", clause)
    if _NOT_THIS_FIGURE.search(clause):
        return None
    measure = next((m for m in MEASURES if m.test(clause)), None)
    if measure is not None and measure.key in _DISCLOSURE_MEASURES and _OTHER_APPLICATIONS.search(sentence):
        return None
    return measure


def this_year_measure(doc: Document, f: Fact) -> Measure | None:
    if f.kind != "narrative" or f.unit not in _COUNT_UNITS or f.char_start is None:
        return None
    if says_none(doc.text, f):
        return None  # a count of nothing (未收到…): the prose_says_none check reads those sentences
    start, end = _sentence_around(doc, f.char_start)
    return clause_measure(f.row, doc.text[start:end])


def prose_vs_table(doc: Document, facts: list[Fact]) -> list[Finding]:
    table = _table(facts)
    if not table:
        return []
    out: list[Finding] = []
    seen: set = set()
    for f in facts:
        measure = this_year_measure(doc, f)
        if measure is None:
            continue
        value, cells = _figure(table, measure.cells)
        if value is None or value == f.value or (measure.key, f.value) in seen:
            continue
        seen.add((measure.key, f.value))
        start, end = _sentence_around(doc, f.char_start)
        finding = _disagreement(measure, f.value, value, cells, table)
        finding.sentences = [_sentence(doc, start, end)]
        out.append(finding)
    out += _said_none(doc, table)
    return out


def _disagreement(measure: Measure, said: float, printed: float, cells: list[Fact], table: dict) -> Finding:
    refs = [cell_ref(c) for c in cells]
    if measure.key == "received":
        carried = table.get(("applications", "carried_in", "total"))
        if carried is not None and said == printed + carried.value:
            # The prose counted last year's carried-over applications as received this year.
            return Finding("prose-table", "note", "prose_received_includes_carried",
                           f"正文所述收到申请 {fmt_number(said)} 件，等于表中本年新收 {fmt_number(printed)} 件加上年结转 "
                           f"{fmt_number(carried.value)} 件：正文可能把上年结转的申请算作本年收到",
                           cells=refs + [cell_ref(carried)])
    return Finding("prose-table", "warning", f"prose_{measure.key}",
                   f"正文所述{measure.what} {fmt_number(said)}，与表中 {fmt_number(printed)} 不一致",
                   cells=refs)


def _said_none(doc: Document, table: dict) -> list[Finding]:
    """Prose that says none were received beside a table that counts some."""
    keys = {"申请": (("applications", "new", "total"),), "行政复议": (("review", "review", "total"),),
            "行政诉讼": (("review", "lawsuit_direct", "total"), ("review", "lawsuit_after_review", "total"))}
    out = []
    for m in _NONE_RECEIVED.finditer(doc.text):
        value, cells = _figure(table, keys[m.group("what")])
        if not value:
            continue
        start, end = _sentence_around(doc, m.start())
        what = "政府信息公开申请" if m.group("what") == "申请" else m.group("what")
        out.append(Finding("prose-table", "error", "prose_says_none",
                           f"正文说未收到{what}，表中却有 {fmt_number(value)} 件",
                           cells=[cell_ref(c) for c in cells], sentences=[_sentence(doc, start, end)]))
    return out


# --- percentages --------------------------------------------------------------

_UNIT = r"(?:件次|人次|件|条|个|起|宗|份|次|人|项|篇)"
_SHARE = re.compile(rf"(?P<n>\d+(?:\.\d+)?)[ \t\u3000]*(?P<unit>{_UNIT})"
                    r"[，,、]?[ \t\u3000]*占(?:比|[^，,。；;%]{0,12}?的?)?[ \t\u3000]*(?P<p>\d+(?:\.\d+)?)[ \t\u3000]*%")
_COUNT = re.compile(rf"(?P<n>\d+(?:\.\d+)?)[ \t\u3000]*(?P<unit>{_UNIT})")


def _explains(n: float, base: float, printed: str) -> bool:
    """Whether n/base is the printed percentage, rounded or cut at the digits printed."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return base > 0 and abs(100 * n / base - float(printed)) < 10 ** -decimals + 1e-9


def percentages(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    text = doc.text
    for para in re.finditer(r"[^\n]+", text):
        shares = list(_SHARE.finditer(para.group()))
        if not shares:
            continue
        counts = [(m.start(), float(m.group("n")), m.group("unit")) for m in _COUNT.finditer(para.group())]
        checks = []
        for s in shares:
            n, unit = float(s.group("n")), s.group("unit")
            bases = [v for pos, v, u in counts if pos < s.start() and u == unit and v > n]
            if bases:
                checks.append((s, n, bases))
        if not checks:
            continue
        # The base most of the paragraph's shares agree on, when at least two do.
        agreed = {}
        for _, n, bases in checks:
            for b in set(bases):
                agreed[b] = agreed.get(b, 0) + 1
        scores = {b: sum(_explains(n, b, s.group("p")) for s, n, bases in checks if b in bases) for b in agreed}
        common = max(scores, key=lambda b: (scores[b], b)) if scores and max(scores.values()) >= 2 else None
        for s, n, bases in checks:
            printed = s.group("p")
            if any(_explains(n, b, printed) for b in bases):
                continue
            base = common if common is not None else (bases[-1] if len(set(bases)) == 1 else None)
            if base is None:
                continue  # cannot tell which count the share is of: say nothing rather than guess
            start, end = _sentence_around(doc, para.start() + s.start())
            out.append(Finding("percentage", "warning", "share_mismatch",
                               f"「{fmt_number(n)}{s.group('unit')}，占{printed}%」与计算不符："
                               f"{fmt_number(n)} / {fmt_number(base)} = {100 * n / base:.2f}%",
                               sentences=[_sentence(doc, start, end)]))
    return out


# --- changes ------------------------------------------------------------------

_UP, _DOWN = r"增长|增加|上升|提高|多出", r"下降|减少|回落|降低"
_DIRECTION = rf"(?:(?P<up>{_UP})|(?P<down>{_DOWN}))了?"
_AGAINST_PRINTED_YEAR = r"(?:较|比)(?:上年|去年|上一年|\d{4}年)(?:同期)?"
# "…75件，比上年（40件）增长87.5%": both counts printed, so the rate can be recomputed on the spot.
_CHANGE_IN_SENTENCE = re.compile(
    rf"(?P<n>\d+(?:\.\d+)?)[ \t\u3000]*(?P<unit>{_UNIT})[^。；;%]{{0,24}}?{_AGAINST_PRINTED_YEAR}"
    rf"[（(的]?[ \t\u3000]*(?P<m>\d+(?:\.\d+)?)[ \t\u3000]*(?P=unit)[）)]?[，,]?[ \t\u3000]*"
    rf"{_DIRECTION}[ \t\u3000]*(?P<p>\d+(?:\.\d+)?)[ \t\u3000]*[%％]")


def _is_printed(value: float, printed: str) -> bool:
    """Whether ``value`` reads as ``printed``, rounded or cut at the digits printed, never a whole unit off."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(value - float(printed)) < 10 ** -decimals - 1e-9


def change_explains(now: float, before: float, printed: str, down: bool) -> bool:
    """Whether the change from ``before`` to ``now`` is the printed rate, in the printed direction."""
    if before <= 0:
        return False
    rate = 100 * (now - before) / before
    return _is_printed(-rate if down else rate, printed)


# "占36.5%，比上年的30.2%上升6.3个百分点": a change in points between two printed shares.
_POINTS_IN_SENTENCE = re.compile(
    rf"(?P<a>\d+(?:\.\d+)?)[ \t\u3000]*[%％][^。；;]{{0,16}}?{_AGAINST_PRINTED_YEAR}[（(的]?[ \t\u3000]*"
    rf"(?P<b>\d+(?:\.\d+)?)[ \t\u3000]*[%％][）)]?[，,]?[ \t\u3000]*{_DIRECTION}[ \t\u3000]*"
    r"(?P<p>\d+(?:\.\d+)?)[ \t\u3000]*个百分点")


def _points(doc: Document) -> list[Finding]:
    out = []
    for m in _POINTS_IN_SENTENCE.finditer(doc.text):
        a, b, printed = float(m.group("a")), float(m.group("b")), m.group("p")
        if _is_printed((b - a) if m.group("down") else (a - b), printed):
            continue
        start, end = _sentence_around(doc, m.start())
        word = m.group("down") or m.group("up")
        out.append(Finding("percentage", "warning", "points_mismatch",
                           f"「{word}{printed}个百分点」与计算不符：{m.group('a')}% − {m.group('b')}% = {a - b:+.2f} 个百分点",
                           sentences=[_sentence(doc, start, end)]))
    return out


def changes(doc: Document) -> list[Finding]:
    out: list[Finding] = _points(doc)
    for m in _CHANGE_IN_SENTENCE.finditer(doc.text):
        now, before, printed, down = float(m.group("n")), float(m.group("m")), m.group("p"), bool(m.group("down"))
        if before <= 0 or change_explains(now, before, printed, down):
            continue
        rate = 100 * (now - before) / before
        start, end = _sentence_around(doc, m.start())
        word = m.group("down") or m.group("up")
        out.append(Finding("percentage", "warning", "change_mismatch",
                           f"「{word}{printed}%」与计算不符：（{fmt_number(now)} − {fmt_number(before)}）/ "
                           f"{fmt_number(before)} = {rate:+.2f}%", sentences=[_sentence(doc, start, end)]))
    return out
