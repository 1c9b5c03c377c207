"""Saved report pages (.html/.htm): the report body as text, real <table>s as cells.

Text keeps the page's own paragraphs (block elements and <br> are real line
breaks, unlike a PDF's wrapping). Each top-level <table> becomes one Grid, with
row/column spans expanded so every row has the same columns (spanned positions
are "", like pdfplumber's merged cells), and is also written into the text, in
place, as one line per row with the row's own cells joined by " | ".
"""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from .normalize import TITLE_WORDS, HardLines, to_document
from .records import Document, Grid, ReportError
from .text_reader import check_not_binary, decode

_DROP = {"script", "style", "noscript", "nav", "aside", "iframe", "template", "svg", "head", "button",
         "select", "input", "textarea", "object", "embed", "map", "canvas"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
          "article", "main", "header", "footer", "blockquote", "pre", "center", "address", "figure",
          "figcaption", "caption", "form", "fieldset", "hr", "body", "html"}
_CJK = r"[\u2e80-\u9fff\uf900-\uffef]"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_SKIP_STRINGS = (Comment, Doctype, ProcessingInstruction)


def _decode(data: bytes, path) -> str:
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = m.group(1).decode("ascii").lower()
        # Pages labelled GB2312/GBK routinely use characters only GB18030 (its superset) has.
        enc = "gb18030" if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk") else declared
        try:
            text = data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            return check_not_binary(text, path)
    return decode(data, path)


def _clean(text: str) -> str:
    """Collapse source-formatting whitespace the way a browser does; no gap between CJK characters."""
    text = text.replace("\xa0", " ")
    text = re.sub(rf"(?<={_CJK})[ \t]*[\r\n]+\s*(?={_CJK})", "", text)
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def _cell_text(cell: Tag) -> str:
    # Paragraphs, <br> and &nbsp; padding inside a narrow cell are wrapping, not part of the value.
    parts = [s.replace("\xa0", " ").strip() for s in cell.find_all(string=True)
             if not isinstance(s, _SKIP_STRINGS)]
    return re.sub(r"\s{2,}", " ", "".join(parts)).strip()


def _span(cell: Tag, attr: str) -> int:
    try:
        return max(1, min(int(str(cell.get(attr, "1")).strip() or 1), 200))
    except ValueError:
        return 1


def _table(table: Tag) -> tuple[list[str], list[list[str]]]:
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    taken: set[tuple[int, int]] = set()
    grid: list[list[str]] = []
    lines: list[str] = []
    for r, tr in enumerate(rows):
        row: list[str] = []
        texts: list[str] = []
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in taken:
                row.append("")
                c += 1
            text = _cell_text(cell)
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rs):
                for dc in range(cs):
                    if dr or dc:
                        taken.add((r + dr, c + dc))
            row += [text] + [""] * (cs - 1)
            texts.append(text)
            c += cs
        while (r, c) in taken:
            row.append("")
            c += 1
        if any(row):
            grid.append(row)
        while texts and not texts[0]:
            texts.pop(0)
        if texts:
            lines.append(" | ".join(texts))
    width = max((len(r) for r in grid), default=0)
    return lines, [r + [""] * (width - len(r)) for r in grid]


_INLINE_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def inline_tables(text: str) -> tuple[str, list[Grid]]:
    """HTML tables inside a text file (MinerU and other PDF→markdown tools write each table as one line
    of HTML with row/column spans): each becomes one Grid, and in the text one line per row, cells
    joined by " | ", as the tables of a saved page are."""
    grids: list[Grid] = []

    def replace(m: re.Match) -> str:
        table = BeautifulSoup(m.group(0), "lxml").find("table")
        if table is None:
            return m.group(0)
        lines, grid = _table(table)
        if grid:
            grids.append(Grid(rows=grid))
        return "\n" + "\n".join(lines) + "\n"

    return _INLINE_TABLE.sub(replace, text), grids


def _text_len(node: Tag) -> int:
    return len(re.sub(r"\s+", "", node.get_text()))


def _content_root(soup: BeautifulSoup) -> Tag:
    """The element holding the report: descend while one child holds most of the page's text."""
    node = soup.body or soup
    while True:
        total = _text_len(node)
        children = [c for c in node.children if isinstance(c, Tag)]
        best = max(children, key=_text_len, default=None)
        if best is None or best.name == "table" or total == 0 or _text_len(best) < 0.7 * total:
            return node
        node = best


def _page_title(soup: BeautifulSoup) -> str:
    candidates = []
    for meta in soup.find_all("meta", attrs={"name": re.compile(r"^(ArticleTitle|title)$", re.I)}):
        candidates.append(meta.get("content", ""))
    for tag in soup.find_all(["h1", "h2", "h3"]):
        candidates.append(tag.get_text())
    for tag in soup.find_all(class_=re.compile("title", re.I)):
        candidates.append(tag.get_text())
    if soup.title:
        candidates.append(soup.title.get_text())
    for c in candidates:
        c = _clean(c)
        m = TITLE_WORDS.search(c)
        if m and len(c[:m.end()]) <= 80:
            return c[:m.end()]
    return ""


def read(path) -> Document:
    path = Path(path)
    text = _decode(path.read_bytes(), path)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as e:  # lxml rejects some binary junk outright
        raise ReportError(path, f"HTML 无法解析 (unparsable HTML: {e})") from None
    title = _page_title(soup)
    for tag in soup.find_all(_DROP):
        tag.decompose()
    root = _content_root(soup)

    lines: list[str] = []
    grids: list[Grid] = []
    buf: list[str] = []

    def flush() -> None:
        line = _clean("".join(buf))
        buf.clear()
        if line:
            lines.append(line)

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _SKIP_STRINGS):
                    buf.append(str(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "table":
                flush()
                rows, grid = _table(child)
                lines.extend(rows)
                if grid:
                    grids.append(Grid(rows=grid))
            elif child.name == "br":
                flush()
            elif child.name in _BLOCK:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(root)
    flush()
    if title and lines and title not in lines[0]:
        lines.insert(0, title)
    return to_document(path, [[HardLines(lines)]], media="html", grids=grids, join=False, title=title)
