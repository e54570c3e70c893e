"""The job row: its fields (`JobRecord`), the SQLite schema with its migrations, and the mapping
between a record and a row.  Used by store.py; nothing here touches a file."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 3

# Migration n takes a database from version n-1 to version n.  Never edit a released step: add one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE jobs (
            job_id TEXT PRIMARY KEY,
            owner TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            settings_json TEXT NOT NULL,
            references_json TEXT NOT NULL,
            task_id TEXT,
            target TEXT NOT NULL DEFAULT 'demo',
            error TEXT,
            video_path TEXT,
            seed_used INTEGER,
            price_label TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX jobs_owner_created ON jobs(owner, created_at)",
    ),
    2: (
        "ALTER TABLE jobs ADD COLUMN poster_path TEXT",
        "ALTER TABLE jobs ADD COLUMN timings_json TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE jobs ADD COLUMN warnings_json TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE jobs ADD COLUMN stage_text TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE jobs ADD COLUMN submit_attempts INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX jobs_task ON jobs(task_id)",
    ),
    # Who may give a key for a live job after a restart (r2v_ui/keys.py): a one-way tag, never a key.
    3: ("ALTER TABLE jobs ADD COLUMN key_holder TEXT NOT NULL DEFAULT ''",),
}

TERMINAL_STATES = frozenset({"succeeded", "failed", "discarded"})


@dataclass
class JobRecord:
    job_id: str
    owner: str
    state: str
    created_at: float
    updated_at: float
    settings: dict[str, Any]
    references: list[dict[str, Any]]
    task_id: str | None = None
    target: str = "demo"
    error: str | None = None
    video_path: str | None = None  # relative to the data folder
    seed_used: int | None = None
    price_label: str = ""
    poster_path: str | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stage_text: str = ""
    submit_attempts: int = 0
    key_holder: str = ""  # keys.holder_tag() of whoever started the job; never the key itself

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


JSON_COLUMNS = {"settings": "settings_json", "references": "references_json", "timings": "timings_json",
                 "warnings": "warnings_json"}
COLUMNS = [f.name for f in fields(JobRecord)]


def to_row(rec: JobRecord) -> dict[str, Any]:
    row = {}
    for name, value in asdict(rec).items():
        if name in JSON_COLUMNS:
            row[JSON_COLUMNS[name]] = json.dumps(value, ensure_ascii=False)
        else:
            row[name] = value
    return row


def from_row(row: sqlite3.Row) -> JobRecord:
    data = dict(row)
    kw: dict[str, Any] = {}
    for name in COLUMNS:
        col = JSON_COLUMNS.get(name, name)
        if col in data:
            kw[name] = json.loads(data[col]) if name in JSON_COLUMNS else data[col]
    return JobRecord(**kw)


def record_from_fields(data: dict[str, Any]) -> JobRecord:
    """A record from a dict of its fields (a record copy on disk); unknown keys are ignored."""
    return JobRecord(**{k: v for k, v in data.items() if k in COLUMNS})


def insert_sql(row: dict[str, Any], verb: str = "INSERT") -> str:
    return f"{verb} INTO jobs ({', '.join(row)}) VALUES ({', '.join(f':{c}' for c in row)})"
