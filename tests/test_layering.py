"""Data flows one way: ``ingest`` writes the stores, ``assistant`` reads them, ``web`` talks to the
assistant and hands writes to ingestion's library. Checked on the import statements of the code."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

# What the answering side may use of ingest/: the shared definitions and the stores' read interfaces.
SHARED = {"ingest.settings", "ingest.template", "ingest.records", "ingest.units", "ingest.factstore", "ingest.vector_index",
          "ingest.engines", "ingest.store_schema", "ingest.embeddings", "ingest.pinyin"}
WEB_MAY_USE = SHARED | {"ingest.library"}


def _imports(package: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names |= {node.module} if node.module != "ingest" else {f"ingest.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        out[str(path.relative_to(ROOT))] = names
    return out


def _ingest_modules(names: set[str]) -> set[str]:
    return {n for n in names if n == "ingest" or n.startswith("ingest.")}


def test_the_answering_side_uses_only_the_shared_definitions_of_ingest():
    wrong = {f: _ingest_modules(n) - SHARED for f, n in _imports("assistant").items() if _ingest_modules(n) - SHARED}
    assert not wrong, wrong


def test_ingestion_never_imports_the_answering_side_or_the_web():
    wrong = {f: n for f, n in _imports("ingest").items()
             if any(m.split(".")[0] in ("assistant", "web") for m in n)}
    assert not wrong, wrong


def test_the_web_writes_only_through_ingestions_library():
    wrong = {f: _ingest_modules(n) - WEB_MAY_USE for f, n in _imports("web").items()
             if _ingest_modules(n) - WEB_MAY_USE}
    assert not wrong, wrong
