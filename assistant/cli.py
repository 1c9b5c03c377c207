"""python -m assistant ask|eval|paraphrase|facts|reports — the assistant from the command line."""
from __future__ import annotations

import argparse
import csv
import json
import logging
import sys


def _config(args):
    from ingest.settings import load
    return load(args.config, data_dir=args.data_dir)


def _assistant(args):
    from .service import Assistant
    return Assistant(_config(args))


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_ask(args) -> int:
    history = None
    if args.history:
        with open(args.history, encoding="utf-8") as fh:
            history = json.load(fh)
    result = _assistant(args).ask(args.question, history)
    if args.json:
        _print_json(result)
        return 0
    print(result["answer"])
    if result.get("table"):
        print()
        print("\t".join(result["table"]["columns"]))
        for row in result["table"]["rows"]:
            print("\t".join(str(c) for c in row))
    for i, src in enumerate(result.get("sources", [])[:3], 1):
        print(f"\n[{i}] {src['report']} {src.get('section') or ''} ({src.get('char_start')}-{src.get('char_end')})")
        print("    " + " ".join(src["text"].split())[:200])
    for w in result.get("warnings", []):
        print(f"\n! {w}")
    return 0


def cmd_eval(args) -> int:
    from .evaluate import format_report, run
    report = run(_assistant(args), args.file)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


def cmd_paraphrase(args) -> int:
    from .paraphrase import format_report, run
    report = run(_assistant(args), args.file, seed=args.seed, limit=args.limit)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


def cmd_facts(args) -> int:
    facts = _assistant(args).facts(agency=args.agency, year=args.year, table=args.table, row=args.row,
                                   column=args.column)
    if args.format == "csv":
        cols = ["agency", "year", "table", "row", "column", "value", "unit", "kind", "report"]
        w = csv.writer(sys.stdout)
        w.writerow(cols + ["source_text"])
        for f in facts:
            w.writerow([f[c] for c in cols] + [" ".join(f["source"]["text"].split())])
    else:
        _print_json(facts)
    return 0


def cmd_reports(args) -> int:
    reports = _assistant(args).reports()
    if args.format == "json":
        _print_json(reports)
        return 0
    for r in reports:
        print(f"{r['id']:>4}  {r['agency']}  {r['year']}  {r['file_name']}  facts={r['n_facts']}  "
              f"warnings={len(r['warnings'])}")
        for w in r["warnings"]:
            print(f"        ! {w}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="Ask the stored annual reports.")
    p.add_argument("--config", help="config.toml to read (default: the project's)")
    p.add_argument("--data-dir", help="data folder with the fact store and the index")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        # Accepted after the sub-command too (python -m assistant ask "…" --data-dir D).
        sp.add_argument("--config", default=argparse.SUPPRESS)
        sp.add_argument("--data-dir", default=argparse.SUPPRESS)

    a = sub.add_parser("ask", help="answer one question")
    a.add_argument("question")
    a.add_argument("--history", help="JSON file with earlier turns [{role, content}, …]")
    a.add_argument("--json", action="store_true", help="print the whole answer object")
    common(a)
    a.set_defaults(func=cmd_ask)
    e = sub.add_parser("eval", help="score a question set (shared/eval format)")
    e.add_argument("file")
    e.add_argument("--json", action="store_true")
    common(e)
    e.set_defaults(func=cmd_eval)
    pp = sub.add_parser("paraphrase", help="how often a figure question's answer survives rewording")
    pp.add_argument("file")
    pp.add_argument("--seed", type=int, default=0)
    pp.add_argument("--limit", type=int, help="first N figure questions only")
    pp.add_argument("--json", action="store_true")
    common(pp)
    pp.set_defaults(func=cmd_paraphrase)
    f = sub.add_parser("facts", help="list stored facts")
    f.add_argument("--agency")
    f.add_argument("--year", type=int)
    f.add_argument("--table")
    f.add_argument("--row")
    f.add_argument("--column")
    f.add_argument("--format", choices=["json", "csv"], default="json")
    common(f)
    f.set_defaults(func=cmd_facts)
    r = sub.add_parser("reports", help="list stored reports with their warnings")
    r.add_argument("--format", choices=["text", "json"], default="text")
    common(r)
    r.set_defaults(func=cmd_reports)
    return p


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
