"""Structure and wording a reviewer fixes before publishing, each with its line.

Only what the text shows unambiguously is raised: headings are lines that begin with a numbering
mark (a heading glued into one long flattened line cannot be told from an enumeration, so such
texts are left alone); the tables of sections 二 to 四 are skipped, since their row labels reuse
一、 … 四、 and 1. … 8. and converters print them out of order; a doubled word is two equal jieba
words of two or more characters side by side; a sentence is cut when the text before a heading ends
on a comma or a word that cannot end a sentence; a statement is contradicted when two sentences give
this year's figure for the same measure differently (the measures and their clause rules are the
prose-vs-table check's).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .. import sections as sections_mod
from ..checks import fmt_number
from ..records import Document, Fact, Finding
from ..template import FORMATS
from . import prose

_CN = sections_mod.NUMERALS
_GAP = sections_mod._GAP
# A line's numbering mark, after markdown/list decoration a converter may add.
_LEAD = r"^[ \t\u3000#*>\-]*"
_MARKS = (
    ("top", re.compile(_LEAD + rf"(?P<n>[{_CN}]{{1,3}}){_GAP}[、．.]{_GAP}(?P<title>[^\n]*)", re.M)),
    ("paren_cn", re.compile(_LEAD + rf"[（(]{_GAP}(?P<n>[{_CN}]{{1,3}}){_GAP}[）)]{_GAP}(?P<title>[^\n]*)", re.M)),
    ("paren_ar", re.compile(_LEAD + rf"[（(]{_GAP}(?P<n>\d{{1,2}}){_GAP}[）)]{_GAP}(?P<title>[^\n]*)", re.M)),
    # 1. / 1、 but never a decimal or a date (2019.12, 3.5万).
    ("arabic", re.compile(_LEAD + rf"(?P<n>\d{{1,2}}){_GAP}[、．.](?!\d){_GAP}(?P<title>[^\n]*)", re.M)),
)
_STYLE_SHOWN = {"top": "一、", "paren_cn": "（一）", "paren_ar": "（1）", "arabic": "1."}

# The template's top-level sections, known by their titles whatever numeral is printed.
_SECTION_TITLES = (
    ("一", re.compile(r"^总体情况")),
    ("二", re.compile(r"主动公开政府信息(?:情况)?$|主动公开政府信息情况")),
    ("三", re.compile(r"收到和处理政府信息公开申请")),
    ("四", re.compile(r"行政复议.{0,3}行政诉讼|复议.{0,2}诉讼情况")),
    ("五", re.compile(r"存在的(?:主要)?问题")),
    ("六", re.compile(r"^其他需要报告")),
)
# What the template's 总体情况 is made of: a top-level heading on one of these topics is a
# subsection of 一 promoted a level.
_OVERVIEW_TOPICS = re.compile(r"^(?:主动公开|依申请公开|政府信息管理|(?:政府信息公开)?平台建设|监督保障)")
_TABLE_SECTIONS = set(sections_mod.TABLE_SECTIONS)
# A character a Chinese sentence cannot end on.
_DANGLING = set("，、,和与及或并对将把被在从向的")
_MAX_HEADING = 40


@dataclass
class Mark:
    style: str
    value: int
    start: int        # where its line begins
    title: str        # the heading words, up to the first full stop
    line_end: int
    printed: str = ""  # how the heading reads when its value was corrected for the order check


@lru_cache(maxsize=1)
def _row_labels() -> tuple[str, ...]:
    """Template row labels: the application table's 一、本年新收… rows are not section headings."""
    labels = {re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.]?", "", lab)
              for fmt in FORMATS.values() for t in fmt.tables for r in t.rows for lab in (r.label, r.group)}
    return tuple(sorted({lab[:4] for lab in labels if len(lab) >= 2}))


def _is_row_label(title: str) -> bool:
    """A short label (其他, 总计, 规章) only when it is the whole title, else the first four characters."""
    words = re.sub(r"[^\u4e00-\u9fff“”]", "", title)
    return any(words == lab if len(lab) < 4 else words.startswith(lab) for lab in _row_labels())


def _marks(text: str) -> list[Mark]:
    out: list[Mark] = []
    for style, rx in _MARKS:
        for m in rx.finditer(text):
            n = m.group("n")
            value = int(n) if n.isdigit() else sections_mod._numeral_value(n)
            if not value:
                continue
            title = re.split(r"[。；;：:]", m.group("title"), maxsplit=1)[0].strip()
            if not title or _is_row_label(title):
                continue
            out.append(Mark(style, value, m.start(), title, m.end()))
    out.sort(key=lambda k: k.start)
    return out


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _sentence(doc: Document, mark: Mark) -> dict:
    start = _line_start(doc.text, mark.start)
    return prose._sentence(doc, start, mark.line_end)


def _expected(title: str) -> str | None:
    head = title[:_MAX_HEADING // 2]
    return next((n for n, rx in _SECTION_TITLES if rx.search(head)), None)


def _shown(mark: Mark) -> str:
    if mark.printed:
        return mark.printed
    numeral = sections_mod._numeral(mark.value) if mark.style in ("top", "paren_cn") else str(mark.value)
    return {"top": f"{numeral}、", "paren_cn": f"（{numeral}）", "paren_ar": f"（{numeral}）",
            "arabic": f"{numeral}."}[mark.style] + mark.title[:_MAX_HEADING]


def _headings(doc: Document, tops: list[Mark]) -> list[Finding]:
    """Top-level headings against the template's order: wrong numeral, two of one, a promoted subsection."""
    out: list[Finding] = []
    # A converter may glue a heading to what follows it (a table's column headers): a long line counts
    # when it begins with a template section's title.
    heads = [m for m in tops if len(m.title) <= _MAX_HEADING or _expected(m.title)]
    later_template = {i: {_expected(m.title) for m in heads[i + 1:]} for i in range(len(heads))}
    kept: list[Mark] = []
    for i, m in enumerate(heads):
        want = _expected(m.title)
        if want is None and _OVERVIEW_TOPICS.search(m.title) and later_template[i] & {"二", "三"}:
            out.append(Finding("structure", "warning", "subsection_promoted",
                               f"“{_shown(m)}”是“一、总体情况”中的一项（主动公开、依申请公开、政府信息管理、平台建设、"
                               f"监督保障），却写成了一级标题", sentences=[_sentence(doc, m)]))
            continue
        if want is not None and sections_mod._numeral_value(want) != m.value:
            same = [o for o in heads if o is not m and o.value == m.value]
            also = f"，与“{_shown(same[0])}”（第{doc.line_at(same[0].start)}行）重复" if same else ""
            out.append(Finding("structure", "warning", "heading_wrong_numeral",
                               f"标题“{_shown(m)}”应为“{want}、”（国家格式第{want}部分）{also}",
                               sentences=[_sentence(doc, m)] + ([_sentence(doc, same[0])] if same else [])))
            # Read on as if corrected, so the next heading is not out of order because of this one.
            kept.append(replace(m, value=sections_mod._numeral_value(want), printed=_shown(m)))
            continue
        kept.append(m)
    for prev, m in zip(kept, kept[1:]):
        if m.value == prev.value:
            out.append(Finding("structure", "warning", "heading_duplicate",
                               f"两个一级标题都编为“{sections_mod._numeral(m.value)}、”：“{_shown(prev)}”和“{_shown(m)}”",
                               sentences=[_sentence(doc, prev), _sentence(doc, m)]))
        elif m.value != prev.value + 1:
            out.append(Finding("structure", "warning", "heading_out_of_order",
                               f"一级标题“{_shown(m)}”接在“{_shown(prev)}”之后，编号不连续",
                               sentences=[_sentence(doc, prev), _sentence(doc, m)]))
    return out


def _mixed_numbering(doc: Document, marks: list[Mark]) -> list[Finding]:
    """A list that goes on in another numbering style: （一）…（二）… then 3. …"""
    out: list[Finding] = []
    last: dict[str, Mark] = {}
    for m in marks:
        if m.value > 1 and (last.get(m.style) is None or last[m.style].value != m.value - 1):
            other = [o for s, o in last.items() if s != m.style and o.value == m.value - 1]
            if other:
                o = max(other, key=lambda k: k.start)
                out.append(Finding("structure", "note", "numbering_mixed",
                                   f"“{_shown(m)}”接着“{_shown(o)}”往下编号，同一级混用了“{_STYLE_SHOWN[o.style]}”"
                                   f"和“{_STYLE_SHOWN[m.style]}”两种编号",
                                   sentences=[_sentence(doc, o), _sentence(doc, m)]))
                # The list goes on in its own style: （四） after the stray 3. is no second finding.
                last[o.style] = replace(o, value=m.value)
                continue
        last[m.style] = m
    return out


def _cut_sentences(doc: Document, marks: list[Mark], spans: list[tuple[int, int]]) -> list[Finding]:
    """Text before a heading (or at the end of a section) that stops mid-sentence."""
    text = doc.text
    out: list[Finding] = []
    ends = sorted({_line_start(text, m.start) for m in marks} | {e for _, e in spans})
    for end in ends:
        before = text[:end].rstrip()
        if not before or not any(s <= len(before) - 1 < e for s, e in spans):
            continue
        line_start = _line_start(text, len(before) - 1)
        line = before[line_start:]
        if "|" in line or not re.search(r"[\u4e00-\u9fff]{4}", line):
            continue  # a table row or a page number, not prose
        if before[-1] in _DANGLING:
            out.append(Finding("structure", "warning", "sentence_cut",
                               f"这句话没有写完，停在“{line[-12:]}”", sentences=[prose._sentence(doc, line_start, len(before))]))
    return out


def _doubled_words(doc: Document, spans: list[tuple[int, int]]) -> list[Finding]:
    import jieba
    out: list[Finding] = []
    seen: set[str] = set()
    for s, e in spans:
        for run in re.finditer(r"[\u4e00-\u9fff]{4,}", doc.text[s:e]):
            words = jieba.lcut(run.group(), HMM=False)
            pos = s + run.start()
            for a, b in zip(words, words[1:]):
                if a == b and len(a) >= 2 and not re.match(r"^[一二两三几每各][个件项条次名位]", a) and a not in seen:
                    seen.add(a)
                    start, end = prose._sentence_around(doc, pos)
                    out.append(Finding("structure", "note", "word_doubled",
                                       f"“{a}{a}”：同一个词连写了两遍", sentences=[prose._sentence(doc, start, end)]))
                pos += len(a)
    return out


def _contradictions(doc: Document, facts: list[Fact]) -> list[Finding]:
    """Two sentences that give this year's figure for one measure differently."""
    said: dict[prose.Measure, dict[float, Fact]] = {}
    for f in facts:
        measure = prose.this_year_measure(doc, f)
        if measure is not None:
            said.setdefault(measure, {}).setdefault(f.value, f)
    out: list[Finding] = []
    for measure, by_value in said.items():
        if len(by_value) < 2:
            continue
        first, second = sorted(by_value.values(), key=lambda f: f.char_start)[:2]
        sentences = [prose._sentence(doc, *prose._sentence_around(doc, f.char_start)) for f in (first, second)]
        out.append(Finding("structure", "warning", "statement_contradicted",
                           f"正文两处所述{measure.what}不一致：第{sentences[0]['line']}行为 {fmt_number(first.value)}，"
                           f"第{sentences[1]['line']}行为 {fmt_number(second.value)}", sentences=sentences))
    return out


def _prose_spans(doc: Document, template: bool) -> list[tuple[int, int]]:
    """The parts of the text that are prose: every section but the tables' (二 to 四) in a template report."""
    spans = [(s.start, s.end) for s in sections_mod.split(doc.text)
             if not (template and s.number in _TABLE_SECTIONS)]
    return [sp for sp in spans if sp[1] > sp[0]]


def findings(doc: Document, facts: list[Fact], fmt: str | None) -> list[Finding]:
    template = fmt is not None
    spans = _prose_spans(doc, template)

    marks = _marks(doc.text)
    out: list[Finding] = []
    if template:
        out += _headings(doc, [m for m in marks if m.style == "top"])
    for s, e in spans:  # a list runs within one section
        out += _mixed_numbering(doc, [m for m in marks if m.style != "top" and s <= m.start < e])
    out += _cut_sentences(doc, marks, spans)
    out += _doubled_words(doc, spans)
    out += _contradictions(doc, facts)
    return out
