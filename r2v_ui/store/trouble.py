"""What went wrong with the data folder, in the store's words: `StoreError`, and how a SQLite or
file-system error is classified (locked, read-only, full, missing, damaged) into a sentence that
says what happened and what to do.  Every part of the store asks here; nothing here writes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import StudioError
from ..messages import msg

FULL_BELOW_BYTES = 1024 * 1024  # less free space than this on the data folder's disk: full, for SQLite's purposes


class StoreError(StudioError):
    """The job database or the data folder cannot be used; the text says why and what to do."""


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


def folder_problem(exc: OSError, data_dir: Path) -> str:
    """An OSError on the data folder as a problem of `database_error`: "full", "folder_readonly" or "other"."""
    trouble = os_trouble(exc) or disk_trouble(data_dir)
    return {"full": "full", "readonly": "folder_readonly"}.get(trouble or "", "other")


def classify(exc: BaseException) -> str:
    """A SQLite error as "locked" | "readonly" | "full" | "missing" (no schema: a deleted or emptied
    file) | "damaged" | "other"."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return "full"
    if name == "SQLITE_READONLY_DBMOVED":  # the file was deleted or renamed under an open connection
        return "missing"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return "readonly"
    if "locked" in text or "busy" in text:
        return "locked"
    if "no such table" in text:
        return "missing"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return "damaged"
    return "other"


def database_error(problem: str, exc: BaseException, *, db_path: Path, data_dir: Path) -> StoreError:
    """`problem`: "locked", "readonly" (the database file), "folder_readonly" (the data folder's
    disk), "full", "damaged" or anything else (unusable).  SQLite's own words for the cause (`exc`)
    are quoted as they are: a diagnostic, not a sentence of ours."""
    if problem in ("full", "folder_readonly"):
        return StoreError(msg(f"store.{problem}", path=str(data_dir)))
    if problem in ("locked", "readonly"):
        return StoreError(msg(f"store.{problem}", path=str(db_path)))
    if problem == "damaged":
        return StoreError(msg("store.damaged", path=str(db_path), error=str(exc)))
    return StoreError(msg("store.unusable", path=str(db_path), error=str(exc)))


def file_error(exc: OSError, *, data_dir: Path, job_id: str, path: Path) -> StoreError:
    """A file of the data folder (a record copy) could not be written."""
    problem = folder_problem(exc, data_dir)
    if problem != "other":
        return StoreError(msg(f"store.{problem}", path=str(data_dir)))
    return StoreError(msg("store.record_unwritable", job=job_id, path=str(path), why=exc.strerror or str(exc)))
