"""Staff sign-in and sign-out; ``login_required`` guards the console."""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from . import users

bp = Blueprint("auth", __name__)


@bp.before_app_request
def load_user():
    user_id = session.get("user_id")
    g.user = users.get_user(user_id) if user_id is not None else None
    if user_id is not None and g.user is None:
        session.clear()  # the account was removed since this session began


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
        user = users.authenticate(request.form.get("name", ""), request.form.get("password", ""))
        if user is None:
            error = "用户名或密码不正确"
        else:
            # A fresh session on sign-in, so a session id planted before login is worthless.
            session.clear()
            session.permanent = True
            session["user_id"] = user["id"]
            return redirect(_safe_next(request.form.get("next")))
    return render_template("login.html", error=error, next=request.values.get("next", "")), (401 if error else 200)


@bp.route("/logout", methods=("POST",))
def logout():
    session.clear()
    flash("已退出登录")
    return redirect(url_for("chat.index"))
