"""End to end in a real browser: the chat (figure, narrative, follow-up, trend chart, phone width),
the staff console (sign-in, figures chart, CSV export, upload) and a question answered from the upload.

Each test drives Debian's Chromium against the app served by waitress over a data dir ingested
from real corpus reports (see conftest.py). Screenshots go to screenshots/ at the repo root.
"""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import STAFF
from .webdata import UPLOAD_FILE

pytestmark = pytest.mark.e2e

ANSWER_TIMEOUT = 60_000


def ask(page, question: str):
    """Type the question, press Enter, and return the finished answer's element."""
    before = page.locator(".msg-assistant").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator(".msg-assistant").nth(before)
    expect(answer).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT)
    return answer


def sign_in(page, base: str, then: str):
    page.goto(f"{base}{then}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_chat_answers_with_sources_and_follow_ups(live_app, page, screenshots):
    page.goto(live_app.url + "/")
    expect(page.locator(".suggestion").first).to_be_visible()
    expect(page.get_by_label("你的问题")).to_be_visible()

    # a figure: the answer and where it comes from (report, table, row, column)
    answer = ask(page, "广州人社局2020年一共新收到多少件政府信息公开申请？")
    expect(answer.locator(".answer-text")).to_contain_text("144")
    fact = answer.locator(".fact").first
    expect(fact.locator(".fact-value")).to_contain_text("144")
    expect(fact).to_contain_text("收到和处理政府信息公开申请情况")
    expect(fact).to_contain_text("本年新收政府信息公开申请数量")
    expect(fact).to_contain_text("总计")
    link = fact.get_by_role("link", name="广州市人力资源和社会保障局_2020.txt")
    expect(link).to_have_attribute("href", re.compile(r"^/reports/\d+\?start=\d+&end=\d+#passage$"))
    # the figure's link opens the report with its row marked
    href = link.get_attribute("href")
    report = page.context.new_page()
    report.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + href)
    expect(report.locator("mark#passage")).to_contain_text("144")
    report.close()

    # a follow-up that only makes sense with the conversation so far
    ask(page, "平潭实验区2022年新收了多少件政府信息公开申请？")
    follow = ask(page, "那2021年呢？")
    expect(follow.locator(".fact-value").first).to_contain_text("70")
    expect(follow.locator(".fact-who").first).to_contain_text("2021")

    # a trend: a small table and an SVG chart drawn in the page
    trend = ask(page, "平潭2021、2022年新收的政府信息公开申请分别有多少件？")
    expect(trend.locator(".answer-table svg.chart-svg")).to_be_visible()
    expect(trend.locator(".answer-table table")).to_contain_text("74")
    # 平潭 2021 failed a template check: the warning is on screen
    expect(trend.locator(".notice-warn")).to_contain_text("平潭综合实验区_2021.txt")

    # a passage: quoted text with the matched words marked, and a link into the report
    narrative = ask(page, "洪泽区政府2024年信息公开工作有哪些短板？")
    source = narrative.locator(".source").first
    expect(source.locator("blockquote mark").first).to_be_visible()
    expect(source).to_contain_text("淮安市洪泽区人民政府")
    page.screenshot(path=str(screenshots / "chat-desktop.png"))

    quoted = source.locator("blockquote").inner_text()
    source.get_by_role("link", name="在报告中查看此段").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+\?start=\d+&end=\d+#passage$"))
    passage = page.locator("mark#passage")
    expect(passage).to_be_visible()
    expect(passage).to_be_in_viewport()
    expect(passage).to_be_focused()
    assert " ".join(passage.inner_text().split()) == " ".join(quoted.split())


def test_typed_text_is_never_markup(live_app, page):
    page.goto(live_app.url + "/")
    attack = '<img src=x onerror="document.title=1">平潭2022年有多少件？'
    answer = ask(page, attack)
    expect(page.locator(".msg-user .msg-text").last).to_have_text(attack)
    assert page.locator("#log img").count() == 0
    assert page.title() != "1"
    expect(answer).to_be_visible()


def test_keyboard_only_use(live_app, page):
    page.goto(live_app.url + "/")
    page.locator("#question").focus()
    page.keyboard.type("平潭实验区2022年")
    page.keyboard.press("Shift+Enter")  # a new line, not a send
    page.keyboard.type("新收了多少件申请？")
    assert page.locator(".msg-user").count() == 0
    page.keyboard.press("Enter")
    expect(page.locator(".msg-assistant")).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#question")).to_be_focused()
    expect(page.locator(".msg-assistant .fact-value").first).to_contain_text("74")
    # the suggestions are buttons reachable with Tab and sent with Enter
    page.get_by_role("button", name="新对话").click()
    page.locator(".suggestion").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".msg-assistant")).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT)


def test_chat_on_a_phone(live_app, browser, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(live_app.url + "/")
        ask(page, "广州人社局2020年一共新收到多少件政府信息公开申请？")
        answer = ask(page, "平潭2021、2022年新收的政府信息公开申请分别有多少件？")
        expect(answer.locator("svg.chart-svg")).to_be_visible()
        # nothing wider than the screen: no sideways scrolling of the page
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        expect(page.locator("#send")).to_be_in_viewport()
        page.screenshot(path=str(screenshots / "chat-phone.png"))
    finally:
        context.close()


def test_staff_figures_chart_and_csv_export(live_app, page, screenshots):
    sign_in(page, live_app.url, "/console/figures")
    page.get_by_label("平潭综合实验区").check()
    page.get_by_label("淮安市洪泽区人民政府").check()
    page.get_by_label("广州市人力资源和社会保障局").check()
    page.select_option("#metric", ["applications|new|total", "review|review|total", "item6|penalty|decisions"])
    page.locator("#figures-submit").click()
    expect(page.locator("#charts svg.chart-svg")).to_have_count(3)
    table = page.locator("#figures-table")
    expect(table).to_contain_text("144")
    expect(table).to_contain_text("74")
    page.screenshot(path=str(screenshots / "figures.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("#export-csv").click()
    download = info.value
    assert download.suggested_filename == "figures.csv"
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(io.StringIO(fh.read())))
    new_total = {(r["机关"], r["年份"]): r["数值"] for r in rows if r["行键"] == "new" and r["列键"] == "total"}
    assert new_total[("广州市人力资源和社会保障局", "2020")] == "144"
    assert new_total[("平潭综合实验区", "2022")] == "74"


def test_audit_page_filter_open_a_finding_and_export(live_app, page, screenshots):
    sign_in(page, live_app.url, "/console/audit/")
    findings = page.locator("#findings tbody tr")
    every = findings.count()
    assert every >= 3
    page.get_by_label("机关").select_option("淮安市洪泽区人民政府")
    page.get_by_label("类别").select_option(label="正文与表格")
    page.get_by_role("button", name="筛选").click()
    expect(findings).to_have_count(1)
    expect(findings.first).to_contain_text("淮安市洪泽区人民政府_2024.pdf")
    expect(findings.first).to_contain_text("95")
    page.screenshot(path=str(screenshots / "audit.png"), full_page=True)

    # the finding opens the report with the sentence and the table cell marked, the sentence in view
    findings.first.get_by_role("link", name="查看").click()
    expect(page.locator("#finding")).to_contain_text("审核发现")
    sentence = page.locator(".report-text mark.passage")
    cell = page.locator(".report-text mark.cell-mark")
    expect(sentence).to_contain_text("17")
    expect(cell).to_contain_text("95")
    expect(sentence.first).to_be_in_viewport()
    page.screenshot(path=str(screenshots / "audit-finding.png"))
    page.go_back()

    with page.expect_download() as info:
        page.locator("#export-csv").click()
    with open(info.value.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(io.StringIO(fh.read())))
    assert len(rows) == 1 and rows[0]["机关"] == "淮安市洪泽区人民政府" and "95" in rows[0]["涉及单元格"]
    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook
    with open(info.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    assert sheet.max_row == 2 and sheet.cell(2, 2).value == "淮安市洪泽区人民政府"

    # the per-report sheet prints without the site's navigation and buttons
    page.goto(live_app.url + "/console/audit/")
    page.locator("#findings tbody tr", has_text="_2023.pdf").first.get_by_role("link", name="审核单").click()
    expect(page.locator(".finding-item")).to_have_count(2)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.locator(".signatures")).to_be_visible()


def test_chat_ranks_agencies_with_a_chart_and_lists_findings_without_one(live_app, page):
    page.goto(live_app.url + "/")
    answer = ask(page, "2024年哪个部门收到的政府信息公开申请最多？")
    rows = answer.locator(".answer-table tbody tr")
    expect(rows).to_have_count(2)  # the two agencies of 2024 in the small data dir
    expect(rows.first).to_contain_text("1")
    # the chart is of the agencies' figures, labelled by agency, not of the ranks
    labels = answer.locator(".answer-table svg.chart-svg text.tick title")
    expect(labels.first).to_be_attached()
    assert {t for t in labels.all_text_contents() if "政府" in t} == {"淮安市人民政府", "淮安市洪泽区人民政府"}

    answer = ask(page, "哪些部门的年报数据有问题？")
    expect(answer.locator(".answer-text")).to_contain_text("淮安市洪泽区人民政府")
    expect(answer.locator(".answer-table tbody tr").first).to_be_visible()
    expect(answer.locator("svg.chart-svg")).to_have_count(0)  # years are not values to chart
    source = answer.locator(".sources a").first
    expect(source).to_have_attribute("href", re.compile(r"^/reports/\d+"))


def test_upload_a_report_then_ask_about_it(live_app, page):
    sign_in(page, live_app.url, "/console/reports")
    expect(page.locator(".reports-table")).not_to_contain_text(UPLOAD_FILE.name)
    page.set_input_files("#files", str(UPLOAD_FILE))
    page.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/console/jobs/"))
    expect(page.locator("#job-state")).to_have_text("导入完成", timeout=180_000)
    row = page.locator("#job-results tbody tr").first
    expect(row).to_contain_text(UPLOAD_FILE.name)
    expect(row).to_contain_text("成功")

    page.get_by_role("link", name="报告管理", exact=True).click()
    expect(page.locator(".reports-table")).to_contain_text(UPLOAD_FILE.name)

    page.get_by_role("link", name="问答", exact=True).click()
    answer = ask(page, "沭阳发改局2023年收到多少依申请公开？")
    expect(answer.locator(".fact").first).to_contain_text("沭阳县发展和改革局")
    expect(answer.locator(".fact").first.get_by_role("link", name=UPLOAD_FILE.name)).to_be_visible()
