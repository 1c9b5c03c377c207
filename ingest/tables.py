"""Template-aware table parser: report text (or PDF/HTML table cells) to table facts.

Extraction leaves tables in many shapes: cells separated by spaces or pipes,
one cell per line, labels split across lines, digits glued together. The
template fixes the row order and the number of columns, so we find each row's
label in order, read the numbers between it and the next row's label, and
split glued digit runs only where the template's sums make the split certain.
Converters that keep a printed table's merged cells (docling) repeat a heading or a
figure in every column it spans: a heading printed again is the same table, and a
row with more figures than columns is placed by the column header above it.
Whatever cannot be read with certainty is reported, never guessed.
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from . import glued
from .records import Document, Fact, Grid
from .template import (APPLICATION_2021_SINGLE_OTHER, DERIVED_GROUPS, FORMATS, LEGAL_PERSON_KEYS, OUTCOME_ROWS_2019, OUTCOME_ROWS_2021, Row,
                       Table)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUM = re.compile(r"(?<![\d.])-?\d+(?:\.\d+)?(?:\s*(?:万元|元))?")
_ITEM_HEAD = re.compile(r"第二十条第[（(]([一二三四五六七八九十]+)[）)]项")
_APP_HEAD = re.compile(r"收到和处理政府信息公开申请情况|本年新收政府信息公开申请")
_REVIEW_HEAD = re.compile(r"政府信息公开行政\S{0,2}复议、?行政诉讼情况|行政复议行政诉讼结果维持|行政复议\|?行政诉讼")
_SECTION_FIVE = re.compile(r"五、(?:政府信息公开工作)?存在的主要问题")
_CN_NUM = {"一": 1, "五": 5, "六": 6, "八": 8, "九": 9}
MAX_COMBINATIONS = 50_000
_NO_FIGURES = "标签后没有数字"


@dataclass
class RowRead:
    row: Row
    cells: list[float | None]           # None = unreadable
    blank: list[bool]                   # the report left the cell empty
    source_text: str
    start: int                          # offset of the row label in the parsed text
    candidates: list[tuple[int, ...]] = field(default_factory=list)  # glued rows: all valid splits
    units: list[str] = field(default_factory=list)
    problem: str = ""
    end: int | None = None              # where the row's cells end in the parsed text


@dataclass
class TableRead:
    table: Table
    rows: dict[str, RowRead]

    @property
    def readable(self) -> int:
        return sum(v is not None for r in self.rows.values() for v in r.cells)


@dataclass
class TablesResult:
    facts: list[Fact]
    warnings: list[str]
    cells_expected: int
    cells_read: int


# --- text with whitespace removed, mapped back to the original ------------------

class Compact:
    def __init__(self, text: str):
        self.text = text
        keep = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.s = "".join(text[i] for i in keep)
        self.map = keep + [len(text)]

    def orig(self, i: int) -> int:
        return self.map[min(i, len(self.map) - 1)]

    def find(self, needle: str, start: int, end: int) -> int:
        return self.s.find(needle, start, end)


def _numbering_variants(numbering: str) -> list[str]:
    if not numbering:
        return []
    core = numbering.strip("（）().、．")
    if core.isdigit():
        return [core + sep for sep in (".", "、", "．", "，")]
    return [f"（{core}）", f"({core})", f"{core}、"]


def _anchors(row: Row, table: Table) -> tuple[list[str], list[str]]:
    """(whole-label anchors, partial anchors) for finding a row label in compact text.

    Partial anchors (the label's first or last six characters, longer aliases)
    catch labels broken by page furniture or typos; any that also occur in
    another row's label of the same table would find the wrong row, so they are dropped.
    """
    label = re.sub(r"\s", "", row.label)
    numbered = [n + label for n in _numbering_variants(row.numbering)]
    if len(label) <= 4 and row.numbering:
        return numbered, []
    partial = [a for a in row.aliases if len(a) >= 5]
    if len(label) >= 8:
        partial += [label[:6], label[-6:]]
    others = [re.sub(r"\s", "", r.label) for r in table.rows if r.key != row.key]
    partial = [a for a in partial if not any(a in o for o in others)]
    return numbered + [label], partial


def _find_row(c: Compact, row: Row, table: Table, start: int, end: int) -> tuple[int, int] | None:
    """Earliest (start, end) of the row's label in c.s[start:end], numbering included."""
    whole, partial = _anchors(row, table)
    label = re.sub(r"\s", "", row.label)
    for group in (whole, partial):
        best = None
        for a in group:
            p = c.find(a, start, end)
            if p < 0:
                continue
            q = p + len(a)
            if c.s.startswith(label, p):
                q = p + len(label)
            for n in _numbering_variants(row.numbering):
                if not a.startswith(n) and c.s.startswith(n, p - len(n)) and p - len(n) >= start:
                    p -= len(n)
                    break
            if best is None or p < best[0]:
                best = (p, q)
        if best:
            return best
    return None


# --- reading the cells of one row --------------------------------------------------

def _cut_at_text(seg: str) -> str:
    """Cells end where prose resumes: the first CJK character after a number (units aside)."""
    nums = list(_NUM.finditer(seg))
    if not nums:
        return seg
    pos = nums[0].end()
    for t in _CJK.finditer(seg, pos):
        if not any(m.start() <= t.start() < m.end() for m in nums):
            return seg[:t.start()]
    return seg


def _extent(seg: str, n: int) -> int:
    """How much of ``seg`` the row's cells take: its pipe line, or up to its last figure."""
    found = _pipe_line(seg, n)
    if found is not None:
        return found[1]
    nums = list(_NUM.finditer(_cut_at_text(seg)))
    return nums[-1].end() if nums else 0


_SEPARATOR = re.compile(r"[|:\-\s]*")


def _pipe_line(seg: str, n: int) -> tuple[list[str], int] | None:
    """The row's cells when the table is drawn with pipes, and where that line ends in ``seg``.

    The cells are on the label's own line, or (markdown, a header's tail) on the first
    following line that holds a figure or as many cells as the template has columns;
    separator lines (|---|) are skipped. A figure met outside any pipe line means the
    row is not pipe-drawn at all.
    """
    pos = 0
    for line in seg.split("\n"):
        end = pos + len(line)
        pos = end + 1
        if "|" not in line:
            if re.search(r"\d", line):
                return None
            continue
        if _SEPARATOR.fullmatch(line) and "-" in line:
            continue  # |---|---| (a line of bare pipes is a row whose cells are all blank)
        parts = [p.strip() for p in line.split("|")]
        if parts and not re.search(r"\d", parts[0]):
            parts = parts[1:]  # the label's remainder, or the empty text before a leading pipe
        if re.search(r"\d", line) or len(parts) >= n:
            return parts, end
    return None


def _number(tok: str) -> tuple[float, str]:
    m = re.match(r"(-?\d+(?:\.\d+)?)\s*(万元|元)?", tok)
    val = float(m.group(1))
    return (int(val) if val.is_integer() and "." not in m.group(1) else val), (m.group(2) or "")


def read_cells(seg: str, n: int, sums: int | None) -> tuple[list, list[bool], list[str], list, str]:
    """Cells of a row from the text after its label.

    ``sums``: the block size whose last cell is the sum of the others (7 for the
    application table, 5 for review/litigation), or None where no sum holds.
    Returns (cells, blank flags, units, glued candidates, problem).
    """
    found = _pipe_line(seg, n)
    if found is not None:
        cells = found[0]
        while len(cells) > n and cells[-1] == "":
            cells = cells[:-1]
        while len(cells) > n and cells[0] == "":
            cells = cells[1:]
        if len(cells) == n and all(x == "" or _NUM.fullmatch(x.replace(" ", "")) for x in cells):
            vals, units = [], []
            for x in cells:
                v, u = _number(x) if x else (0, "")
                vals.append(v)
                units.append(u)
            return vals, [x == "" for x in cells], units, [], ""
        if len(cells) != n or any(re.search(r"\d", x) for x in cells):
            seg = " ".join(cells)  # fall through to token reading
    seg = _cut_at_text(seg)
    toks = [m.group(0) for m in _NUM.finditer(seg)]
    if len(toks) == n:
        vals, units = zip(*(_number(t) for t in toks)) if toks else ((), ())
        return list(vals), [False] * n, list(units), [], ""
    if not toks:
        return [None] * n, [False] * n, [""] * n, [], _NO_FIGURES
    if len(toks) > n:
        return [None] * n, [False] * n, [""] * n, [], f"读到 {len(toks)} 个数字，模板为 {n} 列"
    if any("." in t or "元" in t for t in toks):
        return [None] * n, [False] * n, [""] * n, [], f"读到 {len(toks)} 个数字，模板为 {n} 列"
    digits = "".join(toks)
    if sums:
        splits = glued.sum_splits(digits, sums, n // sums)
    else:
        splits = glued.free_splits(digits, n)
    # Spaces the extraction kept are real cell boundaries: prefer splits that respect them.
    cuts = set(itertools.accumulate(len(t) for t in toks[:-1]))
    respecting = tuple(s for s in splits if cuts <= set(itertools.accumulate(len(str(v)) for v in s[:-1])))
    splits = respecting or splits
    # Fewer figures than cells may also mean blank cells that the extraction dropped (a cell per
    # line, a page with no separators): every placement of the figures among blank cells is as
    # plausible as a glued split, so a cell is read only where all the readings agree.
    splits = tuple(dict.fromkeys(splits + glued.blank_placements(tuple(int(t) for t in toks
                                                                       if t == "0" or t[0] != "0"),
                                                                 n, sums, len(toks))))
    if not splits:
        return [None] * n, [False] * n, [""] * n, [], f"粘连数字 {digits} 无法按总计拆分"
    cells = glued.agreed_cells(splits, n)
    problem = "" if None not in cells else f"粘连数字 {digits} 有 {len(splits)} 种拆法，无法确定"
    return cells, [False] * n, [""] * n, list(splits) if len(splits) > 1 else [], problem


# --- merged cells repeated in every column they span --------------------------------

def _pipe_cells(line: str) -> list[str]:
    """A pipe line's cells, without the empty text outside its outer pipes."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) > 1 and line.lstrip().startswith("|"):
        parts = parts[1:]
    if len(parts) > 1 and line.rstrip().endswith("|"):
        parts = parts[:-1]
    return parts


_HALF_WIDTH = str.maketrans("（）：／", "():/")


def _squash(s: str) -> str:
    return re.sub(r"\s", "", s).translate(_HALF_WIDTH)


def _header_column(cell: str, table: Table) -> int | None:
    """The template column a header cell names: its label or an alias, or a text holding its label
    (本年处理决定数量 names 处理决定数量); None for a row-label heading or a cell naming two columns."""
    x = _squash(cell)
    if not x:
        return None
    named = set()
    for j, col in enumerate(table.columns):
        label = _squash(col.label)
        if x == label or x in map(_squash, col.aliases) or (len(label) >= 4 and label in x):
            named.add(j)
    return named.pop() if len(named) == 1 else None


def _spanned_row(text: str, at: int, floor: int, table: Table) -> tuple[list, list[bool], list[str]] | None:
    """The row whose label is at ``at``, read by the column header above it, when the converter repeated
    a merged cell in every column it spans (docling: ``| 行政许可 | 1386 | 1386 | 1386 |`` under
    ``| 信息内容 | 本年处理决定数量 | 本年处理决定数量 | 本年处理决定数量 |``).

    The header is the nearest pipe line above (not above the line of ``floor``) naming any of the
    table's columns; it must have the row's number of cells and name every column. The cells under
    one column must agree (blanks aside); a figure under no column, or two figures under one, leave
    the row unread (None).
    """
    a = text.rfind("\n", 0, at) + 1
    b = text.find("\n", at)
    line = text[a:b if b >= 0 else len(text)]
    if "|" not in line:
        return None
    cells = _pipe_cells(line)  # stripped only: "71 3" in one cell is two figures, not 713
    floor = text.rfind("\n", 0, floor) + 1
    end = a - 1
    while end > floor:
        start = text.rfind("\n", 0, end) + 1
        above = text[start:end]
        end = start - 1
        if "|" not in above:
            continue
        head = _pipe_cells(above)
        if any(_NUM.fullmatch(x) for x in head):
            continue  # a row of figures
        cols = [_header_column(x, table) for x in head]
        if all(j is None for j in cols):
            continue
        if len(head) != len(cells) or set(cols) - {None} != set(range(len(table.columns))):
            return None
        groups: list[set[str]] = [set() for _ in table.columns]
        for x, j in zip(cells, cols):
            figure = bool(_NUM.fullmatch(x))
            if j is None:
                if figure:
                    return None
            elif x:
                if not figure:
                    return None
                groups[j].add(x)
        if any(len(g) > 1 for g in groups):
            return None
        blank = [not g for g in groups]
        read = [_number(next(iter(g))) if g else (0, "") for g in groups]
        return [v for v, _ in read], blank, [u for _, u in read]
    return None


# --- tables ------------------------------------------------------------------------

def _read_rows(c: Compact, table: Table, start: int, end: int, sums: int | None,
               before_label: bool = False) -> TableRead:
    """Find each row label in order within c.s[start:end] and read its cells."""
    hits: list[tuple[Row, int, int]] = []
    pos = start
    for row in table.rows:
        h = _find_row(c, row, table, pos, end)
        if h:
            hits.append((row, h[0], h[1]))
            pos = h[1]
    rows: dict[str, RowRead] = {}
    n = len(table.columns)
    prev_end = start
    prev_read = False
    for i, (row, p, q) in enumerate(hits):
        nxt = hits[i + 1][1] if i + 1 < len(hits) else end
        o_start, o_end = c.orig(q), c.orig(nxt)
        seg = c.text[o_start:o_end]
        cells, blank, units, cands, problem = read_cells(seg, n, sums)
        if None in cells and problem != _NO_FIGURES:
            spanned = _spanned_row(c.text, c.orig(p), c.orig(start), table)
            if spanned:
                cells, blank, units = spanned
                cands, problem = [], ""
        if before_label and all(v is None for v in cells) and problem == _NO_FIGURES and not prev_read:
            # (Not when the row before read its own cells from that text: they are its figures.)
            # 第二十条 items printed with the figure before the label (one cell per line PDFs).
            prior = c.text[c.orig(prev_end):c.orig(p)]
            tail = re.split(r"[\u4e00-\u9fff）)]", prior)[-1]
            alt = read_cells(tail, n, sums)
            if any(v is not None for v in alt[0]):
                cells, blank, units, cands, problem = alt
                o_start = c.orig(prev_end)
        src_end = o_start + _extent(c.text[o_start:o_end], n) if o_start >= c.orig(p) else c.orig(q)
        src = re.sub(r"\s+", " ", c.text[c.orig(p):src_end]).strip()
        rows[row.key] = RowRead(row, cells, blank, src[:300], c.orig(p), cands, units, problem, end=src_end)
        prev_end = nxt if not before_label else q
        prev_read = o_start >= c.orig(q) and any(v is not None for v in cells)
    return TableRead(table, rows)


def _in_pipe_row(c: Compact, at: int) -> bool:
    """Whether compact position ``at`` is in a cell of a pipe table's row (its line in the text has a pipe
    before and after it)."""
    o = c.orig(at)
    a, b = c.text.rfind("\n", 0, o) + 1, c.text.find("\n", o)
    line = c.text[a:b if b >= 0 else len(c.text)]
    return "|" in line[:o - a] and "|" in line[o - a:]


def _regions(c: Compact) -> dict[str, tuple[int, int]]:
    """Where each table sits in the compact text."""
    s = c.s
    regions: dict[str, tuple[int, int]] = {}
    # Introductions often list the section titles, so each heading is looked
    # for after the one before it.
    first_item = _ITEM_HEAD.search(s)
    app = _APP_HEAD.search(s, first_item.end() if first_item else 0)
    review = None
    for m in _REVIEW_HEAD.finditer(s, app.end() if app else 0):
        review = m
        break
    five = _SECTION_FIVE.search(s, review.end() if review else (app.end() if app else 0))
    heads = list(_ITEM_HEAD.finditer(s, first_item.start() if first_item else 0, app.start() if app else len(s)))
    keys = [f"item{_CN_NUM.get(m.group(1), 0)}" for m in heads]
    # A heading printed in a table's row and printed there again is no new table: a merged heading cell
    # repeated in every column it spans (docling), the table's first row repeated after a page break.
    # Such a table runs on to the first heading of an item not printed yet. (A heading in prose ends
    # where the next printing of any heading starts: a sentence naming the item comes before its table.)
    in_row = [_in_pipe_row(c, m.start()) for m in heads]
    for i, m in enumerate(heads):
        if keys[i] in regions:
            continue
        j = i + 1
        while j < len(heads) and in_row[i] and in_row[j] and keys[j] in keys[:j]:
            j += 1
        regions[keys[i]] = (m.end(), heads[j].start() if j < len(heads) else (app.start() if app else len(s)))
    if app:
        regions["applications"] = (app.start(), review.start() if review else (five.start() if five else len(s)))
    if review:
        regions["review"] = (review.start(), five.start() if five else len(s))
    return regions


def _resolve_glued(read: TableRead, outcome: tuple[str, ...]) -> None:
    """Pick among a glued row's splits using the column sums the template promises."""
    ambiguous = [r for r in read.rows.values() if r.candidates]
    if not ambiguous:
        return
    combos = 1
    for r in ambiguous:
        combos *= len(r.candidates)
    if combos > MAX_COMBINATIONS:
        return
    rows = read.rows
    needed = ("new", "carried_in", "total", "carried_out") + outcome
    if any(k not in rows or (None in rows[k].cells and not rows[k].candidates) for k in needed):
        return
    good = []
    for choice in itertools.product(*(r.candidates for r in ambiguous)):
        val = {k: r.cells for k, r in rows.items()}
        for r, cand in zip(ambiguous, choice):
            val[r.row.key] = list(cand)
        ok = all(
            sum(val[k][j] for k in outcome) == val["total"][j]
            and val["new"][j] + val["carried_in"][j] == val["total"][j] + val["carried_out"][j]
            for j in range(7))
        if ok:
            good.append(choice)
    if not good:
        return
    for i, r in enumerate(ambiguous):
        cells = glued.agreed_cells([g[i] for g in good], 7)
        if None not in cells:
            r.cells, r.problem = cells, ""
            r.source_text += "（粘连数字按总计勾稽关系拆分）"


def _read_review(c: Compact, table: Table, start: int, end: int) -> TableRead:
    """The review/litigation table: one row of 15 cells after the header."""
    s = c.s
    # Figures start after the column header; a sentence between heading and table
    # ("全年发生行政复议案件3件") must not be taken for the table's first cells.
    header = s.find(re.sub(r"\s", "", table.columns[0].label), start, end)
    start_h = header if header >= 0 else start
    first_digit = re.search(r"\d", s[start_h:end])
    head_end = start_h
    if first_digit:
        last_total = s.rfind("总计", start_h, start_h + first_digit.start())
        head_end = last_total + 2 if last_total >= 0 else start_h + first_digit.start()
    seg = c.text[c.orig(head_end):c.orig(end)]
    cells, blank, units, cands, problem = read_cells(seg, 15, 5)
    src_end = c.orig(head_end) + _extent(seg, 15)
    src = re.sub(r"\s+", " ", c.text[c.orig(head_end):src_end]).strip()[:300]
    rows = {}
    for i, row in enumerate(table.rows):
        sl = slice(5 * i, 5 * i + 5)
        rows[row.key] = RowRead(row, cells[sl], blank[sl], src, c.orig(head_end), [], units[sl], problem,
                                end=src_end)
    return TableRead(table, rows)


# OCR reads 0 as O/o and 1 as l/I. A run of digits and those letters, touching no other Latin letter
# or digit, is a figure when it holds a real digit (1O, l2) or stands as a cell: after a space, pipe
# or line start and before one, or after a space and before the next row's label (a text layer joins a
# table's short lines).
# Template tables carry no Latin words; 〇 stays, for dates.
_OCR_RUN = re.compile(r"(?<![A-Za-z0-9.])(?=[0-9.]*[OolI])[0-9OolI]+(?:\.[0-9OolI]+)?(?![A-Za-z0-9])")
_OCR_DIGIT = str.maketrans("OolI", "0011")
_CELL_EDGE = " \t\n|｜"


def ocr_digits(text: str) -> str:
    """``text`` with OCR's letter-for-digit swaps in figures undone; same length, so offsets hold."""
    def fix(m: re.Match) -> str:
        run = m.group(0)
        if any(ch.isdigit() for ch in run):
            return run.translate(_OCR_DIGIT)
        before = text[m.start() - 1] if m.start() else "\n"
        after = text[m.end()] if m.end() < len(text) else "\n"
        cell = before in _CELL_EDGE and (after in _CELL_EDGE or (before in " \t|" and _CJK.match(after)))
        return run.translate(_OCR_DIGIT) if cell else run
    return _OCR_RUN.sub(fix, text)


def parse_text(text: str, fmt: str) -> dict[str, TableRead]:
    # OCR's full-width pipes and letters for digits; same length, so offsets hold.
    c = Compact(ocr_digits(text.replace("｜", "|")))
    regions = _regions(c)
    out: dict[str, TableRead] = {}
    for table in FORMATS[fmt].tables:
        if table.key not in regions:
            continue
        start, end = regions[table.key]
        if table.key == "review":
            out[table.key] = _read_review(c, table, start, end)
        elif table.key == "applications":
            variants = [(table, OUTCOME_ROWS_2019 if fmt == "2019" else OUTCOME_ROWS_2021)]
            if fmt == "2021":
                variants.append((APPLICATION_2021_SINGLE_OTHER, OUTCOME_ROWS_2019))
            reads = []
            for tab, outcome in variants:
                read = _read_rows(c, tab, start, end, sums=7)
                _resolve_glued(read, outcome)
                reads.append(read)
            out[table.key] = max(reads, key=lambda r: r.readable)
        else:
            out[table.key] = _read_rows(c, table, start, end, sums=None, before_label=True)
    for table in FORMATS[fmt].tables:
        if table.key.startswith("item"):
            _find_moved_item(c, table, regions, out)
    return out


_MOVED_WINDOW = 1500  # compact characters after a header in which a moved table's rows may sit
_BOUNDARIES = (_ITEM_HEAD, _APP_HEAD, _REVIEW_HEAD, _SECTION_FIVE)


def _item_windows(c: Compact, table: Table) -> list[tuple[int, int]]:
    """Other places a 第二十条 table may sit: after another printing of its heading, or after its
    column header (a converter moved the table under a heading of its own)."""
    s = c.s
    numeral = next(k for k, v in _CN_NUM.items() if f"item{v}" == table.key)
    starts = [m.end() for m in _ITEM_HEAD.finditer(s) if m.group(1) == numeral]
    header = re.sub(r"\s", "", table.columns[0].label)
    at = s.find(header)
    while at >= 0:
        starts.append(at + len(header))
        at = s.find(header, at + 1)
    windows = []
    for st in sorted(set(starts)):
        end = min([st + _MOVED_WINDOW, len(s)] + [m.start() for b in _BOUNDARIES
                                                    for m in [b.search(s, st)] if m])
        windows.append((st, end))
    return windows


def _find_moved_item(c: Compact, table: Table, regions: dict, out: dict[str, TableRead]) -> None:
    """A 第二十条 table not read under its heading is looked for by its rows and columns elsewhere.

    Only a read that finds every row of the table and reads more cells replaces the one
    under the heading, so prose that mentions a row label cannot stand in for the table.
    """
    full = len(table.rows) * len(table.columns)
    best = out.get(table.key)
    if best is not None and best.readable == full:
        return
    home = regions.get(table.key)
    for start, end in _item_windows(c, table):
        if home and home[0] <= start < home[1]:
            continue
        read = _read_rows(c, table, start, end, sums=None, before_label=True)
        if len(read.rows) == len(table.rows) and read.readable > (best.readable if best else 0):
            best = read
    if best is not None:
        out[table.key] = best


def grid_text(grids: list[Grid]) -> tuple[str, list[tuple[int, int | None]]]:
    """Render table cells as pipe rows (empty cells among the row labels dropped, blank figures kept).

    Returns the text and (offset, page number) marks where each grid's page begins.
    """
    lines, marks, offset = [], [], 0
    for g in grids:
        if not marks or marks[-1][1] != g.page:
            marks.append((offset, g.page))
        for row in g.rows:
            cells = [re.sub(r"\s+", "", x or "") for x in row]
            first_num = next((i for i, x in enumerate(cells) if _NUM.fullmatch(x)), len(cells))
            # Empty cells among the labels are spans; those after the last label are blank figures.
            last_label = max((i for i, x in enumerate(cells[:first_num]) if x), default=-1)
            label = [x for x in cells[:last_label + 1] if x]
            line = " | ".join(label + cells[last_label + 1:])
            if not label:  # a leading pipe, so a blank first figure is not taken for a label's remainder
                line = "| " + line
            lines.append(line)
            offset += len(line) + 1
    return "\n".join(lines), marks


def _page_finder(marks: list[tuple[int, int | None]]):
    starts = [m[0] for m in marks]
    return lambda off: marks[bisect.bisect_right(starts, off) - 1][1] if marks else None


# --- facts ---------------------------------------------------------------------------

def _unit(table: Table, col_index: int, cell_unit: str) -> str:
    return cell_unit or table.columns[col_index].unit or "元"


def _facts_from(reads: dict[str, TableRead], doc: Document, page_of=None) -> tuple[list[Fact], list[str]]:
    """Facts of parsed rows. ``page_of`` is given for rows read from grids: their offsets are
    into the grid text, so the row is located in the report text by its printed form."""
    facts, warnings = [], []
    for tkey, read in reads.items():
        t = read.table
        unreadable, blank_totals = [], []
        for rkey, r in read.rows.items():
            if r.problem:
                unreadable.append(f"「{r.row.label}」（{r.problem}）")
            if page_of:
                printed = re.sub(r"^(\s*\|\s*)+|(\s*\|\s*)+$", "", r.source_text)  # grid padding cells
                at = doc.text.find(printed) if printed else -1
                if at < 0 and printed:  # the text line has no cells for the grid's spans
                    printed = re.sub(r"(?:\s*\|\s*)+\|", " |", printed)
                    at = doc.text.find(printed)
                span = (at, at + len(printed)) if at >= 0 else (None, None)
                page = page_of(r.start)
            else:
                span = (r.start, r.end)
                page = doc.page_at(r.start)
            line = doc.line_at(span[0]) if span[0] is not None and doc.line_starts else None
            cols = t.columns
            total_idx = next((i for i, col in enumerate(cols) if col.key == "total"), None)
            for j, v in enumerate(r.cells):
                if v is None:
                    continue
                if (j == total_idx and r.blank[j]
                        and any(x for i, x in enumerate(r.cells) if i != j and x is not None)):
                    # A blank total beside non-zero parts is not a zero: derive it, say so.
                    parts = [x for i, x in enumerate(r.cells) if i != j and x is not None]
                    if len(parts) == len(cols) - 1:
                        facts.append(_fact(t, r, j, sum(parts), "件", "derived",
                                           r.source_text + "（报告此格空白，按各列之和推算）", line, page, span))
                    blank_totals.append(f"「{r.row.label}」")
                    continue
                facts.append(_fact(t, r, j, v, _unit(t, j, r.units[j] if r.units else ""), "table",
                                   r.source_text, line, page, span))
        missing = [row.label for row in t.rows if row.key not in read.rows]
        if missing:
            unreadable += [f"「{m}」（未找到该行）" for m in missing]
        if blank_totals:
            warnings.append(f"{t.title}：{len(blank_totals)} 行的总计在报告中空白，已按各列之和推算：" + "、".join(blank_totals))
        if unreadable:
            warnings.append(f"{t.title}：{len(unreadable)} 行无法可靠读取，未入库：" + "；".join(unreadable))
    return facts, warnings


def _confirm_by_prose(reads: dict[str, TableRead], text: str) -> None:
    """Settle a glued 第二十条 row when the report's prose states all but one of its cells."""
    sentences = re.split(r"[。；;！？\n]", text)
    for read in reads.values():
        if not read.table.key.startswith("item"):
            continue
        for r in read.rows.values():
            if not r.candidates:
                continue
            label = r.row.label
            printed = re.sub(r"\s", "", r.source_text)
            # The table's own text is no statement: in a one-line page it shares a "sentence" with
            # whatever prose follows, whose figures would then "confirm" a split of the table's digits.
            stated = Counter(int(m) for sent in sentences if label in sent and len(sent) < 200
                             and printed not in re.sub(r"\s", "", sent)
                             for m in re.findall(r"(\d+)\s*[件条项个]", sent))
            n = len(r.cells)
            # Each stated figure confirms one cell only (a 6 stated once does not confirm 6|6|190).
            fits = [c for c in r.candidates if sum(min(k, stated[v]) for v, k in Counter(c).items()) >= n - 1]
            if len(fits) == 1:
                r.cells, r.problem, r.candidates = list(fits[0]), "", []
                r.source_text += "（粘连数字按正文所述数字拆分）"


def _fact(t: Table, r: RowRead, j: int, value, unit: str, kind: str, src: str, line, page, span) -> Fact:
    col = t.columns[j]
    return Fact(table=t.title, table_key=t.key, row=r.row.label, row_key=r.row.key, row_group=r.row.group,
                column=col.label, column_key=col.key, value=value, unit=unit, kind=kind, source_text=src,
                source_line=line, source_page=page, char_start=span[0], char_end=span[1])


def derived_facts(facts: list[Fact], fmt: str) -> list[Fact]:
    """Totals the template implies: group sums of outcome rows, 法人或其他组织, 行政诉讼 overall."""
    out: list[Fact] = []
    app = {(f.row_key, f.column_key): f for f in facts if f.table_key == "applications"}
    if app:
        title = next(f.table for f in facts if f.table_key == "applications")
        for gkey, (glabel, members) in DERIVED_GROUPS.items():
            if gkey == "other" and fmt == "2019":
                continue
            for col in ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total"):
                parts = [app.get((m, col)) for m in members]
                if all(parts):
                    out.append(Fact(title, "applications", glabel, gkey, "本年度办理结果", parts[0].column, col,
                                    sum(p.value for p in parts), "件", "derived",
                                    "由" + "、".join(p.row for p in parts) + "各行相加", parts[0].source_line,
                                    parts[0].source_page))
        for (rkey, _), f in list(app.items()):
            if _ != "natural":
                continue
            parts = [app.get((rkey, k)) for k in LEGAL_PERSON_KEYS]
            if all(parts):
                out.append(Fact(title, "applications", f.row, rkey, f.row_group, "法人或其他组织", "legal_person",
                                sum(p.value for p in parts), "件", "derived",
                                "由商业企业、科研机构、社会公益组织、法律服务机构、其他各列相加", f.source_line,
                                f.source_page))
    rev = {(f.row_key, f.column_key): f for f in facts if f.table_key == "review"}
    for col in ("upheld", "corrected", "other", "pending", "total"):
        a, b = rev.get(("lawsuit_direct", col)), rev.get(("lawsuit_after_review", col))
        if a and b:
            out.append(Fact(a.table, "review", "行政诉讼", "lawsuit", "", a.column, col, a.value + b.value, "件",
                            "derived", "由未经复议直接起诉与复议后起诉相加", a.source_line, a.source_page))
    return out


def extract(doc: Document, fmt: str) -> TablesResult:
    """All table facts of a report in the given template format."""
    reads = parse_text(doc.text, fmt)
    _confirm_by_prose(reads, doc.text)
    if doc.grids:
        gtext, gmarks = grid_text(doc.grids)
        greads = parse_text(gtext, fmt)
        _confirm_by_prose(greads, doc.text)
        # Real table cells beat text extraction wherever they read at least as well.
        chosen = {}
        for key in set(reads) | set(greads):
            a, b = reads.get(key), greads.get(key)
            chosen[key] = ("grid", b) if b and (not a or b.readable >= a.readable) else ("text", a)
        text_reads = {k: r for k, (src, r) in chosen.items() if src == "text"}
        grid_reads = {k: r for k, (src, r) in chosen.items() if src == "grid"}
        f1, w1 = _facts_from(text_reads, doc)
        f2, w2 = _facts_from(grid_reads, doc, _page_finder(gmarks)) if grid_reads else ([], [])
        facts, warnings = f1 + f2, w1 + w2
        used = {**text_reads, **grid_reads}
    else:
        facts, warnings = _facts_from(reads, doc)
        used = reads
    # The variant each table was read in (e.g. 其他处理 as one row) sets how many cells it has.
    expected = sum(len(used[t.key].table.rows if t.key in used else t.rows) * len(t.columns)
                   for t in FORMATS[fmt].tables)
    found = set(used)
    for t in FORMATS[fmt].tables:
        if t.key not in found:
            warnings.append(f"未找到{t.title}的表格")
    read = sum(1 for f in facts if f.kind == "table")
    return TablesResult(facts + derived_facts(facts, fmt), warnings, expected, read)
