"""The held-out question set: questions written from the reports, not from the dev set.

tests/data/heldout_questions.jsonl (same format as shared/eval) asks about other table rows and
columns, other prose figures and passages, follow-ups, comparisons and figures the reports do not
hold, in citizens' and staff wording. Its gold values were read from the report files (PDF layout
and HTML cells for the tables). heldout-001…136 were written before the assistant was changed for
them, 137…178 after a first round of changes, 179…210 after the last; 211…300 by a separate session
that never read the code (scored 79/90 before any change for them); each batch was scored once
before anything was changed for it. The floors below are the scores reached, less a small margin,
so that a change which helps the dev set at the expense of unseen questions shows up here.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.evaluate import format_report, run

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout_questions.jsonl"

# Reached: fact 186/189, trend 28/28, narrative 46/47, none 36/36.
FLOORS = {"fact": 0.95, "trend": 0.94, "narrative": 0.93, "none": 0.90}


@pytest.fixture(scope="module")
def report(corpus_config):
    a = Assistant(corpus_config)
    try:
        yield run(a, HELDOUT)
    finally:
        a.close()


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_heldout_score_per_type(report, kind):
    got = report["per_type"][kind]
    assert got["score"] >= FLOORS[kind], format_report(report)


def test_heldout_set_is_well_formed():
    import json
    items = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert i["type"] in FLOORS
        if i["type"] == "fact":
            assert i["value"] is not None and i["agency"] and i["year"]
        if i["type"] == "trend":
            assert i["values"]
        if i["type"] in ("fact", "narrative"):
            assert 8 <= len(i["evidence"]) <= 40 and i["source_file"]
        if i["type"] == "none":
            assert i["value"] is None and i["values"] is None
