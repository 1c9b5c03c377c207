"""Which stored agency a question means, from the full name or the short forms people type.

Short forms are derived from each stored name, never listed by hand: the name is
split into its places and its organisation (淮安市 | 洪泽区 | 人民政府), the
abbreviations in synonyms.AGENCY_ABBREVIATIONS are applied in every combination,
upper places may be dropped and a place may lose its level (洪泽区 → 洪泽).
Mentions no form covers are matched as character subsequences of a form
(上海市府办, 平潭地税局), penalised by the characters skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .synonyms import AGENCY_ABBREVIATIONS, NOT_PLACES, ORG_SUFFIXES, PLACE_LEVELS

_PLACE = re.compile("(.+?(?:" + "|".join(PLACE_LEVELS) + "))")
_LEVEL_END = re.compile("(?:" + "|".join(PLACE_LEVELS) + ")$")
# Weight of a name's place said alone (洪泽区 for 淮安市洪泽区人民政府): a vaguer mention.
PLACE_WEIGHT = 0.6
_ORG_END = re.compile("(?:" + "|".join(ORG_SUFFIXES) + r"|[^市县区省]{1,12}?(?:局|厅|委|署|院|中心|办))$")


@dataclass
class AgencyMatch:
    agency: str
    start: int
    end: int
    score: float
    alternatives: list[str] = field(default_factory=list)  # equally good other agencies
    place_only: bool = False    # matched by its place alone (沭阳县 for 沭阳县发展和改革局)


def split_name(name: str) -> tuple[list[str], str]:
    """淮安市洪泽区人民政府 → (["淮安市", "洪泽区"], "人民政府")."""
    org = ""
    m = _ORG_END.search(name)
    if m and m.start() > 0:
        org, rest = m.group(0), name[:m.start()]
    else:
        rest = name
    places, pos = [], 0
    for pm in _PLACE.finditer(rest):
        if pm.start() != pos:
            break
        places.append(pm.group(1))
        pos = pm.end()
    if pos < len(rest):
        # Whatever does not parse as places stays with the organisation.
        org = rest[pos:] + org
    return places, org


def _abbreviations(text: str) -> set[str]:
    """Every combination of the abbreviations that apply to ``text``."""
    forms = {text}
    for _ in range(3):
        for full, short in AGENCY_ABBREVIATIONS:
            forms |= {f.replace(full, short) for f in forms if full in f and full != short}
    return forms


def _place_forms(place: str) -> set[str]:
    forms = _abbreviations(place)
    core = _LEVEL_END.sub("", place)
    if len(core) >= 2:
        forms.add(core)
    return forms


def name_forms(name: str) -> dict[str, float]:
    """Short forms of ``name`` with a weight: 1 = says as much as the name, less = vaguer."""
    places, org = split_name(name)
    forms: dict[str, float] = {}

    def add(form: str, weight: float):
        if len(form) >= 2 and forms.get(form, -1) < weight:
            forms[form] = weight

    org_forms = _abbreviations(org) if org else {""}
    for i in range(len(places)):
        # The agency's own place, with or without the places above it.
        kept = places[i:]
        variants = {""}
        for p in kept:
            variants = {v + f for v in variants for f in _place_forms(p)}
        for v in variants:
            for o in org_forms:
                add(v + o, 1.0 if i == 0 else 0.95)
            if org:
                # The place alone: a vaguer mention of this agency.
                add(v, PLACE_WEIGHT)
    for o in org_forms:
        generic = o in {"人民政府", "政府", "办公厅", "办公室", "办", "府办", "局"} or len(o) < 2
        if o and not generic:
            add(o, 0.5)
    add(name, 1.05)
    return forms


def _subsequence_gaps(mention: str, form: str) -> int | None:
    """Characters of ``form`` skipped when reading ``mention`` in it (None if it is not inside)."""
    best = None
    for start in [i for i, c in enumerate(form) if c == mention[0]]:
        pos, gaps, ok = start, 0, True
        for c in mention[1:]:
            nxt = form.find(c, pos + 1)
            if nxt < 0:
                ok = False
                break
            gaps += nxt - pos - 1
            pos = nxt
        if ok and (best is None or gaps < best):
            best = gaps
    return best


class AgencyMatcher:
    def __init__(self, agencies: dict[str, int]):
        """``agencies``: stored agency name → number of stored reports (the tie-breaker)."""
        self.counts = dict(agencies)
        self.forms: dict[str, list[tuple[str, float]]] = {}
        self.place_starts: dict[str, set[str]] = {}
        for name in agencies:
            for form, weight in name_forms(name).items():
                self.forms.setdefault(form, []).append((name, weight))
            places, _ = split_name(name)
            for p in places:
                self.place_starts.setdefault(p[:2], set()).add(name)
        self._by_len = sorted(self.forms, key=len, reverse=True)

    def vocabulary(self) -> set[str]:
        return set(self.forms)

    def _rank(self, name: str) -> tuple:
        return (-self.counts.get(name, 0), len(name), name)

    def find(self, text: str) -> list[AgencyMatch]:
        """Non-overlapping agency mentions in ``text`` (compacted), in order of position."""
        cands: list[tuple[float, int, int, str, bool]] = []
        for form in self._by_len:
            start = text.find(form)
            while start >= 0:
                for name, weight in self.forms[form]:
                    cands.append((len(form) * weight, start, start + len(form), name, weight == PLACE_WEIGHT))
                start = text.find(form, start + 1)
        cands.extend(c + (False,) for c in self._subsequence_candidates(text))
        cands.sort(key=lambda c: (-c[0], -(c[2] - c[1]), self._rank(c[3])))
        chosen: list[AgencyMatch] = []
        for score, s, e, name, place_only in cands:
            clash = next((m for m in chosen if s < m.end and m.start < e), None)
            if clash is None:
                chosen.append(AgencyMatch(name, s, e, score, place_only=place_only))
            elif (clash.start, clash.end) == (s, e) and abs(clash.score - score) < 1e-9 and name != clash.agency:
                clash.alternatives.append(name)
        return sorted(chosen, key=lambda m: m.start)

    def _subsequence_candidates(self, text: str):
        out = []
        for i in range(len(text) - 1):
            names = self.place_starts.get(text[i:i + 2])
            if not names:
                continue
            for name in names:
                for form, weight in name_forms(name).items():
                    if weight < 0.9:
                        continue
                    best = None
                    for j in range(len(text), i + 2, -1):
                        gaps = _subsequence_gaps(text[i:j], form)
                        if gaps is not None:
                            best = (j, gaps)
                            break
                    # A mention read inside a form must reach its end (…府, …局, …办): "淮安市"
                    # alone is the place, not 淮安市洪泽区人民政府.
                    if best and text[best[0] - 1] == form[-1]:
                        j, gaps = best
                        out.append(((j - i) * weight - 0.5 * gaps - 0.5, i, j, name))
        return out


_OFFICE = re.compile("办公室|办公厅|办(?!理|结|件|法)")
# An organisation named right after a place (沭阳县|人民政府, 淮安市|人社局).
_ORG_AFTER = re.compile("(?![的和与及、在向对年])(?:(?:人民)?政府|[\u4e00-\u9fa5]{1,8}?(?:局|厅|委员会|委|办公室|办))")


def other_bodies(text: str, matches: list[AgencyMatch]) -> tuple[list[AgencyMatch], list[str]]:
    """Split off place-only matches that go on to name another body of that place.

    沭阳县人民政府 is not 沭阳县发展和改革局 although both are in 沭阳县: a place read as a
    vague mention of the stored agency stops being one when an organisation other than the
    agency's own follows it. An organisation that begins the agency's own (上海市人民政府 for
    上海市人民政府办公厅) still means it."""
    other, spans = [], []
    for m in matches:
        org = _ORG_AFTER.match(text, m.end) if m.place_only else None
        if org and not any(f.startswith(org.group(0)) for f in _abbreviations(split_name(m.agency)[1])):
            other.append(text[m.start:org.end()])
            spans.append((m.start, org.end()))
    # The organisation's own words (人社局 in 淮安市人社局) do not name a stored agency either.
    kept = [m for m in matches if not any(s <= m.start and m.end <= e for s, e in spans)]
    for m in kept:
        # 淮安市人民政府办公室 compiles and publishes the government's report: it means the government.
        office = _OFFICE.match(text, m.end)
        if office and split_name(m.agency)[1].endswith("政府"):
            m.end = office.end()
    return kept, other


_UNKNOWN = re.compile("([\u4e00-\u9fa5]{2,4}?(?:省|市|县|区))((?:人民)?政府|[\u4e00-\u9fa5]{0,8}?(?:局|厅|委|办公室|办))?")


def unknown_agencies(text: str, known: list[AgencyMatch], places: set[str]) -> list[str]:
    """Agency-like names (苏州市人民政府) that are not a stored agency."""
    out = []
    for m in _UNKNOWN.finditer(text):
        if any(m.start() < k.end and k.start < m.end() for k in known):
            continue
        place = m.group(1).lstrip("年的和与及在向对、")
        core = _LEVEL_END.sub("", place)
        # 年淮安市: any tail of the match that is a stored place makes it a known one.
        if place in NOT_PLACES or len(core) < 2 or any(core[i:] in places for i in range(len(core) - 1)):
            continue
        if not m.group(2) and place[-1] == "区":
            continue  # 全区/城区 style words are not agencies without an organisation
        out.append(place + (m.group(2) or ""))
    return out


def unstored_places(text: str, known: list[AgencyMatch],
                    places: set[str]) -> tuple[list[AgencyMatch], list[str], list[tuple[int, int]]]:
    """Place names (jieba's ``ns`` tag: 北京, 南京市, 沭阳) that belong to no stored agency.

    Such a place followed by an organisation the matcher read as a stored agency's short form
    (南京市|人社局) names that place's body, not the stored agency: the match is dropped. A
    question whose only place is unknown (北京2023年行政许可) is about an agency not stored.
    A place beside a known one (福建平潭) is a wider region: its span is returned so the
    question's other words can be read without it.
    """
    import jieba.posseg

    def stored(word: str) -> bool:
        core = _LEVEL_END.sub("", word)
        return (word in NOT_PLACES or len(core) < 2 or word in places or core in places
                or any(core in p for p in places))

    unknown, dropped, regions, pos = [], set(), [], 0
    for tok in jieba.posseg.lcut(text):
        start = text.find(tok.word, pos)
        pos = start + len(tok.word)
        if not tok.flag.startswith("ns") or stored(tok.word):
            continue
        if any(k.start <= start and pos <= k.end for k in known):
            continue
        body = next((k for k in known if k.start == pos
                     and not any(p in text[k.start:k.end] for p in places if len(p) >= 2)), None)
        if body is not None:
            dropped.add(id(body))
            unknown.append(text[start:body.end])
        elif not known:
            org = _ORG_AFTER.match(text, pos)
            unknown.append(text[start:org.end()] if org else tok.word)
        elif any(k.start == pos for k in known):
            regions.append((start, pos))  # 福建|平潭: only right before the place it contains
    kept = [k for k in known if id(k) not in dropped]
    return kept, unknown, regions if kept else []
