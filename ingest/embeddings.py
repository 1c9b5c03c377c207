"""The embedding model, as a LangChain ``Embeddings``, loaded once per process.

The model is a local sentence-transformers folder built by
``python -m ingest.build_model``; nothing here may reach a model hub.

Passages are embedded in length-sorted batches with identical texts embedded
once; ``ahead`` lets the ingest embed the chunks of several reports in one such
run before it writes the first.

``embedding_precision`` picks the arithmetic:
- ``int8``: the folder's int8 ONNX copy (ingest/onnx_model.py) under ONNX Runtime,
  about 2.5x faster than float32 torch on a CPU without bfloat16, vectors within
  cosine 0.99 of float32 ones; no torch in the process.
- ``bfloat16``: torch with bfloat16 autocast, about twice as fast where the CPU
  has native bfloat16 (``avx512_bf16`` / ``amx_bf16``), within cosine 0.9999.
- ``float32``: torch, the reference.
- ``auto``: int8 when the folder has the copy, else bfloat16 where native, else
  float32.
Every choice embeds into the same space, so an index built one way answers
queries embedded another way.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterable, Iterator

# huggingface_hub and transformers read these when first imported, so they are
# set before anything below can import them: a missing file must be an error,
# never a download.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from langchain_core.embeddings import Embeddings  # noqa: E402

from ingest import onnx_model  # noqa: E402
from ingest.settings import ROOT, Config  # noqa: E402

# e5 was trained with these prefixes; the model folder names them as prompts.
QUERY_PROMPT = "query"
PASSAGE_PROMPT = "passage"
BATCH_SIZE = 32
PRECISIONS = ("auto", "float32", "bfloat16", "int8")

_cache: dict[tuple[str, str, str], "E5Embeddings"] = {}
_lock = threading.Lock()
_auto: dict[tuple[str, str], str] = {}  # what "auto" resolved to, per model folder and device


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


def cpu_has_bf16() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (without it, bfloat16 is emulated and slower)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def resolve_precision(precision: str, device: str, path: Path | None = None) -> str:
    """``int8``, ``float32`` or ``bfloat16``: what ``embedding_precision`` means for this model
    folder on this device and CPU."""
    if precision not in PRECISIONS:
        raise ValueError(f"embedding_precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision == "auto":
        if str(device) == "cpu" and path is not None and onnx_model.is_built(path):
            return "int8"
        return "bfloat16" if str(device) == "cpu" and cpu_has_bf16() else "float32"
    return precision


class _TorchEncoder:
    """sentence-transformers on torch, in float32 or with bfloat16 autocast."""

    def __init__(self, path: str, device: str, precision: str):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(path, device=device, local_files_only=True)
        self.device, self.precision = device, precision

    def encode(self, texts: list[str], prompt: str):
        import torch

        autocast = (torch.autocast(device_type=self.device.split(":")[0], dtype=torch.bfloat16)
                    if self.precision == "bfloat16" else nullcontext())
        with autocast:
            # encode sorts the texts by length and pads each batch only to its own longest text.
            return self.model.encode(texts, prompt_name=prompt, batch_size=BATCH_SIZE,
                                     normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


class E5Embeddings(Embeddings):
    """multilingual-e5: passages with ``passage: ``, queries with ``query: ``, unit-length vectors.
    Thread-safe: the web app embeds questions from several threads at once. ``threads`` bounds the
    int8 encoder's threads (0 = one per core; see onnx_model.OnnxEncoder)."""

    def __init__(self, path: str, device: str = "cpu", precision: str = "float32", threads: int = 0):
        self.device, self.precision = str(device), precision
        self.encoder = (onnx_model.OnnxEncoder(Path(path), threads=threads) if precision == "int8"
                        else _TorchEncoder(path, self.device, precision))
        self._ahead: dict[str, list[float]] = {}
        self._ahead_lock = threading.Lock()

    def _encode(self, texts: list[str], prompt: str) -> list[list[float]]:
        # As langchain_huggingface does, so vectors match indexes built through it.
        texts = [t.replace("\n", " ") for t in texts]
        return self.encoder.encode(texts, prompt).astype("float32").tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        with self._ahead_lock:
            known = {t: self._ahead[t] for t in texts if t in self._ahead}
        todo = list(dict.fromkeys(t for t in texts if t not in known))  # each distinct text once
        if todo:
            known.update(zip(todo, self._encode(todo, PASSAGE_PROMPT)))
        return [known[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], QUERY_PROMPT)[0]

    @contextmanager
    def ahead(self, texts: Iterable[str]) -> Iterator[None]:
        """Embed these passages now, in one run, and serve ``embed_documents`` from them inside the block:
        chunks of several reports batched together pad far less than each report's alone."""
        todo = list(dict.fromkeys(texts))
        with self._ahead_lock:
            todo = [t for t in todo if t not in self._ahead]
        vectors = dict(zip(todo, self._encode(todo, PASSAGE_PROMPT))) if todo else {}
        with self._ahead_lock:
            self._ahead.update(vectors)
        try:
            yield
        finally:
            with self._ahead_lock:
                for t in vectors:
                    self._ahead.pop(t, None)


def configured_precision(config: Config) -> str:
    """What ``embedding_precision`` resolves to for this configuration's model folder and device.

    ``auto`` is resolved once per process and folder: a running ingest or app keeps the precision it
    started with, rather than switching (and filling one index with two kinds of vectors) when the
    folder is rebuilt under it and its int8 copy is missing for a moment or stamped by newer code."""
    precision, device, path = str(config.values.get("embedding_precision", "auto")), str(config.embedding_device), \
        model_dir(config)
    if precision != "auto":
        return resolve_precision(precision, device, path)
    key = (str(path.resolve()), device)
    with _lock:
        if key not in _auto:
            _auto[key] = resolve_precision(precision, device, path)
        return _auto[key]


def get_embeddings(config: Config, threads: int = 0) -> E5Embeddings:
    """The shared embeddings for this model folder, device and precision; loaded on first use
    (``threads`` applies to that first load: a process about to fork passes 1)."""
    path = model_dir(config)
    device = str(config.embedding_device)
    precision = configured_precision(config)
    key = (str(path.resolve()), device, precision)
    with _lock:  # the web app may ask from several threads at once; load only once
        if key not in _cache:
            _check_model(path)
            if precision == "int8" and not onnx_model.is_built(path):
                raise EmbeddingModelMissing(f"int8 copy of the embedding model not found at "
                                            f"{onnx_model.int8_path(path)}. Build it with `make setup` or "
                                            f"`python -m ingest.build_model --out {path}`.")
            _cache[key] = E5Embeddings(key[0], device, precision, threads)
        return _cache[key]
