"""The one place the web app reaches the assistant, and the background ingestion jobs.

The assistant is built lazily (loading the embedding model takes seconds) and
shared by all request threads; its ``reload()`` swaps in a fresh snapshot while
questions in flight finish on the old one, so answering never waits for an
upload. Writes to the stores are serialised by ``write_lock``.
"""
from __future__ import annotations

import logging
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
        # One write to the stores at a time: ingestion, re-ingestion and deletion.
        self.write_lock = threading.Lock()
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
        return self._assistant

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
    kind: str                      # upload | reingest
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
    """Jobs live in memory: the console polls them; a restart forgets them (the stores keep the results)."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _new(self, kind: str, total: int, user: str, rejected: list[dict]) -> Job:
        job = Job(secrets.token_urlsafe(9), kind, total, user=user, results=list(rejected))
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        return job

    def start_upload(self, staged: list[Path], user: str, rejected: list[dict]) -> Job:
        """Ingest files staged under uploads/.staging/<x>/; they are moved into uploads/ first."""
        job = self._new("upload", len(staged), user, rejected)
        threading.Thread(target=self._run_upload, args=(job, staged), daemon=True,
                         name=f"ingest-{job.id}").start()
        return job

    def start_reingest(self, report_id: int, label: str, user: str) -> Job:
        job = self._new("reingest", 1, user, [])
        job.current = label
        threading.Thread(target=self._run_reingest, args=(job, report_id, label), daemon=True,
                         name=f"reingest-{job.id}").start()
        return job

    def _run(self, job: Job, work, failure: str, cleanup=None):
        """One write job: under the write lock, then the assistant re-reads the stores."""
        with self.backend.write_lock:
            job.state = "running"
            try:
                work()
                self.backend.reload()
                job.state = "finished"
            except Exception as exc:
                log.exception("%s job %s failed", job.kind, job.id)
                job.state, job.error = "failed", f"{failure}：{exc}"
            finally:
                if cleanup:
                    cleanup()
                job.finished = time.time()

    def _run_upload(self, job: Job, staged: list[Path]):
        from assistant import library

        def work():
            # Moved only now, under the write lock, so a file is never replaced while it is being read.
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

            results = library.ingest_paths(self.backend.config, paths, on_progress=progress)
            job.results.extend(_plain_result(r) for r in results)
            job.done = job.total

        def cleanup():
            if staged:
                shutil.rmtree(staged[0].parent, ignore_errors=True)

        self._run(job, work, "导入失败", cleanup)

    def _run_reingest(self, job: Job, report_id: int, label: str):
        from assistant import library

        def work():
            job.results.append(_plain_result(library.reingest_report(self.backend.config, report_id), label))
            job.done = 1

        self._run(job, work, "重新导入失败")


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
