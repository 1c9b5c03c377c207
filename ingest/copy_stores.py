"""python -m ingest.copy_stores --to KEY=VALUE ...: the stores copied to other engines without reading
or embedding a report again, as when a deployment outgrows one machine (SQLite and embedded Chroma
to PostgreSQL and a Chroma server).

The source is the stores the settings name (config.toml, RA_* variables, --data-dir); the destination
is the same settings with the --to changes. The vectors are copied first, then the fact store in one
transaction, so a copy that stops part-way leaves the destination's fact store empty and is simply
run again: vectors already there are skipped, and an ingest sweeps any the fact store does not list.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from .engines import describe, display, unreachable_errors
from .factstore import FactStore, StoreNotEmpty, store_url
from .settings import Config, epilog, from_text, load
from .writer_lock import writer


@dataclass
class Copied:
    reports: int
    facts: int
    chunks: int
    vectors: int
    seconds: float


def _where(config: Config) -> tuple[str, str]:
    index = (f"{config.chroma_host}:{config.chroma_port}" if config.chroma_mode == "server"
             else str(config.data_path / "chroma")) + f"/{config.collection}"
    return display(store_url(config)), index


def copy_stores(source: Config, dest: Config, on_step=None) -> Copied:
    """Copy ``source``'s fact store and vectors into ``dest``'s, whose fact store must hold no report.
    ``on_step(message)`` hears how far it is."""
    from .vector_index import VectorIndex

    if _where(source)[0] == _where(dest)[0] or _where(source)[1] == _where(dest)[1]:
        raise ValueError("the destination is the source (change fact_store_url, or chroma_mode/host/port/"
                         "collection, with --to)")
    say = on_step or (lambda message: None)
    t0 = time.perf_counter()
    src_store = FactStore.for_config(source, readonly=True)
    try:
        src_index = VectorIndex(source, readonly=True)
        ids = sorted(src_store.chunk_ids(dense=True))  # vectors the source's fact store does not list stay behind
        with writer(dest):
            dst_store = FactStore.for_config(dest)
            try:
                dst_store.refuse_unless_empty()  # before any vector is written
                dst_index = VectorIndex(dest)
                vectors = dst_index.copy_from(src_index, ids, lambda n: say(f"vectors {n}/{len(ids)}"))
                rows = dst_store.copy_from(src_store, lambda table, n: say(f"{table} {n}"))
            finally:
                dst_store.close()
    finally:
        src_store.close()
    return Copied(rows["reports"], rows["facts"], rows["chunks"], vectors, time.perf_counter() - t0)


def _change(text: str) -> tuple[str, object]:
    key, sep, raw = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r}: give KEY=VALUE, e.g. fact_store_url=postgresql+psycopg://…")
    try:
        return key.strip(), from_text(key.strip(), raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.copy_stores",
                                 description="Copy the fact store and the vector index to other engines "
                                             "(no report is read or embedded again).",
                                 epilog=epilog("store"), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", help="config file of the source (default: config.toml)")
    ap.add_argument("--data-dir", help="the source's data dir (overrides config)")
    ap.add_argument("--to", type=_change, action="append", required=True, metavar="KEY=VALUE",
                    help="a setting of the destination, e.g. --to fact_store_url=postgresql+psycopg://u@h/db "
                         "--to chroma_mode=server --to chroma_host=h --to chroma_port=8000")
    args = ap.parse_args(argv)
    source = load(args.config, data_dir=args.data_dir)
    dest = source.replace(**dict(args.to))
    step = lambda message: print(f"\r  {message:<40}", end="", file=sys.stderr, flush=True)  # noqa: E731
    try:
        done = copy_stores(source, dest, step)
    except unreachable_errors() as exc:
        print(f"\n错误：无法连接存储 (store unreachable): {describe(exc)}", file=sys.stderr)
        return 2
    except (StoreNotEmpty, ValueError, FileNotFoundError) as exc:
        print(f"\n错误：{exc}", file=sys.stderr)
        return 2
    print(f"\ncopied {done.reports} reports, {done.facts} facts, {done.chunks} chunks and {done.vectors} vectors "
          f"to {' and '.join(_where(dest))} in {done.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
