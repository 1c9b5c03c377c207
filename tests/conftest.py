"""Shared fixtures: the real corpus, and throw-away data directories (never the user's)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.servers import chroma_server  # noqa: F401  (a real `chroma run`, for any test)
from tests.pg_server import pg_url, postgres_server  # noqa: F401  (a real PostgreSQL, started on demand)

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REPORT_ASSISTANT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.fail(f"corpus not found at {CORPUS}; set REPORT_ASSISTANT_SHARED")
    return CORPUS


@pytest.fixture
def config(tmp_path):
    from ingest.settings import load
    return load(data_dir=str(tmp_path / "data"))


@pytest.fixture(scope="session")
def corpus_config(tmp_path_factory):
    """A data directory holding the whole shared corpus, ingested once per test session
    through the real pipeline (real SQLite, real Chroma, real embedding model)."""
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path_factory.mktemp("corpus-data")))
    return _ingest_corpus(cfg)


def _ingest_corpus(cfg):
    return ingest_all(cfg, [CORPUS / "reports", CORPUS / "html", CORPUS / "pdf"])


def ingest_all(cfg, paths):
    """Every file under ``paths`` through the real pipeline; any file that fails fails the test."""
    from ingest.pipeline import ingest_paths
    results = ingest_paths(cfg, paths)
    failed = [r.error for r in results if r.status != "ok"]
    assert not failed, failed
    return cfg


@pytest.fixture(scope="session")
def server_corpus_config(tmp_path_factory, postgres_server, chroma_server):
    """The same corpus through the same pipeline into the deployment engines: a real PostgreSQL
    (tests/pg_server.py) for the facts and a real `chroma run` (tests/servers.py) for the vectors."""
    from ingest.settings import load
    host, port = chroma_server
    cfg = load(data_dir=str(tmp_path_factory.mktemp("corpus-data-servers")),
               fact_store_url=postgres_server.new_database(), chroma_mode="server", chroma_host=host,
               chroma_port=port, collection="corpus")
    return _ingest_corpus(cfg)


def store_env(cfg) -> dict:
    """The environment that makes a child process (a CLI) read the stores ``cfg`` names."""
    keys = ("data_dir", "fact_store_url", "chroma_mode", "chroma_host", "chroma_port", "collection")
    return dict(os.environ, **{f"RA_{k.upper()}": str(getattr(cfg, k)) for k in keys})


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The web app over a few real reports (tests/e2e/webdata.py), for Flask test-client tests."""
    from tests.e2e.webdata import small_config
    from web import create_app
    # A fixed key: the shared data dir stays as ingested (no secret_key file written into it).
    return create_app(small_config(tmp_path_factory), {"TESTING": True, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()
