"""JobStore: the job rows (create, update, get, list, count, delete), kept together with their
record copies and the ledger's rows — the store's one public face, composed of its parts:

    database.py   the connection, the schema's migrations, healing (a lost database is rebuilt)
    schema.py     JobRecord, the schema, a record as a row and back, the list filters
    records.py    records/<job>.json: a copy of each row until its video is in the library
    library.py    library/: each video, its poster and its sidecar (written and read there)
    references.py references/<sha256><ext>: every reference kept by content hash
    rebuild.py    what a lost database is rebuilt from
    ledger.py     what each job on the studio's key counts (the `ledger` table)
    shares.py     share links, their picks and notes (r2v_ui/share/), copied to shares/<token>.json
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import ledger, rebuild
from . import shares as share_rows
from .database import Database, together
from .library import Library
from .records import Records
from .references import ReferenceFiles
from .schema import (
    COLUMNS,
    JSON_COLUMNS,
    UNFINISHED_SQL,
    JobRecord,
    column_value,
    filters_sql,
    from_row,
    insert_sql,
    search_text,
    to_row,
)
from .trouble import StoreError

log = logging.getLogger(__name__)


class JobStore:
    """Thread-safe: one connection per call, WAL so readers never block the writer."""

    def __init__(self, data_dir: Path, *, busy_timeout_s: float = 5.0):
        self.data_dir = Path(data_dir)
        self.library = Library(self.data_dir)
        self.records = Records(self.data_dir / "records", self.data_dir)
        self.work_dir = self.data_dir / "work"
        # Folders whose files never change in place, so keeping one of their files may link it: the
        # studio's own repaired copies, and references/ itself (named by content: a remix keeps a
        # kept file again, and a link costs one read to check its digest, a copy a read and a write).
        references_dir = self.data_dir / "references"
        self.references = ReferenceFiles(references_dir, [self.work_dir, references_dir])
        self._make_dirs()
        self._write_lock = threading.RLock()  # a row and its record copy change together
        self.shares = share_rows.Shares(self.data_dir / "shares")
        self.db = Database(self.data_dir / "jobs.sqlite3", self.data_dir, busy_timeout_s=busy_timeout_s,
                           refill=lambda conn: rebuild.put_back(conn, self.library, self.records, self.shares.folder),
                           prepare=self._make_dirs)
        self.shares.db = self.db
        if 0 < self.db.found_version < 4:  # written before record copies existed: once, at upgrade
            self.db.run(lambda conn: rebuild.backfill_records(conn, self.records))

    def _make_dirs(self) -> None:
        for d in (self.data_dir, self.library.folder, self.references.references_dir, self.work_dir,
                  self.records.folder, self.data_dir / "shares"):
            d.mkdir(parents=True, exist_ok=True)

    # --- the parts, as callers name them --------------------------------------------------------
    @property
    def library_dir(self) -> Path:
        return self.library.folder

    @property
    def records_dir(self) -> Path:
        return self.records.folder

    @property
    def references_dir(self) -> Path:
        return self.references.references_dir

    @property
    def links_from(self) -> list[Path]:
        return self.references.links_from

    @property
    def db_path(self) -> Path:
        return self.db.db_path

    @property
    def rebuilds(self) -> int:
        """How many times the database was rebuilt while this store was in use."""
        return self.db.rebuilds

    @property
    def recovered_from(self) -> Path | None:
        """Where a damaged database was moved aside, when one was."""
        return self.db.recovered_from

    def keep_reference(self, src: Path) -> tuple[str, Path]:
        return self.references.keep_reference(src)

    def allow_links_from(self, folder: Path) -> None:
        self.references.allow_links_from(folder)

    def result_paths(self, rec: JobRecord) -> tuple[Path, Path, Path]:
        return self.library.result_paths(rec)

    def relative(self, path: Path | None) -> str | None:
        return self.library.relative(path)

    def absolute(self, rel: str | None) -> Path | None:
        return self.library.absolute(rel)

    # --- rows --------------------------------------------------------------------------------
    def create(self, rec: JobRecord) -> None:
        row = to_row(rec)
        with self._write_lock:
            self.db.run(lambda c: together(c, lambda: (c.execute(insert_sql(row), row), ledger.record(c, rec))))
            try:
                self.records.keep(rec)
            except StoreError:  # no job without its record copy: the caller is told nothing started
                self.db.run(lambda c: c.execute("DELETE FROM jobs WHERE job_id = ?", (rec.job_id,)))
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
            return together(c, both)

        with self._write_lock:
            current = self.get(job_id)  # from its record copy if the row is gone
            if current is None:
                raise KeyError(job_id)
            rec = replace(current, **changes)
            self.records.keep(rec)
            if self.db.run(apply) == 0:  # the database was rebuilt between the two calls: write it whole
                whole = to_row(rec)
                self.db.run(lambda c: together(c, lambda: (c.execute(insert_sql(whole, "INSERT OR REPLACE"), whole),
                                                          ledger.record(c, rec))))
        return rec

    def get(self, job_id: str) -> JobRecord | None:
        row = self.db.run(lambda c: c.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone())
        return from_row(row) if row else self._restore(job_id)

    def list(self, *, owner: str | None = None, states: set[str] | None = None, search: str | None = None,
             limit: int = 500, offset: int = 0, kept: bool = False) -> list[JobRecord]:
        """Jobs newest first; `search` finds text in the prompt whatever its case (any script).
        The search and filters run in SQL before LIMIT/OFFSET, so every matching job can be paged to."""
        where, args = filters_sql(owner, states, search, kept)
        sql = f"SELECT * FROM jobs{where} ORDER BY created_at DESC, job_id DESC LIMIT ? OFFSET ?"
        rows = self.db.run(lambda c: c.execute(sql, [*args, max(0, int(limit)), max(0, int(offset))]).fetchall())
        return [from_row(r) for r in rows]

    def count(self, *, owner: str | None = None, states: set[str] | None = None, search: str | None = None,
              kept: bool = False) -> int:
        """How many jobs list() would give with no limit (for paging)."""
        where, args = filters_sql(owner, states, search, kept)
        return self.db.run(lambda c: c.execute(f"SELECT count(*) FROM jobs{where}", args).fetchone()[0])

    def batch(self, batch_id: str) -> list[JobRecord]:
        """The takes one click started, in take order."""
        rows = self.db.run(lambda c: c.execute("SELECT * FROM jobs WHERE batch_id = ? ORDER BY take", (batch_id,)).fetchall())
        return [from_row(r) for r in rows]

    def unfinished(self) -> list[JobRecord]:
        """Jobs not yet succeeded, failed or discarded, newest first (from an index: a start with
        10,000 finished jobs reads only these)."""
        sql = f"SELECT * FROM jobs WHERE {UNFINISHED_SQL} ORDER BY created_at DESC"
        rows = self.db.run(lambda c: c.execute(sql).fetchall())
        return [rec for rec in map(from_row, rows) if not rec.terminal]

    def set_favourite(self, job_id: str, kept: bool) -> JobRecord:
        """Mark a job (or unmark it); a finished job's sidecar says so too, so the mark survives a
        database rebuilt from the library."""
        rec = self.update(job_id, favourite=bool(kept))
        self.library.mark_favourite(rec)
        return rec

    def delete(self, job_id: str) -> None:
        rec = self.get(job_id)
        if rec is None:
            return
        with self._write_lock:
            self.records.drop(job_id)  # first: never resurrected
            for p in self.library.files_of(rec):
                if p.is_file():
                    p.unlink()
            self.db.run(lambda c: c.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,)))
            self.shares.forget_job(job_id)  # its share links no longer show it (a link with no job is dead)

    def _restore(self, job_id: str) -> JobRecord | None:
        """The job's row from its record copy, if it has one and the row is missing."""
        rec = self.records.read(job_id)
        if rec is None:
            return None
        row = to_row(rec)
        self.db.run(lambda c: c.execute(insert_sql(row, "INSERT OR IGNORE"), row))
        log.warning("Job %s was missing from the job database; it was restored from its record copy.", job_id)
        row_now = self.db.run(lambda c: c.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone())
        return from_row(row_now) if row_now else rec


__all__ = ["JobStore", "JobRecord", "StoreError"]
