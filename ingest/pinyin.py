"""How a character sounds: one toneless pinyin syllable, for reading a slip of the keyboard or of OCR
(广州人设局, 自治洲) as the name it sounds like.

Only pypinyin's single-character table is loaded: its phrase table (34 MB in every process that
imports pypinyin) gives readings of words, and one character is always read alone here.
"""
from __future__ import annotations

import os
from functools import lru_cache

os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")  # read by pypinyin when it is first imported


@lru_cache(maxsize=16384)
def syllable(ch: str) -> str:
    """``ch``'s toneless syllable (its first reading); a character with none stands for itself."""
    from pypinyin import Style, lazy_pinyin
    return (lazy_pinyin(ch, style=Style.NORMAL, errors=lambda c: list(c)) or [ch])[0]


def syllables(text: str) -> list[str]:
    return [syllable(ch) for ch in text]
