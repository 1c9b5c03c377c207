"""Ingest the whole shared corpus into a fresh data directory and print throughput, where the time
went (parse / embed / Chroma write / fact store write), and coverage.

    .venv/bin/python scripts/bench_ingest.py [--corpus ../shared/corpus] [--data-dir bench-data]
        [--precision auto|int8|float32|bfloat16] [--again]

``--again`` ingests the same files a second time into the filled store (every file unchanged).
The machine may be shared: CPU seconds of this process are printed beside wall-clock seconds.
"""
from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import pipeline  # noqa: E402
from ingest.pipeline import expand, ingest_paths  # noqa: E402
from ingest.settings import load  # noqa: E402

SPENT: dict[str, float] = {}


def timed(owner, name: str, label: str) -> None:
    """Add the wall-clock seconds spent in ``owner.name`` to SPENT[label] (outermost calls only)."""
    inner = getattr(owner, name)
    depth = [0]

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        depth[0] += 1
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                SPENT[label] = SPENT.get(label, 0.0) + time.perf_counter() - t
    setattr(owner, name, wrapper)


def instrument() -> None:
    from chromadb.api.models.Collection import Collection

    from ingest.embeddings import E5Embeddings
    from ingest.factstore import FactStore

    timed(pipeline, "parse", "parse")
    timed(E5Embeddings, "_encode", "embed")
    timed(Collection, "upsert", "chroma write")
    timed(FactStore, "replace_report", "fact store write")
    timed(pipeline, "refresh_across_years", "fact store write")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--data-dir", default=str(ROOT / "bench-data"))
    ap.add_argument("--precision", default=None, help="embedding_precision (default: the configured one)")
    ap.add_argument("--again", action="store_true", help="then ingest the same files again (all unchanged)")
    args = ap.parse_args()
    shutil.rmtree(args.data_dir, ignore_errors=True)
    cfg = load(data_dir=args.data_dir, embedding_precision=args.precision)
    files = expand([Path(args.corpus) / d for d in ("reports", "html", "pdf")])

    t0 = time.perf_counter()
    from ingest.embeddings import get_embeddings
    emb = get_embeddings(cfg)
    t_model = time.perf_counter() - t0
    instrument()
    t1, c1 = time.perf_counter(), time.process_time()
    results = ingest_paths(cfg, files)
    elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1

    ok = [r for r in results if r.status == "ok"]
    templ = [r for r in ok if r.cells_expected]
    print(f"{'file':40} {'facts':>6} {'chunks':>6} {'cells':>9} {'warn':>5}")
    for r in results:
        cells = f"{r.cells_read}/{r.cells_expected}" if r.cells_expected else "-"
        print(f"{r.file[:40]:40} {r.facts:6} {r.chunks:6} {cells:>9} {len(r.warnings):5}  {r.error or ''}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"files: {len(results)}  stored: {len(ok)}  failed: {len(results) - len(ok)}")
    runtime = "ONNX Runtime" if emb.precision == "int8" else f"torch, {sys.modules['torch'].get_num_threads()} threads"
    print(f"embedding: {emb.precision} on {cfg.embedding_device} ({runtime}), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"model load: {t_model:.1f} s   ingest: {elapsed:.1f} s (CPU {cpu:.1f} s)   reports/s: {len(ok) / elapsed:.2f}")
    other = elapsed - sum(SPENT.values())
    print("time: " + "   ".join(f"{k} {v:.1f} s ({100 * v / elapsed:.0f}%)" for k, v in SPENT.items())
          + f"   other {other:.1f} s ({100 * other / elapsed:.0f}%)")
    print(f"facts per report: {sum(r.facts for r in ok) / max(len(ok), 1):.1f}"
          f"   chunks per report: {sum(r.chunks for r in ok) / max(len(ok), 1):.1f}")
    read = sum(r.cells_read for r in templ)
    expected = sum(r.cells_expected for r in templ)
    print(f"template table cells (2019+ reports, {len(templ)} files): extracted {read} of {expected} expected"
          f" ({100 * read / max(expected, 1):.1f}%)")
    print(f"peak memory (RSS): {peak_mb:.0f} MB")
    if args.again:
        t2 = time.perf_counter()
        again = ingest_paths(cfg, files)
        took = time.perf_counter() - t2
        unchanged = sum(r.status == "unchanged" for r in again)
        print(f"again (same files): {unchanged} of {len(again)} unchanged in {took:.2f} s"
              f"   files/s: {len(again) / took:.1f}")


if __name__ == "__main__":
    main()
