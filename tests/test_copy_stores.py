"""Copying the stores to the deployment engines (python -m ingest.copy_stores): the corpus ingested into
SQLite and embedded Chroma, copied into a real PostgreSQL and a real `chroma run`, answers the same
questions from the same sources, takes new reports, and a copy is never made into a store in use."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from assistant import Assistant
from ingest.factstore import FactStore, StoreNotEmpty
from ingest.pipeline import ingest_paths
from ingest.vector_index import VectorIndex
from tests.conftest import CORPUS, ROOT, store_env

QUESTIONS = ["沭阳发改局2023年收到多少政府信息公开申请？", "平潭综合实验区2021年主动公开政府信息多少条？",
             "沭阳县发展和改革局2023年存在哪些主要问题？", "人社局在新媒体方面做了什么？"]


def _to(host, port, url, collection):
    return [f"fact_store_url={url}", "chroma_mode=server", f"chroma_host={host}", f"chroma_port={port}",
            f"collection={collection}"]


def _answers(cfg) -> list[tuple]:
    a = Assistant(cfg)
    try:
        out = []
        for q in QUESTIONS:
            r = a.ask(q)
            out.append((r["route"], r["answer"], [(f["value"], f["source"]["report"]) for f in r.get("facts") or []],
                        r.get("sources")))
        return out
    finally:
        a.close()


def test_a_copy_to_postgres_and_a_chroma_server_answers_as_the_original(corpus_config, pg_url, chroma_server,
                                                                        tmp_path):
    host, port = chroma_server
    to = _to(host, port, pg_url, "copied")
    run = subprocess.run([sys.executable, "-m", "ingest.copy_stores", *[a for t in to for a in ("--to", t)]],
                         cwd=ROOT, env=store_env(corpus_config), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    src = FactStore.for_config(corpus_config, readonly=True)
    dest_cfg = corpus_config.replace(fact_store_url=pg_url, chroma_mode="server", chroma_host=host,
                                     chroma_port=port, collection="copied")
    dst = FactStore.for_config(dest_cfg, readonly=True)
    try:
        n, last = len(src.reports()), max(r["id"] for r in src.reports())
        assert f"copied {n} reports, {src.count('facts')} facts" in run.stdout
        by_id = lambda rows: sorted(rows, key=lambda r: r["id"])  # noqa: E731  (the engines collate names apart)
        assert by_id(dst.reports()) == by_id(src.reports())
        assert by_id(dst.facts()) == by_id(src.facts()) and dst.chunks() == src.chunks()
        assert by_id(dst.findings()) == by_id(src.findings())
        dense = src.chunk_ids(dense=True)
        assert VectorIndex(dest_cfg, readonly=True).ids() == dense
    finally:
        src.close(), dst.close()
    assert _answers(dest_cfg) == _answers(corpus_config)

    # The copy takes new reports: PostgreSQL's id sequences start after the copied ids.
    new = tmp_path / "新增_沭阳县发展和改革局_2023.txt"
    shutil.copy(CORPUS / "reports" / "沭阳县发展和改革局_2023.txt", new)
    new.write_text(new.read_text(encoding="utf-8") + "\n本报告另附说明一则。\n", encoding="utf-8")
    [res] = ingest_paths(dest_cfg, [new])
    assert res.status == "ok" and res.report_id > last

    # Into a store that holds reports, nothing is copied and nothing changes.
    again = subprocess.run([sys.executable, "-m", "ingest.copy_stores", *[a for t in to for a in ("--to", t)]],
                           cwd=ROOT, env=store_env(corpus_config), capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and f"already holds {n + 1} reports" in again.stderr, again.stderr[-2000:]
    check = FactStore.for_config(dest_cfg, readonly=True)
    assert len(check.reports()) == n + 1
    check.close()


def test_an_interrupted_copy_is_run_again_and_bad_destinations_are_named(corpus_config, pg_url, chroma_server,
                                                                          monkeypatch):
    from ingest import copy_stores

    host, port = chroma_server
    dest = corpus_config.replace(fact_store_url=pg_url, chroma_mode="server", chroma_host=host, chroma_port=port,
                                 collection="interrupted")

    def fail(self, source, on_rows=None):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(FactStore, "copy_from", fail)
    with pytest.raises(RuntimeError):
        copy_stores.copy_stores(corpus_config, dest)
    monkeypatch.undo()
    held = VectorIndex(dest, readonly=True).count()
    assert held > 0  # the vectors were copied, the fact store not
    done = copy_stores.copy_stores(corpus_config, dest)
    assert done.vectors == 0 and done.reports == len(FactStore.for_config(corpus_config, readonly=True).reports())
    assert VectorIndex(dest, readonly=True).count() == held

    with pytest.raises(ValueError, match="destination is the source"):
        copy_stores.copy_stores(corpus_config, corpus_config)
    with pytest.raises(StoreNotEmpty):
        copy_stores.copy_stores(corpus_config, dest.replace(collection="another"))
    bad = subprocess.run([sys.executable, "-m", "ingest.copy_stores", "--to", "chroma_port=eighty"], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "chroma_port='eighty'" in bad.stderr and "int" in bad.stderr
    bad = subprocess.run([sys.executable, "-m", "ingest.copy_stores", "--to", "no_such_key=1"], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no_such_key: no such setting" in bad.stderr
