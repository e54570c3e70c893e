"""What the job database is rebuilt from when it is lost, emptied or damaged: finished jobs from
the library's sidecars (library.py), every other job from its record copy (records.py), and the
ledger's rows with them, and the share links with their picks and notes from shares/ (shares.py).
Jobs and links already in the database are left as they are."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..jobs.states import JobState
from . import ledger, shares
from .library import Library
from .records import Records
from .schema import from_row, insert_sql, to_row


def put_back(conn: sqlite3.Connection, library: Library, records: Records, shares_folder: Path | None = None) -> int:
    """Insert every job the folder holds that the database lacks; runs inside the caller's
    transaction.  Returns how many rows were put back."""
    n = 0
    for rec in (*library.finished(), *records.all()):
        row = to_row(rec)
        n += conn.execute(insert_sql(row, "INSERT OR IGNORE"), row).rowcount
        ledger.record(conn, rec)  # what it cost comes back with it
    if shares_folder is not None:
        shares.put_back(conn, shares_folder)
    return n


def backfill_records(conn: sqlite3.Connection, records: Records) -> None:
    """Jobs written before record copies existed (schema < 4) get one now; those with a video need none."""
    have = records.names()
    rows = conn.execute("SELECT * FROM jobs WHERE state != ?", (JobState.SUCCEEDED.value,)).fetchall()
    for row in rows:
        if records.path(row["job_id"]).name not in have:
            records.keep(from_row(row))
