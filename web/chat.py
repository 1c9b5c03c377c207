"""Public pages: the chat, the list of reports and a report opened at a cited passage."""
from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, current_app, g, render_template, request

from . import backend, fail

bp = Blueprint("chat", __name__)


def report_index(reports: list[dict]) -> list[dict]:
    """What the chat page needs to link a cited file name to its report and show its warnings."""
    return [{"id": r["id"], "file_name": r["file_name"], "agency": r.get("agency"), "year": r.get("year"),
             "warnings": r.get("warnings") or []} for r in reports]


def suggested_questions(reports: list[dict]) -> list[str]:
    """A figure, a passage, a trend and a comparison, about reports that are actually stored
    (spread over different agencies where there are several)."""
    dated = [r for r in reports if r.get("agency") and r.get("year")]
    with_facts = [r for r in dated if r.get("n_facts")] or dated
    if not with_facts:
        return []
    newest_first = sorted(with_facts, key=lambda r: (r["year"], r.get("n_facts") or 0), reverse=True)
    latest = newest_first[0]
    other = next((r for r in newest_first if r["agency"] != latest["agency"]), latest)
    out = [f"{latest['agency']}{latest['year']}年新收政府信息公开申请多少件？",
           f"{other['agency']}{other['year']}年政府信息公开工作存在哪些不足？"]
    years_of = defaultdict(set)
    agencies_in = defaultdict(set)
    for r in with_facts:
        years_of[r["agency"]].add(r["year"])
        agencies_in[r["year"]].add(r["agency"])
    agency, years = max(years_of.items(), key=lambda kv: (len(kv[1]), kv[0] != latest["agency"], max(kv[1])))
    if len(years) >= 2:
        recent = sorted(years)[-4:]
        out.append(f"{agency}{'、'.join(map(str, recent))}年新收的政府信息公开申请分别有多少件？")
    year, agencies = max(agencies_in.items(), key=lambda kv: (len(kv[1]), kv[0]))
    if len(agencies) >= 2:
        a, b = sorted(agencies)[:2]
        out.append(f"{year}年{a}和{b}被申请行政复议各有多少件？")
    return out


@bp.get("/")
def index():
    reports, unavailable = [], None
    try:
        reports = backend.assistant().reports()
    except backend.Unavailable as exc:
        unavailable = str(exc)
    return render_template("chat.html", suggestions=suggested_questions(reports), reports=report_index(reports),
                           unavailable=unavailable, max_question_chars=current_app.config["MAX_QUESTION_CHARS"])


@bp.get("/reports")
def reports():
    items = backend.assistant().reports()
    return render_template("reports.html", reports=items)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def passage_span(text: str) -> tuple[int, int] | None:
    """The span to mark, from ?start=&end= (character offsets) or ?line= (1-based); None if absent or out of range."""
    start, end = _int_arg("start"), _int_arg("end")
    if start is not None and end is not None:
        return (start, end) if 0 <= start < end <= len(text) else None
    line = _int_arg("line")
    if line is not None and line >= 1:
        pos = 0
        for _ in range(line - 1):
            pos = text.find("\n", pos) + 1
            if pos == 0:
                return None
        stop = text.find("\n", pos)
        stop = len(text) if stop < 0 else stop
        return (pos, stop) if stop > pos else None
    return None


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    rep = backend.assistant().report(report_id)
    if rep is None:
        fail(404, f"没有编号为 {report_id} 的报告")
    text = rep.get("text") or ""
    finding = _finding_of(report_id)
    if finding is not None:
        spans = finding_spans(text, finding)
    else:
        span = passage_span(text)
        spans = [(span[0], span[1], "passage")] if span else []
    return render_template("report.html", report=rep, segments=segments(text, spans), finding=finding,
                           marked=bool(spans),
                           requested=bool(request.args.get("start") or request.args.get("line")
                                          or request.args.get("finding")))


def _finding_of(report_id: int) -> dict | None:
    """The finding named by ?finding=, for staff only (findings are a review tool, not public)."""
    finding_id = _int_arg("finding")
    if finding_id is None or g.get("user") is None:
        return None
    found = backend.assistant().findings(finding_id=finding_id)
    return found[0] if found and found[0]["report_id"] == report_id else None


def _line_span(text: str, line: int) -> tuple[int, int] | None:
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    stop = text.find("\n", pos)
    stop = len(text) if stop < 0 else stop
    return (pos, stop) if stop > pos else None


def finding_spans(text: str, finding: dict) -> list[tuple[int, int, str]]:
    """The finding's sentences and its cells (of this report) as spans to mark."""
    spans = []
    for s in finding["sentences"]:
        if 0 <= s["char_start"] < s["char_end"] <= len(text):
            spans.append((s["char_start"], s["char_end"], "passage"))
    for c in finding["cells"]:
        if c.get("report") not in (None, finding["report"]):
            continue  # a cell of last year's report, shown in the message
        start, end = c.get("char_start"), c.get("char_end")
        if start is not None and end is not None and 0 <= start < end <= len(text):
            spans.append((start, end, "cell-mark"))
        elif c.get("line"):
            line = _line_span(text, int(c["line"]))
            if line:
                spans.append((*line, "cell-mark"))
    return spans


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """The text cut at every span boundary: (piece, classes) with "" for unmarked pieces."""
    cuts = sorted({0, len(text), *(p for s in spans for p in s[:2])})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        classes = " ".join(sorted({cls for s, e, cls in spans if s <= a and b <= e}))
        if out and out[-1][1] == classes:
            out[-1] = (out[-1][0] + text[a:b], classes)
        else:
            out.append((text[a:b], classes))
    return out
