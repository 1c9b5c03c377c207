"""The console's 审核 page through the test client, over real reports whose findings were checked by
hand (洪泽区 2023's review table rows that do not add up, 洪泽区 2024's prose count of applications
that is the district office's alone): filters, the per-report sheet, the report view marking the
finding, and the CSV/XLSX exports."""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.test_web_console import app_over_copy, signed_in

HZ = "淮安市洪泽区人民政府"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return app_over_copy(tmp_path_factory, "console-audit")


@pytest.fixture(scope="module")
def staff(app):
    return signed_in(app)


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="severity-\w+" data-finding="\d+">(.*?)</tr>', page, re.S)


def test_audit_page_needs_sign_in(app):
    resp = app.test_client().get("/console/audit/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_audit_page_lists_findings_and_filters_them(staff):
    page = staff.get("/console/audit/").get_data(as_text=True)
    every = rows(page)
    assert len(every) >= 3
    assert sum("洪泽区人民政府_2023.pdf" in r for r in every) == 2  # the two review rows
    assert any("洪泽区人民政府_2024.pdf" in r and "17" in r and "95" in r for r in every)
    assert not any("广州市人力资源和社会保障局" in r for r in every)  # a consistent report raises none
    errors = rows(staff.get("/console/audit/", query_string={"severity": "error"}).get_data(as_text=True))
    assert errors and len(errors) < len(every) and all("错误" in r for r in errors)
    only_2024 = rows(staff.get("/console/audit/", query_string={"agency": HZ, "year": 2024}).get_data(as_text=True))
    assert only_2024 and all("_2024.pdf" in r for r in only_2024)
    none = staff.get("/console/audit/", query_string={"kind": "across-years"}).get_data(as_text=True)
    assert not rows(none) and "没有符合条件的审核发现" in none


def test_a_finding_opens_the_report_with_its_sentence_and_cell_marked(staff):
    page = staff.get("/console/audit/", query_string={"kind": "prose-table", "agency": HZ}).get_data(as_text=True)
    href = re.search(r'class="open-finding" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    page = staff.get(href).get_data(as_text=True)
    assert "审核发现" in page
    report = page[page.index('class="report-text"'):]
    passage = re.search(r'<mark id="passage" class="passage" tabindex="-1">(.*?)</mark>', report, re.S)
    assert passage and "17" in passage.group(1)
    cell = re.search(r'<mark class="cell-mark">(.*?)</mark>', report, re.S)
    assert cell and "95" in cell.group(1)


def test_findings_are_not_shown_to_citizens_in_the_report_view(app, staff):
    page = staff.get("/console/audit/").get_data(as_text=True)
    href = re.search(r'class="open-finding" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    public = app.test_client().get(href).get_data(as_text=True)
    assert "审核发现" not in public and "cell-mark" not in public


def test_audit_sheet_is_printable_with_signature_lines(staff):
    page = staff.get("/console/audit/", query_string={"agency": HZ, "year": 2023}).get_data(as_text=True)
    sheet_href = re.search(r'href="(/console/audit/reports/\d+)"', page).group(1)
    sheet = staff.get(sheet_href).get_data(as_text=True)
    assert "淮安市洪泽区人民政府_2023.pdf" in sheet and "审核人" in sheet
    assert len(re.findall(r'class="finding-item', sheet)) == 2


def test_csv_and_xlsx_exports_hold_the_filtered_findings(staff):
    query = {"agency": HZ, "year": 2023}
    resp = staff.get("/console/audit/export", query_string={**query, "format": "csv"})
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:4] == ["报告", "机关", "年份", "类别"]
    assert len(table) == 3 and all(r[1] == HZ and r[2] == "2023" for r in table[1:])
    from openpyxl import load_workbook
    resp = staff.get("/console/audit/export", query_string={**query, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "报告" and len(values) == 3
    assert [r[6] for r in values[1:]] == [r[6] for r in table[1:]]  # the same messages in both
