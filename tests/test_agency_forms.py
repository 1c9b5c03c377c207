"""Agency short forms derived by rule, checked as properties over stored and generated agencies."""
from __future__ import annotations

import random

import pytest

from assistant.agencies import AgencyMatcher, agencies_at, name_forms, other_bodies, split_name, vague_places
from assistant.agency_forms import org_forms

from .test_assistant_units import AGENCIES

# Departments of a Chinese county or district, as they are named since the 2018 reform (test data only:
# the product derives forms from whatever agencies are stored).
DEPARTMENTS = [
    "人民政府", "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "行政审批局",
    "信访局", "数据资源管理局", "经济开发区管理委员会",
]
SYLLABLES = "江临川安宁平远清河东西南北阳春华兴新昌泰和丰永德"


def _places(rng, n):
    out = set()
    while len(out) < n:
        out.add(rng.choice(SYLLABLES) + rng.choice(SYLLABLES))
    return sorted(out)


PEOPLES = ["苗族侗族", "白族", "土家族苗族", "傣族拉祜族佤族", "朝鲜族"]


def _generated_agencies(seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    agencies = {}
    for city in _places(rng, 2):
        counties = _places(rng, 2)
        for county in counties:
            level = rng.choice("县区")
            for dept in rng.sample(DEPARTMENTS, 12):
                agencies[f"{city}市{county}{level}{dept}"] = 1
        # A city bureau's branch named for a district, as people's police and tax branches are (of a
        # district stored with no departments: else 某区公安局 would be the branch's name too).
        district = next(p for p in _places(rng, 6) if p not in counties)
        agencies[f"{city}市公安局{district}分局"] = 1
    prefecture = rng.choice(_places(rng, 3)) + rng.choice(PEOPLES) + "自治州"
    for dept in rng.sample(DEPARTMENTS[2:], 4):
        agencies[prefecture + dept] = 1
    return agencies


def _resolves(matcher: AgencyMatcher, form: str) -> tuple[list[str], list[str]]:
    found = matcher.find(form + "2023年收到多少申请")
    return [m.agency for m in found], [a for m in found for a in m.alternatives]


@pytest.mark.parametrize("org,forms", [
    ("住房和城乡建设局", {"住建局", "住房城乡建设局"}), ("文化和旅游局", {"文旅局"}),
    ("人力资源和社会保障局", {"人社局", "人社"}), ("市场监督管理局", {"市场监管局", "市监局"}),
    ("发展和改革委员会", {"发改委", "发展改革委"}), ("卫生健康委员会", {"卫健委"}),
    ("应急管理局", {"应急局"}), ("医疗保障局", {"医保局"}), ("交通运输局", {"交通局"}),
    ("人民政府办公室", {"政府办", "府办"}), ("公安局", {"公安"}), ("生态环境局", {"环保局"}),
    ("自然资源和规划局", {"自然资源局"}), ("城市管理局", {"城管局"}),
])
def test_rules_give_the_forms_people_write(org, forms):
    assert forms <= set(org_forms(org))


@pytest.mark.parametrize("seed", range(6))
def test_every_derived_form_resolves_to_its_agency_or_says_it_is_shared(seed):
    agencies = _generated_agencies(seed) | AGENCIES
    matcher = AgencyMatcher(agencies)
    owners: dict[str, set[str]] = {}
    for name in agencies:
        for form, weight in name_forms(name).items():
            if weight >= 0.9:
                owners.setdefault(form, set()).add(name)
    checked = 0
    for form, names in owners.items():
        got, alternatives = _resolves(matcher, form)
        if len(names) == 1:
            assert got == list(names) and not alternatives, (form, got, alternatives)
        else:
            # Shared (two agencies derive it): never one of them silently.
            assert set(got) | set(alternatives) >= names or not set(got) & names, (form, got, names)
            assert not (len(got) == 1 and not alternatives), (form, got, names)
        checked += 1
    assert checked > 1000


def test_a_place_said_alone_means_its_government_not_a_neighbour():
    agencies = {"临川县人民政府": 1, "临川县经济开发区管理委员会": 1, "临川县公安局": 1}
    m = AgencyMatcher(agencies)
    assert _resolves(m, "临川县") == (["临川县人民政府"], [])
    assert _resolves(m, "临川县公安") == (["临川县公安局"], [])
    assert _resolves(m, "临川开发区管委会") == (["临川县经济开发区管理委员会"], [])


def test_a_place_whose_government_is_not_stored_is_not_answered_by_a_department():
    agencies = {"临川县发展和改革局": 1, "清河市人民政府": 1}
    text = "临川县2023年收到多少申请"
    kept, vague = vague_places(text, AgencyMatcher(agencies).find(text))
    assert kept == [] and vague == ["临川县人民政府"]
    assert agencies_at("临川县人民政府", agencies) == ["临川县发展和改革局"]
    text = "临川县发改局2023年"
    kept, vague = vague_places(text, AgencyMatcher(agencies).find(text))
    assert [k.agency for k in kept] == ["临川县发展和改革局"] and not vague


@pytest.mark.parametrize("seed", range(3))
def test_an_organisation_not_stored_at_a_place_is_never_another_agency_of_that_place(seed):
    """某县教育局 when only 某县's government and other departments are stored: no stored agency answers,
    including a place stored under its bare name (平潭综合实验区 before 国税局)."""
    rng = random.Random(seed)
    agencies = _generated_agencies(seed) | {f"{p}综合实验区": 1 for p in _places(rng, 2)} | AGENCIES
    matcher = AgencyMatcher(agencies)
    checked = 0
    for name in sorted(agencies):
        if name.endswith("分局"):
            continue  # its place is the district it serves: 某区公安局 there is the branch itself
        places = split_name(name)[0]
        where = "".join(places)
        for dept in DEPARTMENTS[2:-1]:
            if any(a.startswith(where) and a.endswith(dept) for a in agencies):
                continue
            for form in [f for f, kind in org_forms(dept).items() if kind]:
                for place in (where, places[-1]):
                    text = f"{place}{form}2023年收到多少申请"
                    kept, other = other_bodies(text, matcher.find(text))
                    assert kept == [] and other, (text, [k.agency for k in kept])
                    checked += 1
    assert checked > 2000


def test_a_short_form_shared_by_two_places_lists_both():
    agencies = {"清河市人力资源和社会保障局": 1, "临川市人力资源和社会保障局": 1}
    got, alternatives = _resolves(AgencyMatcher(agencies), "人社局")
    assert sorted(got + alternatives) == sorted(agencies)


@pytest.mark.parametrize("seed", range(3))
def test_a_character_of_the_same_sound_still_finds_the_agency(seed):
    """One wrong character of the same pinyin in a derived form (人设局 for 人社局) is read as the form."""
    from ingest.pinyin import syllables as _pinyin
    agencies = _generated_agencies(seed)
    matcher = AgencyMatcher(agencies)
    rng = random.Random(seed)
    homophones = {}
    for ch in "社设建件监坚卫为政正局居委维":
        homophones.setdefault(_pinyin(ch)[0], []).append(ch)
    tried = heard = 0
    for name in sorted(agencies):
        forms = [f for f, w in name_forms(name).items() if w >= 0.9 and len(f) >= 6]
        form = rng.choice(sorted(forms))
        slots = [i for i, c in enumerate(form) if len(homophones.get(_pinyin(c)[0], [])) > 1]
        if not slots or len({a for a, _ in matcher.forms.get(form, [])}) != 1:
            continue
        i = rng.choice(slots)
        typo = form[:i] + next(c for c in homophones[_pinyin(form[i])[0]] if c != form[i]) + form[i + 1:]
        found = matcher.find(typo + "2023年收到多少申请")
        assert found and found[0].agency == name, (typo, name, found)
        tried += 1
        heard += found[0].by_sound
    assert tried >= 10 and heard >= tried // 2


@pytest.mark.parametrize("place,short", [
    ("黔东南苗族侗族自治州", {"黔东南州", "黔东南"}), ("大理白族自治州", {"大理州", "大理"}),
    ("恩施土家族苗族自治州", {"恩施州"}), ("孟连傣族拉祜族佤族自治县", {"孟连县", "孟连"}),
    ("新疆维吾尔自治区", {"新疆"}), ("广西壮族自治区", {"广西"}), ("伊金霍洛旗", {"伊金霍洛"}),
])
def test_an_autonomous_place_is_named_without_its_peoples(place, short):
    from assistant.agencies import _place_forms
    assert short <= _place_forms(place)


@pytest.mark.parametrize("seed", range(4))
def test_a_branch_is_named_by_its_district_and_the_city_bureau_is_not_the_branch(seed):
    """某市公安局某某分局: 某某公安分局, 某某分局, 某某区公安局 name it; 某市公安局 names the city's own
    bureau, which is not stored, so no answer comes from the branch."""
    from assistant.agencies import unknown_agencies
    rng = random.Random(seed)
    city, district = _places(rng, 2)
    branch = f"{city}市公安局{district}分局"
    agencies = {branch: 1, f"{city}市人民政府": 1, f"{city}市{district}区人民政府": 1}
    matcher = AgencyMatcher(agencies)
    for form in (f"{district}公安分局", f"{district}分局", f"{district}区公安局", f"{city}市{district}区公安分局",
                 f"{city}{district}公安", f"{city}公安局{district}分局", branch):
        assert _resolves(matcher, form) == ([branch], []), form
    text = f"{city}市公安局2023年收到多少申请"
    kept, other = other_bodies(text, matcher.find(text))
    assert kept == []
    assert unknown_agencies(text, kept, {f"{city}市", f"{district}区"}) == [f"{city}市公安局"]


def test_a_zone_or_a_street_said_alone_means_its_governing_body():
    agencies = {"临川经济技术开发区管理委员会": 1, "临川县人民政府": 1, "清河市江北区新华街道办事处": 1}
    matcher = AgencyMatcher(agencies)
    for text, agency in [("临川开发区2023年收到多少申请", "临川经济技术开发区管理委员会"),
                         ("临川经开区2023年", "临川经济技术开发区管理委员会"),
                         ("临川县2023年", "临川县人民政府"),
                         ("新华街道2023年收到多少申请", "清河市江北区新华街道办事处"),
                         ("江北区新华街道办2023年", "清河市江北区新华街道办事处")]:
        kept, vague = vague_places(text, matcher.find(text))
        assert [k.agency for k in kept] == [agency] and not vague, (text, kept, vague)
    # A street named with a common word is not that word said alone.
    assert matcher.find("新华社报道2023年") == []


def test_an_unstored_branch_or_street_office_is_unknown_not_another_agency():
    from assistant.agencies import unknown_agencies
    matcher = AgencyMatcher({"临川县人民政府": 1})
    for text, name in [("丰泽公安分局2021年收到多少申请", "丰泽公安分局"), ("新华街道办事处2021年", "新华街道办事处")]:
        assert unknown_agencies(text, matcher.find(text), {"临川县"}) == [name]


def test_a_place_said_once_names_both_of_its_bodies():
    """清河人社局和市政府办公室: the second body is 清河市's, though 清河 is said once."""
    agencies = {"清河市人力资源和社会保障局": 1, "清河市人民政府办公室": 1, "临川市人民政府办公室": 1}
    found = AgencyMatcher(agencies).find("清河人社局和市政府办公室2022年行政诉讼各有几件")
    assert [m.agency for m in found] == ["清河市人力资源和社会保障局", "清河市人民政府办公室"]
    assert not any(m.alternatives for m in found)
