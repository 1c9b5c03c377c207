"""The statistics table of pre-2019 reports (政府信息公开情况统计表), as prose-kind facts.

Before the national template, reports ended with a table of indicator rows, each
"label unit this-year cumulative": 受理依申请公开信息总数 条 0 0, 行政复议数 件 0 0. Its
rows differ by province and year, so they are not template cells: each row's this-year
figure is stored like a figure stated in prose (table_key "narrative"), labelled by the
row, so a question is matched against its label as against a sentence's clause.

Extracted text often glues the cells (受理依申请公开信息总数条00其中：1.当面申请数条002.…).
A glued run of digits is split only where one reading is possible: this year's figure
never exceeds the cumulative one and no number but 0 starts with 0 (00 → 0|0; 206912106
could be 2069|12106 or 206|912106, so it is left out rather than guessed).
"""
from __future__ import annotations

import re

from .records import Document, Fact

TITLE = "政府信息公开情况统计表"
_START = re.compile(r"统计表")
_ROW = re.compile(
    r"(?P<label>[\u4e00-\u9fff][^\d\s]{1,40}?)[ \t\u3000]*"
    r"(?P<unit>万元|人次|条|件|元|个|次|份)[ \t\u3000]*"
    r"(?P<nums>\d[\d \t\u3000]*)"
)
# Header words a label picks up when the header runs into the first row (…计量单位2018年度历年累计主动公开文件数).
_HEADER = re.compile(r"^(?:[\u4e00-\u9fff]*?(?:年度|本年))?(?:历年累计|累计)?")
_LEAD = re.compile(r"^(?:其中[：:]?|[、，,：:；;.．\s])+")
_NUMBERING_AFTER = re.compile(r"[.、．]")


def _split_glued(digits: str, columns: int) -> int | None:
    """This year's figure from a run of digits holding ``columns`` glued figures, if only one split fits."""
    if columns == 1:
        return int(digits)
    fits = []
    for i in range(1, len(digits)):
        a, b = digits[:i], digits[i:]
        if (a[0] == "0" and len(a) > 1) or (b[0] == "0" and len(b) > 1):
            continue
        if int(a) <= int(b):
            fits.append(int(a))
    return fits[0] if len(fits) == 1 else None


def _this_year(nums: str, columns: int, numbered_next: bool) -> int | None:
    parts = nums.split()
    if numbered_next:
        # 条002.传真申请数 / 条 0 0 2、网上申请数: the last digit numbers the next row.
        if len(parts) > 1:
            parts = parts[:-1]
        elif len(parts[0]) > 1:
            parts = [parts[0][:-1]]
        else:
            return None
    if len(parts) == columns:
        return int(parts[0])
    if len(parts) == 1:
        if set(parts[0]) == {"0"} and len(parts[0]) in (1, columns):
            return 0  # a lone 0 (or 00): nothing this year whichever column it is
        return _split_glued(parts[0], columns)
    return None


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
    for m in _ROW.finditer(body):
        label = _LEAD.sub("", _HEADER.sub("", m.group("label"))).strip()
        if len(label) < 3:
            continue
        end = m.end("nums")
        numbered_next = bool(_NUMBERING_AFTER.match(body, end))
        value = _this_year(m.group("nums").strip(), columns, numbered_next)
        if value is None:
            continue
        at = start + m.start("label") + m.group("label").find(label)
        facts.append(Fact(
            table=TITLE, table_key="narrative", row=label, row_key="", row_group=TITLE,
            column="本年度", column_key="", value=float(value), unit=m.group("unit"), kind="narrative",
            source_text=re.sub(r"\s+", " ", body[m.start("label"):end]).strip(),
            source_line=doc.line_at(at), source_page=doc.page_at(at),
            char_start=at, char_end=start + end,
        ))
    return facts
