"""Scores the assistant on a question set in the format of shared/eval (see its README).

fact: the first returned fact equals ``value`` after unit normalisation;
trend: every key of ``values`` (a year or an agency) is present with its value;
narrative: ``evidence`` appears (whitespace removed on both sides) in one of the
top-3 sources, and that source is from ``source_file``;
none: no fact is returned and the answer says the reports do not hold it.
"""
from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

from .textutil import compact

_SCALE = {"万元": 1e4, "亿元": 1e8, "元": 1.0, "万": 1e4, "亿": 1e8, "千元": 1e3}
_NOT_FOUND = ("没有提到", "没有找到", "报告库中没有", "没有该年度", "没有导入", "无法回答")


def normalise(value, unit: str | None) -> float:
    return float(value) * _SCALE.get(unit or "", 1.0)


def same(a, a_unit, b, b_unit) -> bool:
    if a is None or b is None:
        return False
    money = (a_unit or "") in _SCALE and (b_unit or "") in _SCALE
    x, y = (normalise(a, a_unit), normalise(b, b_unit)) if money else (float(a), float(b))
    return abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y))


def says_not_found(result: dict) -> bool:
    return result.get("route") == "none" or any(p in result.get("answer", "") for p in _NOT_FOUND)


def score(item: dict, result: dict) -> tuple[bool, str]:
    kind = item["type"]
    facts = result.get("facts") or []
    if kind == "fact":
        if not facts:
            return False, "no fact returned"
        f = facts[0]
        ok = same(f["value"], f.get("unit"), item["value"], item.get("unit"))
        return ok, f"got {f['value']}{f.get('unit') or ''} ({f.get('row')}/{f.get('column')}, {f.get('report')})"
    if kind == "trend":
        got = {}
        for f in facts:
            for key in (str(f.get("year")), f.get("agency")):
                got.setdefault(key, f)
        bad = []
        for key, gold in (item.get("values") or {}).items():
            f = got.get(key)
            if f is None or not same(f["value"], f.get("unit"), gold, item.get("unit")):
                bad.append(f"{key}: want {gold}, got {f['value'] if f else None}")
        return not bad, "; ".join(bad) or "ok"
    if kind == "narrative":
        ev = compact(item.get("evidence") or "")
        for i, src in enumerate((result.get("sources") or [])[:3]):
            if ev and ev in compact(src.get("text", "")) and src.get("report") == item.get("source_file"):
                return True, f"evidence in source {i + 1}"
        tops = [f"{s.get('report')}:{compact(s.get('text', ''))[:30]}" for s in (result.get("sources") or [])[:3]]
        return False, f"evidence not in top-3: {tops}"
    if kind == "none":
        ok = not facts and says_not_found(result)
        return ok, "ok" if ok else f"answered {facts[0]['value'] if facts else ''}: {result.get('answer', '')[:80]}"
    return False, f"unknown type {kind}"


def run(assistant, path: str | Path) -> dict:
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    per_type = defaultdict(lambda: [0, 0])
    failures = []
    start = time.perf_counter()
    for item in items:
        try:
            result = assistant.ask(item["question"], item.get("history"))
        except Exception as exc:  # a crash is a failure of that question, not of the run
            result = {"route": "error", "answer": f"{type(exc).__name__}: {exc}", "facts": [], "sources": []}
        ok, why = score(item, result)
        per_type[item["type"]][1] += 1
        if ok:
            per_type[item["type"]][0] += 1
        else:
            failures.append({"id": item.get("id"), "type": item["type"], "question": item["question"],
                             "route": result.get("route"), "why": why})
    right = sum(v[0] for v in per_type.values())
    return {"per_type": {k: {"right": v[0], "total": v[1], "score": v[0] / v[1] if v[1] else 0.0}
                         for k, v in per_type.items()},
            "overall": {"right": right, "total": len(items), "score": right / len(items) if items else 0.0},
            "failures": failures, "seconds": round(time.perf_counter() - start, 2)}


def format_report(report: dict) -> str:
    lines = ["type        right/total  score"]
    for kind in ("fact", "trend", "narrative", "none"):
        if kind in report["per_type"]:
            v = report["per_type"][kind]
            lines.append(f"{kind:<11} {v['right']:>5}/{v['total']:<5}  {v['score']:.1%}")
    o = report["overall"]
    lines.append(f"{'overall':<11} {o['right']:>5}/{o['total']:<5}  {o['score']:.1%}   ({report['seconds']} s)")
    if report["failures"]:
        lines.append("")
        lines.append("failures:")
        for f in report["failures"]:
            lines.append(f"  {f['id']} [{f['type']}] route={f['route']} {f['question']}\n      {f['why']}")
    return "\n".join(lines)
