"""Staff sign-in and sign-out; ``login_required`` guards the console."""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for

from . import users

bp = Blueprint("auth", __name__)

# Failed sign-ins per account (as authenticate reads the name) and, separately, per client address,
# counted in the accounts file so every worker process sees the same tries:
# after MAX_FAILURES within LOCK_SECONDS for the account, or MAX_ADDRESS_FAILURES for the address
# (one address may be an office's shared gateway), sign-in is refused until the window passes.
MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 4 * MAX_FAILURES
LOCK_SECONDS = 300


@bp.before_app_request
def load_user():
    user_id = session.get("user_id")
    g.user = users.get_user(user_id) if user_id is not None else None
    if g.user is not None and g.user["session_version"] != session.get("session_version"):
        g.user = None  # signed out elsewhere, or the password was changed, since this session began
    if user_id is not None and g.user is None:
        session.clear()  # …or the account was removed


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            if request.accept_mimetypes.best == "application/json":
                from . import fail
                fail(401, "请先登录")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login form cannot be used to bounce users elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("console.index")


@bp.route("/login", methods=("GET", "POST"))
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")
        key, address = f"account:{users.account_key(name)}", f"address:{request.remote_addr or ''}"
        if users.recent_failures(key, LOCK_SECONDS) >= MAX_FAILURES \
                or users.recent_failures(address, LOCK_SECONDS) >= MAX_ADDRESS_FAILURES:
            error = f"登录失败次数过多，请 {LOCK_SECONDS // 60} 分钟后再试"
            return render_template("login.html", error=error, next=request.values.get("next", "")), 429
        user = users.authenticate(name, request.form.get("password", ""))
        if user is None:
            users.record_failure(key, address)
            error = "用户名或密码不正确"
        else:
            users.clear_failures(key)
            # A fresh session on sign-in, so a session id planted before login is worthless.
            session.clear()
            session.permanent = True
            session["user_id"] = user["id"]
            session["session_version"] = user["session_version"]
            return redirect(_safe_next(request.form.get("next")))
    return render_template("login.html", error=error, next=request.values.get("next", "")), (401 if error else 200)


@bp.route("/logout", methods=("POST",))
def logout():
    if g.user is not None:
        users.end_sessions(g.user["id"])  # a copied cookie must not outlive the sign-out
    session.clear()
    flash("已退出登录")
    return redirect(url_for("chat.index"))
