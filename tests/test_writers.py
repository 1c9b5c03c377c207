"""Several writers on one store, as an office runs them: two CLI ingests, a console upload beside a CLI
ingest, a delete during a long upload; the consistency check and repair; a full disk; a running app
seeing a CLI ingest. Real processes, real SQLite, real Chroma, the real embedding model."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from ingest.factstore import FactStore
from ingest.pipeline import check_stores, ingest_paths
from ingest.settings import load
from ingest.vector_index import VectorIndex
from tests.e2e.webdata import UPLOAD_FILE, copy_data_dir, small_data_dir
from tests.test_web_console import ask, csrf_token, signed_in, upload, wait_for
from web import create_app

from .conftest import CORPUS, ROOT

REPORTS = CORPUS / "reports"
SMALL = REPORTS / "广州市人力资源和社会保障局_2020.txt"
WAITING = "another ingest is running"


@pytest.fixture(scope="module")
def long_report(tmp_path_factory) -> Path:
    """One long file (a collection of a district's yearly reports): a writer that takes a while."""
    path = tmp_path_factory.mktemp("long") / "平潭综合实验区_汇编_2018.txt"
    parts = sorted(REPORTS.glob("平潭综合实验区_201[1-8].txt"))
    path.write_text("\n".join(p.read_text("utf-8") for p in parts), "utf-8")
    return path


def _cli(data: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "ingest", *args, "--data-dir", str(data), "--quiet"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, timeout=300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _held(data: Path) -> bool:
    probe = FileLock(str(data / "writer.lock"), thread_local=False)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    probe.release()
    return False


def _wait_until_writing(data: Path, proc: subprocess.Popen | None = None, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if (data / "writer.lock").exists() and _held(data):
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"writer ended before it was seen writing: {proc.communicate()}")
        time.sleep(0.1)
    raise AssertionError(f"no writer took {data / 'writer.lock'} within {timeout}s")


def _every_chunk_has_its_vector(cfg) -> int:
    found = check_stores(cfg)
    assert found.ok, (len(found.missing), len(found.orphans), found.reports)
    assert found.chunks - found.words_only == found.vectors > 0
    return found.chunks


def test_two_cli_ingests_at_once_wait_for_each_other_and_keep_every_vector(tmp_path, long_report):
    data = tmp_path / "data"
    first = _cli(data, str(long_report), "--agency", "平潭综合实验区", "--year", "2018")
    _wait_until_writing(data, first)
    second = _cli(data, str(SMALL), str(REPORTS / "平潭综合实验区_2021.txt"))
    rc1, out1, err1 = _finish(first)
    rc2, out2, err2 = _finish(second)
    assert (rc1, rc2) == (0, 0), (out1, err1, out2, err2)
    assert WAITING in err2                      # told, not silently blocked
    cfg = load(data_dir=str(data))
    _every_chunk_has_its_vector(cfg)
    store = FactStore.for_config(cfg, readonly=True)
    assert len(store.reports()) == 3
    store.close()


def test_a_console_upload_a_cli_ingest_and_a_delete_at_once(tmp_path_factory, long_report):
    """The console's long upload holds the store; a CLI ingest waits for it; a delete and /healthz are
    answered at once, the delete queued behind the upload; in the end every chunk has its vector."""
    data = copy_data_dir(small_data_dir(tmp_path_factory), tmp_path_factory, "writers-console")
    cfg = load(data_dir=str(data))
    app = create_app(cfg, {"TESTING": True})
    client = signed_in(app)
    gz = next(r for r in app.extensions["report_backend"].assistant().reports()
              if r["file_name"] == SMALL.name)

    job_url = upload(client, [(long_report.name, long_report.read_bytes())]).headers["Location"]
    _wait_until_writing(data)
    cli = _cli(data, str(UPLOAD_FILE))

    started = time.perf_counter()
    resp = client.post(f"/console/reports/{gz['id']}/delete", data={"csrf_token": csrf_token(client, "/console/reports")})
    delete_s = time.perf_counter() - started
    started = time.perf_counter()
    health = client.get("/healthz")
    health_s = time.perf_counter() - started
    upload_state = client.get(job_url + "/status").get_json()["state"]
    delete_url = resp.headers["Location"]
    delete_state = client.get(delete_url + "/status").get_json()["state"]
    print(f"during the upload: delete answered in {delete_s:.3f} s, /healthz in {health_s:.3f} s")
    assert resp.status_code == 303 and health.status_code == 200
    assert upload_state == "running" and delete_state == "queued"   # answered, not waiting on the writer
    assert health_s < 1.0

    upload_job = wait_for(client, job_url, timeout=300)
    delete_job = wait_for(client, delete_url, timeout=300)
    rc, out, err = _finish(cli)
    assert upload_job["state"] == "finished" and upload_job["results"][0]["status"] == "ok", upload_job
    assert delete_job["state"] == "finished" and delete_job["results"][0]["status"] == "deleted", delete_job
    assert rc == 0 and WAITING in err, (out, err)
    _every_chunk_has_its_vector(cfg)
    store = FactStore.for_config(cfg, readonly=True)
    names = {r["file_name"] for r in store.reports()}
    store.close()
    assert long_report.name in names and UPLOAD_FILE.name in names and SMALL.name not in names


def test_check_finds_missing_vectors_and_reingest_or_repair_restores_them(tmp_path):
    data = tmp_path / "data"
    cfg = load(data_dir=str(data))
    [res] = ingest_paths(cfg, [SMALL])
    assert res.status == "ok"
    index = VectorIndex(cfg)
    lost = sorted(index.ids())[:5]

    index.delete(lost)
    check = subprocess.run([sys.executable, "-m", "ingest", "--check", "--data-dir", str(data)], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 1 and "5 chunks without a vector" in check.stdout and SMALL.name in check.stdout
    # The same file again is not "unchanged" while its vectors are missing: it is read and made whole.
    [again] = ingest_paths(cfg, [SMALL])
    assert again.status == "ok"
    n = _every_chunk_has_its_vector(cfg)

    index.delete(lost)
    index.add(["stray-0001"], ["一段没有报告的文字"], [{"report": "gone.txt", "agency": "某局", "year": 2020}])
    repair = subprocess.run([sys.executable, "-m", "ingest", "--repair", "--data-dir", str(data)], cwd=ROOT,
                            capture_output=True, text=True)
    assert repair.returncode == 0 and "REPAIRED 5 vectors embedded again, 1 dropped" in repair.stdout, repair
    assert _every_chunk_has_its_vector(cfg) == n
    assert index.search("主动公开政府信息", 3)      # the repaired vectors are real ones


@pytest.fixture
def tiny_disk(tmp_path):
    """A data dir on a tmpfs too small for more than one report (needs a mount, as root in CI)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=760k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_gives_one_clear_line_per_file_and_keeps_the_store(tmp_path, tiny_disk):
    roomy = tmp_path / "roomy"
    assert [r.status for r in ingest_paths(load(data_dir=str(roomy)), [SMALL])] == ["ok"]
    for item in roomy.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, tiny_disk / item.name)
    big = [REPORTS / "上海市人民政府办公厅_2019.txt", REPORTS / "平潭综合实验区_2018.txt"]
    run = subprocess.run([sys.executable, "-m", "ingest", *map(str, big), str(SMALL), "--data-dir", str(tiny_disk),
                          "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = run.stdout.splitlines()
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr, run
    for path in big:
        [line] = [x for x in lines if path.name in x]
        assert line.startswith("FAILED") and "磁盘空间不足" in line and "disk full" in line
    assert any(x.startswith("UNCHANGED") and SMALL.name in x for x in lines)
    assert "1 of 3 files stored" in lines[-1]
    cfg = load(data_dir=str(tiny_disk))
    store = FactStore.for_config(cfg, readonly=True)
    assert [r["file_name"] for r in store.reports()] == [SMALL.name]
    store.close()
    # Chroma compacts its log on the next read, which itself needs room: check once space is freed, as a user would.
    # A failed report's vectors may outlive it (deleting them needs room too); no stored chunk lacks its vector,
    # and the next run sweeps the leftovers.
    subprocess.run(["mount", "-o", "remount,size=16m", str(tiny_disk)], check=True)
    assert check_stores(cfg).missing == []
    assert [r.status for r in ingest_paths(cfg, [SMALL])] == ["unchanged"]
    _every_chunk_has_its_vector(cfg)


def test_a_running_app_answers_from_a_cli_ingest_within_seconds(tmp_path_factory):
    data = copy_data_dir(small_data_dir(tmp_path_factory), tmp_path_factory, "writers-watch")
    app = create_app(load(data_dir=str(data), store_poll_seconds=0.5), {"TESTING": True})
    client = app.test_client()
    question = "沭阳发改局2023年收到多少依申请公开？"
    assert all(f["agency"] != "沭阳县发展和改革局" for f in ask(client, question)["facts"])

    rc, out, err = _finish(_cli(data, str(UPLOAD_FILE)))
    assert rc == 0, (out, err)
    ingested = time.perf_counter()
    deadline = ingested + 30
    while time.perf_counter() < deadline:
        facts = ask(client, question)["facts"]
        if facts and facts[0]["agency"] == "沭阳县发展和改革局":
            break
        time.sleep(0.25)
    else:
        raise AssertionError("the running app never saw the CLI's report")
    print(f"the running app answered from the CLI's report {time.perf_counter() - ingested:.1f} s after it finished")
