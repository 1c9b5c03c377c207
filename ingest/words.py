"""jieba's part-of-speech cut, loaded once per process and only when some reader needs it."""
from __future__ import annotations

import logging
import threading

_posseg = None
_lock = threading.Lock()


def pos_cut(text: str) -> list[tuple[str, str]]:
    """(word, jieba flag) pairs of ``text``, in order; the words joined give ``text`` back."""
    global _posseg
    if _posseg is None:
        with _lock:
            if _posseg is None:
                import jieba
                import jieba.posseg
                jieba.setLogLevel(logging.WARNING)
                _posseg = jieba.posseg
    return [(t.word, t.flag) for t in _posseg.lcut(text)]
