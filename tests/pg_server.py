"""A real PostgreSQL for the tests: Debian's server binaries, a cluster in a temporary folder.

The cluster is made with initdb and run with pg_ctl on a free port, once per test session;
each test that asks for ``pg_url`` gets a database of its own. initdb refuses to run as root,
so under root (CI containers) the server runs as the ``postgres`` account the Debian package
creates. Missing binaries are a failure, not a skip: `make test` installs them (make postgres).
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().with_name("initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PostgresServer:
    def __init__(self, bin_dir: Path, root: Path):
        self.bin_dir, self.root = bin_dir, root
        self.data, self.port = root / "data", _free_port()
        self._names = itertools.count(1)

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(_as_owner([str(self.bin_dir / tool), *args]), capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{tool} {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        if not (self.data / "PG_VERSION").exists():  # a cluster kept from an earlier start is reused
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        except RuntimeError:
            pass

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t{next(self._names)}_{int(time.time() * 1000) % 10**8}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.fail("PostgreSQL server binaries not found: install Debian's postgresql (`make postgres`)")
    root = Path(tempfile.mkdtemp(prefix="ra-pg-"))
    server = PostgresServer(bin_dir, root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A fresh, empty database on the session's server."""
    return postgres_server.new_database()
