"""The web app's shared state (accounts, failed sign-ins, sessions, jobs, secret key) on both engines:
the default SQLite file and a real PostgreSQL. Two app instances over one store stand for two workers."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from ingest.settings import load
from tests.test_web_auth import NAME, PASSWORD, login
from web import create_app
from web.users import create_user


@pytest.fixture(params=["sqlite", "postgresql"])
def config(request, tmp_path):
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return load(data_dir=str(tmp_path / "data"), web_store_url=url)


def test_two_workers_share_accounts_lockouts_sessions_and_the_key(config):
    create_user(config, NAME, PASSWORD)
    one, two = create_app(config, {"TESTING": True}), create_app(config, {"TESTING": True})
    assert one.secret_key == two.secret_key
    signed = one.test_client()
    assert login(signed, NAME, PASSWORD).status_code == 302
    cookie = signed.get_cookie("session").value
    other = two.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/console/reports").status_code == 200  # a session from one worker holds in the other

    create_user(config, NAME, PASSWORD + "-new", replace=True)  # a reset ends every session, everywhere
    assert other.get("/console/reports").status_code in (302, 401)

    for _ in range(5):
        assert login(one.test_client(), NAME, "wrong").status_code == 401
    assert login(two.test_client(), NAME, PASSWORD + "-new").status_code == 429

    with pytest.raises(ValueError, match="已存在"):
        create_user(config, NAME, PASSWORD)


def test_a_job_is_seen_by_every_worker_and_one_left_behind_ends_failed(config):
    from web.backend import get
    from web.jobs import INTERRUPTED, STALE_SECONDS, Job

    one, two = create_app(config, {"TESTING": True}), create_app(config, {"TESTING": True})
    with one.app_context():
        jobs_one = get().jobs
        job = jobs_one._submit("correct", 1, NAME, lambda j: setattr(j, "done", 1), "更正失败", current="a.txt")
    with two.app_context():
        jobs_two = get().jobs
        deadline = time.time() + 30
        while jobs_two.get(job.id).state != "finished" and time.time() < deadline:
            time.sleep(0.1)
        seen = jobs_two.get(job.id)
        assert (seen.state, seen.done, seen.user, seen.current) == ("finished", 1, NAME, "a.txt")

        gone = Job("left-behind", "upload", 3, user=NAME, state="running", done=1, owner="elsewhere:1:x")
        row = gone.row()
        row["heartbeat"] = time.time() - STALE_SECONDS - 1
        with jobs_two._engine.begin() as db:
            db.execute(text("INSERT INTO jobs VALUES (:id, :kind, :user_name, :state, :total, :done, :current, "
                            ":results, :error, :created, :finished, :owner, :heartbeat)"), row)
    with one.app_context():
        left = get().jobs.get("left-behind")
        assert (left.state, left.error, left.done) == ("failed", INTERRUPTED, 1)
        assert get().jobs.get("no-such-job") is None
