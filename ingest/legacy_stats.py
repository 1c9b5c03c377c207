"""The statistics table of pre-2019 reports (政府信息公开情况统计表), as prose-kind facts.

Before the national template, reports ended with a table of indicator rows, each
"label unit this-year [cumulative]": 受理依申请公开信息总数 条 0 0, 行政复议数 件 0 0,
政府信息公开专项经费 万元 38.5. Its rows differ by province and year, so they are not template
cells: each row's this-year figure is stored like a figure stated in prose (table_key
"narrative"), labelled by the row, so a question is matched against its label as against a
sentence's clause.

What a row is made of:

* a label: words, with bracketed notes allowed in it (主动公开政府信息数（不同渠道和方式公开相同信息计1条）);
  a note's number is never the row's figure, and the note is left out of the row's name (the source
  text keeps it). Numbering (一、 （一） 1. 1、 其中：) is not part of the name either.
* a unit (UNITS: the units reports count in, ingest/units.py, 人 and 篇 among them);
* figures: numbers, decimals included (38.5, 0.8, 12.35, 1,234).

Extracted text often glues the cells (受理依申请公开信息总数条00其中：1.当面申请数条002.…), so a row's
figures can run into the next row's numbering. A ``.`` followed by a digit is a decimal point; a ``N.``
/ ``N、`` is numbering only where a label follows it. When the numbering is glued to the figures its
digits are not known by themselves (件1310.… is 13|10 or 131|0…, 件5512.… is 55|12 or 551|2), so the
numbering the next row can carry is taken from the list: the next number of the current row's list,
or 1 for a new list. Every reading that fits is tried; a figure is stored only when all of them give
the same one.

A glued run of two figures is split only where one reading is possible: this year's figure never
exceeds the cumulative one and no number but 0 starts with 0 (00 → 0|0; 206912106 could be
2069|12106 or 206|912106, so it is left out rather than guessed). A figure that cannot be read with
certainty (a stray ``.`` after it, a malformed number, an unbalanced bracket in its label) is left out.
"""
from __future__ import annotations

import re

from .records import Document, Fact
from .units import COUNTING_UNITS

TITLE = "政府信息公开情况统计表"

# The units reports count in, and 件次/万条 and the like that statistics tables print.
UNITS = COUNTING_UNITS + ("件次", "万条")
_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))   # longest first: 人次 before 人, 万元 before 元

_START = re.compile(r"统计表")
_LABEL_START = r"[\u4e00-\u9fff（(《“\"]"
_ROW = re.compile(
    # Words, or a bracketed note (which may hold digits: …计1条) taken whole.
    r"(?P<label>[\u4e00-\u9fff](?:[^\d\s（()）]|[（(][^（()）\n]{0,80}[）)]){1,40}?)[ \t\u3000]*"
    rf"(?P<unit>{_UNIT_ALT})[ \t\u3000]*"
    # Figures: digits and spaces, a decimal point or a thousands comma only between digits.
    r"(?P<nums>\d(?:[\d \t\u3000]|[.．,](?=\d))*)"
    # The next row's numbering run into the figures: a mark that a label follows.
    rf"(?P<mark>[.．、](?=[ \t\u3000]*{_LABEL_START}))?"
)
# A mark after the figures that is neither a decimal point nor numbering: the figure is uncertain.
_STRAY = re.compile(r"[.．、]")
# Header words a label picks up when the header runs into the first row (…计量单位2018年度历年累计主动公开文件数,
# 指标名称计量单位本年度专项经费); 单位 counts as a header word only after 指标 (…工作单位数 is a row).
_HEADER = re.compile(r"^(?:[^\d]*?指标[^\d]*?单位|[^\d]*?计量单位)?"
                     r"(?:[\u4e00-\u9fff]*?(?:本年度|年度|本年))?(?:历年累计|累计)?(?:统计数|数量|数值)?")
_CN_NUM = "一二三四五六七八九十"
_LEAD = re.compile(
    rf"^(?:其中[：:]?|[（(]?[{_CN_NUM}]{{1,3}}[）)、.．]|[（(]\d{{1,2}}[）)]|[、，,：:；;.．）)\s])+")
# A sub-heading inside the label (one-line text: 八、机构建设和保障经费情况（一）政府信息公开工作专门机构数):
# the row is named by what follows the last one.
_INNER_NUMBERING = re.compile(rf"[（(](?:[{_CN_NUM}]{{1,3}}|\d{{1,2}})[）)]")
_NOTE = re.compile(r"[（(][^（()）]*[）)]")
# Numbering written before a label (1.当面申请数, 其中：2、…), the label not glued to figures.
_NUMBERED_BEFORE = re.compile(r"(?<![\d.．,])(\d{1,2})[.．、][ \t\u3000]*$")
_NUMBER = re.compile(r"(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?")

_UNKNOWN = -1   # a numbering that more than one reading allows


def _number(s: str) -> float | None:
    """``s`` as a number if it is written as one (no leading 0 but 0 itself, 0.8, 1,234.5)."""
    return float(s.replace(",", "")) if _NUMBER.fullmatch(s) else None


def _glued(run: str, columns: int) -> set[float]:
    """This year's figure in every reading of ``run`` as ``columns`` figures written without a space."""
    if columns == 1:
        v = _number(run)
        return set() if v is None else {v}
    fits = set()
    for i in range(1, len(run)):
        a, b = _number(run[:i]), _number(run[i:])
        if a is not None and b is not None and a <= b:
            fits.add(a)
    return fits


def _readings(parts: list[str], columns: int) -> set[float]:
    """This year's figure in every reading of the cells ``parts`` (split at spaces)."""
    if not parts:
        return set()
    if len(parts) == columns:
        v = _number(parts[0])
        return set() if v is None else {v}
    if len(parts) == 1:
        if set(parts[0]) == {"0"} and len(parts[0]) in (1, columns):
            return {0.0}   # a lone 0 (or 00): nothing this year whichever column it is
        return _glued(parts[0], columns)
    return set()


def _numbering_cuts(parts: list[str], expected: set[int] | None) -> dict[int, list[str]]:
    """The numbering the next row may carry, run into the last cell, and the cells left for the
    figures in each case: 条 0 0 2、 → {2: [0, 0]}; 条002. → {2: [00]}; 件1310. → {10: [13]};
    digits run into figures are numbering only if the list allows them (``expected``);
    万元38.52. → {2: [38.5], 52: [38.]} (the second is no number and is dropped by the reader)."""
    last = parts[-1]
    cuts = {}
    for k in (1, 2):
        ordinal = last[-k:]
        if k > len(last) or not ordinal.isdigit() or ordinal[0] == "0":
            continue
        n = int(ordinal)
        whole = k == len(last) and len(parts) > 1   # 条 0 0 2、: the numbering is a cell of its own
        if expected is not None and n not in expected and not whole:
            continue
        rest = last[:-k]
        cuts[n] = parts[:-1] + ([rest] if rest else [])
    return cuts


def _row_name(label: str, first: bool) -> tuple[str, int]:
    """The row's name (numbering, header words and notes taken off) and where it starts in ``label``.
    Header words (…2018年度历年累计) are looked for on the first row only: further down, 累计… is a row."""
    off = 0
    inner = [m for m in _INNER_NUMBERING.finditer(label) if m.start() > 0]
    if inner and len(label) - inner[-1].end() >= 3:
        off = inner[-1].end()
    rest = label[off:]
    for pattern in ((_LEAD, _HEADER, _LEAD) if first else (_LEAD,)):
        m = pattern.match(rest)
        if m and m.end():
            off += m.end()
            rest = rest[m.end():]
    return _NOTE.sub("", rest).strip(), off


def extract(doc: Document) -> list[Fact]:
    text = doc.text
    start = None
    for m in _START.finditer(text):
        start = m.end()  # the last mention: the table itself follows the body's references to it
    if start is None:
        return []
    body = text[start:]
    columns = 2 if "累计" in body[:80] else 1
    facts = []
    carried: int | None = None      # numbering the previous row's figures ran into (_UNKNOWN: not sure which)
    last_numbered = 0               # the last numbering seen, for a list that goes on after a sub-row
    prev_end = 0
    first = True
    for m in _ROW.finditer(body):
        if first and m.group("label").endswith("单") and m.group("unit") == "位":
            prev_end = m.end()   # the header: 计量单位2016年度 reads like a row in 位
            continue
        name, off = _row_name(m.group("label"), first=first)
        first = False
        name_at = m.start("label") + off
        # This row's own numbering: run into the previous row's figures, or written before its label.
        gap = body[prev_end:m.start()]
        if carried is not None and not re.search(r"\d", gap) and len(gap.strip()) <= 2:
            number = carried
        else:
            before = _NUMBERED_BEFORE.search(body, prev_end, m.start())
            number = int(before.group(1)) if before else None
        if number is not None and number != _UNKNOWN:
            last_numbered = number
        expected = None if number == _UNKNOWN else {1, (number or last_numbered) + 1}

        parts = m.group("nums").split()
        end = m.end("nums")
        carried = None
        if m.group("mark"):
            # The figures ran into the next row's numbering (条002.传真申请数, 件3861.当面申请数).
            values: set[float] = set()
            numbering = set()
            for n, rest in _numbering_cuts(parts, expected).items():
                got = _readings(rest, columns)
                if got:
                    values |= got
                    numbering.add(n)
            carried = numbering.pop() if len(numbering) == 1 else _UNKNOWN
        elif _STRAY.match(body, end):
            values = set()   # 38. at a line's end: a decimal cut off, or numbering away from its label
        else:
            values = _readings(parts, columns)
        prev_end = m.end()
        if len(values) != 1 or len(name) < 3:
            continue
        value = values.pop()
        at = start + name_at
        facts.append(Fact(
            table=TITLE, table_key="narrative", row=name, row_key="", row_group=TITLE,
            column="本年度", column_key="", value=float(value), unit=m.group("unit"), kind="narrative",
            source_text=re.sub(r"\s+", " ", body[m.start("label"):end]).strip(),
            source_line=doc.line_at(at), source_page=doc.page_at(at),
            char_start=at, char_end=start + end,
        ))
    return facts
