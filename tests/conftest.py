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
