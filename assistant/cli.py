"""python -m assistant ask|eval|paraphrase|facts|reports|audit — the assistant from the command line."""
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


AUDIT_FIELDS = ("report", "agency", "year", "kind", "severity", "check", "cells", "sentences", "message")


def _cell_text(c: dict) -> str:
    where = f"{c.get('report')} " if c.get("report") else ""
    value = c.get("value")
    shown = int(value) if isinstance(value, float) and value.is_integer() else value
    return f"{where}{c.get('row')}|{c.get('column')}={shown}"


def cmd_audit(args) -> int:
    found = _assistant(args).findings(agency=args.agency, year=args.year, severity=args.severity, kind=args.kind)
    if args.format == "json":
        _print_json([{k: f[k] for k in AUDIT_FIELDS} | {"other_report": f["other_report"]} for f in found])
        return 0
    if args.format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(AUDIT_FIELDS)
        for f in found:
            w.writerow([f["report"], f["agency"], f["year"], f["kind"], f["severity"], f["check"],
                        "; ".join(_cell_text(c) for c in f["cells"]),
                        " / ".join(f"第{s['line']}行：{s['text']}" for s in f["sentences"]), f["message"]])
        return 0
    for f in found:
        print(f"{f['severity']:<8}{f['kind']:<13}{f['report']} ({f['agency']} {f['year']}): {f['message']}")
        for s in f["sentences"]:
            print(f"        第{s['line']}行：{' '.join(s['text'].split())[:160]}")
        if f["cells"]:
            print(f"        单元格：{'; '.join(_cell_text(c) for c in f['cells'])}")
    counts = {}
    for f in found:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    print(f"{len(found)} findings" + (" (" + ", ".join(f"{k} {v}" for k, v in counts.items()) + ")" if counts else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    from ingest.settings import epilog
    p = argparse.ArgumentParser(prog="python -m assistant", description="Ask the stored annual reports.",
                                epilog=epilog("store", "embedding", "retrieval", "llm"),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
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
    au = sub.add_parser("audit", help="findings for reviewers: inconsistencies in and across reports")
    au.add_argument("--agency", help="agency name, or part of it")
    au.add_argument("--year", type=int)
    au.add_argument("--severity", choices=["error", "warning", "note"])
    au.add_argument("--kind", choices=["in-table", "prose-table", "percentage", "across-years", "shape", "structure"])
    au.add_argument("--format", choices=["table", "json", "csv"], default="table")
    common(au)
    au.set_defaults(func=cmd_audit)
    return p


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
