"""Dense retrieval quality of each embedding precision, on its own (no BM25, no fusion).

For every narrative question of the given sets that names its report and an evidence phrase, the
report's chunks (read from a filled store) are ranked by cosine to the question, once per
precision; printed: hit@1, hit@3 and MRR of the first chunk holding the evidence, how often the
precisions put the same chunk first, and embedding time.

    .venv/bin/python scripts/bench_embedding_quality.py --data-dir D [--precisions float32,int8] SETS…

The data dir must hold the sets' reports (``python -m ingest ../shared/corpus --data-dir D``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.textutil import compact  # noqa: E402
from ingest.embeddings import get_embeddings  # noqa: E402
from ingest.factstore import FactStore  # noqa: E402
from ingest.settings import load  # noqa: E402


def cases(store: FactStore, sets: list[Path]) -> list[tuple[str, list[str], list[bool]]]:
    """(question, its report's chunk texts, which of them hold the evidence) per usable question."""
    out = []
    for path in sets:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if item.get("type") != "narrative" or not item.get("evidence") or not item.get("source_file"):
                continue
            report = store.report_by_name(item["source_file"])
            if not report:
                continue
            texts = [c["text"] for c in store.chunks(report["id"])]
            holds = [compact(item["evidence"]) in compact(t) for t in texts]
            if any(holds):
                out.append((item["question"], texts, holds))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="+", type=Path)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--precisions", default="float32,int8")
    args = ap.parse_args()
    cfg = load(data_dir=args.data_dir)
    store = FactStore.for_config(cfg)
    todo = cases(store, args.sets)
    print(f"{len(todo)} narrative questions with their evidence in a stored chunk")
    firsts = {}
    for precision in args.precisions.split(","):
        emb = get_embeddings(cfg.replace(embedding_precision=precision))
        t, ranks, first = time.perf_counter(), [], []
        for question, texts, holds in todo:
            scores = np.array(emb.embed_documents(texts)) @ np.array(emb.embed_query(question))
            order = list(np.argsort(-scores, kind="stable"))
            ranks.append(1 + min(order.index(i) for i, h in enumerate(holds) if h))
            first.append(int(order[0]))
        took = time.perf_counter() - t
        r = np.array(ranks)
        firsts[precision] = first
        print(f"{precision:9} hit@1 {np.mean(r == 1):.3f}  hit@3 {np.mean(r <= 3):.3f}  MRR {np.mean(1 / r):.3f}"
              f"  ({took:.1f} s)")
    names = list(firsts)
    for other in names[1:]:
        same = sum(a == b for a, b in zip(firsts[names[0]], firsts[other]))
        print(f"same first chunk, {names[0]} vs {other}: {same}/{len(todo)}")


if __name__ == "__main__":
    main()
