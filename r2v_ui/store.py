"""Durable job records (SQLite in WAL mode, versioned schema) and the library folder.

Layout under the data folder:
    jobs.sqlite3               one row per job; the row exists before any upload
    library/<job>.mp4|.json|.jpg  each result beside a JSON sidecar of everything that made it, and a poster
    references/<sha256><ext>   every reference kept by content hash, so a remix works after links expire

Every file write is atomic (temporary file, fsync, rename), so a crash never leaves a half-written
file that a row calls done.  If the database is damaged it is moved aside (never deleted) and the
finished jobs are rebuilt from the library's sidecars, so nothing else is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterator

from .errors import R2VError

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


class StoreError(R2VError):
    """The job database cannot be used; the text says why and what to do."""


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


_JSON_COLUMNS = {"settings": "settings_json", "references": "references_json", "timings": "timings_json",
                 "warnings": "warnings_json"}
_COLUMNS = [f.name for f in fields(JobRecord)]


def _to_row(rec: JobRecord) -> dict[str, Any]:
    row = {}
    for name, value in asdict(rec).items():
        if name in _JSON_COLUMNS:
            row[_JSON_COLUMNS[name]] = json.dumps(value, ensure_ascii=False)
        else:
            row[name] = value
    return row


def _from_row(row: sqlite3.Row) -> JobRecord:
    data = dict(row)
    kw: dict[str, Any] = {}
    for name in _COLUMNS:
        col = _JSON_COLUMNS.get(name, name)
        if col in data:
            kw[name] = json.loads(data[col]) if name in _JSON_COLUMNS else data[col]
    return JobRecord(**kw)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8"))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class JobStore:
    """Thread-safe: one connection per call, WAL so readers never block the writer."""

    def __init__(self, data_dir: Path, *, busy_timeout_s: float = 5.0):
        self.data_dir = Path(data_dir)
        self.library_dir = self.data_dir / "library"
        self.references_dir = self.data_dir / "references"
        self.work_dir = self.data_dir / "work"
        for d in (self.data_dir, self.library_dir, self.references_dir, self.work_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.db_path = self.data_dir / "jobs.sqlite3"
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self.recovered_from: Path | None = None  # set when a damaged database was moved aside
        self._open()

    # --- connection and schema ---------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=self._busy_timeout_s, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_s * 1000)}")
        return conn

    def _open(self) -> None:
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if _is_locked(exc):
                raise StoreError(self._locked_text()) from exc
            # Damaged file: keep it for inspection, start a new one, rebuild finished jobs.
            aside = self.db_path.with_name(f"{self.db_path.name}.damaged-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                p = Path(str(self.db_path) + suffix)
                if p.exists():
                    os.replace(p, Path(str(aside) + suffix))
            self.recovered_from = aside
            self._migrate()
            self.rebuild_from_library()

    def _locked_text(self) -> str:
        return (
            f"The job database {self.db_path} is locked by another program (perhaps a second copy of the "
            "studio using the same data folder). Close it, or start this one with another R2V_DATA_DIR."
        )

    def _migrate(self) -> None:
        with self._lock, self._conn() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The job database {self.db_path} was written by a newer version of the studio "
                    f"(schema {version}; this one knows {SCHEMA_VERSION}). Update the studio."
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for stmt in MIGRATIONS[target]:
                        conn.execute(stmt)
                    conn.execute(f"PRAGMA user_version={target}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise

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

    def _run(self, fn):
        try:
            with self._conn() as conn:
                return fn(conn)
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise StoreError(self._locked_text()) from exc
            raise StoreError(f"The job database {self.db_path} could not be used: {exc}.") from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"The job database {self.db_path} is damaged ({exc}). Restart the studio: it will move the "
                "file aside and rebuild your finished jobs from the library."
            ) from exc

    # --- rows --------------------------------------------------------------------------------
    def create(self, rec: JobRecord) -> None:
        row = _to_row(rec)
        cols = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        self._run(lambda c: c.execute(f"INSERT INTO jobs ({cols}) VALUES ({marks})", row))

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        changes.setdefault("updated_at", time.time())
        row = {}
        for name, value in changes.items():
            if name not in _COLUMNS:
                raise KeyError(name)
            if name in _JSON_COLUMNS:
                row[_JSON_COLUMNS[name]] = json.dumps(value, ensure_ascii=False)
            else:
                row[name] = value
        sets = ", ".join(f"{c} = :{c}" for c in row)
        self._run(lambda c: c.execute(f"UPDATE jobs SET {sets} WHERE job_id = :_id", row | {"_id": job_id}))
        rec = self.get(job_id)
        if rec is None:
            raise KeyError(job_id)
        return rec

    def get(self, job_id: str) -> JobRecord | None:
        row = self._run(lambda c: c.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone())
        return _from_row(row) if row else None

    def list(self, *, owner: str | None = None, states: set[str] | None = None, search: str | None = None,
             limit: int = 500) -> list[JobRecord]:
        sql = "SELECT * FROM jobs WHERE 1=1"
        args: list[Any] = []
        if owner is not None:
            sql += " AND owner = ?"
            args.append(owner)
        if states:
            sql += f" AND state IN ({', '.join('?' for _ in states)})"
            args.extend(sorted(states))
        sql += " ORDER BY created_at DESC LIMIT ?"
        args.append(limit)
        rows = self._run(lambda c: c.execute(sql, args).fetchall())
        recs = [_from_row(r) for r in rows]
        if search:
            needle = search.casefold()
            recs = [r for r in recs if needle in str(r.settings.get("prompt", "")).casefold()]
        return recs

    def unfinished(self) -> list[JobRecord]:
        return [r for r in self.list(limit=100000) if not r.terminal]

    def delete(self, job_id: str) -> None:
        rec = self.get(job_id)
        if rec is None:
            return
        for rel in (rec.video_path, rec.poster_path, _sidecar_rel(rec.video_path)):
            if rel:
                p = self.data_dir / rel
                if p.is_file():
                    p.unlink()
        self._run(lambda c: c.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,)))

    # --- files -------------------------------------------------------------------------------
    def keep_reference(self, src: Path) -> tuple[str, Path]:
        """Copy a reference into references/ under its content hash (once); return (sha256, path)."""
        digest = file_sha256(src)
        dest = self.references_dir / f"{digest}{src.suffix.lower()}"
        if not dest.exists():
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
            shutil.copyfile(src, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        return digest, dest

    def result_paths(self, rec: JobRecord) -> tuple[Path, Path, Path]:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(rec.created_at))
        base = self.library_dir / f"{stamp}_{rec.job_id}"
        return base.with_suffix(".mp4"), base.with_suffix(".json"), base.with_suffix(".jpg")

    def relative(self, path: Path | None) -> str | None:
        return str(Path(path).relative_to(self.data_dir)) if path else None

    def absolute(self, rel: str | None) -> Path | None:
        return (self.data_dir / rel) if rel else None

    def iter_sidecars(self) -> Iterator[dict[str, Any]]:
        for p in sorted(self.library_dir.glob("*.json")):
            try:
                yield json.loads(p.read_text("utf-8"))
            except (OSError, ValueError):
                continue

    def rebuild_from_library(self) -> int:
        """Recreate rows of finished jobs from their sidecars (after a damaged database)."""
        n = 0
        for side in self.iter_sidecars():
            job_id = side.get("job_id")
            if not job_id or self.get(job_id):
                continue
            video = side.get("video_file")
            video_rel = f"library/{video}" if video else None
            if not video_rel or not (self.data_dir / video_rel).exists():
                continue
            poster = side.get("poster_file")
            self.create(JobRecord(
                job_id=job_id, owner=side.get("owner", ""), state="succeeded",
                created_at=float(side.get("created_at") or time.time()), updated_at=time.time(),
                settings=side.get("settings", {}), references=side.get("references", []),
                task_id=side.get("task_id"), target=side.get("target", "demo"), video_path=video_rel,
                seed_used=side.get("seed_used"), price_label=side.get("price_estimate", ""),
                poster_path=f"library/{poster}" if poster else None, timings=side.get("timings", {}),
                stage_text="Done (recovered from the library)",
            ))
            n += 1
        return n


def _sidecar_rel(video_rel: str | None) -> str | None:
    return str(Path(video_rel).with_suffix(".json")) if video_rel else None


def _is_locked(exc: BaseException) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()
