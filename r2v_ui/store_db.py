"""The job database itself: its connection, its schema, and how it heals.

SQLite in WAL mode, one connection per call.  The schema is brought up to date at open (migrations
in store_schema.py).  The database is an index that can always be rebuilt: when it is missing, empty
or damaged — at start or while the studio runs — a damaged file is moved aside (never deleted), the
schema is created again, finished jobs come back from the library's sidecars and every other job (in
flight, failed, waiting for a decision) from its record copy; then the operation that found the
problem carries on.  A read-only or locked database is a StoreError whose text says what happened and
what to do.  The rows themselves (create, update, list, …) are JobStore's, in store.py.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from . import ledger, store_files
from .errors import StudioError
from .messages import msg
from .store_schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    JobRecord,
    from_row,
    insert_sql,
    record_from_fields,
    register_functions,
    to_row,
)

log = logging.getLogger(__name__)


class StoreError(StudioError):
    """The job database cannot be used; the text says why and what to do."""


class JobDatabase:
    """The connection and recovery half of JobStore (store.py), which supplies the folders, the
    record copies (`_keep_record`) and the library's sidecars (`iter_sidecars`)."""

    data_dir: Path
    records_dir: Path

    def _open_database(self, db_path: Path, busy_timeout_s: float) -> None:
        self.db_path = db_path
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._recover_lock = threading.Lock()
        self._generation = 0  # how many times the database was rebuilt while running
        self.recovered_from: Path | None = None  # set when a damaged database was moved aside
        self._open()

    def _make_dirs(self) -> None:
        raise NotImplementedError

    def _keep_record(self, rec: JobRecord) -> None:
        raise NotImplementedError

    def iter_sidecars(self) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

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
            problem = self._problem(exc)
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

    def _problem(self, exc: sqlite3.Error) -> str:
        """What went wrong, in the terms of `_error`: SQLite's own classification, and for its vaguer
        answers (an I/O error, a file it cannot open) what the file system says about the folder."""
        problem = _classify(exc)
        if problem in ("other", "readonly"):
            trouble = disk_trouble(self.data_dir)
            problem = {"full": "full", "readonly": "folder_readonly"}.get(trouble or "", problem)
        if problem == "other" and not self.db_path.parent.is_dir():
            problem = "missing"  # the whole data folder went away
        return problem

    def _error(self, problem: str, exc: BaseException) -> StoreError:
        """`problem`: "locked", "readonly" (the database file), "folder_readonly" (the data folder's
        disk), "full", "damaged" or anything else (unusable).  SQLite's own words
        for the cause (`exc`) are quoted as they are: a diagnostic, not a sentence of ours."""
        path = str(self.db_path)
        if problem in ("full", "folder_readonly"):
            return StoreError(msg(f"store.{problem}", path=str(self.data_dir)))
        if problem in ("locked", "readonly"):
            return StoreError(msg(f"store.{problem}", path=path))
        if problem == "damaged":
            return StoreError(msg("store.damaged", path=path, error=str(exc)))
        return StoreError(msg("store.unusable", path=path, error=str(exc)))

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
                    raise StoreError(msg("store.newer", path=str(self.db_path), version=version, known=SCHEMA_VERSION))
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
        def __init__(self, store: "JobDatabase"):
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.conn = self.store._connect()
            return self.conn

        def __exit__(self, *exc) -> None:
            self.conn.close()

    def _conn(self) -> "JobDatabase._Conn":
        return JobDatabase._Conn(self)

    def _run(self, fn, *, recover: bool = True):
        """fn(connection); a missing, emptied or damaged database is rebuilt once and fn run again."""
        generation = self._generation
        try:
            with self._conn() as conn:
                return fn(conn)
        except sqlite3.Error as exc:
            problem = self._problem(exc)
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
                raise self._error(self._problem(again), again) from exc
            except OSError as again:  # the folder cannot be made again (read-only, full, a file in its place)
                trouble = os_trouble(again) or disk_trouble(self.data_dir)
                raise self._error({"full": "full", "readonly": "folder_readonly"}.get(trouble or "", "other"),
                                  again) from exc
            self._generation += 1
        log.warning("The job database %s was %s (%s); it was rebuilt with %d job(s) from the library and the "
                    "job records.", self.db_path, "damaged" if problem == "damaged" else "missing or empty", exc, n)

    def _schema_without_table(self) -> bool:
        """A schema version but no jobs table: a file that is not ours to trust."""
        with self._conn() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").fetchone()
            return version > 0 and table is None


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
            ledger.record(conn, rec)  # what it cost comes back with it
        return n



def _is_locked(exc: BaseException) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


FULL_BELOW_BYTES = 1024 * 1024  # less free space than this on the data folder's disk: full, for SQLite's purposes


def disk_trouble(folder: Path) -> str | None:
    """"full" or "readonly" when the file system holding `folder` (or its nearest existing parent) is
    full or mounted read-only; None when it looks usable (or cannot be asked)."""
    here = Path(folder)
    while not here.exists() and here != here.parent:
        here = here.parent
    try:
        st = os.statvfs(here)
    except OSError:
        return None
    if st.f_flag & os.ST_RDONLY:
        return "readonly"
    if st.f_bavail * st.f_frsize < FULL_BELOW_BYTES:
        return "full"
    return None


def os_trouble(exc: OSError) -> str | None:
    """"full" or "readonly" when an OSError says so by its errno."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "readonly"
    return None


def _classify(exc: BaseException) -> str:
    """"locked" | "readonly" | "full" | "missing" (no schema: a deleted or emptied file) | "damaged" |
    "other"."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return "full"
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
