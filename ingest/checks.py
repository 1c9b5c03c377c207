"""The arithmetic the template promises, checked on a report's table facts.

A report that breaks a check is stored as printed, with a warning naming the
row and column: figures are never silently "fixed".
"""
from __future__ import annotations

from .records import Fact
from .template import FORMATS, OUTCOME_ROWS_2019, OUTCOME_ROWS_2021

_APP_PARTS = ("natural", "commercial", "research", "nonprofit", "legal", "other_org")
_REVIEW_PARTS = ("upheld", "corrected", "other", "pending")


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def check(facts: list[Fact], fmt: str | None) -> list[str]:
    if fmt is None:
        return []
    cell = {(f.table_key, f.row_key, f.column_key): f.value for f in facts if f.kind in ("table", "derived")
            and f.table_key in ("applications", "review")}
    app_table = FORMATS[fmt].table("applications")
    label = {r.key: r.label for r in app_table.rows}
    col_label = {c.key: c.label for c in app_table.columns}
    warnings: list[str] = []
    # A 2021-format report that printed (六)其他处理 as one row, as in 2019.
    single_other = fmt == "2021" and ("applications", "other", "total") in cell

    for row in app_table.rows + ((FORMATS["2019"].table("applications").row("other"),) if single_other else ()):
        parts = [cell.get(("applications", row.key, c)) for c in _APP_PARTS]
        total = cell.get(("applications", row.key, "total"))
        if total is not None and None not in parts and sum(parts) != total:
            warnings.append(f"核对未通过：申请情况表「{row.label}」总计 {_fmt(total)} ≠ 各申请人列之和 {_fmt(sum(parts))}")

    outcome = OUTCOME_ROWS_2019 if fmt == "2019" or single_other else OUTCOME_ROWS_2021
    for col in _APP_PARTS + ("total",):
        rows = [cell.get(("applications", r, col)) for r in outcome]
        total = cell.get(("applications", "total", col))
        if total is not None and None not in rows and sum(rows) != total:
            warnings.append(f"核对未通过：申请情况表「{col_label[col]}」列（七）总计 {_fmt(total)} ≠ 各办理结果之和 {_fmt(sum(rows))}")
        a, b, t, c = (cell.get(("applications", r, col)) for r in ("new", "carried_in", "total", "carried_out"))
        if None not in (a, b, t, c) and a + b != t + c:
            warnings.append(f"核对未通过：申请情况表「{col_label[col]}」列 一+二（{_fmt(a + b)}）≠（七）总计+四（{_fmt(t + c)}）"
                            f"（{label['new']} {_fmt(a)}，{label['carried_in']} {_fmt(b)}，总计 {_fmt(t)}，"
                            f"{label['carried_out']} {_fmt(c)}）")

    for row in FORMATS[fmt].table("review").rows:
        parts = [cell.get(("review", row.key, c)) for c in _REVIEW_PARTS]
        total = cell.get(("review", row.key, "total"))
        if total is not None and None not in parts and sum(parts) != total:
            warnings.append(f"核对未通过：行政复议、行政诉讼表「{row.label}」总计 {_fmt(total)} ≠ 维持、纠正、其他、未审结之和 {_fmt(sum(parts))}")
    return warnings
