"""Short forms of an organisation's name, derived by rule rather than listed.

People shorten an organisation the same few ways: the first character of each
word of each conjunct (人力资源和社会保障局 → 人社局, 卫生健康委员会 → 卫健委),
or of a conjunct's head word (住房和城乡建设局 → 住建局); a run of words to
their initials after a kept word (市场监督管理局 → 市场监管局); a conjunct
alone (自然资源和规划局 → 自然资源局) or its first word (交通运输局 → 交通局);
generic words dropped (应急管理局 → 应急局); and the organisation's kind
shortened (委员会 → 委, 办公室 → 办, 人民政府 → 政府/府). Every agency gets
all of them; whether a form is unique among the stored agencies is the
matcher's business, not this module's.
"""
from __future__ import annotations

import itertools
import re
from functools import lru_cache

# An organisation's kind and how people write it, longest first.
KIND_FORMS = (
    ("人民政府办公厅", ("人民政府办公厅", "政府办公厅", "政府办", "府办", "办公厅")),
    ("人民政府办公室", ("人民政府办公室", "政府办公室", "政府办", "府办", "办公室")),
    ("管理委员会", ("管理委员会", "管委会", "管委")),
    ("人民政府", ("人民政府", "政府", "府")),
    ("办事处", ("办事处", "办")),
    # A branch of a city bureau named for its district (公安局某某分局): people call it 某某分局,
    # 某某公安分局 or 某某区公安局.
    ("分局", ("分局", "局")),
    ("委员会", ("委员会", "委")),
    ("办公厅", ("办公厅", "办")),
    ("办公室", ("办公室", "办")),
)
# One-character kinds keep themselves (公安局 → 公安局 / 公安 after a place).
_KIND_CHAR = re.compile("[局厅委署院办处所站馆队会]$|中心$")
_CONJUNCTION = re.compile("[和与及、]")
# Words that say what kind of work an office does rather than which: dropped in short forms.
GENERIC_WORDS = ("管理", "事务", "行政", "服务", "综合", "工作")
# Names from before a reform that people still use (生态环境局 was 环境保护局, 环保局).
FORMER_NAMES = {"生态环境": ("环境保护", "环保")}
# A place's level and its short forms (平潭综合实验区 → 平潭实验区, 某经济技术开发区 → 某经开区).
LEVEL_FORMS = {
    "综合实验区": ("实验区",),
    "经济技术开发区": ("经开区", "开发区"),
    "经济开发区": ("经开区", "开发区"),
    "高新技术产业开发区": ("高新区",),
}


def split_kind(org: str) -> tuple[str, tuple[str, ...]]:
    """住房和城乡建设局 → ("住房和城乡建设", ("局",)); 人民政府 → ("", (人民政府, 政府, 府))."""
    for kind, forms in KIND_FORMS:
        if org.endswith(kind):
            return org[:-len(kind)], forms
    m = _KIND_CHAR.search(org)
    if m and m.start() > 0:
        return org[:m.start()], (m.group(0),)
    return org, ("",)


def _words(conjunct: str) -> list[str]:
    import jieba
    out = []
    for w in jieba.lcut(conjunct, HMM=False):
        # A four-character word the dictionary keeps whole (医疗保障) is two words to abbreviate.
        out.extend([w[:2], w[2:]] if len(w) == 4 else [w])
    return [w for w in out if w.strip()]


def _conjunct_forms(words: list[str]) -> dict[str, bool]:
    """How one conjunct (市场监督管理) is written inside a short name → whether the form keeps
    every word's trace (a first word alone, 市场, drops the rest and needs the kind after it)."""
    forms = {"".join(words): True}
    kept = [w for w in words if w not in GENERIC_WORDS] or words
    forms.setdefault("".join(kept), False)
    for ws in (tuple(words), tuple(kept)):
        if len(ws) >= 2:
            forms.setdefault(ws[0], False)
            forms["".join(w[0] for w in ws)] = True
            for k in range(1, len(ws) - 1):
                forms["".join(ws[:k]) + "".join(w[0] for w in ws[k:])] = True
    return forms


def _conjunct_initials(words: list[str]) -> set[str]:
    """One character for a conjunct among several: its first word's or its head word's."""
    kept = [w for w in words if w not in GENERIC_WORDS] or words
    return {kept[0][0], kept[-1][0]}


@lru_cache(maxsize=4096)
def core_forms(core: str) -> dict[str, bool]:
    """Short forms of an organisation's core (人力资源和社会保障 → 人社, 人保, 人力资源社会保障 …)
    → whether the form may stand without the organisation's kind (人社 may; 市场, a first word, may not)."""
    if not core:
        return {"": True}
    cores = {core}
    for old, news in FORMER_NAMES.items():
        if old in core:
            cores |= {core.replace(old, new) for new in news}
    forms: dict[str, bool] = {}

    def add(form: str, bare: bool):
        if form:
            forms[form] = forms.get(form, False) or bare

    for c in sorted(cores):
        conjuncts = [_words(p) for p in _CONJUNCTION.split(c) if p]
        add(c, True)
        if len(conjuncts) == 1:
            for f, bare in _conjunct_forms(conjuncts[0]).items():
                add(f, bare)
            continue
        add("".join("".join(ws) for ws in conjuncts), True)
        for f in _conjunct_forms(conjuncts[0]):
            add(f, False)                                           # 自然资源和规划 → 自然资源
        add("".join(w[0] for ws in conjuncts for w in ws), True)   # 文化广电和旅游 → 文广旅
        for pick in itertools.product(*(sorted(_conjunct_initials(ws)) for ws in conjuncts)):
            add("".join(pick), True)                                # 住房和城乡建设 → 住建
    return forms


def org_forms(org: str) -> dict[str, bool]:
    """Every short form of an organisation → whether it says the organisation's kind (局, 委, 政府).

    A form without its kind (公安 for 公安局, 人社 for 人力资源和社会保障局) names the agency
    only right after a place."""
    core, kinds = split_kind(org)
    out: dict[str, bool] = {}
    for c, bare in core_forms(core).items():
        for k in kinds:
            if c + k:
                out[c + k] = out.get(c + k, False) or bool(k) or not c
        if c and bare and len(c) >= 2:
            out.setdefault(c, False)
    if core and kinds[0] in ("分局", "办事处", "管理委员会"):
        out.setdefault(kinds[0], True)   # 某某分局, 某某办事处: the place names which one
    out[org] = True
    return out


# Names of China's peoples longer than one character (族 may be left out: 新疆维吾尔自治区); any
# other "X族" is one character (苗族, 侗族).
# The fixed national list, not a list of places: autonomous places are named after them.
_PEOPLES = ("维吾尔", "哈萨克", "柯尔克孜", "塔吉克", "乌孜别克", "塔塔尔", "鄂温克", "鄂伦春", "达斡尔", "俄罗斯",
            "土家", "布依", "哈尼", "傈僳", "拉祜", "纳西", "景颇", "仫佬", "仡佬", "毛南", "撒拉", "裕固", "保安",
            "东乡", "布朗", "普米", "阿昌", "怒", "德昂", "独龙", "基诺", "门巴", "珞巴", "赫哲", "锡伯", "朝鲜",
            "蒙古", "高山")
_AUTONOMOUS = re.compile("^(?P<base>.{2,}?)(?P<peoples>(?:(?:" + "|".join(_PEOPLES) + ")族?|[\u4e00-\u9fa5]族)+)"
                         "自治(?P<level>州|县|旗|区)$")


def autonomous_short(place: str) -> set[str]:
    """黔东南苗族侗族自治州 → 黔东南州, 黔东南; 广西壮族自治区 → 广西: people drop the peoples' names and 自治."""
    m = _AUTONOMOUS.match(place)
    if not m:
        return set()
    base = m.group("base")
    return {base + m.group("level"), base}


def place_forms(place: str, level_end: re.Pattern) -> set[str]:
    """平潭综合实验区 → 平潭综合实验区, 平潭实验区, 平潭; 洪泽区 → 洪泽区, 洪泽."""
    forms = {place} | autonomous_short(place)
    for level, shorts in LEVEL_FORMS.items():
        if place.endswith(level):
            forms |= {place[:-len(level)] + s for s in shorts}
    core = level_end.sub("", place)
    # A 街道 is often named with a common word (解放, 人民): without its level it names nothing.
    if len(core) >= 2 and not place.endswith("街道"):
        forms.add(core)
    return forms
