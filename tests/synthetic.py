"""Synthetic annual reports: the 2019 and 2021 templates filled with random figures that satisfy the
template's sums, under random but realistic agency names, with prose around the tables.

Rendered in the layouts of tests/layouts.py and read back: every cell must come out exact, or its
row be flagged (unreadable, or a template check naming it failed), never a wrong figure.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from ingest.checks import check
from ingest.readers import read
from ingest import tables
from ingest.template import FORMATS, OUTCOME_ROWS_2019, OUTCOME_ROWS_2021, detect_format

from .layouts import Key, Report, render

_CITY_A = "江临清东西南云安平长新永龙金宁丰兴泰华德"
_CITY_B = "北川河州阳山江城宁兴安源水海原林口峰湖"
_LEVELS = (("市", "区"), ("市", "县"), ("州", "市"), ("市", "区"))
_BUREAUS = ("人民政府", "住房和城乡建设局", "人力资源和社会保障局", "卫生健康委员会", "文化和旅游局",
            "市场监督管理局", "发展和改革委员会", "自然资源和规划局", "教育局", "财政局", "公安局",
            "生态环境局", "交通运输局", "农业农村局", "水利局", "司法局", "民政局", "应急管理局",
            "人民政府办公室", "经济开发区管理委员会")


def agency_name(rng: random.Random) -> str:
    """某市某区某局, from parts: 江北市临川区住房和城乡建设局."""
    city = rng.choice(_CITY_A) + rng.choice(_CITY_B)
    county = rng.choice(_CITY_A) + rng.choice(_CITY_B)
    lv1, lv2 = rng.choice(_LEVELS)
    bureau = rng.choice(_BUREAUS)
    return (f"{city}{lv1}{county}{lv2}" if rng.random() < 0.7 else f"{city}{lv1}") + bureau


def _count(rng: random.Random, big: int = 50) -> int:
    """Mostly zeros and small counts, as real reports; now and then a large one."""
    r = rng.random()
    if r < 0.45:
        return 0
    if r < 0.8:
        return rng.randint(1, 9)
    if r < 0.95:
        return rng.randint(10, big)
    return rng.randint(big, big * 40)


def _amount(rng: random.Random) -> float | int:
    return 0 if rng.random() < 0.3 else round(rng.uniform(0.1, 5000), rng.choice((1, 2)))


def figures(rng: random.Random, fmt: str) -> tuple[dict[Key, float | int], dict[Key, str]]:
    cells: dict[Key, float | int] = {}
    units: dict[Key, str] = {}
    for t in FORMATS[fmt].tables:
        if not t.key.startswith("item"):
            continue
        for r in t.rows:
            for c in t.columns:
                key = (t.key, r.key, c.key)
                if c.key in ("fee_amount", "amount"):
                    cells[key] = _amount(rng)
                    if not c.unit:
                        units[key] = "万元"
                else:
                    cells[key] = _count(rng, 500 if r.key in ("license", "penalty") else 30)
    outcome = OUTCOME_ROWS_2019 if fmt == "2019" else OUTCOME_ROWS_2021
    cols = [c.key for c in FORMATS[fmt].table("applications").columns if c.key != "total"]
    for col in cols:
        active = rng.random() < (0.9 if col == "natural" else 0.4)
        vals = {r: (_count(rng, 40) if active else 0) for r in outcome}
        total = sum(vals.values())
        carried_out = _count(rng, 20) if active else 0
        carried_in = rng.randint(0, min(total + carried_out, 6)) if active else 0
        vals.update(total=total, carried_out=carried_out, carried_in=carried_in,
                    new=total + carried_out - carried_in)
        for r, v in vals.items():
            cells[("applications", r, col)] = v
    for r in {k[1] for k in cells if k[0] == "applications"}:
        cells[("applications", r, "total")] = sum(cells[("applications", r, c)] for c in cols)
    for r in FORMATS[fmt].table("review").rows:
        parts = [_count(rng, 20) for _ in range(4)]
        for c, v in zip(("upheld", "corrected", "other", "pending", "total"), parts + [sum(parts)]):
            cells[("review", r.key, c)] = v
    return cells, units


def prose(rng: random.Random, agency: str, year: int) -> dict[str, list[str]]:
    n = lambda: rng.randint(1, 3000)  # noqa: E731
    return {
        "": [f"本报告由{agency}根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室"
             f"有关要求编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
             f"如对本报告有任何疑问，请与{agency}办公室联系（电话：0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}）。"],
        "一": [f"{year}年，{agency}坚持以人民为中心，认真贯彻落实《条例》。全年主动公开政府信息{n()}条，"
               f"其中通过政府网站发布{n()}条，政务新媒体发布{n()}条。",
               f"（一）依申请公开。全年共收到政府信息公开申请{n()}件，均在法定期限内答复。",
               f"（二）政府信息管理。清理规范性文件{rng.randint(1, 90)}件，举办新闻发布会{rng.randint(1, 20)}场。"],
        "五": [f"一是公开内容的规范性有待提高；二是政策解读形式较为单一。下一步，{agency}将加强培训{rng.randint(1, 9)}次。"],
        "六": [f"本年度{agency}未收取信息处理费。" if rng.random() < 0.7 else
               f"本年度收取信息处理费{rng.randint(1, 900)}元。"],
    }


def report(rng: random.Random) -> tuple[Report, str]:
    year = rng.randint(2019, 2025)
    fmt = "2019" if year <= 2020 else "2021"
    agency = agency_name(rng)
    cells, units = figures(rng, fmt)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    if fmt == "2021" and rng.random() < 0.2:
        _single_other(cells)
    text = prose(rng, agency, year)
    if rng.random() < 0.5:  # figures in sentences right before the tables
        text["二"] = [f"{year}年，制发规范性文件{rng.randint(1, 40)}件，作出行政许可决定{rng.randint(1, 900)}件。"]
        text["三"] = [rng.choice(("全年共新收政府信息公开申请{}件，上年结转{}件。",
                                  "本年新收政府信息公开申请{}件，上年结转政府信息公开申请{}件，予以公开的占多数。"))
                      .format(rng.randint(1, 300), rng.randint(0, 9))]
        text["四"] = [f"全年发生政府信息公开行政复议案件{rng.randint(0, 9)}件、行政诉讼案件{rng.randint(0, 9)}件。"]
    return Report(title, fmt, year, text, cells, units), agency


def _single_other(cells: dict[Key, float | int]) -> None:
    """Some 2021-format reports print （六）其他处理 as one row, without its three sub-rows."""
    subs = ("other_no_correction", "other_no_fee", "other_other")
    for col in {k[2] for k in cells if k[0] == "applications"}:
        cells[("applications", "other", col)] = sum(cells.pop(("applications", r, col)) for r in subs)


@dataclass
class Tally:
    exact: int = 0
    flagged: int = 0
    wrong: int = 0
    examples: list[str] = field(default_factory=list)


def read_back(path: Path, rep: Report, tally: Tally) -> None:
    """Count each cell of the report as exact, flagged (row unreadable / its check failed) or wrong."""
    doc = read(path)
    fmt = detect_format(doc.text, rep.year)
    result = tables.extract(doc, fmt) if fmt else None
    got = {(f.table_key, f.row_key, f.column_key): f.value for f in (result.facts if result else [])
           if f.kind == "table"}
    warnings = check(result.facts, fmt) if result else []
    labels = {(t.key, r.key): r.label for t in FORMATS[rep.fmt].tables for r in t.rows}
    cols = {(t.key, c.key): c.label for t in FORMATS[rep.fmt].tables for c in t.columns}
    for key, v in rep.cells.items():
        if key not in got:
            tally.flagged += 1
        elif got[key] == v:
            tally.exact += 1
        elif any(f"「{labels.get(key[:2], '?')}」" in w or f"「{cols.get((key[0], key[2]), '?')}」" in w
                 for w in warnings):
            tally.flagged += 1
        else:
            tally.wrong += 1
            if len(tally.examples) < 20:
                tally.examples.append(f"{path} {key}: expected {v}, read {got[key]}")


def run(n: int, seed: int, layouts: list[str], folder: Path) -> dict[str, Tally]:
    rng = random.Random(seed)
    out = {lay: Tally() for lay in layouts}
    for i in range(n):
        rep, _ = report(rng)
        for lay in layouts:
            path = render(rep, lay, folder / lay.replace(":", "_").replace(" ", "_"))
            wrong = out[lay].wrong
            read_back(path, rep, out[lay])
            if out[lay].wrong > wrong:  # keep the file that read wrong, for the report
                keep = folder / "wrong" / f"{i}-{path.parent.name}{path.suffix}"
                keep.parent.mkdir(exist_ok=True)
                keep.write_bytes(path.read_bytes())
                out[lay].examples[-1] += f" (kept as {keep})"
    return out
