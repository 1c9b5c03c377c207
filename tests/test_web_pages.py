"""The public pages (chat, report list, report view) through the test client, over a few ingested corpus reports."""
from __future__ import annotations

import html
import json
import re

import pytest
from markupsafe import escape

from web.chat import suggested_questions

GZ_FILE = "广州市人力资源和社会保障局_2020.txt"




@pytest.fixture(scope="module")
def reports(app):
    return app.test_client().get("/api/reports").get_json()["reports"]


def report_id(reports, file_name):
    return next(r["id"] for r in reports if r["file_name"] == file_name)


def test_chat_page_offers_questions_about_stored_reports(client, reports):
    page = client.get("/").get_data(as_text=True)
    assert '<label for="question"' in page and 'id="send"' in page
    suggestions = [html.unescape(q) for q in re.findall(r'data-question="([^"]+)"', page)]
    assert len(suggestions) >= 3
    agencies = {r["agency"] for r in reports}
    assert all(any(a in q for a in agencies) for q in suggestions)
    # the index the page uses to link sources and show template warnings
    index = json.loads(re.search(r'<script type="application/json" id="report-index">(.*?)</script>', page, re.S)
                       .group(1))
    assert {r["file_name"] for r in index} == {r["file_name"] for r in reports}
    assert all("warnings" in r for r in index)


def test_suggestions_from_reports():
    reports = [{"agency": "甲局", "year": 2021, "n_facts": 5}, {"agency": "甲局", "year": 2022, "n_facts": 5},
               {"agency": "乙局", "year": 2022, "n_facts": 5}]
    qs = suggested_questions(reports)
    assert qs[0].startswith("甲局2022年") or qs[0].startswith("乙局2022年")
    assert any("2021、2022年" in q for q in qs)
    assert any(q.startswith("2022年") and "甲局" in q and "乙局" in q for q in qs)
    assert suggested_questions([]) == []


def test_static_files_are_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(s.startswith("/static/") for s in scripts)
    for path in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page):
        assert client.get(path).status_code == 200
    assert "http" not in " ".join(scripts)


def test_report_list_shows_warnings(client, reports):
    page = client.get("/reports").get_data(as_text=True)
    with_warnings = [r for r in reports if r["warnings"]]
    assert with_warnings, "the corpus has reports that fail a template check"
    assert "条提示" in page


def test_report_view_marks_the_cited_passage(client, reports):
    rid = report_id(reports, GZ_FILE)
    text = client.get(f"/api/reports/{rid}").get_json()["text"]
    start = text.index("本年新收政府信息公开申")
    page = client.get(f"/reports/{rid}?start={start}&end={start + 11}").get_data(as_text=True)
    assert '<mark id="passage" class="passage" tabindex="-1">本年新收政府信息公开申</mark>' in page


def test_report_view_marks_a_line(client, reports):
    rid = report_id(reports, GZ_FILE)
    lines = client.get(f"/api/reports/{rid}").get_json()["text"].split("\n")
    n = next(i for i, line in enumerate(lines) if i > 0 and line.strip())
    page = client.get(f"/reports/{rid}?line={n + 1}").get_data(as_text=True)
    assert f'tabindex="-1">{escape(lines[n])}</mark>' in page


@pytest.mark.parametrize("query", ["start=5&end=2", "start=-1&end=4", "start=0&end=99999999", "start=a&end=b",
                                   "line=999999"])
def test_report_view_with_a_bad_place_shows_the_whole_report(client, reports, query):
    rid = report_id(reports, GZ_FILE)
    resp = client.get(f"/reports/{rid}?{query}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'id="passage"' not in page and "不在本报告范围内" in page


def test_report_view_shows_template_warnings(client, reports):
    rep = next(r for r in reports if r["warnings"])
    page = client.get(f"/reports/{rep['id']}").get_data(as_text=True)
    assert "模板检查提示" in page and str(escape(rep["warnings"][0])) in page


def test_unknown_report_page_is_404(client):
    resp = client.get("/reports/999999")
    assert resp.status_code == 404 and "没有编号为 999999 的报告" in resp.get_data(as_text=True)
    assert client.get("/no-such-page").status_code == 404


def test_pages_send_a_strict_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
