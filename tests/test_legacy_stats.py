"""The statistics table of pre-2019 reports: real reports, and generated tables in every layout
converters produce (spaced cells, cells glued together, numbered rows run into the figures)."""
from __future__ import annotations

import random

import pytest

from ingest.legacy_stats import extract
from ingest.records import Document

from .conftest import CORPUS


def _doc(text: str) -> Document:
    return Document(path="x.txt", text=text, line_starts=[0] + [i + 1 for i, c in enumerate(text) if c == "\n"],
                    page_starts=[])


def _read(name: str) -> dict[str, float]:
    text = (CORPUS / "reports" / name).read_text("utf-8")
    return {f.row: f.value for f in extract(_doc(text))}


@pytest.mark.parametrize("name,spaced", [("平潭综合实验区_2014.txt", True), ("平潭综合实验区_2018.txt", False)])
def test_the_rows_of_a_real_statistics_table_are_read(name, spaced):
    got = _read(name)
    assert got["受理依申请公开信息总数"] == (1 if spaced else 0)
    assert got["行政复议数"] == 0 and got["行政诉讼数"] == 0
    if spaced:
        assert got["主动公开文件数"] == 2543 and got["政府网站公开数"] == 2543


def test_a_glued_pair_with_more_than_one_reading_is_left_out():
    # 主动公开文件数条206912106: 2069|12106, 206|912106 and 20|6912106 all fit.
    assert "主动公开文件数" not in _read("平潭综合实验区_2018.txt")


ROWS = ["主动公开信息数", "网站公开数", "受理依申请公开信息总数", "当面申请数", "网上申请数", "对申请的答复总数",
        "同意公开答复数", "不予公开答复数", "行政复议数", "行政诉讼数"]


def _table(rng: random.Random, glued: bool) -> tuple[str, dict[str, int]]:
    values, parts = {}, ["政府信息公开情况统计表", "指标名称", "计量单位", "2016年度", "历年累计"]
    for i, row in enumerate(ROWS):
        year = rng.choice([0, 0, 0, rng.randint(1, 9), rng.randint(10, 5000)])
        total = year + rng.choice([0, rng.randint(1, 99), rng.randint(100, 90000)])
        values[row] = year
        label = (f"其中：{i % 3 + 1}、" if i % 3 else "") + row
        unit = "件" if "复议" in row or "诉讼" in row else "条"
        parts += [label, unit, str(year), str(total)]
    sep = "" if glued else " "
    return sep.join(parts), values


@pytest.mark.parametrize("glued", [False, True])
def test_generated_tables_read_back_exactly_or_not_at_all(glued):
    rng = random.Random(11)
    exact = left = 0
    for _ in range(200):
        text, values = _table(rng, glued)
        got = {f.row: f.value for f in extract(_doc(text))}
        for row, want in values.items():
            if row in got:
                assert got[row] == want, (row, text)
                exact += 1
            else:
                left += 1
    assert exact > (0.5 if glued else 0.99) * (exact + left)


# --- Decimals, units, notes and numbering (constructed tables) -------------------------------------------------

def _rows(text: str) -> dict[str, list[tuple[float, str]]]:
    out: dict[str, list[tuple[float, str]]] = {}
    for f in extract(_doc(text)):
        out.setdefault(f.row, []).append((f.value, f.unit))
    return out


ONE_COLUMN = """附表
某县2016年度政府信息公开情况统计表
统计指标 单位 统计数
一、主动公开情况
（一）主动公开政府信息数（同一信息在多个渠道公开的计1条） 条 9021
其中：主动公开规范性文件数 条 12
二、机构和经费
（一）从事政府信息公开工作人员数 人 57
1.专职人员数（不含网站管理人员3名） 人 9
2.兼职人员数 人 48
（二）政府信息公开专项经费（不包括网站建设费用） 万元 12.35
（三）依申请公开收取的费用 万元 0.8
（四）政策解读稿件数 篇 31
（五）接受培训人员数 人次 1.5
"""


def test_decimals_people_and_bracketed_notes_are_read_in_a_one_column_table():
    got = _rows(ONE_COLUMN)
    assert got["主动公开政府信息数"] == [(9021, "条")]          # the note's 1 is not the row's figure
    assert got["主动公开规范性文件数"] == [(12, "条")]
    assert got["从事政府信息公开工作人员数"] == [(57, "人")]
    assert got["专职人员数"] == [(9, "人")] and got["兼职人员数"] == [(48, "人")]
    assert got["政府信息公开专项经费"] == [(12.35, "万元")]
    assert got["依申请公开收取的费用"] == [(0.8, "万元")]
    assert got["政策解读稿件数"] == [(31, "篇")]
    assert got["接受培训人员数"] == [(1.5, "人次")]
    # Every row is named without its numbering and notes; nothing else is read as a row.
    assert set(got) == {"主动公开政府信息数", "主动公开规范性文件数", "从事政府信息公开工作人员数", "专职人员数", "兼职人员数",
                        "政府信息公开专项经费", "依申请公开收取的费用", "政策解读稿件数", "接受培训人员数"}


def test_the_source_text_keeps_the_note():
    f = next(f for f in extract(_doc(ONE_COLUMN)) if f.row == "主动公开政府信息数")
    assert "（同一信息在多个渠道公开的计1条）" in f.source_text and f.source_text.endswith("条 9021")


@pytest.mark.parametrize("layout", ["lines", "one line", "glued"])
def test_a_decimal_is_a_number_wherever_it_stands(layout):
    # A decimal before a numbered row, before an unnumbered one, first and last; 0.8, 1.5, 12.35, 38.5.
    rows = [("专项经费", "万元", "38.5"), ("1.兼职人员数", "人", "1.5"), ("2.经费支出", "万元", "12.35"),
            ("3.收费金额", "万元", "0.8"), ("培训费用", "万元", "0.8"), ("其中：1.会议费用", "万元", "12.35"),
            ("2.资料费用", "万元", "1.5")]
    head = ["政府信息公开情况统计表", "指标名称", "计量单位", "本年度"]
    sep, row_sep = {"lines": (" ", "\n"), "one line": (" ", " "), "glued": ("", "")}[layout]
    text = sep.join(head) + row_sep + row_sep.join(sep.join(r) for r in rows)
    got = {k: v[0][0] for k, v in _rows(text).items()}
    want = {"专项经费": 38.5, "兼职人员数": 1.5, "经费支出": 12.35, "收费金额": 0.8, "培训费用": 0.8, "会议费用": 12.35,
            "资料费用": 1.5}
    assert got == want


@pytest.mark.parametrize("text,row,want", [
    ("统计表 指标名称 计量单位 2016年度 历年累计 专项经费 万元 0.8 12.35 2.工作人员数 人 3 40", "专项经费", 0.8),
    ("统计表 指标名称 计量单位 2016年度 历年累计 专项经费 万元 12.35 100.5", "专项经费", 12.35),
    ("统计表指标名称计量单位2016年度历年累计专项经费万元0.81.5工作人员数人340", "专项经费", 0.8),  # 0.8|1.5: one split
    ("统计表 指标 单位 数量 网站公开数 条 1,234 其他公开数 条 5", "网站公开数", 1234),
])
def test_decimals_and_grouped_numbers_in_two_columns_and_glued(text, row, want):
    assert [v for v, _ in _rows(text)[row]] == [want]


@pytest.mark.parametrize("text,row", [
    ("统计表指标名称计量单位2016年度历年累计专项经费万元12.35100.5工作人员数人340", "专项经费"),  # 12.3|5100.5, 12.35|100.5
    ("统计表 指标 单位 数量 专项经费 万元 38.\n其他数 条 5", "专项经费"),               # 38. : a decimal cut off
    ("统计表 指标 单位 数量 专项经费 万元 38.\n九、其他数 条 5", "专项经费"),
])
def test_a_figure_that_cannot_be_read_with_certainty_is_left_out(text, row):
    assert row not in _rows(text)


def test_glued_numbering_is_taken_from_the_list_not_from_the_last_digit():
    # 件3861.: a new list starts at 1, so 386 (not 38).
    text = ("统计表指标单位数量收到申请数件3861.当面申请数件522.传真申请数件03.网络申请数件29712."
            "信函申请数件37")
    got = {k: v[0][0] for k, v in _rows(text).items()}
    assert got["收到申请数"] == 386 and got["当面申请数"] == 52 and got["传真申请数"] == 0
    assert "网络申请数" not in got   # 29712.: after row 3 comes 4. or 1., neither fits, so nothing is guessed
    # 件1310.: 13 and 10. (0. is no numbering); 件011.: 0 and 11.; 件5512.: after row 11 comes 12., so 55 (not 551).
    rows = "".join(f"{i}.第{'一二三四五六七八'[i - 1]}项数件{v}" for i, v in enumerate([5, 7, 2, 9, 4, 1, 8, 6], 1))
    text = "统计表指标单位数量" + rows + "9.第九项数件1310.第十项数件011.第十一项数件5512.第十二项数件3"
    got = {k: v[0][0] for k, v in _rows(text).items()}
    assert got["第八项数"] == 6 and got["第九项数"] == 13 and got["第十项数"] == 0
    assert got["第十一项数"] == 55 and got["第十二项数"] == 3


def test_a_two_digit_numbering_that_could_also_restart_a_list_is_not_guessed():
    # Row 10's 件511.: 51 with row 1 of a new list, or 5 with row 11: both fit, so neither is stored.
    rows = "".join(f"{i}.第{'一二三四五六七八九十'[i - 1]}项数件{i}" for i in range(1, 11))
    text = "统计表指标单位数量" + rows.replace("件10", "件5") + "11.另一项数件3"
    assert "第十项数" not in _rows(text)


def test_the_header_is_not_a_row():
    # 计量单位2016年度: 位 is a counting unit and 2016 follows it.
    text = "政府信息公开情况统计表指标名称计量单位2016年度主动公开信息数条4251"
    got = _rows(text)
    assert got == {"主动公开信息数": [(4251, "条")]}
    # A header without a year runs into the first row; 单位 in a row's own words is no header.
    assert _rows("统计表指标名称计量单位本年度专项经费万元38.5") == {"专项经费": [(38.5, "万元")]}
    assert _rows("统计表 指标 单位 数量\n公开工作单位数 个 5") == {"公开工作单位数": [(5, "个")]}


def test_a_heading_run_into_a_row_does_not_name_it():
    text = "统计表 指标 单位 数量 八、机构建设和保障经费情况（一）政府信息公开工作专门机构数 个 1 四、行政复议数量 件 7"
    got = _rows(text)
    assert got == {"政府信息公开工作专门机构数": [(1, "个")], "行政复议数量": [(7, "件")]}


def test_every_counting_unit_of_the_answering_side_is_read():
    from assistant.synonyms import COUNTING_UNITS
    from ingest.legacy_stats import UNITS
    assert set(COUNTING_UNITS) <= set(UNITS)
    for unit in COUNTING_UNITS:
        assert _rows(f"统计表 指标 单位 数量 某某事项数 {unit} 7")["某某事项数"] == [(7, unit)]


NAMES = ["主动公开信息数", "网站公开数", "政府公报公开数", "受理申请总数", "当面申请数", "网上申请数", "信函申请数",
         "答复总数", "同意公开答复数", "不予公开答复数", "专项经费", "工作人员数", "专职人员数", "兼职人员数",
         "培训人次数", "行政复议数", "行政诉讼数", "举报投诉数", "查阅点数", "政策解读稿件数"]
UNIT_OF = {"专项经费": "万元", "工作人员数": "人", "专职人员数": "人", "兼职人员数": "人", "培训人次数": "人次",
           "查阅点数": "个", "政策解读稿件数": "篇"}
NOTES = ["", "", "（不同渠道和方式公开相同信息计1条）", "（不包括网站建设维护等方面的经费）", "（含3个派出机构）"]


def _figure(rng: random.Random, unit: str) -> str:
    if unit == "万元" or rng.random() < 0.2:
        return rng.choice(["0", "0.8", "1.5", "12.35", "38.5", f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"])
    return str(rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 50000)]))


def _total(rng: random.Random, year: str) -> str:
    extra = rng.choice([0, 1, 37, 1200])
    return f"{float(year) + extra:.2f}".rstrip("0").rstrip(".") if "." in year else str(int(year) + extra)


def _numbered_table(rng: random.Random, layout: str, columns: int) -> tuple[str, dict[str, float]]:
    names = rng.sample(NAMES, len(NAMES))
    head = ["政府信息公开情况统计表", "指标名称", "计量单位", "2016年度"] + (["历年累计"] if columns == 2 else [])
    rows, values, i, group = [], {}, 0, 0
    while i < len(names):
        group += 1
        for k in range(rng.choice([0, 0, 2, 3, 5, 11]) + 1):
            if i == len(names):
                break
            name = names[i]
            i += 1
            unit = UNIT_OF.get(name, rng.choice(["条", "件"]))
            year = _figure(rng, unit)
            cells = [year] + ([_total(rng, year)] if columns == 2 else [])
            if k == 0:
                label = rng.choice(["", f"（{'一二三四五六七八九十'[group % 10]}）", f"{'一二三四五六七八九十'[group % 10]}、"]) \
                    + name + rng.choice(NOTES)
            else:
                label = ("其中：" if k == 1 and rng.random() < 0.5 else "") + f"{k}{rng.choice('.、．')}" + name
            rows.append((label, unit, cells))
            values[name] = float(year)
    if layout == "glued":
        return "".join(head) + "".join(f"{a}{u}{''.join(c)}" for a, u, c in rows), values
    row_sep = "\n" if layout == "lines" else " "
    return " ".join(head) + row_sep + row_sep.join(f"{a} {u} {' '.join(c)}" for a, u, c in rows), values


@pytest.mark.parametrize("layout", ["lines", "one line", "glued"])
@pytest.mark.parametrize("columns", [1, 2])
def test_numbered_tables_with_decimals_and_notes_read_back_exactly_or_not_at_all(layout, columns):
    rng = random.Random(7 * columns + len(layout))
    exact = left = 0
    for _ in range(150):
        text, values = _numbered_table(rng, layout, columns)
        got = _rows(text)
        assert set(got) <= set(values), (set(got) - set(values), text)   # no row that is not in the table
        for row, want in values.items():
            if row in got:
                assert got[row] == [(want, got[row][0][1])], (row, text)
                exact += 1
            else:
                left += 1
    share = {"glued": 0.4 if columns == 2 else 0.9}.get(layout, 1.0)
    assert exact >= share * (exact + left)
