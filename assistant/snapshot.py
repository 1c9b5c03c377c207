"""Everything the assistant reads from the stores, loaded once into memory.

A snapshot is never changed after it is built; ``Assistant.reload`` builds a new
one and swaps the reference, so request threads need no lock to read.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .agencies import AgencyMatcher, split_name
from .metrics import Entry, Scorer, template_entries, vocabulary
from .retrieval import HybridRetriever
from .dense_match import DenseMatcher
from .textutil import Segmenter, compact

log = logging.getLogger(__name__)

_TEMPLATE = template_entries()
TEMPLATE_WORDING = "|".join(sorted({p for e in _TEMPLATE.values() for p in (e.own, e.group, e.column, e.table) if p}))
CONTEXT_BEFORE = 200  # characters of report text read before a prose figure
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
    cells: dict[int, dict[tuple[str, str, str], dict]] = field(default_factory=dict)
    narrative: dict[int, list[Entry]] = field(default_factory=dict)
    chunks: list[dict] = field(default_factory=list)
    chunks_by_report: dict[int, list[dict]] = field(default_factory=dict)
    prose_reports: set[int] = field(default_factory=set)   # one copy per agency-year, for retrieval
    matcher: AgencyMatcher | None = None
    places: set[str] = field(default_factory=set)
    scorer: Scorer | None = None
    retriever: HybridRetriever | None = None
    dense: DenseMatcher | None = None   # settles figure candidates the words cannot tell apart
    segmenter: Segmenter | None = None

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
        keys = set()
        for rid in report_ids:
            keys.update(self.cells.get(rid, {}))
        return [_TEMPLATE[k] for k in sorted(keys) if k in _TEMPLATE]

    def narrative_entries(self, report_ids: list[int]) -> list[Entry]:
        out, seen = [], set()
        for rid in report_ids:  # preferred report first; the same sentence in another copy is skipped
            for e in self.narrative.get(rid, []):
                sig = (compact(e.own), e.fact["value"], e.unit)
                if sig not in seen:
                    seen.add(sig)
                    out.append(e)
        return out

    def chunks_of(self, report_id: int) -> list[dict]:
        return self.chunks_by_report.get(report_id, [])


def build(store, vector_index=None, rrf_k: int = 60) -> Snapshot:
    """Read reports, facts and chunks from ``store`` (a read-only FactStore, or None)."""
    snap = Snapshot()
    seg = Segmenter(vocabulary(_TEMPLATE.values()))
    snap.segmenter = seg
    if store is None:
        snap.scorer = Scorer(seg, [])
        snap.matcher = AgencyMatcher({})
        snap.retriever = HybridRetriever([], seg)
        return snap
    snap.reports = store.reports()
    facts = store.facts()
    table_counts = defaultdict(int)
    for f in facts:
        if f["kind"] == "table":
            table_counts[f["report_id"]] += 1
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
    previous: dict[tuple[int, str], Entry] = {}
    prose = sorted((f for f in facts if f["table_key"] == "narrative"),
                   key=lambda f: (f["report_id"], f.get("char_start") or 0))
    text_of = (None, "")  # one report's text at a time: all of them at once is the biggest thing a store holds
    for f in prose:
        if text_of[0] != f["report_id"]:
            text_of = (f["report_id"], (store.report(f["report_id"]) or {}).get("text", ""))
        text, start = text_of[1], f.get("char_start")
        e = Entry("narrative", "narrative", f["row_key"], f["column_key"], own=compact(f["row_label"]),
                  context=_context(text, start, f.get("char_end")) or compact(f["source_text"]),
                  unit=f["unit"], fact=f)
        # 共收到15564件咨询投诉件，已办结15042件: a later figure of a sentence often leaves out what it
        # counts, which the figure before it named.
        sentence = (f["report_id"], f["source_text"])
        if sentence in previous:
            e.lead = previous[sentence].own
        previous[sentence] = e
        snap.narrative.setdefault(f["report_id"], []).append(e)
    for f in facts:
        if f["table_key"] != "narrative":
            snap.cells.setdefault(f["report_id"], {})[(f["table_key"], f["row_key"], f["column_key"])] = f
    counts = defaultdict(int)
    for r in snap.reports:
        counts[r["agency"]] += 1
    snap.matcher = AgencyMatcher(dict(counts))
    for name in counts:
        for place in split_name(name)[0]:
            snap.places.add(place)
            snap.places.add(place[:-1] if len(place) > 2 else place)
    seg.add_words(w for w in snap.matcher.vocabulary() if len(w) >= 3)
    snap.chunks = store.chunks()
    for c in snap.chunks:
        snap.chunks_by_report.setdefault(c["report_id"], []).append(c)
    docs = [compact(c["text"]) for c in snap.chunks] + [e.own for es in snap.narrative.values() for e in es]
    # Template wording lives in the tables, which are not chunked: count it once per row and column.
    docs += sorted({part for e in _TEMPLATE.values() for part in (e.own, e.column, e.group) if part})
    # What figures are called, in the template and in the reports' prose: a verb that names one
    # (公布, 发布) is a term, any other verb only how the question is asked.
    wording = TEMPLATE_WORDING + "|" + "|".join(sorted({e.own for es in snap.narrative.values() for e in es}))
    snap.scorer = Scorer(seg, docs, wording)
    snap.retriever = HybridRetriever(snap.chunks, seg, vector_index, rrf_k)
    if vector_index is not None and hasattr(vector_index, "embeddings"):
        snap.dense = DenseMatcher(lambda: vector_index.embeddings)
    return snap
