"""Assistant pieces that need no store: years, agency names, figure scoring, LLM guard, eval scoring."""
from __future__ import annotations

import pytest

from assistant.agencies import AgencyMatcher, name_forms, other_bodies, split_name, unknown_agencies
from assistant.evaluate import same, score
from assistant.metrics import Scorer, asked_unit, rewrite, template_entries, unit_fits, vocabulary
from assistant.textutil import Segmenter, cn_int, compact, fmt_number
from assistant.years import parse_years, resolve

AGENCIES = {"平潭综合实验区": 13, "平潭县人民政府": 1, "平潭综合实验区地方税务局": 1,
            "广州市人力资源和社会保障局": 1, "上海市人民政府办公厅": 1, "沭阳县发展和改革局": 1,
            "淮安市人民政府": 2, "淮安市洪泽区人民政府": 4}


@pytest.mark.parametrize("text,years", [
    ("2020年", [2020]), ("2020年度", [2020]), ("二〇二〇年", [2020]),
    ("2021到2024年", [2021, 2022, 2023, 2024]), ("2014年到2018年", [2014, 2015, 2016, 2017, 2018]),
    ("2015-2018年", [2015, 2016, 2017, 2018]), ("2021、2022、2024、2025年", [2021, 2022, 2024, 2025]),
    ("近几年（2021、2022）", [2021, 2022]),
])
def test_years_named(text, years):
    assert parse_years(text).years == years


def test_range_takes_its_closing_year_character():
    m = parse_years("平潭2014到2018年区直各部门")
    assert m.years == [2014, 2015, 2016, 2017, 2018]
    assert "年" not in "".join(c for i, c in enumerate("平潭2014到2018年区直各部门")
                              if not any(s <= i < e for s, e in m.spans))


@pytest.mark.parametrize("text,step", [
    ("那上一年呢？", -1), ("前一年呢", -1), ("下一年呢", 1),
    ("行政处罚的上一年项目数量", None), ("上一年度项目数量", None), ("比上一年增加了多少", None),
    ("结转到下一年的申请", None), ("上年结转的申请", None),
])
def test_a_step_from_the_year_asked_before(text, step):
    assert parse_years(text).step == step


def test_year_carried_to_is_not_the_report_year():
    m = parse_years("2025年结转到2026年的申请")
    assert m.years == [2025] and m.destinations


def test_relative_years_follow_the_newest_stored_year():
    stored = [2019, 2021, 2022, 2024]
    assert resolve(parse_years("近三年"), stored) == [2021, 2022, 2024]
    assert resolve(parse_years("今年"), stored) == [2024]
    assert resolve(parse_years("去年"), stored) == [2023]
    assert resolve(parse_years("历年"), stored) == stored


def test_chinese_numbers_and_formatting():
    assert cn_int("二〇二一") == 2021 and cn_int("十二") == 12 and cn_int("三") == 3
    assert fmt_number(144.0) == "144" and fmt_number(163.29) == "163.29"
    assert compact("2020 年\n 3803条") == "2020年3803条"


def test_names_split_into_places_and_organisation():
    assert split_name("淮安市洪泽区人民政府") == (["淮安市", "洪泽区"], "人民政府")
    assert split_name("广州市人力资源和社会保障局") == (["广州市"], "人力资源和社会保障局")
    forms = name_forms("上海市人民政府办公厅")
    assert {"上海市政府办公厅", "上海市府办", "上海"} <= set(forms)


@pytest.mark.parametrize("mention,agency", [
    ("广州人社局", "广州市人力资源和社会保障局"), ("人社局", "广州市人力资源和社会保障局"),
    ("平潭", "平潭综合实验区"), ("平潭实验区", "平潭综合实验区"), ("平潭县政府", "平潭县人民政府"),
    ("平潭地税局", "平潭综合实验区地方税务局"), ("洪泽区政府", "淮安市洪泽区人民政府"),
    ("上海市府办", "上海市人民政府办公厅"), ("沭阳县发改局", "沭阳县发展和改革局"),
    ("淮安市政府", "淮安市人民政府"), ("淮安市", "淮安市人民政府"), ("洪泽区政府办", "淮安市洪泽区人民政府"),
])
def test_short_agency_forms(mention, agency):
    found = AgencyMatcher(AGENCIES).find(mention + "2020年有多少")
    assert [m.agency for m in found] == [agency]


def test_two_agencies_in_one_question():
    found = AgencyMatcher(AGENCIES).find("2024年淮安市政府和洪泽区政府的收费")
    assert [m.agency for m in found] == ["淮安市人民政府", "淮安市洪泽区人民政府"]


def test_unknown_agency_is_reported():
    m = AgencyMatcher(AGENCIES)
    text = "苏州市人民政府2022年收到多少申请"
    assert unknown_agencies(text, m.find(text), {"平潭", "淮安", "洪泽"}) == ["苏州市人民政府"]
    text = "平潭2019年全区一共公布了多少条"
    assert unknown_agencies(text, m.find(text), {"平潭"}) == []


@pytest.mark.parametrize("text,agencies,other", [
    ("沭阳县人民政府2023年", [], ["沭阳县人民政府"]),          # a place of a stored agency, another body
    ("淮安市人社局2024年", [], ["淮安市人社局"]),                # …and its organisation names no stored one
    ("洪泽区教育局", [], ["洪泽区教育局"]),
    ("上海市人民政府2019年", ["上海市人民政府办公厅"], []),      # the office's own government
    ("淮安市2024年", ["淮安市人民政府"], []),
    ("沭阳发改局", ["沭阳县发展和改革局"], []),
])
def test_place_followed_by_another_organisation(text, agencies, other):
    kept, found = other_bodies(text, AgencyMatcher(AGENCIES).find(text))
    assert [m.agency for m in kept] == agencies and found == other


def test_government_office_means_the_government():
    text = "淮安市人民政府办公室2024年收到多少申请"
    kept, _ = other_bodies(text, AgencyMatcher(AGENCIES).find(text))
    assert [m.agency for m in kept] == ["淮安市人民政府"] and text[kept[0].end:].startswith("2024")


def test_negation_rewrites_spare_the_a_not_a_question():
    assert "不予公开" in rewrite("因为涉及国家秘密没有公开") and "不予公开" in rewrite("被认定为不给公开")
    assert "不予公开" not in rewrite("有没有公开")


@pytest.fixture(scope="module")
def scorer():
    entries = template_entries()
    return Scorer(Segmenter(vocabulary(entries.values())), []), list(entries.values())


def test_table_subjects_are_the_nouns_only_one_table_names(scorer):
    s, _ = scorer
    assert s.topics.get("行政复议") == s.topics.get("行政诉讼") == "review"
    assert not {"申请", "收到", "处理"} & set(s.topics)   # verbs every table may use
    # A label naming review answers a question that names review, or its other proceeding, not one about applications.
    label = s.words("收到有关政府信息公开行政复议的申请")
    assert s.names_other_subject(label, s.words("收到多少信息公开申请"))
    assert not s.names_other_subject(label, s.words("被申请复议几次"))
    assert not s.names_other_subject(label, s.words("行政诉讼多少件"))


@pytest.mark.parametrize("question,row,column", [
    ("一共新收到多少件政府信息公开申请", "new", "total"),
    ("因为手里没有相关信息而没法提供的申请有多少件", "unable_not_held", "total"),
    ("因保护第三方合法权益不予公开的有几件", "refuse_third_party", "total"),
    ("不予公开的有几件", "refuse", "total"),
    ("“其他处理”里归到“其他”情形的申请有几件", "other_other", "total"),
    ("复议后起诉的行政诉讼总计多少件", "lawsuit_after_review", "total"),
    ("未经复议直接起诉的官司里，有几件结果被纠正", "lawsuit_direct", "corrected"),
    ("新收的申请中，社会公益组织提出的有几件", "new", "nonprofit"),
    ("废止了多少件行政规范性文件", "normative", "repealed"),
    ("行政许可处理决定有多少", "license", "decisions"),
    ("从上一年结转过来的申请有多少件", "carried_in", "total"),
    ("有几件信息公开申请因为涉及国家秘密没有公开", "refuse_secret", "total"),
    ("有多少申请被认定为不给公开", "refuse", "total"),
    ("没经过复议就直接被起诉的有几件", "lawsuit_direct", "total"),
    ("有几件申请是其他组织提的", "new", "other_org"),
])
def test_template_cell_chosen_from_labels(scorer, question, row, column):
    s, entries = scorer
    text = rewrite(question)
    best = s.rank(text, entries, asked_unit(text))[0].entry
    assert (best.row_key, best.column_key) == (row, column)


def test_units_asked_and_accepted():
    assert asked_unit("有多少条") == "条" and asked_unit("花了多少钱") == "钱"
    assert asked_unit("开了几场新闻发布会") == "场" and asked_unit("平均办理天数是多少") == "天"
    assert asked_unit("申请办结率是多少") == "%" and asked_unit("有几个兼职人员") == "个"
    assert not unit_fits("天", "件") and not unit_fits("%", "件") and unit_fits("个", "人")
    assert unit_fits("件", "件") and unit_fits("次", "件") and not unit_fits("条", "件")
    assert unit_fits("钱", "万元") and unit_fits(None, "条")
    # 数量 / 多少 with no measure word asks for a count of any unit, never a share
    counted = asked_unit("主动公开政府信息数量")
    assert unit_fits(counted, "条") and unit_fits(counted, "件") and not unit_fits(counted, "%")


def test_eval_scoring_rules():
    assert same(163.29, "万元", 1632900, "元")
    assert not same(163.29, "万元", 163.29, "元")
    item = {"type": "narrative", "evidence": "存在 一定不足", "source_file": "a.txt"}
    assert score(item, {"sources": [{"report": "a.txt", "text": "工作存在一定\n不足。"}]})[0]
    assert not score(item, {"sources": [{"report": "b.txt", "text": "工作存在一定不足。"}]})[0]
    none = {"type": "none"}
    assert score(none, {"route": "none", "answer": "报告中没有提到", "facts": []})[0]
    assert not score(none, {"route": "fact", "answer": "共5件", "facts": [{"value": 5}]})[0]


def test_llm_output_with_an_invented_number_is_rejected():
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.llm import rephrase
    result = {"question": "平潭2022年新收多少申请？", "route": "fact", "answer": "平潭综合实验区2022年新收申请74件。",
              "facts": [{"agency": "平潭综合实验区", "year": 2022, "row": "新收", "column": "总计", "value": 74.0,
                         "unit": "件", "report": "r.txt", "source": {"text": "74"}}], "sources": []}
    good = rephrase(None, dict(result), FakeListChatModel(responses=["2022年，平潭综合实验区共新收申请74件。"]))
    assert good["answer"].startswith("2022年，平潭") and good["llm"] == "used"
    bad = rephrase(None, dict(result), FakeListChatModel(responses=["平潭2022年新收申请约80件。"]))
    assert bad["answer"] == result["answer"] and bad["llm"] == "rejected"


@pytest.mark.parametrize("text,years", [
    ("23年收到多少申请", [2023]), ("22年度的报告", [2022]), ("23年和24年", [2023, 2024]),
    ("21到23年", [2021, 2022, 2023]), ("二零二三年", [2023]), ("2023年", [2023]),
])
def test_two_digit_and_chinese_years(text, years):
    assert parse_years(text).years == years


@pytest.mark.parametrize("text", ["近10年的变化", "最近20年", "成立满10年", "第10年"])
def test_a_duration_is_not_a_two_digit_year(text):
    assert parse_years(text).years == []


def test_a_verb_no_label_uses_says_how_one_asks_not_which_figure():
    from assistant.metrics import FILLER_WEIGHT
    from assistant.snapshot import TEMPLATE_WORDING
    entries = list(template_entries().values())
    docs = ["被申请人提起行政复议", "行政复议维持", "收费金额"]
    s = Scorer(Segmenter(vocabulary(entries)), docs, TEMPLATE_WORDING)
    assert s.weight("提起") <= FILLER_WEIGHT < s.weight("维持")
    text = rewrite("因公开信息的事被提起复议的有多少")
    best = s.rank(text, entries, asked_unit(text))[0].entry
    assert (best.table_key, best.row_key) == ("review", "review")


def test_a_column_names_the_cell_of_a_one_row_table(scorer):
    s, entries = scorer
    text = rewrite("收费金额是多少钱")
    best = s.rank(text, entries, asked_unit(text))[0].entry
    assert (best.table_key, best.column_key) == ("item8", "fee_amount")


def test_people_times_are_not_events():
    """培训人员96人次 answers 多少人次; 组织培训1次 counts trainings, not people."""
    assert unit_fits("人次", "人次") and unit_fits("人次", "人")
    assert not unit_fits("人次", "次")
