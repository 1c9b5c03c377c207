"""Findings that need last year's report of the same agency: what one year carries over must be
what the next year says it took over, column by column, and the 2019 format's 上一年项目数量 must be
last year's count (上一年项目数量 + 本年增/减); a rate of change the prose prints against last year
(同比增长X%, 较去年回落X%) must be what last year's report gives."""
from __future__ import annotations

import re

from ..checks import fmt_number
from ..records import Finding
from ..template import FORMATS
from . import prose

_APP_COLUMNS = ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total")
_COUNTED = (("item5", "license"), ("item5", "other_services"), ("item6", "penalty"), ("item6", "coercion"),
            ("item8", "fee"))


def _ref(fact: dict, report: dict) -> dict:
    return {"table_key": fact["table_key"], "row_key": fact["row_key"], "column_key": fact["column_key"],
            "row": fact["row_label"], "column": fact["column_label"], "value": fact["value"],
            "line": fact["source_line"], "page": fact["source_page"], "char_start": fact["char_start"],
            "char_end": fact["char_end"], "report": report["file_name"], "year": report["year"]}


def continuity(earlier: dict, later: dict) -> list[Finding]:
    """Findings on ``later`` (year y+1) from ``earlier`` (year y). Each report is a dict with
    file_name, year, format and cells: {(table_key, row_key, column_key): fact row}."""
    out: list[Finding] = []
    before, after = earlier["cells"], later["cells"]
    labels = {c.key: c.label for c in FORMATS[later["format"] or "2021"].table("applications").columns}
    for col in _APP_COLUMNS:
        carried_out = before.get(("applications", "carried_out", col))
        carried_in = after.get(("applications", "carried_in", col))
        if carried_out is None or carried_in is None or carried_out["value"] == carried_in["value"]:
            continue
        out.append(Finding(
            "across-years", "warning", "carried_over_mismatch",
            f"「{labels.get(col, col)}」列上年结转申请 {fmt_number(carried_in['value'])} 件，而 {earlier['year']} 年报告的"
            f"结转下年度继续办理为 {fmt_number(carried_out['value'])} 件",
            cells=[_ref(carried_in, later), _ref(carried_out, earlier)], other_report=earlier["file_name"]))
    if earlier["format"] == later["format"] == "2019":
        for table, row in _COUNTED:
            prev_now = after.get((table, row, "prev_count"))
            prev_then, change_then = before.get((table, row, "prev_count")), before.get((table, row, "change"))
            if None in (prev_now, prev_then, change_then):
                continue
            expected = prev_then["value"] + change_then["value"]
            if prev_now["value"] != expected:
                out.append(Finding(
                    "across-years", "warning", "previous_count_mismatch",
                    f"「{prev_now['row_label']}」上一年项目数量 {fmt_number(prev_now['value'])}，而 {earlier['year']} 年报告为 "
                    f"{fmt_number(prev_then['value'])}{'+' if change_then['value'] >= 0 else ''}"
                    f"{fmt_number(change_then['value'])} = {fmt_number(expected)}",
                    cells=[_ref(prev_now, later), _ref(prev_then, earlier), _ref(change_then, earlier)],
                    other_report=earlier["file_name"]))
    return out + change_rates(earlier, later)


# A rate against last year: 较去年回落12.3%, 同比增长5%, 比上年增加20%.
_AGAINST_LAST_YEAR = re.compile(r"(?:较|比|同比)(?:上年|去年|上一年|上年度)?(?:同期)?" + prose._DIRECTION
                                + r"(?:\d+(?:\.\d+)?[%％])?$")


def _previous(earlier: dict, measure) -> list[tuple[float, dict | None]]:
    """What last year's report says of the measure: its table figure and its prose figures."""
    out = []
    cells = [earlier["cells"].get(k) for k in measure.cells]
    if all(c is not None for c in cells):
        out.append((sum(c["value"] for c in cells), cells[0] if len(cells) == 1 else None))
    for f in earlier.get("prose", []):
        if f["unit"] in prose._COUNT_UNITS and prose.clause_measure(f["row_label"], f["source_text"] or "") is measure:
            out.append((f["value"], None))
    return out


def change_rates(earlier: dict, later: dict) -> list[Finding]:
    out: list[Finding] = []
    said = later.get("prose", [])
    for rate in said:
        m = _AGAINST_LAST_YEAR.search(re.sub(r"\s+", "", rate["row_label"] or ""))
        sentence = rate["source_text"] or ""
        if rate["unit"] != "%" or m is None or prose._CHANGE_IN_SENTENCE.search(sentence):
            continue  # a rate beside both counts is checked within the report
        counts = [c for c in said if c["source_text"] == sentence and c["unit"] in prose._COUNT_UNITS
                  and c["char_start"] is not None and c["char_start"] < rate["char_start"]]
        if not counts:
            continue
        count = max(counts, key=lambda c: c["char_start"])
        measure = prose.clause_measure(count["row_label"], sentence)
        before = _previous(earlier, measure) if measure is not None else []
        printed, down = fmt_number(rate["value"]), bool(m.group("down"))
        if not before or any(prose.change_explains(count["value"], b, printed, down) for b, _ in before):
            continue
        value, cell = before[0]
        actual = 100 * (count["value"] - value) / value if value else None
        if actual is None:
            continue
        word = m.group("down") or m.group("up")
        out.append(Finding(
            "across-years", "warning", "change_rate_mismatch",
            f"正文说{measure.what} {fmt_number(count['value'])}，较上年{word}{printed}%；而 {earlier['year']} 年报告为 "
            f"{fmt_number(value)}，变化应为 {actual:+.2f}%",
            cells=[_ref(cell, earlier)] if cell else [],
            sentences=[{"text": sentence, "char_start": rate["char_start"], "char_end": rate["char_end"],
                        "line": rate["source_line"]}],
            other_report=earlier["file_name"]))
    return out
