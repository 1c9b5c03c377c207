"""Answer latency per route, after warm-up, and the cold-start time.

Questions: the dev set plus questions generated from the stored facts (table
cells and prose figures, in full and short agency names) and from the stored
sections (narrative). Targets on the 2-core reference machine: fact p95 < 50 ms,
narrative p95 < 150 ms.

    .venv/bin/python scripts/bench_answer.py [--data-dir DIR] [--n 300] [--seed 1]
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.agencies import name_forms  # noqa: E402
from ingest.settings import load  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "questions.jsonl"


def short_name(agency: str, rng: random.Random) -> str:
    forms = [f for f, w in name_forms(agency).items() if w >= 0.9]
    return rng.choice(forms) if forms else agency


def generate(assistant, n: int, rng: random.Random) -> list[tuple[str, list | None]]:
    qs: list[tuple[str, list | None]] = []
    if DEV.exists():
        for line in DEV.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            qs.append((d["question"], d.get("history")))
    facts = assistant.facts()
    table = [f for f in facts if f["kind"] in ("table", "derived")]
    prose = [f for f in facts if f["kind"] == "narrative" and f["unit"] not in ("%", "")]
    for f in rng.sample(table, min(len(table), n // 3)):
        col = "" if f["column_key"] == "total" else f"{f['column']}"
        qs.append((f"{short_name(f['agency'], rng)}{f['year']}年{f['row']}{col}有多少{f['unit'] or ''}？", None))
    for f in rng.sample(prose, min(len(prose), n // 4)):
        qs.append((f"{short_name(f['agency'], rng)}{f['year']}年{f['row']}有多少{f['unit']}？", None))
    topics = ["存在的主要问题", "改进措施", "主动公开工作", "依申请公开办理", "平台建设", "政策解读", "监督保障"]
    reports = assistant.reports()
    for _ in range(n // 4):
        r = rng.choice(reports) if reports else {"agency": "某机关", "year": 2020}
        qs.append((f"{short_name(r['agency'], rng)}{r['year']}年{rng.choice(topics)}有哪些做法？", None))
    return qs


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config")
    ap.add_argument("--data-dir")
    ap.add_argument("--n", type=int, default=300, help="generated questions (plus the dev set)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    config = load(args.config, data_dir=args.data_dir)

    t0 = time.perf_counter()
    from assistant import Assistant
    assistant = Assistant(config)
    t_open = time.perf_counter() - t0
    assistant.ask("2020年收到多少政府信息公开申请？")
    t_fact = time.perf_counter() - t0
    assistant.ask("政府信息公开工作存在哪些不足？")
    t_cold = time.perf_counter() - t0

    rng = random.Random(args.seed)
    questions = generate(assistant, args.n, rng)
    for q, h in questions[:20]:
        assistant.ask(q, h)  # warm-up: caches, lazy model parts
    by_route: dict[str, list[float]] = {}
    for q, h in questions:
        t = time.perf_counter()
        r = assistant.ask(q, h)
        by_route.setdefault(r["route"], []).append((time.perf_counter() - t) * 1000)

    print(f"reports: {len(assistant.reports())}, questions timed: {len(questions)}")
    print(f"cold start: open stores + build indexes {t_open:.2f} s; first fact answer at {t_fact:.2f} s; "
          f"first narrative answer (loads the embedding model) at {t_cold:.2f} s")
    print(f"{'route':<10} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  target")
    targets = {"fact": 50, "narrative": 150}
    for route in ("fact", "narrative", "none"):
        v = by_route.get(route, [])
        if not v:
            continue
        tgt = targets.get(route)
        ok = "" if tgt is None else (f"p95 < {tgt} ms: {'yes' if pct(v, 95) < tgt else 'NO'}")
        print(f"{route:<10} {len(v):>5} {statistics.median(v):>10.1f} {pct(v, 95):>8.1f} {max(v):>8.1f}  {ok}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
