"""The Chroma index: real model, real embedded Chroma in a temporary data directory."""
from __future__ import annotations

import socket

import pytest

from ingest import build_model
from ingest.factstore import chunk_id
from ingest.vector_index import IndexMissing, ReadOnlyIndex, VectorIndex
from tests.test_embeddings import report_passages

GZ = "广州市人力资源和社会保障局_2020.txt"
OTHER = [  # (report, agency, year, text): same subject, other agencies and years, for the filters
    ("淮安市人民政府_2024.pdf", "淮安市人民政府", 2024, "2024年通过政务微信公众号发布信息1200条，关注人数达到45万。"),
    ("平潭综合实验区_2021.txt", "平潭综合实验区", 2021, "2021年平潭综合实验区政务新媒体发布信息860条。"),
    ("平潭综合实验区_2022.txt", "平潭综合实验区", 2022, "2022年平潭综合实验区微信公众号推送政策解读95篇。"),
]


@pytest.fixture(scope="session", autouse=True)
def built_model():
    return build_model.build(log=lambda *_: None)


@pytest.fixture
def filled(config, corpus):
    """An index holding the 广州 report's passages plus one passage from each report in OTHER."""
    index = VectorIndex(config)
    passages = report_passages(corpus)
    ids = [chunk_id("a" * 64, i) for i in range(len(passages))]
    metas = [{"report": GZ, "agency": "广州市人力资源和社会保障局", "year": 2020, "section": p[:6],
              "char_start": i * 100, "char_end": i * 100 + len(p)} for i, p in enumerate(passages)]
    for n, (report, agency, year, text) in enumerate(OTHER):
        ids.append(chunk_id(f"{n}" * 64, 0))
        passages.append(text)
        metas.append({"report": report, "agency": agency, "year": year, "section": "一、总体情况",
                      "char_start": 0, "char_end": len(text)})
    index.add(ids, passages, metas)
    index.test_ids = dict(zip(passages, ids))
    return index


def _id_of(index, fragment: str) -> str:
    return next(cid for text, cid in index.test_ids.items() if fragment in text)


def test_add_ids_count_delete(filled):
    n = len(filled.test_ids)
    assert filled.count() == n and filled.ids() == set(filled.test_ids.values())
    gone = sorted(filled.ids())[:2]
    filled.delete(gone)
    filled.delete([])
    assert filled.count() == n - 2 and not filled.ids() & set(gone)


def test_adding_an_existing_id_replaces_it(filled):
    cid = _id_of(filled, "平潭综合实验区政务新媒体")
    filled.add([cid], ["2021年平潭综合实验区门户网站公开信息3000条。"],
               [{"report": "平潭综合实验区_2021.txt", "agency": "平潭综合实验区", "year": 2021, "section": "一"}])
    assert filled.count() == len(filled.test_ids)
    got = filled._collection.get(ids=[cid], include=["documents"])["documents"]
    assert got == ["2021年平潭综合实验区门户网站公开信息3000条。"]


def test_paraphrased_question_ranks_its_passage_first(filled):
    hits = filled.search("广州人社在社交平台上发了多少条推文，有多少人关注？", k=5, agency="广州市人力资源和社会保障局")
    assert hits[0][0] == _id_of(filled, "微信粉丝量超")
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1.0001 for s in scores)


def test_filters(filled):
    q = "政务微信发布了多少信息"
    agencies = lambda hits: {filled._collection.get(ids=[c])["metadatas"][0]["agency"] for c, _ in hits}  # noqa: E731
    years = lambda hits: {filled._collection.get(ids=[c])["metadatas"][0]["year"] for c, _ in hits}  # noqa: E731

    assert len(filled.search(q, k=50)) == len(filled.test_ids)
    assert agencies(filled.search(q, k=50, agency="平潭综合实验区")) == {"平潭综合实验区"}
    assert years(filled.search(q, k=50, year=2024)) == {2024}
    assert years(filled.search(q, k=50, years=[2021, 2024])) == {2021, 2024}
    assert years(filled.search(q, k=50, agency="平潭综合实验区", years=[2021, 2024])) == {2021}
    only = filled.search(q, k=50, report_ids=["平潭综合实验区_2022.txt", "淮安市人民政府_2024.pdf"])
    assert {c for c, _ in only} == {_id_of(filled, "推送政策解读"), _id_of(filled, "关注人数达到45万")}
    assert filled.search(q, k=50, year=1999) == []
    assert filled.search(q, k=50, years=[]) == [] and filled.search(q, k=50, report_ids=[]) == []
    assert len(filled.search(q, k=2)) == 2


def test_metadata_is_stored_and_none_is_dropped(config):
    index = VectorIndex(config)
    index.add(["c1"], ["年度报告正文"], [{"report": "x.txt", "agency": "某局", "year": None, "section": "一",
                                       "char_start": 5, "char_end": 11}])
    meta = index._collection.get(ids=["c1"])["metadatas"][0]
    assert meta == {"report": "x.txt", "agency": "某局", "section": "一", "char_start": 5, "char_end": 11}
    index.add(["c2"], ["没有元数据的段落"], [{"year": None}])
    assert index.ids() == {"c1", "c2"}
    with pytest.raises(ValueError):
        index.add(["c3", "c4"], ["只有一段"], [{}])


def test_no_default_embedding_function(filled):
    for collection in (filled._collection, filled.store._collection):
        assert collection._embedding_function is None
        assert collection.configuration.get("embedding_function") is None
        # With no function to fall back on, Chroma refuses raw text instead of fetching a model.
        with pytest.raises(ValueError, match="embedding function"):
            collection.query(query_texts=["政务微信"], n_results=1)
    assert filled._collection.configuration_json["hnsw"]["space"] == "cosine"


def test_works_with_network_disabled(config, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    index = VectorIndex(config)
    index.add(["c1", "c2"], ["政务微信发布信息225条", "行政复议3件"], [{"year": 2020}, {"year": 2020}])
    assert index.search("微信推文数量", k=1)[0][0] == "c1"
    reader = VectorIndex(config, readonly=True)
    assert reader.store.similarity_search("微信推文数量", k=1)[0].page_content == "政务微信发布信息225条"


def test_readonly_without_index_creates_nothing(config):
    with pytest.raises(IndexMissing, match="python -m ingest"):
        VectorIndex(config, readonly=True)
    assert not (config.data_path / "chroma").exists()


def test_readonly_without_collection(config):
    VectorIndex(config.replace(collection="other-reports"))
    with pytest.raises(IndexMissing, match="reports"):
        VectorIndex(config, readonly=True)


def test_readonly_reads_but_refuses_writes(filled, config):
    reader = VectorIndex(config, readonly=True)
    assert reader.ids() == filled.ids()
    # A question whose passage leads clearly (a near tie would test the model's precision, not the reader).
    question = "广州人社在社交平台上发了多少条推文，有多少人关注？"
    assert reader.search(question, k=1)[0][0] == filled.search(question, k=1)[0][0] == _id_of(filled, "微信粉丝量超")
    with pytest.raises(ReadOnlyIndex):
        reader.add(["x"], ["x"], [{}])
    with pytest.raises(ReadOnlyIndex):
        reader.delete(sorted(filled.ids())[:1])
    assert len(reader.embed_query("微信")) == 384
