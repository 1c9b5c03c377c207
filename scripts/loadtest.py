"""Load run against the served web app: concurrent clients asking mixed questions.

    .venv/bin/python scripts/loadtest.py                       # app already served on config web_host:web_port
    .venv/bin/python scripts/loadtest.py --data-dir DIR         # serve DIR with `python -m web serve` first

Each client keeps one HTTP/1.1 connection and loops until the time is up, picking a figure
question, a narrative question or a follow-up (a figure question, then "那<另一年>呢？" sent with
the first turn as history). Questions are built from the reports the app actually holds
(GET /api/reports). Prints requests per second, median and p95 latency, and errors; the exit
status is 1 when there was any error. Standard library only (threads + http.client).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIGURES = ["{a}{y}年新收政府信息公开申请多少件？", "{a}{y}年被申请行政复议多少件？",
           "{a}{y}年予以公开的申请有几件？", "{a}{y}年行政许可处理决定数量是多少？"]
NARRATIVES = ["{a}{y}年政府信息公开工作存在哪些不足？", "{a}{y}年在政策解读方面做了哪些工作？",
              "{a}{y}年是怎么做好主动公开的？"]


class Client:
    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.conn = None

    def post(self, path: str, payload: dict) -> tuple[int, dict | None]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, json.loads(data) if data else None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # a kept-alive connection the server closed between requests: reconnect once
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def get_json(url: str, path: str, timeout: float = 10):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def scenarios(reports: list[dict]) -> dict[str, list]:
    dated = [r for r in reports if r.get("agency") and r.get("year")]
    if not dated:
        raise SystemExit("the app holds no reports with an agency and a year; ingest some first")
    years_of = defaultdict(set)
    for r in dated:
        years_of[r["agency"]].add(r["year"])
    pairs = sorted({(r["agency"], r["year"]) for r in dated})
    figures = [t.format(a=a, y=y) for a, y in pairs for t in FIGURES]
    narratives = [t.format(a=a, y=y) for a, y in pairs for t in NARRATIVES]
    follow_ups = [(FIGURES[0].format(a=a, y=y), f"那{other}年呢？")
                  for a, y in pairs for other in sorted(years_of[a]) if other != y]
    if not follow_ups:  # one year per agency: follow up on another figure instead
        follow_ups = [(FIGURES[0].format(a=a, y=y), "其中自然人提出的有多少？") for a, y in pairs]
    return {"figure": figures, "narrative": narratives, "follow-up": follow_ups}


def run(url: str, clients: int, duration: float, timeout: float, seed: int) -> dict:
    status, body = get_json(url, "/api/reports")
    if status != 200:
        raise SystemExit(f"GET /api/reports returned {status}: {body}")
    pool = scenarios(body["reports"])
    stop_at = time.monotonic() + duration
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    def record(kind: str, started: float, status: int, result: dict | None, question: str):
        elapsed = time.monotonic() - started
        ok = status == 200 and isinstance(result, dict) and isinstance(result.get("answer"), str) \
            and result.get("route") in ("fact", "narrative", "none")
        with lock:
            latencies[kind].append(elapsed)
            if not ok:
                errors.append(f"{kind} {status} {question!r}: {str(result)[:200]}")
        return ok

    def worker(n: int):
        rng = random.Random(seed + n)
        client = Client(url, timeout)
        try:
            while time.monotonic() < stop_at:
                kind = rng.choice(("figure", "narrative", "follow-up"))
                try:
                    if kind == "follow-up":
                        first, then = rng.choice(pool[kind])
                        t0 = time.monotonic()
                        status, result = client.post("/api/ask", {"question": first})
                        if not record("figure", t0, status, result, first):
                            continue
                        history = [{"role": "user", "content": first},
                                   {"role": "assistant", "content": result["answer"]}]
                        t0 = time.monotonic()
                        status, result = client.post("/api/ask", {"question": then, "history": history})
                        record(kind, t0, status, result, then)
                    else:
                        question = rng.choice(pool[kind])
                        t0 = time.monotonic()
                        status, result = client.post("/api/ask", {"question": question})
                        record(kind, t0, status, result, question)
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    with lock:
                        errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                    client.close()
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 30)
    elapsed = time.monotonic() - started
    return {"elapsed": elapsed, "latencies": dict(latencies), "errors": errors}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def report(stats: dict, clients: int) -> int:
    all_lat = [x for v in stats["latencies"].values() for x in v]
    n = len(all_lat)
    print(f"clients {clients}, {stats['elapsed']:.1f} s, {n} requests")
    if n:
        print(f"requests/s {n / stats['elapsed']:.1f}")
        print(f"latency median {statistics.median(all_lat) * 1000:.0f} ms, p95 {pct(all_lat, 95) * 1000:.0f} ms, "
              f"max {max(all_lat) * 1000:.0f} ms")
        for kind, values in sorted(stats["latencies"].items()):
            print(f"  {kind:10} {len(values):6} requests, median {statistics.median(values) * 1000:.0f} ms, "
                  f"p95 {pct(values, 95) * 1000:.0f} ms")
    print(f"errors {len(stats['errors'])}")
    for e in stats["errors"][:10]:
        print("  " + e)
    return 1 if stats["errors"] or not n else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: str, port: int, threads: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "web", "serve", "--data-dir", data_dir, "--port", str(port),
           "--threads", str(threads)]
    # A file, not a pipe: an unread pipe would fill up and stall the server's logging.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit(f"server exited: {log.read()[-2000:]}")
        try:
            if get_json(url, "/healthz", timeout=2)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server did not become healthy within 180 s")


def main(argv=None) -> int:
    from ingest.settings import load

    config = load()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default=f"http://{config.web_host}:{config.web_port}",
                    help="served app (default: config web_host:web_port)")
    ap.add_argument("--data-dir", help="start `python -m web serve` over this data dir on a free port first")
    ap.add_argument("--server-threads", type=int, default=8, help="waitress threads for --data-dir (default 8)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds")
    ap.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, seconds")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    proc = None
    url = args.url
    if args.data_dir:
        port = free_port()
        proc = start_server(args.data_dir, port, args.server_threads)
        url = f"http://127.0.0.1:{port}"
    else:
        try:
            get_json(url, "/healthz", timeout=5)
        except OSError as exc:
            raise SystemExit(f"{url} is not answering ({exc}); start it with `python -m web serve`, "
                             "or pass --data-dir DIR to start one") from None
    try:
        print(f"load run against {url}")
        return report(run(url, args.clients, args.duration, args.timeout, args.seed), args.clients)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
