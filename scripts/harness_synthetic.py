"""Synthetic-report harness: random reports in the 2019 and 2021 templates, rendered in every text
layout, read back; prints exact / flagged / wrong cells per layout (wrong must be 0).

    .venv/bin/python scripts/harness_synthetic.py --n 1000 [--seed 7] [--layouts markdown,one-line]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.layouts import TEXT_LAYOUTS  # noqa: E402
from tests.synthetic import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="number of synthetic reports")
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--layouts", default=",".join(TEXT_LAYOUTS))
    ap.add_argument("--keep", help="folder to keep the files that read wrong (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        tallies = run(args.n, args.seed, args.layouts.split(","), folder)
        print(f"{args.n} reports, seed {args.seed}")
        print(f"{'layout':<18} {'exact':>8} {'flagged':>8} {'wrong':>6} {'exact %':>8}")
        for lay, t in tallies.items():
            total = t.exact + t.flagged + t.wrong
            print(f"{lay:<18} {t.exact:>8} {t.flagged:>8} {t.wrong:>6} {100 * t.exact / total:7.2f}%")
        for lay, t in tallies.items():
            for e in t.examples:
                print(f"wrong in {lay}: {e}")


if __name__ == "__main__":
    main()
