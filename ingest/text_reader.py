"""Plain-text reports (.txt, .md): decode, read any HTML tables a converter left inline, then normalise
like every other source."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from .normalize import check_report, to_document
from .records import Document, ReportError

# Reports are Chinese: besides Unicode, only the Chinese national/legacy encodings are plausible.
# Letting the detector try every code page would "decode" any bytes as some Cyrillic or Latin text.
_CANDIDATES = ["utf_8", "utf_16", "utf_32", "gb18030", "gbk", "gb2312", "big5"]
_BOMS = ((codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"), (codecs.BOM_UTF8, "utf_8_sig"),
         (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16"))


def decode(data: bytes, path) -> str:
    """UTF-8 (with or without BOM) or a BOM-marked UTF-16/32; otherwise GB18030/GBK/Big5 as detected."""
    return check_not_binary(_decode(data, path), path)


def check_not_binary(text: str, path) -> str:
    # Binary junk can be valid UTF-8; control characters give it away.
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > max(3, len(text) // 100):
        raise ReportError(path, "文件含大量控制字符，不是文本文件 (binary data, not text)")
    return text


def _decode(data: bytes, path) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise ReportError(path, f"文本编码错误：带 {enc} 标记但内容无法解码 (undecodable text: {e})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES))
    if not matches:
        raise ReportError(path, "无法识别文本编码（不是 UTF-8、GB18030/GBK 或 Big5）(undecodable text: unknown encoding)")
    # Short texts can be ambiguous between Chinese code pages: prefer the reading that looks like a report.
    for m in matches:
        text = str(m)
        try:
            check_report(path, text)
            return text
        except ReportError:
            continue
    return str(matches[0])


def read(path) -> Document:
    path = Path(path)
    text = decode(path.read_bytes(), path)
    grids = []
    if re.search(r"<table\b", text, re.I):
        from .html_reader import inline_tables  # html_reader builds on this module's decoding
        text, grids = inline_tables(text)
    return to_document(path, text.split("\f"), media="txt", grids=grids)
