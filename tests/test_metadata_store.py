"""Agency/year confidence in the store: the migration, the CLI's --agency/--year (stored as given, and
what the assistant then answers), corrections that keep everything else."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from ingest import factstore
from ingest.__main__ import main as ingest_main
from ingest.factstore import FactStore
from tests.conftest import CORPUS

SOURCE = CORPUS / "reports" / "沭阳县发展和改革局_2023.txt"
AGENCY = "沭阳县发展和改革局"


def _unsigned_copy(tmp_path):
    """The report without title, publisher line and preamble: only the signature names the agency."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("一、"))
    f = tmp_path / "doc_0042.txt"
    f.write_text("\n".join(lines[start:]), encoding="utf-8")
    return f


@pytest.mark.parametrize("written_by", ["alembic", "pre-alembic"])
def test_an_old_store_gains_the_confidence_columns(tmp_path, written_by):
    path = tmp_path / "facts.sqlite3"
    engine = factstore.engine_for(f"sqlite:///{path}")
    factstore.migrate(engine, "0001")
    with engine.begin() as db:
        db.execute(text("INSERT INTO reports (file_name, sha256, agency, year, text, ingested_at) "
                        "VALUES ('a.txt', 'x', '某某县人民政府', 2023, '正文', 'then')"))
        if written_by == "pre-alembic":  # the store's own counter, as releases before Alembic kept it
            db.execute(text("DROP TABLE alembic_version"))
            db.execute(text("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"))
            db.execute(text("INSERT INTO schema_migrations VALUES (1, 'then')"))
    engine.dispose()
    store = FactStore(f"sqlite:///{path}")
    try:
        rep = store.report_by_name("a.txt")
        assert (rep["agency"], rep["agency_confidence"], rep["metadata_candidates"]) == ("某某县人民政府", "unknown", [])
        assert store.corrections() == []
        with pytest.raises(KeyError):
            store.correct_metadata(999, "某某局", 2023, "staff")
        assert store.corrections() == [] and store.report_by_name("a.txt")["agency"] == "某某县人民政府"
        assert store.version() == 0 and store.findings() == []
    finally:
        store.close()


def test_cli_flags_are_stored_as_given_and_change_the_answers(tmp_path, capsys):
    from assistant import Assistant
    from ingest.settings import load

    data = tmp_path / "data"
    copy = _unsigned_copy(tmp_path)
    assert ingest_main([str(copy), "--data-dir", str(data), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "low confidence" in out and "--agency/--year" in out
    store = FactStore(f"sqlite:///{data / 'facts.sqlite3'}", readonly=True)
    try:
        rep = store.report_by_name(copy.name)
        assert "low" in (rep["agency_confidence"], rep["year_confidence"])
        assert any(c["source"] == "signature" for c in rep["metadata_candidates"])
    finally:
        store.close()

    question = "沭阳发改局2022年收到多少依申请公开？"
    config = load(data_dir=str(data))
    before = Assistant(config).ask(question)
    assert not any(f["year"] == 2022 for f in before.get("facts") or [])

    assert ingest_main([str(copy), "--data-dir", str(data), "--quiet", "--agency", AGENCY, "--year", "2022"]) == 0
    assert "low confidence" not in capsys.readouterr().out
    store = FactStore(f"sqlite:///{data / 'facts.sqlite3'}", readonly=True)
    try:
        rep = store.report_by_name(copy.name)
        assert (rep["agency"], rep["year"], rep["agency_confidence"], rep["year_confidence"]) == \
            (AGENCY, 2022, "given", "given")
        assert {(f["agency"], f["year"]) for f in store.facts(report_id=rep["id"])} == {(AGENCY, 2022)}
    finally:
        store.close()
    after = Assistant(config).ask(question)
    assert after["facts"] and (after["facts"][0]["agency"], after["facts"][0]["year"]) == (AGENCY, 2022)

    # the same file again without flags: unchanged, still as given
    assert ingest_main([str(copy), "--data-dir", str(data), "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("UNCHANGED")
    with pytest.raises(SystemExit):
        ingest_main([str(copy), "--data-dir", str(data), "--year", "20222"])
    with pytest.raises(SystemExit):
        ingest_main([str(copy), "--data-dir", str(data), "--agency", " # "])
