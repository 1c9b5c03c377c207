"""Ingest the whole shared corpus into a fresh data directory and print throughput and coverage.

    .venv/bin/python scripts/bench_ingest.py [--corpus ../shared/corpus] [--data-dir bench-data]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import expand, ingest_paths  # noqa: E402
from ingest.settings import load  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--data-dir", default=str(ROOT / "bench-data"))
    args = ap.parse_args()
    shutil.rmtree(args.data_dir, ignore_errors=True)
    cfg = load(data_dir=args.data_dir)
    files = expand([Path(args.corpus) / d for d in ("reports", "html", "pdf")])

    t0 = time.perf_counter()
    from ingest.embeddings import get_embeddings
    get_embeddings(cfg)
    t_model = time.perf_counter() - t0
    t1 = time.perf_counter()
    results = ingest_paths(cfg, files)
    elapsed = time.perf_counter() - t1

    ok = [r for r in results if r.status == "ok"]
    templ = [r for r in ok if r.cells_expected]
    print(f"{'file':40} {'facts':>6} {'chunks':>6} {'cells':>9} {'warn':>5}")
    for r in results:
        cells = f"{r.cells_read}/{r.cells_expected}" if r.cells_expected else "-"
        print(f"{r.file[:40]:40} {r.facts:6} {r.chunks:6} {cells:>9} {len(r.warnings):5}  {r.error or ''}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"files: {len(results)}  stored: {len(ok)}  failed: {len(results) - len(ok)}")
    print(f"model load: {t_model:.1f} s   ingest: {elapsed:.1f} s   reports/s: {len(ok) / elapsed:.2f}")
    print(f"facts per report: {sum(r.facts for r in ok) / max(len(ok), 1):.1f}"
          f"   chunks per report: {sum(r.chunks for r in ok) / max(len(ok), 1):.1f}")
    read = sum(r.cells_read for r in templ)
    expected = sum(r.cells_expected for r in templ)
    print(f"template table cells (2019+ reports, {len(templ)} files): extracted {read} of {expected} expected"
          f" ({100 * read / max(expected, 1):.1f}%)")
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
