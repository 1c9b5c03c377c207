"""Scale benchmark: ingest 100, 1,000, 10,000 realistic reports and time the answering side at each size.

    .venv/bin/python scripts/bench_scale.py [--sizes 100,1000,10000] [--engines sqlite,postgres]
                                            [--work-dir bench-scale] [--seed 7] [--stop-at HH:MM] [--resume]
                                            [--copy-from bench-scale/sqlite]

Reports: the corpus's template-era text reports (../shared/corpus/reports, 2019 on) are the prose
templates; each generated report takes one of them (2019 format for 2019-2020, 2021 format after),
puts a generated agency name (tests/synthetic.agency_name: 某市某区某局) in place of the original's,
moves its years, changes the counts in its sentences, and fills the template tables with random
figures satisfying the template's sums (tests/synthetic.figures); rendered as markdown
(tests/layouts.py). Each agency has 3-5 consecutive years. The list is deterministic for a seed, so
size N is always the first N reports.

Sizes are incremental: the store of size 1,000 is the store of size 100 plus 900 more reports (the
ingest rate printed is that of the reports added). For each engine and size: ingest reports/s, store
size (SQLite file + embedded Chroma folder; PostgreSQL pg_database_size + the Chroma server's folder),
then a fresh answering process (one worker: its own snapshot, model, memory) builds the Assistant,
warms up with 5 questions, times fact and narrative questions over the stored agencies/years, then
asks about as many agency-years as its report cache holds (report_cache) so that its caches are full,
and reports its peak RSS. PostgreSQL and the Chroma server are real servers started as the tests do
(tests/pg_server.py, tests/servers.py).

The largest size takes hours on 2 cores. ``--stop-at`` ends a run at a set time with the size reached
measured; ``--resume`` later goes on from the same stores (the time of the size being built adds up
across runs, so its ingest rate is that of all its reports). ``--copy-from`` makes a size on
PostgreSQL and the Chroma server by copying the SQLite store of that size (python -m
ingest.copy_stores) instead of embedding it all again; that row has no ingest rate.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "reports"
FACT_Q = ("{agency}{year}年收到多少政府信息公开申请？", "{agency}{year}年主动公开政府信息多少条？",
          "{agency}{year}年行政复议有多少件？", "{agency}{year}年行政许可有多少？",
          "{agency}{year}年予以公开的申请有多少件？")
NARR_Q = ("{agency}{year}年在政策解读方面做了什么？", "{agency}{year}年存在哪些主要问题？",
          "{agency}{year}年政府信息管理工作是怎么做的？", "{agency}{year}年下一步有什么改进措施？",
          "{agency}{year}年平台建设情况如何？")
WARMUP = ("信息公开工作年度报告的总体情况", "{agency}{year}年收到多少政府信息公开申请？",
          "{agency}{year}年在政策解读方面做了什么？", "{agency}{year}年行政诉讼有多少件？",
          "哪个部门{year}年收到的申请最多？")


# --- reports ---------------------------------------------------------------------------

def load_templates():
    """(Report, original agency names, year) of each template-era .txt report of the corpus."""
    from ingest.metadata import detect
    from ingest.readers import read
    from tests.layouts import report_from_file

    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        m = re.search(r"_(\d{4})$", path.stem)
        if not m or int(m.group(1)) < 2019:
            continue
        rep = report_from_file(path)
        if rep.fmt is None or not rep.prose:
            continue
        agency, _ = detect(read(path), path)
        names = {n for n in (agency, path.stem.rsplit("_", 1)[0]) if n}
        out.append((rep, sorted(names, key=len, reverse=True), rep.year or int(m.group(1))))
    return out


_UNIT_NUM = re.compile(r"(?<![\d.])(\d+)(?=\s*(?:件|条|次|场|个|人次|人|篇|期|项|份|万|家|批|余))")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=\s*年)")


def vary_text(text: str, names: list[str], agency: str, shift: int, rng: random.Random) -> str:
    for n in names:
        text = text.replace(n, agency)
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    return _UNIT_NUM.sub(lambda m: str(max(0, int(int(m.group(1)) * rng.uniform(0.5, 1.6)))), text)


def make_report(tpl, agency: str, year: int, rng: random.Random):
    from dataclasses import replace

    from tests.synthetic import figures

    rep, names, tyear = tpl
    cells, units = figures(rng, rep.fmt)
    prose = {sec: [vary_text(p, names, agency, year - tyear, rng) for p in paras]
             for sec, paras in rep.prose.items()}
    return replace(rep, title=f"{agency}{year}年政府信息公开工作年度报告", year=year, prose=prose,
                   cells=cells, units=units, shape_of=None)


def plan(n: int, seed: int) -> list[tuple[str, int]]:
    """(agency, year) of the first n reports: agencies of 3-5 consecutive years each, names unique."""
    from tests.synthetic import agency_name

    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        name = agency_name(rng)
        if name in seen:
            continue
        seen.add(name)
        k = rng.randint(3, 5)
        first = rng.randint(2019, 2026 - k)
        out += [(name, first + i) for i in range(k)]
    return out[:n]


def write_reports(folder: Path, start: int, end: int, seed: int, templates) -> list[Path]:
    """Files of reports [start, end) (deterministic per index), written once and reused."""
    from tests.layouts import blocks, markdown

    by_fmt = {f: [t for t in templates if t[0].fmt == f] for f in ("2019", "2021")}
    paths = []
    for i, (agency, year) in enumerate(plan(end, seed)[start:], start):
        path = folder / f"{i // 1000:03d}" / f"{agency}_{year}.md"
        if not path.exists():
            rng = random.Random(f"{seed}-{i}")
            tpl = rng.choice(by_fmt["2019" if year <= 2020 else "2021"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(markdown(blocks(make_report(tpl, agency, year, rng))), encoding="utf-8")
        paths.append(path)
    return paths


# --- stores -------------------------------------------------------------------------------

def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def store_bytes(engine: str, cfg, chroma_dir: Path) -> int:
    if engine == "sqlite":
        db = cfg.data_path / "facts.sqlite3"
        extra = sum(p.stat().st_size for p in db.parent.glob("facts.sqlite3*") if p.is_file())
        return extra + dir_bytes(chroma_dir)
    import sqlalchemy as sa

    eng = sa.create_engine(cfg.fact_store_url)
    with eng.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    eng.dispose()
    return int(size) + dir_bytes(chroma_dir)


def stored_reports(cfg) -> list[dict]:
    from ingest.factstore import FactStore

    store = FactStore.for_config(cfg, readonly=True)
    try:
        return store.reports()
    finally:
        store.close()


# --- the answering worker (a subprocess) ----------------------------------------------------

def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that across
    fork and exec, so a worker started from the (large) benchmark process would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(cfg_json: str, n_fact: int, n_narr: int, seed: int) -> None:
    from ingest.settings import load

    cfg = load(**json.loads(cfg_json))
    t0 = time.perf_counter()
    from assistant.service import Assistant

    a = Assistant(cfg)
    t_snapshot = time.perf_counter() - t0
    rss_snapshot = peak_rss_mb()
    rng = random.Random(seed)
    pairs = [(ag, y) for ag in a.agencies() for y in a.years(ag)]
    pick = lambda: dict(zip(("agency", "year"), rng.choice(pairs)))  # noqa: E731
    t1 = time.perf_counter()
    for q in WARMUP:
        a.ask(q.format(**pick()))
    t_warm = time.perf_counter() - t1
    out = {"snapshot_s": t_snapshot, "warmup_s": t_warm, "rss_after_snapshot_mb": rss_snapshot,
           "agencies": len(a.agencies()), "pairs": len(pairs)}
    for kind, templates, n in (("fact", FACT_Q, n_fact), ("narrative", NARR_Q, n_narr)):
        times, routes = [], {}
        for _ in range(n):
            q = rng.choice(templates).format(**pick())
            t = time.perf_counter()
            ans = a.ask(q)
            times.append((time.perf_counter() - t) * 1000)
            routes[ans.get("route")] = routes.get(ans.get("route"), 0) + 1
        out[kind] = {"median_ms": statistics.median(times), "p95_ms": pct(times, 0.95), "n": n, "routes": routes}
    # The steady state: one fact and one narrative question on as many agency-years as the worker's
    # report cache holds, so its caches are full when its memory is read.
    rng.shuffle(pairs)
    for ag, y in pairs[:int(cfg.report_cache)]:
        a.ask(FACT_Q[0].format(agency=ag, year=y))
        a.ask(NARR_Q[0].format(agency=ag, year=y))
    out["rss_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(out, ensure_ascii=False))


def run_worker(cfg_kw: dict, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(cfg_kw, ensure_ascii=False),
           "--fact-questions", str(args.fact_questions), "--narrative-questions", str(args.narrative_questions),
           "--seed", str(args.seed)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"answering worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(line[len("RESULT "):])


# --- one engine over all sizes --------------------------------------------------------------

def bench_engine(engine: str, sizes: list[int], args, templates, rows: list[dict]) -> None:
    from contextlib import ExitStack

    from ingest.embeddings import get_embeddings
    from ingest.pipeline import ingest_paths
    from ingest.settings import load

    work = Path(args.work_dir).resolve()
    base = work / engine
    state_file = base / "bench-state.json"
    # What earlier runs of this engine left: the reports stored, the rows measured, and how long the
    # size being built has taken so far (a --resume run goes on from there).
    state = {"done": 0, "rows": [], "building": None}
    if args.resume and state_file.exists():
        state = json.loads(state_file.read_text(encoding="utf-8"))
        print(f"[{engine}] resuming: {state['done']} reports stored by earlier runs", flush=True)
    else:
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
    rows += [r for r in state["rows"] if not r.get("partial")]

    def save() -> None:
        state_file.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")

    with ExitStack() as stack:
        if engine == "sqlite":
            chroma_dir = base / "data" / "chroma"
            cfg_kw = dict(data_dir=str(base / "data"), fact_store_url="", chroma_mode="embedded",
                          collection="bench")
        else:
            from tests.pg_server import PostgresServer, _bin_dir
            from tests.servers import running_chroma

            bin_dir = _bin_dir()
            if bin_dir is None:
                raise SystemExit("PostgreSQL server binaries not found (make postgres)")
            pg = PostgresServer(bin_dir, base / "pg")
            (base / "pg").mkdir(exist_ok=True)
            pg.start()
            stack.callback(pg.stop)
            if not state.get("database"):
                state["database"] = pg.new_database().rsplit("/", 1)[1]
            url = pg.url(state["database"])
            chroma_dir = base / "chroma-server"
            host, port = stack.enter_context(running_chroma(chroma_dir))
            cfg_kw = dict(data_dir=str(base / "data"), fact_store_url=url, chroma_mode="server",
                          chroma_host=host, chroma_port=port, collection="bench")
        cfg = load(**cfg_kw)
        get_embeddings(cfg)  # model load outside the timed ingest
        done = state["done"]
        for n in sizes:
            if n <= done and not (state["building"] or {}).get("size") == n:
                continue  # measured by an earlier run
            building = state["building"] if (state["building"] or {}).get("size") == n else \
                {"size": n, "from": done, "seconds": 0.0, "ok": 0, "failed": 0}
            state["building"] = building
            if engine == "postgres" and args.copy_from:
                row = copied_size(cfg, n, Path(args.copy_from), engine, chroma_dir, args)
                rows.append(row)
                state.update(done=n, building=None)
                state["rows"] = [r for r in state["rows"] if not r.get("partial")] + [row]
                save()
                done = n
                continue
            files = write_reports(work / "reports", done, n, args.seed, templates)
            print(f"[{engine}] size {n}: adding {len(files)} reports to the store of {done}"
                  f"{' (reused)' if done else ''} …", flush=True)
            t0 = time.perf_counter() - building["seconds"]

            def progress(r, total=len(files), start=t0, before=building["ok"] + building["failed"]):
                k = progress.k = getattr(progress, "k", 0) + 1
                if k % 50 == 0 or k == total:
                    el = time.perf_counter() - start
                    print(f"  {before + k}/{before + total}  {el:.0f} s  ({(before + k) / el:.2f} reports/s)",
                          flush=True)

            results, cut = [], False
            for b in range(0, len(files), 25):  # batches, so a --stop-at deadline can end a size early
                if past(args.stop_at):
                    cut = True
                    print(f"  --stop-at {args.stop_at} UTC reached: size {n} stopped at {done + len(results)} "
                          f"reports; measuring that (--resume goes on from here)", flush=True)
                    break
                batch = ingest_paths(cfg, files[b:b + 25], on_result=progress)
                results += batch
                building.update(seconds=time.perf_counter() - t0,
                                ok=building["ok"] + sum(r.status == "ok" for r in batch),
                                failed=building["failed"] + sum(r.status == "failed" for r in batch))
                state["done"] = done + len(results)
                save()
            elapsed = time.perf_counter() - t0
            ok = [r for r in results if r.status == "ok"]
            failed = [r for r in results if r.status == "failed"]
            added, stored_now = building["ok"], state["done"]
            want = {f"{ag}_{y}" for ag, y in plan(stored_now, args.seed)}
            reps = stored_reports(cfg)
            right = sum(f"{r['agency']}_{r['year']}" in want for r in reps)
            size_mb = store_bytes(engine, cfg, chroma_dir) / 1e6
            print(f"  ingested {added} ok, {building['failed']} failed in {elapsed:.0f} s = {added / max(elapsed, 1e-9):.2f} "
                  f"reports/s; chunks/report {sum(r.chunks for r in ok) / max(len(ok), 1):.1f}, "
                  f"facts/report {sum(r.facts for r in ok) / max(len(ok), 1):.0f}; store now {len(reps)} reports, "
                  f"{right} with the intended agency+year; {size_mb:.1f} MB", flush=True)
            for r in failed[:3]:
                print(f"    failed: {r.file}: {r.error}")
            t1 = time.perf_counter()
            w = run_worker(cfg_kw, args)
            print_worker(w, time.perf_counter() - t1)
            row = dict(engine=engine, reports=len(reps), added=added, ingest_s=elapsed,
                       rate=added / max(elapsed, 1e-9), store_mb=size_mb, worker=w, partial=cut)
            rows.append(row)
            state["rows"] = [r for r in state["rows"] if not r.get("partial")] + [row]
            if not cut:
                state["building"] = None
            save()
            done = stored_now
            if cut:
                return


def copied_size(cfg, n: int, sqlite_dir: Path, engine: str, chroma_dir: Path, args) -> dict:
    """Size ``n`` on PostgreSQL and the Chroma server made by copying the SQLite store a run left in
    ``sqlite_dir`` (python -m ingest.copy_stores), which must hold ``n`` reports: embedding 10,000
    reports again would take hours and measure nothing new, as embedding dominates either way."""
    from ingest.copy_stores import copy_stores
    from ingest.settings import load

    source = load(data_dir=str(sqlite_dir.resolve() / "data"), fact_store_url="", chroma_mode="embedded",
                  collection="bench")
    held = len(stored_reports(source))
    if held != n:
        raise SystemExit(f"--copy-from {sqlite_dir}: its store holds {held} reports, not {n}")
    print(f"[{engine}] size {n}: copying the SQLite store of {sqlite_dir} …", flush=True)
    done = copy_stores(source, cfg)
    size_mb = store_bytes(engine, cfg, chroma_dir) / 1e6
    print(f"  copied {done.reports} reports, {done.facts} facts, {done.chunks} chunks, {done.vectors} vectors "
          f"in {done.seconds:.0f} s; {size_mb:.1f} MB", flush=True)
    w = run_worker(cfg_kw_of(cfg), args)
    print_worker(w, 0.0)
    return dict(engine=engine, reports=done.reports, added=0, ingest_s=done.seconds, rate=None,
                copied=True, store_mb=size_mb, worker=w, partial=False)


def cfg_kw_of(cfg) -> dict:
    return {k: getattr(cfg, k) for k in ("data_dir", "fact_store_url", "chroma_mode", "chroma_host",
                                         "chroma_port", "collection")}


def print_worker(w: dict, seconds: float) -> None:
    print(f"  answering worker ({seconds:.0f} s): snapshot+open {w['snapshot_s']:.1f} s "
          f"(RSS {w['rss_after_snapshot_mb']:.0f} MB), warm-up {w['warmup_s']:.1f} s, "
          f"{w['agencies']} agencies / {w['pairs']} agency-years; "
          f"fact {w['fact']['median_ms']:.0f}/{w['fact']['p95_ms']:.0f} ms {w['fact']['routes']}, "
          f"narrative {w['narrative']['median_ms']:.0f}/{w['narrative']['p95_ms']:.0f} ms "
          f"{w['narrative']['routes']}; max RSS with full caches {w['rss_mb']:.0f} MB", flush=True)


def past(stop_at: str | None) -> bool:
    """Whether the UTC clock is past HH:MM today."""
    if not stop_at:
        return False
    now = time.gmtime()
    h, m = map(int, stop_at.split(":"))
    return (now.tm_hour, now.tm_min) >= (h, m)


def table(rows: list[dict]) -> str:
    head = (f"{'engine':9}{'reports':>8}{'ingest/s':>9}{'store MB':>9}{'fact med/p95 ms':>17}"
            f"{'narr med/p95 ms':>17}{'snapshot s':>11}{'RSS MB':>8}   vs smallest (fact med, narr med, RSS)")
    out = [head, "-" * len(head)]
    first: dict[str, dict] = {}
    for r in rows:
        w = r["worker"]
        b = first.setdefault(r["engine"], r)["worker"]
        ratio = (f"{w['fact']['median_ms'] / b['fact']['median_ms']:.2f}x, "
                 f"{w['narrative']['median_ms'] / b['narrative']['median_ms']:.2f}x, "
                 f"{w['rss_mb'] / b['rss_mb']:.2f}x")
        rate = "copy" if r.get("copied") else f"{r['rate']:.2f}"
        out.append(f"{r['engine']:9}{str(r['reports']) + ('*' if r.get('partial') else ''):>8}{rate:>9}{r['store_mb']:9.1f}"
                   f"{w['fact']['median_ms']:9.0f}/{w['fact']['p95_ms']:<7.0f}"
                   f"{w['narrative']['median_ms']:9.0f}/{w['narrative']['p95_ms']:<7.0f}"
                   f"{w['snapshot_s']:11.1f}{w['rss_mb']:8.0f}   {ratio}")
    if any(r.get("partial") for r in rows):
        out.append("* size cut short by --stop-at")
    if any(r.get("copied") for r in rows):
        out.append("copy: made by copying the SQLite store of that size (--copy-from), not ingested")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--engines", default="sqlite,postgres")
    ap.add_argument("--work-dir", default=str(ROOT / "bench-scale"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fact-questions", type=int, default=50)
    ap.add_argument("--narrative-questions", type=int, default=30)
    ap.add_argument("--stop-at", help="UTC HH:MM after which no more reports are added; the size reached "
                    "is measured and the run ends")
    ap.add_argument("--resume", action="store_true", help="go on from the stores and figures an earlier run "
                    "(cut short by --stop-at) left in --work-dir, instead of starting again")
    ap.add_argument("--copy-from", metavar="DIR", help="make each size on PostgreSQL and the Chroma server by "
                    "copying the SQLite store an earlier run left in DIR (e.g. bench-scale/sqlite), which must "
                    "hold that many reports, instead of ingesting again")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))  # still print the table
    if args.worker:
        worker(args.worker, args.fact_questions, args.narrative_questions, args.seed)
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    templates = load_templates()
    print(f"{len(templates)} corpus reports as prose templates: "
          + ", ".join(f"{t[1][0]} {t[2]} ({t[0].fmt})" for t in templates))
    print(f"sizes {sizes} built incrementally: each size adds reports to the previous size's store")
    rows: list[dict] = []
    t0 = time.perf_counter()
    try:
        for engine in args.engines.split(","):
            bench_engine(engine.strip(), sizes, args, templates, rows)
    finally:
        if rows:
            print()
            print(table(rows))
            print(f"\ntotal {time.perf_counter() - t0:.0f} s; targets: latency at the largest size < 2x the "
                  f"smallest, worker RSS < 1.5 GB at 10,000")


if __name__ == "__main__":
    main()
