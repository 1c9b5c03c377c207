"""Real servers for the tests: a Chroma server (`chroma run`), started once per session,
and a token-checking proxy to put in front of it.

Registered for every test module by tests/conftest.py; a test that never asks for
``chroma_server`` never starts one.
"""
from __future__ import annotations

import http.client
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

# Loopback by number: "localhost" may resolve to ::1 first, where `chroma run` does not listen.
HOST = "127.0.0.1"
START_TIMEOUT = 30  # seconds; a loaded 2-core machine takes a few to bring the Rust server up
STOP_TIMEOUT = 10


def chroma_executable() -> Path:
    """The `chroma` script of the interpreter running the tests, so server and client are one version."""
    beside = Path(sys.executable).with_name("chroma")
    if beside.is_file():
        return beside
    found = shutil.which("chroma")
    if found is None:
        pytest.fail(f"no `chroma` executable next to {sys.executable} or on PATH (pip install chromadb)")
    return Path(found)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def heartbeat(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/api/v2/heartbeat", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _wait_until_up(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`chroma run` exited with {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        if heartbeat(HOST, port):
            return
        time.sleep(0.2)
    pytest.fail(f"`chroma run` gave no heartbeat on {HOST}:{port} within {START_TIMEOUT}s:\n"
                f"{log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def running_chroma(path: Path):
    """A `chroma run` over ``path`` on a free port, yielding (host, port) once it answers."""
    port = free_port()
    log = path.parent / f"{path.name}.log"
    # Output to a file, not a pipe: nobody reads a pipe while tests run, and a full one would stall the server.
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(chroma_executable()), "run", "--path", str(path), "--host", HOST,
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        _wait_until_up(proc, port, log)
        yield HOST, port
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """(host, port) of a real Chroma server shared by the session; tests use their own collection names."""
    with running_chroma(tmp_path_factory.mktemp("chroma-server") / "db") as address:
        yield address


class _TokenCheck(http.server.BaseHTTPRequestHandler):
    """Forwards to the upstream Chroma server only requests bearing the token, as a proxy in
    front of `chroma run` would: chromadb 1.x's Rust server checks no token itself."""

    def _forward(self) -> None:
        upstream, token = self.server.upstream, self.server.token
        self.server.seen.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != f"Bearer {token}":
            self._reply(401, [("Content-Type", "text/plain")], b"missing or wrong token")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        conn = http.client.HTTPConnection(*upstream, timeout=60)
        try:
            conn.request(self.command, self.path, body=body or None,
                         headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")})
            resp = conn.getresponse()
            headers = [(k, v) for k, v in resp.getheaders()
                       if k.lower() not in ("connection", "content-length", "transfer-encoding")]
            self._reply(resp.status, headers, resp.read())
        finally:
            conn.close()

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def log_message(self, *args) -> None:  # the test output is no place for an access log
        pass


@contextmanager
def token_proxy(upstream: tuple[str, int], token: str):
    """A proxy on a free port that lets through to ``upstream`` only ``Authorization: Bearer <token>``.

    Yields the server; ``.server_address`` is where to connect, ``.seen`` the Authorization headers received."""
    server = http.server.ThreadingHTTPServer((HOST, 0), _TokenCheck)
    server.upstream, server.token, server.seen = upstream, token, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
