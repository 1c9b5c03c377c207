"""The embedding model, as a LangChain ``Embeddings``, loaded once per process.

The model is a local sentence-transformers folder built by
``python -m ingest.build_model``; nothing here may reach a model hub.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

# huggingface_hub and transformers read these when first imported, so they are
# set before anything below can import them: a missing file must be an error,
# never a download.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from langchain_huggingface import HuggingFaceEmbeddings  # noqa: E402

from ingest.settings import ROOT, Config  # noqa: E402

# e5 was trained with these prefixes; the model folder names them as prompts.
QUERY_PROMPT = "query"
PASSAGE_PROMPT = "passage"
BATCH_SIZE = 32

_cache: dict[tuple[str, str], HuggingFaceEmbeddings] = {}
_lock = threading.Lock()


class EmbeddingModelMissing(FileNotFoundError):
    pass


def model_dir(config: Config) -> Path:
    """The model folder the configuration names, resolved against the project root."""
    path = Path(config.model_path)
    return path if path.is_absolute() else ROOT / path


def _check_model(path: Path) -> None:
    if not (path / "modules.json").is_file():
        raise EmbeddingModelMissing(
            f"embedding model not found at {path}. Build it once (offline, about 15 s) with "
            f"`make setup` or `python -m ingest.build_model --out {path}`."
        )


def get_embeddings(config: Config) -> HuggingFaceEmbeddings:
    """The shared embeddings for this model folder and device; loaded on first use."""
    path = model_dir(config)
    key = (str(path.resolve()), str(config.embedding_device))
    with _lock:  # the web app may ask from several threads at once; load only once
        if key not in _cache:
            _check_model(path)
            _cache[key] = HuggingFaceEmbeddings(
                model_name=key[0],
                model_kwargs={"device": key[1], "local_files_only": True},
                encode_kwargs={"prompt_name": PASSAGE_PROMPT, "normalize_embeddings": True,
                               "batch_size": BATCH_SIZE},
                query_encode_kwargs={"prompt_name": QUERY_PROMPT, "normalize_embeddings": True},
            )
        return _cache[key]
