"""Which of a few close figure candidates a question means, by meaning rather than shared words.

The lexical scorer decides whenever it can tell candidates apart. When two
figures explain the question's words equally well (新接到 shares 申请 with
both 本年新收 and 上年结转), the same embedding model the narrative index
uses compares the question with each figure's description. Descriptions are
embedded once and kept; a question costs one query embedding.
"""
from __future__ import annotations

import logging
import threading

import numpy as np

from .metrics import Entry

log = logging.getLogger(__name__)

# Lexical scores within this share of the best are a tie the dense matcher settles.
TIE = 0.97
# Cosine similarities closer than this are a tie for the embedding too: the runner-up is named.
CLOSE = 0.01


def description(e: Entry) -> str:
    """What a figure counts, in words: 收到和处理政府信息公开申请情况 本年新收政府信息公开申请数量 总计."""
    first = lambda s: s.split("|")[0] if s else ""  # noqa: E731
    if e.kind == "narrative":
        return e.own.replace("|", " ").strip()   # the clause that names it, not the sentence around it
    return " ".join(p for p in (first(e.table), first(e.group), first(e.own), first(e.column)) if p)


class DenseMatcher:
    def __init__(self, embeddings):
        """``embeddings``: a LangChain Embeddings (embed_query / embed_documents), or a callable
        returning one, so the model loads on the first tie rather than at start-up."""
        self._embeddings = embeddings
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def embeddings(self):
        if callable(self._embeddings) and not hasattr(self._embeddings, "embed_query"):
            self._embeddings = self._embeddings()
        return self._embeddings

    def _vectors(self, texts: list[str]) -> list[np.ndarray]:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            vecs = self.embeddings.embed_documents(todo)
            with self._lock:
                for t, v in zip(todo, vecs):
                    self._cache[t] = _unit(v)
        return [self._cache[t] for t in texts]

    def similarities(self, question: str, entries: list[Entry]) -> list[float]:
        q = _unit(self.embeddings.embed_query(question))
        return [float(q @ v) for v in self._vectors([description(e) for e in entries])]


def _unit(v) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(a)
    return a / n if n else a


def settle(dense: DenseMatcher | None, question: str, tied: list) -> tuple[object, object | None]:
    """(the candidate meant, a runner-up too close to rule out or None) among lexically tied matches."""
    if dense is None or len(tied) < 2:
        return tied[0], None
    try:
        sims = dense.similarities(question, [m.entry for m in tied])
    except Exception as exc:  # the model is an aid here: without it the lexical order stands
        log.warning("dense figure matching unavailable (%s)", exc)
        return tied[0], None
    # The lexical first stands unless the meaning clearly prefers another; one as near is named.
    best = max(range(len(tied)), key=lambda i: sims[i])
    if sims[best] - sims[0] < CLOSE:
        best = 0
    near = [i for i in range(len(tied)) if i != best and sims[best] - sims[i] < CLOSE]
    return tied[best], (tied[max(near, key=lambda i: sims[i])] if near else None)
