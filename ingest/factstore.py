"""The fact store: reports, their facts and their chunks, in SQLite (default) or PostgreSQL.

Schema changes are migration functions recorded in ``schema_migrations``, so an
old database upgrades itself on open. The answering side opens it read-only.
Writes of one report happen in one transaction: a report is stored whole or not at all.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .records import ParsedReport

FACT_COLUMNS = ("report_id", "agency", "year", "table_key", "table_label", "row_key", "row_group", "row_label",
                "column_key", "column_label", "value", "unit", "kind", "source_text", "source_line",
                "source_page", "char_start", "char_end")


def _m1(db):
    db.executescript("""
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL UNIQUE,
        source_path TEXT,
        sha256 TEXT NOT NULL,
        agency TEXT NOT NULL,
        year INTEGER,
        title TEXT,
        format TEXT,
        media TEXT,
        text TEXT NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        n_facts INTEGER NOT NULL DEFAULT 0,
        n_chunks INTEGER NOT NULL DEFAULT 0,
        cells_expected INTEGER NOT NULL DEFAULT 0,
        ingested_at TEXT NOT NULL
    );
    CREATE TABLE facts (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        agency TEXT NOT NULL, year INTEGER,
        table_key TEXT NOT NULL, table_label TEXT NOT NULL,
        row_key TEXT NOT NULL, row_group TEXT NOT NULL, row_label TEXT NOT NULL,
        column_key TEXT NOT NULL, column_label TEXT NOT NULL,
        value REAL NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL,
        source_text TEXT NOT NULL, source_line INTEGER, source_page INTEGER,
        char_start INTEGER, char_end INTEGER
    );
    CREATE INDEX facts_lookup ON facts(agency, year, table_key, row_key, column_key);
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        chunk_id TEXT NOT NULL UNIQUE,
        agency TEXT NOT NULL, year INTEGER,
        section TEXT NOT NULL, text TEXT NOT NULL,
        char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
        line_start INTEGER, line_end INTEGER, page INTEGER
    );
    CREATE INDEX chunks_report ON chunks(report_id);
    """)


def _m2(db):
    # How sure the detector was of agency and year, and what it weighed, so staff see doubtful ones;
    # corrections by staff are kept in an audit table.
    db.executescript("""
    ALTER TABLE reports ADD COLUMN agency_confidence TEXT NOT NULL DEFAULT 'unknown';
    ALTER TABLE reports ADD COLUMN year_confidence TEXT NOT NULL DEFAULT 'unknown';
    ALTER TABLE reports ADD COLUMN metadata_candidates TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE metadata_corrections (
        id INTEGER PRIMARY KEY,
        report_id INTEGER,
        file_name TEXT NOT NULL,
        old_agency TEXT, old_year INTEGER,
        new_agency TEXT NOT NULL, new_year INTEGER,
        by_user TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """)


def _m3(db):
    # A counter every write bumps in its own transaction, so running apps (other processes,
    # other workers) notice a change by reading one row instead of re-reading the store.
    db.executescript("""
    CREATE TABLE store_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, changed_at TEXT);
    INSERT INTO store_version VALUES (1, 0, NULL);
    """)


def _m4(db):
    # Findings for reviewers (ingest.audit): one report's own at ingest, cross-year ones whenever
    # a neighbouring year of the same agency arrives or leaves.
    db.executescript("""
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        kind TEXT NOT NULL, severity TEXT NOT NULL, check_id TEXT NOT NULL, message TEXT NOT NULL,
        cells TEXT NOT NULL DEFAULT '[]', sentences TEXT NOT NULL DEFAULT '[]', other_report TEXT
    );
    CREATE INDEX findings_report ON findings(report_id);
    """)


MIGRATIONS = [_m1, _m2, _m3, _m4]

FINDING_COLUMNS = "report_id, kind, severity, check_id, message, cells, sentences, other_report"


def _finding_row(report_id: int, f) -> tuple:
    return (report_id, f.kind, f.severity, f.check, f.message, json.dumps(f.cells, ensure_ascii=False),
            json.dumps(f.sentences, ensure_ascii=False), f.other_report)


def chunk_id(sha256: str, i: int) -> str:
    """Chunk ids carry the report version, so a replaced report's old chunks are told apart."""
    return f"{sha256[:16]}-{i:04d}"


class FactStore:
    def __init__(self, url: str, readonly: bool = False):
        self.url = url
        self.readonly = readonly
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # Kept as a declared extension point; SQLite is what ships and is tested.
            raise NotImplementedError(
                f"{url}: PostgreSQL fact store needs the 'psycopg' package and is not built into this release; "
                "use a sqlite:/// URL or leave fact_store_url empty")
        path = url.removeprefix("sqlite:///")
        self.path = Path(path)
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"{self.path}: no fact store here yet; run `python -m ingest` first")
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        self.db.row_factory = sqlite3.Row

    @classmethod
    def for_config(cls, config, readonly: bool = False) -> "FactStore":
        url = config.fact_store_url or f"sqlite:///{config.data_path / 'facts.sqlite3'}"
        return cls(url, readonly=readonly)

    def _migrate(self):
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
        done = {r[0] for r in self.db.execute("SELECT version FROM schema_migrations")}
        for version, migration in enumerate(MIGRATIONS, start=1):
            if version not in done:
                with self.db:
                    migration(self.db)
                    self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))

    def close(self):
        self.db.close()

    # --- reading -----------------------------------------------------------
    def report_by_name(self, file_name: str) -> dict | None:
        row = self.db.execute("SELECT * FROM reports WHERE file_name = ?", (file_name,)).fetchone()
        return _report_dict(row) if row else None

    def report(self, report_id: int) -> dict | None:
        row = self.db.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
        return _report_dict(row) if row else None

    def reports(self) -> list[dict]:
        rows = self.db.execute("SELECT * FROM reports ORDER BY agency, year").fetchall()
        return [_report_dict(r, with_text=False) for r in rows]

    def facts(self, **where) -> list[dict]:
        """Facts filtered by equality on any fact column (None values ignored)."""
        clauses, params = [], []
        for key, val in where.items():
            if val is None:
                continue
            if key not in FACT_COLUMNS:
                raise ValueError(f"unknown fact field {key!r}")
            clauses.append(f"f.{key} = ?")
            params.append(val)
        sql = ("SELECT f.*, r.file_name AS report FROM facts f JOIN reports r ON r.id = f.report_id"
               + (" WHERE " + " AND ".join(clauses) if clauses else "") + " ORDER BY f.agency, f.year, f.id")
        return [dict(r) for r in self.db.execute(sql, params)]

    def chunks(self, report_id: int | None = None) -> list[dict]:
        sql = "SELECT c.*, r.file_name AS report FROM chunks c JOIN reports r ON r.id = c.report_id"
        params: tuple = ()
        if report_id is not None:
            sql += " WHERE c.report_id = ?"
            params = (report_id,)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY c.id", params)]

    def version(self) -> int | None:
        """The store's change counter; None for a store written before it had one."""
        try:
            row = self.db.execute("SELECT version FROM store_version WHERE id = 1").fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT chunk_id FROM chunks")}

    # --- writing -----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; committing it bumps the store version, so readers see the change."""
        with self.db:
            yield self.db
            self.db.execute("UPDATE store_version SET version = version + 1, changed_at = ? WHERE id = 1", (_now(),))

    def replace_report(self, rep: ParsedReport, file_name: str, chunk_ids: list[str]) -> int:
        """Store ``rep`` under ``file_name`` in one transaction, replacing any older version."""
        with self.transaction() as db:
            db.execute("DELETE FROM reports WHERE file_name = ?", (file_name,))
            cur = db.execute(
                "INSERT INTO reports (file_name, source_path, sha256, agency, year, title, format, media, text, warnings,"
                " n_facts, n_chunks, cells_expected, ingested_at, agency_confidence, year_confidence,"
                " metadata_candidates) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (file_name, rep.path, rep.sha256, rep.agency, rep.year, rep.title, rep.format, rep.media, rep.text,
                 json.dumps(rep.warnings, ensure_ascii=False), len(rep.facts), len(rep.chunks),
                 rep.cells_expected, _now(), rep.agency_confidence, rep.year_confidence,
                 json.dumps(rep.candidates, ensure_ascii=False)))
            rid = cur.lastrowid
            db.executemany(
                f"INSERT INTO facts ({', '.join(FACT_COLUMNS)}) VALUES ({', '.join('?' * len(FACT_COLUMNS))})",
                [(rid, rep.agency, rep.year, f.table_key, f.table, f.row_key, f.row_group, f.row, f.column_key,
                  f.column, f.value, f.unit, f.kind, f.source_text, f.source_line, f.source_page,
                  f.char_start, f.char_end) for f in rep.facts])
            db.executemany(
                "INSERT INTO chunks (report_id, chunk_id, agency, year, section, text, char_start, char_end,"
                " line_start, line_end, page) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(rid, cid, rep.agency, rep.year, c.section, c.text, c.char_start, c.char_end, c.line_start,
                  c.line_end, c.page) for cid, c in zip(chunk_ids, rep.chunks)])
            db.executemany(f"INSERT INTO findings ({FINDING_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                           [_finding_row(rid, f) for f in rep.findings])
        return rid

    def set_across_years(self, agency: str, found: list[tuple[int, object]]) -> None:
        """Replace the cross-year findings of every report of ``agency`` with ``found`` (report id, Finding)."""
        with self.transaction() as db:
            db.execute("DELETE FROM findings WHERE kind = 'across-years' AND report_id IN "
                       "(SELECT id FROM reports WHERE agency = ?)", (agency,))
            db.executemany(f"INSERT INTO findings ({FINDING_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                           [_finding_row(rid, f) for rid, f in found])

    def findings(self, agency: str | None = None, year: int | None = None, severity: str | None = None,
                 kind: str | None = None, report_id: int | None = None, finding_id: int | None = None) -> list[dict]:
        clauses, params = [], []
        for column, value in (("r.agency", agency), ("r.year", year), ("f.severity", severity),
                              ("f.kind", kind), ("f.report_id", report_id), ("f.id", finding_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        sql = ("SELECT f.*, r.file_name AS report, r.agency, r.year FROM findings f JOIN reports r ON r.id = f.report_id"
               + (" WHERE " + " AND ".join(clauses) if clauses else "")
               + " ORDER BY r.agency, r.year, r.file_name, CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1"
                 " ELSE 2 END, f.id")
        try:
            rows = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # a store from before findings (opened read-only, not migrated)
            return []
        out = []
        for r in rows:
            d = dict(r)
            d["cells"], d["sentences"] = json.loads(d["cells"]), json.loads(d["sentences"])
            d["check"] = d.pop("check_id")
            out.append(d)
        return out

    def correct_metadata(self, report_id: int, agency: str, year: int | None, user: str) -> dict:
        """Set a report's agency and year as staff gave them, on the report, its facts and its chunks,
        in one transaction with its audit row. Returns the report as it was before."""
        old = self.report(report_id)
        if old is None:
            raise KeyError(f"报告 {report_id} 不存在")
        with self.transaction() as db:
            db.execute("UPDATE reports SET agency = ?, year = ?, agency_confidence = 'given', year_confidence = 'given'"
                       " WHERE id = ?", (agency, year, report_id))
            db.execute("UPDATE facts SET agency = ?, year = ? WHERE report_id = ?", (agency, year, report_id))
            db.execute("UPDATE chunks SET agency = ?, year = ? WHERE report_id = ?", (agency, year, report_id))
            db.execute("INSERT INTO metadata_corrections (report_id, file_name, old_agency, old_year, new_agency,"
                       " new_year, by_user, at) VALUES (?,?,?,?,?,?,?,?)",
                       (report_id, old["file_name"], old["agency"], old["year"], agency, year, user, _now()))
        return old

    def corrections(self, report_id: int | None = None) -> list[dict]:
        sql, params = "SELECT * FROM metadata_corrections", ()
        if report_id is not None:
            sql, params = sql + " WHERE report_id = ?", (report_id,)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY id", params)]

    def delete_report(self, file_name: str) -> list[str]:
        """Remove a report; returns the chunk ids the vector index must drop too."""
        with self.transaction() as db:
            ids = [r[0] for r in db.execute(
                "SELECT c.chunk_id FROM chunks c JOIN reports r ON r.id = c.report_id WHERE r.file_name = ?",
                (file_name,))]
            db.execute("DELETE FROM reports WHERE file_name = ?", (file_name,))
        return ids


def _report_dict(row, with_text: bool = True) -> dict:
    d = dict(row)
    d["warnings"] = json.loads(d["warnings"])
    if "metadata_candidates" in d:
        d["metadata_candidates"] = json.loads(d["metadata_candidates"])
    if not with_text:
        d.pop("text", None)
    return d


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
