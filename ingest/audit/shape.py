"""Whether a report has the national format's shape: its six sections, its tables, the right edition
of the tables for its year, and outcomes only where there were applications."""
from __future__ import annotations

import re

from .. import sections as sections_mod
from ..checks import cell_ref, fmt_number
from ..records import Document, Fact, Finding
from ..template import FORMATS

NUMERALS = "一二三四五六"


def _heading(table) -> str:
    return {"applications": "收到和处理政府信息公开申请", "review": "行政复议"}.get(table.key, table.title)


def findings(doc: Document, facts: list[Fact], fmt: str | None, year: int | None) -> list[Finding]:
    if fmt is None or year is None or year < 2019:
        return []  # older reports had no national format to hold them to
    out: list[Finding] = []
    found = {s.number for s in sections_mod.split(doc.text) if s.number}
    if found:  # a text whose headings were all lost in conversion says nothing about the report
        missing = [n for n in NUMERALS if n not in found]
        if missing:
            out.append(Finding("shape", "warning", "section_missing",
                               "缺少第" + "、".join(missing) + "部分（国家格式要求一至六部分）"))
    if fmt == "2019" and year >= 2021:
        out.append(Finding("shape", "warning", "old_table_format",
                           f"{year}年度报告使用了2019年版表格（2021年起应使用新版格式，如“本年制发件数”“现行有效件数”）"))
    read = {f.table_key for f in facts if f.kind == "table"}
    flat = re.sub(r"\s+", "", doc.text)
    for table in FORMATS[fmt].tables:
        # Only a table whose heading is absent too: one printed but unreadable is the reader's
        # problem (ingest reports its cells read), not the report's.
        if table.key not in read and _heading(table) not in flat:
            out.append(Finding("shape", "warning", "table_missing",
                               f"未找到“{table.title}”表格（国家格式要求列出）"))
    cell = {(f.table_key, f.row_key, f.column_key): f for f in facts if f.kind in ("table", "derived")}
    handled, new, carried = (cell.get(("applications", r, "total")) for r in ("total", "new", "carried_in"))
    if handled and new and carried and handled.value > 0 and new.value + carried.value == 0:
        out.append(Finding("shape", "error", "outcomes_without_applications",
                           f"办理结果总计 {fmt_number(handled.value)} 件，但本年新收和上年结转申请均为 0",
                           cells=[cell_ref(handled), cell_ref(new), cell_ref(carried)]))
    return out
