"""The job row: its fields (`JobRecord`), the SQLite schema with its migrations, the mapping
between a record and a row (plus `prompt_folded`, a column for search only), and the list filters.
A job's states are the job core's vocabulary (jobs/states.py); nothing here touches a file."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import dataclass, field, fields
from typing import Any

from .. import messages
from ..jobs.states import TERMINAL_STATES, JobState
from ..messages import Msg

SCHEMA_VERSION = 9

# The rows a start resumes, the terminal states in the vocabulary's order — the very text of the
# partial index of migration 4, so SQLite uses that index (a test checks it does; a new terminal
# state keeps the query right but unindexed until a migration indexes it again).
UNFINISHED_SQL = "state NOT IN ({})".format(", ".join(f"'{s.value}'" for s in JobState if s in TERMINAL_STATES))

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
    # Who may give a key for a live job after a restart (r2v_ui/jobs/keys.py): a one-way tag, never a key.
    3: ("ALTER TABLE jobs ADD COLUMN key_holder TEXT NOT NULL DEFAULT ''",),
    # A library of 10,000 as quick as 10: search in SQL on the prompt, folded the way Python folds
    # case (every script, not only ASCII; r2v_casefold is registered on each connection), and
    # indexes for the newest-first list, the state filters and the unfinished jobs a start resumes.
    4: (
        "ALTER TABLE jobs ADD COLUMN prompt_folded TEXT NOT NULL DEFAULT ''",
        """UPDATE jobs SET prompt_folded = r2v_casefold(
            CASE WHEN json_valid(settings_json) THEN json_extract(settings_json, '$.prompt') END)""",
        "CREATE INDEX jobs_created ON jobs(created_at)",
        "CREATE INDEX jobs_state_created ON jobs(state, created_at)",
        "CREATE INDEX jobs_unfinished ON jobs(created_at) WHERE state NOT IN ('succeeded', 'failed', 'discarded')",
    ),
    # Takes: the jobs one click started together share a batch id, each with its take number; and
    # "Keep this one" marks a favourite (History filters on it, so it is indexed with the list order).
    5: (
        "ALTER TABLE jobs ADD COLUMN batch_id TEXT",
        "ALTER TABLE jobs ADD COLUMN take INTEGER",
        "ALTER TABLE jobs ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX jobs_batch ON jobs(batch_id) WHERE batch_id IS NOT NULL",
        "CREATE INDEX jobs_favourite_created ON jobs(created_at) WHERE favourite = 1",
    ),
    # Job texts as codes with parameters (r2v_ui/messages), so History renders in its reader's
    # language: a stage, error or warning stored before as finished English becomes the code
    # "legacy_text" with that text, shown as it was.
    6: (
        """UPDATE jobs SET stage_text = json_object('code', 'legacy_text', 'params', json_object('text', stage_text))
           WHERE stage_text != '' AND CASE WHEN json_valid(stage_text)
             THEN json_type(stage_text, '$.code') IS NOT 'text' ELSE 1 END""",
        """UPDATE jobs SET error = json_object('code', 'legacy_text', 'params', json_object('text', error))
           WHERE error IS NOT NULL AND error != ''
             AND CASE WHEN json_valid(error) THEN json_type(error, '$.code') IS NOT 'text' ELSE 1 END""",
        """UPDATE jobs SET warnings_json = (
               SELECT json_group_array(CASE WHEN type = 'text'
                   THEN json_object('code', 'legacy_text', 'params', json_object('text', value))
                   ELSE json(value) END)
               FROM json_each(jobs.warnings_json))
           WHERE json_valid(warnings_json) AND json_array_length(warnings_json) > 0""",
        # and the search column folded anew: full-width letters and digits (ｃｈａｒａｃｔｅｒ１) now
        # match their ASCII forms, as a Chinese keyboard may type either.
        """UPDATE jobs SET prompt_folded = r2v_casefold(
            CASE WHEN json_valid(settings_json) THEN json_extract(settings_json, '$.prompt') END)""",
    ),
    # History's search also finds the prompt as the user wrote it: "@Mira argues…" was sent as
    # "character1 argues…", and a search for Mira should find it.
    7: (
        """UPDATE jobs SET prompt_folded = r2v_casefold(
            CASE WHEN json_valid(settings_json) THEN json_extract(settings_json, '$.prompt') || char(10)
                 || coalesce(json_extract(settings_json, '$.written_prompt'), '') END)""",
    ),
    # The ledger (ledger.py): each job's cost in its row (and so in its record copy and sidecar),
    # and a table of what each job on the studio's key counts, which outlives a deleted job.
    8: (
        "ALTER TABLE jobs ADD COLUMN cost_json TEXT NOT NULL DEFAULT '{}'",
        """CREATE TABLE ledger (
            job_id TEXT PRIMARY KEY,
            person TEXT NOT NULL,
            started_at REAL NOT NULL,
            estimate REAL NOT NULL,
            billed REAL,
            billed_seconds REAL,
            outcome TEXT NOT NULL,
            counted REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        "CREATE INDEX ledger_started ON ledger(started_at)",
        "CREATE INDEX ledger_person_started ON ledger(person, started_at)",
    ),
    # The screening room (issue 22; store/shares.py, r2v_ui/share/): share links, the jobs each names in
    # order, each viewer's pick per link and the viewers' notes.  Mirrored to shares/<token>.json, so a
    # rebuilt database keeps them; a deleted job's rows go with it.
    9: (
        """CREATE TABLE share_links (
            token TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL,
            show_prompt INTEGER NOT NULL DEFAULT 0,
            password_hash TEXT,
            views INTEGER NOT NULL DEFAULT 0,
            revoked INTEGER NOT NULL DEFAULT 0,
            wrong_tries INTEGER NOT NULL DEFAULT 0,
            locked_until REAL
        )""",
        "CREATE INDEX share_links_owner ON share_links(owner, created_at)",
        """CREATE TABLE share_link_jobs (
            token TEXT NOT NULL,
            job_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (token, job_id)
        )""",
        "CREATE INDEX share_link_jobs_job ON share_link_jobs(job_id)",
        """CREATE TABLE share_picks (
            token TEXT NOT NULL,
            viewer TEXT NOT NULL,
            job_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            at REAL NOT NULL,
            PRIMARY KEY (token, viewer)
        )""",
        "CREATE INDEX share_picks_job ON share_picks(job_id)",
        """CREATE TABLE share_notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            token TEXT NOT NULL,
            job_id TEXT NOT NULL,
            viewer TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            seconds REAL,
            at REAL NOT NULL
        )""",
        "CREATE INDEX share_notes_token ON share_notes(token, at)",
        "CREATE INDEX share_notes_job ON share_notes(job_id)",
    ),
}


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
    error: Msg | None = None
    video_path: str | None = None  # relative to the data folder
    seed_used: int | None = None
    price_label: str = ""
    poster_path: str | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    warnings: list[Msg] = field(default_factory=list)
    stage_text: Msg | None = None
    submit_attempts: int = 0
    key_holder: str = ""  # keys.holder_tag() of whoever started the job; never the key itself
    batch_id: str | None = None  # the takes started by one click share it (None: a job on its own)
    take: int | None = None  # 1.. within its batch
    favourite: bool = False  # "Keep this one"
    cost: dict[str, Any] = field(default_factory=dict)  # ledger.py: estimate, billed, who paid

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


JSON_COLUMNS = {"settings": "settings_json", "references": "references_json", "timings": "timings_json",
                 "warnings": "warnings_json", "cost": "cost_json"}
COLUMNS = [f.name for f in fields(JobRecord)]
MSG_FIELDS = ("error", "stage_text")  # a Msg, kept as JSON text in its column (migration 6)


def as_msg(value: Msg | str | None) -> Msg | None:
    """A job text as a Msg: a plain string is an old (or hand-written) text, shown as it is."""
    if value is None or isinstance(value, Msg):
        return value
    return messages.legacy(str(value)) if value != "" else None


def field_data(name: str, value: Any) -> Any:
    """A record field as plain JSON-able data (record copies, JSON columns)."""
    if name in MSG_FIELDS:
        m = as_msg(value)
        return None if m is None else messages.to_data(m)
    if name == "warnings":
        return [messages.to_data(as_msg(w)) for w in value]
    return value


def column_value(name: str, value: Any) -> Any:
    """A record field as its column holds it."""
    if name in MSG_FIELDS:
        text = messages.dumps(as_msg(value))
        return text if text is not None else (None if name == "error" else "")
    if name in JSON_COLUMNS:
        return json.dumps(field_data(name, value), ensure_ascii=False)
    return value


def field_value(name: str, data: Any) -> Any:
    """A field back from a column (`str`) or from a record copy (already parsed)."""
    if name in MSG_FIELDS:
        return messages.loads(data) if isinstance(data, str) else messages.from_data(data)
    if name == "warnings":
        return [messages.from_data(w) for w in data]
    if name == "favourite":
        return bool(data)
    return data


def record_fields(rec: JobRecord) -> dict[str, Any]:
    """The record as JSON-able fields (its copy on disk)."""
    return {f.name: field_data(f.name, getattr(rec, f.name)) for f in fields(JobRecord)}


def fold(text: Any) -> str:
    """How prompts and searches are compared: compatibility forms unified (NFKC: full-width "ｃ１" is
    "c1") and Python's case folding; Chinese characters are left as they are."""
    return "" if text is None else unicodedata.normalize("NFKC", str(text)).casefold()


def search_text(settings: dict[str, Any]) -> str:
    """What History's search looks in: the prompt as sent and, when @Names were rewritten, as written."""
    return fold(f"{settings.get('prompt') or ''}\n{settings.get('written_prompt') or ''}")


def to_row(rec: JobRecord) -> dict[str, Any]:
    row = {JSON_COLUMNS.get(f.name, f.name): column_value(f.name, getattr(rec, f.name)) for f in fields(JobRecord)}
    row["prompt_folded"] = search_text(rec.settings)
    return row


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the schema uses (migration 4 folds the prompts already stored)."""
    conn.create_function("r2v_casefold", 1, fold, deterministic=True)


def from_row(row: sqlite3.Row) -> JobRecord:
    data = dict(row)
    kw: dict[str, Any] = {}
    for name in COLUMNS:
        col = JSON_COLUMNS.get(name, name)
        if col in data:
            kw[name] = field_value(name, json.loads(data[col]) if name in JSON_COLUMNS else data[col])
    return JobRecord(**kw)


def record_from_fields(data: dict[str, Any]) -> JobRecord:
    """A record from a dict of its fields (a record copy on disk); unknown keys are ignored."""
    return JobRecord(**{k: field_value(k, v) for k, v in data.items() if k in COLUMNS})


def insert_sql(row: dict[str, Any], verb: str = "INSERT") -> str:
    return f"{verb} INTO jobs ({', '.join(row)}) VALUES ({', '.join(f':{c}' for c in row)})"


def filters_sql(owner: str | None, states: set[str] | None, search: str | None,
                kept: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause (with its arguments) of JobStore.list and count: owner, states, text in
    the prompt whatever its case, and (`kept`) only the favourites."""
    clauses: list[str] = ["favourite = 1"] if kept else []
    args: list[Any] = []
    if owner is not None:
        clauses.append("owner = ?")
        args.append(owner)
    if states:
        clauses.append(f"state IN ({', '.join('?' for _ in states)})")
        args.extend(sorted(states))
    if search:
        clauses.append("instr(prompt_folded, ?) > 0")
        args.append(fold(search))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args
