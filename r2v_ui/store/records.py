"""Record copies: `records/<job>.json`, a copy of each job's row for as long as the job has no video
in the library — running, waiting for a decision, failed or discarded.  It is rewritten (atomically,
flushed to disk) with every change to the row, so a job in flight — one the service may already
be billing — is never only in the database.  It holds the fields of `JobRecord` as plain JSON:
never an API key (a record has none)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterator

from ..atomic_files import read_json, write_json_atomic
from ..jobs.states import JobState
from . import trouble
from .schema import JobRecord, record_fields, record_from_fields

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


class Records:
    def __init__(self, folder: Path, data_dir: Path):
        self.folder, self.data_dir = Path(folder), Path(data_dir)

    def path(self, job_id: str) -> Path:
        """Where a job's record copy lives; an id that is not a plain name is hashed, never used as a path."""
        name = job_id if _SAFE_ID.fullmatch(job_id) else "id-" + hashlib.sha256(job_id.encode("utf-8")).hexdigest()
        return self.folder / f"{name}.json"

    def keep(self, rec: JobRecord) -> None:
        """Rewrite the job's record copy; once its video is in the library (and its sidecar, written
        before the job is done), drop it.  A copy that cannot be written is a StoreError."""
        path = self.path(rec.job_id)
        try:
            if rec.state == JobState.SUCCEEDED and rec.video_path and (self.data_dir / rec.video_path).exists():
                path.unlink(missing_ok=True)
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            write_json_atomic(path, record_fields(rec), durable=True)
        except OSError as exc:
            raise trouble.file_error(exc, data_dir=self.data_dir, job_id=rec.job_id, path=path) from exc

    def drop(self, job_id: str) -> None:
        self.path(job_id).unlink(missing_ok=True)

    def read(self, job_id: str) -> JobRecord | None:
        data = read_json(self.path(job_id))
        return record_from_fields(data) if data and data.get("job_id") == job_id else None

    def all(self) -> Iterator[JobRecord]:
        for path in sorted(self.folder.glob("*.json")):
            data = read_json(path)
            if data and data.get("job_id"):
                yield record_from_fields(data)

    def names(self) -> set[str]:
        """The file names of the copies there are now."""
        return {p.name for p in self.folder.glob("*.json")}
