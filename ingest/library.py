"""Staff actions that change the stores, for the web console's jobs (web.jobs).

Writing is ingestion's job: the console hands its writes here, ``assistant`` only reads.
Thin hand-offs to ``ingest.pipeline`` (the one place that writes), by report id.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from . import pipeline
from .factstore import FactStore


def ingest_paths(config, paths: list[str], on_progress: Callable[[int, int, str], None] | None = None,
                 agency: str | None = None, year: int | None = None, force: bool = False,
                 on_wait: Callable[[str], None] | None = None) -> list[dict]:
    return [r.as_dict() for r in pipeline.ingest_paths(config, paths, agency=agency, year=year,
                                                       on_progress=on_progress, force=force, on_wait=on_wait)]


def _file_of(config, report_id: int) -> dict | None:
    store = FactStore.for_config(config)
    try:
        return store.report(report_id)
    finally:
        store.close()


def delete_report(config, report_id: int) -> bool:
    rep = _file_of(config, report_id)
    return bool(rep) and pipeline.delete_report(config, rep["file_name"])


def reingest_report(config, report_id: int) -> dict:
    """Read the report's file again (after a parser upgrade, or a file changed on disk)."""
    rep = _file_of(config, report_id)
    if not rep:
        return {"file": None, "status": "failed", "error": f"报告 {report_id} 不存在"}
    path = Path(rep["source_path"] or "")
    if not path.is_file():
        return {"file": rep["file_name"], "status": "failed", "error": f"{path}: 原文件已不存在，无法重新导入"}
    # The old version stays until the new one is stored whole. Agency and year are read again
    # (the detector may have improved); those staff corrected are kept by the pipeline.
    return ingest_paths(config, [str(path)], force=True)[0]


def correct_report(config, report_id: int, agency: str, year: int | None, user: str) -> dict:
    """Staff's agency and year for a report (audited); returns the report as it was."""
    return pipeline.correct_report(config, report_id, agency, year, user)
