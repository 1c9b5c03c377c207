"""PDF reports: the text layer for prose, ruled tables as cells (pdfplumber).

Table regions are taken out of the prose and put back, in place, as one line
per row with cells joined by " | " (the layout the HTML reader and the saved
HTML pages use), so the text reads in order and the table parser sees real rows
instead of the text layer's interleaving of multi-line cells.

Some reports draw a frame around each whole page, which the table finder takes
for a one-column table holding the prose; such prose rows are left to the text
layer and kept out of the grids.
"""
from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
from pdfplumber.utils import extract_text
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from .normalize import HardLines, to_document
from .records import Document, Grid, ReportError

_PROSE = re.compile(r"[，。；：、]")


def _cell(value: str | None) -> str:
    return "" if value is None else value.replace("\n", "").strip()


def _is_prose_row(row: list[str | None]) -> bool:
    # A page frame makes each prose line one cell spanning every column.
    present = [c for c in row if c is not None]
    return len(present) == 1 and bool(_PROSE.search(_cell(present[0])))


def _fill_missing(page, table, cells: list[list[str | None]]) -> None:
    """Recover text the table finder left outside every cell.

    A cell whose top rule fell on the previous page is not detected; its text
    is inside the table but in no cell, and would otherwise be lost.
    """
    boxes = [b for row in table.rows for b in row.cells if b]
    lefts = sorted({min(b[0] for b in col.cells if b) for col in table.columns if any(col.cells)})
    x_end = table.bbox[2]

    def covered(ch) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    x0, top, x1, bottom = table.bbox
    loose = [ch for ch in page.chars
             if x0 <= ch["x0"] and ch["x1"] <= x1 and top <= ch["top"] and ch["bottom"] <= bottom and not covered(ch)]
    if not loose or len(lefts) != len(table.columns):
        return
    for ri, row in enumerate(table.rows):
        for ci, box in enumerate(row.cells):
            if box is not None:
                continue
            left, right = lefts[ci], lefts[ci + 1] if ci + 1 < len(lefts) else x_end
            mine = [ch for ch in loose if left <= (ch["x0"] + ch["x1"]) / 2 < right
                    and row.bbox[1] <= (ch["top"] + ch["bottom"]) / 2 < row.bbox[3]]
            if mine:
                cells[ri][ci] = extract_text(mine)


def _real_rows(cells: list[list[str | None]]) -> tuple[int, int] | None:
    """The slice of rows that form a real table (prose rows at either end trimmed)."""
    if not cells or max(len(r) for r in cells) < 2:
        return None
    i, j = 0, len(cells)
    while i < j and (_is_prose_row(cells[i]) or not any(_cell(c) for c in cells[i])):
        i += 1
    while j > i and (_is_prose_row(cells[j - 1]) or not any(_cell(c) for c in cells[j - 1])):
        j -= 1
    return (i, j) if i < j else None


def _render(row: list[str | None]) -> str:
    # Spanned positions (None) are not cells of their own; leading empty cells carry no label.
    cells = [_cell(c) for c in row if c is not None]
    while cells and not cells[0]:
        cells.pop(0)
    return " | ".join(cells)


def _text_between(page, top: float, bottom: float) -> str:
    def keep(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        mid = (obj["top"] + obj["bottom"]) / 2
        return top <= mid < bottom
    # pdftotext-like spacing: a gap over a tenth of the font size is a space ("落实 “三审三校”").
    return page.filter(keep).extract_text(x_tolerance_ratio=0.1) or ""


def _page(page, number: int) -> tuple[list, list[Grid]]:
    regions = []
    for table in page.find_tables():
        cells = table.extract()
        _fill_missing(page, table, cells)
        span = _real_rows(cells)
        if span is None:
            continue
        i, j = span
        rows = [r for r in cells[i:j] if any(_cell(c) for c in r)]
        top, bottom = table.rows[i].bbox[1], table.rows[j - 1].bbox[3]
        if any(top < b and bottom > t for t, b, _, _ in regions):
            continue
        lines = HardLines(x for x in (_render(r) for r in rows) if x)
        regions.append((top, bottom, lines, Grid(rows=[[_cell(c) for c in r] for r in rows], page=number)))
    regions.sort(key=lambda r: r[0])
    segments: list = []
    y = float("-inf")
    for top, bottom, lines, _ in regions:
        segments += [_text_between(page, y, top), lines]
        y = bottom
    segments.append(_text_between(page, y, float("inf")))
    return segments, [g for *_, g in regions]


def _open(path: Path):
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise ReportError(path, "不是有效的 PDF 文件（缺少 %PDF 文件头）(not a PDF file)")
    try:
        return pdfplumber.open(path)
    except PdfminerException as e:
        cause = e.args[0] if e.args else e
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReportError(path, "PDF 已加密，需要密码才能读取 (encrypted PDF)") from None
        raise ReportError(path, f"PDF 文件损坏，无法解析 (broken PDF: {cause})") from None
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReportError(path, "PDF 已加密，需要密码才能读取 (encrypted PDF)") from None
    except Exception as e:  # pdfminer raises many unrelated types on damaged files
        raise ReportError(path, f"PDF 文件损坏，无法解析 (broken PDF: {type(e).__name__}: {e})") from None


def read(path) -> Document:
    path = Path(path)
    pdf = _open(path)
    pages, grids = [], []
    try:
        with pdf:
            for n, page in enumerate(pdf.pages, start=1):
                segments, page_grids = _page(page, n)
                pages.append(segments)
                grids += page_grids
    except ReportError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReportError(path, "PDF 已加密，需要密码才能读取 (encrypted PDF)") from None
    except PdfminerException as e:
        cause = e.args[0] if e.args else e
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReportError(path, "PDF 已加密，需要密码才能读取 (encrypted PDF)") from None
        raise ReportError(path, f"PDF 内容无法解析 (broken PDF page: {cause})") from None
    except Exception as e:
        raise ReportError(path, f"PDF 内容无法解析 (broken PDF page: {type(e).__name__}: {e})") from None
    if not any(s.strip() for p in pages for s in p if isinstance(s, str)) and not grids:
        raise ReportError(path, "PDF 没有文字层（可能是扫描件，需先做 OCR）(no text layer; scanned PDF?)")
    return to_document(path, pages, media="pdf", grids=grids, keep_page_starts=True)
