"""Agency and year on reports converted from other sources: a signature followed by a web page's chrome,
confidence from agreeing sources, OCR slips in a place's level word, a bare place as its government, and
the fullest name of the agency the text writes. Every text here is constructed for the test."""
from __future__ import annotations

import pytest

from ingest import metadata
from ingest.records import Document

BODY = ("一、总体情况\n本年度，我单位认真贯彻落实《条例》，主动公开政府信息126条，发布政策解读8篇。\n"
        "二、主动公开政府信息情况\n本年度制发规范性文件3件。\n"
        "三、收到和处理政府信息公开申请情况\n本年度新收政府信息公开申请12件，均已按期答复。\n"
        "四、政府信息公开行政复议、行政诉讼情况\n本年度未发生行政复议和行政诉讼。\n"
        "五、存在的主要问题及改进情况\n政策解读形式较为单一。下一步，我单位将丰富解读形式。\n"
        "六、其他需要报告的事项\n本年度未收取信息处理费。\n")


def _assess(text: str, path: str = "doc_0001.txt") -> metadata.Detection:
    return metadata.assess(Document(path=path, text=text), path)


def _sources(found: metadata.Detection, field: str, value=None) -> set[str]:
    return {c["source"] for c in found.candidates if c["field"] == field and (value is None or c["value"] == value)}


# --- 1. the signature, with a web page's chrome after it ------------------------------------------------

AGENCY = "桐庐县交通运输局"
PAGE_TOP = "首页 > 信息公开 > 法定主动公开内容 > 政府信息公开年报\n"
PREAMBLE = f"根据《条例》规定，本报告由{AGENCY}编制。本报告所列数据的统计期限为1月1日至12月31日。\n"
# The only year the body writes is next year's plan: the report itself says 本年度 throughout.
PLAN = "2024年，我局将进一步完善信息发布机制。\n"


@pytest.mark.parametrize("signature,after", [
    (f"{AGENCY}\n2024年1月22日", "\n【打印本页】【关闭窗口】"),
    (f"{AGENCY}2024年1月22日", "\n【打印本页】【关闭窗口】\n"),
    (f"{AGENCY}\n2024年1月22日", "\n\n分享到：\n\n扫一扫在手机打开当前页\n\n"),
    (f"{AGENCY}\n2024年1月22日。", "\n相关链接\n桐庐县人民政府门户网站\n桐庐县交通运输局2022年政府信息公开年报\n【关闭】"),
    (f"{AGENCY}\n2024年1月22曰", "\n<!-- page 4 -->\n| 行政许可 | 9263 |  |  |\n|---|---|---|---|"),  # OCR 曰 for 日
    (f"{AGENCY}\n二〇二四年一月二十二日", "\n【打印本页】"),
    (f"{AGENCY}\n2024年1月22日", ""),
])
def test_signature_before_page_chrome_dates_the_report(signature, after):
    found = _assess(PAGE_TOP + PREAMBLE + BODY + PLAN + signature + after)
    assert found.as_tuple() == (AGENCY, 2023)
    assert "signature" in _sources(found, "agency", AGENCY)
    assert _sources(found, "year", 2023) == {"signature date"}
    # the signature's date is no body year: the body writes 2024 once, which says too little to outvote it
    assert not any(c["source"] == "body" and c["value"] == 2024 and c["weight"] >= 1 for c in found.candidates)
    assert found.agency_confidence == "high" and found.year_confidence == "low"


@pytest.mark.parametrize("date,year", [("2023年9月30日", 2022), ("2023年10月8日", 2023), ("2023年12月28日", 2023)])
def test_signed_january_to_september_covers_the_year_before(date, year):
    found = _assess(PREAMBLE + BODY + f"{AGENCY}\n{date}\n分享到：")
    assert found.as_tuple() == (AGENCY, year)


@pytest.mark.parametrize("ending", [
    "相关链接\n2024年1月22日\n【打印本页】",               # a date among the chrome, no agency before it
    "本报告于2024年1月22日\n【关闭窗口】",                  # the end of a sentence, not a signature
    f"{AGENCY}\n2024年1月22日\n本报告经局务会审议通过后发布，如有疑问请来电咨询。",  # a sentence after it
])
def test_a_date_that_is_no_signature_is_not_taken_for_one(ending):
    found = _assess(PREAMBLE + BODY + ending)
    assert "signature" not in _sources(found, "agency") and "signature date" not in _sources(found, "year")


# --- 2. confidence: two independent sources that agree ----------------------------------------------

PLACE_GOV = "安吉县人民政府"
OTHER = "德清县人民政府"
YEAR_LINE = "本报告所列数据统计期限自2022年1月1日至2022年12月31日。\n"
REPEAT = f"（一）主动公开。依托{PLACE_GOV}门户网站公开信息。{PLACE_GOV}全年召开常务会议24次。\n"


@pytest.mark.parametrize("text,confidence", [
    # preamble and signature agree
    (f"本报告由{PLACE_GOV}编制。\n" + YEAR_LINE + BODY + f"{PLACE_GOV}\n2023年1月15日", {"high", "medium"}),
    # preamble and the body's repeated full name
    (f"本报告由{PLACE_GOV}编制。\n" + YEAR_LINE + REPEAT + BODY, {"medium"}),
    # signature and the body's repeated full name
    (YEAR_LINE + REPEAT + BODY + f"{PLACE_GOV}\n2023年1月15日", {"medium"}),
    # the office that compiled and signed it stands for its government, and is no rival
    (f"本报告由{PLACE_GOV}办公室编制。\n" + YEAR_LINE + REPEAT + BODY + f"{PLACE_GOV}办公室\n2023年1月15日",
     {"medium", "high"}),
])
def test_two_agreeing_sources_are_at_least_medium(text, confidence):
    found = _assess(text)
    assert found.as_tuple() == (PLACE_GOV, 2022)
    assert found.agency_confidence in confidence


@pytest.mark.parametrize("text", [
    YEAR_LINE + BODY + f"{PLACE_GOV}\n2023年1月15日",                                    # a signature alone
    f"本报告由{PLACE_GOV}编制。\n" + YEAR_LINE + BODY,                                  # a preamble alone
])
def test_a_single_weak_source_is_low(text):
    found = _assess(text)
    assert found.as_tuple() == (PLACE_GOV, 2022)
    assert found.agency_confidence == "low"


@pytest.mark.parametrize("text", [
    # preamble and signature name two agencies
    f"本报告由{PLACE_GOV}编制。\n" + YEAR_LINE + BODY + f"{OTHER}\n2023年1月15日",
    # preamble and body agree, the signature names another agency
    f"本报告由{PLACE_GOV}编制。\n" + YEAR_LINE + REPEAT + BODY + f"{OTHER}\n2023年1月15日",
    # signature and body agree, the preamble names another agency
    f"本报告由{OTHER}编制。\n" + YEAR_LINE + REPEAT + BODY + f"{PLACE_GOV}\n2023年1月15日",
])
def test_disagreement_keeps_confidence_low(text):
    found = _assess(text)
    assert found.agency_confidence == "low"
    assert found.year == 2022


# --- 3. an OCR slip in a place's level word ----------------------------------------------------------

BUREAU = "恩施土家族苗族自治州卫生健康委员会"


@pytest.mark.parametrize("title_agency", ["恩施土家族苗族自治洲卫生健康委员会", "恩施土家族苗族自冶州卫生健康委员会",
                                          "恩施土家族苗族白治州卫生健康委员会"])
def test_level_word_misread_in_title_written_right_once_in_body(title_agency):
    text = (f"{title_agency}2022年政府信息公开工作年度报告\n" + YEAR_LINE + BODY
            + f"{BUREAU}\n2023年1月20日")
    found = _assess(text)
    assert found.as_tuple() == (BUREAU, 2022)
    assert found.agency_confidence == "high"  # title and signature agree once the slip is set right
    assert any(c.get("as_written") == title_agency for c in found.candidates)


@pytest.mark.parametrize("title_agency,expected", [
    ("恩施土家族苗族自治洲卫生健康委员会", BUREAU),
    ("长阳土家族自冶县人民政府", "长阳土家族自治县人民政府"),
    ("鄂伦春自治白旗人民政府", "鄂伦春自治白旗人民政府"),  # not one character from a level word: as written
    ("香港特别行政医卫生署", "香港特别行政区卫生署"),
])
def test_level_word_misread_with_no_body_evidence(title_agency, expected):
    found = _assess(f"{title_agency}2022年政府信息公开工作年度报告\n" + YEAR_LINE + BODY)
    assert found.as_tuple() == (expected, 2022)
    if expected != title_agency:
        assert found.agency_confidence in ("medium", "low")  # set right by rule, never confirmed by the text


@pytest.mark.parametrize("name", ["株洲市交通运输局", "亚洲开发银行", "居民自治委员会", "广西壮族自治区人民政府",
                                  "某某族自治县人民政府", "自治办公室", "满洲里市人民政府"])
def test_real_names_keep_their_characters(name):
    assert metadata.fix_level_words(name) == name


def test_zhou_outside_a_level_word_is_kept():
    found = _assess("株洲市交通运输局2022年政府信息公开工作年度报告\n" + YEAR_LINE + BODY
                    + "株洲市交通运输局\n2023年1月20日")
    assert found.as_tuple() == ("株洲市交通运输局", 2022) and found.agency_confidence == "high"


# --- 4. a bare place is its government ----------------------------------------------------------------

@pytest.mark.parametrize("title,expected", [
    ("丽水市2018年政府信息公开年报", "丽水市人民政府"),
    ("建德市2018年政府信息公开工作年度报告", "建德市人民政府"),
    ("2018年度临安区信息公开工作年度报告", "临安区人民政府"),
    ("延边朝鲜族自治州2018年政府信息公开工作年度报告", "延边朝鲜族自治州人民政府"),
    ("锡林郭勒盟2018年政府信息公开工作年度报告", "锡林郭勒盟行政公署"),
    # a zone has no 人民政府: its name stays as written
    ("某某综合实验区2018年政府信息公开工作年度报告", "某某综合实验区"),
    ("某某经济技术开发区2018年政府信息公开工作年度报告", "某某经济技术开发区"),
    ("某某新区2018年政府信息公开工作年度报告", "某某新区"),
])
def test_a_bare_place_is_stored_as_its_government(title, expected):
    found = _assess(title + "\n本报告所列数据统计期限自2018年1月1日至2018年12月31日。\n" + BODY)
    assert found.as_tuple() == (expected, 2018)
    assert found.agency_confidence == "medium"


def test_a_fuller_name_of_the_place_in_the_text_wins():
    text = ("临安区2018年政府信息公开工作年度报告\n本报告由杭州市临安区人民政府办公室编制。\n"
            "本报告所列数据统计期限自2018年1月1日至2018年12月31日。\n" + BODY)
    found = _assess(text)
    assert found.as_tuple() == ("杭州市临安区人民政府", 2018)
    assert found.agency_confidence == "high"
    # the place's government in the body pools with the bare place, not against it
    text = ("丽水市2018年政府信息公开年报\n本报告所列数据统计期限自2018年1月1日至2018年12月31日。\n"
            "一、概述\n丽水市人民政府高度重视信息公开。丽水市人民政府常务会议研究部署2次。\n" + BODY
            + "丽水市人民政府\n2019年1月25日")
    found = _assess(text)
    assert found.as_tuple() == ("丽水市人民政府", 2018) and found.agency_confidence == "high"


def test_the_file_names_canonical_bare_place_is_kept():
    found = _assess("丽水市2018年政府信息公开年报\n" + BODY, path="丽水市_2018.txt")
    assert found.as_tuple() == ("丽水市", 2018)


# --- 5. the fullest name of the agency the text writes --------------------------------------------------

STREET = "临安区锦城街道办事处"
FULL_STREET = "杭州市临安区锦城街道办事处"
OPENING = "正文\n根据《条例》要求，现将本机关2021年度政府信息公开工作情况报告如下。\n"


@pytest.mark.parametrize("mention,expected", [
    (f"（一）主动公开。依托{FULL_STREET}门户网站公开信息。\n", FULL_STREET),
    (f"（一）主动公开。{FULL_STREET}全年公开信息。{STREET}另编印资料。\n", FULL_STREET),
    # a province before the city is no part of the name as agencies are stored
    (f"（一）主动公开。浙江省{FULL_STREET}全年公开信息。\n", FULL_STREET),
    # the text never writes the upper places: the signature's name as written
    ("（一）主动公开。我街道全年公开信息。\n", STREET),
])
def test_signature_naming_the_lower_part_takes_the_upper_places_the_text_writes(mention, expected):
    found = _assess(OPENING + mention + BODY + f"{STREET}\n2022年1月20日")
    assert found.as_tuple() == (expected, 2021)


def test_title_without_its_city_takes_the_city_the_body_writes():
    text = ("余杭区人民政府2021年政府信息公开工作年度报告\n" + BODY
            + "（二）平台建设。杭州市余杭区人民政府门户网站改版上线。\n余杭区人民政府\n2022年1月18日")
    found = _assess(text)
    assert found.as_tuple() == ("杭州市余杭区人民政府", 2021)
    assert found.agency_confidence == "high"
