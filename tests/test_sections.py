"""Section splitting on every corpus report and on the awkward layouts it must survive."""
from __future__ import annotations

import re

import pytest

from ingest import sections as S
from ingest.records import Section

ORDER = list(S.TEMPLATE_TITLES)


def _reports(corpus):
    return sorted((corpus / "reports").glob("*.txt"))


def _year(path) -> int:
    return int(re.search(r"_(\d{4})\.txt$", path.name).group(1))


def _numeral(n: str) -> int:
    return S._numeral_value(n)


def _check_cover(text: str, secs: list[Section]) -> None:
    assert secs, "no sections"
    assert secs[0].start == 0 and secs[-1].end == len(text)
    for a, b in zip(secs, secs[1:]):
        assert a.end == b.start and a.start < a.end
    numbers = [_numeral(s.number) for s in secs if s.number]
    assert numbers == sorted(set(numbers)), numbers
    assert all(s.number for s in secs[1:]), "only the first section may be the preamble"


def test_every_report_is_covered_in_order(corpus):
    files = _reports(corpus)
    assert len(files) >= 20
    for p in files:
        text = p.read_text("utf-8")
        secs = S.split(text)
        _check_cover(text, secs)
        for s in secs:
            if s.number:
                # the span starts on the printed heading itself
                assert re.match(rf"{s.number}[ \t\u3000]*、", text[s.start:s.start + 6]), (p.name, s)


def test_template_reports_have_six_sections_with_template_titles(corpus):
    files = [p for p in _reports(corpus) if _year(p) >= 2019]
    assert len(files) >= 10
    for p in files:
        text = p.read_text("utf-8")
        secs = S.split(text)
        numbered = [s for s in secs if s.number]
        assert [s.number for s in numbered] == ORDER, p.name
        assert [s.title for s in numbered] == [S.TEMPLATE_TITLES[n] for n in ORDER], p.name
        assert S.is_template(secs), p.name
        by = {s.number: text[s.start:s.end] for s in numbered}
        head = {n: re.sub(r"\s", "", by[n][:40]) for n in ORDER}
        assert head["一"].startswith("一、总体情况"), p.name
        assert head["二"].startswith("二、主动公开"), p.name
        assert head["三"].startswith("三、收到和处理"), p.name
        assert "复议" in head["四"][:20], p.name
        assert "问题" in head["五"][:25], p.name
        assert head["六"].startswith("六、其他需要报告"), p.name
        # the application table's own 一、…四、 rows stay inside section 三
        assert "本年新收" in by["三"] and "结转下年度" in by["三"], p.name
        assert "结转下年度" not in by["四"], p.name
        assert "本年新收" not in by["一"], p.name


def test_pre_2019_reports_use_their_own_numbered_headings(corpus):
    files = [p for p in _reports(corpus) if _year(p) < 2019]
    assert len(files) >= 10
    for p in files:
        text = p.read_text("utf-8")
        secs = S.split(text)
        numbered = [s for s in secs if s.number]
        assert len(numbered) >= 4, p.name
        assert [s.number for s in numbered] == [S._numeral(i) for i in range(1, len(numbered) + 1)], p.name
        assert numbered[0].title == "概述", p.name
        assert "主动公开" in numbered[1].title or "重点领域" in numbered[1].title, p.name
        assert not S.is_template(secs), p.name
        for s in numbered:
            assert 2 <= len(s.title) <= 40 and not re.search(r"[0-9，。]", s.title), (p.name, s.title)


def test_glued_heading_titles_are_cut_at_the_heading():
    text = ("报告。一、概述2017年，我区做了工作。二、主动公开政府信息情况（一）数量2017年全区主动公开政府信息2122条。"
            "三、政府信息依申请公开工作情况 2017年未收到申请。五、存在的主要问题和改进措施虽然我区取得成效。")
    secs = S.split(text)
    assert [S.label(s) for s in secs] == [
        "前言", "一、概述", "二、主动公开政府信息情况", "三、政府信息依申请公开工作情况"]
    # 五 without 四 is not taken: numbering must run in order
    text2 = text.replace("五、", "四、")
    assert S.label(S.split(text2)[-1]) == "四、存在的主要问题和改进措施"


def test_statistics_table_heading_keeps_whole_title():
    text = "一、概述 正文。二、主动公开政府信息情况 正文。三、平潭综合实验区政府信息公开情况统计表指标名称计量单位2014年度"
    assert S.split(text)[-1].title == "平潭综合实验区政府信息公开情况统计表"


def test_table_row_labels_on_one_line_are_not_headings():
    text = ("标题 一、总体情况 全年工作。二、主动公开政府信息情况 第二十条 三、收到和处理政府信息公开申请情况"
            "（本列数据）一、本年新收政府信息公开申请数量230000023二、上年结转政府信息公开申请数量0000000"
            "三、本年度办理结果（一）予以公开 四、结转下年度继续办理 0 0 0 四、政府信息公开行政复议、行政诉讼情况"
            " 0 0 0 五、存在的主要问题及改进情况 问题。六、其他需要报告的事项 无。")
    secs = S.split(text)
    assert [s.number for s in secs] == ["", "一", "二", "三", "四", "五", "六"]
    three = text[secs[3].start:secs[3].end]
    assert "四、结转下年度继续办理" in three and "一、本年新收" in three


def test_template_heading_with_spaces_and_typo():
    text = ("一、总体情况\n正文。\n二、主动公开政府信息情况\n表\n三 、收到和处理政府信息公开申请情况\n表\n"
            "四、结转下年度继续办理 0\n四、政府信息公开行政法复议、行政诉讼情况\n表\n"
            "五、政府信息公开工作存在的主要问题及改进情况\n问题。\n六、其他需要报告的事项\n无。\n")
    secs = S.split(text)
    assert [s.number for s in secs] == ORDER
    assert text[secs[3].start:].startswith("四、政府信息公开行政法复议")
    assert secs[4].title == "存在的主要问题及改进情况"


def test_unrecognised_fifth_heading_falls_back_to_printed_title():
    text = ("一、总体情况\n正文。\n二、主动公开政府信息情况\n表\n三、收到和处理政府信息公开申请情况\n表\n"
            "四、政府信息公开行政复议、行政诉讼情况\n表\n五、下一步工作打算\n打算。\n六、其他需要报告的事项\n无。\n")
    secs = S.split(text)
    assert [s.number for s in secs] == ORDER
    assert secs[4].title == "下一步工作打算"


def test_enumerations_are_not_headings():
    text = "第一、第二批次已完成。一、二级目录已更新。"
    assert S.split(text) == [Section("", "全文", 0, len(text))]


def test_preamble_and_heading_end():
    text = "某局2020年报告\n一、 概述 推进工作。\n二、主动公开政府信息情况（一）数量 正文。"
    secs = S.split(text)
    assert secs[0] == Section("", "前言", 0, text.index("一、"))
    assert S.heading_end(text, secs[0]) == 0
    assert text[S.heading_end(text, secs[1]):].startswith(" 推进工作")
    assert text[S.heading_end(text, secs[2]):].startswith("（一）")


def test_label():
    assert S.label(Section("五", "存在的主要问题及改进情况", 0, 1)) == "五、存在的主要问题及改进情况"
    assert S.label(Section("", "前言", 0, 1)) == "前言"


@pytest.mark.parametrize("n", range(1, 25))
def test_numerals_round_trip(n):
    assert S._numeral_value(S._numeral(n)) == n
