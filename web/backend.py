"""The one place the web app reaches the assistant, and the background write jobs.

The assistant is built lazily (loading the embedding model takes seconds) and
shared by all request threads; its ``reload()`` swaps in a fresh snapshot while
questions in flight finish on the old one, so answering never waits for an
upload. A watcher thread reloads it when another process (a CLI ingest, another
worker) changes the stores. Every console write is a job run by one job thread,
so no request ever waits for a writer; across processes the store's writer lock
(``ingest.writer_lock``) keeps one writer at a time.
"""
from __future__ import annotations

import logging
import queue
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from flask import current_app

log = logging.getLogger(__name__)

KEEP_JOBS = 50


class Unavailable(Exception):
    """The assistant cannot be built (e.g. nothing ingested yet); the message is for users."""


class Backend:
    def __init__(self, config, factory: Callable | None = None):
        self.config = config
        self._factory = factory
        self._assistant = None
        self._build_lock = threading.Lock()
        self._watcher: threading.Thread | None = None
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


# --- background ingestion ---------------------------------------------------

@dataclass
class Job:
    id: str
    kind: str                      # upload | reingest | delete | correct
    total: int
    user: str = ""
    state: str = "queued"          # queued | running | finished | failed
    done: int = 0
    current: str = ""
    results: list = field(default_factory=list)
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state, "done": self.done, "total": self.total,
                "current": self.current, "results": list(self.results), "error": self.error,
                "created": self.created, "finished": self.finished}


class JobManager:
    """Console writes as jobs, run one at a time by one thread in the order they came.

    Jobs live in memory: the console polls them; a restart forgets them (the stores keep the results)."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._runner: threading.Thread | None = None

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _submit(self, kind: str, total: int, user: str, work, failure: str, cleanup=None,
                results: list | None = None, current: str = "") -> Job:
        job = Job(secrets.token_urlsafe(9), kind, total, user=user, results=list(results or []), current=current)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
            if self._runner is None:
                self._runner = threading.Thread(target=self._run_all, daemon=True, name="write-jobs")
                self._runner.start()
        self._queue.put((job, work, failure, cleanup))
        return job

    def _run_all(self):
        while True:
            job, work, failure, cleanup = self._queue.get()
            self._run(job, work, failure, cleanup)

    def _run(self, job: Job, work, failure: str, cleanup=None):
        """One write job; then the assistant re-reads the stores."""
        job.state = "running"
        try:
            work(job)
            self.backend.reload()
            job.state = "finished"
        except Exception as exc:
            log.exception("%s job %s failed", job.kind, job.id)
            job.state, job.error = "failed", f"{failure}：{exc}"
        finally:
            if cleanup:
                cleanup()
            job.finished = time.time()

    def _waiting(self, job: Job):
        def tell(_message):
            job.current = "等待另一个导入完成…"
        return tell

    def start_upload(self, staged: list[Path], user: str, rejected: list[dict]) -> Job:
        """Ingest files staged under uploads/.staging/<x>/; they are moved into uploads/ first."""
        from assistant import library

        def work(job: Job):
            # Moved only now, when this job's turn has come, so a file is never replaced while being read.
            paths = []
            for src in staged:
                dest = self.backend.uploads / src.name
                src.replace(dest)
                paths.append(str(dest))
            job.current = staged[0].name

            def progress(done, total, _file_name):
                # Called after each file: show the one now being read.
                job.done, job.total = done, total
                job.current = Path(paths[done]).name if done < len(paths) else ""

            results = library.ingest_paths(self.backend.config, paths, on_progress=progress,
                                           on_wait=self._waiting(job))
            job.results.extend(_plain_result(r) for r in results)
            job.done = job.total

        def cleanup():
            if staged:
                shutil.rmtree(staged[0].parent, ignore_errors=True)

        return self._submit("upload", len(staged), user, work, "导入失败", cleanup, results=rejected)

    def start_reingest(self, report_id: int, label: str, user: str) -> Job:
        from assistant import library

        def work(job: Job):
            job.results.append(_plain_result(library.reingest_report(self.backend.config, report_id), label))
            job.done = 1

        return self._submit("reingest", 1, user, work, "重新导入失败", current=label)

    def start_delete(self, report_id: int, file_name: str, user: str) -> Job:
        from assistant import library

        def work(job: Job):
            deleted = library.delete_report(self.backend.config, report_id)
            if deleted:
                # The uploaded copy goes too, so a deleted report cannot come back on the next re-ingest.
                copy = self.backend.uploads / file_name
                if copy.parent == self.backend.uploads and copy.is_file():
                    copy.unlink()
            job.results.append({"file": file_name, "status": "deleted" if deleted else "failed",
                                "report_id": None, "facts": None, "chunks": None, "warnings": [],
                                "error": None if deleted else "未能删除（可能已被删除）"})
            job.done = 1

        return self._submit("delete", 1, user, work, "删除失败", current=file_name)

    def start_correct(self, report_id: int, file_name: str, agency: str, year: int | None, user: str) -> Job:
        from assistant import library

        def work(job: Job):
            try:
                library.correct_report(self.backend.config, report_id, agency, year, user)
                status, error = "corrected", None
            except (KeyError, ValueError) as exc:
                status, error = "failed", str(exc)
            job.results.append({"file": file_name, "status": status, "report_id": report_id, "facts": None,
                                "chunks": None, "warnings": [f"{agency.strip(' #')} {year or '—'}年"],
                                "error": error})
            job.done = 1

        return self._submit("correct", 1, user, work, "更正失败", current=file_name)


def _plain_result(r: dict, label: str = "") -> dict:
    """Only what the console shows, as JSON-safe values."""
    return {
        "file": Path(str(r.get("file") or label)).name,
        "status": str(r.get("status", "")),
        "report_id": r.get("report_id"),
        "facts": r.get("facts"),
        "chunks": r.get("chunks"),
        "warnings": [str(w) for w in (r.get("warnings") or [])],
        "error": None if r.get("error") is None else str(r.get("error")),
    }
