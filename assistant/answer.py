"""The answer object and its Chinese text, built from chosen facts or passages.

Every figure in the text comes from a fact passed in; nothing here computes a
figure except sums and differences of those facts, which are labelled as such.
"""
from __future__ import annotations

from .facts_route import Figure
from .retrieval import Passage, highlight_spans
from .textutil import compact, fmt_number

def plain_number(v):
    """SQLite hands back 144.0; people (and JSON readers) expect 144."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def fact_dict(f: dict, report: dict | None = None) -> dict:
    name = report["file_name"] if report else f.get("report")
    return {
        "agency": f["agency"], "year": f["year"],
        "table": f["table_label"] or ("正文" if f["table_key"] == "narrative" else f["table_key"]),
        "table_key": f["table_key"],
        "row": f["row_label"], "row_key": f["row_key"],
        "column": f["column_label"], "column_key": f["column_key"],
        "value": plain_number(f["value"]), "unit": f["unit"], "kind": f["kind"],
        "report": name, "report_id": f["report_id"],
        "source": {"report": name, "page": f["source_page"], "line": f["source_line"], "text": f["source_text"],
                   "char_start": f.get("char_start"), "char_end": f.get("char_end")},
    }


def source_dict(p: Passage, reports: dict[int, dict], words: list[str] | None = None) -> dict:
    c = p.chunk
    rep = reports.get(c["report_id"], {})
    return {
        "report": c.get("report") or rep.get("file_name"), "report_id": c["report_id"],
        "agency": c["agency"], "year": c["year"], "section": c["section"], "text": c["text"],
        "score": round(float(p.score), 6), "char_start": c["char_start"], "char_end": c["char_end"],
        "line": c.get("line_start"), "page": c.get("page"),
        "highlight": highlight_spans(c["text"], words if words is not None else p.words),
    }


def what(f: dict) -> str:
    """What a figure counts, in the report's own words."""
    if f["table_key"] == "narrative":
        return f["row_label"]
    row = f["row_label"]
    if f["row_group"] and f["row_group"] not in row and f["row_key"] not in ("total",):
        row = f"{f['row_group']}—{row}"
    col = f["column_label"]
    if f["table_key"] in ("applications", "review") and col:
        return f"{row}（{col}）"
    return f"{row}{col}" if col else row


def where(f: dict, report: dict) -> str:
    loc = []
    if f.get("source_page"):
        loc.append(f"第{f['source_page']}页")
    if f.get("source_line"):
        loc.append(f"第{f['source_line']}行")
    loc_s = "，".join(loc)
    if f["table_key"] == "narrative":
        # A row of an older report's own statistics table (ingest.legacy_stats) is named as that table.
        place = f"“{f['table_label']}”" if f.get("table_label") else "正文"
        return f"《{report['file_name']}》{place}{('（' + loc_s + '）') if loc_s else ''}：“{compact(f['source_text'])}”"
    table = f["table_label"] or f["table_key"]
    return (f"《{report['file_name']}》“{table}”表，“{f['row_label']}”行"
            f"{'“' + f['column_label'] + '”列' if f['column_label'] else ''}{('（' + loc_s + '）') if loc_s else ''}")


_TABLE_WORDS = {"applications": "申请情况表", "review": "行政复议、行政诉讼表"}


def relevant_warnings(report: dict, fact: dict | None) -> list[str]:
    """The report's warnings that concern this figure: its own row, or a failed check on its table
    and column. Prose figures are untouched by table warnings."""
    if not fact or fact.get("table_key") == "narrative":
        return []
    label, col = fact.get("row_label") or "", fact.get("column_label") or ""
    table_word = _TABLE_WORDS.get(fact.get("table_key"), fact.get("table_label") or "")
    out = []
    for w in report.get("warnings") or []:
        if label and f"「{label}」" in w:
            out.append(w)
        elif w.startswith("核对未通过") and table_word and table_word in w and f"「{col}」列" in w:
            out.append(w)
    return out


def _shares_subject(label: str, message: str, least: int = 3) -> bool:
    """Some run of ``least`` characters of the figure's label is in the finding's message."""
    return any(label[i:i + least] in message for i in range(len(label) - least + 1))


def relevant_findings(findings: list[dict], fact: dict | None) -> list[str]:
    """Reviewers' findings (errors and warnings) on this very figure: it is one of the finding's cells,
    or it is stated in one of its sentences and the finding is about what it counts (a long sentence,
    a whole statistics table, holds figures the finding is not about)."""
    if not fact:
        return []
    key = (fact.get("table_key"), fact.get("row_key"), fact.get("column_key"))
    label = fact.get("row_label") or ""
    out = []
    for f in findings:
        if f.get("severity") not in ("error", "warning"):
            continue
        cell = any((c.get("table_key"), c.get("row_key"), c.get("column_key")) == key
                   and (key[0] != "narrative" or c.get("char_start") == fact.get("char_start"))
                   for c in f.get("cells") or [] if c.get("report") in (None, f.get("report")))
        said = fact.get("char_start") is not None and _shares_subject(label, f["message"]) and any(
            (s.get("char_start") or 0) <= fact["char_start"] < (s.get("char_end") or 0) for s in f.get("sentences") or [])
        if (cell or said) and f["message"] not in out:
            out.append(f["message"])
    return out


def warning_text(report: dict, fact: dict | None = None, findings: list[dict] = ()) -> str:
    related = relevant_warnings(report, fact)
    found = [m for m in relevant_findings(list(findings), fact) if m not in related]
    text = f"注意：报告表格的核对提示——{'；'.join(related[:2])}。" if related else ""
    if found:
        text += f"注意：报告自身有不一致之处——{'；'.join(found[:2])}。"
    return text + "请以原文为准。" if text else ""


def single_fact_text(fig: Figure) -> str:
    f = fig.fact
    unit = f["unit"] or ""
    text = f"{fig.agency}{fig.year}年{what(f)}为{fmt_number(f['value'])}{unit}。来源：{where(f, fig.report)}。"
    if f["kind"] == "derived":
        text += "（该数为报告表格中各分项之和。）"
    others = [r["file_name"] for r in fig.alternatives]
    if others:
        text += f"（同一报告另有版本：{'、'.join(others)}；此处采用校验问题最少的《{fig.report['file_name']}》。）"
    return text


def runner_up_text(fig: Figure) -> str:
    f = fig.fact
    return (f"（问题也可能是指“{what(f)}”：{fmt_number(f['value'])}{f['unit'] or ''}，"
            f"来源：{where(f, fig.report)}。如需的是该项，请说明。）")


def series_text(figs: list[Figure], by: str, op: str | None, missing: list[str]) -> tuple[str, dict]:
    """A trend (by year) or a comparison (by agency), with the operation asked for."""
    label = "年份" if by == "year" else "机关"
    if by == "year":
        figs = sorted(figs, key=lambda f: f.year)  # changes read forward in time, whatever the question's order
    first = figs[0].fact
    unit = first["unit"]
    rows = []
    parts = []
    subject = figs[0].agency if by == "year" else (f"{figs[0].year}年" if len({f.year for f in figs}) == 1 else "")
    for fig in figs:
        key = f"{fig.year}年" if by == "year" else fig.agency + ("" if subject else f"{fig.year}年")
        rows.append([fig.year if by == "year" else fig.agency, fig.fact["value"], fig.fact["unit"],
                     fig.report["file_name"]])
        parts.append(f"{key}{fmt_number(fig.fact['value'])}{fig.fact['unit']}")
    text = f"{subject}{what(first)}：" + "；".join(parts) + "。"
    values = [f.fact["value"] for f in figs]
    same_unit = len({f.fact["unit"] for f in figs}) == 1
    if op == "change" and len(figs) >= 2 and same_unit:
        steps = []
        for a, b in zip(figs, figs[1:]):
            d = b.fact["value"] - a.fact["value"]
            pct = f"，{d / a.fact['value'] * 100:+.1f}%" if a.fact["value"] else ""
            steps.append(f"{b.year if by == 'year' else b.agency}比{a.year if by == 'year' else a.agency}"
                         f"{'增加' if d >= 0 else '减少'}{fmt_number(abs(d))}{unit}{pct}")
        text += "变化：" + "；".join(steps) + "。"
    elif op in ("max", "min") and same_unit:
        pick = max(figs, key=lambda f: f.fact["value"]) if op == "max" else min(figs, key=lambda f: f.fact["value"])
        who = f"{pick.year}年" if by == "year" else pick.agency
        text += f"{'最多' if op == 'max' else '最少'}的是{who}（{fmt_number(pick.fact['value'])}{unit}）。"
    elif op == "sum" and same_unit:
        text += f"合计{fmt_number(sum(values))}{unit}。"
    if missing:
        text += "没有以下报告的数字：" + "、".join(missing) + "。"
    srcs = sorted({f.report["file_name"] for f in figs})
    text += "来源：" + "、".join(f"《{s}》" for s in srcs) + "。"
    table = {"columns": [label, "数值", "单位", "报告"], "rows": rows}
    return text, table


def narrative_text(sentences: list[str], passages: list[Passage], reports: dict[int, dict]) -> str:
    if not passages:
        return ""
    top = passages[0].chunk
    rep = reports.get(top["report_id"], {})
    head = f"根据{top['agency']}{top['year']}年报告（《{rep.get('file_name', '')}》{top['section'] or ''}）："
    body = "".join(f"“{s}”" for s in sentences) if sentences else f"“{compact(top['text'])[:120]}……”"
    return head + body


def empty_answer(question: str, route: str, text: str) -> dict:
    return {"question": question, "route": route, "answer": text, "facts": [], "sources": [], "warnings": []}
