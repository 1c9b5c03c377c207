"""The report years a question names: 2020年, 二〇二〇年度, 2021到2024年, 2015-2018年,
2021、2022、2024年, 近三年, 去年/今年 (relative to the newest stored year)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .textutil import cn_int

_CN = "〇零○一二三四五六七八九"
_YEAR = r"((?:19|20)\d{2})"
# The closing 年/年度 belongs to the range: left behind, "年区…" would read as a word of the question.
_RANGE = re.compile(_YEAR + r"年?(?:度)?(?:到|至|—|－|-|~|～)" + _YEAR + r"(?:年度?)?")
_SHORT_RANGE = re.compile(r"(?<![\d.])(\d{2})年?(?:度)?(?:到|至|—|－|-|~|～)(\d{2})年度?")
_CN_YEAR = re.compile(f"([{_CN}]{{4}})年度?")
_PLAIN = re.compile(r"(?<!\d)" + _YEAR + r"(?!\d)")
# 23年 / 23年度: a year written with two digits. 年 is required (23 alone is a count), and a
# number before it makes it a duration (近10年 is read by _RECENT first).
_SHORT = re.compile(r"(?<![\d.])(\d{2})(年度?)(?!\d)")
# A year after 结转到/至 is where applications were carried to, not the report asked about.
_DESTINATION = re.compile(r"(?:结转|转入|转至|转到)(?:到|至)?$")
_RECENT = re.compile(r"(?:近|最近|过去)([0-9一二三四五六七八九十两]+)年")
_RECENT_BEFORE = re.compile(r"(?:近|最近|过去|前|后|这|满|超过|第)$")
_RELATIVE = {"今年": 0, "去年": -1, "前年": -2}
# 那上一年呢？: a step from the year the conversation is about (上一年项目数量 is a column, not a year).
_STEP = re.compile(r"(上|前|下|后|次)一?个?年(?:度)?(?!度?(?:项目|结转))")
_STEPS = {"上": -1, "前": -1, "下": 1, "后": 1, "次": 1}
_ALL_YEARS = re.compile(r"历年|历次|每一年|逐年|近几年|这几年|最近几年|各年")


@dataclass
class YearMention:
    years: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    destinations: list[tuple[int, int]] = field(default_factory=list)  # 结转到2026年: the next year
    all_years: bool = False       # 历年 / 近几年: every stored year
    recent: int | None = None     # 近三年: the newest N stored years
    relative: int | None = None   # 去年 = -1 (from the newest stored year)
    step: int | None = None       # 上一年 = -1 (from the year asked before, else like 去年)

    @property
    def named(self) -> bool:
        return bool(self.years or self.all_years or self.recent or self.relative is not None or self.step)


def parse_years(text: str) -> YearMention:
    """Years named in ``text`` (already compacted), in order, without duplicates."""
    mention = YearMention()
    found: list[tuple[int, int]] = []  # (position, year)
    spans: list[tuple[int, int]] = []
    taken = [False] * (len(text) + 1)

    def claim(m):
        for i in range(m.start(), m.end()):
            taken[i] = True
        spans.append((m.start(), m.end()))

    for m in _RANGE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b and b - a <= 30:
            found.extend((m.start(), y) for y in range(a, b + 1))
            claim(m)
    for m in _SHORT_RANGE.finditer(text):
        a, b = _century(int(m.group(1))), _century(int(m.group(2)))
        if not taken[m.start()] and a <= b and b - a <= 30:
            found.extend((m.start(), y) for y in range(a, b + 1))
            claim(m)
    for m in _CN_YEAR.finditer(text):
        y = cn_int(m.group(1))
        if y and 1900 <= y <= 2100:
            found.append((m.start(), y))
            claim(m)
    for m in _PLAIN.finditer(text):
        if taken[m.start()]:
            continue
        if _DESTINATION.search(text[max(0, m.start() - 4):m.start()]):
            end = m.end() + (1 if text[m.end():m.end() + 1] == "年" else 0)
            mention.destinations.append((m.start(), end))
            continue
        found.append((m.start(), int(m.group(1))))
        end = m.end() + (1 if text[m.end():m.end() + 1] == "年" else 0)
        end += 1 if text[end:end + 1] == "度" else 0
        spans.append((m.start(), end))
    for m in _SHORT.finditer(text):
        if taken[m.start()] or any(s <= m.start() < e for s, e in spans) or _RECENT_BEFORE.search(text[:m.start()]):
            continue
        y = _century(int(m.group(1)))
        found.append((m.start(), y))
        spans.append(m.span())
    for _, y in sorted(found):
        if y not in mention.years:
            mention.years.append(y)
    mention.spans = spans
    m = _RECENT.search(text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else cn_int(m.group(1))
        if n:
            mention.recent = n
            mention.spans.append(m.span())
    if not mention.years:
        for word, offset in _RELATIVE.items():
            i = text.find(word)
            if i >= 0:
                mention.relative = offset
                mention.spans.append((i, i + len(word)))
                break
    m = _STEP.search(text)
    # 比上一年 is what a change is measured against; 结转到下一年 is where applications went.
    if m and not mention.years and mention.relative is None and (m.start() == 0 or text[m.start() - 1] not in "一比较") \
            and not _DESTINATION.search(text[max(0, m.start() - 4):m.start()]):
        mention.step = _STEPS[m.group(1)]
        mention.spans.append(m.span())
    m = _ALL_YEARS.search(text)
    if m:
        mention.all_years = not mention.years
        mention.spans.append(m.span())
    return mention


def _century(two: int) -> int:
    """23 → 2023; a two-digit year past next year is last century's (98 → 1998)."""
    import datetime
    return 2000 + two if two <= datetime.date.today().year % 100 + 1 else 1900 + two


def resolve(mention: YearMention, stored: list[int]) -> list[int]:
    """The concrete years meant, given the years stored for the agency (or overall)."""
    stored = sorted(set(y for y in stored if y))
    if mention.years:
        return list(mention.years)
    if mention.recent and stored:
        return stored[-mention.recent:]
    if mention.relative is not None and stored:
        return [stored[-1] + mention.relative]
    if mention.step and stored:
        return [stored[-1] + mention.step]
    if mention.all_years:
        return stored
    return []
