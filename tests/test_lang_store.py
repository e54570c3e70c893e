"""The job database's refusals are codes, so the page says them in the viewer's language: a record
that cannot be written, a read-only database, one from a newer studio, in Chinese."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.lang_terms import foreign_words
from r2v_ui.messages import LEGACY, ZH, render_msg
from r2v_ui.store import SCHEMA_VERSION, JobRecord, JobStore, StoreError


def _record(job_id: str) -> JobRecord:
    now = time.time()
    return JobRecord(job_id=job_id, owner="ann", state="checking", created_at=now, updated_at=now,
                     settings={"prompt": "character1 waves", "size": "1280*720", "duration": 2}, references=[])


def _chinese(err: StoreError, *data: str) -> str:
    """The Chinese sentence, checked for English words; `data` (a path, the system's own words for
    the cause) is quoted as it is."""
    assert err.msg.code.startswith("store.") and err.msg.code != LEGACY, err.msg
    text = render_msg(err.msg, ZH)
    checked = text
    for d in sorted(data, key=len, reverse=True):  # a longer quote first: it may hold a shorter one
        checked = checked.replace(d, "")
    assert foreign_words(checked) == [], text
    return text


def test_a_record_that_cannot_be_written_says_so_in_chinese(tmp_path: Path):
    store = JobStore(tmp_path)
    store.records_dir.rmdir()
    store.records_dir.write_bytes(b"a file where the records folder should be")
    with pytest.raises(StoreError) as err:
        store.create(_record("new"))
    params = err.value.msg.params
    assert "could not be written" in str(err.value)  # English as before
    assert "无法写入" in _chinese(err.value, params["job"], params["path"], params["why"])


def test_a_read_only_database_says_so_in_chinese(tmp_path: Path):
    store = JobStore(tmp_path)
    db = tmp_path / "jobs.sqlite3"
    data = bytearray(db.read_bytes())
    data[18] = 3  # SQLite reads a "write version" above 2 as read-only (even for root)
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        store.create(_record("another"))
    assert "是只读的" in _chinese(err.value, str(db)) and "R2V_DATA_DIR" in render_msg(err.value.msg, ZH)


def test_a_database_from_a_newer_studio_says_so_in_chinese(tmp_path: Path):
    JobStore(tmp_path)
    conn = sqlite3.connect(tmp_path / "jobs.sqlite3")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as err:
        JobStore(tmp_path)
    assert "更新版本的工作室" in _chinese(err.value, str(tmp_path / "jobs.sqlite3"))
