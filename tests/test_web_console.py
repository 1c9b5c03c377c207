"""The staff console through the test client: figures and exports over a few ingested reports;
upload, re-ingest and delete on a copy of the same data dir; upload checks."""
from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest

from tests.e2e.webdata import UPLOAD_FILE, copy_data_dir, small_data_dir
from web import create_app
from web.uploads import check, safe_filename, sniff
from web.users import create_user

NAME, PASSWORD = "staff", "correct-horse-battery"
GZ = "广州市人力资源和社会保障局"
PT = "平潭综合实验区"
NEW_TOTAL = "applications|new|total"


def csrf_token(client, path) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def signed_in(app):
    create_user(app.config["REPORT_CONFIG"], NAME, PASSWORD, replace=True)
    client = app.test_client()
    resp = client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    assert resp.status_code == 302
    return client


def app_over_copy(tmp_path_factory, name):
    from ingest.settings import load
    data = copy_data_dir(small_data_dir(tmp_path_factory), tmp_path_factory, name)
    return create_app(load(data_dir=str(data)), {"TESTING": True})


@pytest.fixture(scope="module")
def staff_client(tmp_path_factory):
    return signed_in(app_over_copy(tmp_path_factory, "console-figures"))


# --- figures --------------------------------------------------------------------

def test_figures_page_lists_choices_and_shows_the_selection(staff_client):
    page = staff_client.get("/console/figures").get_data(as_text=True)
    assert f'value="{GZ}"' in page and 'value="2020"' in page and f'value="{NEW_TOTAL}"' in page
    resp = staff_client.get("/console/figures", query_string={"agency": [PT], "metric": [NEW_TOTAL, "nonsense"]})
    page = resp.get_data(as_text=True)
    assert 'id="figures-table"' in page
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', page, re.S).group(1))
    assert len(charts) == 1 and charts[0]["type"] == "line"
    series = {s["name"]: dict(zip(charts[0]["labels"], s["values"])) for s in charts[0]["series"]}
    assert series[PT]["2021"] == 70 and series[PT]["2022"] == 74
    assert "export-csv" in page and "export-json" in page


def test_one_year_across_agencies_is_a_bar_chart(staff_client):
    page = staff_client.get("/console/figures", query_string={"year": "2024", "metric": NEW_TOTAL}).get_data(
        as_text=True)
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', page, re.S).group(1))
    assert charts[0]["type"] == "bar" and len(charts[0]["labels"]) >= 2


def test_csv_and_json_export(staff_client):
    query = {"agency": [GZ, PT], "metric": [NEW_TOTAL, "review|review|total"]}
    resp = staff_client.get("/console/figures/export", query_string=dict(query, format="csv"))
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["机关"] for r in rows} == {GZ, PT}
    gz_new = [r for r in rows if r["机关"] == GZ and r["行键"] == "new"]
    assert [r["数值"] for r in gz_new] == ["144"] and gz_new[0]["报告"] == f"{GZ}_2020.txt"
    data = json.loads(staff_client.get("/console/figures/export", query_string=dict(query, format="json")).data)
    assert data["metrics"] == [NEW_TOTAL, "review|review|total"]
    assert len(data["facts"]) == len(rows)


def test_export_needs_a_metric_and_a_known_format(staff_client):
    assert staff_client.get("/console/figures/export?format=csv").status_code == 400
    assert staff_client.get(f"/console/figures/export?format=xls&metric={NEW_TOTAL}").status_code == 400


def test_figures_rank_agencies_and_compare_with_the_year_before(staff_client):
    hz, ha = "淮安市洪泽区人民政府", "淮安市人民政府"
    page = staff_client.get("/console/figures", query_string={"year": ["2024"], "metric": [NEW_TOTAL],
                                                              "view": "rank"}).get_data(as_text=True)
    rows = re.findall(r'<td class="num rank">(\d+)</td>\s*<th scope="row">([^<]+)</th>', page)
    values = {ag: int(v) for ag, v in re.findall(r'<th scope="row">([^<]+)</th><td>2024</td>\s*<td class="num">'
                                                 r'<span[^>]*>(\d+)</span>', page)}
    assert {hz, ha} <= set(values)
    assert [ag for _, ag in rows] == sorted(values, key=lambda ag: -values[ag])  # most first
    assert [int(p) for p, _ in rows][0] == 1
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', page, re.S).group(1))
    assert charts[0]["labels"] == [ag for _, ag in rows]

    # The change is from the agency's previous stored year, even when that year is not shown.
    page = staff_client.get("/console/figures", query_string={"agency": [hz, PT], "year": ["2022", "2024"],
                                                              "metric": [NEW_TOTAL], "view": "change"}
                            ).get_data(as_text=True)
    assert "比2023年 +74（+352.4%）" in page  # 洪泽区 2023: 21, 2024: 95
    assert "比2021年 +4（+5.7%）" in page    # 平潭 2021: 70, 2022: 74
    resp = staff_client.get("/console/figures/export", query_string={"agency": [hz], "year": ["2024"],
                                                                      "metric": [NEW_TOTAL], "view": "change",
                                                                      "format": "csv"})
    table = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["机关"], r["年份"], r["数值"], r["比较年份"], r["比较年份数值"], r["变化"], r["变化率（%）"], r["排名"])
            for r in table] == [(hz, "2024", "95", "2023", "21", "74", "352.4", "1")]


def test_csv_cells_cannot_become_formulas():
    from web.export import spreadsheet_cell
    assert spreadsheet_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and spreadsheet_cell("-1+2") == "'-1+2"
    assert spreadsheet_cell(144.0) == "144" and spreadsheet_cell(-3.5) == -3.5 and spreadsheet_cell(None) == ""


# --- upload checks --------------------------------------------------------------

@pytest.mark.parametrize("raw, safe", [
    ("沭阳县发展和改革局_2023.txt", "沭阳县发展和改革局_2023.txt"),
    ("平潭综合实验区（试行）_2021.PDF", "平潭综合实验区（试行）_2021.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\报告 2023 (终稿).Html", "报告_2023_(终稿).html"),
    ("<script>alert(1)</script>.txt", "script.txt"),
    ("<报告>|2023?\"*.txt", "报告_2023.txt"),
    ("a\x00b\u202ec.txt", "abc.txt"),
    ("..txt", ""),
    ("...", ""),
    ("CON.txt", "_CON.txt"),
    ("x.y.z.txt", "x_y_z.txt"),
])
def test_safe_filename_keeps_chinese(raw, safe):
    assert safe_filename(raw) == safe


def test_safe_filename_is_bounded():
    name = safe_filename("机" * 300 + ".txt")
    assert name.endswith(".txt") and len(name) <= 110


@pytest.mark.parametrize("name, head, ok", [
    ("a.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", True),
    ("a.pdf", "政府信息公开".encode(), False),
    ("a.txt", "政府信息公开工作年度报告".encode(), True),
    ("a.txt", "政府信息公开工作年度报告".encode("gb18030"), True),
    ("a.txt", b"\x00\x01\x02binary\xff\xfe\x00", False),
    ("a.txt", b"%PDF-1.4 pretending", False),
    ("a.html", b"<!DOCTYPE html><html><body>\xe6\x8a\xa5</body></html>", True),
    ("a.htm", b"<html><head><title>x</title>", True),
    ("a.html", "只是文字".encode(), False),
    ("a.exe", b"MZ\x90\x00", False),
    ("a.docx", b"PK\x03\x04", False),
    ("a.txt", b"", False),
])
def test_type_is_checked_by_extension_and_content(name, head, ok):
    assert (check(name, head) is None) is ok


def test_a_cut_multibyte_character_still_sniffs_as_text():
    assert sniff("报告".encode()[:-1]) == "txt"


# --- upload, re-ingest, delete ----------------------------------------------------

@pytest.fixture(scope="module")
def data_client(tmp_path_factory):
    app = app_over_copy(tmp_path_factory, "console-uploads")
    return signed_in(app), app


def wait_for(client, job_url, timeout=180) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(job_url + "/status", headers={"Accept": "application/json"}).get_json()
        if job["state"] in ("finished", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_url} did not finish in {timeout}s")


def upload(client, files):
    token = csrf_token(client, "/console/reports")
    data = {"csrf_token": token, "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post("/console/reports/upload", data=data, content_type="multipart/form-data")


def ask(client, question):
    return client.post("/api/ask", json={"question": question}).get_json()


def test_rejected_uploads_say_why(data_client):
    client, _ = data_client
    resp = upload(client, [("bad.exe", b"MZ"), ("fake.pdf", "不是PDF".encode())])
    assert resp.status_code == 303
    page = client.get("/console/reports").get_data(as_text=True)
    assert "只接受 PDF、HTML、TXT 文件" in page and "内容与扩展名不符" in page
    assert upload(client, []).status_code == 303
    assert "请选择要上传的文件" in client.get("/console/reports").get_data(as_text=True)


def test_oversized_uploads_are_refused(data_client):
    client, app = data_client
    app.config["UPLOAD_MAX_BYTES"] = 1024
    try:
        resp = upload(client, [("大.txt", "字".encode() * 2000)])
        assert resp.status_code == 303
        assert "文件超过 1 KB" in client.get("/console/reports").get_data(as_text=True)
        # a request beyond what ten such files could be is cut off before it is read
        resp = upload(client, [("巨.txt", b"x" * (2 * 1024 * 1024))])
        assert resp.status_code == 413 and "每个文件不超过 1 KB" in resp.get_data(as_text=True)
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 20 * 1024 * 1024


def test_upload_then_answer_then_reingest_then_delete(data_client):
    client, app = data_client
    agency = "沭阳县发展和改革局"
    question = "沭阳发改局2023年收到多少依申请公开？"
    assert all(f["agency"] != agency for f in ask(client, question)["facts"])

    resp = upload(client, [(UPLOAD_FILE.name, UPLOAD_FILE.read_bytes()), ("x.exe", b"MZ")])
    assert resp.status_code == 303 and "/console/jobs/" in resp.headers["Location"]
    job_url = resp.headers["Location"]
    assert "导入进度" in client.get(job_url).get_data(as_text=True)
    job = wait_for(client, job_url)
    assert job["state"] == "finished", job
    results = {r["file"]: r for r in job["results"]}
    assert results[UPLOAD_FILE.name]["status"] == "ok" and results[UPLOAD_FILE.name]["facts"] > 0
    assert results["x.exe"]["status"] == "rejected"
    uploads = app.config["REPORT_CONFIG"].data_path / "uploads"
    assert (uploads / UPLOAD_FILE.name).read_bytes() == UPLOAD_FILE.read_bytes()
    assert not any((uploads / ".staging").iterdir())

    after = ask(client, question)
    assert after["facts"] and after["facts"][0]["agency"] == agency
    rid = results[UPLOAD_FILE.name]["report_id"]
    assert UPLOAD_FILE.name in client.get("/console/reports").get_data(as_text=True)

    resp = client.post(f"/console/reports/{rid}/reingest", data={"csrf_token": csrf_token(client, "/console/reports")})
    job = wait_for(client, resp.headers["Location"])
    assert job["state"] == "finished" and job["results"][0]["status"] == "ok", job

    resp = client.post(f"/console/reports/{rid}/delete", data={"csrf_token": csrf_token(client, "/console/reports")})
    assert resp.status_code == 303 and "/console/jobs/" in resp.headers["Location"]
    job = wait_for(client, resp.headers["Location"])
    assert job["state"] == "finished" and job["results"][0]["status"] == "deleted", job
    assert "删除完成" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"/console/reports/{rid}/delete" not in client.get("/console/reports").get_data(as_text=True)
    assert not (uploads / UPLOAD_FILE.name).exists()
    assert all(f["agency"] != agency for f in ask(client, question)["facts"])
    assert client.post(f"/console/reports/{rid}/delete",
                       data={"csrf_token": csrf_token(client, "/console/reports")}).status_code == 404


def test_uploaded_report_text_is_never_markup(data_client):
    client, _ = data_client
    body = ("测试区政府\n2023年政府信息公开工作年度报告\n一、总体情况\n"
            "<script>alert('x')</script><img src=x onerror=alert(1)> 本年度主动公开信息100条。\n").encode()
    job = wait_for(client, upload(client, [("测试区政府_2023.txt", body)]).headers["Location"])
    assert job["results"][0]["status"] == "ok", job
    page = client.get(f"/reports/{job['results'][0]['report_id']}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_unknown_job_and_report(data_client):
    client, _ = data_client
    assert client.get("/console/jobs/nope").status_code == 404
    token = csrf_token(client, "/console/reports")
    assert client.post("/console/reports/999999/reingest", data={"csrf_token": token}).status_code == 404


# --- agency and year: doubtful ones shown, staff correct them ---------------------

def _unsigned_copy() -> bytes:
    """The 沭阳 report as a converter left it: no title, no publisher line, no preamble; only the
    closing signature still names the agency, so agency and year are guesses."""
    lines = UPLOAD_FILE.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("一、"))
    return "\n".join(lines[start:]).encode("utf-8")


def _row(page: str, file_name: str) -> str:
    """The reports-table row of ``file_name``."""
    at = page.index(f'<span class="sub">{file_name}</span>')
    return page[page.rindex("<tr>", 0, at):page.index("</tr>", at)]


@pytest.fixture(scope="module")
def correct_client(tmp_path_factory):
    app = app_over_copy(tmp_path_factory, "console-correct")
    return signed_in(app), app


def test_low_confidence_shown_and_a_correction_changes_the_answers(correct_client):
    from ingest.factstore import FactStore

    client, app = correct_client
    agency = "沭阳县发展和改革局"
    question = "沭阳发改局2022年收到多少依申请公开？"
    job = wait_for(client, upload(client, [("doc_0042.txt", _unsigned_copy())]).headers["Location"])
    assert job["state"] == "finished" and job["results"][0]["status"] == "ok", job
    rid = job["results"][0]["report_id"]

    page = client.get("/console/reports").get_data(as_text=True)
    row = _row(page, "doc_0042.txt")
    assert 'data-field="agency"' in row and 'data-field="year"' in row  # both flagged for staff
    assert f'action="/console/reports/{rid}/correct"' in row
    # the well-named reports of the shared data dir are not flagged
    assert "low-confidence" not in _row(page, "广州市人力资源和社会保障局_2020.txt")
    assert all(f["year"] != 2022 or f["agency"] != agency for f in ask(client, question)["facts"])

    token = csrf_token(client, "/console/reports")
    assert client.post(f"/console/reports/{rid}/correct",
                       data={"csrf_token": token, "agency": agency, "year": "二〇二二"}).status_code == 303
    assert "年份“二〇二二”无效" in client.get("/console/reports").get_data(as_text=True)
    resp = client.post(f"/console/reports/{rid}/correct",
                       data={"csrf_token": csrf_token(client, "/console/reports"), "agency": f"# {agency}",
                             "year": "2022"})
    assert resp.status_code == 303
    job = wait_for(client, resp.headers["Location"])
    assert job["state"] == "finished" and job["results"][0]["status"] == "corrected", job
    page = client.get("/console/reports").get_data(as_text=True)
    row = _row(page, "doc_0042.txt")
    assert "low-confidence" not in row and agency in row

    answer = ask(client, question)
    assert answer["facts"] and answer["facts"][0]["agency"] == agency and answer["facts"][0]["year"] == 2022
    assert answer["facts"][0]["report"] == "doc_0042.txt"
    store = FactStore.for_config(app.config["REPORT_CONFIG"], readonly=True)
    try:
        rep = store.report(rid)
        assert (rep["agency"], rep["year"], rep["agency_confidence"], rep["year_confidence"]) == \
            (agency, 2022, "given", "given")
        assert {(f["agency"], f["year"]) for f in store.facts(report_id=rid)} == {(agency, 2022)}
        assert {(c["agency"], c["year"]) for c in store.chunks(rid)} == {(agency, 2022)}
        audit = store.corrections(rid)
        assert [(a["new_agency"], a["new_year"], a["by_user"]) for a in audit] == [(agency, 2022, NAME)]
        assert audit[0]["old_agency"] != agency or audit[0]["old_year"] != 2022
    finally:
        store.close()

    # a re-read of the file keeps what staff set
    resp = client.post(f"/console/reports/{rid}/reingest", data={"csrf_token": csrf_token(client, "/console/reports")})
    job = wait_for(client, resp.headers["Location"])
    assert job["state"] == "finished" and job["results"][0]["status"] == "ok", job
    answer = ask(client, question)
    assert answer["facts"] and answer["facts"][0]["agency"] == agency and answer["facts"][0]["year"] == 2022
