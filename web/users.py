"""Staff accounts, in the web state store (web.state; never the fact store's tables).

Passwords are stored as werkzeug hashes. Accounts are created from the command
line only (``flask --app web create-user NAME`` or ``python -m web create-user NAME``):
there is no sign-up page, so a citizen can never make themselves staff.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import click
from flask.cli import with_appcontext
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from . import state

MIN_PASSWORD = 8
MAX_NAME = 64

# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


users_path = state.default_path  # the accounts file when web_store_url is empty


def _db():
    return state.engine(current_app.config["REPORT_CONFIG"])


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
    row = {"name": name, "pw": pw_hash, "now": now}
    insert = "INSERT INTO users (name, password_hash, created_at) VALUES (:name, :pw, :now)"
    try:
        with state.engine(config).begin() as db:
            if replace:
                # A new password ends every session signed in with the old one.
                db.execute(text(insert + " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,"
                                " session_version = users.session_version + 1"), row)
            else:
                db.execute(text(insert), row)
    except IntegrityError:
        raise ValueError(f"用户 {name} 已存在（要重设密码请加 --replace）") from None


def account_key(name: str) -> str:
    """The account a typed name signs in to: what authenticate looks up, so a throttle keyed on it
    cannot be dodged with padding (" staff", "staff ")."""
    return (name or "").strip()


def authenticate(name: str, password: str) -> dict | None:
    with _db().connect() as db:
        row = db.execute(text("SELECT id, name, password_hash, session_version FROM users WHERE name = :n"),
                         {"n": account_key(name)}).mappings().first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(row["password_hash"], password or ""):
        return None
    return {"id": row["id"], "name": row["name"], "session_version": row["session_version"]}


# Failed sign-ins live in the state store, so every worker process counts the same tries.

def recent_failures(key: str, window: float) -> int:
    """Failures recorded for ``key`` in the last ``window`` seconds (older ones are forgotten)."""
    with _db().begin() as db:
        db.execute(text("DELETE FROM login_failures WHERE key = :k AND at < :t"), {"k": key, "t": time.time() - window})
        return db.execute(text("SELECT count(*) FROM login_failures WHERE key = :k"), {"k": key}).scalar_one()


def record_failure(*keys: str) -> None:
    with _db().begin() as db:
        db.execute(text("INSERT INTO login_failures (key, at) VALUES (:k, :t)"), [{"k": k, "t": time.time()} for k in keys])


def clear_failures(key: str) -> None:
    with _db().begin() as db:
        db.execute(text("DELETE FROM login_failures WHERE key = :k"), {"k": key})


def get_user(user_id: int) -> dict | None:
    with _db().connect() as db:
        row = db.execute(text("SELECT id, name, session_version FROM users WHERE id = :i"),
                         {"i": user_id}).mappings().first()
    return dict(row) if row else None


def end_sessions(user_id: int) -> None:
    """Every session of this account stops working, in every worker (the version is in the store)."""
    with _db().begin() as db:
        db.execute(text("UPDATE users SET session_version = session_version + 1 WHERE id = :i"), {"i": user_id})


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
    app.cli.add_command(create_user_command)
