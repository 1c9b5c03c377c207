"""CSV and JSON downloads of facts, shared by the API and the console."""
from __future__ import annotations

import csv
import io
import json

from flask import Response

FACT_FIELDS = ("agency", "year", "table_label", "row_group", "row_label", "column_label", "value", "unit", "kind",
               "report", "source_page", "source_line", "source_text", "table_key", "row_key", "column_key")
FIELD_LABELS = {
    "agency": "机关", "year": "年份", "table_label": "表", "row_group": "分组", "row_label": "行",
    "column_label": "列", "value": "数值", "unit": "单位", "kind": "类型", "report": "报告",
    "source_page": "页码", "source_line": "行号", "source_text": "原文", "table_key": "表键",
    "row_key": "行键", "column_key": "列键",
}
# A cell starting like a formula is run by spreadsheet programs; report text is not ours to trust.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(rows: list[dict], file_name: str, fields=FACT_FIELDS, labels=FIELD_LABELS) -> Response:
    buf = io.StringIO()
    # The BOM makes Excel read the Chinese as UTF-8.
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow([labels.get(f, f) for f in fields])
    for row in rows:
        writer.writerow([spreadsheet_cell(row.get(f)) for f in fields])
    return Response(buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(file_name)})


def json_download(payload, file_name: str) -> Response:
    body = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json; charset=utf-8",
                    headers={"Content-Disposition": attachment(file_name)})


def attachment(file_name: str) -> str:
    from urllib.parse import quote
    ascii_name = file_name.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
