"""Key custody: which API key serves which job, in memory only.

A key belongs to whoever typed it — the signed-in user with `--auth`, otherwise the browser (a
random id kept in that browser's storage) — and serves only the jobs that holder started.  Another
browser typing a key, right or wrong, never changes which key reads someone else's job.

Jobs remember their holder durably as a one-way tag (`holder_tag`), never the key: after a restart
a live job waits until the same holder gives a key again.

Thread-safety: every method may be called from any thread; all state sits behind one lock.
"""

from __future__ import annotations

import hashlib
import threading


def holder_tag(holder: str) -> str:
    """The durable, one-way name of a key holder (what a job record keeps)."""
    return hashlib.sha256(("r2v-key-holder\x00" + holder).encode("utf-8")).hexdigest()[:32] if holder else ""


class KeyCustody:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_job: dict[str, str] = {}
        self._refused: set[str] = set()  # jobs whose key the service refused: a new key may replace it

    def attach(self, job_id: str, key: str | None) -> None:
        """The key a job was started (or resubmitted) with by its own holder."""
        if not key:
            return
        with self._lock:
            self._by_job[job_id] = key
            self._refused.discard(job_id)

    def key_for(self, job_id: str) -> str | None:
        with self._lock:
            return self._by_job.get(job_id)

    def has_key(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._by_job

    def mark_refused(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._by_job:
                self._refused.add(job_id)

    def offer(self, job_id: str, key: str) -> bool:
        """A key from the job's own holder, given later: used when the job has none or its key was
        refused.  Returns True when the job now uses it."""
        with self._lock:
            if job_id in self._by_job and job_id not in self._refused:
                return False
            self._by_job[job_id] = key
            self._refused.discard(job_id)
            return True

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._by_job.pop(job_id, None)
            self._refused.discard(job_id)
