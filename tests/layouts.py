"""Render a report (its prose and its template cells) into the layouts readers meet, and read it back.

Used by the layout-mutation harness (real reports of the corpus re-rendered) and by the
synthetic-report generator (tests/synthetic.py). A report is a list of blocks; each layout
turns the blocks into one file; `read_cells` reads any file back the way ingest does.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ingest import sections, tables
from ingest.metadata import detect
from ingest.readers import read
from ingest.template import APPLICATION_2021_SINGLE_OTHER, FORMATS, detect_format

Key = tuple[str, str, str]  # (table, row, column)

# Group headings the template prints above its outcome rows (not rows of their own).
GROUP_HEADINGS = {"本年度办理结果": "三、本年度办理结果", "不予公开": "（三）不予公开", "无法提供": "（四）无法提供",
                  "不予处理": "（五）不予处理", "其他处理": "（六）其他处理"}
SECTION_TITLES = {"一": "一、总体情况", "二": "二、主动公开政府信息情况", "三": "三、收到和处理政府信息公开申请情况",
                  "四": "四、政府信息公开行政复议、行政诉讼情况", "五": "五、存在的主要问题及改进情况",
                  "六": "六、其他需要报告的事项"}


@dataclass
class Report:
    """What a rendering must carry: title, prose per section, the template cells."""
    title: str
    fmt: str
    year: int | None
    prose: dict[str, list[str]]                 # section number ("" preamble) -> paragraphs
    cells: dict[Key, float | int]
    units: dict[Key, str] = field(default_factory=dict)   # cell-specific units (e.g. 万元)
    shape_of: "Report | None" = None   # the report whose rows this one prints (when cells were dropped)

    @property
    def single_other(self) -> bool:
        """A 2021-format report printing （六）其他处理 as one row."""
        return self.fmt == "2021" and any(k[1] == "other" for k in self.cells)


@dataclass
class Block:
    kind: str              # title | heading | para | table
    text: str = ""
    level: int = 2
    rows: list[list[str]] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------

def read_cells(path: Path, year: int | None = None) -> tuple[dict[Key, float | int], dict[Key, str], object]:
    """The template cells ingest reads from a file (as pipeline.parse does), their units, the document."""
    doc = read(path)
    fmt = detect_format(doc.text, year)
    if not fmt:
        return {}, {}, doc
    result = tables.extract(doc, fmt)
    cells, units = {}, {}
    for f in result.facts:
        if f.kind == "table":
            cells[(f.table_key, f.row_key, f.column_key)] = f.value
            units[(f.table_key, f.row_key, f.column_key)] = f.unit
    return cells, units, doc


def report_from_file(path: Path) -> Report:
    """A corpus report as a Report: its own title, section prose and the cells ingest reads."""
    doc = read(path)
    _, year = detect(doc, path)
    cells, units, _ = read_cells(path, year)
    fmt = detect_format(doc.text, year)
    prose: dict[str, list[str]] = {}
    title = doc.title or doc.text.strip().split("\n", 1)[0]
    for sec in sections.split(doc.text):
        if sec.number in sections.TABLE_SECTIONS:
            continue  # re-rendered from the cells
        body = doc.text[sections.heading_end(doc.text, sec):sec.end]
        paras = [p.strip() for p in body.split("\n") if p.strip()]
        if sec.number == "" and paras and paras[0].startswith(title[:10]):
            paras = paras[1:]
        prose[sec.number] = paras
    return Report(title, fmt, year, prose, cells, units)


# --- blocks -------------------------------------------------------------------------

def _cell(rep: Report, key: Key) -> str:
    if key not in rep.cells:
        return ""
    text = str(rep.cells[key])  # ints as ints, floats as read (163.29)
    col = FORMATS[rep.fmt].table(key[0]).column(key[2])
    if not col.unit:  # the cell says its unit (采购总金额: 元 or 万元)
        text += rep.units.get(key, "")
    return text


def item_rows(rep: Report, key: str) -> list[list[str]]:
    t = FORMATS[rep.fmt].table(key)
    rows = [["信息内容"] + [c.label for c in t.columns]]
    for r in t.rows:
        rows.append([r.label] + [_cell(rep, (key, r.key, c.key)) for c in t.columns])
    return rows


def application_rows(rep: Report, single_other: bool | None = None) -> list[list[str]]:
    t = FORMATS[rep.fmt].table("applications")
    if single_other if single_other is not None else rep.single_other:
        t = APPLICATION_2021_SINGLE_OTHER
    n = len(t.columns)
    rows = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] + [""] * n,
            ["申请人情况", "自然人", "法人或其他组织", "", "", "", "", "总计"],
            ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]]
    seen = set()
    for r in t.rows:
        if r.group and r.group not in seen and r.group in GROUP_HEADINGS and r.key != "other":
            seen.add(r.group)
            rows.append([GROUP_HEADINGS[r.group]] + [""] * n)
        if r.key == "other" and r.group not in seen:
            seen.add(r.group)  # (六)其他处理 printed as one row
        rows.append([r.numbering + r.label] + [_cell(rep, ("applications", r.key, c.key)) for c in t.columns])
    return rows


def merge_group_cells(rows: list[list[str]]) -> list[list[str]]:
    """The application table as converted from a Word/PDF table with row-spanning group cells: a group's
    heading is the first cell of its first row, the rows below start with an empty cell."""
    heads = set(GROUP_HEADINGS.values())
    out, pending, in_group = [], None, False
    for r in rows:
        if r[0] in heads and not any(r[1:]):
            pending, in_group = r[0], True
            continue
        if in_group and not r[0].startswith(("（", "(")) and not r[0][:1].isdigit():
            in_group = False  # 四、结转下年度继续办理 ends the groups
        if in_group:
            out.append([pending or ""] + r)
            pending = None
        else:
            out.append([r[0], ""] + r[1:])  # a row outside the groups spans both label columns
    return out


def review_rows(rep: Report) -> list[list[str]]:
    t = FORMATS[rep.fmt].table("review")
    cols = [c.label for c in t.columns]
    return [["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9,
            ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
            cols * 3,
            [_cell(rep, ("review", r.key, c.key)) for r in t.rows for c in t.columns]]


def blank_zeros(rep: Report) -> Report:
    """Tables that leave zero cells empty (as many Word-made reports do): a blank cell is read as 0."""
    from dataclasses import replace
    return replace(rep, cells={k: v for k, v in rep.cells.items() if v != 0}, shape_of=rep)


def blocks(rep: Report, title: bool = True, merged_groups: bool = False) -> list[Block]:
    out: list[Block] = [Block("title", rep.title)] if title else []
    out += [Block("para", p) for p in rep.prose.get("", [])]
    items = [t.key for t in FORMATS[rep.fmt].tables if t.key.startswith("item")]
    for n, head in SECTION_TITLES.items():
        out.append(Block("heading", head))
        if n in sections.TABLE_SECTIONS:  # a sentence or two some reports print before their tables
            out += [Block("para", p) for p in rep.prose.get(n, [])]
        if n == "二":
            for key in items:
                out.append(Block("heading", FORMATS[rep.fmt].table(key).title, level=3))
                out.append(Block("table", rows=item_rows(rep, key)))
        elif n == "三":
            rows = application_rows(rep, (rep.shape_of or rep).single_other)
            out.append(Block("table", rows=merge_group_cells(rows) if merged_groups else rows))
        elif n == "四":
            out.append(Block("table", rows=review_rows(rep)))
        else:
            out += [Block("para", p) for p in rep.prose.get(n, [])]
    return out


def move_item_tables(bs: list[Block], to_end: bool) -> list[Block]:
    """A PDF→markdown converter's layout: the 第二十条 headings left empty, their tables merged into
    one `|` table under a heading of the converter's own, right after them or at the document's end."""
    kept, moved, insert_at = [], [], None
    for i, b in enumerate(bs):
        if b.kind == "table" and i > 0 and bs[i - 1].kind == "heading" and bs[i - 1].text.startswith("第二十条"):
            moved += b.rows
            continue
        if b.kind == "heading" and b.text.startswith("三、") and insert_at is None:
            insert_at = len(kept)
        kept.append(b)
    block = [Block("heading", "表二：主动公开政府信息情况"), Block("table", rows=moved)]
    if to_end:
        return kept + block
    return kept[:insert_at] + block + kept[insert_at:]


# --- layouts --------------------------------------------------------------------------

def _md_table(rows: list[list[str]]) -> list[str]:
    width = max(len(r) for r in rows)
    lines = []
    for i, r in enumerate(rows):
        r = r + [""] * (width - len(r))
        lines.append("| " + " | ".join(r) + " |")
        if i == 0:
            lines.append("|" + "---|" * width)
    return lines


def markdown(bs: list[Block]) -> str:
    out = []
    for b in bs:
        if b.kind == "title":
            out.append("# " + b.text)
        elif b.kind == "heading":
            out.append("#" * b.level + " " + b.text)
        elif b.kind == "para":
            out.append(b.text)
        else:
            out += _md_table(b.rows)
        out.append("")
    return "\n".join(out)


def _joined(bs: list[Block], table_lines, sep: str) -> str:
    """Paragraphs as they are, each table as the lines ``table_lines`` makes of its rows."""
    out = []
    for b in bs:
        out += table_lines(b.rows) if b.kind == "table" else [b.text]
    return sep.join(out)


def one_line(bs: list[Block]) -> str:
    """Department web pages copied as text: no line breaks, cells run together."""
    return _joined(bs, lambda rows: ["".join(r) for r in rows], "")


def cell_per_line(bs: list[Block]) -> str:
    return _joined(bs, lambda rows: [x for r in rows for x in r if x], "\n")


def plain(bs: list[Block]) -> str:
    """A text copy: one line per paragraph, table rows with cells separated by spaces."""
    return _joined(bs, lambda rows: [" ".join(x for x in r if x) for r in rows], "\n")


def _spanned_rows(rows: list[list[str]]) -> list[list[tuple[str, int, int]]]:
    """A table's rows as (text, rowspan, colspan) cells the way Word/PDF merged them: in a heading row
    (no figures), an empty cell right of a label is part of that label's span; a label with empty
    cells under it in the next heading row spans down."""
    def heading(r):
        return not any(re.search(r"\d", x) for x in r[1:])
    out, covered = [], set()
    for i, r in enumerate(rows):
        cells, j = [], 0
        while j < len(r):
            if (i, j) in covered:
                j += 1
                continue
            text, cs = r[j], 1
            if heading(r) and text:
                while j + cs < len(r) and not r[j + cs] and (i, j + cs) not in covered:
                    cs += 1
            rs = 1
            if text and heading(r) and i + 1 < len(rows) and heading(rows[i + 1]) \
                    and all(not x for x in rows[i + 1][j:j + cs]) and any(rows[i + 1]):
                rs = 2
                covered.update((i + 1, k) for k in range(j, j + cs))
            cells.append((text, rs, cs))
            j += cs
        out.append(cells)
    return out


def _html_table(rows: list[list[str]], spans: bool) -> str:
    from html import escape
    if not spans:
        return "<table>" + "".join("<tr>" + "".join(f"<td>{escape(x)}</td>" for x in r) + "</tr>"
                                   for r in rows) + "</table>"
    def td(text, rs, cs):
        attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        return f"<td{attrs}>{escape(text)}</td>"
    return "<table>" + "".join("<tr>" + "".join(td(*c) for c in r) + "</tr>"
                               for r in _spanned_rows(rows)) + "</table>"


def markdown_html_tables(bs: list[Block]) -> str:
    """MinerU's markdown: `#` headings, and each table as one line of HTML with row/column spans."""
    out = []
    for b in bs:
        if b.kind == "table":
            out.append(_html_table(b.rows, spans=True))
        elif b.kind == "title":
            out.append("# " + b.text)
        elif b.kind == "heading":
            out.append("#" * b.level + " " + b.text)
        else:
            out.append(b.text)
        out.append("")
    return "\n".join(out)


def repeat_spanned(bs: list[Block]) -> list[Block]:
    """Docling's markdown tables: a merged cell's text repeated in every column and row it spans."""
    from dataclasses import replace
    out = []
    for b in bs:
        if b.kind != "table":
            out.append(b)
            continue
        grid: dict[tuple[int, int], str] = {}
        for i, cells in enumerate(_spanned_rows(b.rows)):
            j = 0
            for text, rs, cs in cells:
                while (i, j) in grid:
                    j += 1
                for di in range(rs):
                    for dj in range(cs):
                        grid[(i + di, j + dj)] = text
                j += cs
        width = max(len(r) for r in b.rows)
        out.append(replace(b, rows=[[grid.get((i, j), "") for j in range(width)] for i in range(len(b.rows))]))
    return out


# --- PDF→markdown converters that keep the printed table's merged cells (docling, marker) -------------
# A table is drawn as the template prints it, as a grid of (text, origin) cells: a merged cell covers
# several grid cells, ``origin`` marks its top-left one. Docling repeats a merged cell's text in every
# grid cell it covers; marker writes it once and leaves the rest empty.

Spanned = list[list[tuple[str, bool]]]
_APP_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def item_grid(rep: Report) -> Spanned:
    """The 第二十条 items as one table, as the template prints them: each item's heading a row across
    the table, a table with fewer columns than the widest spanning the columns left with its last one
    (2021: 本年处理决定数量 over three columns; 2019: 本年增/减, 采购总金额 over two)."""
    items = [t for t in FORMATS[rep.fmt].tables if t.key.startswith("item")]
    width = max(len(t.columns) for t in items)
    rows: Spanned = []
    for t in items:
        rows.append([(t.title, j == 0) for j in range(width + 1)])
        spans = [1] * (len(t.columns) - 1) + [width - len(t.columns) + 1]
        for label, texts in [("信息内容", [c.label for c in t.columns])] + [
                (r.label, [_cell(rep, (t.key, r.key, c.key)) for c in t.columns]) for r in t.rows]:
            rows.append([(label, True)] + [(x, k == 0) for x, s in zip(texts, spans) for k in range(s)])
    return rows


def application_grid(rep: Report) -> Spanned:
    """The application table as the template prints it: three label columns (三、本年度办理结果 down the
    outcome rows, （三）不予公开 down its sub-rows, a row's own label across what is left), and the
    three header rows under the 勾稽关系 note that spans them."""
    t = APPLICATION_2021_SINGLE_OTHER if (rep.shape_of or rep).single_other else FORMATS[rep.fmt].table("applications")
    note = [(_APP_NOTE, i == 0 and j == 0) for i in range(3) for j in range(3)]
    rows: Spanned = [note[0:3] + [("申请人情况", j == 0) for j in range(7)],
                     note[3:6] + [("自然人", True), ("法人或其他组织", True)] + [("法人或其他组织", False)] * 4
                     + [("总计", True)],
                     note[6:9] + [("自然人", False)] + [(c.label, True) for c in t.columns[1:6]] + [("总计", False)]]
    result, seen = GROUP_HEADINGS["本年度办理结果"], set()
    for r in t.rows:
        label = r.numbering + r.label
        if not r.group:
            labels = [(label, True), (label, False), (label, False)]
        elif r.group == "本年度办理结果":
            labels = [(result, result not in seen), (label, True), (label, False)]
        else:
            group = GROUP_HEADINGS[r.group]
            labels = [(result, result not in seen), (group, group not in seen), (label, True)]
        seen.update(x for x, _ in labels)
        rows.append(labels + [(_cell(rep, ("applications", r.key, c.key)), True) for c in t.columns])
    return rows


def review_grid(rep: Report) -> Spanned:
    cols = [c.label for c in FORMATS[rep.fmt].table("review").columns]
    return [[("行政复议", j == 0) for j in range(5)] + [("行政诉讼", j == 0) for j in range(10)],
            [(c, True) for c in cols] + [(x, j == 0) for x in ("未经复议直接起诉", "复议后起诉") for j in range(5)],
            [(c, False) for c in cols] + [(c, True) for c in cols * 2],
            [(_cell(rep, ("review", r.key, c.key)), True) for r in FORMATS[rep.fmt].table("review").rows
             for c in FORMATS[rep.fmt].table("review").columns]]


def _spanned_md(rows: Spanned, repeat: bool) -> list[str]:
    return _md_table([[x if repeat or origin else "" for x, origin in r] for r in rows])


def converted_markdown(rep: Report, repeat: bool) -> str:
    """A PDF converted by docling (``repeat``) or marker: the template's tables with their merged cells,
    each table cut where its page ends. Docling marks a page's end by the page number left as a line
    of its own and an ``<!-- image -->`` placeholder for a seal or logo, and the table goes on as a new
    table whose header rows the PDF printed again (its first row: the 第二十条 table's first item
    heading, in the middle of 第（六）项; the application table's three header rows); marker writes
    ``<!-- page N -->``. Docling's title comes after the attachment label the PDF's first line carries."""
    page = [1]

    def page_break() -> list[str]:
        page[0] += 1
        return ["", str(page[0]), "", "<!-- image -->", ""] if repeat else ["", f"<!-- page {page[0]} -->", ""]

    def split(rows: Spanned, head: int, at: int) -> list[str]:
        return _spanned_md(rows[:at], repeat) + page_break() + _spanned_md(rows[:head] + rows[at:], repeat)

    out = (["# 附件", "", "<!-- image -->", ""] if repeat else []) + ["## " + rep.title, ""]
    out += [p + "\n" for p in rep.prose.get("", [])]
    for n, head in SECTION_TITLES.items():
        out += ["## " + head, ""]
        if n in sections.TABLE_SECTIONS:
            out += [p + "\n" for p in rep.prose.get(n, [])]
        if n == "二":
            rows = item_grid(rep)
            at = next(i for i, r in enumerate(rows) if r[0][0] == FORMATS[rep.fmt].table("item6").rows[-1].label)
            out += split(rows, 1, at)
        elif n == "三":
            rows = application_grid(rep)
            out += split(rows, 3, 3 + (len(rows) - 3) // 2)
        elif n == "四":
            out += _spanned_md(review_grid(rep), repeat)
        else:
            out += [p + "\n" for p in rep.prose.get(n, [])]
        out.append("")
    return "\n".join(out + page_break())


_OCR_SWAPS = (str.maketrans("01", "Ol"), str.maketrans("01", "oI"))


def ocr_digits(bs: list[Block]) -> list[Block]:
    """A scanned report read by OCR: 0 read as O or o, 1 as l or I, in the table's figures."""
    from dataclasses import replace
    return [replace(b, rows=[[c if j == 0 or not re.fullmatch(r"[\d.]+", c) else c.translate(_OCR_SWAPS[i % 2])
                              for j, c in enumerate(row)] for i, row in enumerate(b.rows)])
            if b.kind == "table" else b for b in bs]


def page_breaks(text: str, every: int = 9) -> str:
    """A PDF's text layer: every ``every`` lines a page footer, a form feed and a running header."""
    lines, out, page = text.split("\n"), [], 1
    for i, line in enumerate(lines, 1):
        out.append(line)
        if i % every == 0:
            out += [f"- {page} -", "\f政府信息公开工作年度报告"]
            page += 1
    return "\n".join(out)


def html(bs: list[Block], spans: bool = False) -> str:
    from html import escape
    out = ['<!DOCTYPE html><html><head><meta charset="utf-8">']
    t = next((b.text for b in bs if b.kind == "title"), "")
    out.append(f"<title>{escape(t)}</title>" if t else "")
    out.append('<style>body{font-family:"WenQuanYi Micro Hei",sans-serif} td{border:1px solid #000}'
               'table{border-collapse:collapse}</style></head><body><div class="content">')
    for b in bs:
        if b.kind == "title":
            out.append(f"<h1>{escape(b.text)}</h1>")
        elif b.kind == "heading":
            out.append(f"<h{b.level}>{escape(b.text)}</h{b.level}>")
        elif b.kind == "para":
            out.append(f"<p>{escape(b.text)}</p>")
        else:
            out.append(_html_table(b.rows, spans))
    out.append("</div></body></html>")
    return "\n".join(out)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(html_path: Path, pdf_path: Path) -> None:
    exe = chromium()
    if not exe:
        raise RuntimeError("chromium not installed (run `make browser`)")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf_path}", html_path.as_uri()],
                   check=True, capture_output=True, timeout=120)


# name -> (file suffix, render(report) -> text)
TEXT_LAYOUTS = {
    "markdown": (".md", lambda r: markdown(blocks(r))),
    "one-line": (".txt", lambda r: one_line(blocks(r))),
    "cell-per-line": (".txt", lambda r: cell_per_line(blocks(r))),
    "markdown:merged-groups": (".md", lambda r: markdown(blocks(r, merged_groups=True))),
    "html": (".html", lambda r: html(blocks(r))),
    "html:merged-groups": (".html", lambda r: html(blocks(r, merged_groups=True))),
    "markdown:blank-zeros": (".md", lambda r: markdown(blocks(blank_zeros(r)))),
    "html:blank-zeros": (".html", lambda r: html(blocks(blank_zeros(r)))),
    "title:none": (".txt", lambda r: plain(blocks(r, title=False))),
    "title:正文目录": (".txt", lambda r: "正文\n目录\n" + plain(blocks(r))),
    "title:# ": (".md", lambda r: "# " + plain(blocks(r))),
    "moved-tables": (".md", lambda r: markdown(move_item_tables(blocks(r), to_end=False))),
    "moved-tables-end": (".md", lambda r: markdown(move_item_tables(blocks(r), to_end=True))),
    "markdown:html-tables": (".md", lambda r: markdown_html_tables(blocks(r))),
    "markdown:repeated-spans": (".md", lambda r: markdown(repeat_spanned(blocks(r)))),
    "markdown:docling": (".md", lambda r: converted_markdown(r, repeat=True)),
    "markdown:marker": (".md", lambda r: converted_markdown(r, repeat=False)),
    "html:spans": (".html", lambda r: html(blocks(r), spans=True)),
    "plain:page-breaks": (".txt", lambda r: page_breaks(plain(blocks(r)))),
    "plain:ocr-digits": (".txt", lambda r: plain(ocr_digits(blocks(r)))),
    "markdown:ocr-digits": (".md", lambda r: markdown(ocr_digits(blocks(r)))),
}
LAYOUTS = list(TEXT_LAYOUTS) + ["pdf"]
# Not yet held to "never wrong": blank cells dropped from a cell-per-line copy leave the figures'
# columns unknown (harness_synthetic.py --layouts cell-per-line:blank-zeros shows ~1 wrong cell in 20 000).
EXTRA_LAYOUTS = {"cell-per-line:blank-zeros": (".txt", lambda r: cell_per_line(blocks(blank_zeros(r))))}


def render(rep: Report, layout: str, folder: Path) -> Path:
    """Write the report in one layout under ``folder``; file names carry no agency or year."""
    folder.mkdir(parents=True, exist_ok=True)
    if layout == "pdf":
        src = render(rep, "html", folder)
        out = folder / "report.pdf"
        print_pdf(src, out)
        return out
    suffix, fn = {**TEXT_LAYOUTS, **EXTRA_LAYOUTS}[layout]
    out = folder / ("report" + suffix)
    out.write_text(fn(rep), encoding="utf-8")
    return out


def corpus_reports(corpus: Path, since: int = 2020) -> list[Path]:
    """The template-era reports of the corpus (every reader's folder), by the year in their file name."""
    out = []
    for folder in ("reports", "html", "pdf"):
        for p in sorted((corpus / folder).glob("*")):
            m = re.search(r"(\d{4})", p.stem)
            if m and int(m.group(1)) >= since:
                out.append(p)
    return out


@dataclass
class Comparison:
    expected: int
    equal: int
    wrong: list[tuple[Key, object, object]]   # (cell, expected, read)
    missing: list[Key]


def compare(expected: dict[Key, object], got: dict[Key, object]) -> Comparison:
    wrong = [(k, v, got[k]) for k, v in expected.items() if k in got and got[k] != v]
    missing = [k for k in expected if k not in got]
    return Comparison(len(expected), len(expected) - len(wrong) - len(missing), wrong, missing)


@dataclass
class LayoutScore:
    equal: int = 0
    expected: int = 0
    wrong: int = 0
    reports: int = 0
    same_metadata: int = 0      # agency and year detected as in the original
    misses: list[str] = field(default_factory=list)


def run_corpus(corpus: Path, layouts: list[str], folder: Path) -> dict[str, LayoutScore]:
    """Every template-era corpus report rendered in each layout and read back, against its original."""
    scores = {lay: LayoutScore() for lay in layouts}
    for i, path in enumerate(corpus_reports(corpus)):
        rep = report_from_file(path)
        orig_meta = detect(read(path), path)
        for lay in layouts:
            out = render(rep, lay, folder / f"{i}-{path.suffix[1:]}" / re.sub(r"\W", "_", lay))
            got, _, doc = read_cells(out, rep.year)
            cmp = compare(rep.cells, got)
            s = scores[lay]
            s.reports += 1
            s.expected += cmp.expected
            s.equal += cmp.equal
            s.wrong += len(cmp.wrong)
            s.same_metadata += detect(doc, out) == (orig_meta[0], orig_meta[1])
            s.misses += [f"{path.name} {k} expected {v} read {g}" for k, v, g in cmp.wrong]
            s.misses += [f"{path.name} {k} not read" for k in cmp.missing]
    return scores
