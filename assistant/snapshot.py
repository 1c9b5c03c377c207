"""What the assistant reads from the stores: a catalogue in memory, each report's figures on demand.

In memory, for the life of a snapshot: the list of reports (no texts), which template cells
each report has (a bit mask), the agency names, and word statistics from a bounded sample of
the stored text. A report's figures, prose figures and chunks are read from the fact store
when a question needs them, through bounded caches, so a worker's memory does not grow with
the number of stored reports.

A snapshot's catalogue is never changed after it is built; ``Assistant.reload`` builds a new
one and swaps the reference, so request threads need no lock to read (the caches lock themselves).
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from .agencies import AgencyMatcher, split_name
from .metrics import Entry, Scorer, template_entries, vocabulary
from .retrieval import LEXICAL_MAX, HybridRetriever
from .dense_match import DenseMatcher
from .textutil import Segmenter, compact

log = logging.getLogger(__name__)

_TEMPLATE = template_entries()
TEMPLATE_WORDING = "|".join(sorted({p for e in _TEMPLATE.values() for p in (e.own, e.group, e.column, e.table) if p}))
CONTEXT_BEFORE = 200  # characters of report text read before a prose figure
_CELL_KEYS = sorted(_TEMPLATE)
_CELL_BIT = {k: 1 << i for i, k in enumerate(_CELL_KEYS)}
# Word statistics (IDF, the reports' vocabulary) come from at most this many stored passages and
# prose figures: beyond a few thousand, more text changes a word's weight by little and costs
# memory in every worker. A store smaller than this is read whole.
SAMPLE_DOCS = 5000
# Reports whose figures and chunks a worker keeps read; a question needs a few.
REPORT_CACHE = 256
_CLAUSE_END = re.compile(r"[，,。；;！？!?：:\n]")


# For quoting prose, one copy of a report is enough; a text file is the cleanest copy of prose
# (PDF extraction breaks lines and may reorder blocks), so it is preferred there; tables prefer
# the copy whose figures passed the template checks (report_preference).
PROSE_MEDIA = {"txt": 0, "html": 1, "pdf": 2}


def _context(text: str, start: int | None, end: int | None) -> str:
    """What describes a prose figure: the text before it (a heading such as （3）推进环境保护信息公开
    often says what it is about) and the rest of its own clause (33个政务新媒体). Later clauses of
    the sentence describe later figures (1288条，拥有粉丝10659名), so they are left out."""
    if not text or start is None:
        return ""
    end = end if end is not None and end >= start else start
    stop = _CLAUSE_END.search(text, end)
    return compact(text[max(0, start - CONTEXT_BEFORE):stop.start() if stop else len(text)])


def all_cells() -> list[Entry]:
    """Every cell the template defines, stored or not."""
    return list(_TEMPLATE.values())


def prose_preference(report: dict) -> tuple:
    return (PROSE_MEDIA.get(report.get("media") or "", 3), len(report.get("warnings") or []), report["id"])


def report_preference(report: dict) -> tuple:
    """Fewest template-check warnings first, then the most table figures."""
    return (len(report.get("warnings") or []), -report.get("n_table_facts", 0), -report.get("n_facts", 0),
            report["id"])


@dataclass
class Snapshot:
    reports: list[dict] = field(default_factory=list)
    by_id: dict[int, dict] = field(default_factory=dict)
    # (agency, year) → reports, preferred first
    by_agency_year: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    years_of: dict[str, list[int]] = field(default_factory=dict)
    cell_mask: dict[int, int] = field(default_factory=dict)   # report id → bits of _CELL_KEYS it has
    prose_reports: set[int] = field(default_factory=set)   # one copy per agency-year, for retrieval
    matcher: AgencyMatcher | None = None
    places: set[str] = field(default_factory=set)
    scorer: Scorer | None = None
    retriever: HybridRetriever | None = None
    dense: DenseMatcher | None = None   # settles figure candidates the words cannot tell apart
    segmenter: Segmenter | None = None
    store: object = None
    cache_size: int = REPORT_CACHE

    def __post_init__(self):
        self._cells = lru_cache(maxsize=self.cache_size)(self._read_cells)
        self._narrative = lru_cache(maxsize=self.cache_size)(self._read_narrative)
        self._chunks = lru_cache(maxsize=self.cache_size)(self._read_chunks)

    @property
    def empty(self) -> bool:
        return not self.reports

    @property
    def agencies(self) -> list[str]:
        return sorted(self.years_of)

    @property
    def newest_year(self) -> int | None:
        ys = [y for v in self.years_of.values() for y in v]
        return max(ys) if ys else None

    def reports_for(self, agency: str, year: int) -> list[dict]:
        return self.by_agency_year.get((agency, year), [])

    def cell_entries(self, report_ids: list[int]) -> list[Entry]:
        mask = 0
        for rid in report_ids:
            mask |= self.cell_mask.get(rid, 0)
        return [_TEMPLATE[k] for k in _CELL_KEYS if mask & _CELL_BIT[k]]

    def narrative_entries(self, report_ids: list[int]) -> list[Entry]:
        out, seen = [], set()
        for rid in report_ids:  # preferred report first; the same sentence in another copy is skipped
            for e in self._narrative(rid):
                sig = (compact(e.own), e.fact["value"], e.unit)
                if sig not in seen:
                    seen.add(sig)
                    out.append(e)
        return out

    def cell(self, report_id: int, key: tuple[str, str, str]) -> dict | None:
        if not self.cell_mask.get(report_id, 0) & _CELL_BIT.get(key, 0):
            return None
        return self._cells(report_id).get(key)

    def cells_for(self, report_ids: list[int], keys: list[tuple[str, str, str]]) -> dict[tuple[int, tuple], dict]:
        """The cells ``keys`` of each report, as {(report id, key): fact}. More reports than the cache
        holds (a comparison of every agency) are read in one query for just those cells, uncached."""
        ids = [r for r in report_ids if any(self.cell_mask.get(r, 0) & _CELL_BIT.get(k, 0) for k in keys)]
        if len(ids) <= self.cache_size or self.store is None:
            return {(r, k): f for r in ids for k in keys if (f := self.cell(r, k)) is not None}
        return {(f["report_id"], (f["table_key"], f["row_key"], f["column_key"])): f
                for f in self.store.cells_of(ids, list(keys))}

    def chunks_of(self, report_id: int) -> list[dict]:
        return self._chunks(report_id)

    # --- reading from the store -------------------------------------------------
    def _read_cells(self, report_id: int) -> dict[tuple[str, str, str], dict]:
        if self.store is None:
            return {}
        return {(f["table_key"], f["row_key"], f["column_key"]): f for f in self.store.cells_of([report_id])}

    def _read_chunks(self, report_id: int) -> list[dict]:
        return self.store.chunks(report_id) if self.store is not None else []

    def _read_narrative(self, report_id: int) -> list[Entry]:
        if self.store is None:
            return []
        facts = self.store.prose_facts(report_id)
        text = (self.store.report(report_id) or {}).get("text", "") if facts else ""
        out, previous = [], {}
        for f in facts:
            e = Entry("narrative", "narrative", f["row_key"], f["column_key"], own=compact(f["row_label"]),
                      context=_context(text, f.get("char_start"), f.get("char_end")) or compact(f["source_text"]),
                      unit=f["unit"], fact=f)
            # 共收到15564件咨询投诉件，已办结15042件: a later figure of a sentence often leaves out what it
            # counts, which the figure before it named.
            if f["source_text"] in previous:
                e.lead = previous[f["source_text"]].own
            previous[f["source_text"]] = e
            out.append(e)
        return out


def _every(total: int, limit: int = SAMPLE_DOCS) -> int:
    return max(1, -(-total // limit))


def build(store, vector_index=None, rrf_k: int = 60, cache_size: int = REPORT_CACHE,
          lexical_max: int = LEXICAL_MAX) -> Snapshot:
    """Read the catalogue from ``store`` (a read-only FactStore, or None)."""
    snap = Snapshot(store=store, cache_size=cache_size)
    seg = Segmenter(vocabulary(_TEMPLATE.values()))
    snap.segmenter = seg
    if store is None:
        snap.scorer = Scorer(seg, [])
        snap.matcher = AgencyMatcher({})
        snap.retriever = HybridRetriever([], seg)
        return snap
    snap.reports = store.reports(candidates=False)
    table_counts = defaultdict(int)
    for rid, t, r, c, kind in store.cell_keys():
        table_counts[rid] += kind == "table"
        bit = _CELL_BIT.get((t, r, c))
        if bit:
            snap.cell_mask[rid] = snap.cell_mask.get(rid, 0) | bit
    for r in snap.reports:
        r["n_table_facts"] = table_counts[r["id"]]
        snap.by_id[r["id"]] = r
        snap.by_agency_year.setdefault((r["agency"], r["year"]), []).append(r)
    for key, reps in snap.by_agency_year.items():
        reps.sort(key=report_preference)
        snap.prose_reports.add(min(reps, key=prose_preference)["id"])
        if key[1] is not None:
            snap.years_of.setdefault(key[0], []).append(key[1])
    for agency in {r["agency"] for r in snap.reports}:
        snap.years_of.setdefault(agency, [])
        snap.years_of[agency].sort()
    counts = defaultdict(int)
    for r in snap.reports:
        counts[r["agency"]] += 1
    snap.matcher = AgencyMatcher(dict(counts))
    for name in counts:
        for place in split_name(name)[0]:
            snap.places.add(place)
            snap.places.add(place[:-1] if len(place) > 2 else place)
    seg.add_words(w for w in snap.matcher.vocabulary() if len(w) >= 3)
    passages = [compact(t) for t in store.chunk_texts(_every(store.count("chunks")))]
    labels = [compact(x) for x in store.prose_labels()]
    labels = labels[::_every(len(labels))]
    # Template wording lives in the tables, which are not chunked: count it once per row and column.
    docs = passages + labels + sorted({part for e in _TEMPLATE.values() for part in (e.own, e.column, e.group) if part})
    # What figures are called, in the template and in the reports' prose: a verb that names one
    # (公布, 发布) is a term, any other verb only how the question is asked.
    snap.scorer = Scorer(seg, docs, TEMPLATE_WORDING + "|" + "|".join(sorted(set(labels))))
    snap.retriever = HybridRetriever(store.chunk_catalogue(), seg, snap.chunks_of, vector_index, rrf_k,
                                     sample=passages, fetch=store.chunks_by_id, cache_size=cache_size, lexical_max=lexical_max,
                                     file_names={r["id"]: r["file_name"] for r in snap.reports})
    if vector_index is not None and hasattr(vector_index, "embeddings"):
        snap.dense = DenseMatcher(lambda: vector_index.embeddings)
    return snap
