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
