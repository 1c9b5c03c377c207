"""python -m ingest PATH... [--data-dir DIR] [--agency A] [--year Y] | python -m ingest --check | --repair"""
from __future__ import annotations

import argparse
import logging
import sys

from tqdm import tqdm

from .engines import describe, unreachable_errors
from .settings import epilog, load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest",
                                 description="Ingest annual reports (PDF, HTML, TXT) into the fact store and the Chroma index.",
                                 epilog=epilog("store", "embedding", "limits"),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="report files or folders")
    ap.add_argument("--config", help="config file (default: config.toml)")
    ap.add_argument("--data-dir", help="where the stores live (overrides config)")
    ap.add_argument("--agency", help="agency name for every file (overrides what the report says; stored as given)")
    ap.add_argument("--year", type=int, help="year covered, for every file (overrides the report; stored as given)")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    ap.add_argument("--force", action="store_true",
                    help="read every file again, even one stored unchanged by this version of the readers")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="compare the fact store's chunks with the vector index and report what is missing")
    mode.add_argument("--repair", action="store_true",
                      help="embed again chunks without vectors and drop vectors without chunks")
    args = ap.parse_args(argv)
    if (args.check or args.repair) and args.paths:
        ap.error("--check/--repair take no paths")
    if not (args.check or args.repair or args.paths):
        ap.error("give report files or folders, or --check / --repair")
    if args.year is not None and not 1990 <= args.year <= 2100:
        ap.error(f"--year {args.year}: not a report year")
    if args.agency is not None and not args.agency.strip(" #\t"):
        ap.error("--agency is empty")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    config = load(args.config, data_dir=args.data_dir)
    try:
        return _run(args, config)
    except unreachable_errors() as exc:
        # A store that cannot be reached (a server down, a wrong URL): one line, no traceback.
        print(f"错误：无法连接存储 (store unreachable): {describe(exc)}", file=sys.stderr)
        return 2


def _run(args, config) -> int:
    if args.check or args.repair:
        return _consistency(config, repair=args.repair)

    from .pipeline import expand, ingest_paths
    files = expand(args.paths)
    if not files:
        print("没有找到可导入的文件 (no .pdf/.html/.htm/.txt/.md files under the given paths)", file=sys.stderr)
        return 2
    bar = tqdm(total=len(files), unit="file", disable=args.quiet, file=sys.stderr)

    def progress(done, total, name):
        bar.set_postfix_str(name[:30])
        bar.update(1)

    def waiting(message):
        bar.write(message, file=sys.stderr)

    def finished(r):
        # As each file finishes, so a long run shows where it is and a killed run what it did.
        for line in _result_lines(r):
            bar.write(line, file=sys.stdout)

    results = ingest_paths(config, files, agency=args.agency, year=args.year, force=args.force,
                           on_progress=progress,
                           on_result=finished, on_wait=waiting)
    bar.close()
    failed = sum(r.status == "failed" for r in results)
    changed = sum(r.status == "ok" for r in results)
    print(f"{len(results) - failed} of {len(results)} files stored in {config.data_path} "
          f"({changed} read, {len(results) - failed - changed} unchanged, {failed} failed)")
    return 1 if failed else 0


def _result_lines(r) -> list[str]:
    if r.status == "failed":
        return [f"FAILED    {r.error}"]
    cells = f", cells {r.cells_read}/{r.cells_expected}" if r.cells_expected else ""
    doubt = [f"{what} {conf}" for what, conf in (("agency", r.agency_confidence), ("year", r.year_confidence))
             if conf == "low"]
    doubt_note = f" (low confidence: {', '.join(doubt)}; check, or set --agency/--year)" if doubt else ""
    return [f"{r.status.upper():9} {r.file}: {r.agency} {r.year or '?'}{doubt_note} — facts {r.facts}, "
            f"chunks {r.chunks}{cells}, warnings {len(r.warnings)}"] + [f"        ! {w}" for w in r.warnings]


def _consistency(config, repair: bool) -> int:
    from .pipeline import check_stores, repair_stores
    found = (repair_stores if repair else check_stores)(config)
    print(f"chunks {found.chunks} ({found.words_only} table rows searched by words only), vectors {found.vectors}: "
          f"{len(found.missing)} chunks without a vector, "
          f"{len(found.orphans)} vectors without a chunk")
    for name in found.reports:
        print(f"MISSING   {name}: some passages have no vector")
    if found.ok:
        print("OK        the fact store and the vector index agree")
        return 0
    if repair:
        print(f"REPAIRED {len(found.missing)} vectors embedded again, {len(found.orphans)} dropped")
        return 0
    print("run `python -m ingest --repair` to fix")
    return 1


if __name__ == "__main__":
    sys.exit(main())
