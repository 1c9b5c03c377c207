"""Narrative facts: the dev set's prose facts and trends, and the rules behind them."""
from __future__ import annotations

import json
from functools import lru_cache

import pytest

from ingest import sections as S
from ingest.narrative import extract, squash
from ingest.records import Document

from .conftest import CORPUS, EVAL

# The dev questions whose evidence is a sentence of prose (listed in the brief);
# the test below also re-derives this list from where the evidence sits.
PROSE_FACT_IDS = {
    "dev-006", "dev-019", "dev-030", "dev-039", "dev-044", "dev-057", "dev-063", "dev-069",
    "dev-071", "dev-073", "dev-075", "dev-077", "dev-079", "dev-081", "dev-083", "dev-085",
    "dev-087", "dev-089", "dev-090",
}


def _doc_from(text: str, path: str = "x.txt", page_starts=None) -> Document:
    return Document(path=path, text=text,
                    line_starts=[0] + [i + 1 for i, c in enumerate(text) if c == "\n"],
                    page_starts=page_starts or [])


@lru_cache(maxsize=None)
def _corpus_doc(name: str) -> Document:
    p = CORPUS / "reports" / name
    return _doc_from(p.read_text("utf-8"), str(p))


@lru_cache(maxsize=None)
def _facts(name: str):
    return tuple(extract(_corpus_doc(name)))


def _questions():
    with open(EVAL / "questions.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _in_table_section(name: str, offset: int) -> bool:
    text = _corpus_doc(name).text
    secs = S.split(text)
    sec = next(s for s in secs if s.start <= offset < s.end)
    return (S.is_template(secs) and sec.number in S.TABLE_SECTIONS) or "统计表" in sec.title


def _prose_fact_questions():
    out = []
    for q in _questions():
        if q["type"] != "fact":
            continue
        at = _corpus_doc(q["source_file"]).text.find(q["evidence"])
        assert at >= 0, q["id"]
        if not _in_table_section(q["source_file"], at):
            out.append(q)
    return out


def _value(v: float):
    return int(v) if float(v).is_integer() else v


# --- the dev set -----------------------------------------------------------------

def test_prose_evidence_questions_are_the_expected_ones(corpus):
    assert {q["id"] for q in _prose_fact_questions()} == PROSE_FACT_IDS


@pytest.mark.parametrize("qid", sorted(PROSE_FACT_IDS))
def test_dev_prose_fact_is_extracted(corpus, qid):
    q = next(q for q in _questions() if q["id"] == qid)
    facts = _facts(q["source_file"])
    hits = [f for f in facts if f.value == q["value"] and f.unit == q["unit"]
            and q["evidence"] in f.source_text]
    assert hits, (qid, q["evidence"], [(f.row, _value(f.value), f.unit) for f in facts][:40])
    f = hits[0]
    text = _corpus_doc(q["source_file"]).text
    evidence_at = text.find(q["evidence"])
    # the fact's number is the one the evidence quotes, not another in the sentence
    assert evidence_at <= f.char_start < evidence_at + len(q["evidence"]), qid
    assert _subsequence(f.row.lstrip("…"), squash(f.source_text)), (qid, f.row)


def _subsequence(small: str, big: str) -> bool:
    """The row is made of the sentence's own words, in order."""
    it = iter(big)
    return all(c in it for c in small)


def _trend(qid: str) -> dict:
    return next(q for q in _questions() if q["id"] == qid)


def test_dev_092_proactive_disclosure_per_year(corpus):
    q = _trend("dev-092")
    assert q["unit"] == "条"
    for name in q["source_file"]:
        year = name[-8:-4]
        candidates = [f for f in _facts(name) if f.unit == "条" and "主动公开政府信息" in f.row]
        assert candidates, name
        # the report's headline total is the first such figure it states
        assert candidates[0].value == q["values"][year], (name, [(f.row, f.value) for f in candidates])
        assert candidates[0].row.endswith("主动公开政府信息")


@pytest.mark.parametrize("qid", ["dev-093", "dev-094"])
def test_dev_column_visits_per_year(corpus, qid):
    q = _trend(qid)
    assert q["unit"] == "人次"
    for name in q["source_file"]:
        year = name[-8:-4]
        visits = [f for f in _facts(name) if "访问量" in f.row]
        assert [(f.value, f.unit) for f in visits] == [(q["values"][year], "人次")], name
        assert visits[0].row == "政府信息公开专栏访问量"
        assert "政府信息公开专栏访问量达" in visits[0].source_text


# --- every corpus report ----------------------------------------------------------

def test_corpus_facts_are_well_formed(corpus):
    total = 0
    for p in sorted((corpus / "reports").glob("*.txt")):
        doc = _corpus_doc(p.name)
        secs = S.split(doc.text)
        labels = {S.label(s): s for s in secs}
        for f in _facts(p.name):
            total += 1
            assert (f.table, f.table_key, f.row_key, f.column, f.column_key, f.kind) == \
                ("", "narrative", "", "", "", "narrative")
            assert f.row and f.unit and f.source_text
            number = doc.text[f.char_start:f.char_end]
            if number[:1] in "未无没均并":  # a count of nothing (未收到…): its span is the negated clause
                assert f.value == 0 and f.row in number.replace(" ", ""), (p.name, number, f.row)
            else:
                assert float(number.replace(",", "")) == f.value, (p.name, number, f.value)
            sec = labels[f.row_group]
            assert sec.start <= f.char_start < sec.end
            assert not _in_table_section(p.name, f.char_start), (p.name, f.row)
            assert number in f.source_text.replace("\n", "")
            assert f.source_line == doc.line_at(f.char_start)
            assert "\n" not in f.source_text and "\n" not in f.row
    assert total > 300


def test_template_table_sections_give_no_facts(corpus):
    name = "广州市人力资源和社会保障局_2020.txt"
    groups = {f.row_group for f in _facts(name)}
    assert groups == {"一、总体情况"}
    # 163.29万元 is printed in the 第二十条 table: the table parser's, not ours
    assert not [f for f in _facts(name) if f.value == 163.29]


def test_old_statistics_table_gives_no_facts(corpus):
    facts = _facts("平潭综合实验区_2014.txt")
    assert not [f for f in facts if "统计表" in f.row_group]
    assert not [f for f in facts if f.value == 78967]


# --- the rules on small texts -----------------------------------------------------

def _one(text: str):
    facts = extract(_doc_from(text))
    return [(f.row, _value(f.value), f.unit) for f in facts]


def test_number_with_unit_and_clause():
    assert _one("一、总体情况 2020 年，我局认真工作，在我局门户网站主动公开政府信息 3803条。") == [
        ("在我局门户网站主动公开政府信息", 3803, "条")]


def test_report_units_are_kept():
    got = _one("一、总体情况 微信粉丝量超 230万，阅读量超 10万+微信 18条。全年收取信息处理费 3940 元。"
               "粉丝1.2万人次。采购金额163.29万元。")
    assert ("微信粉丝量", 230, "万") in got
    assert ("阅读量", 10, "万") in got
    assert ("收取信息处理费", 3940, "元") in got
    assert ("粉丝", 1.2, "万人次") in got
    assert ("采购金额", 163.29, "万元") in got


def test_commas_fullwidth_and_approximations():
    got = _one("一、概述 共受理申请12,345件，全区权力清单事项２９１７项，累计主动公开政府信息7700余条，"
               "咨询达3000多人次。")
    assert got == [("受理申请", 12345, "件"), ("全区权力清单事项", 2917, "项"),
                   ("主动公开政府信息", 7700, "条"), ("咨询", 3000, "人次")]


def test_a_long_tail_after_the_unit_names_its_head_noun():
    # What a number counts may follow its unit, with the predicate after it; the head noun is the label.
    got = _one("一、概述 全区收到1份有关政府信息公开行政复议申请已及时处理。"
               "对5个发挥作用不明显、基层无力维护的政务新媒体予以关停注销。"
               "30多个区直单位一并公开部门的预算及决算信息。")
    assert got == [("全区收到有关政府信息公开行政复议申请", 1, "份"), ("对5个政务新媒体", 5, "个"),
                   ("30多个区直单位", 30, "个")]


def test_things_that_are_not_facts():
    text = ("一、概述 本报告统计期限自2020年1月1日起至2020年12月31日止，电话：0591-23165370，邮编：350400，"
            "地址：洪泽湖大道 90号（国令第711号）（国办公开办函〔2021〕30号），第3次会议，"
            "平潭12345便民服务平台，联系邮箱pzxxgkb@163.com，用时3个月。")
    assert _one(text) == []


def test_list_items_split_at_each_count():
    got = _one("一、概述 共梳理出全区权力清单事项2917项、公共服务清单事项240项，开设窗口26个，共发布467条信息。")
    assert got == [("梳理出全区权力清单事项", 2917, "项"), ("公共服务清单事项", 240, "项"),
                   ("开设窗口", 26, "个"), ("发布信息", 467, "条")]


def test_percentage_borrows_the_clause_it_qualifies():
    got = _one("三、咨询情况 其中现场咨询1600人次，占32.65%；电话咨询3200人次，占65.31%。")
    assert got == [("现场咨询", 1600, "人次"), ("现场咨询1600人次，占32.65%", 32.65, "%"),
                   ("电话咨询", 3200, "人次"), ("电话咨询3200人次，占65.31%", 65.31, "%")]


def test_year_glued_to_a_subheading_is_dropped_from_the_row():
    got = _one("二、主动公开政府信息情况（一）主动公开政府信息的数量2016年全区主动公开政府信息3460条。")
    assert got == [("全区主动公开政府信息", 3460, "条")]


def test_pdf_wrapping_and_page_marks():
    text = ("一、总体情况\n2024 年，我区在政\n府网站平台主动发布各类政府信息 2428 条，公开政府常务会议 7\n"
            "期，解读信息发布 7 条。\n-1-\n\n（二）依申请公开情况。受理申请 17 件。\n")
    doc = _doc_from(text, page_starts=[0, text.index("（二）")])
    facts = extract(doc)
    assert [(f.row, _value(f.value), f.unit) for f in facts] == [
        ("我区在政府网站平台主动发布各类政府信息", 2428, "条"), ("公开政府常务会议", 7, "期"),
        ("解读信息发布", 7, "条"), ("受理申请", 17, "件")]
    assert facts[0].source_text == "2024 年，我区在政府网站平台主动发布各类政府信息 2428 条，公开政府常务会议 7期，解读信息发布 7 条。"
    assert facts[0].source_line == 3 and facts[0].source_page == 1
    assert facts[-1].source_page == 2
    assert facts[-1].source_text == "受理申请 17 件。"
    assert text[facts[0].char_start:facts[0].char_end] == "2428"


def test_heading_line_does_not_join_the_next_sentence():
    text = "一、总体情况\n（一）主动公开政府信息情况\n2023年，我局严格审签，全年共审核发布各类公开政府信息249条。\n"
    facts = extract(_doc_from(text))
    assert facts[0].source_text == "2023年，我局严格审签，全年共审核发布各类公开政府信息249条。"
    assert facts[0].row == "审核发布各类公开政府信息"


def test_table_sections_of_template_reports_are_skipped():
    text = ("一、总体情况\n全区受理申请12件。\n二、主动公开政府信息情况\n政府集中采购 8 163.29万元\n"
            "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 12件\n"
            "四、政府信息公开行政复议、行政诉讼情况\n复议 3件\n五、存在的主要问题及改进情况\n培训3次。\n"
            "六、其他需要报告的事项\n收取信息处理费 0 元。\n")
    facts = extract(_doc_from(text))
    assert [(f.row_group, f.row, _value(f.value), f.unit) for f in facts] == [
        ("一、总体情况", "全区受理申请", 12, "件"),
        ("五、存在的主要问题及改进情况", "培训", 3, "次"),
        ("六、其他需要报告的事项", "收取信息处理费", 0, "元")]


def test_sections_can_be_passed_in():
    text = "一、概述 公开信息5条。二、主动公开政府信息情况 公开信息6条。"
    doc = _doc_from(text)
    secs = S.split(text)
    assert [f.value for f in extract(doc, secs[:1])] == [5]


def test_filler_words_do_not_eat_real_words():
    got = _one("一、概述 有关部门公开信息12条，共享平台发布信息5条，查处违法行为12起，据统计3项。")
    assert got == [("有关部门公开信息", 12, "条"), ("共享平台发布信息", 5, "条"),
                   ("查处违法行为", 12, "起"), ("据统计", 3, "项")]


def test_a_count_printed_without_its_unit_takes_the_sentences_unit(corpus):
    """平潭县 2011: "…作为依申请公开信息数46条，不予公开信息数1402。" — 1402 is a count of 条 too."""
    from ingest.readers import read
    doc = read(corpus / "reports" / "平潭县人民政府_2011.txt")
    hit = [f for f in extract(doc) if f.value == 1402]
    assert len(hit) == 1 and hit[0].unit == "条" and "不予公开" in hit[0].row
    # Bare numbers elsewhere (years, list numbering) are still not facts.
    assert not [f for f in extract(doc) if f.value == 2011]


@pytest.mark.parametrize("name,row", [
    ("平潭综合实验区_2018.txt", "收到有关政府信息公开申请"),
    ("平潭综合实验区_2016.txt", "收到有关政府信息公开行政复议、提起行政诉讼的申请"),
    ("平潭综合实验区地方税务局_2013.txt", "收到政府信息公开申请"),
    ("沭阳县发展和改革局_2023.txt", "发生政府信息公开方面责任追究结果"),
])
def test_a_count_of_nothing_stated_without_a_number_is_a_zero(name, row):
    """未收到…申请 is the report saying the count is 0; the row is what was not received."""
    zeros = [f for f in _facts(name) if f.value == 0 and f.row == row]
    assert len(zeros) == 1
    f = zeros[0]
    text = _corpus_doc(name).text
    assert row in text[f.char_start:f.char_end] and text[f.char_start] in "未无没均并"


def test_a_negated_verb_before_a_number_is_not_a_zero():
    doc = _doc_from("二、依申请公开情况\n2013年全区未收到有关政府信息公开的申请，收到1份行政复议申请。\n")
    facts = extract(doc)
    assert {(f.row, f.value) for f in facts if f.value == 0} == {("收到有关政府信息公开的申请", 0.0)}
    assert any(f.value == 1 for f in facts)


@pytest.mark.parametrize("text", [
    # A table's label with its counting rule (an older report's 统计表 under a section that is not named so).
    "七、其他需要报告的事项\n附表\n（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） 条 9021\n"
    "（二）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次） 次 35\n",
    "三、依申请公开情况\n同一申请人就同一事项多次提出申请的，按1件统计。\n",
    "二、主动公开情况\n同一信息在门户网站和政务微博重复发布的，计为1条。\n",
    "二、主动公开情况\n回应同一热点的多篇稿件按1次计。\n",
])
def test_a_counting_rule_is_not_a_figure(text):
    """…计1条 / 按1件统计 says how things are counted, not how many there were."""
    assert [(f.row, f.value) for f in extract(_doc_from(text))] == []


@pytest.mark.parametrize("text,word,value", [
    ("二、主动公开情况\n全年共计1条信息因涉密未公开。\n", "涉密", 1),
    ("二、主动公开情况\n全年主动公开政府信息计1200条。\n", "主动公开政府信息", 1200),
    ("二、主动公开情况\n全年累计发布1条重要通知。\n", "重要通知", 1),
    ("三、依申请公开情况\n同意公开198件（含属于已主动公开范围71件）。\n", "已主动公开范围", 71),
    ("三、依申请公开情况\n全年收到同一申请人重复申请1件。\n", "重复申请", 1),
])
def test_a_total_written_with_ji_is_still_a_figure(text, word, value):
    """共计/计/累计 before a count, a bracket with a count, 同一… without a counting verb: real figures."""
    facts = [(f.row, f.value) for f in extract(_doc_from(text))]
    assert any(word in row and v == value for row, v in facts), facts


@pytest.mark.parametrize("since", ["截至2017年底，", "截至年末，", "截止2017年12月底，"])
def test_a_running_total_is_not_the_years_figure(since):
    """截至年底，累计公开N条 counts since records began: its row says 累计, the year's own figure does not."""
    got = _one(f"一、总体情况 2017年，全市主动公开政府信息18436条，{since}累计主动公开政府信息152387条。")
    assert ("全市主动公开政府信息", 18436, "条") in got
    assert ("累计主动公开政府信息", 152387, "条") in got


def test_a_years_total_said_with_lei_ji_stays_the_years():
    got = _one("一、总体情况 2017年，全年累计发布政务微博3120条。")
    assert ("发布政务微博", 3120, "条") in got
