"""Systematic rewordings of a question, to measure whether its answer holds still.

A user who writes 23年 for 2023年, 住建局 for the full name, adds 请问 or asks
"有没有…？有的话几件" means the same figure. Each rewording here changes one
thing by rule; the stability of a question set is the share of rewordings whose
figure is the one the original question got.
"""
from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .agencies import name_forms
from .textutil import fmt_number

_CN_DIGITS = "〇一二三四五六七八九"
_YEAR = re.compile(r"(?<!\d)((?:19|20)(\d{2}))年(?!度)")
FILLERS = ("请问{}", "我想问一下，{}", "{}呢？", "麻烦帮我查一下：{}", "你好，{}谢谢")
# Asking for the answer's form as well (a source, thanks): the figure asked for is the same.
REQUESTS = ("{}需要说明来源。", "{}请注明出处，谢谢！", "{}并给出数据来源")
# Colloquial ways of saying the same thing (each pair read both ways where it fits).
WORDINGS = (("多少件", "几件"), ("有几件", "有多少件"), ("收到", "接到"), ("一共", "总共"), ("是多少", "有多少"))


@dataclass
class Variant:
    kind: str
    question: str


def _agency_variants(question: str, matcher, rng: random.Random, n: int = 3) -> list[Variant]:
    found = matcher.find(question)
    if len(found) != 1 or found[0].alternatives:
        return []
    m = found[0]
    said = question[m.start:m.end]
    owners = matcher.forms
    forms = [f for f, w in name_forms(m.agency).items()
             if w >= 0.9 and f != said and len({a for a, _ in owners.get(f, [])}) == 1]
    picked = rng.sample(sorted(forms), min(n, len(forms)))
    return [Variant("agency", question[:m.start] + f + question[m.end:]) for f in picked]


def _year_variants(question: str) -> list[Variant]:
    out = []
    years = _YEAR.findall(question)
    if len(years) != 1:
        return out
    full, two = years[0]
    for form in ("".join(_CN_DIGITS[int(c)] for c in full) + "年", two + "年", full + "年度"):
        out.append(Variant("year", _YEAR.sub(form, question, count=1)))
    return out


def _filler_variants(question: str, rng: random.Random, n: int = 2) -> list[Variant]:
    core = question.rstrip("？?。 ")
    return [Variant("filler", f.format(core + ("" if f.endswith("呢？") else "？"))) for f in rng.sample(FILLERS, n)]


def _request_variants(question: str, rng: random.Random) -> list[Variant]:
    core = question.rstrip("？?。 ") + "？"
    return [Variant("request", rng.choice(REQUESTS).format(core))]


def _bare_variants(question: str) -> list[Variant]:
    """The figure named without a question word (平潭2025年度新收申请), as typed into a search box."""
    m = re.search(r"(?:有|是|为)?(?:多少|几)(?:件|条|个|次|项)?", question)
    if not m or question.startswith(("那", "其中")):
        return []
    bare = (question[:m.start()] + question[m.end():]).rstrip("？?。 的")
    return [Variant("bare", bare)] if len(bare) >= 6 else []


def _wording_variants(question: str) -> list[Variant]:
    out = []
    for a, b in WORDINGS:
        if a in question:
            out.append(Variant("wording", question.replace(a, b, 1)))
    return out


def _yes_no_variants(question: str) -> list[Variant]:
    m = re.search(r"(?:有)?(?:多少|几)(件|条|个|次)", question)
    if not m:
        return []
    core = (question[:m.start()] + question[m.end():]).rstrip("？?。 ")
    return [Variant("yes_no", f"{core}吗？有的话是几{m.group(1)}？")]


def variants(question: str, matcher, seed: int = 0) -> list[Variant]:
    rng = random.Random(f"{seed}:{question}")
    return (_agency_variants(question, matcher, rng) + _year_variants(question) + _filler_variants(question, rng)
            + _wording_variants(question) + _yes_no_variants(question) + _request_variants(question, rng)
            + _bare_variants(question))


def _figure(result: dict) -> str | None:
    facts = result.get("facts") or []
    if result.get("route") != "fact" or not facts:
        return None
    f = facts[0]
    return f"{f.get('agency')}|{f.get('year')}|{fmt_number(f['value'])}{f.get('unit') or ''}"


def run(assistant, path: str | Path, seed: int = 0, limit: int | None = None) -> dict:
    """Stability of the figure questions of a question file under every rewording."""
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [i for i in items if i["type"] == "fact" and not i.get("history")][:limit]
    per_kind = defaultdict(Counter)
    changed = []
    for item in items:
        base = _figure(assistant.ask(item["question"]))
        if base is None:
            continue
        for v in variants(item["question"], assistant._snap.matcher, seed):
            got = _figure(assistant.ask(v.question))
            per_kind[v.kind]["total"] += 1
            if got == base:
                per_kind[v.kind]["same"] += 1
            else:
                changed.append({"id": item.get("id"), "kind": v.kind, "question": v.question, "was": base, "got": got})
    same = sum(c["same"] for c in per_kind.values())
    total = sum(c["total"] for c in per_kind.values())
    return {"per_kind": {k: dict(c) for k, c in sorted(per_kind.items())}, "same": same, "total": total,
            "stability": same / total if total else 0.0, "changed": changed}


def format_report(report: dict, show: int = 30) -> str:
    lines = ["rewording   same/total  stability"]
    for kind, c in report["per_kind"].items():
        lines.append(f"{kind:<11} {c.get('same', 0):>4}/{c['total']:<5}  {c.get('same', 0) / c['total']:.1%}")
    lines.append(f"{'overall':<11} {report['same']:>4}/{report['total']:<5}  {report['stability']:.1%}")
    if report["changed"]:
        lines.append("\nchanged answers:")
        for c in report["changed"][:show]:
            lines.append(f"  {c['id']} [{c['kind']}] {c['question']}\n      was {c['was']}  got {c['got']}")
    return "\n".join(lines)
