"""The web app's own state, shared by every worker process: accounts, sign-in failures, console
jobs and the secret key.

It lives in ``web_store_url`` (default: the SQLite file users.sqlite3 in data_dir, readable by
the service's account only; or a PostgreSQL database, which may be the fact store's: the tables
and the Alembic version table are the app's own). Never per-process memory, so a second worker,
or the same one after a restart, sees the same accounts, lockouts, jobs and key.
"""
from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from ingest.engines import Migrations, engine_for, is_postgres

MIGRATIONS = Migrations(Path(__file__).resolve().parent / "migrations", version_table="web_alembic_version")
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def default_path(config) -> Path:
    """The SQLite file used when web_store_url is empty."""
    return config.data_path / "users.sqlite3"


def state_url(config) -> str:
    return config.web_store_url or f"sqlite:///{default_path(config)}"


def engine(config) -> Engine:
    """The state store's engine, made and brought up to date once per process."""
    url = state_url(config)
    with _lock:
        if url not in _engines:
            if not is_postgres(url):
                path = Path(url.removeprefix("sqlite:///"))
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    # Password hashes: readable by the service's own account only.
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            eng = engine_for(url)
            MIGRATIONS.upgrade(eng)
            _engines[url] = eng
        return _engines[url]


def secret_key(config) -> str:
    """The app's signing key: generated once, by whichever worker comes first, and kept in the store
    so every worker (and every restart) signs and checks sessions with the same one."""
    eng = engine(config)
    with eng.begin() as conn:
        legacy = config.data_path / "secret_key"  # where releases before the shared store kept it
        key = legacy.read_text(encoding="ascii").strip() if legacy.is_file() else ""
        conn.execute(text("INSERT INTO app_secrets (name, value) VALUES ('secret_key', :v)"
                          " ON CONFLICT (name) DO NOTHING"), {"v": key or secrets.token_hex(32)})
        return conn.execute(text("SELECT value FROM app_secrets WHERE name = 'secret_key'")).scalar_one()


def dispose_after_fork() -> None:
    """In a forked worker: forget the parent's pooled connections without closing them under it."""
    with _lock:
        for eng in _engines.values():
            eng.dispose(close=False)
