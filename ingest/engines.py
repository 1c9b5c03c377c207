"""Database engines and their migrations, for every store the product keeps.

The fact store (ingest.factstore) and the web app's own state (web.state: accounts, sign-in
failures, jobs, the secret key) are both SQLAlchemy 2 Core over one URL each: ``sqlite:///path``
(the embedded default) or ``postgresql://…`` (psycopg 3, pooled). Each store has its own Alembic
history and version table, so both can live in one PostgreSQL database.
"""
from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine


class StoreMissing(FileNotFoundError):
    pass


def unreachable_errors() -> tuple[type[BaseException], ...]:
    """What a store that cannot be reached raises: a database server down or refusing us
    (SQLAlchemy's OperationalError), or the Chroma server (vector_index.IndexUnavailable)."""
    from sqlalchemy.exc import OperationalError

    from .vector_index import IndexUnavailable
    return (OperationalError, IndexUnavailable)


def causes(exc: BaseException | None) -> list[BaseException]:
    """An error and what it was raised from or while handling, outermost first (at most ten)."""
    chain = []
    while exc is not None and len(chain) < 10:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def describe(exc: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's statement and background link."""
    inner = getattr(exc, "orig", None) or exc
    return str(inner).strip().split("\n", 1)[0]


def is_postgres(url: str) -> bool:
    return url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def display(url: str) -> str:
    """A store URL fit for a message: the password, if any, left out."""
    if is_postgres(url) and "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url.removeprefix("sqlite:///")


def engine_for(url: str, readonly: bool = False) -> Engine:
    """The one place a store URL becomes an engine: ``sqlite:///path`` or ``postgresql://…``."""
    if is_postgres(url):
        # psycopg 3 is the driver in requirements; a bare postgresql:// would mean psycopg2.
        scheme, rest = url.split("://", 1)
        engine = create_engine(url if "+" in scheme else "postgresql+psycopg://" + rest,
                               pool_size=5, max_overflow=5, pool_pre_ping=True)
        if readonly:
            @event.listens_for(engine, "connect")
            def _read_only(dbapi_conn, _record):
                with dbapi_conn.cursor() as cur:
                    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                dbapi_conn.commit()
        return engine
    if not url.startswith("sqlite:///"):
        raise ValueError(f"{url!r}: expected sqlite:///PATH or postgresql://USER@HOST/DB")
    path = Path(url.removeprefix("sqlite:///"))
    if readonly:
        if not path.exists():
            raise StoreMissing(f"{path}: no fact store here yet; run `python -m ingest` first")
        # mode=ro: the answering side can never create, lock for writing or alter the file.
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, check_same_thread=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE
    return engine


class Migrations:
    """One store's Alembic history: its scripts folder and the table recording where a database is."""

    def __init__(self, scripts: Path, version_table: str = "alembic_version", legacy_table: str | None = None):
        self.scripts, self.version_table, self.legacy_table = scripts, version_table, legacy_table

    def _config(self, conn: Connection):
        cfg = _alembic_config(self.scripts)
        cfg.attributes["connection"] = conn
        cfg.attributes["version_table"] = self.version_table
        return cfg

    @property
    def head(self) -> str:
        return _head(self.scripts)

    def current(self, conn: Connection) -> str | None:
        tables = set(inspect(conn).get_table_names())
        if self.version_table in tables:
            return conn.execute(text(f"SELECT version_num FROM {self.version_table}")).scalar()
        if self.legacy_table and self.legacy_table in tables:
            # Stores from before Alembic counted their own steps; those are revisions 0001, 0002, ...
            done = conn.execute(text(f"SELECT MAX(version) FROM {self.legacy_table}")).scalar()
            return f"{done:04d}" if done else None
        return None

    def upgrade(self, engine: Engine, revision: str = "head") -> None:
        """Bring the database to ``revision`` (the newest by default); a no-op when it is there already."""
        from alembic import command

        with engine.begin() as conn:
            stamped = self.version_table in inspect(conn).get_table_names()
            current = self.current(conn)
            if stamped and current == (self.head if revision == "head" else revision):
                return
            cfg = self._config(conn)
            if not stamped and current:
                command.stamp(cfg, current)
            command.upgrade(cfg, revision)


def _alembic_config(scripts: Path):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(scripts))
    return cfg


@lru_cache(maxsize=None)
def _head(scripts: Path) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(scripts)).get_current_head()
