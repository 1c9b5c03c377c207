"""Agency and year of converted copies (markdown, 正文/目录 first, page markers, OCR misreadings, no title,
meaningless file names) of every corpus report: the original's, or flagged low-confidence when the copy
no longer says it; a heading word is never taken for an agency."""
from __future__ import annotations

import pytest

from ingest import metadata, readers
from ingest.records import Document
from scripts.harness_metadata import run, table

# Variants that keep the title (or the file name): the evidence is there, so the answer must be exact.
MUST_BE_EXACT = {"renamed", "markdown title", "正文 first", "目录 first", "page markers", "OCR swaps in body",
                 "no title, named", "OCR swap in title", "all of these"}


@pytest.fixture(scope="module")
def rows(corpus):
    rows = run(corpus)
    print(table(rows))
    return rows


def test_every_variant_of_every_report(rows):
    assert {r["variant"] for r in rows} >= MUST_BE_EXACT | {"no title, renamed"}
    wrong = [r for r in rows if r["variant"] in MUST_BE_EXACT and r["got"] != r["expected"]]
    assert not wrong, wrong
    assert len(rows) >= 26 * len(MUST_BE_EXACT)


def test_a_copy_that_lost_title_and_name_is_right_or_flagged(rows):
    # Nothing names the agency any more but the body: a wrong guess must be marked for staff.
    lost = [r for r in rows if r["variant"] == "no title, renamed"]
    assert lost
    for r in lost:
        assert r["got"][1] == r["expected"][1], r
        if r["got"][0] != r["expected"][0]:
            assert r["agency_confidence"] == "low", r


def test_no_heading_word_is_ever_the_agency(rows):
    for r in rows:
        assert r["got"][0] == "" or metadata.is_agency_name(r["got"][0]), r


@pytest.mark.parametrize("word", ["正文", "目录", "附件", "附件1", "一、总体情况", "（一）主动公开", "# 正文",
                                  "第1页", "- 1 -", "政府信息公开工作年度报告", "主动公开政府信息情况",
                                  "本报告由", "其他需要报告的事项", "办公室", "人民政府"])
def test_heading_words_are_not_agency_names(word, tmp_path):
    assert not metadata.is_agency_name(word)
    # as the first line of a copy with no other evidence, it is not taken either
    f = tmp_path / "doc_0001.txt"
    f.write_text(f"{word}\n政府信息公开工作年度报告\n一、总体情况\n本年度共主动公开政府信息12条。", encoding="utf-8")
    agency, _ = metadata.detect(readers.read(f), f)
    assert agency == "" or metadata.is_agency_name(agency)
    assert agency.strip("#-1 ") not in ("正文", "目录", "附件")


@pytest.mark.parametrize("name", ["某某县人民政府", "某某市住房和城乡建设局", "某某区卫生健康委员会", "某某县人民政府办公室",
                                  "某某综合实验区", "某某经济开发区管委会", "某某市档案馆",
                                  "某某市工业和信息化局", "某某县政务服务管理办公室"])
def test_organisation_names_are_agency_names(name):
    assert metadata.is_agency_name(name)
    assert metadata.is_agency_name(f"# {name}") and metadata.clean_name(f"## {name} ") == name


def test_signature_year_is_the_year_covered():
    # No title year, no period: the report signed in January 2022 covers 2021.
    text = ("某某县人民政府政府信息公开工作年度报告\n一、总体情况\n本年度，某某县人民政府主动公开信息。\n"
            "六、其他需要报告的事项\n无。\n某某县人民政府\n2022年1月20日")
    found = metadata.assess(Document(path="x.txt", text=text), "x.txt")
    assert found.as_tuple() == ("某某县人民政府", 2021)
    assert {"signature", "title"} <= {c["source"] for c in found.candidates if c["field"] == "agency"}
    assert found.agency_confidence == "high" and found.year_confidence == "low"


def test_ocr_misreading_in_title_outvoted_by_the_body():
    text = ("沐阳县水利局2023年政府信息公开工作年度报告\n本报告由沭阳县水利局根据《条例》编制。"
            "统计期限为2023年1月1日至2023年12月31日。沭阳县水利局全年主动公开信息。\n沭阳县水利局\n2024年1月5日")
    found = metadata.assess(Document(path="x.txt", text=text), "x.txt")
    assert found.as_tuple() == ("沭阳县水利局", 2023)
    # a place differing in its level is another place, never a misreading
    assert not metadata.same_agency("淮安市人民政府", "淮安区人民政府")
