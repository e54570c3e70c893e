"""The job store: schema migrations, a damaged or locked database, atomic library files."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from r2v_ui.store import MIGRATIONS, SCHEMA_VERSION, JobRecord, JobStore, StoreError


def _record(job_id: str = "j1", **kw) -> JobRecord:
    now = time.time()
    base = dict(job_id=job_id, owner="", state="checking", created_at=now, updated_at=now,
                settings={"prompt": "character1 waves", "size": "1280*720", "duration": 2}, references=[])
    base.update(kw)
    return JobRecord(**base)


def test_a_store_written_by_schema_version_1_is_migrated_and_keeps_its_jobs(tmp_path: Path):
    db = tmp_path / "jobs.sqlite3"
    conn = sqlite3.connect(db)
    for stmt in MIGRATIONS[1]:
        conn.execute(stmt)
    conn.execute("PRAGMA user_version=1")
    conn.execute(
        "INSERT INTO jobs (job_id, owner, state, created_at, updated_at, settings_json, references_json, task_id)"
        " VALUES ('old', 'ann', 'processing', 1.0, 2.0, '{\"prompt\": \"old prompt\"}', '[]', 'task-9')"
    )
    conn.commit()
    conn.close()

    store = JobStore(tmp_path)

    version = sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION
    rec = store.get("old")
    assert rec is not None and rec.owner == "ann" and rec.task_id == "task-9"
    assert rec.settings["prompt"] == "old prompt"
    assert rec.timings == {} and rec.warnings == [] and rec.submit_attempts == 0 and rec.key_holder == "" and rec.batch_id is None and rec.take is None and rec.favourite is False  # new columns' defaults
    assert [r.job_id for r in store.unfinished()] == ["old"]  # and it will be resumed


def test_a_database_from_a_newer_studio_is_refused_in_plain_words(tmp_path: Path):
    JobStore(tmp_path)
    conn = sqlite3.connect(tmp_path / "jobs.sqlite3")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer version of the studio"):
        JobStore(tmp_path)


def test_a_damaged_database_is_moved_aside_and_finished_jobs_are_rebuilt_from_the_library(tmp_path: Path):
    store = JobStore(tmp_path)
    rec = _record("done1", state="succeeded")
    mp4, sidecar, _ = store.result_paths(rec)
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42 a real video would be here")
    sidecar.write_text(json.dumps({
        "job_id": "done1", "owner": "", "task_id": "t-1", "created_at": rec.created_at,
        "settings": rec.settings, "references": [{"name": "ada.png", "sha256": "ab" * 32}],
        "seed_used": 42, "timings": {}, "price_estimate": "about $0.20 (estimate)", "video_file": mp4.name,
        "poster_file": None,
    }))
    other_file = tmp_path / "references" / "keep-me.png"
    other_file.write_bytes(b"reference bytes")
    (tmp_path / "jobs.sqlite3").write_bytes(b"this is not a database" * 100)
    for extra in ("jobs.sqlite3-wal", "jobs.sqlite3-shm"):
        (tmp_path / extra).unlink(missing_ok=True)

    reopened = JobStore(tmp_path)

    assert reopened.recovered_from is not None and reopened.recovered_from.exists()
    assert reopened.recovered_from.read_bytes().startswith(b"this is not a database")  # kept, not deleted
    got = reopened.get("done1")
    assert got is not None and got.state == "succeeded" and got.seed_used == 42
    assert reopened.absolute(got.video_path) == mp4 and mp4.exists()
    assert other_file.read_bytes() == b"reference bytes"  # nothing else touched


def test_a_locked_database_gives_a_clear_error_and_loses_nothing(tmp_path: Path):
    store = JobStore(tmp_path, busy_timeout_s=0.2)
    store.create(_record("a"))
    holder = sqlite3.connect(tmp_path / "jobs.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as err:
            store.create(_record("b"))
        assert "locked by another program" in str(err.value)
        assert "R2V_DATA_DIR" in str(err.value)  # says what to do
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.get("a") is not None  # the earlier job is intact
    store.create(_record("b"))  # and the store works again once the other program lets go
    assert {r.job_id for r in store.list()} == {"a", "b"}


def test_references_are_kept_once_by_content_hash(tmp_path: Path):
    store = JobStore(tmp_path / "data")
    src = tmp_path / "Ada Lovelace (1).PNG"
    src.write_bytes(b"\x89PNG fake but stable bytes")
    d1, p1 = store.keep_reference(src)
    d2, p2 = store.keep_reference(src)
    assert d1 == d2 and p1 == p2 and p1.name == f"{d1}.png"  # the user's file name is never a path
    assert p1.read_bytes() == src.read_bytes()
    assert len(list(store.references_dir.iterdir())) == 1


def test_search_and_status_filters(tmp_path: Path):
    store = JobStore(tmp_path)
    store.create(_record("1", state="succeeded", settings={"prompt": "A fox dances"}, created_at=1.0))
    store.create(_record("2", state="failed", settings={"prompt": "A robot sings"}, created_at=2.0))
    store.create(_record("3", state="succeeded", settings={"prompt": "The FOX sleeps"}, created_at=3.0, owner="bob"))
    assert [r.job_id for r in store.list(owner="", search="fox")] == ["1"]
    assert [r.job_id for r in store.list(search="fox")] == ["3", "1"]
    assert [r.job_id for r in store.list(states={"failed"})] == ["2"]
