"""Durable job records (SQLite in WAL mode, versioned schema) and the library folder.

Layout under the data folder:
    jobs.sqlite3               one row per job; the row exists before any upload
    library/<job>.mp4|.json|.jpg  each result beside a JSON sidecar of everything that made it, and a poster
    references/<sha256><ext>   every reference kept by content hash, so a remix works after links expire
    records/<job>.json         a copy of each job's row until its video is in the library (store_files.py)

Every file write is atomic (temporary file, rename; flushed to disk where a rebuild depends on it),
so a crash never leaves a half-written file that a row calls done.  Three modules, one reason to
change each: this one holds the rows (create, update, get, list, count, delete) and the record
copies that mirror them; store_db.py the database's connection, schema migration and self-healing
rebuild (a missing, emptied or damaged database is rebuilt from the library and the record copies);
store_files.py the files (kept references, sidecars, records).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import ledger, store_files
from .messages import msg
from .store_db import JobDatabase, StoreError, disk_trouble, os_trouble
from .store_files import atomic_write_bytes, atomic_write_json, file_sha256
from .store_schema import (
    COLUMNS,
    JSON_COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    TERMINAL_STATES,
    UNFINISHED_SQL,
    JobRecord,
    column_value,
    filters_sql,
    search_text,
    from_row,
    insert_sql,
    record_fields,
    record_from_fields,
    to_row,
)

__all__ = ["JobStore", "JobRecord", "StoreError", "MIGRATIONS", "SCHEMA_VERSION", "TERMINAL_STATES",
           "atomic_write_bytes", "atomic_write_json", "file_sha256"]

log = logging.getLogger(__name__)


class JobStore(store_files.LibraryFiles, JobDatabase):
    """Thread-safe: one connection per call, WAL so readers never block the writer."""

    def __init__(self, data_dir: Path, *, busy_timeout_s: float = 5.0):
        self.data_dir = Path(data_dir)
        self.library_dir = self.data_dir / "library"
        self.references_dir = self.data_dir / "references"
        self.work_dir = self.data_dir / "work"
        self.records_dir = self.data_dir / store_files.RECORDS_DIR
        self._make_dirs()
        # Folders whose files never change in place, so keeping one of their files may link it: the
        # studio's own repaired copies, and references/ itself (named by content: a remix keeps a
        # kept file again, and a link costs one read to check its digest, a copy a read and a write).
        self.links_from = [self.work_dir.resolve(), self.references_dir.resolve()]
        self._write_lock = threading.RLock()  # a row and its record copy change together
        self._open_database(self.data_dir / "jobs.sqlite3", busy_timeout_s)

    def _make_dirs(self) -> None:
        for d in (self.data_dir, self.library_dir, self.references_dir, self.work_dir, self.records_dir):
            d.mkdir(parents=True, exist_ok=True)

    # --- rows --------------------------------------------------------------------------------
    def create(self, rec: JobRecord) -> None:
        row = to_row(rec)
        with self._write_lock:
            self._run(lambda c: _together(c, lambda: (c.execute(insert_sql(row), row), ledger.record(c, rec))))
            try:
                self._keep_record(rec)
            except StoreError:  # no job without its record copy: the caller is told nothing started
                self._run(lambda c: c.execute("DELETE FROM jobs WHERE job_id = ?", (rec.job_id,)))
                raise

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        """Change some fields of a job; returns the whole record.  The record copy is written first,
        so what the caller just learnt (a task id) is on disk twice before this returns.  A row that
        vanished with a lost database comes back from its record copy, with the changes applied."""
        changes.setdefault("updated_at", time.time())
        row = {}
        for name, value in changes.items():
            if name not in COLUMNS:
                raise KeyError(name)
            row[JSON_COLUMNS.get(name, name)] = column_value(name, value)
        if "settings" in changes:
            row["prompt_folded"] = search_text(changes["settings"])
        sets = ", ".join(f"{c} = :{c}" for c in row)

        def apply(c: sqlite3.Connection) -> int:
            def both() -> int:  # the row and what the ledger counts for it change in one transaction
                n = c.execute(f"UPDATE jobs SET {sets} WHERE job_id = :_id", row | {"_id": job_id}).rowcount
                if n and ledger.concerns(changes):
                    ledger.record(c, rec)
                return n
            return _together(c, both)

        with self._write_lock:
            current = self.get(job_id)  # from its record copy if the row is gone
            if current is None:
                raise KeyError(job_id)
            rec = replace(current, **changes)
            self._keep_record(rec)
            if self._run(apply) == 0:  # the database was rebuilt between the two calls: write it whole
                whole = to_row(rec)
                self._run(lambda c: _together(c, lambda: (c.execute(insert_sql(whole, "INSERT OR REPLACE"), whole),
                                                          ledger.record(c, rec))))
        return rec

    def get(self, job_id: str) -> JobRecord | None:
        row = self._run(lambda c: c.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone())
        return from_row(row) if row else self._restore(job_id)

    def list(self, *, owner: str | None = None, states: set[str] | None = None, search: str | None = None,
             limit: int = 500, offset: int = 0, kept: bool = False) -> list[JobRecord]:
        """Jobs newest first; `search` finds text in the prompt whatever its case (any script).
        The search and filters run in SQL before LIMIT/OFFSET, so every matching job can be paged to."""
        where, args = filters_sql(owner, states, search, kept)
        sql = f"SELECT * FROM jobs{where} ORDER BY created_at DESC, job_id DESC LIMIT ? OFFSET ?"
        rows = self._run(lambda c: c.execute(sql, [*args, max(0, int(limit)), max(0, int(offset))]).fetchall())
        return [from_row(r) for r in rows]

    def count(self, *, owner: str | None = None, states: set[str] | None = None, search: str | None = None,
              kept: bool = False) -> int:
        """How many jobs list() would give with no limit (for paging)."""
        where, args = filters_sql(owner, states, search, kept)
        return self._run(lambda c: c.execute(f"SELECT count(*) FROM jobs{where}", args).fetchone()[0])

    def batch(self, batch_id: str) -> list[JobRecord]:
        """The takes one click started, in take order."""
        rows = self._run(lambda c: c.execute("SELECT * FROM jobs WHERE batch_id = ? ORDER BY take", (batch_id,)).fetchall())
        return [from_row(r) for r in rows]

    def unfinished(self) -> list[JobRecord]:
        """Jobs not yet succeeded, failed or discarded, newest first (from an index: a start with
        10,000 finished jobs reads only these)."""
        sql = f"SELECT * FROM jobs WHERE {UNFINISHED_SQL} ORDER BY created_at DESC"
        rows = self._run(lambda c: c.execute(sql).fetchall())
        return [rec for rec in map(from_row, rows) if not rec.terminal]

    def set_favourite(self, job_id: str, kept: bool) -> JobRecord:
        """Mark a job (or unmark it); a finished job's sidecar says so too, so the mark survives a
        database rebuilt from the library."""
        rec = self.update(job_id, favourite=bool(kept))
        side = self.data_dir / (_sidecar_rel(rec.video_path) or "")
        data = store_files.read_json(side) if rec.video_path else None
        if data is not None:
            atomic_write_json(side, data | {"favourite": rec.favourite})
        return rec

    def delete(self, job_id: str) -> None:
        rec = self.get(job_id)
        if rec is None:
            return
        with self._write_lock:
            store_files.record_file(self.records_dir, job_id).unlink(missing_ok=True)  # first: never resurrected
            for rel in (rec.video_path, rec.poster_path, _sidecar_rel(rec.video_path)):
                if rel:
                    p = self.data_dir / rel
                    if p.is_file():
                        p.unlink()
            self._run(lambda c: c.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,)))

    # --- record copies (store_files.py) -------------------------------------------------------
    def _keep_record(self, rec: JobRecord) -> None:
        """Rewrite the job's record copy; once its video and sidecar are in the library, drop it."""
        path = store_files.record_file(self.records_dir, rec.job_id)
        try:
            if rec.state == "succeeded" and rec.video_path and (self.data_dir / rec.video_path).exists():
                path.unlink(missing_ok=True)
                return
            self.records_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_json(path, record_fields(rec))
        except OSError as exc:
            trouble = os_trouble(exc) or disk_trouble(self.data_dir)
            if trouble == "full":
                raise StoreError(msg("store.full", path=str(self.data_dir))) from exc
            if trouble == "readonly":
                raise StoreError(msg("store.folder_readonly", path=str(self.data_dir))) from exc
            raise StoreError(msg("store.record_unwritable", job=rec.job_id, path=str(path),
                                 why=exc.strerror or str(exc))) from exc

    def _restore(self, job_id: str) -> JobRecord | None:
        """The job's row from its record copy, if it has one and the row is missing."""
        data = store_files.read_record(self.records_dir, job_id)
        if data is None:
            return None
        rec = record_from_fields(data)
        row = to_row(rec)
        self._run(lambda c: c.execute(insert_sql(row, "INSERT OR IGNORE"), row))
        log.warning("Job %s was missing from the job database; it was restored from its record copy.", job_id)
        row_now = self._run(lambda c: c.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone())
        return from_row(row_now) if row_now else rec

def _together(conn: sqlite3.Connection, fn):
    """fn() in one transaction on `conn` (a job's row and its ledger row are seen changed together)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = fn()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return out


def _sidecar_rel(video_rel: str | None) -> str | None:
    return str(Path(video_rel).with_suffix(".json")) if video_rel else None


