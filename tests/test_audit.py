"""Findings for reviewers on real reports: each kind raised by an edit of a real report's copy, the
unedited original raising none of it, cross-year continuity over consecutive 平潭 years through the real
pipeline, and the whole corpus raising exactly the findings checked by hand."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from assistant.cli import main as assistant_main
from ingest.factstore import FactStore
from ingest.pipeline import delete_report, ingest_paths, parse

from .conftest import CORPUS

REPORTS = CORPUS / "reports"
PT2021, PT2022 = REPORTS / "平潭综合实验区_2021.txt", REPORTS / "平潭综合实验区_2022.txt"


def _edited(tmp_path: Path, src: Path, old: str, new: str) -> Path:
    text = src.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {src.name}"
    tmp_path.mkdir(parents=True, exist_ok=True)
    copy = tmp_path / src.name
    copy.write_text(text.replace(old, new), "utf-8")
    return copy


def _found(path: Path, config, kind: str | None = None):
    rep = parse(path, config)
    return [f for f in rep.findings if kind is None or f.kind == kind]


def test_prose_that_disagrees_with_its_table_is_found(tmp_path, config):
    assert _found(PT2021, config, "prose-table") == []
    edited = _edited(tmp_path, PT2021, "本年度全区共收到70件申请", "本年度全区共收到73件申请")
    [f] = _found(edited, config, "prose-table")
    assert f.check == "prose_received" and f.severity == "warning"
    assert "73" in f.message and "70" in f.message
    assert f.cells[0]["row_key"] == "new" and f.cells[0]["value"] == 70
    [sentence] = f.sentences
    assert "收到73件申请" in sentence["text"] and sentence["line"] == 2
    assert edited.read_text("utf-8")[sentence["char_start"]:sentence["char_end"]].strip() == sentence["text"]


@pytest.mark.parametrize("said, wrong", [(2293, False), (2239, True)])
def test_prose_licence_decisions_are_held_to_the_table(tmp_path, config, said, wrong):
    edited = _edited(tmp_path, PT2021, "本年度全区共收到70件申请，", f"本年度全区共收到70件申请，全年共作出行政许可决定{said}件，")
    found = [f for f in _found(edited, config, "prose-table") if f.check == "prose_license"]
    assert len(found) == wrong
    if wrong:
        assert "2239" in found[0].message and "2293" in found[0].message
        assert found[0].cells[0]["row_key"] == "license"


def test_prose_that_says_none_beside_a_table_that_counts_some_is_an_error(tmp_path, config):
    src = REPORTS / "沭阳县发展和改革局_2023.txt"
    assert _found(src, config, "prose-table") == []
    edited = _edited(tmp_path, src, "2023年度我局共收到依申请信息公开26件", "2023年度我局未收到政府信息公开申请")
    [f] = _found(edited, config, "prose-table")
    assert (f.check, f.severity) == ("prose_says_none", "error") and "26" in f.message


def test_a_wrong_percentage_is_found_and_the_right_ones_are_not(tmp_path, config):
    src = REPORTS / "平潭综合实验区地方税务局_2013.txt"
    assert _found(src, config, "percentage") == []
    edited = _edited(tmp_path, src, "占65.31%", "占56.31%")
    [f] = _found(edited, config, "percentage")
    assert f.check == "share_mismatch" and "56.31" in f.message and "3200 / 4900 = 65.31%" in f.message


PT2022_RECEIVED = "2022年，全区收到政府信息公开申请75件，"


@pytest.mark.parametrize("added, check, message, sentence", [
    ("比上年的70件增长7.14%，", "change_mismatch", None, None),
    ("比上年的70件增长9%，", "change_mismatch", "（75 − 70）/ 70 = +7.14%", "比上年的70件增长9%"),
    ("答复率占100%，比上年的97%上升3个百分点，", "points_mismatch", None, None),
    ("答复率占100%，比上年的97%上升4个百分点，", "points_mismatch", "100% − 97% = +3.00 个百分点", "比上年的97%上升4个百分点"),
])
def test_a_change_printed_beside_both_figures_is_recomputed(tmp_path, config, added, check, message, sentence):
    # A rate of change from both counts, a change in points from both shares; the right ones raise nothing.
    edited = _edited(tmp_path, PT2022, PT2022_RECEIVED, PT2022_RECEIVED + added)
    found = [f for f in _found(edited, config, "percentage") if f.check == check]
    assert len(found) == (message is not None)
    if message is not None:
        assert message in found[0].message and sentence in found[0].sentences[0]["text"]


def test_a_rate_of_change_against_last_year_is_checked_on_last_year_report(tmp_path, config):
    # 2021 received 70: 75 is 7.1% up on it, not 9%.
    right = _edited(tmp_path / "right", PT2022, PT2022_RECEIVED, PT2022_RECEIVED + "同比增长7.1%，")
    assert [r.status for r in ingest_paths(config, [PT2021, right])] == ["ok", "ok"]
    assert _across(config) == []
    wrong = _edited(tmp_path / "wrong", PT2022, PT2022_RECEIVED, PT2022_RECEIVED + "同比增长9%，")
    assert [r.status for r in ingest_paths(config, [wrong])] == ["ok"]
    [f] = _across(config)
    assert (f["report"], f["check"], f["other_report"]) == (PT2022.name, "change_rate_mismatch", PT2021.name)
    assert "增长9%" in f["message"] and "70" in f["message"] and "+7.14%" in f["message"]
    assert "同比增长9%" in f["sentences"][0]["text"]


def test_a_report_without_its_application_table_is_flagged(tmp_path, config):
    text = PT2022.read_text("utf-8")
    start, end = text.index("三、收到和处理政府信息公开申请情况"), text.index("四、政府信息公开行政法复议")
    copy = tmp_path / PT2022.name
    copy.write_text(text[:start] + text[end:], "utf-8")
    assert not [f for f in _found(PT2022, config, "shape")]
    checks = {f.check for f in _found(copy, config, "shape")}
    assert "table_missing" in checks and "section_missing" in checks


def _across(cfg):
    store = FactStore.for_config(cfg, readonly=True)
    try:
        return store.findings(kind="across-years")
    finally:
        store.close()


def test_what_one_year_carries_over_the_next_must_take_over(tmp_path, config):
    # The real consecutive years agree: 2021 carried 1 application into 2022.
    assert [r.status for r in ingest_paths(config, [PT2021, PT2022])] == ["ok", "ok"]
    assert _across(config) == []
    # A copy of 2022 that says it took over 2 finds 2021's 1 (and is found again when 2021 is re-read).
    edited = _edited(tmp_path, PT2022, "二、上年结转政府信息公开申请数量 1000001", "二、上年结转政府信息公开申请数量 2000002")
    assert [r.status for r in ingest_paths(config, [edited])] == ["ok"]
    found = _across(config)
    assert {(f["report"], f["check"]) for f in found} == {(PT2022.name, "carried_over_mismatch")}
    total = next(f for f in found if "总计" in f["message"])
    assert total["other_report"] == PT2021.name
    assert {(c["report"], c["row_key"], c["value"]) for c in total["cells"]} == \
        {(PT2022.name, "carried_in", 2), (PT2021.name, "carried_out", 1)}
    # When the neighbouring year leaves, so does the finding that needed it.
    assert delete_report(config, PT2021.name)
    assert _across(config) == []


# Every finding the corpus raises, each read against the report by hand (see the note on issue 9):
# (file, check) -> what makes it real.
HAND_CHECKED = {
    ("上海市人民政府办公厅_2019.txt", "prose_open_partial"): "prose 258 is the 自然人 column; 予以公开 272 + 部分公开 3",
    ("上海市人民政府办公厅_2019.txt", "prose_unable"): "prose 265 is 不掌握 alone; 无法提供 rows sum to 337",
    ("上海市人民政府办公厅_2019.txt", "share_mismatch"): "258/805 = 32.05%, printed 33.9%; its siblings fit 805",
    ("平潭综合实验区_2012.txt", "share_mismatch"): "145/1913 = 7.58%, printed 8.05%; 8 siblings fit 1913",
    ("平潭综合实验区_2013.txt", "statement_contradicted"): "prose 收到1份…行政复议申请; its 统计表 行政复议数 0",
    ("平潭综合实验区_2022.txt", "prose_received_includes_carried"): "prose 75 = new 74 + carried 1",
    ("淮安市洪泽区人民政府_2023.pdf", "review_row_sum"): "printed 10 | 1 | 0 | 0 | 0: total 0 beside 11",
    ("淮安市洪泽区人民政府_2024.pdf", "prose_received"): "prose 17 (区政府办代表区政府), table 95",
    ("平潭综合实验区_2021.txt", "word_doubled"): "二是规范审核审核发布机制",
}


def test_the_whole_corpus_raises_only_the_findings_checked_by_hand(corpus_config):
    store = FactStore.for_config(corpus_config, readonly=True)
    try:
        found = {(f["report"], f["check"]) for f in store.findings()}
    finally:
        store.close()
    assert found == set(HAND_CHECKED)


def test_the_audit_command_lists_findings_as_table_json_and_csv(corpus_config, capsys):
    data = ["--data-dir", str(corpus_config.data_path)]
    assert assistant_main(["audit", "--agency", "上海", "--format", "json", *data]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["agency"] for r in rows} == {"上海市人民政府办公厅"}
    assert set(rows[0]) >= {"report", "agency", "year", "kind", "severity", "cells", "sentences", "message"}
    assert assistant_main(["audit", "--severity", "error", "--format", "csv", *data]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert table and all(r["severity"] == "error" for r in table)
    assert assistant_main(["audit", "--year", "2012", *data]) == 0
    out = capsys.readouterr().out
    assert "145条，占8.05%" in out and "第2行" in out


@pytest.fixture
def config(tmp_path):
    from ingest.settings import load
    return load(data_dir=str(tmp_path / "data"))
