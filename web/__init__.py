"""The web app: public chat and report views, the staff console, the JSON API.

``create_app`` builds everything; nothing is created at import time. The app
only talks to the ``assistant`` package (through ``web.backend``), never to the
stores directly.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

csrf = CSRFProtect()
log = logging.getLogger(__name__)

# Small enough that a JSON question or a login form can never tie up a worker;
# the upload view raises its own limit (see ``_request_limits``).
MAX_JSON_BYTES = 1024 * 1024
MAX_UPLOAD_FILES = 10

ERROR_MESSAGES = {
    400: "请求无效",
    401: "请先登录",
    403: "无权访问",
    404: "找不到该页面或资源",
    405: "不支持该请求方法",
    413: "请求内容过大",
    415: "不支持的内容类型",
    500: "服务器内部错误，请稍后再试",
    503: "服务暂时不可用",
}


def create_app(config=None, test_config: dict | None = None) -> Flask:
    """``config`` is an ``ingest.settings.Config`` (default: config.toml); ``test_config`` overrides Flask keys."""
    from ingest.settings import load

    config = config or load()
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.config.from_mapping(
        REPORT_CONFIG=config,
        MAX_CONTENT_LENGTH=MAX_JSON_BYTES,
        UPLOAD_MAX_BYTES=int(config.upload_max_mb) * 1024 * 1024,
        MAX_QUESTION_CHARS=int(config.max_question_chars),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(config.web_secure_cookies),
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        # Tokens live as long as the session: a console tab left open for an hour still submits.
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        from . import state
        app.config["SECRET_KEY"] = config.web_secret_key or state.secret_key(config)

    from . import api, audit, auth, backend, chat, console, users

    backend.init_app(app)
    users.init_app(app)
    app.before_request(_request_limits)
    csrf.init_app(app)
    app.register_blueprint(chat.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(api.bp)
    # The JSON API is exempt because it only accepts application/json, which a
    # cross-site form cannot send without a CORS preflight we never grant.
    csrf.exempt(api.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(backend.Unavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected_error)
    app.after_request(_security_headers)
    return app


def _request_limits():
    # Runs before CSRFProtect parses the form, so the upload is judged by its own limit.
    if request.endpoint == "console.upload":
        from flask import current_app
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] * MAX_UPLOAD_FILES + MAX_JSON_BYTES


def wants_json() -> bool:
    return (request.path.startswith("/api/") or request.path == "/healthz"
            or request.accept_mimetypes.best == "application/json")


def _http_error(exc: HTTPException):
    code = exc.code or 500
    if isinstance(exc, CSRFError):
        message = "页面已过期或缺少安全令牌，请刷新页面后重试"
    elif code == 413 and request.endpoint == "console.upload":
        from flask import current_app

        from .uploads import human_size
        size = human_size(current_app.config["UPLOAD_MAX_BYTES"])
        message = f"上传内容过大：每个文件不超过 {size}，每次最多 {MAX_UPLOAD_FILES} 个文件"
    else:
        # Our own aborts carry a Chinese description; werkzeug's defaults are English.
        own = exc.description if getattr(exc, "_web_message", False) else None
        message = own or ERROR_MESSAGES.get(code, exc.name)
    if wants_json():
        resp = jsonify(error=message)
        resp.status_code = code
        if code == 405 and exc.get_response().headers.get("Allow"):
            resp.headers["Allow"] = exc.get_response().headers["Allow"]
        return resp
    return render_template("error.html", code=code, message=message), code


def _unavailable(exc: Exception):
    if wants_json():
        return jsonify(error=str(exc)), 503
    return render_template("error.html", code=503, message=str(exc)), 503


def _unexpected_error(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    message = ERROR_MESSAGES[500]
    if wants_json():
        return jsonify(error=message), 500
    return render_template("error.html", code=500, message=message), 500


def fail(code: int, message: str):
    """abort() with a message meant for the user (Chinese), kept by the error handler."""
    from werkzeug.exceptions import default_exceptions
    exc = default_exceptions[code](description=message)
    exc._web_message = True
    raise exc


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _security_headers(resp):
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp
