"""The Assistant: one object the CLI and the web app ask questions of.

It opens the fact store and the vector index read-only, loads a snapshot of
them into memory, and answers from that snapshot. ``reload`` swaps in a fresh
snapshot after an ingestion; a request already running keeps the old one.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import threading

from . import answer as A
from . import audit_answer
from . import ranking
from . import facts_route as FR
from .agencies import agencies_at
from .conversation import State, resolve
from .understanding import asks_figure
from .retrieval import Passage, best_sentences
from .snapshot import Snapshot, all_cells, build
from .years import resolve as resolve_years
from ingest import template as T

log = logging.getLogger(__name__)


def _open_stores(config):
    store = _open_fact_store(config)
    if store is None:
        return None, None
    index = None
    try:
        from ingest.vector_index import VectorIndex
        index = VectorIndex(config, readonly=True)
    except Exception as exc:  # no index yet, or chromadb missing: BM25 alone still answers
        log.warning("vector index unavailable (%s); narrative answers use BM25 only", exc)
    return store, index


def _open_fact_store(config):
    from ingest.factstore import FactStore
    try:
        return FactStore.for_config(config, readonly=True)
    except FileNotFoundError:
        return None


# Where a question asks for more than one figure: 和/与/及 between terms, or a comma between clauses.
_PARTS = re.compile(r"[，,、；;]|(?<=[\u4e00-\u9fff])(?:和|与|及|以及)(?=[\u4e00-\u9fff])")
_SENTENCE_END = re.compile(r"[？?。！!]+")
# …申请里，自然人提的有几件: the clause after narrows the one before, it asks for no second figure.
_NARROWS = re.compile(r"(?:里|中|内|里面|当中|之中)$")


def _parts(text: str, seg) -> list[str]:
    parts, start, words = [], 0, None
    for m in _PARTS.finditer(text):
        if m.group(0)[0] in "和与及以":
            # 及 in 涉及, 和 in 和解: a character of a word is no conjunction.
            words = seg.spans(text) if words is None else words
            if (m.start(), m.end()) not in words:
                continue
        before, after = text[start:m.start()], text[m.end():]
        if _NARROWS.search(before.rstrip()) or after.lstrip().startswith("其中"):
            return [text]
        parts.append(before)
        start = m.end()
    return parts + [text[start:]]


def _findings(snap, fig) -> list[dict]:
    """The reviewers' findings stored for this figure's report (one indexed query)."""
    if snap.store is None or fig.report.get("id") is None:
        return []
    try:
        return snap.store.findings(report_id=fig.report["id"])
    except Exception:  # a store from before findings: answers go on without them
        return []


def _warnings(snap, figs) -> list[str]:
    """The checks the reports' tables failed and the reviewers' findings that bear on these figures,
    one line per report."""
    out = []
    for fig in figs:
        related = A.relevant_warnings(fig.report, fig.fact)
        related += [m for m in A.relevant_findings(_findings(snap, fig), fig.fact) if m not in related]
        if related:
            out.append(f"《{fig.report['file_name']}》：" + "；".join(related))
    return out


class Assistant:
    def __init__(self, config, vector_index=None, llm=None):
        self.config = config
        self._lock = threading.Lock()
        self._llm = llm
        self._vector_override = vector_index
        self._store = None
        self._version = None
        self._snap: Snapshot = Snapshot()
        self.reload()

    # --- stores -------------------------------------------------------------
    def reload(self) -> None:
        """Re-read both stores (after an ingestion); answers in flight finish on the old snapshot."""
        with self._lock:
            store, index = _open_stores(self.config)
            if self._vector_override is not None:
                index = self._vector_override
            # Read before the snapshot: a write landing during the build makes the next check reload again.
            version = store.version() if store is not None else None
            snap = build(store, index, int(self.config.rrf_k), int(self.config.report_cache),
                         int(self.config.lexical_max_chunks))
            old = self._store
            self._store, self._version = store, version
            self._snap = snap
            if old is not None:
                try:
                    old.close()
                except Exception:
                    pass

    def stale(self) -> bool:
        """Whether some writer (a CLI ingest, another worker) changed the stores since the last read."""
        with self._lock:
            if self._store is None:
                store = _open_fact_store(self.config)
                if store is None:
                    return False
                store.close()
                return True
            return self._store.version() != self._version

    def refresh(self) -> bool:
        """Reload when the stores changed; True if it did. Cheap enough to call every few seconds."""
        if self.stale():
            self.reload()
            return True
        return False

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def warm(self) -> None:
        """Load the embedding model and run every answering path once, at start-up, so the first
        citizen's question is answered at full speed (loading the model takes seconds)."""
        if not self._snap.empty:
            self.ask("信息公开工作年度报告的总体情况")

    # --- browsing -----------------------------------------------------------
    def reports(self, candidates: bool = False) -> list[dict]:
        """The stored reports; ``candidates``: with what each report's agency and year were read from
        (read from the store: the catalogue kept in memory leaves them out)."""
        rows = [dict(r) for r in self._snap.reports]
        if candidates and self._store is not None:
            with self._lock:
                read = {r["id"]: r["metadata_candidates"] for r in self._store.reports()}
            for r in rows:
                r["metadata_candidates"] = read.get(r["id"], [])
        return rows

    def report(self, report_id: int) -> dict | None:
        snap = self._snap
        if report_id not in snap.by_id or self._store is None:
            return None
        with self._lock:
            rep = self._store.report(report_id)
            if rep is None:
                return None
            rep["chunks"] = self._store.chunks(report_id)
            rep["facts"] = [A.fact_dict(f, rep) for f in self._store.facts(report_id=report_id)]
        return rep

    def facts(self, agency=None, year=None, row=None, column=None, table=None) -> list[dict]:
        if self._store is None:
            return []
        with self._lock:
            rows = self._store.facts(agency=agency, year=int(year) if year else None)
        out = []
        for f in rows:
            if table and table not in (f["table_key"], f["table_label"]):
                continue
            if row and row not in (f["row_key"], f["row_label"]):
                continue
            if column and column not in (f["column_key"], f["column_label"]):
                continue
            out.append(A.fact_dict(f, self._snap.by_id.get(f["report_id"])))
        return out

    def findings(self, agency: str | None = None, year: int | None = None, severity: str | None = None,
                 kind: str | None = None, report_id: int | None = None,
                 finding_id: int | None = None) -> list[dict]:
        """Reviewers' findings (ingest.audit), most severe first within each report. ``agency`` may be
        part of a stored name (平潭 finds 平潭综合实验区)."""
        if self._store is None:
            return []
        with self._lock:
            rows = self._store.findings(year=int(year) if year else None, severity=severity, kind=kind,
                                        report_id=report_id, finding_id=finding_id)
        if agency:
            exact = [r for r in rows if r["agency"] == agency]
            rows = exact or [r for r in rows if agency in r["agency"]]
        return rows

    def metrics(self) -> list[dict]:
        if self._store is None:
            return []
        with self._lock:
            rows = self._store.cell_labels()
        metrics = [{"table_key": m["table_key"], "row_key": m["row_key"], "column_key": m["column_key"],
                    "table": m["table_label"], "row": m["row_label"], "row_group": m["row_group"],
                    "column": m["column_label"], "unit": m["unit"]} for m in rows]  # one row per cell already
        order = ["item1", "item5", "item6", "item8", "item9", "applications", "review"]
        return sorted(metrics, key=lambda m: (order.index(m["table_key"]) if m["table_key"] in order else 99,
                                              m["row_key"], m["column_key"]))

    def agencies(self) -> list[str]:
        return self._snap.agencies

    def years(self, agency: str | None = None) -> list[int]:
        snap = self._snap
        if agency:
            return list(snap.years_of.get(agency, []))
        return sorted({y for ys in snap.years_of.values() for y in ys})

    # --- answering ----------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None) -> dict:
        snap = self._snap
        question = (question or "").strip()
        limit = int(self.config.max_question_chars)
        if not question:
            return A.empty_answer(question, "none", "请输入问题。")
        if len(question) > limit:
            return A.empty_answer(question, "none", f"问题太长（超过{limit}字），请精简后再问。")
        if snap.empty:
            return A.empty_answer(question, "none", "目前还没有导入任何年度报告（no reports yet），暂时无法回答。")
        state = resolve(question, history, snap)
        result = self._answer(snap, state)
        if self._llm is not None or self.config.llm_enabled:
            from .llm import rephrase
            result = rephrase(self.config, result, self._llm)
        return result

    def _answer(self, snap: Snapshot, st: State) -> dict:
        if st.unknown and not st.agencies:
            return self._none(snap, st, self._unknown_text(snap, st.unknown))
        agencies = []
        for a in st.agencies or []:
            # A short form several agencies share (人社局): each of them, said so, never one picked.
            agencies += [x for x in [a] + st.ambiguous.get(a, []) if x not in agencies]
        result = self._answer_for(snap, st, agencies)
        tied = [[a] + st.ambiguous[a] for a in st.agencies or [] if st.ambiguous.get(a)]
        if tied:
            lead = "；".join("、".join(group) for group in tied)
            result["answer"] = f"问题中的机关简称可能指多个机关（{lead}），以下分别列出，请核对是否为您要问的机关。" \
                + result["answer"]
            result["candidates"] = [a for group in tied for a in group]
        return result

    def _answer_for(self, snap: Snapshot, st: State, agencies: list[str]) -> dict:
        if st.audit:
            return self._audit(snap, st, agencies)
        scope, missing = self._scope(snap, st, agencies)
        if not scope:
            return self._none(snap, st, self._missing_text(snap, st, agencies, missing))
        if st.numeric:
            res = self._several(snap, st, scope, missing) or self._numeric(snap, st, scope, missing)
            if res is not None:
                return res
            return self._fallback(snap, st, scope)
        if not st.turn.narrative:
            # 有没有被起诉？ is answered by the table's count when the template has one; so is a
            # question that only names a figure (平潭2025年度新收申请).
            res = self._numeric(snap, st, scope, missing, cells_only=st.turn.yes_no)
            if res is not None:
                return res
        return self._narrative(snap, st, scope)

    def _unknown_text(self, snap, unknown: list[str]) -> str:
        text = f"报告库中没有{'、'.join(unknown)}的年度报告。"
        nearby = []
        for name in unknown:
            nearby += [a for a in agencies_at(name, snap.agencies) if a not in nearby]
        if nearby:
            # Same place, other bodies: name them, but never answer from them unasked.
            return text + f"同一地区现有以下机关的报告：{'、'.join(nearby)}。如需查询，请写明机关名称。"
        return text + f"现有机关：{'、'.join(snap.agencies)}。"

    def _scope(self, snap, st: State, agencies: list[str]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        scope, missing = [], []
        for agency in (agencies or snap.agencies):
            stored = snap.years_of.get(agency, [])
            years = resolve_years(st.years, stored)
            if not st.years.named:
                # No year: every year of a named agency (a trend); otherwise each agency's newest report.
                years = stored if agencies else stored[-1:]
            elif st.op == "change" and len(years) == 1:
                if not agencies and years[0] not in stored:
                    continue  # 各部门2024年比上年: only agencies with a report of the year asked
                # 同比: the year asked and the stored year before it.
                earlier = [y for y in stored if y < years[0]]
                years = earlier[-1:] + years
            for y in years:
                (scope if snap.reports_for(agency, y) else missing).append((agency, y))
        if not agencies:
            missing = []  # without a named agency, absent agency-years are not worth listing
        return scope, missing

    def _missing_text(self, snap, st: State, agencies, missing) -> str:
        parts = []
        for agency in agencies:
            ys = [y for a, y in missing if a == agency]
            have = snap.years_of.get(agency, [])
            parts.append(f"报告中没有提到{agency}{'、'.join(map(str, ys))}年的情况：报告库中没有该年度的报告"
                         f"（现有{agency}的报告年份：{'、'.join(map(str, have)) or '无'}）。")
        if not agencies:
            ys = "、".join(map(str, st.years.years))
            parts.append(f"报告库中没有{ys}年的报告。")
        return "".join(parts)

    # audit --------------------------------------------------------------------
    def _audit(self, snap, st: State, agencies: list[str]) -> dict:
        """Every report of the agencies and years asked (all of them when none is named), with its findings."""
        reports, missing = [], []
        for agency in agencies or snap.agencies:
            stored = snap.years_of.get(agency, [])
            years = resolve_years(st.years, stored) if st.years.named else stored
            for y in years:
                found = snap.reports_for(agency, y)
                if found:
                    reports += found
                elif agencies:
                    missing.append((agency, y))
        if agencies and missing and not reports:
            return self._none(snap, st, self._missing_text(snap, st, agencies, missing))
        wanted = {r["id"] for r in reports}
        with self._lock:
            rows = self._store.findings() if self._store is not None else []
        found = [f for f in rows if f["report_id"] in wanted]
        result = audit_answer.answer(st.question, found, reports, bool(agencies))
        if missing:
            result["answer"] = self._missing_text(snap, st, agencies, missing) + result["answer"]
        return result

    # numeric ------------------------------------------------------------------
    def _several(self, snap, st: State, scope, missing) -> dict | None:
        """行政处罚和行政强制分别多少 / 维持了几件，纠正了几件: one figure per part, when each part
        names a table cell of its own; otherwise None and the question is read as one figure.
        A part that names only a column (纠正了几件) takes the row of the part before it."""
        if len(scope) != 1 or st.op:
            return None
        parts = [p for p in _parts(st.metric_text, snap.scorer.seg) if snap.scorer.words(p)]
        if not 2 <= len(parts) <= 4:
            return None
        chosen, keys, previous, used = [], set(), None, set()
        for part in parts:
            sub = dataclasses.replace(st, metric_text=part, follow_up=False, earlier_metric_text="")
            choice, _ = self._choose(snap, sub, scope)
            if choice is None or choice.entry.kind != "cell":
                return None
            used |= choice.match.used
            key = choice.key
            if previous is not None and FR.column_only(choice):
                key = FR.with_column(previous, choice)
            if previous is not None and key is not None and FR.narrows(previous, key) \
                    and not asks_figure(previous.text):
                # 因为信息公开被复议，结果是维持的有几件: the row said first, without asking for it, then
                # its column: one figure (行政复议有几件，维持了几件 asks two).
                return None
            if key is None or key in keys:
                return None
            keys.add(key)
            chosen.append((choice, key))
            if not FR.column_only(choice):
                previous = choice
        # 规范性文件，对外公开的一共有多少: one figure explains every word the parts' figures do, so the
        # parts are a topic and its question (行政处罚和行政强制: no one figure explains both).
        # Decided before any cell is read.
        whole = FR.choose(snap, scope, st.metric_text, st.unit)
        if whole is not None and whole.entry.kind == "cell":
            e = whole.entry
            # Words only the table's title explains (行政复议 in 行政复议、行政诉讼情况) name no cell.
            named = {w for w in whole.match.used if any(snap.scorer.found(w, x) for x in (e.own, e.group, e.column))}
            if used <= named:
                return None
        results = []
        for choice, key in chosen:
            figs = FR.figures(snap, scope, choice, key, st.unit)
            if len(figs) != 1:
                return None
            results.append(figs[0])
        # Each figure told as a single answer tells it, with its report's table warnings.
        out = A.empty_answer(st.question, "fact", "".join(
            A.single_fact_text(f) + A.warning_text(f.report, f.fact, _findings(snap, f)) for f in results))
        out["facts"] = [A.fact_dict(f.fact, f.report) for f in results]
        out["warnings"] = _warnings(snap, results)
        out["sources"] = self._fact_sources(snap, results)
        return out

    def _numeric(self, snap, st: State, scope, missing, cells_only: bool = False) -> dict | None:
        choice, key = self._choose(snap, st, scope)
        if choice is None or (cells_only and choice.entry.kind != "cell"):
            return None
        figs = FR.figures(snap, scope, choice, key, st.unit)
        if not figs:
            return None
        agencies = sorted({f.agency for f in figs}, key=[a for a, _ in scope].index)
        result = A.empty_answer(st.question, "fact", "")
        result["facts"] = [A.fact_dict(f.fact, f.report) for f in figs]
        warn = result["warnings"] = _warnings(snap, figs)
        gone = [f"{a}{y}年" for a, y in missing]
        if st.agencies:
            gone += [f"{a}{y}年" for a, y in scope if not any(f.agency == a and f.year == y for f in figs)]
        if st.op == "change" and st.years.years:
            # The figure of the year asked comes first; the earlier year is there to compare with.
            asked = max(st.years.years)
            result["facts"].sort(key=lambda f: f["year"] != asked)
        if len(figs) == 1 and not gone and len(scope) == 1:
            text = A.single_fact_text(figs[0])
            other = self._runner_up(snap, scope, choice, figs[0], st.unit)
            if other is not None:
                result["facts"].append(A.fact_dict(other.fact, other.report))
                text += A.runner_up_text(other)
            if st.op == "change":
                text += f"报告库中没有{figs[0].agency}更早年度的报告，无法计算变化。"
            if st.op in ("rank", "max", "min") and not st.agencies:
                # A ranking of one is no ranking: say so rather than crown the only agency.
                text = (f"报告库中{figs[0].year}年只有{figs[0].agency}一个机关有这项数字，无法在机关之间比较。"
                        + text)
            w = A.warning_text(figs[0].report, figs[0].fact, _findings(snap, figs[0]))
            result["answer"] = text + (w if w else "")
        else:
            by = "year" if len(agencies) == 1 else "agency"
            if by == "agency" and len({f.year for f in figs}) > 1:
                by = "agency_year"
            compared = self._across_agencies(figs, by, st.op, gone) if len(agencies) > 1 else None
            if compared is not None:
                text, table = compared  # a ranking or a change per agency says what it compares
            else:
                if by == "agency_year":
                    text, table = A.series_text(figs, "agency", None, gone)
                    for row, fig in zip(table["rows"], figs):
                        row[0] = f"{fig.agency}{fig.year}年"
                else:
                    text, table = A.series_text(figs, by, st.op, gone)
                if st.op == "change" and by == "year" and len(figs) == 2 and figs[1].year - figs[0].year > 1:
                    text = (f"没有{figs[1].year - 1}年的报告，以下与上一份报告（{figs[0].year}年）比较：") + text
                if not st.agencies and len(agencies) > 1:
                    text = f"问题没有指明机关，以下列出{len(agencies)}个机关的数字：" + text
                elif not st.years.named and len(figs) > 1:
                    text = "问题没有指明年份，以下列出各年度的数字：" + text
            result["answer"] = text + ("" if not warn else "注意：报告表格的核对提示——" + "；".join(warn) + "。请以原文为准。")
            result["table"] = table
        result["sources"] = self._fact_sources(snap, figs)
        return result

    @staticmethod
    def _across_agencies(figs, by: str, op: str | None, gone: list[str]):
        """A ranking or each agency's change, when one figure is compared over several agencies."""
        if len({f.fact["unit"] for f in figs}) != 1:
            return None
        what = A.what(figs[0].fact)
        if op == "change" and by == "agency_year":
            return ranking.changes_text(figs, what, gone)
        if op in ("rank", "max", "min"):
            return ranking.ranking_text(figs, what, op, gone)
        return None

    def _runner_up(self, snap, scope, choice, shown, unit):
        """The figure of a reading as likely as the one answered, when it is another figure."""
        if choice.runner_up is None:
            return None
        figs = FR.figures(snap, scope, FR.Choice(choice.runner_up, choice.text), None, unit)
        if figs and (figs[0].fact["table_key"], figs[0].fact["row_key"], figs[0].fact["column_key"],
                     figs[0].fact["value"]) != (shown.fact["table_key"], shown.fact["row_key"],
                                                shown.fact["column_key"], shown.fact["value"]):
            return figs[0]
        return None

    def _choose(self, snap, st: State, scope):
        choice = FR.choose(snap, scope, st.metric_text, st.unit)
        if choice is None:
            # 有几个申请没给公开？就是被决定不予公开的那种: a sentence that restates or adds a detail
            # dilutes the one that asks; the asking sentence alone may name its figure.
            sentences = [x for x in _SENTENCE_END.split(st.metric_text) if snap.scorer.words(x)]
            if len(sentences) > 1:
                for sentence in sorted(sentences, key=lambda x: not asks_figure(x)):
                    choice = FR.choose(snap, scope, sentence, st.unit)
                    if choice is not None:
                        break
        if st.follow_up and st.earlier_metric_text and not st.inherited_metric:
            earlier = FR.choose(snap, scope, st.earlier_metric_text, st.unit)
            if choice is not None and earlier is not None and FR.column_only(choice) \
                    and earlier.entry.kind == "cell":
                key = FR.with_column(earlier, choice)
                if key is not None:
                    return earlier, key
            if choice is None:
                choice = FR.choose(snap, scope, st.earlier_metric_text + " " + st.metric_text, st.unit)
        return choice, None

    def _fact_sources(self, snap, figs) -> list[dict]:
        out = []
        for fig in figs[:5]:
            f = fig.fact
            chunk = None
            if f.get("char_start") is not None:
                for c in snap.chunks_of(f["report_id"]):
                    if c["char_start"] <= f["char_start"] < c["char_end"]:
                        chunk = c
                        break
            if chunk is None:
                out.append({"report": fig.report["file_name"], "report_id": fig.report["id"], "agency": fig.agency,
                            "year": fig.year, "section": f["table_label"] or "", "text": f["source_text"],
                            "score": 1.0, "char_start": f.get("char_start"), "char_end": f.get("char_end"),
                            "line": f.get("source_line"), "page": f.get("source_page"),
                            "highlight": [[0, len(f["source_text"])]] if f["source_text"] else []})
            else:
                src = A.source_dict(Passage(chunk, 1.0), snap.by_id, [])
                s, e = f["char_start"] - chunk["char_start"], (f["char_end"] or f["char_start"]) - chunk["char_start"]
                src["highlight"] = [[max(0, s), min(len(chunk["text"]), e)]] if e > s else []
                out.append(src)
        return out

    # narrative ----------------------------------------------------------------
    def _passages(self, snap, st: State, scope, k=None):
        agencies = sorted({a for a, _ in scope}) if st.agencies else None
        years = sorted({y for _, y in scope}) if st.years.named else None
        query = st.metric_text
        if not snap.scorer.words(query):
            query = st.turn.text
        return snap.retriever.search(query, k or int(self.config.retrieval_k), agencies, years, snap.prose_reports,
                                     weight=snap.scorer.weight)

    def _narrative(self, snap, st: State, scope) -> dict:
        passages = self._passages(snap, st, scope)
        if not passages:
            return self._none(snap, st, "报告中没有找到与这个问题相关的内容。")
        words = snap.retriever.query_words(st.metric_text)
        missing = snap.retriever.missing_topic(words, passages)
        missing = [w for w in missing if not any(w != o and w in o for o in missing)]
        if missing:
            # Quoting the nearest sentences would pass them off as an answer.
            subject = "、".join(sorted({a for a, _ in scope}))
            result = A.empty_answer(st.question, "none",
                                    f"报告中没有提到{subject}关于“{'、'.join(missing)}”的内容。最接近的段落见下方来源，供参考。")
            result["sources"] = [A.source_dict(p, snap.by_id) for p in passages]
            result["matched_words"] = words
            return result
        sentences = best_sentences(passages, words, snap.scorer.weight)
        result = A.empty_answer(st.question, "narrative", A.narrative_text(sentences, passages, snap.by_id))
        result["sources"] = [A.source_dict(p, snap.by_id) for p in passages]
        result["matched_words"] = words
        return result

    # none ---------------------------------------------------------------------
    def _fallback(self, snap, st: State, scope) -> dict:
        """A figure asked for that no fact holds: say so, and show the closest passages."""
        passages = self._passages(snap, st, scope, k=3)
        subject = "、".join(sorted({a for a, _ in scope})) if st.agencies else "现有报告"
        years = "、".join(str(y) for y in sorted({y for _, y in scope})) if st.years.named else ""
        what = st.rest.strip("？?。的") or "这个数字"
        text = f"报告中没有提到{subject}{years + '年' if years else ''}的相关统计数字（{what}）。"
        # The template cell the question reads as, whichever report edition has it or not.
        ranked = snap.scorer.rank(st.metric_text, all_cells(), st.unit)
        text += "".join(self._format_lacks(snap, st, scope, ranked))
        unreadable = self._unreadable(snap, st, scope, ranked)
        if unreadable:
            text += "该项在报告表格中的数字未能可靠读取，未入库：" + "；".join(unreadable) + "。"
        if passages:
            text += "最接近的内容见下方来源，供参考。"
        result = A.empty_answer(st.question, "none", text)
        result["warnings"] = unreadable
        result["sources"] = [A.source_dict(p, snap.by_id) for p in passages]
        return result

    def _format_lacks(self, snap, st: State, scope, ranked) -> list[str]:
        """The row asked for is one the report's template edition does not have (逾期不补正 is a 2021 row;
        a 2020 report counts it under 其他处理): say so, and name the row of its edition that holds it."""
        top = FR.first_acceptable(snap, ranked, st.metric_text) if ranked else None
        if top is None:
            return []
        table_key, row_key = top.entry.table_key, top.entry.row_key
        having = [f for f in T.FORMATS.values() if row_key in _row_keys(f, table_key)]
        out = []
        for agency, year in scope:
            reps = snap.reports_for(agency, year)
            fmt = T.FORMATS.get(reps[0].get("format")) if reps else None
            if not having or fmt is None or fmt in having or not _row_keys(fmt, table_key):
                continue
            row = having[0].table(table_key).row(row_key)
            text = (f"{agency}{year}年报告按{fmt.name}年版年度报告格式编写，该格式的表格没有「{row.label}」这一项"
                    f"（{'、'.join(f.name for f in having)}年版格式才单列）")
            holder = next((r for r in fmt.table(table_key).rows if r.label == row.group), None)
            out.append(text + (f"，这类申请计入「{holder.label}」一项。" if holder else "。"))
        return out

    def _unreadable(self, snap, st: State, scope, ranked) -> list[str]:
        """Template-check warnings that name the row asked about, when its figure was not stored."""
        if not ranked or ranked[0].coverage < FR.MIN_COVERAGE:
            return []
        labels = [p for p in ranked[0].entry.own.split("|") if len(p) >= 2]
        out = []
        for agency, year in scope:
            for rep in snap.reports_for(agency, year):
                for w in rep.get("warnings") or []:
                    if any(f"「{label}」" in w for label in labels):
                        out.append(f"《{rep['file_name']}》{w}")
        return out

    def _none(self, snap, st: State, text: str) -> dict:
        result = A.empty_answer(st.question, "none", text)
        closest = []
        for agency in st.agencies or []:
            for y in snap.years_of.get(agency, []):
                for r in snap.reports_for(agency, y)[:1]:
                    closest.append({"report": r["file_name"], "report_id": r["id"], "agency": agency, "year": y})
        result["closest_reports"] = closest
        return result


def _row_keys(fmt, table_key: str) -> set[str]:
    table = next((t for t in fmt.tables if t.key == table_key), None)
    return {r.key for r in table.rows} if table else set()
