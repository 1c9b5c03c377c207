"""The ingest pipeline end to end: real files into a real SQLite store and a real Chroma index."""
from __future__ import annotations

import json
import subprocess
import sys

from ingest.__main__ import main as ingest_main
from ingest.factstore import FactStore
from ingest.pipeline import ingest_paths
from ingest.vector_index import VectorIndex

from .conftest import CORPUS, ROOT

SEED = CORPUS / "reports" / "广州市人力资源和社会保障局_2020.txt"


def _store(cfg):
    return FactStore.for_config(cfg, readonly=True)


def test_whole_corpus_is_stored_with_facts_and_chunks(corpus_config):
    store = _store(corpus_config)
    reports = store.reports()
    n_files = sum(1 for sub in ("reports", "html", "pdf") for _ in (CORPUS / sub).iterdir())
    assert len(reports) == n_files
    for r in reports:
        assert r["n_chunks"] > 0, r["file_name"]
        if r["year"] >= 2019:
            assert r["format"] in ("2019", "2021")
            assert any(f["kind"] == "table" for f in store.facts(report_id=r["id"])), r["file_name"]
    index = VectorIndex(corpus_config, readonly=True)
    assert index.ids() == store.chunk_ids(dense=True)


def test_facts_carry_their_source(corpus_config):
    store = _store(corpus_config)
    f = store.facts(agency="广州市人力资源和社会保障局", year=2020, table_key="applications", row_key="new",
                    column_key="total")
    assert [x["value"] for x in f] == [144]
    assert "本年新收" in f[0]["source_text"] and f[0]["source_line"]
    narrative = [x for x in store.facts(agency="广州市人力资源和社会保障局", kind="narrative") if x["value"] == 3803]
    assert narrative and "3803" in narrative[0]["source_text"]


def test_reingesting_the_same_file_changes_nothing(tmp_path):
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))
    first = ingest_paths(cfg, [SEED])
    store = _store(cfg)
    before = (store.reports(), len(store.facts()), store.chunk_ids())
    store.close()
    second = ingest_paths(cfg, [SEED])
    assert [r.status for r in first] == ["ok"] and [r.status for r in second] == ["unchanged"]
    store = _store(cfg)
    assert (store.reports(), len(store.facts()), store.chunk_ids()) == before


def test_a_report_read_by_older_code_is_read_again_and_keeps_its_vectors(tmp_path, monkeypatch):
    # An upgrade that reads better must reach the reports already stored, without embedding them again.
    from ingest import pipeline
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))
    [first] = ingest_paths(cfg, [SEED])
    store = _store(cfg)
    assert store.reports()[0]["reader_version"] == pipeline.reader_version()
    ids = store.chunk_ids()
    store.close()
    monkeypatch.setattr(pipeline, "reader_version", lambda: "newer-readers")
    [again] = ingest_paths(cfg, [SEED])
    assert (first.status, again.status) == ("ok", "ok")
    store = _store(cfg)
    assert store.reports()[0]["reader_version"] == "newer-readers"
    # Chunk ids name the chunk texts: the same ids mean no vector was dropped or embedded again.
    assert store.chunk_ids() == ids
    assert VectorIndex(cfg, readonly=True).ids() == store.chunk_ids(dense=True)
    store.close()
    [third] = ingest_paths(cfg, [SEED])
    assert third.status == "unchanged"


def test_an_upgrade_drops_the_vectors_of_table_rows_searched_by_words_only(tmp_path, monkeypatch):
    # A store written before table rows went unembedded holds a vector for every chunk; re-read by
    # newer code, the rows' vectors go and every other vector stays.
    from ingest import chunking, pipeline
    from ingest.pipeline import check_stores
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))
    rule = chunking.wants_vector
    monkeypatch.setattr(chunking, "wants_vector", lambda *a: True)
    monkeypatch.setattr(pipeline, "reader_version", lambda: "older-readers")
    ingest_paths(cfg, [SEED])
    store = _store(cfg)
    every = store.chunk_ids()
    store.close()
    assert VectorIndex(cfg, readonly=True).ids() == every
    monkeypatch.setattr(chunking, "wants_vector", rule)
    monkeypatch.setattr(pipeline, "reader_version", lambda: "newer-readers")
    [res] = ingest_paths(cfg, [SEED])
    assert res.status == "ok"
    store = _store(cfg)
    dense = store.chunk_ids(dense=True)
    assert store.chunk_ids() == every and dense < every
    store.close()
    assert VectorIndex(cfg, readonly=True).ids() == dense
    found = check_stores(cfg)
    assert found.ok and found.words_only == len(every - dense)


def test_a_changed_file_replaces_its_old_version(tmp_path):
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))
    copy = tmp_path / SEED.name
    copy.write_text(SEED.read_text("utf-8"), "utf-8")
    ingest_paths(cfg, [copy])
    old_ids = _store(cfg).chunk_ids()
    copy.write_text(SEED.read_text("utf-8") + "\n六、其他需要报告的事项\n本年度新增加一段说明文字，用于测试替换。\n", "utf-8")
    [res] = ingest_paths(cfg, [copy])
    assert res.status == "ok"
    store = _store(cfg)
    assert len(store.reports()) == 1
    new_ids = store.chunk_ids()
    assert new_ids.isdisjoint(old_ids)
    assert VectorIndex(cfg, readonly=True).ids() == store.chunk_ids(dense=True)


def test_bad_files_are_named_and_the_others_still_go_in(tmp_path, capsys):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "fake.pdf").write_bytes(b"this is not a pdf at all")
    (bad / "noise.txt").write_bytes(bytes(range(128, 256)) * 40)
    (bad / "template_2019.txt").write_bytes((CORPUS / "template_2019.txt").read_bytes())
    (bad / SEED.name).write_bytes(SEED.read_bytes())
    code = ingest_main([str(bad), "--data-dir", str(tmp_path / "d"), "--quiet"])
    out = capsys.readouterr().out
    assert code != 0
    for name in ("empty.txt", "fake.pdf", "noise.txt", "template_2019.txt"):
        assert any(line.startswith("FAILED") and name in line for line in out.splitlines()), out
    from ingest.settings import load
    store = _store(load(data_dir=str(tmp_path / "d")))
    assert [r["file_name"] for r in store.reports()] == [SEED.name]


def test_a_kill_between_the_two_stores_leaves_no_partial_report(tmp_path):
    """Kill the process after the vectors are written but before the fact store commits."""
    data = tmp_path / "d"
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from ingest import factstore, pipeline
from ingest.settings import load
def die(*a, **k):
    os._exit(9)
factstore.FactStore.replace_report = die
pipeline.ingest_paths(load(data_dir={str(data)!r}), [{str(SEED)!r}])
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == 9, proc.stderr.decode()[-2000:]
    from ingest.settings import load
    cfg = load(data_dir=str(data))
    store = _store(cfg)
    assert store.reports() == [] and store.facts() == []
    assert VectorIndex(cfg, readonly=True).count() > 0  # the orphaned vectors of the killed run
    store.close()
    # The next run clears them and stores the report whole.
    [res] = ingest_paths(cfg, [SEED])
    assert res.status == "ok"
    assert VectorIndex(cfg, readonly=True).ids() == _store(cfg).chunk_ids(dense=True)


def test_an_error_in_the_fact_store_rolls_back_the_vectors(tmp_path, monkeypatch):
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))

    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(FactStore, "replace_report", boom)
    try:
        ingest_paths(cfg, [SEED])
    except RuntimeError:
        pass
    monkeypatch.undo()
    assert _store(cfg).reports() == []
    assert VectorIndex(cfg, readonly=True).count() == 0


def test_cli_prints_a_summary_per_file_and_assistant_lists_facts(tmp_path, capsys):
    data = tmp_path / "d"
    assert ingest_main([str(SEED), "--data-dir", str(data), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert SEED.name in out and "facts" in out and "chunks" in out
    proc = subprocess.run([sys.executable, "-m", "assistant", "facts", "--data-dir", str(data), "--format", "json",
                           "--year", "2020"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    row = next(f for f in facts if f["row"] == "本年新收政府信息公开申请数量" and f["column"] == "总计")
    assert row["value"] == 144 and row["agency"] == "广州市人力资源和社会保障局"


def test_files_and_texts_beyond_what_a_report_can_be_are_refused(tmp_path):
    from ingest.settings import load
    big = tmp_path / "big_2023.txt"
    big.write_text(SEED.read_text("utf-8") * 200, "utf-8")   # several MB of repeated report
    small = tmp_path / SEED.name
    small.write_bytes(SEED.read_bytes())
    cfg = load(data_dir=str(tmp_path / "d"), max_report_mb=1)
    results = {r.file: r for r in ingest_paths(cfg, [big, small])}
    assert results["big_2023.txt"].status == "failed" and "max_report_mb" in results["big_2023.txt"].error
    assert "big_2023.txt" in results["big_2023.txt"].error
    assert results[SEED.name].status == "ok"
    long_text = load(data_dir=str(tmp_path / "e"), max_report_chars=1000)
    [res] = ingest_paths(long_text, [small])
    assert res.status == "failed" and "max_report_chars" in res.error and SEED.name in res.error
    assert _store(long_text).reports() == []


def test_a_block_pasted_several_times_does_not_multiply_facts(tmp_path):
    from ingest.pipeline import parse
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))
    once = parse(SEED, cfg)
    text = SEED.read_text("utf-8")
    for name, body in (("thrice.txt", "\n".join([text] * 3)), ("one_line.txt", (text.replace("\n", " ") + " ") * 5)):
        copy = tmp_path / name
        copy.write_text(body, "utf-8")
        again = parse(copy, cfg, agency=once.agency, year=once.year)
        key = lambda f: (f.kind, f.table_key, f.row, f.column, f.value)   # noqa: E731
        assert {key(f) for f in again.facts} >= {key(f) for f in once.facts}, name
        # at most a stray figure where the copies join, never a second copy of each
        assert len(again.facts) <= len(once.facts) + 2, (name, len(again.facts), len(once.facts))
        assert len({c.text for c in again.chunks}) == len(again.chunks)


def test_each_file_is_reported_as_soon_as_it_is_stored(tmp_path):
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path / "d"))
    files = [SEED, CORPUS / "reports" / "平潭综合实验区_2021.txt"]
    stored_when_told = []

    def told(result):
        store = _store(cfg)
        stored_when_told.append((result.file, len(store.reports())))
        store.close()

    ingest_paths(cfg, files, on_result=told)
    assert stored_when_told == [(SEED.name, 1), (files[1].name, 2)]
