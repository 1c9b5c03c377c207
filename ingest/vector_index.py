"""The vector index of report chunks: a Chroma collection keyed by fact-store chunk ids.

Embedded (a PersistentClient in ``data_dir/chroma``) or a Chroma server, as
``chroma_mode`` says. Vectors always come from our own embedding model: the
collection is opened with no embedding function, because Chroma's default one
would try to download an ONNX model.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ingest.settings import Config

SPACE = "cosine"  # e5 vectors are normalised; similarity = 1 - cosine distance
ADD_BATCH = 256   # texts embedded and written per step, bounding memory on big reports


class IndexMissing(FileNotFoundError):
    pass


class ReadOnlyIndex(PermissionError):
    pass


def _client(config: Config, readonly: bool):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if config.chroma_mode == "server":
        return chromadb.HttpClient(host=config.chroma_host, port=int(config.chroma_port), settings=settings)
    if config.chroma_mode != "embedded":
        raise ValueError(f"chroma_mode must be 'embedded' or 'server', not {config.chroma_mode!r}")
    path = Path(config.data_path) / "chroma"
    # PersistentClient creates its folder and database on open; the answering
    # side must not leave an empty index behind when there is none.
    if readonly and not (path / "chroma.sqlite3").is_file():
        raise IndexMissing(f"{path}: no vector index here yet; run `python -m ingest` first")
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _where(agency: str | None, year: int | None, years: list[int] | None,
           report_ids: list[str] | None) -> dict | None:
    conditions = []
    if agency is not None:
        conditions.append({"agency": agency})
    if year is not None:
        conditions.append({"year": int(year)})
    if years is not None:
        conditions.append({"year": {"$in": [int(y) for y in years]}})
    if report_ids is not None:
        conditions.append({"report": {"$in": list(report_ids)}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _clean(metadata: dict) -> dict | None:
    # Chroma accepts only str/int/float/bool values, and no empty dict: an
    # unknown year (None) is left out, so a year filter simply skips the chunk.
    return {k: v for k, v in metadata.items() if v is not None} or None


class VectorIndex:
    """Chunk vectors for retrieval. ``readonly=True`` for the answering side."""

    def __init__(self, config: Config, readonly: bool = False, embeddings=None):
        self.config = config
        self.readonly = readonly
        self._embeddings = embeddings
        self._store = None
        self._client = _client(config, readonly)
        if readonly:
            from chromadb.errors import NotFoundError

            try:
                self._collection = self._client.get_collection(config.collection, embedding_function=None)
            except (NotFoundError, ValueError) as exc:  # ValueError: older chromadb servers
                raise IndexMissing(f"vector index has no collection {config.collection!r}; "
                                   "run `python -m ingest` first") from exc
        else:
            self._collection = self._client.get_or_create_collection(
                config.collection, embedding_function=None, configuration={"hnsw": {"space": SPACE}})

    @property
    def embeddings(self):
        """The shared embedding model, loaded on first use (ids/count/delete never need it)."""
        if self._embeddings is None:
            from ingest.embeddings import get_embeddings

            self._embeddings = get_embeddings(self.config)
        return self._embeddings

    @property
    def store(self):
        """The same collection as a LangChain vector store, e.g. for ``as_retriever()``."""
        if self._store is None:
            from langchain_chroma import Chroma

            # Chroma reopens the existing collection with get_or_create and no
            # embedding function, so this neither creates nor alters anything.
            self._store = Chroma(client=self._client, collection_name=self.config.collection,
                                 embedding_function=self.embeddings,
                                 collection_configuration={"hnsw": {"space": SPACE}})
        return self._store

    def embed_query(self, text: str) -> list[float]:
        return self.embeddings.embed_query(text)

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        """Embed and store chunks; an id already present is replaced."""
        self._writable()
        if not len(ids) == len(texts) == len(metadatas):
            raise ValueError(f"add: {len(ids)} ids, {len(texts)} texts, {len(metadatas)} metadatas")
        for start in range(0, len(ids), ADD_BATCH):
            part = slice(start, start + ADD_BATCH)
            self._collection.upsert(
                ids=list(ids[part]),
                embeddings=self.embeddings.embed_documents(list(texts[part])),
                documents=list(texts[part]),
                metadatas=[_clean(m) for m in metadatas[part]],
            )

    def relabel(self, ids: list[str], agency: str, year: int | None) -> None:
        """Give chunks another agency and year (a staff correction) without embedding them again."""
        self._writable()
        for start in range(0, len(ids), ADD_BATCH):
            part = list(ids[start:start + ADD_BATCH])
            meta = {"agency": agency, "year": year if year is not None else -1}
            self._collection.update(ids=part, metadatas=[dict(meta) for _ in part])

    def delete(self, ids: Iterable[str]) -> None:
        self._writable()
        ids = list(ids)
        if ids:
            self._collection.delete(ids=ids)

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return self._collection.count()

    def search(self, query: str, k: int, agency: str | None = None, year: int | None = None,
               years: list[int] | None = None, report_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Chunk ids with cosine similarity, best first, within the given filters.

        An empty ``years`` or ``report_ids`` list means "none of them", so it
        matches nothing (rather than lifting the filter).
        """
        if k <= 0 or years == [] or report_ids == [] or self.count() == 0:
            return []
        res = self._collection.query(
            query_embeddings=[self.embed_query(query)],
            n_results=k,
            where=_where(agency, year, years, report_ids),
            include=["distances"],
        )
        return [(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def _writable(self) -> None:
        if self.readonly:
            raise ReadOnlyIndex("this vector index was opened read-only")
