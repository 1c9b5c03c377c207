"""Top-level sections of an annual report, as character spans over the whole text.

Reports from 2019 on follow the national template (一、总体情况 … 六、其他需要报告的事项);
older ones number their own headings (一、概述, 二、主动公开政府信息情况, …). Either way
the text may be one long line, so headings are found mid-line, and the application
table inside section 三 reuses 一、 … 四、 as row labels, so a bare "四、" is never
trusted: template headings must carry their known title, and free headings must
come in order and stand where a heading can stand.
"""
from __future__ import annotations

import re

from .records import Section

NUMERALS = "一二三四五六七八九十"

# Canonical titles, used as the section label whatever wording the report prints
# (上海 writes 五、政府信息公开工作存在的主要问题及改进情况, 沭阳 …及整改措施), so that
# labels are comparable across reports.
TEMPLATE_TITLES = {
    "一": "总体情况",
    "二": "主动公开政府信息情况",
    "三": "收到和处理政府信息公开申请情况",
    "四": "政府信息公开行政复议、行政诉讼情况",
    "五": "存在的主要问题及改进情况",
    "六": "其他需要报告的事项",
}
# Template sections that hold the statistical tables (parsed by the table parser).
TABLE_SECTIONS = ("二", "三", "四")

_GAP = r"[ \t\u3000]*"  # PDF text layers put stray spaces inside headings: "三 、本 年 度"


def _spaced(words: str) -> str:
    return _GAP.join(re.escape(c) for c in words)


# Each pattern only needs enough of the title to tell the heading from the table
# row labels that share its numeral (一、本年新收…, 二、上年结转…, 三、本年度办理结果,
# 四、结转下年度继续办理).
_TEMPLATE_PATTERNS = {
    "一": _spaced("一、") + _GAP + _spaced("总体情况"),
    "二": _spaced("二、") + _GAP + _spaced("主动公开"),
    "三": _spaced("三、") + _GAP + _spaced("收到和处理"),
    # Loose enough for typos seen in the corpus ("四、政府信息公开行政法复议") but
    # never across another 、, so "四、结转下年度继续办理…四、…" cannot match early.
    "四": _spaced("四、") + r"[^。；、\n]{0,12}?" + _spaced("复议"),
    "五": _spaced("五、") + r"[^。；、\n]{0,16}?" + _spaced("问题"),
    "六": _spaced("六、") + _GAP + _spaced("其他需要报告"),
}
_TEMPLATE_RE = {n: re.compile(p) for n, p in _TEMPLATE_PATTERNS.items()}

# A free heading "N、" must follow a place where a heading can begin: the start of
# the text or a line, the end of a sentence or bracket, or the tail of an address
# block ("…@163.com一、概述"). After 、 or a CJK character it is an enumeration
# ("第一、第三", "一、二级") and is refused.
_FREE_RE = re.compile(rf"([{NUMERALS}]{{1,3}}){_GAP}、")
_HEADING_BEFORE = set("。！？；：!?;:）)】」』”’>") | set("\n\r\f")
_TITLE_STOP = re.compile(r"[\s0-9０-９（(，,。；;：:！？!?“\"《]")
_TITLE_END = re.compile(r"概述|情况|措施|统计表")
_TITLE_MORE = re.compile(r"(?:及\S{0,6}?)?(?:情况|措施|统计表)")
_MAX_TITLE = 40


def _numeral_value(s: str) -> int:
    """一…九十九 as an int (enough for heading numbers)."""
    digits = {c: i + 1 for i, c in enumerate("一二三四五六七八九")}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.get(s[1:], 0)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return digits.get(tens, 0) * 10 + (digits.get(ones, 0) if ones else 0)
    return digits.get(s, 0)


def _numeral(n: int) -> str:
    ones = "一二三四五六七八九"
    if n <= 9:
        return ones[n - 1]
    tens, one = divmod(n, 10)
    return ("" if tens == 1 else ones[tens - 1]) + "十" + (ones[one - 1] if one else "")


def _heading_position_ok(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\u3000":
        i -= 1
    if i < 0:
        return True
    c = text[i]
    return c in _HEADING_BEFORE or (c.isascii() and (c.isalnum() or c in "-_.@"))


def _free_title(text: str, start: int) -> str:
    """The printed title after "N、": up to the first stop character, and, for a
    heading glued to its first sentence ("五、存在的主要问题和改进措施虽然我区…"), only
    up to the first word a heading ends with (概述, 情况, 措施, 统计表; "情况统计表"
    counts as one)."""
    i = start
    while i < len(text) and text[i] in " \t\u3000":
        i += 1
    m = _TITLE_STOP.search(text, i, i + _MAX_TITLE)
    cand = text[i:m.start() if m else min(len(text), i + _MAX_TITLE)]
    end = _TITLE_END.search(cand)
    if end:
        cut = end.end()
        more = _TITLE_MORE.match(cand, cut)
        while more and more.end() > cut:
            cut = more.end()
            more = _TITLE_MORE.match(cand, cut)
        cand = cand[:cut]
    return cand.strip()


def _template_headings(text: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    pos = 0
    for n, rx in _TEMPLATE_RE.items():
        m = rx.search(text, pos)
        if m:
            found.append((n, m.start()))
            pos = m.end()
    return found


def _free_headings(text: str) -> list[tuple[str, int, str]]:
    """Numbered headings 一、二、… in order; numbering stops at the first gap."""
    hi = len(text)
    out: list[tuple[str, int, str]] = []
    want = 1
    pos = 0
    while pos < hi:
        hit = None
        for m in _FREE_RE.finditer(text, pos, hi):
            if _numeral_value(m.group(1)) != want or not _heading_position_ok(text, m.start()):
                continue
            title = _free_title(text, m.end())
            if not title or title[0] in NUMERALS:
                continue
            hit = (m, title)
            break
        if hit is None:
            break
        m, title = hit
        out.append((_numeral(want), m.start(), title))
        pos = m.end()
        want += 1
    return out


def is_template(sections: list[Section]) -> bool:
    """True when the sections were recognised as the national template's."""
    numbered = [s for s in sections if s.number]
    return sum(1 for s in numbered if TEMPLATE_TITLES.get(s.number) == s.title) >= 3


def label(section: Section) -> str:
    """The label carried by chunks and narrative facts, e.g. "五、存在的主要问题及改进情况"."""
    return f"{section.number}、{section.title}" if section.number else section.title


def split(text: str) -> list[Section]:
    """Top-level sections covering ``text`` end to end, in order.

    Text before the first heading is a preamble section with number "" and title
    "前言" (or "全文" when no heading is found at all).
    """
    heads: list[tuple[str, int, str]] = []
    template = _template_headings(text)
    # 二/四/五 headings also occur in older reports (二、主动公开政府信息情况,
    # 四、因政府信息公开申请行政复议…); 一、总体情况 or 三、收到和处理… are the
    # template's own.
    numbers = {n for n, _ in template}
    if len(template) >= 3 and numbers & {"一", "三"}:
        heads = [(n, p, TEMPLATE_TITLES[n]) for n, p in template]
        heads = _fill_template_gaps(text, heads)
    else:
        heads = _free_headings(text)

    if not heads:
        return [Section("", "全文", 0, len(text))]
    sections: list[Section] = []
    if heads[0][1] > 0:
        sections.append(Section("", "前言", 0, heads[0][1]))
    for i, (n, p, title) in enumerate(heads):
        end = heads[i + 1][1] if i + 1 < len(heads) else len(text)
        sections.append(Section(n, title, p, end))
    return sections


def _fill_template_gaps(text: str, heads: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """A template heading worded too differently to be recognised is looked for as
    a free numbered heading between its recognised neighbours."""
    order = list(TEMPLATE_TITLES)
    have = {n for n, _, _ in heads}
    out = list(heads)
    for n in order:
        if n in have:
            continue
        k = order.index(n)
        before = [p for m, p, _ in out if order.index(m) < k]
        after = [p for m, p, _ in out if order.index(m) > k]
        lo = max(before) + 1 if before else 0
        hi = min(after) if after else len(text)
        for m in _FREE_RE.finditer(text, lo, hi):
            if m.group(1) == n and _heading_position_ok(text, m.start()):
                title = _free_title(text, m.end())
                if title and title[0] not in NUMERALS and n in ("五", "六"):
                    # Only the prose sections are plausible free wordings; a stray
                    # "二、"/"三、"/"四、" here is a table row label.
                    out.append((n, m.start(), title))
                    break
        out.sort(key=lambda h: h[1])
    return out


def heading_end(text: str, section: Section) -> int:
    """Where the printed heading of ``section`` ends (its start for the preamble),
    so that the heading is not read as part of the first sentence."""
    if not section.number:
        return section.start
    m = _FREE_RE.match(text, section.start)
    if not m:
        return section.start
    title = _free_title(text, m.end())
    at = text.find(title, m.end(), section.end) if title else -1
    return at + len(title) if at >= 0 else m.end()
