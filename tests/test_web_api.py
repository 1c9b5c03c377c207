"""The JSON API through Flask's test client, over the real assistant and a few ingested corpus reports.

Bad input must always be a 4xx with {"error": "..."}; never a 500.
"""
from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tests.e2e.webdata import SMALL_FILES
from web import create_app
from web.api import MAX_HISTORY_CHARS, MAX_HISTORY_MESSAGES, answer_pieces

GZ = "广州市人力资源和社会保障局"




def _error(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    body = resp.get_json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


# --- /api/ask: validation ---------------------------------------------------

@pytest.mark.parametrize("payload, status, words", [
    ({"question": ""}, 400, "不能为空"),
    ({"question": "   \n "}, 400, "不能为空"),
    ({}, 400, "question"),
    ({"question": 42}, 400, "question"),
    ({"question": ["a"]}, 400, "question"),
    ([{"question": "x"}], 400, "JSON 对象"),
    ("问题", 400, "JSON 对象"),
    ({"question": "x", "history": "earlier"}, 400, "history"),
    ({"question": "x", "history": [{"role": "system", "content": "x"}]}, 400, "history"),
    ({"question": "x", "history": [{"role": "user", "content": 3}]}, 400, "history"),
    ({"question": "x", "history": ["hi"]}, 400, "history"),
    ({"question": "x", "history": [{"role": "user", "content": "x" * (MAX_HISTORY_CHARS + 1)}]}, 400, "过长"),
    ({"question": "x", "history": [{"role": "user", "content": "x"}] * (MAX_HISTORY_MESSAGES + 1)}, 400, "最多"),
])
@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_bad_questions_get_a_clear_4xx(client, path, payload, status, words):
    assert words in _error(client.post(path, json=payload), status)


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_over_long_question_is_refused(client, app, path):
    limit = app.config["MAX_QUESTION_CHARS"]
    assert str(limit) in _error(client.post(path, json={"question": "问" * (limit + 1)}), 400)


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_only_json_is_accepted(client, path):
    assert "JSON" in _error(client.post(path, data={"question": "x"}), 415)
    assert "JSON" in _error(client.post(path, data='{"question": "x"}', content_type="text/plain"), 415)


@pytest.mark.parametrize("body", ['{"question": ', "not json", '{"question": "x"}}', "\xff"])
def test_malformed_json_is_a_400(client, body):
    assert "JSON" in _error(client.post("/api/ask", data=body, content_type="application/json"), 400)


def test_wrong_method_and_unknown_path_are_json(client):
    _error(client.get("/api/ask"), 405)
    _error(client.get("/api/nothing-here"), 404)


def test_huge_body_is_refused(client):
    body = json.dumps({"question": "x", "pad": "x" * (2 * 1024 * 1024)})
    _error(client.post("/api/ask", data=body, content_type="application/json"), 413)


# --- /api/ask: answers --------------------------------------------------------

def test_figure_question_returns_the_assistant_object(client):
    resp = client.post("/api/ask", json={"question": "广州人社局2020年一共新收到多少件政府信息公开申请？"})
    assert resp.status_code == 200
    result = resp.get_json()
    assert {"question", "route", "answer", "facts", "sources", "warnings"} <= set(result)
    assert result["route"] == "fact"
    first = result["facts"][0]
    assert first["value"] == 144 and first["agency"] == GZ and first["year"] == 2020
    assert first["source"]["report"] == f"{GZ}_2020.txt"
    assert "144" in result["answer"]


def test_follow_up_uses_the_history(client):
    history = [{"role": "user", "content": "广州人社局2020年因为手里没有相关信息而没法提供的申请有多少件？"},
               {"role": "assistant", "content": "“本机关不掌握相关政府信息”而无法提供的申请共8件。"}]
    result = client.post("/api/ask", json={"question": "其中商业企业提出的有几件？", "history": history}).get_json()
    assert result["facts"][0]["value"] == 1


def test_narrative_question_has_highlighted_sources(client):
    result = client.post("/api/ask", json={"question": "广州人社局自己说2020年政务公开还有哪些不足？"}).get_json()
    assert result["route"] == "narrative"
    top = result["sources"][0]
    assert top["report"] == f"{GZ}_2020.txt" and isinstance(top["report_id"], int)
    for start, end in top["highlight"]:
        assert 0 <= start < end <= len(top["text"])


def test_stream_sends_status_pieces_and_the_whole_result(client):
    resp = client.post("/api/ask/stream", json={"question": "广州人社局2020年一共新收到多少件政府信息公开申请？"})
    assert resp.status_code == 200 and resp.mimetype == "text/event-stream"
    events = []
    for block in resp.get_data(as_text=True).split("\n\n"):
        if block.strip():
            name, data = block.split("\n", 1)
            events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    assert events[0][0] == "status"
    assert events[-1][0] == "done"
    result = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "delta") == result["answer"]
    assert result["facts"][0]["value"] == 144


def test_answer_pieces_rebuild_the_text():
    text = "根据报告，2020年新收申请144件。其中：自然人130件；\n商业企业10件。"
    assert "".join(answer_pieces(text)) == text
    assert len(answer_pieces(text)) > 1
    assert answer_pieces("") == []


# --- reports and facts --------------------------------------------------------

def test_reports_list_and_one_report(client):
    reports = client.get("/api/reports").get_json()["reports"]
    gz = next(r for r in reports if r["file_name"] == f"{GZ}_2020.txt")
    assert isinstance(gz["warnings"], list)
    one = client.get(f"/api/reports/{gz['id']}").get_json()
    assert one["agency"] == GZ and "text" in one


def test_unknown_report_is_a_json_404(client):
    assert "999999" in _error(client.get("/api/reports/999999"), 404)
    _error(client.get("/api/reports/abc"), 404)


def test_facts_json_and_csv(client):
    body = client.get("/api/facts", query_string={"agency": GZ, "year": 2020, "row": "new",
                                                   "column": "total"}).get_json()
    assert body["count"] == len(body["facts"]) >= 1
    assert {f["value"] for f in body["facts"]} == {144}
    resp = client.get("/api/facts", query_string={"agency": GZ, "year": "2020", "format": "csv"})
    assert resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["机关", "年份", "表"]
    assert len(rows) > 10 and all(r[0] == GZ for r in rows[1:])


@pytest.mark.parametrize("query, words", [
    ({"year": "twenty"}, "year"), ({"year": "20201"}, "year"), ({"year": "-1"}, "year"),
    ({"format": "xml"}, "format"), ({"agency": "x" * 500}, "agency"),
])
def test_bad_fact_queries_are_400(client, query, words):
    assert words in _error(client.get("/api/facts", query_string=query), 400)


def test_unknown_agency_is_just_empty(client):
    assert client.get("/api/facts", query_string={"agency": "不存在的机关"}).get_json() == {"facts": [], "count": 0}


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "reports": len(SMALL_FILES), "worker": os.getpid()}


def test_api_needs_no_csrf_token(client):
    # CSRF is on for this app (not disabled in the test config); the JSON API is exempt.
    assert client.post("/api/ask", json={"question": "平潭2022年部分公开的申请有几件？"}).status_code == 200


def test_without_any_report_the_assistant_says_so(tmp_path):
    from ingest.settings import load
    empty = create_app(load(data_dir=str(tmp_path / "empty")), {"TESTING": True}).test_client()
    result = empty.post("/api/ask", json={"question": "平潭2022年部分公开的申请有几件？"}).get_json()
    assert result["route"] == "none" and not result["facts"]
    assert empty.get("/healthz").get_json() == {"status": "ok", "reports": 0, "worker": os.getpid()}
    assert empty.get("/").status_code == 200


def test_an_assistant_that_cannot_start_is_a_503_not_a_crash(tmp_path):
    from ingest.settings import load

    def broken(config):
        raise OSError("disk unreadable")

    app = create_app(load(data_dir=str(tmp_path / "d")), {"TESTING": True, "ASSISTANT_FACTORY": broken})
    client = app.test_client()
    assert "暂不可用" in _error(client.post("/api/ask", json={"question": "平潭2022年有几件？"}), 503)
    assert client.get("/healthz").status_code == 503
    assert client.get("/api/reports").status_code == 503
    assert "暂不可用" in client.get("/").get_data(as_text=True)
    stream = client.post("/api/ask/stream", json={"question": "平潭2022年有几件？"}).get_data(as_text=True)
    assert "event: error" in stream and "暂不可用" in stream


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_deeply_nested_json_is_a_400_not_a_500(client, path):
    body = "[" * 100000 + "]" * 100000
    resp = client.post(path, data=body, content_type="application/json")
    assert resp.status_code == 400
