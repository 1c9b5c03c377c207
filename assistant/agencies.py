"""Which stored agency a question means, from the full name or the short forms people type.

Short forms are derived from each stored name, never listed by hand: the name is
split into its places and its organisation (淮安市 | 洪泽区 | 人民政府), the
organisation is shortened by the rules of agency_forms (人社局, 住建局, 政府),
upper places may be dropped and a place may lose its level (洪泽区 → 洪泽).
A form more than one agency derives is a tie the caller must settle or show.
Mentions no form covers are matched as character subsequences of a form
(上海市府办, 平潭地税局), penalised by the characters skipped.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from ingest.pinyin import syllables

from .agency_forms import KIND_FORMS, org_forms, place_forms
from .synonyms import NOT_PLACES, ORG_SUFFIXES, PLACE_LEVELS

_PLACE = re.compile("(.+?(?:" + "|".join(PLACE_LEVELS) + "))")
_LEVEL_END = re.compile("(?:" + "|".join(PLACE_LEVELS) + ")$")
# Weight of a name's place said alone (洪泽区 for 淮安市洪泽区人民政府): a vaguer mention.
PLACE_WEIGHT = 0.6
# The place alone means its government first (某县 is 某县人民政府, not 某县经济开发区管委会).
GOVERNMENT_PLACE_WEIGHT = 0.7
# ... then its general office, which compiles the government's report when the government has none.
OFFICE_PLACE_WEIGHT = 0.65
_PLACE_ALONE = (PLACE_WEIGHT, OFFICE_PLACE_WEIGHT, GOVERNMENT_PLACE_WEIGHT)
# A short form without the organisation's kind (某区公安, 广州人社), only after a place.
BARE_WEIGHT = 0.9
# A short form with no place (人社局): vague, and shared by every place's agency of that kind.
PLACELESS_WEIGHT = 0.5
# Organisation words that name no particular body without a place (政府, 办, 办公室).
_KIND_WORDS = {f for _, forms in KIND_FORMS for f in forms} | {"局", "委", "厅", "办"}
_ORG_END = re.compile("(?:" + "|".join(ORG_SUFFIXES) + r"|[^市县区省州旗盟]{1,12}?(?:局|厅|委|署|院|中心|办))$")


@dataclass
class AgencyMatch:
    agency: str
    start: int
    end: int
    score: float
    alternatives: list[str] = field(default_factory=list)  # equally good other agencies
    place_only: bool = False    # matched by its place alone (沭阳县 for 沭阳县发展和改革局)
    by_sound: bool = False      # typed with a character of the same sound (人设局 for 人社局)


# A vertically led system's head office before the place it serves (国家税务总局某市某区税务局): the
# place and the local body are what people name.
_SYSTEM_PREFIX = re.compile("^国家[\u4e00-\u9fa5]{2,8}?总局(?=[\u4e00-\u9fa5]{2,}?(?:" + "|".join(PLACE_LEVELS) + "))")
# A city bureau's branch named for its district (公安局|某某|分局).
_BRANCH = re.compile("^(?P<parent>[\u4e00-\u9fa5]+?)局(?P<sub>[\u4e00-\u9fa5]{2,6}?)分局$")


def split_name(name: str) -> tuple[list[str], str]:
    """淮安市洪泽区人民政府 → (["淮安市", "洪泽区"], "人民政府"); 某市公安局某某分局 → (["某市", "某某"], "公安分局")."""
    name = _SYSTEM_PREFIX.sub("", name)
    org = ""
    m = _ORG_END.search(name)
    if m and m.start() > 0:
        org, rest = m.group(0), name[:m.start()]
    else:
        rest = name
    places, pos = [], 0
    for pm in _PLACE.finditer(rest):
        # 城市管理局: a "place" of one character before its level is the organisation's own word.
        if pm.start() != pos or (places and len(_LEVEL_END.sub("", pm.group(1))) < 2):
            break
        places.append(pm.group(1))
        pos = pm.end()
    if pos < len(rest):
        # Whatever does not parse as places stays with the organisation.
        org = rest[pos:] + org
    branch = _BRANCH.match(org)
    if branch and places:
        sub = branch.group("sub")
        # A branch is named for a district of its city (某某分局 serves 某某区) unless it says its level.
        places.append(sub if _LEVEL_END.search(sub) else sub + "区")
        org = branch.group("parent") + "分局"
    return places, org


def _place_forms(place: str) -> set[str]:
    return place_forms(place, _LEVEL_END)


# Places governed by a body other than a 人民政府: a zone by its 管委会, a 街道 by its 办事处.
_ZONE = re.compile("(?:开发区|实验区|新区|园区|高新区|示范区|合作区)$")


def _governs(org: str, place: str = "") -> bool:
    """A government, or its general office, which compiles the government's report; or the body that
    governs a place with no 人民政府 (a zone's 管委会, a 街道's 办事处)."""
    if org.startswith(("人民政府", "政府")):
        return True
    if _ZONE.search(place):
        return org in ("管理委员会", "管委会")
    return place.endswith("街道") and org.endswith("办事处")


def is_government(name: str) -> bool:
    places, org = split_name(name)
    return _governs(org, places[-1] if places else "")


@lru_cache(maxsize=65536)
def name_forms(name: str) -> dict[str, float]:
    """Short forms of ``name`` with a weight: 1 = says as much as the name, less = vaguer."""
    places, org = split_name(name)
    forms: dict[str, float] = {}

    def add(form: str, weight: float):
        if len(form) >= 2 and forms.get(form, -1) < weight:
            forms[form] = weight

    orgs = org_forms(org) if org else {"": True}
    # The place alone means its government; a zone's 管委会 and a 街道's 办事处 are theirs.
    governs_place = org.endswith("政府") or (not _governs(org) and _governs(org, places[-1] if places else ""))
    alone = GOVERNMENT_PLACE_WEIGHT if governs_place else OFFICE_PLACE_WEIGHT if _governs(org) else PLACE_WEIGHT
    for i in range(len(places)):
        # The agency's own place, with or without the places above it.
        variants = _variants(places[i:])
        upper = 1.0 if i == 0 else 0.95
        for v in variants:
            for o, has_kind in orgs.items():
                add(v + o, upper * (1.0 if has_kind else BARE_WEIGHT))
            if org:
                add(v, alone)    # the place alone: a vaguer mention of this agency
    for o in own_org_forms(org):
        if o not in _KIND_WORDS and len(o) >= 2:
            add(o, PLACELESS_WEIGHT)
    branch = _BRANCH.match(org_part(name))
    if branch and places:
        # As the name itself puts it (某市公安局某某分局), with or without the city.
        for i in range(len(places) - 1):
            for v in _variants(places[i:-1]):
                add(v + branch.group(0), 1.0)
        add(branch.group(0), 1.0)
    add(name, 1.05)
    return forms


def own_org_forms(org: str) -> list[str]:
    """The forms of an organisation that name it without a place before them. A branch (公安分局) is
    公安局 only after its district's name: after its city, 公安局 is the city's own bureau."""
    forms = [o for o, has_kind in org_forms(org).items() if o and has_kind]
    return [o for o in forms if o.endswith("分局")] if org.endswith("分局") else forms


def org_part(name: str) -> str:
    """The name after its leading places, before a branch is read (公安局某某分局 of 某市公安局某某分局)."""
    m = _ORG_END.search(name)
    return m.group(0) if m else name


def _variants(places: list[str]) -> set[str]:
    out = {""}
    for p in places:
        out = {v + f for v in out for f in _place_forms(p)}
    return out


@lru_cache(maxsize=65536)
def _place_chars(name: str) -> frozenset[str] | None:
    """The characters of ``name``'s places; None for a name that is only a place (no organisation)."""
    places, org = split_name(name)
    return frozenset("".join(places)) if org else None


def _names_its_body(mention: str, name: str) -> bool:
    """A mention read inside a form says at least two characters of the organisation (地税局, 府办):
    one (某区城 in 某区住城) is as likely the start of another body's name (城管局). Nor may it skip
    the agency's own place: 某市公安局 read inside 某市某某公安局 is the city's bureau, not the branch."""
    place = _place_chars(name)
    if place is None:
        return True
    own = _own_place_chars(name)
    return sum(ch not in place for ch in mention) >= 2 and (not own or bool(own & set(mention)))


@lru_cache(maxsize=65536)
def _own_place_chars(name: str) -> frozenset[str]:
    """The characters of the lowest place of ``name`` without its level that the places above it do not
    have (蓬 of 江门市公安局蓬江分局)."""
    places = split_name(name)[0]
    if len(places) < 2:
        return frozenset()
    return frozenset(_LEVEL_END.sub("", places[-1])) - set("".join(places[:-1]))


def _longest_subsequence(text: str, i: int, form: str) -> tuple[int, int, int]:
    """How far ``text`` from ``i`` reads in order inside ``form`` from its start:
    (end in text, characters of form skipped, position reached in form)."""
    pos, gaps, j = 0, 0, i + 1
    while j < len(text):
        nxt = form.find(text[j], pos + 1)
        if nxt < 0:
            break
        gaps += nxt - pos - 1
        pos, j = nxt, j + 1
    return j, gaps, pos


class AgencyMatcher:
    def __init__(self, agencies: dict[str, int]):
        """``agencies``: stored agency name → number of stored reports (the tie-breaker)."""
        self.counts = dict(agencies)
        self.forms: dict[str, list[tuple[str, float]]] = {}
        # Forms that say as much as the name, by their first two characters, to read a mention
        # as a subsequence of one (平潭地税局 in 平潭综合实验区地方税务局).
        self._by_start: dict[str, list[tuple[str, float, str]]] = {}
        self._by_sound: dict[tuple[str, ...], list[tuple[str, float, str]]] = {}
        for name in agencies:
            for form, weight in name_forms(name).items():
                self.forms.setdefault(form, []).append((name, weight))
                if weight >= 0.9 and len(form) >= 3:
                    self._by_start.setdefault(form[:2], []).append((form, weight, name))
                if (weight >= 0.9 or weight == PLACELESS_WEIGHT) and len(form) >= 3:
                    self._by_sound.setdefault(tuple(syllables(form)), []).append((form, weight, name))
        self._form_lengths = sorted({len(f) for f in self.forms})
        # Agencies by the place they belong to (株洲市 → 株洲市人民政府办公室 …), for a place said once.
        self._at_place: dict[str, list[str]] = {}
        for name in agencies:
            places = split_name(name)[0]
            if places:
                self._at_place.setdefault(places[-1], []).append(name)
        self._sound_lengths = sorted({len(k) for k in self._by_sound})

    def vocabulary(self) -> set[str]:
        return set(self.forms)

    def _rank(self, name: str) -> tuple:
        return (-self.counts.get(name, 0), len(name), name)

    def find(self, text: str) -> list[AgencyMatch]:
        """Non-overlapping agency mentions in ``text`` (compacted), in order of position."""
        cands: list[tuple[float, int, int, str, bool]] = []
        # Each substring of a form's length looked up, not each form searched for: the cost follows
        # the question's length, not the number of stored agencies.
        for start in range(len(text)):
            for n in self._form_lengths:
                if start + n > len(text):
                    break
                for name, weight in self.forms.get(text[start:start + n], ()):
                    cands.append((n * weight, start, start + n, name, weight in _PLACE_ALONE))
        cands.extend(c + (False,) for c in self._subsequence_candidates(text))
        heard = self._sound_candidates(text)
        cands.extend(c + (False,) for c in heard)
        heard_at = {(s, e, name) for _, s, e, name in heard}
        cands.sort(key=lambda c: (-c[0], -(c[2] - c[1]), self._rank(c[3]), c[1]))
        chosen: list[AgencyMatch] = []
        for score, s, e, name, place_only in cands:
            clash = next((m for m in chosen if s < m.end and m.start < e), None)
            if clash is None:
                chosen.append(AgencyMatch(name, s, e, score, place_only=place_only,
                                          by_sound=(s, e, name) in heard_at))
            elif (clash.start, clash.end) == (s, e) and abs(clash.score - score) < 1e-9 and name != clash.agency:
                clash.alternatives.append(name)
        chosen += self._same_place(text, chosen)
        return sorted(chosen, key=lambda m: m.start)

    def _same_place(self, text: str, chosen: list[AgencyMatch]) -> list[AgencyMatch]:
        """Another body of a place already named, said with the place's level alone
        (株洲人社局和市政府办公室: 市政府办公室 is 株洲市's)."""
        out: list[AgencyMatch] = []
        for m in list(chosen):
            for place in split_name(m.agency)[0]:
                for other in self._at_place.get(place, ()):
                    if other == m.agency:
                        continue
                    for o in own_org_forms(split_name(other)[1]):
                        form = place[-1] + o
                        at = text.find(form)
                        while at >= 0:
                            end = at + len(form)
                            if not any(at < k.end and k.start < end for k in chosen + out):
                                out.append(AgencyMatch(other, at, end, len(form) * BARE_WEIGHT))
                            at = text.find(form, at + 1)
        return out

    def _sound_candidates(self, text: str):
        """Mentions that sound like a form but differ in a character or two (广州人设局, 沐阳县).

        Phone keyboards type by sound, so a wrong character of the same pinyin is the commonest
        slip; a third of a form's characters at most may differ, each costing a character's worth."""
        if not self._by_sound:
            return []
        sounds = syllables(text)
        out = []
        for length in self._sound_lengths:
            for i in range(len(text) - length + 1):
                for form, weight, name in self._by_sound.get(tuple(sounds[i:i + length]), ()):
                    wrong = sum(1 for a, b in zip(text[i:i + length], form) if a != b)
                    if 0 < wrong <= length // 3:
                        out.append((length * weight - wrong - 0.5, i, i + length, name))
        return out

    def _subsequence_candidates(self, text: str):
        best: dict[tuple[int, str], tuple] = {}
        for i in range(len(text) - 2):
            for form, weight, name in self._by_start.get(text[i:i + 2], ()):
                j, gaps, reached = _longest_subsequence(text, i, form)
                # A mention read inside a form must reach its end (…府, …局, …办): "淮安市"
                # alone is the place, not 淮安市洪泽区人民政府, nor 某区 the 区 ending 某区经济开发区.
                if j > i + 2 and reached == len(form) - 1 and _names_its_body(text[i:j], name):
                    cand = ((j - i) * weight - 0.5 * gaps - 0.5, i, j, name)
                    if cand > best.get((i, name), (-1e9,)):
                        best[(i, name)] = cand
        return list(best.values())


_OFFICE = re.compile("办公室|办公厅|办(?!理|结|件|法)")
# An organisation named right after a place (沭阳县|人民政府, 淮安市|人社局).
_ORG_AFTER = re.compile("(?![的和与及、在向对年])(?:(?:人民)?政府|[\u4e00-\u9fa5]{1,12}?(?:局|厅|委员会|委|办公室|办))")


def other_bodies(text: str, matches: list[AgencyMatch], quoted: tuple[str, ...] = ()) -> tuple[list[AgencyMatch], list[str]]:
    """Split off place-only matches that go on to name another body of that place.

    沭阳县人民政府 is not 沭阳县发展和改革局 although both are in 沭阳县: a place read as a
    vague mention of the stored agency stops being one when an organisation other than the
    agency's own follows it. An organisation that begins the agency's own (上海市人民政府 for
    上海市人民政府办公厅) still means it."""
    other, spans = [], []
    for m in matches:
        own = split_name(m.agency)[1]
        org = _ORG_AFTER.match(text, m.end) if m.place_only or not own else None
        # A quoted term (上海“一网通办”) names a service or a campaign, not an organisation.
        if org and any(org.group(0) in q for q in quoted):
            org = None
        if org and not any(f.startswith(org.group(0)) for f in (own_org_forms(own) if own else _GOVERNING_FORMS)):
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


# A stored name that is only a place (平潭综合实验区) is that place's government: its 管委会, 政府 and
# 办公室 are its own, any other organisation named after it (平潭国税局) is another body.
_GOVERNING_FORMS = {f for kind, _ in KIND_FORMS if kind.startswith(("人民政府", "管理委员会", "办公"))
                    for f in org_forms(kind)}

_UNKNOWN = re.compile("([\u4e00-\u9fa5]{2,4}?(?:省|市|县|区|州|旗|盟))((?:人民)?政府|[\u4e00-\u9fa5]{0,8}?(?:局|厅|委|办公室|办))?")
# Bodies whose name says they are one without a place level before them (某某公安分局, 某某街道办事处).
_UNKNOWN_BODY = re.compile("[\u4e00-\u9fa5]{2,6}?(?:分局|管委会|管理委员会|街道办事处|街道办|办事处)")


def unknown_agencies(text: str, known: list[AgencyMatch], places: set[str]) -> list[str]:
    """Agency-like names (苏州市人民政府) that are not a stored agency."""
    out = []
    for m in _UNKNOWN.finditer(text):
        if any(m.start() < k.end and k.start < m.end() for k in known):
            continue
        place = m.group(1).lstrip("年的和与及在向对、")
        core = _LEVEL_END.sub("", place)
        # 年淮安市: any tail of the match that is a stored place makes it a known one; an organisation
        # after it that no stored agency matched (某市公安局 where only its 分局 is stored) is still unknown.
        if place in NOT_PLACES or len(core) < 2 or (
                not m.group(2) and any(core[i:] in places for i in range(len(core) - 1))):
            continue
        if not m.group(2) and place[-1] == "区":
            continue  # 全区/城区 style words are not agencies without an organisation
        out.append(place + (m.group(2) or ""))
    for m in _UNKNOWN_BODY.finditer(text):
        if not any(m.start() < k.end and k.start < m.end() for k in known) and not any(m.group(0) in o for o in out):
            out.append(m.group(0).lstrip("年的和与及在向对、"))
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


def vague_places(text: str, matches: list[AgencyMatch]) -> tuple[list[AgencyMatch], list[str]]:
    """Split off a place said alone that only a department of that place matched.

    某县 means 某县人民政府; when only 某县发展和改革局 is stored, answering from it would answer
    from another agency than the one asked. The mention comes back as the government not stored."""
    kept, vague = [], []
    for m in matches:
        named = any(k.agency == m.agency and not k.place_only for k in matches)
        if m.place_only and not is_government(m.agency) and not named:
            place = text[m.start:m.end]
            vague.append(place + ("人民政府" if _LEVEL_END.search(place) else ""))
        else:
            kept.append(m)
    return kept, vague


def agencies_at(name: str, agencies) -> list[str]:
    """Stored agencies of the place ``name`` names (沭阳县人民政府 → 沭阳县发展和改革局 …)."""
    places, _ = split_name(name)
    if not places and _LEVEL_END.search(name):
        places = [name]
    cores = {c for c in _place_forms(places[-1]) if len(c) >= 2} if places else set()
    out = []
    for a in agencies:
        a_places, _ = split_name(a)
        forms = {f for p in a_places for f in _place_forms(p)}
        # 平潭公安局: a place said without its level (平潭) is read off the stored names it begins.
        if a != name and (cores & forms if cores else any(len(f) >= 2 and name.startswith(f) for f in forms)):
            out.append(a)
    return out
