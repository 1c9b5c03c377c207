"""Agency and year detection on converted copies of every corpus report: variant × correct/total.

    .venv/bin/python scripts/harness_metadata.py [--show-misses]

Each corpus report is rendered as PDF→markdown tools and OCR leave it (tests/metadata_variants.py),
written to a temporary file, read by the real reader and passed to ingest.metadata.assess.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import metadata, readers  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402
from tests.metadata_variants import originals, variants  # noqa: E402


def run(corpus: Path = CORPUS) -> list[dict]:
    """One row per (report, variant): expected and detected agency/year with confidences."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for o in originals(corpus):
            for name, file_name, text in variants(o):
                d = Path(tmp) / f"{len(rows)}"
                d.mkdir()
                f = d / file_name
                f.write_text(text, encoding="utf-8")
                det = metadata.assess(readers.read(f), f)
                rows.append({"report": o.path.name, "variant": name, "expected": (o.agency, o.year),
                             "got": det.as_tuple(), "agency_confidence": det.agency_confidence,
                             "year_confidence": det.year_confidence})
    return rows


def table(rows: list[dict]) -> str:
    by = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        t = by[r["variant"]]
        t[0] += r["got"][0] == r["expected"][0]
        t[1] += r["got"][1] == r["expected"][1]
        t[2] += r["got"] == r["expected"]
        t[3] += 1
    lines = ["| variant | agency | year | both |", "|---|---|---|---|"]
    total = [0, 0, 0, 0]
    for v, t in by.items():
        lines.append(f"| {v} | {t[0]}/{t[3]} | {t[1]}/{t[3]} | {t[2]}/{t[3]} |")
        total = [a + b for a, b in zip(total, t)]
    lines.append(f"| **all** | {total[0]}/{total[3]} | {total[1]}/{total[3]} | {total[2]}/{total[3]} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    rows = run()
    print(table(rows))
    if args.show_misses:
        for r in rows:
            if r["got"] != r["expected"]:
                print(f"MISS {r['report']} [{r['variant']}]: got {r['got']} ({r['agency_confidence']}/"
                      f"{r['year_confidence']}), expected {r['expected']}")
    return 0 if all(r["got"] == r["expected"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
