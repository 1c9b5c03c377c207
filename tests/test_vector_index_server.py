"""The vector index's contract on both back ends: embedded Chroma, and a real `chroma run` server.

Same real embedding model, same assertions; only ``chroma_mode`` differs. The server is
one per session (tests/servers.py), so each server-mode test gets a collection of its own.
"""
from __future__ import annotations

import socket
import uuid

import chromadb
import pytest

from ingest import build_model
from ingest.vector_index import IndexMissing, IndexUnavailable, ReadOnlyIndex, VectorIndex
from tests.conftest import CORPUS
from tests.servers import free_port, running_chroma, token_proxy

PASSAGES = [  # (id, text, metadata): two agencies, three years, one chunk with no year
    ("gz20", "2020年广州人社局政务微信发布信息225条，微信粉丝量超过10万。",
     {"report": "广州_2020.txt", "agency": "广州市人力资源和社会保障局", "year": 2020, "section": "一"}),
    ("gz21", "2021年广州人社局门户网站主动公开政府信息3000条。",
     {"report": "广州_2021.txt", "agency": "广州市人力资源和社会保障局", "year": 2021, "section": "一"}),
    ("pt21", "2021年平潭综合实验区政务新媒体发布信息860条。",
     {"report": "平潭_2021.txt", "agency": "平潭综合实验区", "year": 2021, "section": "一"}),
    ("pt22", "2022年平潭综合实验区微信公众号推送政策解读95篇。",
     {"report": "平潭_2022.txt", "agency": "平潭综合实验区", "year": 2022, "section": "一"}),
    ("noyear", "本机关全年收到行政复议申请3件。",
     {"report": "无年份.txt", "agency": "平潭综合实验区", "year": None, "section": "五"}),
]
Q = "政务微信发布了多少信息"


@pytest.fixture(scope="session", autouse=True)
def built_model():
    return build_model.build(log=lambda *_: None)


def _server_config(config, host, port, **more):
    # A fresh collection per test: the session's one server is shared by all of them.
    return config.replace(chroma_mode="server", chroma_host=host, chroma_port=port,
                          collection=f"t-{uuid.uuid4().hex}", **more)


@pytest.fixture(params=["embedded", "server"])
def mode_config(request, config):
    if request.param == "embedded":
        return config
    return _server_config(config, *request.getfixturevalue("chroma_server"))


@pytest.fixture
def filled(mode_config):
    index = VectorIndex(mode_config)
    ids, texts, metas = zip(*PASSAGES)
    index.add(list(ids), list(texts), list(metas))
    return index


@pytest.fixture
def no_default_embedding(monkeypatch):
    """Chroma's own ONNX embedding, which downloads its model on first use, fails the test if touched."""
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    def refuse(*args, **kwargs):
        raise AssertionError("Chroma's default embedding function was used")

    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__init__", refuse)
    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", refuse)


@pytest.fixture
def loopback_only(monkeypatch):
    """Any connection beyond this machine fails: the server is local, nothing else may be fetched."""
    real = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"network beyond loopback disabled in this test ({address[0]})")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


def _metas(index, hits):
    return [index._collection.get(ids=[cid])["metadatas"][0] for cid, _ in hits]


def test_add_count_ids_replace_delete(filled):
    assert filled.count() == len(PASSAGES) and filled.ids() == {p[0] for p in PASSAGES}
    filled.add(["gz21"], ["2021年广州人社局门户网站公开信息3100条。"], [PASSAGES[1][2]])
    assert filled.count() == len(PASSAGES)
    assert filled._collection.get(ids=["gz21"], include=["documents"])["documents"] == ["2021年广州人社局门户网站公开信息3100条。"]
    filled.delete(["gz20", "pt22"])
    filled.delete([])
    assert filled.ids() == {"gz21", "pt21", "noyear"}


def test_metadata_is_kept_and_none_dropped(filled):
    got = {m["report"]: m for m in filled._collection.get(include=["metadatas"])["metadatas"]}
    assert got["广州_2020.txt"] == PASSAGES[0][2]
    assert "year" not in got["无年份.txt"]


def test_query_with_agency_and_year_filters(filled):
    assert filled.search("广州人社在社交平台上发了多少条推文？", k=1)[0][0] == "gz20"
    assert {m["agency"] for m in _metas(filled, filled.search(Q, k=10, agency="平潭综合实验区"))} == {"平潭综合实验区"}
    assert {c for c, _ in filled.search(Q, k=10, year=2021)} == {"gz21", "pt21"}
    assert {c for c, _ in filled.search(Q, k=10, years=[2020, 2022])} == {"gz20", "pt22"}
    assert [c for c, _ in filled.search(Q, k=10, agency="平潭综合实验区", year=2021)] == ["pt21"]
    assert {c for c, _ in filled.search(Q, k=10, report_ids=["广州_2021.txt", "无年份.txt"])} == {"gz21", "noyear"}
    assert filled.search(Q, k=10, year=1999) == [] and filled.search(Q, k=10, years=[]) == []
    scores = [s for _, s in filled.search(Q, k=10)]
    assert len(scores) == len(PASSAGES) and scores == sorted(scores, reverse=True)


def test_ranking_chosen_chunks_by_id_agrees_with_the_filtered_search(filled):
    """The exact ranking of a scope read by id is the filtered search's order and similarities."""
    for where, ids in (({"agency": "平潭综合实验区"}, ["pt21", "pt22", "noyear"]),
                       ({"year": 2021}, ["gz21", "pt21"]), ({}, [p[0] for p in PASSAGES])):
        searched = filled.search(Q, k=10, **where)
        ranked = filled.rank(Q, ids + ["not-stored"], k=10)
        assert [c for c, _ in ranked] == [c for c, _ in searched]
        assert [s for _, s in ranked] == pytest.approx([s for _, s in searched], abs=1e-4)
    assert [c for c, _ in filled.rank(Q, [p[0] for p in PASSAGES], k=2)] == [c for c, _ in filled.search(Q, k=2)]
    assert filled.rank(Q, [], k=5) == [] and filled.rank(Q, ["not-stored"], k=5) == []


def test_relabel_moves_chunks_to_another_agency_and_year(filled):
    filled.relabel(["pt22"], "平潭综合实验区管委会", 2023)
    assert [c for c, _ in filled.search(Q, k=10, agency="平潭综合实验区管委会", year=2023)] == ["pt22"]


def test_readonly_reads_but_refuses_writes(filled, mode_config):
    reader = VectorIndex(mode_config, readonly=True)
    assert reader.ids() == filled.ids()
    assert reader.search("门户网站主动公开了多少条政府信息？", k=1)[0][0] == "gz21"
    assert reader.store.similarity_search("门户网站主动公开了多少条政府信息？", k=1)[0].page_content == PASSAGES[1][1]
    with pytest.raises(ReadOnlyIndex):
        reader.add(["x"], ["x"], [{}])
    with pytest.raises(ReadOnlyIndex):
        reader.delete(["gz20"])


def test_readonly_open_of_a_missing_index_creates_nothing(mode_config):
    with pytest.raises(IndexMissing, match="python -m ingest") as missing:
        VectorIndex(mode_config, readonly=True)
    if mode_config.chroma_mode == "server":
        assert f"{mode_config.chroma_host}:{mode_config.chroma_port}" in str(missing.value)
        assert mode_config.collection in str(missing.value)
        server = chromadb.HttpClient(host=mode_config.chroma_host, port=mode_config.chroma_port)
        assert mode_config.collection not in {c.name for c in server.list_collections()}
    else:
        assert not (mode_config.data_path / "chroma").exists()


def test_no_default_embedding_and_nothing_beyond_loopback(mode_config, no_default_embedding, loopback_only):
    writer = VectorIndex(mode_config)
    writer.add(["c1", "c2"], ["政务微信发布信息225条", "行政复议3件"], [{"year": 2020}, {"year": 2020}])
    reader = VectorIndex(mode_config, readonly=True)
    assert reader.search("微信推文数量", k=1)[0][0] == "c1"
    assert reader.store.similarity_search("微信推文数量", k=1)[0].page_content == "政务微信发布信息225条"
    for collection in (writer._collection, reader._collection, reader.store._collection):
        assert collection._embedding_function is None
        assert collection.configuration.get("embedding_function") is None
        # With no function to fall back on, Chroma refuses raw text instead of fetching a model.
        with pytest.raises(ValueError, match="embedding function"):
            collection.query(query_texts=["政务微信"], n_results=1)
    assert writer._collection.configuration_json["hnsw"]["space"] == "cosine"


@pytest.mark.parametrize("readonly", [False, True])
def test_unreachable_server_names_its_address(config, readonly):
    port = free_port()  # nothing listens there
    cfg = config.replace(chroma_mode="server", chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(IndexUnavailable, match=rf"127\.0\.0\.1:{port} does not answer.*chroma run"):
        VectorIndex(cfg, readonly=readonly)


def test_server_lost_after_opening_names_its_address(config, tmp_path):
    with running_chroma(tmp_path / "db") as (host, port):
        index = VectorIndex(_server_config(config, host, port))
        assert index.count() == 0
    with pytest.raises(IndexUnavailable, match=rf"{host}:{port} stopped answering"):
        index.count()


def test_token_is_sent_as_bearer_and_a_refusal_is_named(config, chroma_server):
    with token_proxy(chroma_server, "s3cret-Token.1") as proxy:
        host, port = proxy.server_address[:2]
        cfg = _server_config(config, host, port, chroma_token="s3cret-Token.1")
        VectorIndex(cfg).add(["c1"], ["政务微信发布信息225条"], [{"year": 2020}])
        assert VectorIndex(cfg, readonly=True).search("微信", k=1)[0][0] == "c1"
        assert set(proxy.seen) == {"Bearer s3cret-Token.1"}
        for wrong in ("", "other"):
            with pytest.raises(IndexUnavailable, match=rf"{port} answered but.*wrong token.*chroma_token"):
                VectorIndex(cfg.replace(chroma_token=wrong), readonly=True)
    with pytest.raises(ValueError, match="chroma_token"):
        VectorIndex(cfg.replace(chroma_token="令牌"))


def test_chroma_run_itself_checks_no_token(config, chroma_server):
    # chromadb 1.x's Rust server has no token check: a wrong token passes. Documented, so a
    # deployment that needs one knows to put a proxy in front (see _add_token).
    cfg = _server_config(config, *chroma_server, chroma_token="not-the-token")
    assert VectorIndex(cfg).count() == 0


def test_cli_ingest_into_a_chroma_server(tmp_path, chroma_server, capsys):
    # In process, through the CLI's own main: a subprocess would only add a second model load.
    from ingest.__main__ import main as ingest_main
    from ingest.factstore import FactStore
    from ingest.settings import load

    host, port = chroma_server
    config_file = tmp_path / "config.toml"
    config_file.write_text(f'chroma_mode = "server"\nchroma_host = "{host}"\nchroma_port = {port}\n'
                           f'collection = "cli-{uuid.uuid4().hex}"\n', encoding="utf-8")
    data = tmp_path / "data"
    report = str(CORPUS / "reports" / "淮安市洪泽区人民政府_2024.txt")
    assert ingest_main([report, "--data-dir", str(data), "--config", str(config_file), "--quiet"]) == 0, \
        capsys.readouterr()

    cfg = load(config_file, data_dir=str(data))
    store = FactStore.for_config(cfg, readonly=True)
    try:
        chunk_ids = store.chunk_ids(dense=True)
    finally:
        store.close()
    index = VectorIndex(cfg, readonly=True)
    assert chunk_ids and index.ids() == chunk_ids
    assert not (data / "chroma").exists()  # nothing went to an embedded index beside the fact store
    # The chunks' agency and year went with them: the filters find them all, and only under their year.
    assert {c for c, _ in index.search("依申请公开", k=50, agency="淮安市洪泽区人民政府", year=2024)} == chunk_ids
    assert index.search("依申请公开", k=50, year=2023) == []
    capsys.readouterr()
    assert ingest_main(["--check", "--data-dir", str(data), "--config", str(config_file)]) == 0
    assert "OK" in capsys.readouterr().out
