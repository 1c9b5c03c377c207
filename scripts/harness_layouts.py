"""Layout-mutation harness: every template-era corpus report re-rendered in each layout readers meet,
read back, and its template cells compared with the original's.

    .venv/bin/python scripts/harness_layouts.py [--layouts markdown,pdf] [--misses]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS  # noqa: E402
from tests.layouts import LAYOUTS, chromium, run_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    ap.add_argument("--misses", action="store_true", help="list every cell not read back equal")
    args = ap.parse_args()
    layouts = args.layouts.split(",")
    if "pdf" in layouts and not chromium():
        print("pdf: skipped, chromium not installed (run `make browser`)")
        layouts.remove("pdf")
    with tempfile.TemporaryDirectory() as tmp:
        scores = run_corpus(CORPUS, layouts, Path(tmp))
    print(f"{'layout':<18} {'cells equal / in original':>26} {'wrong':>6} {'agency+year same':>17}")
    for lay, s in scores.items():
        pct = 100 * s.equal / s.expected if s.expected else 0
        print(f"{lay:<18} {s.equal:>10} / {s.expected:<6} {pct:5.1f}% {s.wrong:>6} {s.same_metadata:>8} / {s.reports}")
    if args.misses:
        for lay, s in scores.items():
            for m in s.misses:
                print(f"{lay}: {m}")


if __name__ == "__main__":
    main()
