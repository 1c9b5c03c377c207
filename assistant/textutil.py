"""Text helpers shared by question understanding, retrieval and scoring.

Reports come from PDFs and web pages: spaces inside numbers and words ("2020 年",
"3803条"), full-width digits and line breaks in mid-sentence are common, so every
comparison is made on a compacted form.
"""
from __future__ import annotations

import re
import threading

import jieba

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．，％"}
_QUOTES = re.compile(r"[“”\"'‘’「」『』《》〈〉【】]")
_SPACE = re.compile(r"\s+")
PUNCT = set("，。、；：？！,.;:?!（）()[]{}-—…·~～/\\|“”\"'‘’「」『』《》〈〉【】 \t\r\n")


def compact(text: str) -> str:
    """No whitespace, ASCII digits: the form evidence and labels are compared in."""
    return _SPACE.sub("", (text or "").translate(_FULLWIDTH))


# A clause asking how to answer (需要说明来源, 请注明出处, 谢谢) says nothing about which figure or
# passage: its words (需要, 说明) would otherwise be scored against the template's labels.
_ANSWER_FORM = re.compile(
    r"[，,。；;？?！!]*(?:请|需要|麻烦|并|同时|顺便|最好)?(?:说明|注明|标明|标注|附上|给出|列出|提供|告知|写明|带上|附)"
    r"(?:一下)?(?:数据|信息|答案|具体)?的?(?:来源|出处|依据|原文|页码)[。.！!？?]*"
    r"|[，,。；;？?！!]*(?:谢谢(?:你|您)?|多谢|辛苦了)[。.！!？?]*$")


_QUOTED = re.compile(r"[“\"'‘「『《〈【]([^“”\"'‘’「」『』《》〈〉【】]+)[”\"'’」』》〉】]")


def quoted_terms(text: str) -> tuple[str, ...]:
    """What a question puts in quotes (“一网通办”, 《条例》), compacted as clean_question compacts."""
    return tuple(compact(m.group(1)) for m in _QUOTED.finditer(text))


def clean_question(text: str) -> str:
    """Quotes only mark a term (“其他”情形); without them the term reads as in the template."""
    text = _QUOTES.sub("", compact(text))
    return _ANSWER_FORM.sub("", text) or text


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def cn_int(text: str) -> int | None:
    """二〇二〇 → 2020 (digit by digit), 十二 → 12, 三 → 3."""
    if not text:
        return None
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, num = 0, 0
    for c in text:
        if c in _CN_DIGITS:
            num = _CN_DIGITS[c]
        elif c == "十":
            total += (num or 1) * 10
            num = 0
        elif c == "百":
            total += (num or 1) * 100
            num = 0
        else:
            return None
    return total + num


def fmt_number(value: float) -> str:
    """Integers without a decimal point; other values as printed (no float noise)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` (commas as thousands separators removed)."""
    return [float(m) for m in _NUMBER.findall(compact(text).replace(",", ""))]


class Segmenter:
    """A private jieba tokenizer, so the words we teach it never leak into other users of jieba."""

    def __init__(self, words: set[str] | None = None):
        self._tok = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False
        self._words = set(words or ())
        self._pos = None

    def add_words(self, words) -> None:
        with self._lock:
            self._words.update(w for w in words if w and len(w) >= 2)
            if self._ready:
                for w in words:
                    if w and len(w) >= 2:
                        self._tok.add_word(w, freq=2000)

    def _init(self) -> None:
        with self._lock:
            if self._ready:
                return
            import logging
            jieba.setLogLevel(logging.WARNING)
            self._tok.initialize()
            for w in self._words:
                self._tok.add_word(w, freq=2000)
            self._ready = True

    def cut(self, text: str) -> list[str]:
        if not self._ready:
            self._init()
        return [w for w in self._tok.lcut(text) if w.strip() and w not in PUNCT]

    def spans(self, text: str) -> set[tuple[int, int]]:
        """Where each word of ``text`` starts and ends (和 in 复议和诉讼 is a word, in 和解 it is not)."""
        if not self._ready:
            self._init()
        return {(s, e) for _, s, e in self._tok.tokenize(text)}

    def tag(self, word: str) -> str:
        """jieba's part-of-speech tag of ``word`` read alone (its dictionary tag when it has one)."""
        if not self._ready:
            self._init()
        if self._pos is None:
            self._pos = _tagger(self._tok)
        with self._lock:
            pairs = list(self._pos.cut(word))
        return pairs[0].flag if len(pairs) == 1 else ""

    def cut_for_search(self, text: str) -> list[str]:
        if not self._ready:
            self._init()
        return [w for w in self._tok.lcut_for_search(text) if w.strip() and w not in PUNCT]


def _tagger(tokenizer):
    """jieba's part-of-speech tagger over ``tokenizer``, sharing the word → tag table that importing
    jieba.posseg has already read (42 MB) instead of reading the dictionary a second time. Both come
    from jieba's one dictionary file; the words we add carry no tag, so the table is never written."""
    import jieba.posseg

    class Tagger(jieba.posseg.POSTokenizer):
        def __init__(self, tok):  # noqa: super().__init__ is what reads the table again
            self.tokenizer = tok
            self.word_tag_tab = jieba.posseg.dt.word_tag_tab

    return Tagger(tokenizer)
