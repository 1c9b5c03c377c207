"""Numeric questions: choose the figure asked for and read it from the fact store.

The figure is chosen once over every agency-year the question covers (so a
trend reads the same template cell each year); a figure stated only in prose
is chosen per report, since each report words it differently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dense_match import TIE, settle
from .metrics import DEFAULT_COLUMN, DEFAULT_ROW, SECONDARY_DEFAULT_COLUMN, Entry, Match
from .snapshot import Snapshot

# A noun that names a quantity of something (访问量, 粉丝数, 点击率, 成交额).
_MEASURE_NOUN = re.compile("..(?:量|数|率|额)$")
# How much of the question a figure's description must explain to be taken as the answer.
MIN_COVERAGE = 0.5
# In a comparison, a template cell this close to the best prose figure is preferred.
CELL_MARGIN = 0.8
# How close to the first-ranked figure another must score to be taken when the first explains too little.
NEAR_TOP = 0.8


@dataclass
class Choice:
    match: Match
    text: str                    # the question words it was chosen from
    runner_up: Match | None = None   # as likely a reading, named to the user rather than hidden

    @property
    def entry(self) -> Entry:
        return self.match.entry

    @property
    def key(self) -> tuple[str, str, str]:
        e = self.match.entry
        return (e.table_key, e.row_key, e.column_key)


@dataclass
class Figure:
    agency: str
    year: int
    fact: dict
    report: dict
    alternatives: list[dict] = field(default_factory=list)   # other reports of that agency-year


def scope_reports(snap: Snapshot, scope: list[tuple[str, int]]) -> list[int]:
    ids = []
    for agency, year in scope:
        ids += [r["id"] for r in snap.reports_for(agency, year)]
    return ids


def acceptable(snap: Snapshot, m: Match, text: str) -> bool:
    if m.coverage < MIN_COVERAGE:
        return False
    if m.entry.kind == "narrative":
        # A prose figure must also explain the question's rarest word (粉丝, 访问量 …).
        words = snap.scorer.words(text)
        known = [w for w in words if snap.scorer._df(w) > 0]
        if known:
            focus = max(known, key=snap.scorer.weight)
            if focus not in m.used:
                return False
        # A measure no report uses (访问量, 阅读数 where reports say only 发布…条) names what is counted:
        # a sentence that does not say it counts something else.
        if any(w not in m.used and snap.scorer._df(w) == 0 and _MEASURE_NOUN.search(w) for w in words):
            return False
    elif any(w in text for w in m.entry.not_for):
        return False  # 信息处理费 is reported in section 六, not as 行政事业性收费
    else:
        # Only the table's own words (申请) matched, none of them a label of the row, and the
        # question says more (申请被驳回): the table's usual figure would answer something else.
        words = snap.scorer.words(text)
        labels = set("|".join((m.entry.own, m.entry.group, m.entry.column)).split("|"))
        if m.used and all(w in m.entry.table and w not in labels for w in m.used) and set(words) - m.used:
            return False
    return True


def rank(snap: Snapshot, report_ids: list[int], text: str, unit: str | None) -> list[Match]:
    entries = snap.cell_entries(report_ids) + snap.narrative_entries(report_ids)
    return snap.scorer.rank(text, entries, unit)


def first_acceptable(snap: Snapshot, ranked: list[Match], text: str) -> Match | None:
    """The best-ranked figure that explains enough of the question, among those ranked close to the
    first: a rank can trail a little for a long label (…PPP项目…等信息) that still explains the most."""
    for m in ranked:
        if m.score < NEAR_TOP * ranked[0].score:
            break
        if acceptable(snap, m, text):
            return m
    return None


def choose(snap: Snapshot, scope: list[tuple[str, int]], text: str, unit: str | None) -> Choice | None:
    ranked = rank(snap, scope_reports(snap, scope), text, unit)
    top = first_acceptable(snap, ranked, text) if ranked else None
    if top is None:
        return None
    if top.entry.kind == "narrative" and len(scope) > 1:
        # Several reports: a template cell every report has beats a sentence only one report wrote.
        cell = next((m for m in ranked if m.entry.kind == "cell"), None)
        if cell is not None and cell.score >= CELL_MARGIN * top.score and acceptable(snap, cell, text):
            return Choice(cell, text)
    # Prose figures the words cannot tell apart: their meaning decides, and a reading as likely is
    # named. Template cells keep the lexical order, which knows each table's usual row and column.
    tied = [top] + [m for m in ranked if m is not top and top.entry.kind == m.entry.kind == "narrative"
                    and m.score >= TIE * top.score and acceptable(snap, m, text)]
    best, runner = settle(getattr(snap, "dense", None), text, tied)
    return Choice(best, text, runner)


def column_only(choice: Choice) -> bool:
    """True when only a column was named (其中自然人呢): the row comes from the earlier turn.

    A word every row of the table carries (申请 in 其中公司申请的呢) names the table, not a row;
    the row's own label or alias (行政复议) names the row even where the table's title repeats it."""
    e = choice.entry
    own = set(e.own.split("|"))
    return e.kind == "cell" and DEFAULT_ROW.get(e.table_key) == e.row_key and \
        not any(w in own or (w in e.own and w not in e.table) for w in choice.match.used)


def narrows(previous: Choice, key: tuple[str, str, str]) -> bool:
    """Whether ``key`` is a column of the row ``previous`` read in its usual column (the row's total):
    the later part says which of the row's figures the earlier part's topic means."""
    t, r, c = previous.key
    return (t, r) == key[:2] and c == DEFAULT_COLUMN.get(t) and key[2] != c


def with_column(previous: Choice, column_choice: Choice) -> tuple[str, str, str] | None:
    t, r, _ = previous.key
    ct, _, c = column_choice.key
    return (t, r, c) if ct == t else None


def cell_keys(key: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """The cell asked for, then the table's second usual column when the first is the usual one."""
    keys = [key]
    t, r, c = key
    if c == DEFAULT_COLUMN.get(t) and SECONDARY_DEFAULT_COLUMN.get(t) not in (None, c):
        keys.append((t, r, SECONDARY_DEFAULT_COLUMN[t]))
    return keys


def read_cell(snap: Snapshot, agency: str, year: int, key: tuple[str, str, str], found=None) -> Figure | None:
    """``found``: the scope's cells read at once (Snapshot.cells_for); else this report's are read."""
    reps = snap.reports_for(agency, year)
    keys = cell_keys(key)
    if found is None:
        found = snap.cells_for([r["id"] for r in reps], keys)
    for k in keys:
        for rep in reps:
            f = found.get((rep["id"], k))
            if f is not None:
                return Figure(agency, year, f, rep, [x for x in reps if x is not rep])
    return None


def read_narrative(snap: Snapshot, agency: str, year: int, text: str, unit: str | None) -> Figure | None:
    reps = snap.reports_for(agency, year)
    entries = snap.narrative_entries([r["id"] for r in reps])
    ranked = snap.scorer.rank(text, entries, unit)
    best = first_acceptable(snap, ranked, text) if ranked else None
    if best is not None:
        f = best.entry.fact
        rep = snap.by_id[f["report_id"]]
        return Figure(agency, year, f, rep, [x for x in reps if x is not rep])
    return None


def figures(snap: Snapshot, scope: list[tuple[str, int]], choice: Choice, key=None, unit=None) -> list[Figure]:
    out, found = [], None
    if choice.entry.kind == "cell" or key is not None:
        found = snap.cells_for(scope_reports(snap, scope), cell_keys(key or choice.key))
    for agency, year in scope:
        if found is not None:
            fig = read_cell(snap, agency, year, key or choice.key, found)
        elif len(scope) == 1:
            f = choice.entry.fact
            rep = snap.by_id[f["report_id"]]
            fig = Figure(agency, year, f, rep, [x for x in snap.reports_for(agency, year) if x is not rep])
        else:
            fig = read_narrative(snap, agency, year, choice.text, unit)
        if fig is not None:
            out.append(fig)
    return out
