"""The files of the data folder, beside the job database; and what that database is rebuilt from.

Every write here goes through atomic_files.py: atomic always; flushed to disk (durable) for the
record copies and sidecars a rebuild depends on.  The database is rebuilt, when it is
lost, emptied or damaged, from two kinds of file:

* `library/<date>_<job>.json` — the sidecar of each finished video (written before the job is done);
* `records/<job>.json` — a copy of each job's row for as long as the job has no video in the library:
  running, waiting for a decision, failed or discarded.  It is rewritten (atomically) with every
  change to the row, so a job in flight — one the service may already be billing — is never only
  in the database.

Both hold the fields of `store.JobRecord` as plain JSON: never an API key (a record has none).
This module works on plain dicts and paths; store.py turns them into rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from . import messages
from .atomic_files import file_sha256
from .atomic_files import copy_hashing, known_sha256, remember_sha256, write_atomic, write_json_atomic

RECORDS_DIR = "records"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """A durable atomic write: the record copies and sidecars a rebuild depends on."""
    write_atomic(path, data, durable=True)


def atomic_write_json(path: Path, data: Any) -> None:
    write_json_atomic(path, data, durable=True)


class LibraryFiles:
    """The file side of JobStore: kept references, result paths, sidecars (needs data_dir,
    library_dir, references_dir and links_from)."""

    data_dir: Path
    library_dir: Path
    references_dir: Path
    links_from: list[Path]  # folders whose files never change in place (see allow_links_from)

    def keep_reference(self, src: Path) -> tuple[str, Path]:
        """Keep a reference in references/ under its content hash (once); return (sha256, path).

        A file under a folder whose files never change (`allow_links_from`: the work folder, and
        the page's upload folder when the page says so) is hard-linked, so nothing is written;
        any other file is copied, hashed in the same read.  Either way its digest is remembered, so
        hosting the kept copy does not read it again.  Safe from many threads at once: each has its
        own temporary name, and keeping one file from many jobs at once keeps it once (the others
        wait for it).  Not flushed to disk (the user's file still exists while the job starts): a
        kept copy that a power cut left short is noticed by its size and written again."""
        src = Path(src)
        st = os.stat(src)
        with _source_lock(src, st):
            digest = known_sha256(src)
            if digest is not None:
                dest = self._reference_path(digest, src)
                if _same_size(dest, st.st_size):
                    return digest, dest
            self.references_dir.mkdir(parents=True, exist_ok=True)
            digest, tmp = self._stage_reference(src)
            dest = self._reference_path(digest, src)
            try:
                if _same_size(dest, st.st_size):
                    tmp.unlink()
                else:
                    os.replace(tmp, dest)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            remember_sha256(src, digest)
            remember_sha256(dest, digest)
            return digest, dest

    def allow_links_from(self, folder: Path) -> None:
        """Files under `folder` are never changed in place (new content gets a new file), so a kept
        reference may share their bytes through a hard link instead of a copy."""
        resolved = Path(folder).resolve()
        if resolved not in self.links_from:
            self.links_from = [*self.links_from, resolved]

    def _stage_reference(self, src: Path) -> tuple[str, Path]:
        """(sha256, a temporary file in references/ with src's bytes): a hard link when src's
        folder allows it and the disk is the same (one read, to hash), else a copy (one read)."""
        real = src.resolve()
        if any(real.is_relative_to(folder) for folder in self.links_from):
            tmp = self.references_dir / f".link.{uuid.uuid4().hex}.tmp"
            try:
                os.link(real, tmp)
            except OSError:
                pass  # another disk, or links not allowed: copy
            else:
                try:
                    return file_sha256(tmp), tmp
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
        return copy_hashing(src, self.references_dir, durable=False)

    def _reference_path(self, digest: str, src: Path) -> Path:
        return self.references_dir / f"{digest}{src.suffix.lower()}"

    def result_paths(self, rec: Any) -> tuple[Path, Path, Path]:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(rec.created_at))
        base = self.library_dir / f"{stamp}_{rec.job_id}"
        return base.with_suffix(".mp4"), base.with_suffix(".json"), base.with_suffix(".jpg")

    def relative(self, path: Path | None) -> str | None:
        return str(Path(path).relative_to(self.data_dir)) if path else None

    def absolute(self, rel: str | None) -> Path | None:
        return (self.data_dir / rel) if rel else None

    def iter_sidecars(self) -> Iterator[dict[str, Any]]:
        return iter_sidecars(self.library_dir)


_source_locks: dict[tuple[int, int], list] = {}  # (device, inode) → [lock, users]
_source_locks_guard = threading.Lock()


class _source_lock:
    """One lock per source file (device, inode) while anyone keeps it; dropped when the last leaves."""

    def __init__(self, src: Path, st: os.stat_result):
        self.key = (st.st_dev, st.st_ino)

    def __enter__(self) -> None:
        with _source_locks_guard:
            entry = _source_locks.get(self.key)
            if entry is None:
                entry = _source_locks[self.key] = [threading.Lock(), 0]
            entry[1] += 1
        entry[0].acquire()
        self.entry = entry

    def __exit__(self, *exc: object) -> None:
        self.entry[0].release()
        with _source_locks_guard:
            self.entry[1] -= 1
            if self.entry[1] == 0 and _source_locks.get(self.key) is self.entry:
                del _source_locks[self.key]


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def record_file(records_dir: Path, job_id: str) -> Path:
    """Where a job's record copy lives; an id that is not a plain name is hashed, never used as a path."""
    name = job_id if _SAFE_ID.fullmatch(job_id) else "id-" + hashlib.sha256(job_id.encode("utf-8")).hexdigest()
    return records_dir / f"{name}.json"


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_record(records_dir: Path, job_id: str) -> dict[str, Any] | None:
    data = read_json(record_file(records_dir, job_id))
    return data if data and data.get("job_id") == job_id else None


def iter_records(records_dir: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(records_dir.glob("*.json")):
        data = read_json(path)
        if data and data.get("job_id"):
            yield data


def iter_sidecars(library_dir: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(library_dir.glob("*.json")):
        data = read_json(path)
        if data is not None:
            yield data


def fields_from_sidecar(side: dict[str, Any], data_dir: Path) -> dict[str, Any] | None:
    """A finished job's row from its sidecar; None when the sidecar names no video that exists."""
    job_id = side.get("job_id")
    video = side.get("video_file")
    video_rel = f"library/{video}" if video else None
    if not job_id or not video_rel or not (data_dir / video_rel).exists():
        return None
    poster = side.get("poster_file")
    return dict(
        job_id=job_id, owner=side.get("owner", ""), state="succeeded",
        created_at=float(side.get("created_at") or time.time()), updated_at=time.time(),
        settings=side.get("settings", {}), references=side.get("references", []),
        task_id=side.get("task_id"), target=side.get("target", "demo"), video_path=video_rel,
        seed_used=side.get("seed_used"), price_label=side.get("price_estimate", ""),
        poster_path=f"library/{poster}" if poster else None, timings=side.get("timings", {}),
        batch_id=side.get("batch_id"), take=side.get("take"), favourite=bool(side.get("favourite")),
        warnings=side.get("warnings") or [], stage_text=messages.to_data(messages.msg("job.recovered")),
        cost=side.get("cost") if isinstance(side.get("cost"), dict) else {},
    )
