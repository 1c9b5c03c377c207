"""The arithmetic the template promises, checked on a report's table facts.

A report that breaks a check is stored as printed, with a finding naming the
row and column and the cells involved: figures are never silently "fixed".
"""
from __future__ import annotations

from .records import Fact, Finding
from .template import FORMATS, OUTCOME_ROWS_2019, OUTCOME_ROWS_2021

_APP_PARTS = ("natural", "commercial", "research", "nonprofit", "legal", "other_org")
_REVIEW_PARTS = ("upheld", "corrected", "other", "pending")


def fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def cell_ref(f: Fact) -> dict:
    """A cell as findings cite it: enough to name it and to mark it in the report view."""
    return {"table_key": f.table_key, "row_key": f.row_key, "column_key": f.column_key, "row": f.row,
            "column": f.column, "value": f.value, "line": f.source_line, "page": f.source_page,
            "char_start": f.char_start, "char_end": f.char_end}


def check(facts: list[Fact], fmt: str | None) -> list[str]:
    """The failed sums as warning lines (what ingest prints and the report list shows)."""
    return [f.message for f in findings(facts, fmt)]


def findings(facts: list[Fact], fmt: str | None) -> list[Finding]:
    if fmt is None:
        return []
    by_key = {(f.table_key, f.row_key, f.column_key): f for f in facts if f.kind in ("table", "derived")
              and f.table_key in ("applications", "review")}
    cell = {k: f.value for k, f in by_key.items()}
    app_table = FORMATS[fmt].table("applications")
    label = {r.key: r.label for r in app_table.rows}
    col_label = {c.key: c.label for c in app_table.columns}
    out: list[Finding] = []

    def failed(check_id: str, message: str, keys) -> None:
        cited = [cell_ref(by_key[k]) for k in keys if k in by_key]
        out.append(Finding("in-table", "error", check_id, "核对未通过：" + message, cells=cited))

    # A 2021-format report that printed (六)其他处理 as one row, as in 2019.
    single_other = fmt == "2021" and ("applications", "other", "total") in cell

    for row in app_table.rows + ((FORMATS["2019"].table("applications").row("other"),) if single_other else ()):
        keys = [("applications", row.key, c) for c in _APP_PARTS]
        parts = [cell.get(k) for k in keys]
        total = cell.get(("applications", row.key, "total"))
        if total is not None and None not in parts and sum(parts) != total:
            failed("applications_row_sum",
                   f"申请情况表「{row.label}」总计 {fmt_number(total)} ≠ 各申请人列之和 {fmt_number(sum(parts))}",
                   [("applications", row.key, "total")] + keys)

    outcome = OUTCOME_ROWS_2019 if fmt == "2019" or single_other else OUTCOME_ROWS_2021
    for col in _APP_PARTS + ("total",):
        keys = [("applications", r, col) for r in outcome]
        rows = [cell.get(k) for k in keys]
        total = cell.get(("applications", "total", col))
        if total is not None and None not in rows and sum(rows) != total:
            failed("applications_outcome_sum",
                   f"申请情况表「{col_label[col]}」列（七）总计 {fmt_number(total)} ≠ 各办理结果之和 {fmt_number(sum(rows))}",
                   [("applications", "total", col)] + keys)
        keys = [("applications", r, col) for r in ("new", "carried_in", "total", "carried_out")]
        a, b, t, c = (cell.get(k) for k in keys)
        if None not in (a, b, t, c) and a + b != t + c:
            failed("applications_balance",
                   f"申请情况表「{col_label[col]}」列 一+二（{fmt_number(a + b)}）≠（七）总计+四（{fmt_number(t + c)}）"
                   f"（{label['new']} {fmt_number(a)}，{label['carried_in']} {fmt_number(b)}，总计 {fmt_number(t)}，"
                   f"{label['carried_out']} {fmt_number(c)}）", keys)

    for row in FORMATS[fmt].table("review").rows:
        keys = [("review", row.key, c) for c in _REVIEW_PARTS]
        parts = [cell.get(k) for k in keys]
        total = cell.get(("review", row.key, "total"))
        if total is not None and None not in parts and sum(parts) != total:
            failed("review_row_sum",
                   f"行政复议、行政诉讼表「{row.label}」总计 {fmt_number(total)} ≠ 维持、纠正、其他、未审结之和 "
                   f"{fmt_number(sum(parts))}", [("review", row.key, "total")] + keys)
    return out
