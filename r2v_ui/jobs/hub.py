"""What the page sees of a job between writes to disk, and who is waiting to see it change.

Per running job: progress, eta, the newest transient stage text ("Generating… 40%"), a notice
(why the job is stalled), upload progress per file, a version that grows with every change, and
the job's record as last read or written (so the page still sees the job, and the notice saying
why, while a full or read-only disk stops the store from being read).
Memory only: it never reads the store or the disk (snapshots.py joins a record with its live state).
`wait_for_change` lets any event loop (Gradio's, MCP's) wait for the next version.  Beside them, one
list version that grows when any job is created, restarted, deleted, kept or reaches a new state
(not with progress): `wait_for_list_change` is what History waits on instead of a timer.

Shared state: `_live` and `_waiters` are read and written under `_lock` only, from any thread
(the job loop writes; Gradio's threads read).  Waiters are woken on their own loop."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Final, TypeVar, Union

from ..messages import Msg

if TYPE_CHECKING:
    from ..store import JobRecord

LIST = None  # the waiters' key of the list version


class Keep(Enum):
    """The one "leave it as it is" marker of the job core (`KEEP`): a field of a change that is not
    given (None is a value: "no eta", "no error")."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP
T = TypeVar("T")
Kept = Union[T, Keep]  # a value, or KEEP


@dataclass
class Live:
    progress: float | None = None
    eta: int | None = None
    version: int = 0
    uploads: dict[str, float] = field(default_factory=dict)
    stage_text: Msg | None = None  # transient, not written to disk
    notice: Msg | None = None  # shown until the next good read or a new state
    record: "JobRecord | None" = None  # the job as last read or written: shown while the store cannot be read


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

    def remember(self, job_id: str, rec: "JobRecord") -> None:
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

    def change(self, job_id: str, *, progress: Kept[float | None] = KEEP, eta: Kept[int | None] = KEEP,
               notice: Kept[Msg | None] = KEEP, stage: Kept[Msg | None] = KEEP, new_state: bool = False,
               upload: tuple[str, float] | None = None) -> None:
        """Change the live state, bump the version and wake the job's waiters.  A new state
        clears the notice unless one is given."""
        with self._lock:
            live = self._live.setdefault(job_id, Live())
            if progress is not KEEP:
                live.progress = progress
            if eta is not KEEP:
                live.eta = eta
            if stage is not KEEP:
                live.stage_text = stage
            if notice is not KEEP:
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
