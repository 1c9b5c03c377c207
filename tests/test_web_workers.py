"""Several web worker processes over one set of stores: gunicorn with two workers, as in production.

Requests land on whichever worker the kernel hands the connection to; each answer says which
worker (pid) gave it, and the tests go on until both workers have been seen (the shared state on
both engines, in-process: test_web_state.py).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from ingest.settings import load
from tests.conftest import ROOT
from tests.e2e.webdata import UPLOAD_FILE, copy_data_dir, small_data_dir
from web.users import create_user

NAME, PASSWORD = "staff", "correct-horse-battery"
QUESTION = "沭阳发改局2023年收到多少依申请公开？"
AGENCY = "沭阳县发展和改革局"

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    data = copy_data_dir(small_data_dir(tmp_path_factory), tmp_path_factory, "two-workers")
    create_user(load(data_dir=str(data)), NAME, PASSWORD)
    port = _free_port()
    env = dict(os.environ, RA_STORE_POLL_SECONDS="0.5")
    # One thread per worker: a worker busy with a request takes no new connection, so two requests at
    # once land on both workers. (Linux wakes the latest waiter first, so one idle worker can
    # otherwise take every connection of a sequential client.)
    proc = subprocess.Popen([sys.executable, "-m", "web", "serve", "--workers", "2", "--threads", "1",
                             "--port", str(port), "--data-dir", str(data)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while time.time() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise AssertionError("gunicorn did not come up: " + proc.stdout.read())
    yield base
    proc.terminate()
    proc.wait(timeout=60)


def _fresh(base: str, **kw) -> httpx.Client:
    # A new client is a new connection, which the kernel may give to either worker; its requests stay
    # on that connection (kept alive), so they are answered by the same worker.
    return httpx.Client(base_url=base, timeout=60, **kw)


def _until_both_workers(call, rounds=30) -> dict:
    """Call, two at a time, until two different workers have answered; {pid: last result}."""
    from concurrent.futures import ThreadPoolExecutor

    seen: dict[int, object] = {}
    with ThreadPoolExecutor(2) as pool:
        for _ in range(rounds):
            for pid, result in pool.map(lambda _: call(), range(2)):
                seen[pid] = result
            if len(seen) >= 2:
                return seen
    raise AssertionError(f"only worker(s) {sorted(seen)} answered in {rounds} rounds of two calls at once")


def _csrf(client: httpx.Client, path: str) -> str:
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_an_upload_through_one_worker_is_answered_by_every_worker(two_workers):
    with _fresh(two_workers) as staff:
        staff.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": _csrf(staff, "/login")})
        token = _csrf(staff, "/console/reports")
        resp = staff.post("/console/reports/upload", data={"csrf_token": token},
                          files={"files": (UPLOAD_FILE.name, UPLOAD_FILE.read_bytes(), "text/plain")})
        assert resp.status_code == 303, resp.text[:300]
        job_url = resp.headers["location"]
        deadline, job = time.time() + 300, {}
        while time.time() < deadline:  # polls go to both workers: the job is in the shared store
            job = staff.get(job_url + "/status", headers={"Accept": "application/json"}).json()
            if job["state"] in ("finished", "failed"):
                break
            time.sleep(0.5)
        assert job["state"] == "finished" and job["results"][0]["status"] == "ok", job

    def answer():
        with _fresh(two_workers) as c:
            pid = c.get("/healthz").json()["worker"]  # same connection: the same worker
            deadline = time.time() + 30
            while time.time() < deadline:  # the worker that did not ingest sees it within its poll
                facts = c.post("/api/ask", json={"question": QUESTION}).json()["facts"]
                if facts and facts[0]["agency"] == AGENCY:
                    return pid, facts[0]["value"]
                time.sleep(0.25)
            raise AssertionError(f"worker {pid} never answered from the uploaded report")

    seen = _until_both_workers(answer)
    assert len(set(seen.values())) == 1  # the same figure from every worker

    def narrative():
        # The model's weights were loaded before the fork: every worker must still embed (no hang).
        with _fresh(two_workers) as c:
            pid = c.get("/healthz").json()["worker"]
            result = c.post("/api/ask", json={"question": "沭阳发改局2023年在政策解读方面做了什么？"}).json()
            return pid, (result["route"], sorted({s["agency"] for s in result["sources"]}))

    assert all(answer == ("narrative", [AGENCY]) for answer in _until_both_workers(narrative).values())


def test_a_lockout_set_through_one_worker_holds_in_the_other(two_workers):
    for _ in range(5):
        with _fresh(two_workers) as c:
            c.post("/login", data={"name": NAME, "password": "wrong", "csrf_token": _csrf(c, "/login")})

    def right_password():
        with _fresh(two_workers) as c:
            pid = c.get("/healthz").json()["worker"]
            resp = c.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": _csrf(c, "/login")})
            return pid, resp.status_code

    assert set(_until_both_workers(right_password).values()) == {429}
