"""Hybrid passage retrieval: BM25 over Chinese words fused with dense search by reciprocal rank.

BM25 (bm25s, words from jieba) is computed over the chunks of the reports a
question covers, read from the fact store on demand; the dense side is the
Chroma index written by the ingest. Both are filtered to the agencies and
years the question names, and their rankings are fused with 1 / (rrf_k + rank).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .metrics import FORM_TAGS
from .synonyms import NARRATIVE_GENERIC, STOPWORDS, SYNONYM_GROUPS
from .textutil import PUNCT, Segmenter, compact

log = logging.getLogger(__name__)

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
# A short numbered line: （二）改进措施, 三、依申请公开情况, 2.公众查阅点.
_HEADING_LINE = re.compile(r"(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．])\S{1,24}")
_POOL = 40
_RERANK = 10
# A scope of more chunks than this is ranked by the dense side alone: building its BM25 index per
# question would cost more than the question (a store of 10,000 reports has over 200,000).
LEXICAL_MAX = 20000
# A scope of at most this many chunks is ranked exactly, its vectors read by id (0.065 ms a chunk,
# measured), rather than by Chroma's filtered search, whose cost grows with the store (65 ms at
# 90,000 chunks): a question about one agency's reports costs the same in any size of store.
EXACT_MAX = 1000
RERANK_WEIGHT = 0.5


@dataclass
class Passage:
    chunk: dict
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None
    words: list[str] = field(default_factory=list)


class HybridRetriever:
    """Passages of the reports in a question's scope, ranked by BM25 and dense search fused.

    It keeps only the chunk catalogue (id, report, agency, year) and word statistics from a sample
    of the stored passages; a question's BM25 index is built over its scope's chunks, read through
    ``chunks_of`` (a report's chunks, cached by the snapshot) and tokenised once per report. A scope
    of more than ``lexical_max`` chunks (every agency of a large store) is ranked by the dense side
    alone, its candidates read with ``fetch`` (chunk ids → chunks)."""

    def __init__(self, catalogue: list[dict], segmenter: Segmenter, chunks_of=None, vector_index=None,
                 rrf_k: int = 60, sample: list[str] | None = None, fetch=None, lexical_max: int = LEXICAL_MAX,
                 cache_size: int = 256, file_names: dict[int, str] | None = None):
        self.n = len(catalogue)
        self.seg = segmenter
        self.vectors = vector_index
        self.rrf_k = rrf_k
        self.lexical_max = lexical_max
        self._chunks_of = chunks_of or (lambda rid: [])
        self._fetch = fetch or (lambda ids: [])
        self._file_names = file_names or {}
        self._agency = np.array([c["agency"] for c in catalogue], dtype=object)
        self._year = np.array([c["year"] if c["year"] is not None else -1 for c in catalogue])
        self._report = np.array([c["report_id"] for c in catalogue])
        self._tokens = lru_cache(maxsize=cache_size)(self._report_tokens)
        self.vocab: set[str] = set()
        self.doc_freq: dict[str, int] = {}
        self.n_sample = 0
        for text in sample or ():
            doc = set(self.tokens(text))
            self.n_sample += 1
            self.vocab |= doc
            for w in doc:
                self.doc_freq[w] = self.doc_freq.get(w, 0) + 1

    def tokens(self, text: str) -> list[str]:
        return [w for w in self.seg.cut_for_search(compact(text))
                if w not in STOPWORDS and w not in PUNCT and not w.isdigit()]

    def _report_tokens(self, report_id: int) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(self.tokens(c["text"])) for c in self._chunks_of(report_id))

    def missing_topic(self, words: list[str], passages: list[Passage], top: int = 3) -> list[str]:
        """The question's topic words when none of them is in the top passages, else [].

        Topic words are the question's words that are neither the reports' everyday vocabulary
        (NARRATIVE_GENERIC, or in a fifth of all passages) nor absent from the top passages
        by chance of wording alone: if not one of them appears, the passages are only the
        nearest text, not an answer."""
        n = max(self.n_sample, 1)
        topic = [w for w in words if len(w) >= 2 and w not in NARRATIVE_GENERIC
                 and self.doc_freq.get(w, 0) / n < 0.2
                 and self.seg.tag(w) not in FORM_TAGS]
        text = "".join(compact(p.chunk["text"]) for p in passages[:top])
        said = lambda w: any(s in text for g in SYNONYM_GROUPS if w in g for s in g) or w in text  # noqa: E731
        if not topic or any(said(w) for w in topic):
            return []
        return topic

    def query_words(self, query: str) -> list[str]:
        seen = []
        for w in self.tokens(query):
            if w not in seen and (len(w) >= 2 or w in self.vocab):
                seen.append(w)
        return seen

    def _mask(self, agencies, years, reports=None) -> np.ndarray:
        mask = np.ones(self.n, dtype=bool)
        if reports is not None:
            mask &= np.isin(self._report, list(reports))
        if agencies:
            mask &= np.isin(self._agency, list(agencies))
        if years:
            mask &= np.isin(self._year, list(years))
        return mask

    def bm25_ranking(self, words: list[str], report_ids: list[int]) -> tuple[list[dict], list[int]]:
        """The scope's chunks (report by report, in text order) and the BM25 order of those that match."""
        chunks, corpus = [], []
        for rid in report_ids:
            chunks += self._chunks_of(rid)
            corpus += [list(t) or ["_"] for t in self._tokens(rid)]
        vocab = {w for doc in corpus for w in doc}
        known = [w for w in words if w in vocab]
        if not known:
            return chunks, []
        import bm25s
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        scores = bm25.get_scores(known)
        order = np.argsort(-scores, kind="stable")[:_POOL]
        return chunks, [int(i) for i in order if scores[i] > 0]

    def dense_ranking(self, query: str, agencies, years, files=None, scope: list[str] | None = None) -> list[str]:
        """Chunk ids by similarity to ``query``; ``scope``: the ids of the scope's chunks, when known."""
        if self.vectors is None:
            return []
        ranked: list[tuple[float, str]] = []
        try:
            if scope is not None and len(scope) <= EXACT_MAX:
                return [cid for cid, _ in self.vectors.rank(query, scope, _POOL)]
            for agency in (agencies or [None]):
                for cid, sim in self.vectors.search(query, _POOL, agency=agency, years=list(years) if years else None,
                                                    report_ids=files):
                    ranked.append((sim, cid))
        except Exception as exc:  # the dense side is an improvement, never a reason to fail
            log.warning("dense search failed, using BM25 only: %s", exc)
            return []
        ranked.sort(key=lambda t: -t[0])
        return [cid for _, cid in ranked]

    def search(self, query: str, k: int, agencies=None, years=None, reports=None,
               extra_words: list[str] | None = None, weight=None) -> list[Passage]:
        """Top ``k`` passages; ``reports`` (ids) limits the search to those reports."""
        if not self.n:
            return []
        words = self.query_words(query)
        for w in extra_words or ():
            if w not in words:
                words.append(w)
        mask = self._mask(agencies, years, reports)
        if not mask.any():
            return []
        report_ids = sorted(set(self._report[mask].tolist()))
        chunks, lexical = [], []
        if int(mask.sum()) <= self.lexical_max:
            chunks, lexical = self.bm25_ranking(words, report_ids)
        files = None
        if reports is not None:
            files = sorted({c["report"] for c in chunks} if chunks else
                           {self._file_names[r] for r in report_ids if r in self._file_names})
        fused: dict[str, Passage] = {}
        for rank, i in enumerate(lexical):
            p = fused.setdefault(chunks[i]["chunk_id"], Passage(chunks[i], 0.0))
            p.score += 1.0 / (self.rrf_k + rank + 1)
            p.bm25_rank = rank + 1
        dense = self.dense_ranking(query, agencies, years, files,
                                   [c["chunk_id"] for c in chunks if c.get("dense", True)] if chunks else None)
        in_scope = {c["chunk_id"]: c for c in chunks}
        if not chunks and dense:
            allowed = set(report_ids)
            in_scope = {c["chunk_id"]: c for c in self._fetch(dense) if c["report_id"] in allowed}
        for rank, cid in enumerate(dense):
            c = in_scope.get(cid)
            if c is None:
                continue
            p = fused.setdefault(cid, Passage(c, 0.0))
            p.score += 1.0 / (self.rrf_k + rank + 1)
            p.dense_rank = rank + 1
        self._follow_headings(fused, words, weight)
        pool = sorted(fused.values(), key=lambda p: -p.score)[:max(k, _RERANK)]
        if weight is not None and words:
            # The passage whose best sentence holds the question's rarer words is the one to quote;
            # a bounded bonus lets that reorder passages the two rankings put close together.
            total = sum(weight(w) for w in words) or 1.0
            for p in pool:
                best = max((sum(weight(w) for w in words if w in compact(m.group(0)))
                            for m in _SENTENCE.finditer(p.chunk["text"])), default=0.0)
                p.score += RERANK_WEIGHT * (best / total) / (self.rrf_k + 1)
            pool.sort(key=lambda p: -p.score)
        out = pool[:k]
        for p in out:
            p.words = [w for w in words if w in compact(p.chunk["text"])]
        return out

    def _follow_headings(self, fused: dict[str, Passage], words: list[str], weight) -> None:
        """A passage that ends on a heading the question asks about ((二)改进措施) is followed by
        what that heading introduces, which the chunker put in the next chunk: rank that one
        right behind it."""
        if not words:
            return
        weight = weight or (lambda w: 1.0)
        total = sum(weight(w) for w in words) or 1.0
        for cid, p in list(fused.items()):
            last = compact(p.chunk["text"].rstrip().rsplit("\n", 1)[-1])
            if not _HEADING_LINE.fullmatch(last):
                continue
            if sum(weight(w) for w in words if w in last) < 0.25 * total:
                continue
            siblings = self._chunks_of(p.chunk["report_id"])
            at = next((j for j, c in enumerate(siblings) if c["chunk_id"] == cid), None)
            if at is None or at + 1 >= len(siblings):
                continue
            nxt = siblings[at + 1]
            q = fused.setdefault(nxt["chunk_id"], Passage(nxt, 0.0))
            q.score = max(q.score, p.score - 1e-9)


def highlight_spans(text: str, words: list[str]) -> list[list[int]]:
    """Where the matched words occur in ``text`` (line breaks inside a word allowed), as [start, end]."""
    keep = [i for i, c in enumerate(text) if not c.isspace()]
    flat = "".join(text[i] for i in keep)
    spans = []
    for w in sorted(set(words), key=len, reverse=True):
        start = flat.find(w)
        while start >= 0 and w:
            spans.append([keep[start], keep[start + len(w) - 1] + 1])
            start = flat.find(w, start + len(w))
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def best_sentences(passages: list[Passage], words: list[str], weight, limit: int = 2) -> list[str]:
    """The sentences of the top passages that carry most of the question's words."""
    scored = []
    for rank, p in enumerate(passages[:3]):
        text = p.chunk["text"]
        for m in _SENTENCE.finditer(text):
            sent = compact(m.group(0))
            if len(sent) < 6:
                continue
            s = sum(weight(w) for w in words if w in sent)
            if s:
                scored.append((s - 0.01 * rank, sent))
    scored.sort(key=lambda t: -t[0])
    out = []
    for _, sent in scored:
        if sent not in out:
            out.append(sent)
        if len(out) == limit:
            break
    return out
