"""One writer at a time per store, across processes and threads.

Every write (ingest, re-ingest, delete, staff correction, repair) holds this
lock, so the start-up sweep of orphan vectors can only ever see vectors that no
live writer owns: a writer that has added vectors but not yet committed its
report still holds the lock. The lock is an OS file lock (flock) next to the
fact store, so it is released by the kernel when a writer dies, even by SIGKILL.
When the fact store is PostgreSQL, writers may run on several machines, each with
its own data_dir: a session-level advisory lock in that database is held as well,
released by the server when the writer's connection goes, however it ends.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

LOCK_NAME = "writer.lock"
# One key for every writer of a database (pg_advisory_lock takes a bigint); the value only has to
# differ from other applications' keys in the same database.
ADVISORY_KEY = 0x52415F5752495445  # "RA_WRITE"
_depth = threading.local()  # nested writes in one thread hold the database lock once


class WriterBusy(TimeoutError):
    """Another writer held the store for longer than we were willing to wait."""


def lock_path(config) -> Path:
    return Path(config.data_path) / LOCK_NAME


@contextmanager
def writer(config, on_wait: Callable[[str], None] | None = None, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's writer lock; ``on_wait`` is told once when another writer has it first.

    ``timeout``: seconds to wait (None = the ``writer_wait_seconds`` setting; < 0 = for ever).
    Re-entrant within a thread, so a write step may call another."""
    path = lock_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A singleton per path with per-thread state: the same thread may re-enter; other threads and
    # other processes wait, because each thread takes its own flock.
    lock = FileLock(str(path), is_singleton=True, thread_local=True)
    wait = float(config.writer_wait_seconds if timeout is None else timeout)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(WAITING.format(where="数据目录"))
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise _busy(path.parent, wait) from None
    try:
        held = getattr(_depth, "n", 0)
        with _database_lock(config, on_wait, wait) if held == 0 else nullcontext():
            _depth.n = held + 1
            try:
                yield
            finally:
                _depth.n = held
    finally:
        lock.release()


WAITING = "另一个导入正在写入同一{where}，等待其完成… (another ingest is running, waiting)"


def _busy(where, wait: float) -> WriterBusy:
    return WriterBusy(f"{where}: 另一个导入 {wait:g} 秒后仍在写入，本次未做任何改动 (another writer still holds the store)")


@contextmanager
def _database_lock(config, on_wait, wait: float) -> Iterator[None]:
    """For a PostgreSQL fact store: hold the writers' advisory lock in that database."""
    from sqlalchemy import text

    from .engines import display, engine_for, is_postgres
    from .factstore import store_url

    url = store_url(config)
    if not is_postgres(url):
        yield
        return
    engine = engine_for(url)
    try:
        # One session for the whole write: the lock belongs to it, and goes when it ends.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            deadline = None if wait < 0 else time.monotonic() + wait
            told = False
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
                if on_wait and not told:
                    on_wait(WAITING.format(where="数据库"))
                    told = True
                if deadline is not None and time.monotonic() > deadline:
                    raise _busy(display(url), wait)
                time.sleep(0.2)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
    finally:
        engine.dispose()
