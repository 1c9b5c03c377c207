"""Locust user for the load run (scripts/loadtest.py drives it; it also runs on its own):

    .venv/bin/locust -f scripts/locustfile.py --headless -u 16 -r 4 -t 60s --host http://127.0.0.1:8080

Questions are built from the reports the app actually holds (GET /api/reports, once per run), so
the figures are asked of agencies and years that exist. Request names are the routes of the table:
ask:fact, ask:narrative, ask:follow-up, GET /api/reports, GET /healthz.
"""
from __future__ import annotations

import random
from collections import defaultdict

import requests
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

FIGURES = ["{a}{y}年新收政府信息公开申请多少件？", "{a}{y}年被申请行政复议多少件？",
           "{a}{y}年予以公开的申请有几件？", "{a}{y}年行政许可处理决定数量是多少？"]
NARRATIVES = ["{a}{y}年政府信息公开工作存在哪些不足？", "{a}{y}年在政策解读方面做了哪些工作？",
              "{a}{y}年是怎么做好主动公开的？"]
TIMEOUT = 60  # seconds; a request slower than this counts as an error, as in the old client
POOL: dict[str, list] = {}


def scenarios(reports: list[dict]) -> dict[str, list]:
    dated = [r for r in reports if r.get("agency") and r.get("year")]
    if not dated:
        raise SystemExit("the app holds no reports with an agency and a year; ingest some first")
    years_of = defaultdict(set)
    for r in dated:
        years_of[r["agency"]].add(r["year"])
    pairs = sorted({(r["agency"], r["year"]) for r in dated})
    follow_ups = [(FIGURES[0].format(a=a, y=y), f"那{other}年呢？")
                  for a, y in pairs for other in sorted(years_of[a]) if other != y]
    if not follow_ups:  # one year per agency: follow up on another figure instead
        follow_ups = [(FIGURES[0].format(a=a, y=y), "其中自然人提出的有多少？") for a, y in pairs]
    return {"fact": [t.format(a=a, y=y) for a, y in pairs for t in FIGURES],
            "narrative": [t.format(a=a, y=y) for a, y in pairs for t in NARRATIVES],
            "follow-up": follow_ups}


@events.test_start.add_listener
def _build_pool(environment, **_):
    # Outside the users, so building the question list is not counted among the measured requests.
    resp = requests.get(environment.host.rstrip("/") + "/api/reports", timeout=TIMEOUT)
    resp.raise_for_status()
    POOL.update(scenarios(resp.json()["reports"]))


class Visitor(HttpUser):
    # No think time: each user is a closed loop, so requests/s is what the server can do.
    wait_time = constant(0)

    def on_start(self):
        if not POOL:
            raise StopUser()

    def ask(self, name: str, question: str, history: list | None = None) -> dict | None:
        payload = {"question": question, **({"history": history} if history else {})}
        with self.client.post("/api/ask", json=payload, name=name, timeout=TIMEOUT,
                              catch_response=True) as resp:
            try:
                result = resp.json()
            except ValueError:
                result = None
            if resp.status_code == 200 and isinstance(result, dict) \
                    and isinstance(result.get("answer"), str) \
                    and result.get("route") in ("fact", "narrative", "none"):
                resp.success()
                return result
            resp.failure(f"{resp.status_code} {question!r}: {str(result or resp.text)[:200]}")
            return None

    # Equal weights for the three kinds of question, as the old client picked them.
    @task(4)
    def fact(self):
        self.ask("ask:fact", random.choice(POOL["fact"]))

    @task(4)
    def narrative(self):
        self.ask("ask:narrative", random.choice(POOL["narrative"]))

    @task(4)
    def follow_up(self):
        first, then = random.choice(POOL["follow-up"])
        result = self.ask("ask:fact", first)
        if result is not None:
            self.ask("ask:follow-up", then, [{"role": "user", "content": first},
                                             {"role": "assistant", "content": result["answer"]}])

    @task(1)
    def reports(self):
        self.client.get("/api/reports", name="GET /api/reports", timeout=TIMEOUT)

    @task(1)
    def healthz(self):
        self.client.get("/healthz", name="GET /healthz", timeout=TIMEOUT)
