"""Chat answers about the reports' own inconsistencies and comparisons across agencies, on the real
corpus through the real pipeline. Expected answers are read from the stores (findings, facts), never
typed in: these check that each wording reaches the findings or the ranking, not what they are."""
from __future__ import annotations

import pytest

from assistant.audit_answer import asks_about_findings

from .test_assistant_e2e import agency_years_with, assistant, cell, ingested, short_form, store  # noqa: F401

ABOUT_FINDINGS = ["{a}{y}年的年报有没有前后矛盾？", "{a}{y}年报告里的数字对得上吗", "{a}{y}年年报数据有没有错误",
                  "{a}{y}年的报告有什么问题吗", "{a}{y}年年报中数据是否一致", "{a}{y}年报告的统计有误吗"]
NOT_FINDINGS = ["{a}{y}年工作中存在哪些问题", "{a}{y}年存在的主要问题及改进情况", "{a}{y}年报告提到哪些不足和改进措施",
                "{a}{y}年收到多少申请", "{a}{y}年在新媒体方面做了什么"]


@pytest.mark.parametrize("wording", ABOUT_FINDINGS)
def test_questions_about_inconsistencies_are_told_from_the_report_own_problems(wording):
    assert asks_about_findings(wording.format(a="某局", y=2023))


@pytest.mark.parametrize("wording", NOT_FINDINGS)
def test_questions_about_the_agency_work_are_not_audit_questions(wording):
    assert not asks_about_findings(wording.format(a="某局", y=2023))


def _by_report(store):
    out = {}
    for f in store.findings():
        out.setdefault(f["report_id"], []).append(f)
    return out


def test_every_report_with_findings_answers_with_its_findings_and_their_sources(assistant, store):
    by_report = _by_report(store)
    assert by_report
    for rid, found in by_report.items():
        agency, year = found[0]["agency"], found[0]["year"]
        for wording in ABOUT_FINDINGS[:3]:
            r = assistant.ask(wording.format(a=short_form(agency), y=year))
            assert r["route"] == "audit", (wording, agency, r["answer"])
            mine = [f for f in r["findings"] if f["report_id"] == rid]
            assert {f["id"] for f in mine} == {f["id"] for f in found}
            assert {f["agency"] for f in r["findings"]} == {agency}  # never another agency's report
            for f in found:
                assert f["message"] in r["answer"]
            assert r["sources"] and all(s["report_id"] in {x["report_id"] for x in r["findings"]}
                                        for s in r["sources"])


def test_a_report_without_findings_says_which_checks_found_nothing(assistant, store):
    flagged = {(f["agency"], f["year"]) for f in store.findings()}
    clean = next((r["agency"], r["year"]) for r in assistant.reports()
                 if r["year"] and (r["agency"], r["year"]) not in flagged)
    r = assistant.ask(f"{short_form(clean[0])}{clean[1]}年的年报有没有前后矛盾？")
    assert r["route"] == "audit" and "未发现不一致" in r["answer"] and "不代表报告没有其他错误" in r["answer"]
    assert not r.get("findings")


def test_which_agencies_have_problems_lists_every_finding(assistant, store):
    every = store.findings()
    r = assistant.ask("哪些部门的年报数据有问题？")
    assert r["route"] == "audit"
    assert {f["id"] for f in r["findings"]} == {f["id"] for f in every}
    assert len(r["table"]["rows"]) == len(every) and r["table"]["chart"] is False
    for agency in {f["agency"] for f in every}:
        assert agency in r["answer"]
    one_year = max({f["year"] for f in every}, key=lambda y: sum(f["year"] == y for f in every))
    r = assistant.ask(f"{one_year}年哪些报告数据不一致")
    assert {f["year"] for f in r["findings"]} == {one_year}


def test_an_audit_follow_up_keeps_asking_about_inconsistencies(assistant, store):
    found = next(f for f in store.findings() if len(assistant.years(f["agency"])) > 1)
    first = f"{short_form(found['agency'])}{found['year']}年的年报有没有前后矛盾？"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": assistant.ask(first)["answer"]}]
    years = [y for y in assistant.years(found["agency"]) if y != found["year"]]
    r = assistant.ask(f"那{years[0]}年呢", history)
    assert r["route"] == "audit" and f"{years[0]}" in r["answer"]


# --- rankings and changes across agencies -------------------------------------------------

def _year_with_most_agencies(store, table, row, column):
    by_year = {}
    for agency, year in agency_years_with(store, table, row, column):
        by_year.setdefault(year, []).append(agency)
    return max(by_year.items(), key=lambda kv: len(kv[1]))


@pytest.mark.parametrize("wording, op", [("{y}年哪个部门收到的政府信息公开申请最多？", "max"),
                                         ("各部门{y}年新收政府信息公开申请数量排名", "rank"),
                                         ("{y}年哪个机关收到的申请最少", "min")])
def test_agencies_are_ranked_by_the_stored_figures(assistant, store, wording, op):
    year, agencies = _year_with_most_agencies(store, "applications", "new", "total")
    assert len(agencies) >= 2
    r = assistant.ask(wording.format(y=year))
    want = {a: cell(store, assistant, a, year, "applications", "new", "total")["value"] for a in agencies}
    table = r["table"]
    assert table["columns"][:2] == ["排名", "机关"]
    got = [(row[0], row[1], row[2]) for row in table["rows"]]
    assert {a for _, a, _ in got} == set(want) and all(v == want[a] for _, a, v in got)
    values = [v for _, _, v in got]
    assert values == sorted(values, reverse=op != "min")
    assert got[0][0] == 1
    if op != "rank":
        assert f"{'最少' if op == 'min' else '最多'}的是{got[0][1]}" in r["answer"]


def test_each_agency_change_is_from_its_own_previous_report(assistant, store):
    pairs = agency_years_with(store, "applications", "new", "total")
    years_of = {}
    for agency, year in pairs:
        years_of.setdefault(agency, []).append(year)
    year = max({y for _, y in pairs}, key=lambda y: sum(len(ys) > 1 and y in ys[1:] for ys in years_of.values()))
    r = assistant.ask(f"各部门{year}年收到的申请比上年变化多少")
    rows = r["table"]["rows"]
    assert rows and r["table"]["columns"][:5] == ["机关", "比较年份", "比较年份数值", "年份", "数值"]
    for agency, before_year, before, after_year, after, change, *_ in rows:
        assert after_year == year
        assert before_year == max(y for y in years_of[agency] if y < year)
        assert before == cell(store, assistant, agency, before_year, "applications", "new", "total")["value"]
        assert after == cell(store, assistant, agency, year, "applications", "new", "total")["value"]
        assert change == after - before
    assert [row[5] for row in rows] == sorted((row[5] for row in rows), reverse=True)


def _turns(*pairs):
    return [{"role": role, "content": text} for role, text in pairs]


def test_a_ranking_asked_after_one_agency_ranks_every_agency(assistant, store):
    # "哪个部门…最多" after a question about one agency asks about all of them, not that one again.
    year, agencies = _year_with_most_agencies(store, "applications", "new", "total")
    first = assistant.ask(f"{short_form(agencies[0])}{year}年收到多少申请")
    history = _turns(("user", f"{short_form(agencies[0])}{year}年收到多少申请"), ("assistant", first["answer"]))
    r = assistant.ask(f"{year}年哪个部门收到的申请最多", history)
    assert {row[1] for row in r["table"]["rows"]} == set(agencies)


def test_a_ranking_of_one_agency_says_there_is_nothing_to_compare(assistant, store):
    by_year = {}
    for agency, year in agency_years_with(store, "applications", "new", "total"):
        by_year.setdefault(year, []).append(agency)
    year, [only] = next((y, a) for y, a in sorted(by_year.items()) if len(a) == 1)
    r = assistant.ask(f"{year}年哪个部门收到的申请最多")
    want = cell(store, assistant, only, year, "applications", "new", "total")["value"]
    assert f"只有{only}一个机关" in r["answer"] and f"{int(want)}件" in r["answer"]
    assert "最多的是" not in r["answer"]
