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
from contextlib import contextmanager
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
            on_wait(WAITING)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise WriterBusy(f"{path.parent}: 另一个导入 {wait:g} 秒后仍在写入，本次未做任何改动 "
                             "(another writer still holds the store)") from None
    try:
        held = getattr(_depth, "n", 0)
        session = _database_lock(config, on_wait, wait) if held == 0 else None
        _depth.n = held + 1
        try:
            yield
        finally:
            _depth.n = held
            if session is not None:
                session.close()  # ends the session, and with it the advisory lock
    finally:
        lock.release()


WAITING = "另一个导入正在写入同一数据目录，等待其完成… (another ingest is running, waiting)"


def _database_lock(config, on_wait, wait: float):
    """For a PostgreSQL fact store: a connection holding the writers' advisory lock; else None."""
    from .engines import is_postgres
    from .factstore import store_url

    url = store_url(config)
    if not is_postgres(url):
        return None
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True)
    deadline = None if wait < 0 else time.monotonic() + wait
    told = False
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()[0]:
        if on_wait and not told:
            on_wait(WAITING.replace("同一数据目录", "同一数据库"))
            told = True
        if deadline is not None and time.monotonic() > deadline:
            conn.close()
            raise WriterBusy(f"{config.fact_store_url.split('@')[-1]}: 另一个导入 {wait:g} 秒后仍在写入，"
                             "本次未做任何改动 (another writer still holds the store)")
        time.sleep(0.2)
    return conn
