"""Comparisons across agencies: one figure ranked over agencies (2023年哪个部门收到的申请最多？ 各部门行政复议
数量排名) and each agency's change from its previous report (各部门2024年申请量比上年变化).

Every value is a stored figure; ranks, differences and rates are computed from them and said to be.
"""
from __future__ import annotations

from .facts_route import Figure
from .textutil import fmt_number


def _label(fig: Figure, one_year: bool) -> str:
    return fig.agency if one_year else f"{fig.agency}（{fig.year}年）"


def competition_ranks(values: list[float], descending: bool = True) -> list[int]:
    """Places 1, 2, 2, 4 for the values in their given order: equal figures share a place."""
    order = sorted(range(len(values)), key=lambda i: -values[i] if descending else values[i])
    places = [0] * len(values)
    for n, i in enumerate(order):
        places[i] = places[order[n - 1]] if n and values[i] == values[order[n - 1]] else n + 1
    return places


def ranked(figs: list[Figure], descending: bool = True) -> list[tuple[int, Figure]]:
    figs = sorted(figs, key=lambda f: f.agency)
    places = competition_ranks([f.fact["value"] for f in figs], descending)
    return sorted(zip(places, figs), key=lambda pf: (pf[0], pf[1].agency))


def annotate(facts: list[dict], history: list[dict]) -> None:
    """Give each fact (a dict with metric, agency, year, value) its place among the agencies for the same
    metric and year, and its change from the same agency's previous stored year in ``history``."""
    groups: dict[tuple, list[dict]] = {}
    for f in facts:
        groups.setdefault((f["metric"], f["year"]), []).append(f)
    for group in groups.values():
        for f, place in zip(group, competition_ranks([f["value"] for f in group])):
            f["rank"] = place
    earlier: dict[tuple, list[dict]] = {}
    for h in history:
        earlier.setdefault((h["metric"], h["agency"]), []).append(h)
    for f in facts:
        before = [h for h in earlier.get((f["metric"], f["agency"]), []) if (h["year"] or 0) < (f["year"] or 0)]
        if not before or f["year"] is None:
            continue
        prev = max(before, key=lambda h: h["year"])
        f["previous_year"], f["previous_value"] = prev["year"], prev["value"]
        f["change"] = f["value"] - prev["value"]
        f["change_rate"] = round(f["change"] / prev["value"] * 100, 1) if prev["value"] else None  # per cent


def ranking_text(figs: list[Figure], what: str, op: str, missing: list[str]) -> tuple[str, dict]:
    one_year = len({f.year for f in figs}) == 1
    unit = figs[0].fact["unit"] or ""
    places = ranked(figs, descending=op != "min")
    head = f"{figs[0].year}年" if one_year else "各机关最新报告中"
    order = "从少到多" if op == "min" else "从多到少"
    listed = "；".join(f"第{p}名 {_label(f, one_year)} {fmt_number(f.fact['value'])}{unit}" for p, f in places)
    text = f"{head}{what}，{len(figs)}个机关{order}排列：{listed}。"
    if op in ("max", "min"):
        best = [f for p, f in places if p == 1]
        word = "最少" if op == "min" else "最多"
        text += f"{word}的是{'、'.join(_label(f, one_year) for f in best)}（{fmt_number(best[0].fact['value'])}{unit}）。"
    if not one_year:
        text += "各机关的年份不同，比较时请注意。"
    text += "排名只包括报告库中有该项数字的机关。"
    if missing:
        text += "没有以下报告的数字：" + "、".join(missing) + "。"
    text += "来源：" + "、".join(f"《{s}》" for s in sorted({f.report['file_name'] for f in figs})) + "。"
    table = {"columns": ["排名", "机关"] + ([] if one_year else ["年份"]) + ["数值", "单位", "报告"],
             "rows": [[p, f.agency] + ([] if one_year else [f.year]) + [f.fact["value"], f.fact["unit"],
                                                                         f.report["file_name"]]
                      for p, f in places]}
    # The chart draws the agencies (first column) against their figures, not the ranks.
    table["chart_columns"] = ["机关", "数值"]
    return text, table


def changes(figs: list[Figure]) -> tuple[list[tuple[Figure, Figure]], list[Figure]]:
    """Per agency, (previous report's figure, the latest's); agencies with one year only come back apart."""
    by_agency: dict[str, list[Figure]] = {}
    for f in figs:
        by_agency.setdefault(f.agency, []).append(f)
    pairs, alone = [], []
    for agency in sorted(by_agency):
        mine = sorted(by_agency[agency], key=lambda f: f.year)
        if len(mine) >= 2:
            pairs.append((mine[-2], mine[-1]))
        else:
            alone.append(mine[0])
    return pairs, alone


def changes_text(figs: list[Figure], what: str, missing: list[str]) -> tuple[str, dict] | None:
    pairs, alone = changes(figs)
    if not pairs:
        return None
    unit = figs[0].fact["unit"] or ""
    pairs.sort(key=lambda p: -(p[1].fact["value"] - p[0].fact["value"]))
    parts, rows = [], []
    for before, after in pairs:
        d = after.fact["value"] - before.fact["value"]
        rate = f"{d / before.fact['value'] * 100:+.1f}%" if before.fact["value"] else ""
        gap = f"（没有{after.year - 1}年的报告，与{before.year}年比较）" if after.year - before.year > 1 else ""
        parts.append(f"{after.agency}{gap}{before.year}年{fmt_number(before.fact['value'])}{unit}→{after.year}年"
                     f"{fmt_number(after.fact['value'])}{unit}，{'增加' if d >= 0 else '减少'}{fmt_number(abs(d))}{unit}"
                     + (f"（{rate}）" if rate else ""))
        rows.append([after.agency, before.year, before.fact["value"], after.year, after.fact["value"], d,
                     rate or "—", f"{before.report['file_name']}；{after.report['file_name']}"])
    text = f"{what}，各机关与各自上一份报告相比（按增加量从多到少）：" + "；".join(parts) + "。变化量和变化率由两年的数字计算。"
    if alone:
        text += "以下机关只有一年的数字，无法比较：" + "、".join(f"{f.agency}（{f.year}年）" for f in alone) + "。"
    if missing:
        text += "没有以下报告的数字：" + "、".join(missing) + "。"
    table = {"columns": ["机关", "比较年份", "比较年份数值", "年份", "数值", "变化", "变化率", "报告"], "rows": rows,
             "chart_columns": ["机关", "变化"]}
    return text, table
