"""Data directories and a live server for the web tests (test-client and browser alike).

The small data directory is ingested once per session through the real
pipeline; tests that change data (upload, delete, re-ingest) work on a copy.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

from tests.conftest import CORPUS

SMALL_FILES = [
    "reports/广州市人力资源和社会保障局_2020.txt",
    "reports/平潭综合实验区_2021.txt",
    "reports/平潭综合实验区_2022.txt",
    # The PDFs, not the text copies: their tables keep the cells (the text copies scramble them).
    "pdf/淮安市洪泽区人民政府_2023.pdf",
    "pdf/淮安市洪泽区人民政府_2024.pdf",
    "pdf/淮安市人民政府_2024.pdf",  # a second agency in 2024, for comparisons
]
UPLOAD_FILE = CORPUS / "reports" / "沭阳县发展和改革局_2023.txt"

_small: dict[str, Path] = {}


def small_data_dir(tmp_path_factory) -> Path:
    """The reports above, ingested once per session; never modify it, take ``copy_data_dir`` of it.

    The web tests keep to these few files (not the whole corpus) so they do not depend on how
    every corpus file ingests, and the browser tests start quickly."""
    if "dir" not in _small:
        from ingest.pipeline import ingest_paths
        from ingest.settings import load
        path = tmp_path_factory.mktemp("web-small-data")
        results = ingest_paths(load(data_dir=str(path)), [CORPUS / f for f in SMALL_FILES])
        failed = [r.error for r in results if r.status != "ok"]
        assert not failed, failed
        _small["dir"] = path
    return _small["dir"]


def small_config(tmp_path_factory):
    from ingest.settings import load
    return load(data_dir=str(small_data_dir(tmp_path_factory)))


def copy_data_dir(src: Path, tmp_path_factory, name: str) -> Path:
    dest = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(src, dest)
    return dest


class LiveServer:
    """The real app under waitress (as in production) on a free port, in a background thread."""

    def __init__(self, app, threads: int = 8):
        from waitress.server import create_server
        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads, send_bytes=1)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="waitress-test")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.close()
        self.server.task_dispatcher.shutdown()
        self.thread.join(timeout=5)
