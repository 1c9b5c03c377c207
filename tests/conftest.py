"""Shared fixtures: the real corpus, and throw-away data directories (never the user's)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    from ingest.pipeline import ingest_paths
    from ingest.settings import load
    cfg = load(data_dir=str(tmp_path_factory.mktemp("corpus-data")))
    results = ingest_paths(cfg, [CORPUS / "reports", CORPUS / "html", CORPUS / "pdf"])
    failed = [r.error for r in results if r.status != "ok"]
    assert not failed, failed
    return cfg


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
