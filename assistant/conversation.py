"""Follow-up questions: what the earlier turns fixed, changed only where the new turn says.

No session is kept on the server: the state is re-derived from the history the
client sends ([{"role": "user"|"assistant", "content": ...}]), user turns first;
an assistant turn only supplies an agency or year the user turns never named.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .understanding import Turn, understand
from .years import YearMention


@dataclass
class State:
    question: str
    turn: Turn
    agencies: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    years: YearMention = field(default_factory=YearMention)
    metric_text: str = ""
    rest: str = ""                     # what is asked about, as the user typed it
    earlier_metric_text: str = ""      # the metric of the turn before, for 其中… / 那…呢
    numeric: bool = False
    unit: str | None = None
    op: str | None = None
    inherited_metric: bool = False
    follow_up: bool = False
    audit: bool = False


def _content(snap, text: str) -> bool:
    return bool(snap.scorer.words(text))


def merge(state: State | None, turn: Turn, snap) -> State:
    new = State(question=turn.question, turn=turn)
    has_metric = _content(snap, turn.metric_text)
    if state is None:
        new.agencies = turn.agency_names
        new.unknown = turn.unknown
        new.years = turn.years
        new.metric_text = turn.metric_text
        new.rest = turn.rest
        new.numeric = turn.numeric
        new.unit, new.op = turn.unit, turn.op
        new.ambiguous = {m.agency: m.alternatives for m in turn.agencies if m.alternatives}
        new.audit = turn.audit
        return new
    new.follow_up = True
    new.agencies = turn.agency_names or ([] if turn.every_agency else state.agencies)
    new.ambiguous = {m.agency: m.alternatives for m in turn.agencies if m.alternatives} \
        if turn.agencies or turn.every_agency else state.ambiguous
    new.unknown = turn.unknown if (turn.agencies or turn.unknown) else state.unknown
    new.years = turn.years if turn.years.named else state.years
    if turn.years.step and state.years.years:
        new.years = YearMention(years=[y + turn.years.step for y in state.years.years])
    new.op = turn.op or (state.op if not has_metric else None)
    new.rest = turn.rest if has_metric else state.rest
    if has_metric:
        new.metric_text = turn.metric_text
        new.earlier_metric_text = state.metric_text
        new.unit = turn.unit
    else:
        new.metric_text = state.metric_text
        new.earlier_metric_text = state.earlier_metric_text
        new.unit = turn.unit or state.unit
        new.inherited_metric = True
    # 那2023年呢？ after 有没有前后矛盾 asks the same of another year; a new figure or topic ends it.
    new.audit = turn.audit or (state.audit and not has_metric and not turn.numeric and not turn.narrative)
    if turn.numeric:
        new.numeric = True
    elif turn.narrative:
        new.numeric = False
    else:
        # 行政诉讼呢？ asks the same kind of question as the turn before.
        new.numeric = state.numeric
    return new


def resolve(question: str, history: list[dict] | None, snap) -> State:
    state: State | None = None
    assistant_turns: list[Turn] = []
    for msg in history or []:
        content = (msg or {}).get("content") or ""
        if not isinstance(content, str) or not content.strip():
            continue
        if msg.get("role") == "user":
            state = merge(state, understand(content, snap.matcher, snap.places), snap)
        elif msg.get("role") == "assistant":
            assistant_turns.append(understand(content, snap.matcher, snap.places))
    state = merge(state, understand(question, snap.matcher, snap.places), snap)
    if state.follow_up and not state.agencies and not state.turn.every_agency:
        for t in reversed(assistant_turns):
            if t.agency_names:
                state.agencies = t.agency_names[:1]
                break
    if state.follow_up and not state.years.named:
        for t in reversed(assistant_turns):
            if t.years.years:
                state.years = YearMention(years=t.years.years[:1])
                break
    return state
