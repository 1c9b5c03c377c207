"""One writer at a time per store, across processes and threads.

Every write (ingest, re-ingest, delete, staff correction, repair) holds this
lock, so the start-up sweep of orphan vectors can only ever see vectors that no
live writer owns: a writer that has added vectors but not yet committed its
report still holds the lock. The lock is an OS file lock (flock) next to the
fact store, so it is released by the kernel when a writer dies, even by SIGKILL.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

LOCK_NAME = "writer.lock"


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
            on_wait("另一个导入正在写入同一数据目录，等待其完成… (another ingest is running, waiting)")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise WriterBusy(f"{path.parent}: 另一个导入 {wait:g} 秒后仍在写入，本次未做任何改动 "
                             "(another writer still holds the store)") from None
    try:
        yield
    finally:
        lock.release()
