"""Synthetic reports (tests/synthetic.py) read back in every text layout: each cell exact or flagged,
never a wrong figure. SYNTHETIC_SEED / SYNTHETIC_N change the draw (scripts/harness_synthetic.py for more)."""
from __future__ import annotations

import os
import random

import pytest

from ingest.checks import check
from ingest.records import Fact
from ingest.template import FORMATS
from tests.layouts import TEXT_LAYOUTS, read_cells, render
from tests.synthetic import agency_name, report, run

SEED = int(os.environ.get("SYNTHETIC_SEED", "2019"))
N = int(os.environ.get("SYNTHETIC_N", "40"))
# One-line pages glue a row's figures together: rows the template's sums cannot split are flagged.
FLOORS = {"one-line": 0.93}


@pytest.fixture(scope="module")
def tallies(tmp_path_factory):
    return run(N, SEED, list(TEXT_LAYOUTS), tmp_path_factory.mktemp("synthetic"))


@pytest.mark.parametrize("layout", list(TEXT_LAYOUTS))
def test_every_cell_exact_or_flagged_never_wrong(tallies, layout):
    t = tallies[layout]
    total = t.exact + t.flagged + t.wrong
    assert total > 150 * N
    assert t.wrong == 0, t.examples
    assert t.exact / total >= FLOORS.get(layout, 0.99)


def _facts(rep):
    return [Fact("", k[0], k[1], k[1], "", k[2], k[2], v, "件", "table", "") for k, v in rep.cells.items()]


def test_generated_figures_satisfy_the_template_sums():
    rng = random.Random(SEED)
    for _ in range(50):
        rep, _ = report(rng)
        assert not check(_facts(rep), rep.fmt)
        expected = sum(len(t.rows) * len(t.columns) for t in FORMATS[rep.fmt].tables)
        assert len(rep.cells) in (expected, expected - 2 * 7)  # 2021 with （六）其他处理 as one row


def test_agency_names_look_like_agencies_and_vary():
    rng = random.Random(SEED)
    names = {agency_name(rng) for _ in range(200)}
    assert len(names) > 150
    assert all(n.endswith(("局", "委员会", "政府", "办公室")) and ("市" in n or "州" in n) for n in names)


def _report_with(seed_cells, prose_before_tables, seed=1):
    rep, _ = report(random.Random(seed))
    rep.cells.update(seed_cells)
    rep.prose.update(prose_before_tables)
    return rep


def test_sentence_before_the_review_table_is_not_its_first_cells(tmp_path):
    rep = _report_with({}, {"四": ["全年发生政府信息公开行政复议案件3件、行政诉讼案件2件。"]})
    for layout in ("markdown", "one-line", "html"):
        got, _, _ = read_cells(render(rep, layout, tmp_path / layout), rep.year)
        review = {k: v for k, v in rep.cells.items() if k[0] == "review"}
        assert all(got.get(k) in (v, None) for k, v in review.items()), layout
        if layout != "one-line":
            assert all(got.get(k) == v for k, v in review.items()), layout


def test_glued_item_row_is_not_settled_by_figures_of_unrelated_prose(tmp_path):
    # 规章 6|619|0 glued to "66190" on a one-line page, followed by prose stating 6 件: six splits remain
    # possible, and the prose names no 规章 figure, so the row is flagged rather than read as 6|6|190.
    cells = {("item1", "rules", c): v for c, v in (("made", 6), ("repealed", 619), ("in_force", 0))}
    rep = _report_with(cells, {"三": ["全年共新收政府信息公开申请37件，上年结转6件。"]}, seed=2)
    assert rep.fmt == "2021"
    path = render(rep, "one-line", tmp_path)
    assert "规章66190" in path.read_text(encoding="utf-8")
    got, _, _ = read_cells(path, rep.year)
    assert all(got.get(k) in (v, None) for k, v in cells.items())
