"""python -m ingest PATH... [--data-dir DIR] [--agency A] [--year Y]"""
from __future__ import annotations

import argparse
import logging
import sys

from tqdm import tqdm

from .settings import load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest",
                                 description="Ingest annual reports (PDF, HTML, TXT) into the fact store and the Chroma index.")
    ap.add_argument("paths", nargs="+", help="report files or folders")
    ap.add_argument("--config", help="config file (default: config.toml)")
    ap.add_argument("--data-dir", help="where the stores live (overrides config)")
    ap.add_argument("--agency", help="agency name for every file (overrides what the report says; stored as given)")
    ap.add_argument("--year", type=int, help="year covered, for every file (overrides the report; stored as given)")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    if args.year is not None and not 1990 <= args.year <= 2100:
        ap.error(f"--year {args.year}: not a report year")
    if args.agency is not None and not args.agency.strip(" #\t"):
        ap.error("--agency is empty")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    config = load(args.config, data_dir=args.data_dir)

    from .pipeline import expand, ingest_paths
    files = expand(args.paths)
    if not files:
        print("没有找到可导入的文件 (no .pdf/.html/.htm/.txt/.md files under the given paths)", file=sys.stderr)
        return 2
    bar = tqdm(total=len(files), unit="file", disable=args.quiet, file=sys.stderr)

    def progress(done, total, name):
        bar.set_postfix_str(name[:30])
        bar.update(1)

    results = ingest_paths(config, files, agency=args.agency, year=args.year, on_progress=progress)
    bar.close()
    failed = 0
    for r in results:
        if r.status == "failed":
            failed += 1
            print(f"FAILED  {r.error}")
            continue
        cells = f", cells {r.cells_read}/{r.cells_expected}" if r.cells_expected else ""
        doubt = [f"{what} {conf}" for what, conf in (("agency", r.agency_confidence), ("year", r.year_confidence))
                 if conf == "low"]
        doubt_note = f" (low confidence: {', '.join(doubt)}; check, or set --agency/--year)" if doubt else ""
        print(f"{r.status.upper():8}{r.file}: {r.agency} {r.year or '?'}{doubt_note} — facts {r.facts}, "
              f"chunks {r.chunks}{cells}, warnings {len(r.warnings)}")
        for w in r.warnings:
            print(f"        ! {w}")
    print(f"{len(results) - failed} of {len(results)} files stored in {config.data_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
