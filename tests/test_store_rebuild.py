"""A job database that is deleted, emptied or damaged — while the studio runs or while it is stopped —
is rebuilt from the data folder and the operation carries on: finished jobs from their sidecars,
every other job (in flight, failed) from its record copy.  A read-only one is a plain StoreError.
Last, the whole pipeline: the database deleted under a paid job in flight, which still finishes."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from r2v_ui.store import MIGRATIONS, JobRecord, JobStore, StoreError

KEY = "made-up-key-for-store-tests"


def _record(job_id: str, **kw) -> JobRecord:
    now = time.time()
    base = dict(job_id=job_id, owner="ann", state="checking", created_at=now, updated_at=now,
                settings={"prompt": f"character1 in {job_id}", "size": "1280*720", "duration": 2},
                references=[{"name": "ada.png", "kind": "image"}])
    base.update(kw)
    return JobRecord(**base)


def _finished(store: JobStore, job_id: str) -> JobRecord:
    """A succeeded job as the job manager leaves it: video and sidecar in the library, then the row."""
    rec = _record(job_id)
    store.create(rec)
    mp4, sidecar, _ = store.result_paths(rec)
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42 a real video would be here")
    sidecar.write_text(json.dumps({
        "job_id": job_id, "owner": "ann", "task_id": f"task-{job_id}", "created_at": rec.created_at,
        "settings": rec.settings, "references": rec.references, "seed_used": 7, "timings": {},
        "price_estimate": "about $0.20 (estimate)", "video_file": mp4.name, "poster_file": None,
    }))
    return store.update(job_id, state="succeeded", video_path=store.relative(mp4), seed_used=7)


def _three_jobs(store: JobStore) -> None:
    _finished(store, "done")
    store.create(_record("failed"))
    store.update("failed", state="failed", error="The service refused the prompt.")
    store.create(_record("paid"))
    store.update("paid", state="submitting", submit_attempts=1)
    store.update("paid", state="queued", task_id="task-paid-9")  # the service is making (and billing) it


def _delete_database(data_dir: Path) -> None:
    for name in ("jobs.sqlite3", "jobs.sqlite3-wal", "jobs.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)


def _assert_all_three_back(store: JobStore) -> None:
    jobs = {r.job_id: r for r in store.list()}
    assert set(jobs) == {"done", "failed", "paid"}
    assert jobs["done"].state == "succeeded" and jobs["done"].seed_used == 7
    assert store.absolute(jobs["done"].video_path).is_file()
    assert jobs["failed"].state == "failed" and str(jobs["failed"].error) == "The service refused the prompt."
    assert (jobs["paid"].state, jobs["paid"].task_id, jobs["paid"].submit_attempts) == ("queued", "task-paid-9", 1)
    assert [r.job_id for r in store.unfinished()] == ["paid"]  # so resume() follows it


def test_a_database_deleted_while_in_use_is_rebuilt_and_the_next_call_works(tmp_path):
    store = JobStore(tmp_path)
    _three_jobs(store)

    _delete_database(tmp_path)

    _assert_all_three_back(store)
    store.create(_record("new"))  # and work carries on
    assert store.get("new") is not None and store.rebuilds == 1


def test_the_job_managers_next_write_brings_back_a_job_in_flight_whose_row_vanished(tmp_path):
    store = JobStore(tmp_path)
    _three_jobs(store)
    _delete_database(tmp_path)

    rec = store.update("paid", state="processing", stage_text="Generating… 40%")  # what JobManager._set does

    assert (rec.state, rec.task_id, str(rec.stage_text)) == ("processing", "task-paid-9", "Generating… 40%")
    got = store.get("paid")
    assert (got.state, got.task_id, got.owner, got.settings) == ("processing", "task-paid-9", "ann", rec.settings)


def test_a_database_deleted_while_the_studio_was_stopped_is_rebuilt_at_start(tmp_path):
    _three_jobs(JobStore(tmp_path))
    _delete_database(tmp_path)

    _assert_all_three_back(JobStore(tmp_path))


@pytest.mark.parametrize("while_running", [False, True], ids=["at start", "while running"])
def test_an_empty_database_file_is_rebuilt(tmp_path, while_running):
    store = JobStore(tmp_path)
    _three_jobs(store)
    _delete_database(tmp_path)
    (tmp_path / "jobs.sqlite3").write_bytes(b"")  # 0 bytes

    _assert_all_three_back(store if while_running else JobStore(tmp_path))


def test_a_database_damaged_while_running_is_moved_aside_and_rebuilt(tmp_path):
    store = JobStore(tmp_path)
    _three_jobs(store)
    _delete_database(tmp_path)
    (tmp_path / "jobs.sqlite3").write_bytes(b"not a database at all " * 300)

    _assert_all_three_back(store)
    assert store.recovered_from is not None
    assert store.recovered_from.read_bytes().startswith(b"not a database at all")  # kept, not deleted


def test_many_threads_meeting_a_deleted_database_rebuild_it_once_and_all_get_their_answer(tmp_path):
    store = JobStore(tmp_path)
    _three_jobs(store)
    _delete_database(tmp_path)
    answers: list = []
    go = threading.Barrier(8)

    def read(i: int):
        go.wait()
        answers.append(store.get("paid").task_id if i % 2 else len(store.list()))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers, key=str) == [3, 3, 3, 3] + ["task-paid-9"] * 4
    assert store.rebuilds == 1


def test_a_deleted_job_is_not_brought_back_by_a_rebuild(tmp_path):
    store = JobStore(tmp_path)
    _three_jobs(store)
    store.delete("failed")
    store.delete("done")
    _delete_database(tmp_path)
    assert {r.job_id for r in store.list()} == {"paid"}


def test_a_record_copy_that_cannot_be_written_is_a_plain_store_error_and_no_job_is_left_behind(tmp_path):
    store = JobStore(tmp_path)
    store.records_dir.rmdir()
    store.records_dir.write_bytes(b"a file where the records folder should be")

    with pytest.raises(StoreError, match="could not be written .*; free some disk space or give the studio"):
        store.create(_record("new"))
    assert store.get("new") is None and store.list() == []


def _make_read_only(db: Path) -> None:
    """SQLite treats a file whose 'write version' header byte is above 2 as read-only (this works even
    for root, for whom a chmod does not stop writes)."""
    data = bytearray(db.read_bytes())
    data[18] = 3
    db.write_bytes(bytes(data))


def test_a_read_only_database_is_a_plain_store_error_and_what_it_holds_is_still_shown(tmp_path):
    store = JobStore(tmp_path)
    _three_jobs(store)
    _make_read_only(tmp_path / "jobs.sqlite3")

    with pytest.raises(StoreError) as err:
        store.create(_record("another"))
    text = str(err.value)
    assert "is read-only, so no job can be saved" in text and "R2V_DATA_DIR" in text  # what happened, what to do
    assert "Traceback" not in text and "sqlite" not in text.lower().replace("jobs.sqlite3", "")
    assert store.get("paid").task_id == "task-paid-9"  # reading still works
    assert not list(tmp_path.glob("jobs.sqlite3.damaged-*"))  # never taken for a damaged file


def test_a_read_only_database_that_needs_a_migration_is_refused_at_start_and_left_in_place(tmp_path):
    import sqlite3

    db = tmp_path / "jobs.sqlite3"
    conn = sqlite3.connect(db)
    for stmt in MIGRATIONS[1]:
        conn.execute(stmt)
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    _make_read_only(db)
    before = db.read_bytes()

    with pytest.raises(StoreError, match="is read-only, so no job can be saved"):
        JobStore(tmp_path)
    assert db.read_bytes() == before and not list(tmp_path.glob("jobs.sqlite3.damaged-*"))


# --- the whole pipeline ----------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_paid_job_in_flight_finishes_after_its_database_is_deleted(tmp_path):
    from r2v_ui.config import Settings
    from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
    from r2v_ui.hosting import make_host
    from r2v_ui.jobs import JobDraft, JobManager, Reference, Target

    emu = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=3.0, queue_seconds=0.3)).start()
    settings = Settings(data_dir=tmp_path / "data", poll_requests_per_minute=600)
    manager = JobManager(
        settings, JobStore(settings.data_dir), demo_target=Target("demo", emu.base_url), demo_key=KEY,
        host_factory=lambda _t: make_host(settings.with_overrides(hosting="emulator"), emulator_url=emu.base_url,
                                          emulator_key=KEY))
    try:
        picture = tmp_path / "ada.png"
        Image.new("RGB", (480, 640), "tomato").save(picture)
        job_id = manager.start(JobDraft(references=(Reference(kind="image", path=picture, name="ada.png"),),
                                        prompt="character1 waves", size="1280*720", duration=2))
        snap = _wait_for(lambda: (s := manager.snapshot(job_id)) and s.task_id and s)
        assert not snap.terminal  # sent and being made: the money is spent

        _delete_database(settings.data_dir)

        done = _wait_for(lambda: (s := manager.snapshot(job_id)) and s.terminal and s)
        assert done.state == "succeeded", done.error
        assert done.task_id == snap.task_id and done.video_path.is_file()
        assert [s.job_id for s in manager.list_jobs()] == [job_id]  # the history shows it
        stats = httpx.get(f"{emu.base_url}/emulator/stats", headers={"Authorization": f"Bearer {KEY}"}).json()
        assert stats["submits"] == 1  # followed, never sent again
    finally:
        manager.close()
        emu.stop()


def _wait_for(value, deadline_s: float = 60.0):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        got = value()
        if got:
            return got
        time.sleep(0.05)  # polling an in-memory snapshot; the deadline bounds it
    raise AssertionError("condition not met before the deadline")
