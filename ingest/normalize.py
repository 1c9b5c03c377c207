"""Prose normalisation shared by every reader: one logical line per paragraph, heading or table row.

Extraction breaks Chinese prose at the page width (PDF text, pdftotext output),
scatters blank lines (some converters put one after every line), and leaves
page numbers and running headers between the lines. Chinese has no spaces
between words, so a broken line is re-joined with nothing in between; only
line breaks, blank lines, page numbers, running headers and lines that are only a
converter's placeholder (``<!-- image -->``) are removed, never any other
character (evaluation looks for exact substrings of the originals).

Tables flattened to text (one cell per line, or a row of numbers per line) must
stay readable by the table parser, so figures of different cells are kept
apart by a space and a new row label starts a new line.
"""
from __future__ import annotations

import math
import re
from collections import Counter

from .records import Document, ReportError

# A line ending like this closes its sentence (closing quotes/brackets may follow).
_SENTENCE_END = re.compile(r"[。！？；：!?;:…][”’\"'）)】」』》]*\s*$")
# A line starting like this opens a new heading / numbered item / table row label.
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*、"
    r"|[（(]\s*[一二三四五六七八九十]+\s*[）)]"
    r"|第\s*[一二三四五六七八九十百零〇\d]+\s*[条章节部分项]"
    r"|\d{1,2}\s*[.．、](?!\d)"
    r"|[（(]\d{1,2}[）)]"
    r"|[①-⑳]"
    r"|#{1,6}\s)")
_TOP_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*、")
# Short headings ending like this are complete, so the next line is new even if short.
_HEADING_END = re.compile(r"(?:情况|事项|方面|概述|措施|问题|结果|[（(][一二三四五六七八九十]+[）)]项)\s*$")
_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?%?"
_NUMBER_ONLY = re.compile(rf"^\s*{_NUMBER}(?:\s+{_NUMBER})*\s*$")
# A row label followed by at least two figures: "规范性文件 11 11 227", "政府集中采购 8 163.29万元".
_TABLE_ROW = re.compile(rf"\S\s*(?:\s{_NUMBER}(?:万元|元|件|项|个|条)?){{2,}}\s*$")
# Counting words that follow a number in prose ("1136\n条"): such a line continues the sentence.
_UNIT_START = re.compile(r"^\s*[年月日号件条项个次人万亿元%期篇家名户所台套份批场类]")
_PIPE = " | "
# A line that ends in a date ("发布日期：2020-01-31") closes it unless it is a full printed line.
_DATE_END = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*$")

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－~_]+\s*\d{1,4}\s*[-—–－~_]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$")

TITLE_WORDS = re.compile(r"年度报告|工作报告|年报")
_REPORT_TOPIC = re.compile(r"信息公开|政务公开")
_REPORT_KIND = re.compile(r"报告|年报")


class HardLines(list):
    """Lines that must stay exactly as given: rendered table rows, HTML paragraphs."""


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


# What a PDF→markdown converter writes for something that has no text: an image (docling's
# ``<!-- image -->``, MinerU's ``![](images/….jpg)`` for a seal or logo) or a page's end (``<!-- page 4 -->``).
_MARKUP = r"(?:<!--.*?-->|!\[[^\]\n]*\]\([^)\n]*\))"  # an HTML comment, a markdown image
_PLACEHOLDER = re.compile(rf"^\s*{_MARKUP}(?:\s*{_MARKUP})*\s*$")


def is_dropped(line: str) -> bool:
    """A line normalisation removes whole: a page number, or a converter's placeholder for an image or a
    page break (kept, such a line is taken into the title or a paragraph next to it)."""
    return is_page_number(line) or bool(_PLACEHOLDER.match(line))


def display_width(s: str) -> float:
    """Width in CJK character cells: ASCII counts half, as it does on the printed page."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in s.strip())


def _key(line: str) -> str:
    # Running headers often carry the page number; compare them without it.
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines repeated at the top or bottom of most pages (headers/footers)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_key(x) for x in lines[:2] + lines[-2:]}
        counts.update(k for k in edge if k and not _NUMBER_ONLY.match(k.replace("#", "0")))
    need = max(3, math.ceil(len(pages) / 2))
    return {k for k, n in counts.items() if n >= need}


class _Item:
    __slots__ = ("text", "page", "hard")

    def __init__(self, text: str, page: int, hard: bool):
        self.text, self.page, self.hard = text, page, hard


def _items(pages: list[list]) -> list[_Item]:
    prose: list[list[str]] = []
    for page in pages:
        lines = []
        for seg in page:
            if isinstance(seg, HardLines):
                continue
            for raw in seg.replace("\f", "\n").split("\n"):
                if raw.strip() and not is_dropped(raw):
                    lines.append(raw.rstrip("\r"))
        prose.append(lines)
    running = _running_lines(prose)
    items: list[_Item] = []
    for pno, page in enumerate(pages):
        n = len(prose[pno])
        edge = {0, 1, n - 2, n - 1}
        idx = 0
        for seg in page:
            if isinstance(seg, HardLines):
                items += [_Item(x, pno, True) for x in seg if x.strip()]
                continue
            for raw in seg.replace("\f", "\n").split("\n"):
                if not raw.strip() or is_dropped(raw):
                    continue
                line = raw.rstrip("\r")
                drop = idx in edge and _key(line) in running
                idx += 1
                if not drop:
                    items.append(_Item(line, pno, False))
    return items


def _title_end(items: list[_Item]) -> int:
    """Index of the item that ends the title block (the first lines up to the report-title line), or -1."""
    for i, it in enumerate(items[:4]):
        if it.hard:
            return -1
        m = TITLE_WORDS.search(it.text)
        if m:
            return i if _title_text(it.text[:m.end()]) else -1
        if display_width(it.text) > 40:
            return -1
    return -1


def _title_text(s: str) -> bool:
    return display_width(s) <= 80 and not re.search(r"[。，；《]", s)


class _Layout:
    """How the source was wrapped: ``width`` is a full printed line, in CJK cells.

    Hard-wrapped text (PDF text layers) has most lines close to one width, so a
    full-width line ending in "。" may still continue its paragraph; text with
    one paragraph per line has no such width and every line end is meaningful.
    """

    def __init__(self, items: list[_Item]):
        widths = sorted(display_width(it.text) for it in items if not it.hard and display_width(it.text) >= 4)
        self.width = widths[int(0.9 * (len(widths) - 1))] if len(widths) >= 5 else max(widths, default=40.0)
        full = sum(1 for w in widths if w >= 0.8 * self.width)
        self.wrapped = len(widths) >= 5 and self.width <= 60 and full >= 0.25 * len(widths)

    def full(self, line: str) -> bool:
        return self.wrapped and display_width(line) >= 0.85 * self.width


def _is_number_line(s: str) -> bool:
    return bool(_NUMBER_ONLY.match(s))


def _breaks(cur: str, last: str, nxt: str, layout: _Layout) -> bool:
    """Whether ``nxt`` starts a new line after the logical line ``cur`` (whose last physical line is ``last``)."""
    a, b, last_s = cur.strip(), nxt.strip(), last.strip()
    if _PIPE in a or _PIPE in b:
        return True
    if _TABLE_ROW.search(b) and not _is_number_line(b):
        return True
    if (_is_number_line(last_s) or (_TABLE_ROW.search(last_s) and not _is_number_line(b))) \
            and not b[0].isdigit() and not _UNIT_START.match(b):
        return True
    if _HEADING.match(b):
        # A full printed line cut mid-sentence goes on even if the next line begins like "第二十条" or "（一）".
        cut = layout.full(last_s) and not _SENTENCE_END.search(last_s)
        return not cut or bool(_TOP_HEADING.match(b))
    if _SENTENCE_END.search(a):
        # A full printed line ending a sentence says nothing about the paragraph ending.
        return not layout.full(last_s)
    if _DATE_END.search(last_s) and not layout.full(last_s):
        return True
    width = layout.width
    if _HEADING.match(a) and not _is_number_line(b) and display_width(a) < 0.8 * width:
        return display_width(b) >= min(0.6 * width, 20) or bool(_HEADING_END.search(a))
    return False


def _separator(last: str, nxt: str) -> str:
    a, b = last.rstrip(), nxt.lstrip()
    if not a or not b:
        return ""
    if (a[-1].isdigit() and b[0].isdigit()) or _is_number_line(a) or _is_number_line(b):
        return " "
    return ""


def normalize_pages(pages: list, join: bool = True) -> tuple[str, list[int]]:
    """Normalise a document given page by page.

    Each page is a string or a list of segments; a segment is prose text (a
    string) or ``HardLines`` kept as they are. Returns the text and the offset
    where each page starts. ``join=False`` keeps every line (for sources whose
    line breaks are real paragraph breaks) but still drops blank lines.
    """
    pages = [[p] if isinstance(p, str) else list(p) for p in pages]
    items = _items(pages)
    title_end = _title_end(items)
    layout = _Layout(items)
    out: list[str] = []
    length = 0
    page_starts: list[int | None] = [None] * len(pages)
    cur = last = ""
    cur_hard = False
    for i, it in enumerate(items):
        if not out:
            new = True
        elif it.hard or cur_hard or not join:
            new = True
        elif i <= title_end:
            new = False
        elif i - 1 == title_end:
            new = True
        else:
            new = _breaks(cur, last, it.text, layout)
        if new:
            if out:
                out.append("\n")
                length += 1
            piece, cur = it.text, it.text
        else:
            sep = _separator(last, it.text)
            out.append(sep)
            length += len(sep)
            piece = it.text
            cur += sep + it.text
        if page_starts[it.page] is None:
            page_starts[it.page] = length
        out.append(piece)
        length += len(piece)
        last, cur_hard = it.text, it.hard
    # Pages without text start where the next page with text does.
    nxt = length
    for j in range(len(page_starts) - 1, -1, -1):
        if page_starts[j] is None:
            page_starts[j] = nxt
        nxt = page_starts[j]
    return "".join(out), [int(x) for x in page_starts]


def normalize(text: str, join: bool = True) -> str:
    """Normalise plain text; form feeds (pdftotext page breaks) separate pages."""
    return normalize_pages(text.split("\f"), join=join)[0]


def line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def title_of(text: str) -> str:
    """The report title: the first line of normalised text up to and including 年度报告/工作报告/年报."""
    first = text.split("\n", 1)[0].strip()
    m = TITLE_WORDS.search(first)
    if not m or not _title_text(first[:m.end()]):
        return ""
    return first[:m.end()].strip()


def check_report(path, text: str) -> None:
    if not text.strip():
        raise ReportError(path, "文件中没有可读取的文字 (no text found)")
    if not (_REPORT_TOPIC.search(text) and _REPORT_KIND.search(text)):
        raise ReportError(path, "不是政府信息公开工作年度报告：未出现“信息公开/政务公开”与“报告”等字样 "
                                "(not a government information-disclosure annual report)")


def to_document(path, pages: list, media: str, grids=None, join: bool = True, title: str = "",
                keep_page_starts: bool = False) -> Document:
    """Normalise the pages, check the result is a report, and build the Document."""
    text, starts = normalize_pages(pages, join=join)
    check_report(path, text)
    return Document(path=str(path), text=text, title=title or title_of(text), line_starts=line_starts(text),
                    page_starts=starts if keep_page_starts else [], grids=list(grids or []), media=media)
