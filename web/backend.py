"""The one place the web app reaches the assistant, and the background write jobs.

The assistant is built lazily (loading the embedding model takes seconds) and
shared by all request threads; its ``reload()`` swaps in a fresh snapshot while
questions in flight finish on the old one, so answering never waits for an
upload. A watcher thread reloads it when another process (a CLI ingest, another
worker) changes the stores. Console writes are jobs (web.jobs).
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable

from flask import current_app

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """The assistant cannot be built (e.g. nothing ingested yet); the message is for users."""


class Backend:
    def __init__(self, config, factory: Callable | None = None):
        self.config = config
        self._factory = factory
        self._assistant = None
        self._build_lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        from .jobs import JobManager
        self.jobs = JobManager(self)

    def _build(self):
        if self._factory is not None:
            return self._factory(self.config)
        from assistant import Assistant
        return Assistant(self.config)

    def assistant(self):
        if self._assistant is None:
            with self._build_lock:
                if self._assistant is None:
                    try:
                        self._assistant = self._build()
                    except Exception as exc:
                        log.exception("assistant could not be built")
                        raise Unavailable("问答服务暂不可用：尚未导入报告或数据目录无法读取") from exc
                    self._watch()
        return self._assistant

    def _watch(self):
        """Reload when the store's version moves: writes by other processes show up within seconds."""
        interval = float(self.config.store_poll_seconds)
        if interval <= 0 or not hasattr(self._assistant, "refresh") or self._watcher is not None:
            return

        def loop():
            while True:
                time.sleep(interval)
                try:
                    if self._assistant.refresh():
                        log.info("stores changed elsewhere; answers now use the new data")
                except Exception:  # a store briefly unreadable: try again next time
                    log.warning("could not check the stores for changes", exc_info=True)

        self._watcher = threading.Thread(target=loop, daemon=True, name="store-watcher")
        self._watcher.start()

    def reload(self):
        if self._assistant is not None:  # else it is built on next use, from the new data
            self._assistant.reload()

    @property
    def uploads(self) -> Path:
        return self.config.data_path / "uploads"


def init_app(app):
    app.extensions["report_backend"] = Backend(app.config["REPORT_CONFIG"], app.config.get("ASSISTANT_FACTORY"))


def get() -> Backend:
    return current_app.extensions["report_backend"]


def assistant():
    """The shared assistant (raises Unavailable when it cannot be built)."""
    return get().assistant()
