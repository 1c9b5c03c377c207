"""The JSON API: questions (whole or streamed), reports, facts, health.

Every bad input gets a 4xx with {"error": "..."} in Chinese; the assistant is
only called with a question and history that passed ``read_question``.
"""
from __future__ import annotations

import logging
import os
import re

from flask import Blueprint, Response, current_app, jsonify, request

from . import ERROR_MESSAGES, backend, fail
from .export import csv_response

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__)

MAX_HISTORY_MESSAGES = 20
MAX_HISTORY_CHARS = 4000


def read_question() -> tuple[str, list[dict] | None]:
    if not request.is_json:
        fail(415, "请求必须是 JSON（Content-Type: application/json）")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: malformed, not a server fault
        body = None
    if body is None:
        fail(400, "请求体不是有效的 JSON")
    if not isinstance(body, dict):
        fail(400, "请求体必须是 JSON 对象，例如 {\"question\": \"...\"}")
    question = body.get("question")
    if not isinstance(question, str):
        fail(400, "question 必须是字符串")
    question = question.strip()
    if not question:
        fail(400, "问题不能为空")
    limit = current_app.config["MAX_QUESTION_CHARS"]
    if len(question) > limit:
        fail(400, f"问题过长：最多 {limit} 个字符")
    return question, _read_history(body.get("history"))


def _read_history(history) -> list[dict] | None:
    if history is None:
        return None
    if not isinstance(history, list):
        fail(400, "history 必须是列表")
    if len(history) > MAX_HISTORY_MESSAGES:
        fail(400, f"history 最多 {MAX_HISTORY_MESSAGES} 条")
    clean = []
    for i, turn in enumerate(history):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") \
                or not isinstance(turn.get("content"), str):
            fail(400, f"history 第 {i + 1} 条须为 {{\"role\": \"user\"|\"assistant\", \"content\": 字符串}}")
        if len(turn["content"]) > MAX_HISTORY_CHARS:
            fail(400, f"history 第 {i + 1} 条过长：最多 {MAX_HISTORY_CHARS} 个字符")
        clean.append({"role": turn["role"], "content": turn["content"]})
    return clean


@bp.post("/api/ask")
def ask():
    question, history = read_question()
    result = backend.assistant().ask(question, history)
    return jsonify(result)


# Answer pieces end after punctuation, so the text appears phrase by phrase.
_PIECE = re.compile(r".{1,24}?(?:[，。；：！？、,.;:!?\n]|$)|.{1,24}", re.S)


def answer_pieces(text: str) -> list[str]:
    return [m.group(0) for m in _PIECE.finditer(text or "") if m.group(0)]


@bp.post("/api/ask/stream")
def ask_stream():
    """Server-sent events: ``status`` at once, ``delta`` pieces of the answer, then ``done`` with the whole result.

    Errors after the stream has begun arrive as an ``error`` event (the status is already 200).
    """
    question, history = read_question()
    service = backend.get()
    dumps = current_app.json.dumps

    def sse(event: str, data) -> str:
        return f"event: {event}\ndata: {dumps(data)}\n\n"

    def events():
        yield sse("status", {"stage": "searching", "message": "正在查找相关报告…"})
        try:
            result = service.assistant().ask(question, history)
        except backend.Unavailable as exc:
            yield sse("error", {"error": str(exc)})
            return
        except Exception:
            log.exception("ask failed for streamed question")
            yield sse("error", {"error": ERROR_MESSAGES[500]})
            return
        for piece in answer_pieces(result.get("answer", "")):
            yield sse("delta", {"text": piece})
        yield sse("done", result)

    return Response(events(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/api/reports")
def reports():
    return jsonify(reports=backend.assistant().reports())


@bp.get("/api/reports/<int:report_id>")
def report(report_id: int):
    rep = backend.assistant().report(report_id)
    if rep is None:
        fail(404, f"没有编号为 {report_id} 的报告")
    return jsonify(rep)


def _text_arg(name: str, limit: int = 200) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > limit:
        fail(400, f"参数 {name} 过长")
    return value or None


def year_arg(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        fail(400, f"year 须为四位年份，收到：{raw[:20]}")
    return int(raw)


@bp.get("/api/facts")
def facts():
    fmt = request.args.get("format", "json").strip().lower()
    if fmt not in ("json", "csv"):
        fail(400, "format 只能是 json 或 csv")
    query = {"agency": _text_arg("agency"), "year": year_arg(request.args.get("year")),
             "row": _text_arg("row"), "column": _text_arg("column"), "table": _text_arg("table")}
    rows = backend.assistant().facts(**query)
    if fmt == "csv":
        return csv_response(rows, "facts.csv")
    return jsonify(facts=rows, count=len(rows))


@bp.get("/healthz")
def healthz():
    try:
        n = len(backend.assistant().reports())
    except backend.Unavailable as exc:
        return jsonify(status="unavailable", error=str(exc)), 503
    # The worker's pid: behind a load balancer or gunicorn, tells which process answered.
    return jsonify(status="ok", reports=n, worker=os.getpid())
