"""The console's 审核 page: findings across reports with filters, a printable per-report audit sheet
to sign, and CSV/XLSX exports. Staff only; reads findings through the assistant."""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, render_template, request

from assistant.audit_answer import FINDING_KIND_LABELS, SEVERITY_LABELS

from . import backend, fail
from .auth import login_required
from .export import attachment, csv_response, spreadsheet_cell

bp = Blueprint("audit", __name__, url_prefix="/console/audit")

KIND_LABELS = FINDING_KIND_LABELS
EXPORT_FIELDS = ("report", "agency", "year", "kind", "severity", "check", "message", "cells", "sentences")
EXPORT_LABELS = {"report": "报告", "agency": "机关", "year": "年份", "kind": "类别", "severity": "严重程度",
                 "check": "规则", "message": "说明", "cells": "涉及单元格", "sentences": "涉及原文"}


@bp.before_request
@login_required
def require_login():
    return None


def _filters() -> dict:
    year = request.args.get("year", "")
    return {"agency": request.args.get("agency") or None,
            "year": int(year) if year.isascii() and year.isdigit() else None,
            "severity": request.args.get("severity") if request.args.get("severity") in SEVERITY_LABELS else None,
            "kind": request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None}


def _number(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def cells_text(f: dict) -> str:
    return "；".join(f"{c.get('report') + ' ' if c.get('report') else ''}{c.get('row')}·{c.get('column')} = "
                    f"{_number(c.get('value'))}" for c in f["cells"])


def sentences_text(f: dict) -> str:
    return " / ".join(f"第{s['line']}行：{' '.join(s['text'].split())}" for s in f["sentences"])


@bp.get("/")
def index():
    a = backend.assistant()
    filters = _filters()
    found = a.findings(**filters)
    every = a.findings()
    return render_template("console/audit.html", findings=found, filters=filters,
                           agencies=sorted({f["agency"] for f in every}), years=sorted({f["year"] for f in every
                                                                                      if f["year"]}),
                           severity_labels=SEVERITY_LABELS, kind_labels=KIND_LABELS, cells_text=cells_text,
                           counts={s: sum(f["severity"] == s for f in found) for s in SEVERITY_LABELS})


@bp.get("/reports/<int:report_id>")
def sheet(report_id: int):
    """One report's findings on a page that prints cleanly, with lines for the reviewer to sign."""
    a = backend.assistant()
    rep = a.report(report_id)
    if rep is None:
        fail(404, f"没有编号为 {report_id} 的报告")
    return render_template("console/audit_sheet.html", report=rep, findings=a.findings(report_id=report_id),
                           severity_labels=SEVERITY_LABELS, kind_labels=KIND_LABELS, cells_text=cells_text,
                           sentences_text=sentences_text, today=date.today().isoformat())


def _rows(found: list[dict]) -> list[dict]:
    return [{"report": f["report"], "agency": f["agency"], "year": f["year"], "kind": KIND_LABELS.get(f["kind"], f["kind"]),
             "severity": SEVERITY_LABELS.get(f["severity"], f["severity"]), "check": f["check"],
             "message": f["message"], "cells": cells_text(f), "sentences": sentences_text(f)} for f in found]


@bp.get("/export")
def export():
    found = backend.assistant().findings(**_filters())
    if request.args.get("format") == "xlsx":
        return _xlsx(_rows(found), "审核结果.xlsx")
    return csv_response(_rows(found), "审核结果.csv", EXPORT_FIELDS, EXPORT_LABELS)


def _xlsx(rows: list[dict], file_name: str) -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "审核结果"
    ws.append([EXPORT_LABELS[f] for f in EXPORT_FIELDS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([spreadsheet_cell(row[f]) for f in EXPORT_FIELDS])
    for column, width in zip("ABCDEFGHI", (30, 22, 8, 12, 10, 26, 60, 50, 60)):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": attachment(file_name)})
