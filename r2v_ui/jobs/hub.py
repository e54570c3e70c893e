"""What the page sees of a job between writes to disk, and who is waiting to see it change.

Per running job: progress, eta, the newest transient stage text ("Generating… 40%"), a notice
(why the job is stalled), upload progress per file, a version that grows with every change, and
the job's record as last read or written (so the page still sees the job, and the notice saying
why, while a full or read-only disk stops the store from being read).
`wait_for_change` lets any event loop (Gradio's, MCP's) wait for the next version.  Beside them, one
list version that grows when any job is created, restarted, deleted, kept or reaches a new state
(not with progress): `wait_for_list_change` is what History waits on instead of a timer.

Shared state: `_live` and `_waiters` are read and written under `_lock` only, from any thread
(the job loop writes; Gradio's threads read).  Waiters are woken on their own loop."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from ..messages import Msg, loads, msg
from ..store import JobRecord, JobStore, StoreError
from .model import JobSnapshot
from .states import RUNNING_STATES, JobState, stage_text

_KEEP: Any = ...  # "leave as it is" for `change`
LIST = None  # the waiters' key of the list version


@dataclass
class Live:
    progress: float | None = None
    eta: int | None = None
    version: int = 0
    uploads: dict[str, float] = field(default_factory=dict)
    stage_text: Msg | None = None  # transient, not written to disk
    notice: Msg | None = None  # shown until the next good read or a new state
    record: JobRecord | None = None  # the job as last read or written: shown while the store cannot be read


class SnapshotHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, Live] = {}
        # A job's waiters under its id; the list's under LIST.
        self._waiters: dict[str | None, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._list_version = 0

    def peek(self, job_id: str) -> Live:
        """A copy of the job's live state (a default one for a job not running here)."""
        with self._lock:
            live = self._live.get(job_id)
            return replace(live, uploads=dict(live.uploads)) if live else Live()

    def remember(self, job_id: str, rec: JobRecord) -> None:
        """The job's record as last read or written (no version bump: nothing the page sees changed)."""
        with self._lock:
            self._live.setdefault(job_id, Live()).record = rec

    def version(self, job_id: str) -> int:
        with self._lock:
            live = self._live.get(job_id)
            return live.version if live else 0

    def reset(self, job_id: str) -> None:
        """A job (re)starts: fresh live state, its version still growing."""
        with self._lock:
            old = self._live.get(job_id)
            self._live[job_id] = Live(version=old.version if old else 0)
            waiters = self._bump_list()
        self._wake(waiters)

    def drop(self, job_id: str) -> None:
        with self._lock:
            self._live.pop(job_id, None)
            waiters = self._bump_list()
        self._wake(waiters)

    def list_version(self) -> int:
        with self._lock:
            return self._list_version

    def touch_list(self) -> None:
        """Something a list shows changed outside the job's run (a job kept or unkept)."""
        with self._lock:
            waiters = self._bump_list()
        self._wake(waiters)

    def _bump_list(self) -> list:
        """Under the lock: the list version grows; returns its waiters to wake once the lock is let go."""
        self._list_version += 1
        return list(self._waiters.get(LIST, []))

    @staticmethod
    def _wake(waiters: list) -> None:
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed: its waiter is gone
                pass

    def change(self, job_id: str, *, progress: Any = _KEEP, eta: Any = _KEEP, notice: Any = _KEEP,
               stage: Any = _KEEP, new_state: bool = False, upload: tuple[str, float] | None = None) -> None:
        """Change the live state, bump the version and wake the job's waiters.  A new state
        clears the notice unless one is given."""
        with self._lock:
            live = self._live.setdefault(job_id, Live())
            if progress is not _KEEP:
                live.progress = progress
            if eta is not _KEEP:
                live.eta = eta
            if stage is not _KEEP:
                live.stage_text = stage
            if notice is not _KEEP:
                live.notice = notice
            elif new_state:
                live.notice = None
            if upload is not None:
                live.uploads[upload[0]] = upload[1]
            live.version += 1
            waiters = list(self._waiters.get(job_id, []))
            if new_state:
                waiters += self._bump_list()
        self._wake(waiters)

    async def wait_for_list_change(self, since_version: int, timeout: float) -> int:
        """Wait (on the caller's loop) until the list version passes `since_version`, or timeout; returns it."""
        await self.wait_for_change(LIST, since_version, timeout)
        return self.list_version()

    def list_watchers(self) -> int:
        """How many waits on the list version are open now (History's streams)."""
        with self._lock:
            return len(self._waiters.get(LIST, []))

    async def wait_for_change(self, job_id: str | None, since_version: int, timeout: float) -> None:
        """Wait (on the caller's loop) until the job's version passes `since_version`, or timeout."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        with self._lock:
            if job_id is LIST:
                version = self._list_version
            else:
                live = self._live.get(job_id)
                version = live.version if live is not None else -1
            if version > since_version:
                event.set()
            self._waiters.setdefault(job_id, []).append((loop, event))
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                waiters = self._waiters.get(job_id, [])
                if (loop, event) in waiters:
                    waiters.remove((loop, event))
                if not waiters:
                    self._waiters.pop(job_id, None)


def read_record(store: JobStore, hub: SnapshotHub, job_id: str) -> JobRecord | None:
    """The job from the store; while the store cannot be read (a full or read-only disk), the job as
    this studio last knew it, so its page still shows it and the notice saying why."""
    try:
        return store.get(job_id)
    except StoreError:
        known = hub.peek(job_id).record
        if known is None:
            raise
        return known


def to_snapshot(rec: JobRecord, live: Live, store: JobStore) -> JobSnapshot:
    """A job as the page sees it: the record, with the live state while it runs."""
    running = rec.state in RUNNING_STATES
    video = store.absolute(rec.video_path)
    missing = rec.state == JobState.SUCCEEDED and video is not None and not video.is_file()
    stage = (live.stage_text if running else None) or rec.stage_text or stage_text(rec.state)
    if missing:
        video = None
        stage = msg("job.video_missing")
    return JobSnapshot(
        job_id=rec.job_id, owner=rec.owner, state=rec.state,
        stage_text=stage, notice=live.notice if running else None, video_missing=missing,
        progress=live.progress if running else (1.0 if rec.state == JobState.SUCCEEDED else None),
        eta_seconds=live.eta if running else None,
        task_id=rec.task_id, error=rec.error,
        video_path=video, poster_path=store.absolute(rec.poster_path),
        settings=dict(rec.settings), references=tuple(rec.references), warnings=tuple(rec.warnings),
        price_label=loads(rec.price_label), seed_used=rec.seed_used, timings=dict(rec.timings),
        created_at=rec.created_at, updated_at=rec.updated_at, version=live.version, target=rec.target,
        uploads=dict(live.uploads) if rec.state == JobState.UPLOADING else {},
        batch_id=rec.batch_id, take=rec.take, favourite=rec.favourite, cost=dict(rec.cost or {}),
    )
