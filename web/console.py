"""The staff console: figures (table, chart, export) and reports (upload, progress, delete, re-ingest).

Every route here needs a signed-in account; every form carries a CSRF token
(CSRFProtect checks all POSTs outside the JSON API).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, url_for

from assistant.ranking import annotate

from . import MAX_UPLOAD_FILES, backend, fail, uploads
from .auth import login_required
from .export import FACT_FIELDS, FIELD_LABELS, csv_response, json_download

bp = Blueprint("console", __name__, url_prefix="/console")

MAX_METRICS = 12
VIEWS = {"table": "按机关和年份", "rank": "排名（按第一个指标从多到少）", "change": "与上一年比较"}
COMPARE_FIELDS = ("rank", "previous_year", "previous_value", "change", "change_rate")
COMPARE_LABELS = {"rank": "排名", "previous_year": "比较年份", "previous_value": "比较年份数值", "change": "变化",
                  "change_rate": "变化率（%）"}
KIND_RANK = {"table": 0, "derived": 1, "narrative": 2}


@bp.before_request
@login_required
def require_login():
    return None


@bp.app_template_filter("number")
def number(value) -> str:
    """144.0 shows as 144; other numbers keep their decimals."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@bp.get("/")
def index():
    return redirect(url_for(".figures"))


# --- figures ----------------------------------------------------------------

@dataclass(frozen=True)
class Metric:
    table_key: str
    row_key: str
    column_key: str
    table_label: str
    row_label: str
    column_label: str
    unit: str

    @property
    def id(self) -> str:
        return f"{self.table_key}|{self.row_key}|{self.column_key}"

    @property
    def label(self) -> str:
        return " · ".join(p for p in (self.table_label, self.row_label, self.column_label) if p)


def _metrics(a) -> list[Metric]:
    # Labels are read under both names the assistant has used ("table_label" and "table").
    def label(m, name):
        return m.get(f"{name}_label") or m.get(name) or ""
    return [Metric(m["table_key"], m["row_key"], m["column_key"], label(m, "table"), label(m, "row"),
                   label(m, "column"), m.get("unit") or "") for m in a.metrics()]


def _selection(a):
    """The picked agencies, years and metrics, each kept only if the store knows it."""
    known_agencies = list(a.agencies())
    known_years = sorted({int(y) for y in a.years() if y is not None})
    metrics = _metrics(a)
    by_id = {m.id: m for m in metrics}
    agencies = [x for x in request.args.getlist("agency") if x in known_agencies]
    years = [int(y) for y in request.args.getlist("year") if y.isdigit() and int(y) in known_years]
    chosen = [by_id[x] for x in dict.fromkeys(request.args.getlist("metric")) if x in by_id][:MAX_METRICS]
    return known_agencies, known_years, metrics, agencies, years, chosen


def collect_facts(a, agencies: list[str], years: list[int], metrics: list[Metric]) -> list[dict]:
    """One fact per (metric, agency, year): a table cell is preferred over a figure taken from prose."""
    best: dict[tuple, dict] = {}
    for m in metrics:
        for f in a.facts(table=m.table_key, row=m.row_key, column=m.column_key):
            if (agencies and f["agency"] not in agencies) or (years and f["year"] not in years):
                continue
            key = (m.id, f["agency"], f["year"])
            old = best.get(key)
            if old is None or KIND_RANK.get(f.get("kind"), 9) < KIND_RANK.get(old.get("kind"), 9):
                best[key] = dict(f, metric=m.id)
    return sorted(best.values(), key=lambda f: (f["agency"], f["year"] or 0, f["metric"]))


def compared_facts(a, agencies: list[str], years: list[int], metrics: list[Metric], view: str) -> list[dict]:
    """The facts, with each one's place among the agencies and its change from the agency's previous
    stored year (that year need not be among those shown) when the view compares."""
    facts = collect_facts(a, agencies, years, metrics)
    if view != "table":
        annotate(facts, collect_facts(a, agencies, [], metrics) if years else facts)
    return facts


def pivot(facts: list[dict], metrics: list[Metric], view: str = "table") -> list[dict]:
    """Rows of the figures table: one per agency and year, a cell per metric; ranked by the first metric
    within each year in the rank view."""
    rows: dict[tuple, dict] = {}
    for f in facts:
        row = rows.setdefault((f["agency"], f["year"]), {"agency": f["agency"], "year": f["year"], "cells": {}})
        row["cells"][f["metric"]] = f
    if view == "rank" and metrics:
        first = metrics[0].id

        def place(k):
            cell = rows[k]["cells"].get(first)
            return cell["rank"] if cell else 10 ** 9
        return [rows[k] for k in sorted(rows, key=lambda k: (-(k[1] or 0), place(k), k[0]))]
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1] or 0))]


def charts(facts: list[dict], metrics: list[Metric], view: str = "table") -> list[dict]:
    """A line over years per agency when several years are shown, else a bar per agency.

    Every chart lists the same agencies in the same order, so an agency keeps its colour across charts;
    in the rank view that order is the first metric's ranking."""
    out = []
    agencies = sorted({f["agency"] for f in facts})
    if view == "rank" and metrics:
        latest = max((f["year"] or 0 for f in facts), default=0)
        place = {f["agency"]: f["rank"] for f in facts if f["metric"] == metrics[0].id and "rank" in f
                 and f["year"] == latest}
        agencies.sort(key=lambda ag: place.get(ag, 10 ** 9))
    for m in metrics:
        mine = [f for f in facts if f["metric"] == m.id]
        if not mine:
            continue
        years = sorted({f["year"] for f in mine})
        value = {(f["agency"], f["year"]): f["value"] for f in mine}
        unit = mine[0].get("unit") or m.unit
        if len(years) > 1:
            out.append({"title": m.label, "unit": unit, "type": "line", "labels": [str(y) for y in years],
                        "series": [{"name": ag, "values": [value.get((ag, y)) for y in years]} for ag in agencies]})
        else:
            out.append({"title": f"{m.label}（{years[0]}年）", "unit": unit, "type": "bar", "labels": agencies,
                        "series": [{"name": f"{years[0]}年", "values": [value.get((ag, years[0])) for ag in agencies]}]})
    return out


def _view() -> str:
    view = request.args.get("view", "table")
    return view if view in VIEWS else "table"


@bp.get("/figures")
def figures():
    a = backend.assistant()
    known_agencies, known_years, metrics, agencies, years, chosen = _selection(a)
    view = _view()
    facts = compared_facts(a, agencies, years, chosen, view) if chosen else []
    groups: dict[str, list[Metric]] = {}
    for m in metrics:
        groups.setdefault(m.table_label or m.table_key, []).append(m)
    return render_template("console/figures.html", known_agencies=known_agencies, known_years=known_years,
                           metric_groups=groups, agencies=agencies, years=years, chosen=chosen,
                           rows=pivot(facts, chosen, view), charts=charts(facts, chosen, view), n_facts=len(facts),
                           view=view, views=VIEWS,
                           export_args=request.args.to_dict(flat=False))


@bp.get("/figures/export")
def export():
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "json"):
        fail(400, "导出格式只能是 csv 或 json")
    a = backend.assistant()
    _, _, _, agencies, years, chosen = _selection(a)
    if not chosen:
        fail(400, "请至少选择一个指标")
    view = _view()
    facts = compared_facts(a, agencies, years, chosen, view)
    if fmt == "csv":
        if view == "table":
            return csv_response(facts, "figures.csv")
        return csv_response(facts, "figures.csv", FACT_FIELDS[:7] + COMPARE_FIELDS + FACT_FIELDS[7:],
                            {**FIELD_LABELS, **COMPARE_LABELS})
    return json_download({"agencies": agencies, "years": years, "metrics": [m.id for m in chosen], "facts": facts},
                         "figures.json")


# --- reports ----------------------------------------------------------------

@bp.get("/reports")
def reports():
    try:
        items = backend.assistant().reports(candidates=True)
    except backend.Unavailable:
        items = []  # nothing ingested yet: the page still offers the upload
    return render_template("console/reports.html", reports=items,
                           max_size=uploads.human_size(current_app.config["UPLOAD_MAX_BYTES"]), max_files=MAX_UPLOAD_FILES)


def _save_checked(storage, dest, limit: int) -> str | None:
    """Write the upload to ``dest`` if its type and size pass; the problem otherwise."""
    head = storage.stream.read(uploads.SNIFF_BYTES)
    problem = uploads.check(dest.name, head)
    if problem:
        return problem
    size = len(head)
    with open(dest, "wb") as out:
        out.write(head)
        while chunk := storage.stream.read(1 << 16):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        dest.unlink(missing_ok=True)
        return f"文件超过 {uploads.human_size(limit)}"
    return None


@bp.post("/reports/upload")
def upload():
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash("请选择要上传的文件", "error")
        return redirect(url_for(".reports"), 303)
    if len(files) > MAX_UPLOAD_FILES:
        flash(f"每次最多上传 {MAX_UPLOAD_FILES} 个文件", "error")
        return redirect(url_for(".reports"), 303)
    service = backend.get()
    staging = service.uploads / ".staging" / secrets.token_hex(8)
    staging.mkdir(parents=True, exist_ok=True)
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    accepted, rejected = [], []
    for storage in files:
        shown = storage.filename.replace("\\", "/").rsplit("/", 1)[-1]
        name = uploads.safe_filename(storage.filename)
        dest = staging / name if name else None
        if not name:
            problem = "文件名无效"
        elif dest in accepted:
            problem = "与本次上传的另一个文件重名"
        else:
            problem = _save_checked(storage, dest, limit)
        if problem:
            rejected.append({"file": shown, "status": "rejected", "error": problem, "warnings": []})
        else:
            accepted.append(dest)
    if not accepted:
        staging.rmdir()
        for r in rejected:
            flash(f"{r['file']}：{r['error']}", "error")
        return redirect(url_for(".reports"), 303)
    job = service.jobs.start_upload(accepted, g.user["name"], rejected)
    return redirect(url_for(".job", job_id=job.id), 303)


def _existing_report(report_id: int) -> dict:
    rep = backend.assistant().report(report_id)
    if rep is None:
        fail(404, f"没有编号为 {report_id} 的报告")
    return rep


@bp.post("/reports/<int:report_id>/delete")
def delete(report_id: int):
    """Queued as a job: a delete never waits in the request for an upload to finish."""
    rep = _existing_report(report_id)
    job = backend.get().jobs.start_delete(report_id, rep["file_name"], g.user["name"])
    return redirect(url_for(".job", job_id=job.id), 303)


@bp.post("/reports/<int:report_id>/correct")
def correct(report_id: int):
    """Staff set a report's agency and year; facts, passages and answers follow (audited in the store)."""
    rep = _existing_report(report_id)
    agency = (request.form.get("agency") or "").strip()
    year_text = (request.form.get("year") or "").strip()
    if not agency:
        flash(f"{rep['file_name']}：机关名称不能为空", "error")
        return redirect(url_for(".reports"), 303)
    if year_text and not (year_text.isdigit() and 1990 <= int(year_text) <= 2100):
        flash(f"{rep['file_name']}：年份“{year_text}”无效", "error")
        return redirect(url_for(".reports"), 303)
    year = int(year_text) if year_text else None
    job = backend.get().jobs.start_correct(report_id, rep["file_name"], agency, year, g.user["name"])
    return redirect(url_for(".job", job_id=job.id), 303)


@bp.post("/reports/<int:report_id>/reingest")
def reingest(report_id: int):
    rep = _existing_report(report_id)
    job = backend.get().jobs.start_reingest(report_id, rep["file_name"], g.user["name"])
    return redirect(url_for(".job", job_id=job.id), 303)


def _job(job_id: str):
    job = backend.get().jobs.get(job_id)
    if job is None:
        fail(404, "没有这个导入任务（可能已过期）")
    return job


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    return render_template("console/job.html", job=_job(job_id).as_dict())


@bp.get("/jobs/<job_id>/status")
def job_status(job_id: str):
    return jsonify(_job(job_id).as_dict())
