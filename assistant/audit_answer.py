"""Questions about the reports' own inconsistencies (哪些部门的年报数据有问题？ 某局2023年的年报有没有前后矛盾？),
answered from the findings ingestion stored (ingest.audit), each with the sentence or cell it points at.

What the checks did not find is never called "no problems": the answer says which checks ran.
"""
from __future__ import annotations

import re
from collections import Counter

from ingest.records import FINDING_KIND_LABELS, SEVERITY_LABELS

from . import answer as A

# A report's data said to be wrong or self-contradictory. 存在的问题/改进 are the report's own section 五
# (存在的主要问题及改进情况), a narrative question, so they are left to retrieval.
_ABOUT_DATA = re.compile(
    r"(?:年报|年度报告|报告|数据|数字|表格|统计)[^，。？?,]{0,8}?"
    r"(?:有(?:没有|无)?(?:什么|哪些)?(?:问题|错误|差错|错)|(?:问题|错误|差错)(?:吗|没有)|矛盾|不一致|一致吗|对(?:得|不)上"
    r"|(?:是否|有无)(?:一致|准确|正确|有误|有错|出错)|不符|不对|对吗|准确吗|正确吗|出错|有误|错误)")
_CONTRADICTION = re.compile(r"前后矛盾|自相矛盾|前后不一致|相互矛盾|互相矛盾|数据打架|对不上|审核发现|核对发现|不一致之处")
_OWN_PROBLEMS = re.compile(r"存在(?:的)?(?:主要)?(?:问题|不足)|改进|整改|工作(?:中|上)?(?:的)?(?:问题|不足)")

CHECKS_RUN = "表内合计、正文与表格数字、百分比与增减幅度、跨年度衔接、格式完整性、标题结构与文字"
TABLE_LIMIT = 50
SOURCE_LIMIT = 10


def asks_about_findings(text: str) -> bool:
    if _OWN_PROBLEMS.search(text):
        return False
    return bool(_ABOUT_DATA.search(text) or _CONTRADICTION.search(text))


def _severity_counts(found: list[dict]) -> str:
    n = Counter(f["severity"] for f in found)
    return "、".join(f"{SEVERITY_LABELS[s]}{n[s]}" for s in SEVERITY_LABELS if n[s])


def _sources(found: list[dict]) -> list[dict]:
    """Each finding's first sentence (else its first cell of this report), as a passage to open."""
    out = []
    for f in found:
        head = {"report": f["report"], "report_id": f["report_id"], "agency": f["agency"], "year": f["year"],
                "section": "审核发现 · " + FINDING_KIND_LABELS.get(f["kind"], f["kind"]), "score": 1.0, "page": None,
                "finding": f["id"]}
        if f["sentences"]:
            s = f["sentences"][0]
            out.append({**head, "text": s["text"], "char_start": s["char_start"], "char_end": s["char_end"],
                        "line": s.get("line"), "highlight": [[0, len(s["text"])]]})
            continue
        cells = [c for c in f["cells"] if c.get("report") in (None, f["report"])]
        if cells:
            c = cells[0]
            text = f"{c.get('row')} · {c.get('column')} = {A.plain_number(c.get('value'))}"
            out.append({**head, "text": text, "char_start": c.get("char_start"), "char_end": c.get("char_end"),
                        "line": c.get("line"), "page": c.get("page"), "highlight": []})
        if len(out) >= SOURCE_LIMIT:
            break
    return out[:SOURCE_LIMIT]


def _table(found: list[dict]) -> dict:
    return {"columns": ["机关", "年份", "严重程度", "类别", "说明", "报告"],
            "rows": [[f["agency"], f["year"], SEVERITY_LABELS.get(f["severity"], f["severity"]),
                      FINDING_KIND_LABELS.get(f["kind"], f["kind"]), f["message"], f["report"]]
                     for f in found[:TABLE_LIMIT]], "chart": False}


def answer(question: str, found: list[dict], reports: list[dict], named_agencies: bool) -> dict:
    """``found``: the findings of ``reports`` (every report in scope, with or without findings)."""
    result = A.empty_answer(question, "audit", "")
    if not reports:
        result["route"] = "none"
        result["answer"] = "报告库中没有符合条件的报告，无法核对。"
        return result
    with_findings = sorted({(f["agency"], f["year"], f["report"]) for f in found},
                           key=lambda k: (k[0], k[1] or 0, k[2]))
    if not found:
        names = "、".join(f"《{r['file_name']}》" for r in reports[:5]) + ("等" if len(reports) > 5 else "")
        result["answer"] = (f"自动核对{names}{'共' + str(len(reports)) + '份报告' if len(reports) > 1 else ''}，"
                            f"未发现不一致之处（已核对：{CHECKS_RUN}）。这只说明这些核对规则没有发现问题，"
                            "不代表报告没有其他错误。")
        return result
    if named_agencies and len(with_findings) == 1:
        agency, year, report = with_findings[0]
        items = "；".join(f"{i}. {f['message']}（{SEVERITY_LABELS.get(f['severity'], f['severity'])}，"
                         f"{FINDING_KIND_LABELS.get(f['kind'], f['kind'])}）" for i, f in enumerate(found, 1))
        text = f"{agency}{year or ''}年报告《{report}》自动核对发现{len(found)}处不一致：{items}。"
    else:
        per_report = Counter((f["agency"], f["year"]) for f in found)
        listed = "；".join(f"{a}{y or ''}年{n}处" for (a, y), n in sorted(per_report.items(),
                                                                     key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or 0)))
        agencies = {a for a, _, _ in with_findings}
        years = sorted({r["year"] for r in reports if r.get("year")})
        # A scope narrowed to a year or two (asked, or kept from the conversation) is said, not implied.
        span = "、".join(f"{y}年" for y in years) + "的" if 0 < len(years) <= 3 else ""
        text = (f"自动核对{span}{len(reports)}份报告，其中{len(with_findings)}份（{len(agencies)}个机关）发现不一致之处，"
                f"共{len(found)}处（{_severity_counts(found)}）：{listed}。逐条见下表，来源中可打开原文。")
        if len(found) > TABLE_LIMIT:
            text += f"表中列出前{TABLE_LIMIT}条，其余请在控制台“审核”页查看。"
        result["table"] = _table(found)
    flagged = {report for _, _, report in with_findings}
    clean = [r["file_name"] for r in reports if r["file_name"] not in flagged]
    if clean and (named_agencies or len(reports) <= 10):
        names = "、".join(f"《{c}》" for c in clean[:5]) + (f"等{len(clean)}份报告" if len(clean) > 5 else "")
        text += f"{names}未发现不一致之处（已核对：{CHECKS_RUN}）。"
    result["answer"] = text + "这些是自动核对的提示，请以报告原文为准。"
    result["sources"] = _sources(found)
    result["findings"] = [{k: f[k] for k in ("id", "report", "report_id", "agency", "year", "kind", "severity",
                                             "check", "message", "cells", "sentences")} for f in found]
    return result
