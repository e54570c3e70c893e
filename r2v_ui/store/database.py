"""The job database itself: its connection, its schema, and how it heals.

SQLite in WAL mode, one connection per call.  The schema is brought up to date at open (migrations
in schema.py).  The database is an index that can always be rebuilt: when it is missing, empty
or damaged — at start or while the studio runs — a damaged file is moved aside (never deleted), the
schema is created again and the jobs the folder holds are put back (`refill`, from rebuild.py); then
the operation that found the problem carries on.  A read-only or locked database is a StoreError
whose text says what happened and what to do (trouble.py).  The rows themselves are jobstore.py's.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, TypeVar

from ..messages import msg
from . import trouble
from .schema import MIGRATIONS, SCHEMA_VERSION, register_functions
from .trouble import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")
Refill = Callable[[sqlite3.Connection], int]  # puts back the jobs the folder holds; returns how many


class Database:
    """Thread-safe: one connection per call (`run`), WAL so readers never block the writer."""

    def __init__(self, db_path: Path, data_dir: Path, *, refill: Refill, prepare: Callable[[], None],
                 busy_timeout_s: float = 5.0):
        """`refill(conn)` puts back the jobs the data folder holds, inside the rebuild's transaction;
        `prepare()` makes the data folder's folders again before a rebuild while running."""
        self.db_path, self.data_dir = Path(db_path), Path(data_dir)
        self._refill, self._prepare = refill, prepare
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._recover_lock = threading.Lock()
        self._generation = 0  # how many times the database was rebuilt while running
        self.recovered_from: Path | None = None  # set when a damaged database was moved aside
        self.found_version = self._open()  # the schema version the file had when opened (0: new or rebuilt)

    @property
    def rebuilds(self) -> int:
        """How many times the database was rebuilt while in use."""
        return self._generation

    # --- connection and schema ---------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """A new connection (the caller closes it); `run` is the way that heals."""
        conn = sqlite3.connect(self.db_path, timeout=self._busy_timeout_s, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_s * 1000)}")
        register_functions(conn)
        return conn

    def run(self, fn: Callable[[sqlite3.Connection], T], *, recover: bool = True) -> T:
        """fn(connection); a missing, emptied or damaged database is rebuilt once and fn run again."""
        generation = self._generation
        try:
            conn = self.connect()
            try:
                return fn(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            problem = self._problem(exc)
            if recover and problem in ("missing", "damaged"):
                self._recover(problem, generation, exc)
                return self.run(fn, recover=False)
            raise self._error(problem, exc) from exc

    def _open(self) -> int:
        try:
            found, rebuilt = self._migrate()  # a new, missing or empty (0-byte) file is rebuilt too
        except sqlite3.Error as exc:
            problem = self._problem(exc)
            if problem not in ("damaged", "missing"):
                raise self._error(problem, exc) from exc
            self._move_aside()  # damaged: keep it for inspection, start a new one
            self._migrate(rebuild=True)
            return 0
        if found == 0 and rebuilt:
            log.warning("The job database %s was missing or empty; %d job(s) were rebuilt from the library.",
                        self.db_path, rebuilt)
        return found

    def _migrate(self, *, rebuild: bool = False) -> tuple[int, int]:
        """Bring the schema up to date and, when there was none (or `rebuild`), put back the jobs the
        folder holds — in one transaction, so no other connection ever sees the new table empty.
        Returns (the schema version found, how many jobs were put back)."""
        with self._lock:
            conn = self.connect()
            try:
                conn.execute("PRAGMA journal_mode=WAL")

                def migrate() -> tuple[int, int]:
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    if version > SCHEMA_VERSION:
                        raise StoreError(msg("store.newer", path=str(self.db_path), version=version,
                                             known=SCHEMA_VERSION))
                    for target in range(version + 1, SCHEMA_VERSION + 1):
                        for stmt in MIGRATIONS[target]:
                            conn.execute(stmt)
                        conn.execute(f"PRAGMA user_version={target}")
                    return version, (self._refill(conn) if rebuild or version == 0 else 0)

                return together(conn, migrate)
            finally:
                conn.close()

    # --- healing -------------------------------------------------------------------------------
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
        """What went wrong, in the terms of `trouble.database_error`: SQLite's own classification, and
        for its vaguer answers (an I/O error, a file it cannot open) what the file system says."""
        problem = trouble.classify(exc)
        if problem in ("other", "readonly"):
            found = trouble.disk_trouble(self.data_dir)
            problem = {"full": "full", "readonly": "folder_readonly"}.get(found or "", problem)
        if problem == "other" and not self.db_path.parent.is_dir():
            problem = "missing"  # the whole data folder went away
        return problem

    def _error(self, problem: str, exc: BaseException) -> StoreError:
        return trouble.database_error(problem, exc, db_path=self.db_path, data_dir=self.data_dir)

    def _recover(self, problem: str, generation: int, exc: BaseException) -> None:
        """Rebuild the database while running; one thread does it, the others find it done."""
        with self._recover_lock:
            if self._generation != generation:
                return
            try:
                self._prepare()
                if problem == "damaged" or (self.db_path.exists() and self._schema_without_table()):
                    self._move_aside()  # kept for inspection, never deleted
                n = self._migrate(rebuild=True)[1]
            except sqlite3.Error as again:
                raise self._error(self._problem(again), again) from exc
            except OSError as again:  # the folder cannot be made again (read-only, full, a file in its place)
                raise self._error(trouble.folder_problem(again, self.data_dir), again) from exc
            self._generation += 1
        log.warning("The job database %s was %s (%s); it was rebuilt with %d job(s) from the library and the "
                    "job records.", self.db_path, "damaged" if problem == "damaged" else "missing or empty", exc, n)

    def _schema_without_table(self) -> bool:
        """A schema version but no jobs table: a file that is not ours to trust."""
        conn = self.connect()
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").fetchone()
            return version > 0 and table is None
        finally:
            conn.close()


def together(conn: sqlite3.Connection, fn: Callable[[], T]) -> T:
    """fn() in one transaction on `conn` (a job's row and its ledger row are seen changed together)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = fn()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return out


__all__ = ["Database", "Refill", "StoreError", "together"]
