"""The web state's Alembic environment is the fact store's (one way to run a migration), with
this folder's scripts and the version table web.state names."""
import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[2] / "ingest" / "migrations" / "env.py"))
