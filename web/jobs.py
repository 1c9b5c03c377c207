"""Console writes (upload, re-ingest, delete, correct) as jobs kept in the web state store.

A job runs in the worker process that accepted it, one at a time in the order they came
(across processes the store's writer lock, ``ingest.writer_lock``, keeps one writer at a
time), so no request waits for a writer. Its state and progress are written to the store as
they change, so any worker answers the console's polling; each process marks its unfinished
jobs with a heartbeat, and a job whose process stopped beating (a restart, a crash) is ended
as failed with a message to try again, never left "running" for ever.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from . import state

log = logging.getLogger(__name__)

KEEP_JOBS = 50
HEARTBEAT_SECONDS = 1.0
# A job whose process has not beaten for this long is taken for gone; long next to the beat, so
# a worker busy on a big PDF (its beat comes from its own thread) is never taken for dead.
STALE_SECONDS = 30.0
INTERRUPTED = "服务重启或中断，任务未完成，请重新提交 (interrupted by a restart; submit it again)"
_FIELDS = ("kind", "user_name", "state", "total", "done", "current", "results", "error", "created", "finished",
           "owner", "heartbeat")


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
    owner: str = ""

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state, "done": self.done, "total": self.total,
                "current": self.current, "results": list(self.results), "error": self.error,
                "created": self.created, "finished": self.finished}

    def row(self) -> dict:
        return {"id": self.id, "kind": self.kind, "user_name": self.user, "state": self.state, "total": self.total,
                "done": self.done, "current": self.current, "results": json.dumps(self.results, ensure_ascii=False),
                "error": self.error, "created": self.created, "finished": self.finished, "owner": self.owner,
                "heartbeat": time.time()}

    @classmethod
    def from_row(cls, r) -> "Job":
        return cls(r["id"], r["kind"], r["total"], user=r["user_name"], state=r["state"], done=r["done"],
                   current=r["current"], results=json.loads(r["results"]), error=r["error"], created=r["created"],
                   finished=r["finished"], owner=r["owner"])


class JobManager:
    def __init__(self, backend):
        self.backend = backend
        self._engine = state.engine(backend.config)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._live: dict[str, Job] = {}  # this process's unfinished jobs, saved by the heartbeat
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self.sweep()

    # --- the store ----------------------------------------------------------
    def _save(self, job: Job) -> None:
        with self._engine.begin() as db:
            db.execute(text("UPDATE jobs SET " + ", ".join(f"{f} = :{f}" for f in _FIELDS) + " WHERE id = :id"),
                       job.row())

    def sweep(self) -> int:
        """End the unfinished jobs of processes that stopped beating; returns how many."""
        now = time.time()
        with self._engine.begin() as db:
            return db.execute(text(
                "UPDATE jobs SET state = 'failed', error = :why, finished = :now, current = ''"
                " WHERE state IN ('queued', 'running') AND heartbeat < :stale"),
                {"why": INTERRUPTED, "now": now, "stale": now - STALE_SECONDS}).rowcount

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            live = self._live.get(job_id)
        if live is not None:
            return live
        self.sweep()
        with self._engine.connect() as db:
            row = db.execute(text("SELECT * FROM jobs WHERE id = :id"), {"id": job_id}).mappings().first()
        return Job.from_row(row) if row else None

    def _beat(self):
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            with self._lock:
                live = list(self._live.values())
            for job in live:
                try:
                    self._save(job)
                except Exception:  # the store briefly unreachable: the next beat tries again
                    log.warning("could not save job %s", job.id, exc_info=True)

    # --- running --------------------------------------------------------------
    def _submit(self, kind: str, total: int, user: str, work, failure: str, cleanup=None,
                results: list | None = None, current: str = "") -> Job:
        job = Job(secrets.token_urlsafe(9), kind, total, user=user, results=list(results or []), current=current,
                  owner=self.owner)
        with self._engine.begin() as db:
            db.execute(text(f"INSERT INTO jobs (id, {', '.join(_FIELDS)}) VALUES "
                            f"(:id, {', '.join(':' + f for f in _FIELDS)})"), job.row())
            db.execute(text("DELETE FROM jobs WHERE state IN ('finished', 'failed') AND id NOT IN "
                            "(SELECT id FROM jobs ORDER BY created DESC LIMIT :keep)"), {"keep": KEEP_JOBS})
        with self._lock:
            self._live[job.id] = job
            if not self._threads:
                self._threads = [threading.Thread(target=self._run_all, daemon=True, name="write-jobs"),
                                 threading.Thread(target=self._beat, daemon=True, name="job-heartbeat")]
                for t in self._threads:
                    t.start()
        self._queue.put((job, work, failure, cleanup))
        return job

    def _run_all(self):
        while True:
            job, work, failure, cleanup = self._queue.get()
            self._run(job, work, failure, cleanup)

    def _run(self, job: Job, work, failure: str, cleanup=None):
        """One write job; then the assistant re-reads the stores."""
        job.state = "running"
        self._save(job)
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
            with self._lock:
                self._live.pop(job.id, None)
            self._save(job)

    def _waiting(self, job: Job):
        def tell(_message):
            job.current = "等待另一个导入完成…"
        return tell

    def start_upload(self, staged: list[Path], user: str, rejected: list[dict]) -> Job:
        """Ingest files staged under uploads/.staging/<x>/; they are moved into uploads/ first."""
        from ingest import library

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
        from ingest import library

        def work(job: Job):
            job.results.append(_plain_result(library.reingest_report(self.backend.config, report_id), label))
            job.done = 1

        return self._submit("reingest", 1, user, work, "重新导入失败", current=label)

    def start_delete(self, report_id: int, file_name: str, user: str) -> Job:
        from ingest import library

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
        from ingest import library

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
