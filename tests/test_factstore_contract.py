"""The fact store's contract, run on both engines: SQLite (embedded default) and a real PostgreSQL.

Reports parsed from the corpus (no embeddings) are written, read back, corrected, replaced and
deleted; a write that fails half-way leaves the store as it was; the answering side's read-only
handle cannot write.
"""
from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from ingest.factstore import FactStore, StoreMissing, chunk_id
from ingest.pipeline import parse
from ingest.settings import load
from tests.conftest import CORPUS

REPORTS = [CORPUS / "reports" / "沭阳县发展和改革局_2023.txt", CORPUS / "reports" / "平潭综合实验区_2021.txt"]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    config = load(data_dir=str(tmp_path_factory.mktemp("unused")))
    return [parse(p, config) for p in REPORTS]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'facts.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(url):
    s = FactStore(url)
    yield s
    s.close()


def _store(store: FactStore, rep) -> int:
    return store.replace_report(rep, rep.path.rsplit("/", 1)[-1], [chunk_id(rep.sha256, i) for i in
                                                                   range(len(rep.chunks))])


def test_what_is_written_is_read_back(store, parsed):
    assert store.version() == 0 and store.reports() == []
    ids = [_store(store, rep) for rep in parsed]
    assert store.version() == 2
    listed = store.reports()
    assert [r["file_name"] for r in listed] == sorted((p.name for p in REPORTS),
                                                       key=lambda n: [r.agency for r in parsed
                                                                      if r.path.endswith(n)][0])
    assert all("text" not in r for r in listed)
    for rep in parsed:
        assert [r["agency"] for r in store.reports(agency=rep.agency)] == [rep.agency]
    for rid, rep in zip(ids, parsed):
        got = store.report(rid)
        assert (got["agency"], got["year"], got["text"], got["n_facts"]) == \
            (rep.agency, rep.year, rep.text, len(rep.facts))
        assert got["metadata_candidates"] == rep.candidates
        facts = store.facts(report_id=rid)
        assert [(f["row_key"], f["column_key"], f["value"], f["source_line"]) for f in facts] == \
            [(f.row_key, f.column_key, f.value, f.source_line) for f in rep.facts]
        assert {f["report"] for f in facts} == {got["file_name"]}
        assert [c["text"] for c in store.chunks(rid)] == [c.text for c in rep.chunks]
        assert len(store.findings(report_id=rid)) == len(rep.findings)
    first = parsed[0]
    one = store.facts(agency=first.agency, year=first.year, table_key="applications",
                      row_key="received", column_key="total")
    assert [f["value"] for f in one] == [f.value for f in first.facts if (f.table_key, f.row_key,
                                         f.column_key) == ("applications", "received", "total")]
    with pytest.raises(ValueError):
        store.facts(nonsense=1)
    assert store.chunk_ids() == {chunk_id(r.sha256, i) for r in parsed for i in range(len(r.chunks))}
    assert store.dense_chunk_count() == len(store.chunk_ids(dense=True)) == sum(c.dense for r in parsed
                                                                                  for c in r.chunks)


def test_replace_correct_and_delete_keep_the_store_whole(store, parsed):
    rep = parsed[1]
    name = rep.path.rsplit("/", 1)[-1]
    _store(store, rep)
    second = _store(store, rep)  # the same file again: one version kept, its parts replaced
    assert [r["id"] for r in store.reports()] == [second] and len(store.chunks()) == len(rep.chunks)
    assert len(store.facts(report_id=second)) == len(rep.facts)
    before = store.version()
    store.correct_metadata(second, "某某县人民政府", 2020, "staff")
    assert {(f["agency"], f["year"]) for f in store.facts(report_id=second)} == {("某某县人民政府", 2020)}
    assert [(c["old_agency"], c["new_agency"], c["by_user"]) for c in store.corrections(second)] == \
        [(rep.agency, "某某县人民政府", "staff")]
    with pytest.raises(KeyError):
        store.correct_metadata(10**6, "x", 2020, "staff")
    gone = store.delete_report(name)
    assert set(gone) == {chunk_id(rep.sha256, i) for i in range(len(rep.chunks))}
    assert store.reports() == [] and store.facts() == [] and store.chunks() == [] and store.findings() == []
    assert store.version() == before + 2


def test_a_write_that_fails_half_way_leaves_the_old_version(store, parsed):
    rep = parsed[0]
    rid = _store(store, rep)
    version = store.version()
    broken = parse(REPORTS[0], load())
    broken.facts[-1].value = None  # NOT NULL: the insert of facts fails after the report row went in
    with pytest.raises(DBAPIError):
        _store(store, broken)
    assert store.report(rid)["n_facts"] == len(rep.facts) and len(store.reports()) == 1
    assert len(store.facts()) == len(rep.facts) and store.version() == version


def test_the_read_only_side_reads_and_cannot_write(url, parsed):
    with pytest.raises(StoreMissing, match="python -m ingest"):
        FactStore(url, readonly=True)
    writer = FactStore(url)
    _store(writer, parsed[0])
    reader = FactStore(url, readonly=True)
    try:
        assert len(reader.reports()) == 1 and reader.version() == 1
        with pytest.raises(DBAPIError):
            _store(reader, parsed[1])
        assert len(writer.reports()) == 1
    finally:
        reader.close()
        writer.close()


@pytest.mark.parametrize("var,value,names", [
    ("RA_FACT_STORE_URL", "postgresql://nobody@127.0.0.1:1/none", "port 1"),
    ("RA_CHROMA_MODE", "server", "Chroma server"),
])
def test_an_unreachable_store_is_one_line_not_a_traceback(tmp_path, var, value, names):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT
    env = dict(os.environ, RA_CHROMA_PORT="1", **{var: value})
    done = subprocess.run([sys.executable, "-m", "ingest", str(REPORTS[0]), "--data-dir", str(tmp_path), "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "无法连接存储" in done.stderr and names in done.stderr


def test_writers_on_two_machines_of_one_database_take_turns(tmp_path, pg_url):
    """Two data_dirs (two machines: their file locks never meet) writing to one PostgreSQL."""
    import threading

    from ingest.writer_lock import WriterBusy, writer
    one = load(data_dir=str(tmp_path / "one"), fact_store_url=pg_url)
    two = load(data_dir=str(tmp_path / "two"), fact_store_url=pg_url)
    told, inside, leave = [], threading.Event(), threading.Event()

    def first():
        with writer(one):
            with writer(one):  # a write step inside another holds the database lock once
                inside.set()
                leave.wait(30)

    t = threading.Thread(target=first)
    t.start()
    assert inside.wait(30)
    with pytest.raises(WriterBusy):
        with writer(two, on_wait=told.append, timeout=0.5):
            pass
    assert told and "等待" in told[0]
    leave.set()
    t.join(30)
    with writer(two, timeout=5):  # free again once the first writer is done
        pass
