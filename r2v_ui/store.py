"""Durable job records (SQLite in WAL mode, versioned schema) and the library folder.

Layout under the data folder:
    jobs.sqlite3               one row per job; the row exists before any upload
    library/<job>.mp4|.json|.jpg  each result beside a JSON sidecar of everything that made it, and a poster
    references/<sha256><ext>   every reference kept by content hash, so a remix works after links expire
    records/<job>.json         a copy of each job's row until its video is in the library (store_files.py)

Every file write is atomic (temporary file, fsync, rename), so a crash never leaves a half-written
file that a row calls done.  The database is an index that can always be rebuilt: when it is
missing, empty or damaged — at start or while the studio runs — a damaged file is moved aside
(never deleted), the schema is created again, finished jobs come back from the library's sidecars
and every other job (in flight, failed, waiting for a decision) from its record copy; then the
operation that found the problem carries on.  A read-only or locked database is a StoreError whose
text says what happened and what to do.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from . import store_files
from .errors import R2VError
from .store_files import atomic_write_bytes, atomic_write_json, file_sha256
from .store_schema import (
    COLUMNS,
    JSON_COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    TERMINAL_STATES,
    UNFINISHED_SQL,
    JobRecord,
    filters_sql,
    fold,
    from_row,
    insert_sql,
    record_from_fields,
    register_functions,
    to_row,
)

__all__ = ["JobStore", "JobRecord", "StoreError", "MIGRATIONS", "SCHEMA_VERSION", "TERMINAL_STATES",
           "atomic_write_bytes", "atomic_write_json", "file_sha256"]

log = logging.getLogger(__name__)


class StoreError(R2VError):
    """The job database cannot be used; the text says why and what to do."""


class JobStore(store_files.LibraryFiles):
    """Thread-safe: one connection per call, WAL so readers never block the writer."""

    def __init__(self, data_dir: Path, *, busy_timeout_s: float = 5.0):
        self.data_dir = Path(data_dir)
        self.library_dir = self.data_dir / "library"
        self.references_dir = self.data_dir / "references"
        self.work_dir = self.data_dir / "work"
        self.records_dir = self.data_dir / store_files.RECORDS_DIR
        self._make_dirs()
        self.links_from = [self.work_dir.resolve()]  # the studio's own repaired copies never change
        self.db_path = self.data_dir / "jobs.sqlite3"
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()  # a row and its record copy change together
        self._recover_lock = threading.Lock()
        self._generation = 0  # how many times the database was rebuilt while running
        self.recovered_from: Path | None = None  # set when a damaged database was moved aside
        self._open()

    def _make_dirs(self) -> None:
        for d in (self.data_dir, self.library_dir, self.references_dir, self.work_dir, self.records_dir):
            d.mkdir(parents=True, exist_ok=True)

    # --- connection and schema ---------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=self._busy_timeout_s, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_s * 1000)}")
        register_functions(conn)
        return conn

    def _open(self) -> None:
        try:
            found, rebuilt = self._migrate()  # a new, missing or empty (0-byte) file is rebuilt too
        except sqlite3.Error as exc:
            problem = _classify(exc)
            if problem not in ("damaged", "missing"):
                raise self._error(problem, exc) from exc
            self._move_aside()  # damaged: keep it for inspection, start a new one
            self._migrate(rebuild=True)
            return
        if found == 0 and rebuilt:
            log.warning("The job database %s was missing or empty; %d job(s) were rebuilt from the library.",
                        self.db_path, rebuilt)
        if 0 < found < 4:  # written before schema 4, perhaps before record copies existed: once, at upgrade
            self._backfill_records()

    def _backfill_records(self) -> None:
        """Jobs written before record copies existed get one now (those with a video need none)."""
        have = {p.name for p in self.records_dir.glob("*.json")}
        rows = self._run(lambda c: c.execute("SELECT * FROM jobs WHERE state != 'succeeded'").fetchall())
        for row in rows:
            if store_files.record_file(self.records_dir, row["job_id"]).name not in have:
                self._keep_record(from_row(row))

    @property
    def rebuilds(self) -> int:
        """How many times the database was rebuilt while this store was in use."""
        return self._generation

    def _move_aside(self) -> None:
        stamp = int(time.time())
        aside = self.db_path.with_name(f"{self.db_path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():  # never overwrite an earlier damaged copy
            aside = self.db_path.with_name(f"{self.db_path.name}.damaged-{stamp}-{n}")
            n += 1
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.db_path) + suffix)
            if p.exists():
                os.replace(p, Path(str(aside) + suffix))
        self.recovered_from = aside

    def _locked_text(self) -> str:
        return (
            f"The job database {self.db_path} is locked by another program (perhaps a second copy of the "
            "studio using the same data folder). Close it, or start this one with another R2V_DATA_DIR."
        )

    def _error(self, problem: str, exc: BaseException) -> StoreError:
        if problem == "locked":
            return StoreError(self._locked_text())
        if problem == "readonly":
            return StoreError(
                f"The job database {self.db_path} is read-only, so no job can be saved; give the studio write "
                "access to that file and its folder, or start it with another R2V_DATA_DIR."
            )
        if problem == "damaged":
            return StoreError(
                f"The job database {self.db_path} is damaged ({exc}) and could not be rebuilt; restart the "
                "studio: it will move the file aside and rebuild your jobs from the library."
            )
        return StoreError(f"The job database {self.db_path} could not be used ({exc}); check that the data "
                          "folder exists and is writable, then try again.")

    def _migrate(self, *, rebuild: bool = False) -> tuple[int, int]:
        """Bring the schema up to date and, when there was none (or `rebuild`), put back the jobs the
        folder holds — in one transaction, so no other connection ever sees the new table empty.
        Returns (the schema version found, how many jobs were put back)."""
        with self._lock, self._conn() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"The job database {self.db_path} was written by a newer version of the studio "
                        f"(schema {version}; this one knows {SCHEMA_VERSION}). Update the studio."
                    )
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for stmt in MIGRATIONS[target]:
                        conn.execute(stmt)
                    conn.execute(f"PRAGMA user_version={target}")
                rebuilt = self._insert_missing(conn) if rebuild or version == 0 else 0
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return version, rebuilt

    class _Conn:
        def __init__(self, store: "JobStore"):
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.conn = self.store._connect()
            return self.conn

        def __exit__(self, *exc) -> None:
            self.conn.close()

    def _conn(self) -> "JobStore._Conn":
        return JobStore._Conn(self)

    def _run(self, fn, *, recover: bool = True):
        """fn(connection); a missing, emptied or damaged database is rebuilt once and fn run again."""
        generation = self._generation
        try:
            with self._conn() as conn:
                return fn(conn)
        except sqlite3.Error as exc:
            problem = _classify(exc)
            if problem == "other" and not self.db_path.parent.is_dir():
                problem = "missing"  # the whole data folder went away
            if recover and problem in ("missing", "damaged"):
                self._recover(problem, generation, exc)
                return self._run(fn, recover=False)
            raise self._error(problem, exc) from exc

    def _recover(self, problem: str, generation: int, exc: BaseException) -> None:
        """Rebuild the database while running; one thread does it, the others find it done."""
        with self._recover_lock:
            if self._generation != generation:
                return
            try:
                self._make_dirs()
                if problem == "damaged" or (self.db_path.exists() and self._schema_without_table()):
                    self._move_aside()  # kept for inspection, never deleted
                n = self._migrate(rebuild=True)[1]
            except sqlite3.Error as again:
                raise self._error(_classify(again), again) from exc
            self._generation += 1
        log.warning("The job database %s was %s (%s); it was rebuilt with %d job(s) from the library and the "
                    "job records.", self.db_path, "damaged" if problem == "damaged" else "missing or empty", exc, n)

    def _schema_without_table(self) -> bool:
        """A schema version but no jobs table: a file that is not ours to trust."""
        with self._conn() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").fetchone()
            return version > 0 and table is None

    # --- rows --------------------------------------------------------------------------------
    def create(self, rec: JobRecord) -> None:
        row = to_row(rec)
        with self._write_lock:
            self._run(lambda c: c.execute(insert_sql(row), row))
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
            if name in JSON_COLUMNS:
                row[JSON_COLUMNS[name]] = json.dumps(value, ensure_ascii=False)
            else:
                row[name] = value
        if "settings" in changes:
            row["prompt_folded"] = fold(changes["settings"].get("prompt"))
        sets = ", ".join(f"{c} = :{c}" for c in row)

        def apply(c: sqlite3.Connection) -> int:
            return c.execute(f"UPDATE jobs SET {sets} WHERE job_id = :_id", row | {"_id": job_id}).rowcount

        with self._write_lock:
            current = self.get(job_id)  # from its record copy if the row is gone
            if current is None:
                raise KeyError(job_id)
            rec = replace(current, **changes)
            self._keep_record(rec)
            if self._run(apply) == 0:  # the database was rebuilt between the two calls: write it whole
                whole = to_row(rec)
                self._run(lambda c: c.execute(insert_sql(whole, "INSERT OR REPLACE"), whole))
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
            atomic_write_json(path, asdict(rec))
        except OSError as exc:
            raise StoreError(f"The record of job {rec.job_id} could not be written to {path} ({exc.strerror or exc}); "
                             "free some disk space or give the studio write access to its data folder.") from exc

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

    def rebuild_from_library(self) -> int:
        """Put back every job the database lacks (see _insert_missing); returns how many."""
        return self._migrate(rebuild=True)[1]

    def _insert_missing(self, conn: sqlite3.Connection) -> int:
        """Finished jobs from their sidecars, then every other job from its record copy; jobs already
        in the database are left as they are.  Runs inside the caller's transaction."""
        recs = [record_from_fields(f) for f in (store_files.fields_from_sidecar(side, self.data_dir)
                                                for side in self.iter_sidecars()) if f]
        recs += [record_from_fields(d) for d in store_files.iter_records(self.records_dir)]
        n = 0
        for rec in recs:
            row = to_row(rec)
            n += conn.execute(insert_sql(row, "INSERT OR IGNORE"), row).rowcount
        return n


def _sidecar_rel(video_rel: str | None) -> str | None:
    return str(Path(video_rel).with_suffix(".json")) if video_rel else None


def _is_locked(exc: BaseException) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _classify(exc: BaseException) -> str:
    """"locked" | "readonly" | "missing" (no schema: a deleted or emptied file) | "damaged" | "other"."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name == "SQLITE_READONLY_DBMOVED":  # the file was deleted or renamed under an open connection
        return "missing"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return "readonly"
    if _is_locked(exc):
        return "locked"
    if "no such table" in text:
        return "missing"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return "damaged"
    return "other"
