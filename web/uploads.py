"""Checking uploaded report files: a safe name that keeps Chinese, a size limit, and a type sniffed from the bytes."""
from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

ALLOWED = {"pdf": "pdf", "html": "html", "htm": "html", "txt": "txt"}
KIND_LABELS = {"pdf": "PDF", "html": "HTML", "txt": "文本"}
SNIFF_BYTES = 8192
MAX_STEM = 100

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# \w is Unicode-aware, so CJK characters, letters and digits of any script stay; full-width
# brackets are common in agency names. Everything else (dots, slashes, quotes, spaces) becomes "_".
_UNSAFE = re.compile(r"[^\w\-()（）]+")
_HTML_MARK = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|title|table|div|p)\b", re.I)


def safe_filename(name: str) -> str:
    """Like werkzeug's secure_filename, but keeps CJK (report names such as 沭阳县发展和改革局_2023.txt).

    Returns "" when nothing usable is left. The extension is lower-cased.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"_{2,}", "_", stem).strip("_-")[:MAX_STEM].strip("_-")
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())
    if not stem:
        return ""
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{ext}" if ext else stem


def human_size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


def _decodes_as_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        # Incremental, so a character cut at the end of the sniffed block is not an error.
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(head: bytes) -> str | None:
    """"pdf", "html", "txt", or None for anything else (binary, unknown encoding)."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if not _decodes_as_text(head):
        return None
    if _HTML_MARK.search(head[:4096]):
        return "html"
    return "txt"


def check(file_name: str, head: bytes) -> str | None:
    """The problem with this file as a Chinese message, or None when it may be ingested."""
    ext = Path(file_name).suffix.lower().lstrip(".")
    if ext not in ALLOWED:
        return "只接受 PDF、HTML、TXT 文件"
    if not head:
        return "文件为空"
    found = sniff(head)
    expected = ALLOWED[ext]
    if found != expected:
        what = KIND_LABELS.get(found, "无法识别的二进制内容") if found else "无法识别的二进制内容"
        return f"文件内容与扩展名不符：扩展名为 .{ext}，内容为{what}"
    return None
