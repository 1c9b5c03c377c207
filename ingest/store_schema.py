"""The fact store's tables as SQLAlchemy Core objects: one definition for SQLite and PostgreSQL.

This is the schema as the newest migration (ingest/migrations) leaves it; queries are
built from it, migrations never import it (each migration states its own change).
"""
from __future__ import annotations

from sqlalchemy import (Boolean, CheckConstraint, Column, Float, ForeignKey, Index, Integer, MetaData, Table, Text,
                        true)

metadata = MetaData()


def _report_ref() -> Column:
    return Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)


reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", Text, nullable=False, unique=True),
    Column("source_path", Text),
    Column("sha256", Text, nullable=False),
    Column("agency", Text, nullable=False),
    Column("year", Integer),
    Column("title", Text),
    Column("format", Text),
    Column("media", Text),
    Column("text", Text, nullable=False),
    Column("warnings", Text, nullable=False, server_default="[]"),
    Column("n_facts", Integer, nullable=False, server_default="0"),
    Column("n_chunks", Integer, nullable=False, server_default="0"),
    Column("cells_expected", Integer, nullable=False, server_default="0"),
    Column("ingested_at", Text, nullable=False),
    Column("agency_confidence", Text, nullable=False, server_default="unknown"),
    Column("year_confidence", Text, nullable=False, server_default="unknown"),
    Column("metadata_candidates", Text, nullable=False, server_default="[]"),
    Column("reader_version", Text, nullable=False, server_default=""),
    Index("reports_agency", "agency", "year"),
)

facts = Table(
    "facts", metadata,
    Column("id", Integer, primary_key=True),
    _report_ref(),
    Column("agency", Text, nullable=False), Column("year", Integer),
    Column("table_key", Text, nullable=False), Column("table_label", Text, nullable=False),
    Column("row_key", Text, nullable=False), Column("row_group", Text, nullable=False),
    Column("row_label", Text, nullable=False),
    Column("column_key", Text, nullable=False), Column("column_label", Text, nullable=False),
    Column("value", Float, nullable=False), Column("unit", Text, nullable=False), Column("kind", Text, nullable=False),
    Column("source_text", Text, nullable=False), Column("source_line", Integer), Column("source_page", Integer),
    Column("char_start", Integer), Column("char_end", Integer),
    Index("facts_lookup", "agency", "year", "table_key", "row_key", "column_key"),
    Index("facts_report", "report_id", "table_key"),
    Index("facts_cell", "table_key", "row_key", "column_key"),
)

chunks = Table(
    "chunks", metadata,
    Column("id", Integer, primary_key=True),
    _report_ref(),
    Column("chunk_id", Text, nullable=False, unique=True),
    Column("agency", Text, nullable=False), Column("year", Integer),
    Column("section", Text, nullable=False), Column("text", Text, nullable=False),
    Column("char_start", Integer, nullable=False), Column("char_end", Integer, nullable=False),
    Column("line_start", Integer), Column("line_end", Integer), Column("page", Integer),
    # False: searched by words only, no vector (see ingest.chunking.wants_vector).
    Column("dense", Boolean, nullable=False, server_default=true()),
    Index("chunks_report", "report_id"),
)

metadata_corrections = Table(
    "metadata_corrections", metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer),
    Column("file_name", Text, nullable=False),
    Column("old_agency", Text), Column("old_year", Integer),
    Column("new_agency", Text, nullable=False), Column("new_year", Integer),
    Column("by_user", Text, nullable=False),
    Column("at", Text, nullable=False),
)

store_version = Table(
    "store_version", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", Text),
    CheckConstraint("id = 1", name="store_version_one_row"),
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True),
    _report_ref(),
    Column("kind", Text, nullable=False), Column("severity", Text, nullable=False),
    Column("check_id", Text, nullable=False), Column("message", Text, nullable=False),
    Column("cells", Text, nullable=False, server_default="[]"),
    Column("sentences", Text, nullable=False, server_default="[]"),
    Column("other_report", Text),
    Index("findings_report", "report_id"),
)
