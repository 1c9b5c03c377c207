"""The fact store: reports, their facts, chunks and findings, in SQLite (default) or PostgreSQL.

One code path for both engines (SQLAlchemy 2 Core over ``ingest.store_schema``); the engine is
picked from ``fact_store_url`` in ``ingest.engines.engine_for``. The schema is versioned by Alembic migrations
(``ingest/migrations``): a writer upgrades an old store on open, the answering side opens it
read-only and never changes it. Writes of one report happen in one transaction: a report is
stored whole or not at all, and every committed write bumps ``store_version`` so running apps
notice it.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import case, delete, func, insert, select, text, tuple_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from .engines import Migrations, StoreMissing, display, engine_for
from .records import ParsedReport
from .store_schema import chunks as chunks_t, facts as facts_t, findings as findings_t
from .store_schema import metadata_corrections as corrections_t, reports as reports_t, store_version

FACT_COLUMNS = tuple(c.name for c in facts_t.c if c.name != "id")  # what facts() may filter on
_BATCH = 500  # ids per IN (…): below SQLite's and PostgreSQL's parameter limits
_COPY_BATCH = 2000  # rows per insert when copying a store


class StoreNotEmpty(ValueError):
    pass


MIGRATIONS = Migrations(Path(__file__).resolve().parent / "migrations", legacy_table="schema_migrations")


def migrate(engine: Engine, revision: str = "head") -> None:
    MIGRATIONS.upgrade(engine, revision)


def chunk_id(sha256: str, i: int) -> str:
    """Chunk ids carry the report version, so a replaced report's old chunks are told apart."""
    return f"{sha256[:16]}-{i:04d}"


def _finding_row(report_id: int, f) -> dict:
    return {"report_id": report_id, "kind": f.kind, "severity": f.severity, "check_id": f.check,
            "message": f.message, "cells": json.dumps(f.cells, ensure_ascii=False),
            "sentences": json.dumps(f.sentences, ensure_ascii=False), "other_report": f.other_report}


def _rows(result) -> list[dict]:
    return [dict(r) for r in result.mappings()]


class FactStore:
    def __init__(self, url: str, readonly: bool = False):
        self.url = url
        self.readonly = readonly
        self.engine = engine_for(url, readonly=readonly)
        if readonly:
            with self.engine.connect() as conn:
                if MIGRATIONS.current(conn) is None:
                    self.engine.dispose()
                    raise StoreMissing(f"{display(url)}: no fact store here yet; run `python -m ingest` first")
        else:
            migrate(self.engine)

    @classmethod
    def for_config(cls, config, readonly: bool = False) -> "FactStore":
        return cls(store_url(config), readonly=readonly)

    def close(self):
        self.engine.dispose()

    def _read(self, statement) -> list[dict]:
        with self.engine.connect() as conn:
            return _rows(conn.execute(statement))

    # --- reading -----------------------------------------------------------
    def report_by_name(self, file_name: str) -> dict | None:
        rows = self._read(select(reports_t).where(reports_t.c.file_name == file_name))
        return _report_dict(rows[0]) if rows else None

    def report(self, report_id: int) -> dict | None:
        rows = self._read(select(reports_t).where(reports_t.c.id == report_id))
        return _report_dict(rows[0]) if rows else None

    def reports(self, agency: str | None = None, candidates: bool = True) -> list[dict]:
        """Every report (of ``agency``) without its text; ``candidates=False`` leaves out the metadata
        candidates too (a few KB a report, which the answering side's catalogue does not need)."""
        skip = {"text"} | (set() if candidates else {"metadata_candidates"})
        columns = [c for c in reports_t.c if c.name not in skip]
        q = select(*columns)
        if agency is not None:
            q = q.where(reports_t.c.agency == agency)
        rows = self._read(q.order_by(reports_t.c.agency, reports_t.c.year, reports_t.c.id))
        return [_report_dict(r, with_text=False) for r in rows]

    def facts(self, **where) -> list[dict]:
        """Facts filtered by equality on any fact column (None values ignored)."""
        q = select(facts_t, reports_t.c.file_name.label("report")).join(reports_t)
        for key, val in where.items():
            if val is None:
                continue
            if key not in FACT_COLUMNS:
                raise ValueError(f"unknown fact field {key!r}")
            q = q.where(facts_t.c[key] == val)
        return self._read(q.order_by(facts_t.c.agency, facts_t.c.year, facts_t.c.id))

    def chunks(self, report_id: int | None = None) -> list[dict]:
        q = select(chunks_t, reports_t.c.file_name.label("report")).join(reports_t)
        if report_id is not None:
            q = q.where(chunks_t.c.report_id == report_id)
        return self._read(q.order_by(chunks_t.c.id))

    def cells_of(self, report_ids: list[int], keys: list[tuple[str, str, str]] | None = None) -> list[dict]:
        """The table figures (not prose ones) of ``report_ids``, only the cells ``keys`` when given:
        the answering side reads the figures a question needs, not the whole store."""
        out = []
        for i in range(0, len(report_ids), _BATCH):
            q = select(facts_t, reports_t.c.file_name.label("report")).join(reports_t) \
                .where(facts_t.c.report_id.in_(report_ids[i:i + _BATCH]),
                                      facts_t.c.table_key != "narrative")
            if keys:
                q = q.where(tuple_(facts_t.c.table_key, facts_t.c.row_key, facts_t.c.column_key).in_(keys))
            out += self._read(q.order_by(facts_t.c.id))
        return out

    def prose_facts(self, report_id: int) -> list[dict]:
        """One report's figures read from its sentences, in text order."""
        return self._read(select(facts_t, reports_t.c.file_name.label("report")).join(reports_t)
                          .where(facts_t.c.report_id == report_id, facts_t.c.table_key == "narrative")
                          .order_by(func.coalesce(facts_t.c.char_start, 0), facts_t.c.id))

    def cell_keys(self) -> Iterator[tuple[int, str, str, str, str]]:
        """(report id, table, row, column, kind) of every table figure, streamed: what each report has."""
        q = select(facts_t.c.report_id, facts_t.c.table_key, facts_t.c.row_key, facts_t.c.column_key,
                   facts_t.c.kind) \
            .where(facts_t.c.table_key != "narrative")
        yield from self._stream(q)

    def cell_labels(self) -> list[dict]:
        """Every stored table cell once, with its labels and unit."""
        c = facts_t.c
        q = select(c.table_key, c.row_key, c.column_key, func.min(c.table_label).label("table_label"),
                   func.min(c.row_label).label("row_label"), func.min(c.row_group).label("row_group"),
                   func.min(c.column_label).label("column_label"), func.min(c.unit).label("unit")) \
            .where(c.table_key != "narrative").group_by(c.table_key, c.row_key, c.column_key)
        return self._read(q)

    def prose_labels(self) -> Iterator[str]:
        """What each prose figure counts (its clause), streamed."""
        q = select(facts_t.c.row_label).where(facts_t.c.table_key == "narrative").order_by(facts_t.c.id)
        for row in self._stream(q):
            yield row[0]

    def chunk_catalogue(self) -> list[dict]:
        """Every chunk's id, report, agency and year, without its text."""
        c = chunks_t.c
        return self._read(select(c.chunk_id, c.report_id, c.agency, c.year).order_by(c.id))

    def chunk_texts(self, every: int = 1) -> Iterator[str]:
        """Chunk texts, streamed; ``every`` > 1 keeps every n-th (a sample for word statistics)."""
        q = select(chunks_t.c.text).order_by(chunks_t.c.id)
        for i, row in enumerate(self._stream(q)):
            if i % every == 0:
                yield row[0]

    def chunks_by_id(self, chunk_ids: list[str]) -> list[dict]:
        out = []
        for i in range(0, len(chunk_ids), _BATCH):
            q = select(chunks_t, reports_t.c.file_name.label("report")).join(reports_t) \
                .where(chunks_t.c.chunk_id.in_(chunk_ids[i:i + _BATCH]))
            out += self._read(q)
        return out

    def count(self, table: str) -> int:
        t = {"reports": reports_t, "facts": facts_t, "chunks": chunks_t}[table]
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t)).scalar_one()

    def _stream(self, statement) -> Iterator[tuple]:
        with self.engine.connect() as conn:
            yield from conn.execution_options(yield_per=5000).execute(statement)

    def version(self) -> int | None:
        """The store's change counter; None for a store written before it had one."""
        try:
            rows = self._read(select(store_version.c.version).where(store_version.c.id == 1))
        except DBAPIError:
            return None
        return rows[0]["version"] if rows else None

    def dense_chunk_count(self) -> int:
        """How many vectors the index should hold."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(chunks_t).where(chunks_t.c.dense)).scalar_one()

    def chunk_ids(self, dense: bool | None = None) -> set[str]:
        """Every chunk's id; ``dense=True``: only those the vector index should hold."""
        q = select(chunks_t.c.chunk_id)
        if dense is not None:
            q = q.where(chunks_t.c.dense == dense)
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars())

    # --- writing -----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; committing it bumps the store version, so readers see the change."""
        with self.engine.begin() as conn:
            yield conn
            conn.execute(update(store_version).where(store_version.c.id == 1)
                         .values(version=store_version.c.version + 1, changed_at=_now()))

    def refuse_unless_empty(self) -> None:
        """Raise StoreNotEmpty naming this store if it holds any report: copies go only into empty ones."""
        held = self.count("reports")
        if held:
            raise StoreNotEmpty(f"{display(self.url)} already holds {held} reports; copy only into an empty store")

    def copy_from(self, source: "FactStore", on_rows: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Every report, fact, chunk, finding and correction of ``source`` into this store, which must
        hold no report, in one transaction: the copy is whole or not made. Ids are kept, so chunk ids
        still name the vectors. Returns the rows copied per table."""
        self.refuse_unless_empty()
        copied: dict[str, int] = {}
        with self.transaction() as conn:
            for table in (reports_t, facts_t, chunks_t, findings_t, corrections_t):
                copied[table.name] = 0
                batch: list[dict] = []
                for row in source._stream(select(table).order_by(table.c.id)):
                    batch.append(row._asdict())
                    if len(batch) == _COPY_BATCH:
                        copied[table.name] += self._insert(conn, table, batch)
                        batch = []
                        if on_rows:
                            on_rows(table.name, copied[table.name])
                if batch:
                    copied[table.name] += self._insert(conn, table, batch)
                if conn.dialect.name == "postgresql":
                    # Rows came with their ids; the id sequence must start after them.
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                      f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
        # The planner's statistics, which a bulk load leaves stale until autovacuum comes round:
        # without them PostgreSQL plans a question's indexed lookups as scans.
        with self.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        return copied

    @staticmethod
    def _insert(conn: Connection, table, rows: list[dict]) -> int:
        conn.execute(insert(table), rows)
        return len(rows)

    def replace_report(self, rep: ParsedReport, file_name: str, chunk_ids: list[str]) -> int:
        """Store ``rep`` under ``file_name`` in one transaction, replacing any older version."""
        with self.transaction() as conn:
            conn.execute(delete(reports_t).where(reports_t.c.file_name == file_name))
            rid = conn.execute(insert(reports_t).values(
                file_name=file_name, source_path=rep.path, sha256=rep.sha256, agency=rep.agency, year=rep.year,
                title=rep.title, format=rep.format, media=rep.media, text=rep.text,
                warnings=json.dumps(rep.warnings, ensure_ascii=False), n_facts=len(rep.facts),
                n_chunks=len(rep.chunks), cells_expected=rep.cells_expected, ingested_at=_now(),
                agency_confidence=rep.agency_confidence, year_confidence=rep.year_confidence,
                metadata_candidates=json.dumps(rep.candidates, ensure_ascii=False),
                reader_version=rep.reader_version)).inserted_primary_key[0]
            if rep.facts:
                conn.execute(insert(facts_t), [
                    {"report_id": rid, "agency": rep.agency, "year": rep.year, "table_key": f.table_key,
                     "table_label": f.table, "row_key": f.row_key, "row_group": f.row_group, "row_label": f.row,
                     "column_key": f.column_key, "column_label": f.column, "value": f.value, "unit": f.unit,
                     "kind": f.kind, "source_text": f.source_text, "source_line": f.source_line,
                     "source_page": f.source_page, "char_start": f.char_start, "char_end": f.char_end}
                    for f in rep.facts])
            if rep.chunks:
                conn.execute(insert(chunks_t), [
                    {"report_id": rid, "chunk_id": cid, "agency": rep.agency, "year": rep.year,
                     "section": c.section, "text": c.text, "char_start": c.char_start, "char_end": c.char_end,
                     "line_start": c.line_start, "line_end": c.line_end, "page": c.page, "dense": c.dense}
                    for cid, c in zip(chunk_ids, rep.chunks)])
            if rep.findings:
                conn.execute(insert(findings_t), [_finding_row(rid, f) for f in rep.findings])
        return rid

    def set_across_years(self, agency: str, found: list[tuple[int, object]]) -> None:
        """Replace the cross-year findings of every report of ``agency`` with ``found`` (report id, Finding)."""
        with self.transaction() as conn:
            conn.execute(delete(findings_t).where(
                findings_t.c.kind == "across-years",
                findings_t.c.report_id.in_(select(reports_t.c.id).where(reports_t.c.agency == agency))))
            if found:
                conn.execute(insert(findings_t), [_finding_row(rid, f) for rid, f in found])

    def findings(self, agency: str | None = None, year: int | None = None, severity: str | None = None,
                 kind: str | None = None, report_id: int | None = None, finding_id: int | None = None) -> list[dict]:
        f, r = findings_t.c, reports_t.c
        q = select(findings_t, r.file_name.label("report"), r.agency, r.year).join(reports_t)
        for column, value in ((r.agency, agency), (r.year, year), (f.severity, severity), (f.kind, kind),
                              (f.report_id, report_id), (f.id, finding_id)):
            if value is not None:
                q = q.where(column == value)
        rank = case({"error": 0, "warning": 1}, value=f.severity, else_=2)
        try:
            rows = self._read(q.order_by(r.agency, r.year, r.file_name, rank, f.id))
        except DBAPIError:  # a store from before findings (opened read-only, not migrated)
            return []
        for d in rows:
            d["cells"], d["sentences"] = json.loads(d["cells"]), json.loads(d["sentences"])
            d["check"] = d.pop("check_id")
        return rows

    def correct_metadata(self, report_id: int, agency: str, year: int | None, user: str) -> dict:
        """Set a report's agency and year as staff gave them, on the report, its facts and its chunks,
        in one transaction with its audit row. Returns the report as it was before."""
        old = self.report(report_id)
        if old is None:
            raise KeyError(f"报告 {report_id} 不存在")
        with self.transaction() as conn:
            conn.execute(update(reports_t).where(reports_t.c.id == report_id).values(
                agency=agency, year=year, agency_confidence="given", year_confidence="given"))
            for table in (facts_t, chunks_t):
                conn.execute(update(table).where(table.c.report_id == report_id).values(agency=agency, year=year))
            conn.execute(insert(corrections_t).values(
                report_id=report_id, file_name=old["file_name"], old_agency=old["agency"], old_year=old["year"],
                new_agency=agency, new_year=year, by_user=user, at=_now()))
        return old

    def corrections(self, report_id: int | None = None) -> list[dict]:
        q = select(corrections_t)
        if report_id is not None:
            q = q.where(corrections_t.c.report_id == report_id)
        return self._read(q.order_by(corrections_t.c.id))

    def delete_report(self, file_name: str) -> list[str]:
        """Remove a report; returns the chunk ids the vector index must drop too."""
        with self.transaction() as conn:
            ids = list(conn.execute(select(chunks_t.c.chunk_id).join(reports_t)
                                    .where(reports_t.c.file_name == file_name)).scalars())
            conn.execute(delete(reports_t).where(reports_t.c.file_name == file_name))
        return ids


def store_url(config) -> str:
    return config.fact_store_url or f"sqlite:///{config.data_path / 'facts.sqlite3'}"


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
