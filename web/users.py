"""Staff accounts: a small SQLite file of our own in data_dir (never the fact store).

Passwords are stored as werkzeug hashes. Accounts are created from the command
line only (``flask --app web create-user NAME`` or ``python -m web create-user NAME``):
there is no sign-up page, so a citizen can never make themselves staff.
"""
from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask import current_app, g
from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD = 8
MAX_NAME = 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
"""

# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def users_path(config) -> Path:
    return config.data_path / "users.sqlite3"


def connect(config) -> sqlite3.Connection:
    path = users_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Password hashes: readable by the service's own account only.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = sqlite3.connect(path, timeout=10)
    db.row_factory = sqlite3.Row
    db.executescript(SCHEMA)
    if "session_version" not in {r["name"] for r in db.execute("PRAGMA table_info(users)")}:
        with db:  # a file from before sessions could be revoked
            db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")
    return db


def get_db() -> sqlite3.Connection:
    if "users_db" not in g:
        g.users_db = connect(current_app.config["REPORT_CONFIG"])
    return g.users_db


def close_db(_exc=None):
    db = g.pop("users_db", None)
    if db is not None:
        db.close()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ValueError(f"用户名须为 1–{MAX_NAME} 个可见字符，不含空格")
    return name


def create_user(config, name: str, password: str, replace: bool = False) -> None:
    """Raises ValueError (message for the operator) on a bad name, short password or existing user."""
    name = check_name(name)
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 个字符")
    pw_hash = generate_password_hash(password)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db = connect(config)
    try:
        with db:
            if replace:
                # A new password ends every session signed in with the old one.
                db.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)"
                           " ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash,"
                           " session_version = session_version + 1",
                           (name, pw_hash, now))
            else:
                try:
                    db.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)",
                               (name, pw_hash, now))
                except sqlite3.IntegrityError:
                    raise ValueError(f"用户 {name} 已存在（要重设密码请加 --replace）") from None
    finally:
        db.close()


def account_key(name: str) -> str:
    """The account a typed name signs in to: what authenticate looks up, so a throttle keyed on it
    cannot be dodged with padding (" staff", "staff ")."""
    return (name or "").strip()


def authenticate(name: str, password: str) -> dict | None:
    row = get_db().execute("SELECT id, name, password_hash, session_version FROM users WHERE name = ?",
                           (account_key(name),)).fetchone()
    if row is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(row["password_hash"], password or ""):
        return None
    return {"id": row["id"], "name": row["name"], "session_version": row["session_version"]}


# Failed sign-ins live in the accounts file, so every worker process counts the same tries.

def recent_failures(key: str, window: float) -> int:
    """Failures recorded for ``key`` in the last ``window`` seconds (older ones are forgotten)."""
    db = get_db()
    now = time.time()
    with db:
        db.execute("DELETE FROM login_failures WHERE key = ? AND at < ?", (key, now - window))
        return db.execute("SELECT count(*) FROM login_failures WHERE key = ?", (key,)).fetchone()[0]


def record_failure(*keys: str) -> None:
    db = get_db()
    with db:
        db.executemany("INSERT INTO login_failures VALUES (?, ?)", [(k, time.time()) for k in keys])


def clear_failures(key: str) -> None:
    db = get_db()
    with db:
        db.execute("DELETE FROM login_failures WHERE key = ?", (key,))


def get_user(user_id: int) -> dict | None:
    row = get_db().execute("SELECT id, name, session_version FROM users WHERE id = ?", (user_id,)).fetchone()
    return dict(row) if row else None


def end_sessions(user_id: int) -> None:
    """Every session of this account stops working, in every worker (the version is in the file)."""
    db = get_db()
    with db:
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", (user_id,))


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
              help="Prompted for (hidden) when not given.")
@click.option("--replace", is_flag=True, help="Reset the password of an existing account.")
def create_user_command(name: str, password: str, replace: bool):
    """Create a staff account for the console (password is prompted for)."""
    try:
        create_user(current_app.config["REPORT_CONFIG"], name, password, replace=replace)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已创建用户 {name.strip()}" if not replace else f"已设置用户 {name.strip()} 的密码")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(create_user_command)
