"""The files of the data folder, beside the job database; and what that database is rebuilt from.

Every write here is atomic (temporary file, fsync, rename).  The database is rebuilt, when it is
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
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Iterator

RECORDS_DIR = "records"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


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


class LibraryFiles:
    """The file side of JobStore: kept references, result paths, sidecars (needs data_dir,
    library_dir and references_dir)."""

    data_dir: Path
    library_dir: Path
    references_dir: Path

    def keep_reference(self, src: Path) -> tuple[str, Path]:
        """Copy a reference into references/ under its content hash (once); return (sha256, path)."""
        digest = file_sha256(src)
        dest = self.references_dir / f"{digest}{src.suffix.lower()}"
        if not dest.exists():
            self.references_dir.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
            shutil.copyfile(src, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        return digest, dest

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


def record_file(records_dir: Path, job_id: str) -> Path:
    """Where a job's record copy lives; an id that is not a plain name is hashed, never used as a path."""
    name = job_id if _SAFE_ID.fullmatch(job_id) else "id-" + hashlib.sha256(job_id.encode("utf-8")).hexdigest()
    return records_dir / f"{name}.json"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_record(records_dir: Path, job_id: str) -> dict[str, Any] | None:
    data = _read_json(record_file(records_dir, job_id))
    return data if data and data.get("job_id") == job_id else None


def iter_records(records_dir: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(records_dir.glob("*.json")):
        data = _read_json(path)
        if data and data.get("job_id"):
            yield data


def iter_sidecars(library_dir: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(library_dir.glob("*.json")):
        data = _read_json(path)
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
        warnings=side.get("warnings") or [], stage_text="Done (recovered from the library)",
    )
