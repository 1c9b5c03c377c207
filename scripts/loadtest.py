"""Load run against the served app with locust (headless), once per worker count.

    .venv/bin/python scripts/loadtest.py --data-dir DIR [--workers 1,3]   # serves DIR N ways in turn
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8080      # an app already served

The users and their question mix (figure, narrative, follow-up with history, /api/reports,
/healthz) are in scripts/locustfile.py. Prints, per worker count and route: requests, requests/s,
median and p95 latency, errors; exit status 1 when there was any error.
Needs `pip install -r requirements-bench.txt -c constraints.txt` (make bench does it).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "scripts" / "locustfile.py"
ROUTES = ["ask:fact", "ask:narrative", "ask:follow-up", "GET /api/reports", "GET /healthz"]


def healthz(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as resp:
            return json.load(resp) if resp.status == 200 else None
    except (OSError, ValueError):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: str, workers: int, log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # Own session: gunicorn's workers go down with the master's process group if it hangs.
    proc = subprocess.Popen([sys.executable, "-m", "web", "serve", "--workers", str(workers),
                             "--port", str(port), "--data-dir", data_dir],
                            cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    # One 200 only says one worker is up; the others may still be loading the model, so wait
    # until as many distinct pids have answered as there are workers.
    seen, deadline = set(), time.time() + 300
    while len(seen) < workers and time.time() < deadline:
        if proc.poll() is not None:
            break
        body = healthz(url)
        if body:
            seen.add(body.get("worker"))
        time.sleep(0.2 if seen else 1)
    if len(seen) < workers:
        stop_server(proc)
        log.seek(0)
        raise SystemExit(f"{workers} worker(s): {len(seen)} answered /healthz within 300 s\n"
                         + log.read().decode(errors="replace")[-2000:])
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=45)  # gunicorn's graceful_timeout is 30 s
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_locust(url: str, args, tmp: str, label: str) -> tuple[list[dict], list[dict]]:
    prefix = os.path.join(tmp, f"w{label}")
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
           "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
           "--host", url, "--csv", prefix, "--loglevel", "WARNING"]
    # locust exits 1 on any failure; the CSV is the judge, so its status is not.
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    # The client shares the machine: locust's own warning that it ran out of CPU belongs with the figures.
    for line in done.stderr.splitlines():
        if "CPU usage" in line:
            print(f"  locust: {line.split('] ', 1)[-1][:200]}")
    if not os.path.exists(prefix + "_stats.csv"):
        raise SystemExit(f"locust wrote no stats (exit {done.returncode}):\n{done.stderr[-2000:]}")
    with open(prefix + "_stats.csv", newline="") as f:
        stats = list(csv.DictReader(f))
    with open(prefix + "_failures.csv", newline="") as f:
        failures = list(csv.DictReader(f))
    return stats, failures


def print_table(label: str, stats: list[dict]) -> None:
    rows = {r["Name"]: r for r in stats}
    for name in [*ROUTES, *(n for n in rows if n not in ROUTES and n != "Aggregated"), "Aggregated"]:
        r = rows.get(name)
        if r is None:
            continue
        print(f"{label:>7}  {'total' if name == 'Aggregated' else name:18} {int(r['Request Count']):8}"
              f" {float(r['Requests/s']):10.2f} {r['50%']:>9} {r['95%']:>9} {int(r['Failure Count']):6}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--data-dir", help="serve this data dir with `python -m web serve` for each worker count")
    where.add_argument("--url", help="run once against an app already served here")
    ap.add_argument("--workers", default="1,3", help="worker counts to serve in turn (default 1,3)")
    ap.add_argument("--users", type=int, default=16, help="concurrent locust users (default 16)")
    ap.add_argument("--spawn-rate", type=float, default=4, help="users started per second (default 4)")
    ap.add_argument("--seconds", type=int, default=60, help="length of each run (default 60)")
    args = ap.parse_args(argv)

    counts = [int(n) for n in args.workers.split(",")] if args.data_dir else [None]
    results, errors = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            label = str(n) if n else "-"
            if n is None:
                proc, url = None, args.url.rstrip("/")
                if not healthz(url):
                    raise SystemExit(f"{url}/healthz is not answering 200")
            else:
                log = tempfile.TemporaryFile(dir=tmp)  # a file, not a pipe: an unread pipe stalls the server
                t0 = time.monotonic()
                proc, url = start_server(args.data_dir, n, log)
                print(f"{n} worker(s) ready at {url} in {time.monotonic() - t0:.0f} s; "
                      f"locust -u {args.users} -r {args.spawn_rate} -t {args.seconds}s", flush=True)
            try:
                stats, failures = run_locust(url, args, tmp, label)
            finally:
                if proc is not None:
                    stop_server(proc)
            results.append((label, stats))
            errors += sum(int(r["Failure Count"]) for r in stats if r["Name"] == "Aggregated")
            for f in failures[:10]:
                print(f"  error {label} worker(s) {f['Name']}: {f['Occurrences']}× {f['Error'][:200]}")

    print(f"\n{'workers':>7}  {'route':18} {'requests':>8} {'requests/s':>10} {'median ms':>9} "
          f"{'p95 ms':>9} {'errors':>6}")
    for label, stats in results:
        print_table(label, stats)
    total = sum(int(r["Request Count"]) for _, s in results for r in s if r["Name"] == "Aggregated")
    return 1 if errors or not total else 0


if __name__ == "__main__":
    sys.exit(main())
