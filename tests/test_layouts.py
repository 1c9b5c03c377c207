"""Layout mutation: each template-era corpus report re-rendered in the layouts readers meet must give
back the cells read from the original (scripts/harness_layouts.py prints the whole table)."""
from __future__ import annotations

import pytest

from ingest.template import FORMATS
from tests.layouts import (TEXT_LAYOUTS, blocks, chromium, compare, corpus_reports, markdown, move_item_tables,
                           read_cells, report_from_file, run_corpus)

from .conftest import CORPUS, ROOT

# Measured after the fixes (cells equal / cells in original over the corpus). One-line pages glue the
# figures of a row together; rows whose glued digits the template's sums cannot split are flagged, not read.
# Blank zeros: a report whose own sums fail (洪泽 2023's review row) has its blank total derived, not read.
FLOORS = {"one-line": 0.97, "markdown:blank-zeros": 0.99, "html:blank-zeros": 0.99}


@pytest.fixture(scope="module")
def text_scores(tmp_path_factory):
    return run_corpus(CORPUS, list(TEXT_LAYOUTS), tmp_path_factory.mktemp("layouts"))


def test_corpus_has_template_reports_in_every_reader():
    found = corpus_reports(CORPUS)
    assert {p.suffix for p in found} == {".txt", ".html", ".pdf"}
    assert len(found) >= 10


@pytest.mark.parametrize("layout", list(TEXT_LAYOUTS))
def test_layout_gives_back_the_original_cells(text_scores, layout):
    s = text_scores[layout]
    assert s.expected > 1500
    assert s.wrong == 0, [m for m in s.misses if "expected" in m]
    assert s.equal / s.expected >= FLOORS.get(layout, 1.0), s.misses[:20]


@pytest.mark.e2e
def test_pdf_printed_by_chromium_gives_back_the_original_cells(tmp_path):
    if not chromium():
        pytest.skip("chromium not installed (make browser)")
    s = run_corpus(CORPUS, ["pdf"], tmp_path)["pdf"]
    assert s.wrong == 0, s.misses
    assert s.equal == s.expected, s.misses[:20]


def _item_cells(cells):
    return {k: v for k, v in cells.items() if k[0].startswith("item")}


def test_moved_table_fixture_reads_all_ten_cells():
    # A PDF→markdown copy: the 第二十条 headings left empty, their rows in one table under 表二.
    cells, units, _ = read_cells(ROOT / "tests" / "data" / "moved_table2.md", 2023)
    assert _item_cells(cells) == {
        ("item1", "rules", "made"): 2, ("item1", "rules", "repealed"): 1, ("item1", "rules", "in_force"): 17,
        ("item1", "normative", "made"): 14, ("item1", "normative", "repealed"): 6,
        ("item1", "normative", "in_force"): 203, ("item5", "license", "decisions"): 1375,
        ("item6", "penalty", "decisions"): 48, ("item6", "coercion", "decisions"): 9,
        ("item8", "fee", "fee_amount"): 36.5}
    assert units[("item8", "fee", "fee_amount")] == "万元"


@pytest.mark.parametrize("to_end", [False, True])
def test_real_report_with_moved_tables_reads_every_item_cell(tmp_path, to_end):
    path = CORPUS / "reports" / "平潭综合实验区_2022.txt"
    rep = report_from_file(path)
    expected = _item_cells(rep.cells)
    n = sum(len(t.rows) * len(t.columns) for t in FORMATS["2021"].tables if t.key.startswith("item"))
    assert len(expected) == n == 10
    doc = tmp_path / "moved.md"
    doc.write_text(markdown(move_item_tables(blocks(rep), to_end=to_end)), encoding="utf-8")
    assert "表二" in doc.read_text(encoding="utf-8")
    got, _, _ = read_cells(doc, rep.year)
    cmp = compare(expected, _item_cells(got))
    assert cmp.equal == 10, (cmp.wrong, cmp.missing)


def test_item_row_labels_in_prose_do_not_stand_in_for_a_missing_table(tmp_path):
    # Prose naming a row with a figure is not the table: the item table stays unread, not invented.
    doc = tmp_path / "prose.md"
    doc.write_text("# 2023年度政府信息公开工作年度报告\n## 一、总体情况\n全年办理行政许可 12 件，行政处罚 3 件。\n"
                   "## 二、主动公开政府信息情况\n### 第二十条第（五）项\n### 第二十条第（六）项\n"
                   "## 三、收到和处理政府信息公开申请情况\n无。\n", encoding="utf-8")
    cells, _, _ = read_cells(doc, 2023)
    assert not _item_cells(cells)
