"""From files on disk to both stores, one whole report at a time.

Order of writes makes a report all-or-nothing: the new version's chunks go into
Chroma under ids carrying the file's hash, then one SQLite transaction swaps
the report row, its facts and its chunk list; only then are the old version's
vectors dropped. The fact store is the record of what exists: the answering
side ignores vectors whose ids it does not list, and the next run removes them.
Every write holds the store's writer lock (``writer_lock``), so that sweep never
takes the vectors of another writer's report in progress.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import re
import shutil
from contextlib import ExitStack, contextmanager
from functools import cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import chunking, legacy_stats, narrative, sections, tables
from .audit import across_years
from .audit import report as audit_report
from .checks import check
from .engines import causes
from .factstore import FactStore, chunk_id
from .metadata import GIVEN, assess, clean_name
from .readers import SUPPORTED, read
from .records import ParsedReport, ReportError
from .template import detect_format
from .writer_lock import writer

log = logging.getLogger(__name__)
_PACKAGE = Path(__file__).resolve().parent


@cache
def reader_version() -> str:
    """A fingerprint of the code that turns a file into a report (every module of ``ingest`` but its
    migrations): a report stored by other code is read again, even from an unchanged file, so an
    upgrade's better reading reaches reports already stored. Its unchanged chunks keep their vectors."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        if "migrations" not in path.relative_to(_PACKAGE).parts:
            h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _current(old: dict, sha: str) -> bool:
    """The stored report was read from this very file by this very code."""
    return old["sha256"] == sha and old.get("reader_version") == reader_version()


@dataclass
class FileResult:
    file: str
    status: str                 # ok | unchanged | failed
    report_id: int | None = None
    agency: str = ""
    year: int | None = None
    facts: int = 0
    chunks: int = 0
    cells_read: int = 0
    cells_expected: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    agency_confidence: str = ""
    year_confidence: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus supported files found under folders (sorted, recursive)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED)
        else:
            out.append(p)
    return out


def parse(path: Path, config, agency: str | None = None, year: int | None = None,
          sha256: str | None = None) -> ParsedReport:
    """Read and understand one report, touching no store (``sha256``: the file's, if already known)."""
    doc = read(path)  # names the file in its error when it is missing or unreadable
    if len(doc.text) > int(config.max_report_chars):
        raise ReportError(path, f"正文 {len(doc.text)} 字，超过 {config.max_report_chars} 字，不像一份年度报告 "
                                "(text longer than max_report_chars)")
    first_line = doc.text.strip().split("\n", 1)[0][:150]
    if re.match(r"[^《〈“]{0,40}关于.{0,60}通知", first_line):
        raise ReportError(path, "这是一份通知（如年度报告格式的通知），不是年度报告 (a notice, not an annual report)")
    found = assess(doc, path)
    agency = clean_name(agency) if agency else None
    if agency is not None and not agency:
        raise ReportError(path, "--agency 为空 (empty agency name)")
    agency_conf = GIVEN if agency else found.agency_confidence
    year_conf = GIVEN if year else found.year_confidence
    agency = agency or found.agency
    year = year or found.year
    if not agency:
        raise ReportError(path, "无法从标题或文件名识别机关名称，请用 --agency 指定 (agency not found)")
    fmt = detect_format(doc.text, year)
    secs = sections.split(doc.text)
    rep = ParsedReport(path=str(path.resolve()), sha256=sha256 or hashlib.sha256(path.read_bytes()).hexdigest(),
                       agency=agency, year=year, title=found.title or doc.title, format=fmt, text=doc.text,
                       media=doc.media, agency_confidence=agency_conf, year_confidence=year_conf,
                       candidates=found.candidates, reader_version=reader_version())
    rep.chunks = _first_of_each(chunking.chunk(doc, secs, config.chunk_size, config.chunk_overlap),
                                lambda c: c.text)
    if fmt:
        result = tables.extract(doc, fmt)
        rep.facts += result.facts
        rep.warnings += result.warnings + check(result.facts, fmt)  # the failed sums, also as findings
        rep.cells_expected = result.cells_expected
    # A block pasted twice (a converter repeating a page, a page saved with its print copy) states
    # the same figures again; they are one fact, found where first stated.
    prose = narrative.extract(doc, secs)
    if not fmt:
        prose = sorted(prose + legacy_stats.extract(doc), key=lambda f: f.char_start or 0)
    rep.facts += _first_of_each(prose, lambda f: (f.row, f.column, f.value, f.unit))
    rep.findings = audit_report.findings(doc, rep.facts, fmt, year)
    if year is None:
        rep.warnings.append("未能识别报告年度 (year not found); use --year")
    return rep


def _first_of_each(items: list, key) -> list:
    seen: set = set()
    out = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _open_index(config):
    from .vector_index import VectorIndex
    return VectorIndex(config)


def ingest_paths(config, paths: Iterable[str | Path], agency: str | None = None, year: int | None = None,
                 on_progress: Callable[[int, int, str], None] | None = None, index=None,
                 force: bool = False, on_result: Callable[["FileResult"], None] | None = None,
                 on_wait: Callable[[str], None] | None = None) -> list[FileResult]:
    """Ingest files and folders; one bad file never stops the others. ``force`` re-reads unchanged files.

    ``on_result`` hears each file's result as soon as it is stored; ``on_wait`` hears that another
    writer holds the store and this run is waiting for it."""
    files = expand(paths)
    results: list[FileResult] = []
    with writer(config, on_wait):
        store = FactStore.for_config(config)
        index = index or _open_index(config)
        try:
            if index.count() != store.dense_chunk_count():
                # Counts first: listing every id costs O(store) per call (a console upload is one call).
                # Vectors the store does not list are left by an interrupted run; safe to remove under
                # the lock, as no live writer has uncommitted vectors. Missing ones are restored per file.
                orphans = index.ids() - store.chunk_ids()
                if orphans:
                    log.info("removing %d vectors left by an interrupted run", len(orphans))
                    index.delete(sorted(orphans))
            full = None
            with ExitStack() as window:
                for i, path in enumerate(files):
                    if i % EMBED_AHEAD == 0:
                        window.close()  # the previous window's vectors are written (or not wanted)
                        ahead = {} if full else _read_ahead(config, store, files[i:i + EMBED_AHEAD], agency, year,
                                                            force)
                        window.enter_context(_embedded_ahead(index, ahead))
                    result = _ingest_one(config, store, index, path, agency, year, force, full, ahead)
                    if result.status == "failed" and DISK_FULL in (result.error or ""):
                        full = result.error.split(": ", 1)[-1]
                    results.append(result)
                    if on_result:
                        on_result(result)
                    if on_progress:
                        on_progress(i + 1, len(files), path.name)
        finally:
            store.close()
    return results


EMBED_AHEAD = 8  # files parsed, and their chunks embedded in one run, before the first of them is written


def _read_ahead(config, store: FactStore, files: list[Path], agency, year, force) -> dict:
    """Parses of the files that look changed, by (path, agency, year, sha256). Only a head start:
    ``_ingest_one`` still judges each file in its turn and takes a parse from here only when it
    would read the file with the same arguments (``parse`` depends on nothing else)."""
    ahead: dict = {}
    for path in files:
        try:
            sha, old, a, y = _reading(config, store, path, agency, year)
        except Exception:  # told in its turn
            continue
        if old and not force and _current(old, sha):
            continue  # most likely unchanged
        key = (path, a, y, sha)
        try:
            ahead[key] = parse(path, config, a, y, sha)
        except Exception as e:  # told in its turn
            ahead[key] = e
    return ahead


def _reading(config, store: FactStore, path: Path, agency, year) -> tuple[str, dict | None, str | None, int | None]:
    """How ``path`` is to be read: its sha256, the stored report of that name, and the agency and
    year to read it with. Raises ReportError for a file that is missing or too big to be a report."""
    if not path.is_file():
        raise ReportError(path, "文件不存在 (file not found)")
    limit = int(config.max_report_mb)
    if path.stat().st_size > limit * 1024 * 1024:
        raise ReportError(path, f"文件超过 {limit} MB，不像一份年度报告 (file larger than max_report_mb)")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    old = store.report_by_name(path.name)
    # What staff set stays set when the file is read again without being told otherwise.
    if old and agency is None and old.get("agency_confidence") == GIVEN:
        agency = old["agency"]
    if old and year is None and old.get("year_confidence") == GIVEN:
        year = old["year"]
    return sha, old, agency, year


@contextmanager
def _embedded_ahead(index, ahead: dict):
    """All the chunks parsed ahead embedded in one run, length-sorted, so a batch pads to its own longest
    chunk rather than to its report's; inside, ``index.add`` is served these vectors."""
    texts = [c.text for rep in ahead.values() if isinstance(rep, ParsedReport) for c in rep.chunks if c.dense]
    with ExitStack() as kept:
        try:
            if texts:
                kept.enter_context(index.embeddings.ahead(texts))
        except Exception:  # no model, an index without one: each file embeds its own chunks (and fails alone)
            log.debug("chunks not embedded ahead", exc_info=True)
        yield


def _ingest_one(config, store: FactStore, index, path: Path, agency, year, force=False,
                full: str | None = None, ahead: dict | None = None) -> FileResult:
    """One file into both stores. ``full``: why the disk refused an earlier file, so this one is not
    even tried; ``ahead``: parses made by ``_read_ahead``."""
    name = path.name
    try:
        sha, old, agency, year = _reading(config, store, path, agency, year)
        old_chunks = store.chunks(old["id"]) if old else []
        present = index.present(c["chunk_id"] for c in old_chunks)
        # An unchanged file whose vectors went missing (a crash, an old bug) is read again to restore them.
        whole = old is not None and all(c["chunk_id"] in present for c in old_chunks if c["dense"])
        if old and whole and not force and _current(old, sha) \
                and (agency is None or (agency == old["agency"] and old.get("agency_confidence") == GIVEN)) \
                and (year is None or (year == old["year"] and old.get("year_confidence") == GIVEN)):
            return FileResult(name, "unchanged", old["id"], old["agency"], old["year"], old["n_facts"],
                              old["n_chunks"], warnings=old["warnings"],
                              agency_confidence=old.get("agency_confidence", ""),
                              year_confidence=old.get("year_confidence", ""))
        rep = (ahead or {}).pop((path, agency, year, sha), None) or parse(path, config, agency, year, sha)
        if isinstance(rep, Exception):
            raise rep
    except ReportError as e:
        return FileResult(name, "failed", error=str(e))
    except Exception as e:  # a reader library choking on a malformed file
        log.exception("unexpected failure reading %s", path)
        return FileResult(name, "failed", error=f"{path}: 无法读取 ({type(e).__name__}: {e})")

    if full:
        # After the disk filled, Chroma's writer may hang on the next write; nothing more is tried.
        return FileResult(name, "failed", error=f"{path}: {full}")
    old_ids = [c["chunk_id"] for c in old_chunks]
    # Ids name this version (file, agency, year, chunk texts), so old and new vectors never collide
    # and a re-read that yields the same chunks keeps its vectors.
    version = hashlib.sha256("|".join([rep.sha256, rep.agency, str(rep.year)] + [c.text for c in rep.chunks])
                             .encode()).hexdigest()
    ids = [chunk_id(version, i) for i in range(len(rep.chunks))]
    # A forced re-read keeps its vectors; a chunk searched by words only has none.
    fresh = [(i, c) for i, c in zip(ids, rep.chunks) if i not in present and c.dense]
    try:
        index.add([i for i, _ in fresh], [c.text for _, c in fresh],
                  [{"report": name, "agency": rep.agency, "year": rep.year if rep.year is not None else -1,
                    "section": c.section, "char_start": c.char_start, "char_end": c.char_end} for _, c in fresh])
        rid = store.replace_report(rep, name, ids)
    except Exception as e:  # disk full, a store gone read-only: this file is not stored, the rest is as it was
        log.debug("writing %s failed", path, exc_info=True)
        problem = _write_problem(e, config.data_dir if config.chroma_mode == "embedded" else None)
        if DISK_FULL not in problem:  # on a full disk the next run's sweep removes them instead
            try:
                index.delete([i for i, _ in fresh])
            except Exception:
                pass
        return FileResult(name, "failed", error=f"{path}: {problem}")
    # Gone from the report, or (read by older code) a vector this chunk no longer wants.
    stale = sorted((set(old_ids) - set(ids)) | {i for i, c in zip(ids, rep.chunks) if not c.dense} & present)
    if stale:
        index.delete(stale)
    try:
        for each in {rep.agency, old["agency"] if old else rep.agency}:
            refresh_across_years(store, each)
    except Exception:  # the report is stored; its neighbours' findings are refreshed on the next write
        log.warning("cross-year findings of %s not refreshed", rep.agency, exc_info=True)
    table_cells = sum(1 for f in rep.facts if f.kind == "table" and f.table_key != "narrative")
    return FileResult(name, "ok", rid, rep.agency, rep.year, len(rep.facts), len(rep.chunks), table_cells,
                      rep.cells_expected, rep.warnings, agency_confidence=rep.agency_confidence,
                      year_confidence=rep.year_confidence)


def refresh_across_years(store: FactStore, agency: str) -> None:
    """Recompute the cross-year findings of one agency's reports (after any of them changed).

    Where a year is stored twice (a PDF and its text copy), the copy with the most cells read speaks."""
    best: dict[int, tuple[int, dict]] = {}
    for r in store.reports(agency=agency):
        if r["year"] is None or not r["format"]:
            continue
        facts = store.facts(report_id=r["id"])
        cells = {(f["table_key"], f["row_key"], f["column_key"]): f for f in facts if f["kind"] in ("table", "derived")}
        score = sum(f["kind"] == "table" for f in cells.values())
        if r["year"] not in best or score > best[r["year"]][0]:
            best[r["year"]] = (score, {**r, "cells": cells, "prose": [f for f in facts if f["kind"] == "narrative"]})
    found = [(later["id"], f) for year, (_, later) in sorted(best.items()) if year - 1 in best
             for f in across_years.continuity(best[year - 1][1], later)]
    store.set_across_years(agency, found)


DISK_FULL = "磁盘空间不足"


_NEARLY_FULL = 1 << 20  # bytes free below which a failed write is put down to the disk


def _nearly_full(where) -> bool:
    try:
        return where is not None and shutil.disk_usage(where).free < _NEARLY_FULL
    except OSError:
        return False


def _write_problem(exc: BaseException, where=None) -> str:
    """A one-line reason a write failed, in the operator's terms (no traceback). ``where``: the data
    dir, whose free space names the cause when the library's error does not (Chroma's compactor
    reports a full disk as "Failed to apply logs to the metadata segment")."""
    chain = causes(exc)
    text = " ".join(f"{type(x).__name__}: {x}" for x in chain)
    if any(isinstance(x, OSError) and x.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) for x in chain) \
            or re.search(r"disk is full|no space left|file too large|quota", text, re.I) or _nearly_full(where):
        return f"{DISK_FULL}，本文件未写入，已存的报告未受影响 (disk full)"
    if re.search(r"readonly|read-only|permission denied", text, re.I):
        return "数据目录不可写，本文件未写入 (store not writable)"
    return f"写入存储失败，本文件未写入，已存的报告未受影响 ({type(exc).__name__}: {str(exc)[:200]})"


def correct_report(config, report_id: int, agency: str, year: int | None, user: str, index=None) -> dict:
    """Staff's agency and year for a stored report, on the report, its facts, its chunks and their vectors.

    The vectors are relabelled first and put back if the fact store refuses, so the two never disagree
    about a report the fact store lists. Returns the report as it was before."""
    agency = clean_name(agency or "")
    if not agency:
        raise ValueError("机关名称不能为空 (agency is empty)")
    if year is not None and not 1990 <= int(year) <= 2100:
        raise ValueError(f"年份 {year} 不合理 (year out of range)")
    with writer(config):
        store = FactStore.for_config(config)
        try:
            old = store.report(report_id)
            if old is None:
                raise KeyError(f"报告 {report_id} 不存在")
            ids = [c["chunk_id"] for c in store.chunks(report_id)]
            index = index or _open_index(config)
            if ids:
                index.relabel(ids, agency, year)
            try:
                store.correct_metadata(report_id, agency, year, user)
            except BaseException:
                if ids:
                    index.relabel(ids, old["agency"], old["year"])
                raise
            for each in {agency, old["agency"]}:
                refresh_across_years(store, each)
        finally:
            store.close()
    return old


def delete_report(config, file_name: str, index=None) -> bool:
    with writer(config):
        store = FactStore.for_config(config)
        try:
            gone = store.report_by_name(file_name)
            if not gone:
                return False
            ids = store.delete_report(file_name)
            refresh_across_years(store, gone["agency"])
        finally:
            store.close()
        if ids:
            (index or _open_index(config)).delete(ids)
    return True


@dataclass
class Consistency:
    """What ``ingest --check`` finds: chunks the fact store lists with no vector, and vectors it does not list."""
    chunks: int
    vectors: int
    words_only: int             # chunks that want no vector (template table rows, found by their words)
    missing: list[str]          # chunk ids without a vector
    orphans: list[str]          # vector ids without a chunk
    reports: list[str]          # files whose chunks lack vectors

    @property
    def ok(self) -> bool:
        return not self.missing and not self.orphans


def check_stores(config, index=None) -> Consistency:
    """Compare the fact store's chunks with the vector index, under the writer lock (so no write is half-done)."""
    with writer(config):
        return _compare(config, index or _open_index(config))


def _compare(config, index) -> Consistency:
    store = FactStore.for_config(config)
    try:
        chunks = store.chunks()
    finally:
        store.close()
    have = index.ids()
    listed = {c["chunk_id"] for c in chunks}
    missing = [c for c in chunks if c["dense"] and c["chunk_id"] not in have]
    words_only = sum(1 for c in chunks if not c["dense"])
    return Consistency(len(listed), len(have), words_only, [c["chunk_id"] for c in missing], sorted(have - listed),
                       sorted({c["report"] for c in missing}))


def repair_stores(config, index=None) -> Consistency:
    """Embed again the chunks that have no vector (from the text the fact store keeps) and drop vectors
    no chunk lists. Returns what was wrong before the repair."""
    with writer(config):
        index = index or _open_index(config)
        found = _compare(config, index)
        if found.orphans:
            index.delete(found.orphans)
        if found.missing:
            store = FactStore.for_config(config)
            try:
                wanted = set(found.missing)
                rows = [c for c in store.chunks() if c["chunk_id"] in wanted]
            finally:
                store.close()
            index.add([c["chunk_id"] for c in rows], [c["text"] for c in rows],
                      [{"report": c["report"], "agency": c["agency"],
                        "year": c["year"] if c["year"] is not None else -1, "section": c["section"],
                        "char_start": c["char_start"], "char_end": c["char_end"]} for c in rows])
    return found
