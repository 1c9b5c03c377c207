"""The vector index of report chunks: a Chroma collection keyed by fact-store chunk ids.

Embedded (a PersistentClient in ``data_dir/chroma``) or a Chroma server
(``chroma run --path DIR --port P`` reached at ``chroma_host:chroma_port``, with
``chroma_token`` if set), as ``chroma_mode`` says. Vectors always come from our
own embedding model: the collection is opened with no embedding function in
either mode, because Chroma's default one would try to download an ONNX model.
A server that cannot be reached raises ``IndexUnavailable`` naming its address.
"""
from __future__ import annotations

import string
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from ingest import engines
from ingest.settings import Config

SPACE = "cosine"  # e5 vectors are normalised; similarity = 1 - cosine distance
ADD_BATCH = 256   # texts embedded and written per step, bounding memory on big reports
_GET_BATCH = 1000


class IndexMissing(FileNotFoundError):
    pass


class ReadOnlyIndex(PermissionError):
    pass


class IndexUnavailable(ConnectionError):
    """The Chroma server of ``chroma_mode = server`` does not answer, or answers as no Chroma server."""


# What chromadb's token provider accepts; checked here so a bad token is named as such,
# not reported as an unreachable server.
TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + string.punctuation)


def _server_name(config: Config) -> str:
    return f"Chroma server at {config.chroma_host}:{config.chroma_port}"


def _add_token(settings, token: str) -> None:
    """Send ``chroma_token`` as ``Authorization: Bearer``, through chromadb's own client provider.

    ``chroma run`` in chromadb 1.x (the Rust server) checks no token: its auth hook is a no-op
    (chroma-core/chroma#3750) and it ignores the CHROMA_SERVER_AUTHN_* variables, so the token
    only protects a server behind a proxy (or a Chroma deployment) that checks it.
    """
    if not token:
        return
    if not set(token) <= TOKEN_CHARS:
        raise ValueError("chroma_token may hold only ASCII letters, digits and punctuation")
    settings.chroma_client_auth_provider = "chromadb.auth.token_authn.TokenAuthClientProvider"
    settings.chroma_client_auth_credentials = token


def _unavailable(config: Config, exc: BaseException) -> IndexUnavailable:
    """chromadb says "Could not connect" both when nothing listens and when something else answers
    (a proxy's 401, another program's 404), and names no address; the causes tell them apart."""
    import httpx

    causes = engines.causes(exc)
    if any(isinstance(c, httpx.TransportError) for c in causes):
        return IndexUnavailable(f"{_server_name(config)} does not answer; start one with `chroma run --path DIR "
                                f"--port {config.chroma_port}`, or set chroma_host/chroma_port (chroma_mode = server)")
    answer = next((str(c) for c in causes[1:] if str(c)), str(exc))
    return IndexUnavailable(f"{_server_name(config)} answered but not as a Chroma server that accepts us: "
                            f"{answer[:200]} (check chroma_token, chroma_host and chroma_port)")


def _server_client(config: Config, settings):
    import chromadb
    from chromadb.errors import ChromaError

    _add_token(settings, str(config.chroma_token or ""))
    host, port = str(config.chroma_host), int(config.chroma_port)
    try:
        # The client asks the server for its tenant on creation, so a dead server fails here, once.
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    except (ValueError, ChromaError) as exc:
        raise _unavailable(config, exc) from exc


def _client(config: Config, readonly: bool):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if config.chroma_mode == "server":
        return _server_client(config, settings)
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
        with self._reaching():
            self._collection = self._open_collection()

    def _open_collection(self):
        # embedding_function=None in both modes: chromadb embeds on the client side, and its default
        # function would fetch an ONNX model on first use; with none, raw text is refused instead.
        if not self.readonly:
            return self._client.get_or_create_collection(
                self.config.collection, embedding_function=None, configuration={"hnsw": {"space": SPACE}})
        from chromadb.errors import NotFoundError

        try:
            return self._client.get_collection(self.config.collection, embedding_function=None)
        except (NotFoundError, ValueError) as exc:  # ValueError: older chromadb servers
            where = _server_name(self.config) if self.config.chroma_mode == "server" else "vector index"
            raise IndexMissing(f"{where} has no collection {self.config.collection!r}; "
                               "run `python -m ingest` first") from exc

    @contextmanager
    def _reaching(self):
        """A server lost after opening fails with its address, not with a bare httpx error."""
        import httpx

        try:
            yield
        except httpx.TransportError as exc:
            raise IndexUnavailable(f"{_server_name(self.config)} stopped answering "
                                   f"({type(exc).__name__}: {exc})") from exc

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
            vectors = self.embeddings.embed_documents(list(texts[part]))
            with self._reaching():
                self._collection.upsert(ids=list(ids[part]), embeddings=vectors, documents=list(texts[part]),
                                        metadatas=[_clean(m) for m in metadatas[part]])

    def copy_from(self, source: "VectorIndex", ids: list[str], on_copied: Callable[[int], None] | None = None) -> int:
        """The vectors of ``ids`` read from ``source`` and written here as they are, not embedded
        again; those this index already holds are skipped, so an interrupted copy goes on where it
        stopped. Returns how many were written."""
        self._writable()
        written = 0
        for start in range(0, len(ids), _GET_BATCH):
            part = list(ids[start:start + _GET_BATCH])
            have = self.present(part)
            part = [i for i in part if i not in have]
            if part:
                with source._reaching():
                    got = source._collection.get(ids=part, include=["embeddings", "documents", "metadatas"])
                if len(got["ids"]):
                    with self._reaching():
                        self._collection.upsert(ids=list(got["ids"]), embeddings=got["embeddings"],
                                                documents=got["documents"], metadatas=got["metadatas"])
                    written += len(got["ids"])
            if on_copied:
                on_copied(min(start + _GET_BATCH, len(ids)))
        return written

    def relabel(self, ids: list[str], agency: str, year: int | None) -> None:
        """Give chunks another agency and year (a staff correction) without embedding them again."""
        self._writable()
        for start in range(0, len(ids), ADD_BATCH):
            part = list(ids[start:start + ADD_BATCH])
            meta = {"agency": agency, "year": year if year is not None else -1}
            with self._reaching():
                self._collection.update(ids=part, metadatas=[dict(meta) for _ in part])

    def delete(self, ids: Iterable[str]) -> None:
        self._writable()
        ids = list(ids)
        if ids:
            with self._reaching():
                self._collection.delete(ids=ids)

    def ids(self) -> set[str]:
        with self._reaching():
            return set(self._collection.get(include=[])["ids"])

    def present(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` the index holds: a lookup by id, whatever the size of the index."""
        ids, found = list(ids), set()
        for start in range(0, len(ids), _GET_BATCH):
            with self._reaching():
                found.update(self._collection.get(ids=ids[start:start + _GET_BATCH], include=[])["ids"])
        return found

    def count(self) -> int:
        with self._reaching():
            return self._collection.count()

    def search(self, query: str, k: int, agency: str | None = None, year: int | None = None,
               years: list[int] | None = None, report_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Chunk ids with cosine similarity, best first, within the given filters.

        An empty ``years`` or ``report_ids`` list means "none of them", so it
        matches nothing (rather than lifting the filter).
        """
        if k <= 0 or years == [] or report_ids == [] or self.count() == 0:
            return []
        vector = self.embed_query(query)
        with self._reaching():
            res = self._collection.query(query_embeddings=[vector], n_results=k,
                                         where=_where(agency, year, years, report_ids), include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def rank(self, query: str, ids: list[str], k: int) -> list[tuple[str, float]]:
        """The ``k`` of ``ids`` most similar to ``query``, by exact cosine over their vectors read by id.

        For a scope of a few reports this costs O(scope), where a filtered ``search`` costs O(store):
        Chroma filters the metadata of every vector first (65 ms at 90,000 chunks, against 3 ms to
        read 25 vectors by id). Ids without a vector are skipped."""
        if k <= 0 or not ids:
            return []
        import numpy as np

        found, vectors = [], []
        for start in range(0, len(ids), _GET_BATCH):
            with self._reaching():
                got = self._collection.get(ids=list(ids[start:start + _GET_BATCH]), include=["embeddings"])
            if len(got["ids"]):
                found += got["ids"]
                vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        if not found:
            return []
        matrix = np.vstack(vectors)
        q = np.asarray(self.embed_query(query), dtype=np.float32)
        sims = matrix @ q / np.maximum(np.linalg.norm(matrix, axis=1) * np.linalg.norm(q), 1e-12)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(found[i], float(sims[i])) for i in order]

    def _writable(self) -> None:
        if self.readonly:
            raise ReadOnlyIndex("this vector index was opened read-only")
