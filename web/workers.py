"""Several worker processes: gunicorn, pre-forking, with the app imported once (``--preload``).

Why gunicorn: waitress is one process (threads share one interpreter lock, and one crash takes
the site down); gunicorn forks N processes that share the listening socket, restarts a worker
that dies, and with preload the code (torch, jieba, Flask) is imported once and shared
copy-on-write. Everything the workers must agree on is in the stores (web.state, the fact
store and its version counter), never in a process.

The embedding model's weights are loaded once, before the fork, and shared by the workers;
the parent does it with one thread (torch's, or ONNX Runtime's for the int8 model), because a
thread pool started before a fork does not survive it (a child would hang on its first inference). Each worker then gets its threads back,
builds its snapshot of the stores and answers one question as it starts (``post_worker_init``),
so the first real question is not the one that pays for it.
"""
from __future__ import annotations

import logging
import sys
import time

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class _Server(BaseApplication):
    def __init__(self, app, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def _preload(config) -> int:
    """Load what every worker shares (the model, jieba's dictionary) in the parent; returns the
    torch thread count to give back to each worker (0: the model runs without torch)."""
    import jieba

    from ingest.embeddings import EmbeddingModelMissing, configured_precision, get_embeddings

    jieba.initialize()
    threads = 0
    if configured_precision(config) != "int8":
        import torch
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
    try:
        # One ONNX Runtime thread: it then starts no pool, and each worker embeds a question on the
        # thread that asks (gunicorn's threads answer questions side by side).
        get_embeddings(config, threads=1)
    except EmbeddingModelMissing as exc:  # narrative answers fall back to BM25; say so once, here
        log.warning("%s", exc)
    return threads


def _post_fork(threads: int):
    def hook(_server, worker):
        worker.forked_at = time.perf_counter()

        from . import state
        if threads:
            import torch
            torch.set_num_threads(threads)
        # Connections opened in the parent (the state store's migration check) must not be shared.
        state.dispose_after_fork()
    return hook


def _post_worker_init(app):
    def hook(worker):
        from . import backend
        with app.app_context():
            try:
                backend.get().assistant().warm()
            except backend.Unavailable as exc:
                print(f"警告：{exc}（上传报告后可用）", file=sys.stderr, flush=True)
        # From fork to ready to answer at full speed: the worker's cold start.
        worker.log.info("worker %s ready %.1f s after its start (snapshot built, first answer given)",
                        worker.pid, time.perf_counter() - worker.forked_at)
    return hook


def serve(config, workers: int, threads: int = 8, timeout: int = 120) -> None:
    from . import create_app

    app = create_app(config)
    threads_per_worker = _preload(config)
    options = {
        "bind": f"{config.web_host}:{int(config.web_port)}",
        "workers": workers,
        # Threads per worker: a streamed answer or a console poll does not hold a whole process.
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "timeout": timeout,
        "graceful_timeout": 30,
        "post_fork": _post_fork(threads_per_worker),
        "post_worker_init": _post_worker_init(app),
        "accesslog": None,
        "proc_name": "report-assistant",
    }
    print(f"在 http://{config.web_host}:{config.web_port}/ 提供服务（{workers} 个工作进程）", flush=True)
    _Server(app, options).run()
