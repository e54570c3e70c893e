"""What the runner (runner.py) and the follower (follow.py) share, as peers: the store, the hub, the
loop, the scheduler, where jobs go (targets.py) — and the one way a job changes, `Change`.

A `Change` says what changes: the record's fields (written to disk first when `persist`), and what
lives in memory only (progress, eta, a notice, a stage text not persisted).  `JobContext.record`
applies it: the store, then the hub, whose waiters are woken.  A field left out is kept as it is
(`hub.KEEP`, the job core's one such marker).

Shared state: the per-job `Tries` are touched on the job loop only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from ..config import Settings
from ..messages import Msg, msg
from ..store import JobRecord, JobStore, StoreError
from .hub import KEEP, Kept, SnapshotHub
from .keys import KeyCustody
from .loop import JobLoop
from .scheduler import PollScheduler, ReadPolicy
from .states import JobState
from .states import stage_text as default_stage_text
from .targets import Targets

log = logging.getLogger(__name__)

_RECORD_FIELDS = ("state", "stage_text", "error", "task_id", "seed_used", "timings", "video_path", "poster_path",
                  "submit_attempts")


@dataclass(frozen=True)
class Change:
    """One change to a job.  `state` and `stage_text` (a Msg: the state's own words when a state is
    given without one) are kept as they are when None; every other field when left out (KEEP).
    Not `persist`ed, a change lives in memory only: its stage text is a transient one
    ("Generating… 40%") and its record fields must be left out.  A new state clears the notice
    unless one is given."""

    state: JobState | None = None
    stage_text: Msg | None = None
    error: Kept[Msg | None] = KEEP
    task_id: Kept[str | None] = KEEP
    seed_used: Kept[int | None] = KEEP
    timings: Kept[dict[str, Any]] = KEEP
    video_path: Kept[str | None] = KEEP
    poster_path: Kept[str | None] = KEEP
    submit_attempts: Kept[int] = KEEP
    progress: Kept[float | None] = KEEP
    eta: Kept[int | None] = KEEP
    notice: Kept[Msg | None] = KEEP
    upload: tuple[str, float] | None = None  # (a file's label, how much of it is sent), in memory only
    persist: bool = True

    def __post_init__(self) -> None:
        if self.state is not None and self.stage_text is None:
            object.__setattr__(self, "stage_text", default_stage_text(self.state))
        if not self.persist and any(self.record_fields().keys() - {"stage_text"}):
            raise ValueError("a change kept in memory only has no record fields")

    @classmethod
    def shown(cls, *, notice: Kept[Msg | None] = KEEP, progress: Kept[float | None] = KEEP,
              eta: Kept[int | None] = KEEP, stage_text: Msg | None = None,
              upload: tuple[str, float] | None = None) -> "Change":
        """A change the page sees and the disk does not."""
        return cls(notice=notice, progress=progress, eta=eta, stage_text=stage_text, upload=upload, persist=False)

    def record_fields(self) -> dict[str, Any]:
        """The record's fields this change sets."""
        return {name: value for name in _RECORD_FIELDS
                if (value := getattr(self, name)) is not KEEP and not (name in ("state", "stage_text") and value is None)}


@dataclass
class Tries:
    """Per job, on the loop only: what went wrong in a row while following it."""

    poll_errors: int = 0
    not_found: int = 0
    link_failures: int = 0
    store_errors: int = 0  # reads that could not use the job database (a full or read-only disk)
    streak: int = 0  # reads in a row at or past the eta (next_read reads those less often)


class JobContext:
    def __init__(self, *, settings: Settings, store: JobStore, hub: SnapshotHub, keys: KeyCustody, loop: JobLoop,
                 scheduler: PollScheduler, policy: ReadPolicy, clock: Callable[[], float], targets: Targets):
        self.settings, self.store, self.hub, self.keys = settings, store, hub, keys
        self.loop, self.scheduler, self.policy, self.clock = loop, scheduler, policy, clock
        self.targets = targets
        self._tries: dict[str, Tries] = {}

    # --- recording a change --------------------------------------------------------------------
    def record(self, job_id: str, change: Change) -> JobRecord | None:
        """Apply `change`: on disk first when it persists record fields (the whole record is
        returned), then in memory, and the job's watchers woken.  Safe from any thread (a host reports
        upload progress from its own) as long as the change is not persisted."""
        rec = None
        changes = change.record_fields() if change.persist else {}
        if changes:
            rec = self.store.update(job_id, **changes)
            self.hub.remember(job_id, rec)
        stage = KEEP if change.stage_text is None else (None if change.persist else change.stage_text)
        self.hub.change(job_id, progress=change.progress, eta=change.eta, notice=change.notice, stage=stage,
                        new_state=change.state is not None, upload=change.upload)
        return rec

    def fail(self, job_id: str, message: Msg) -> None:
        self.unschedule(job_id)
        try:
            self.record(job_id, Change(state=JobState.FAILED, error=message, stage_text=msg("job.failed", error=message),
                                       progress=None, eta=None))
        except StoreError as exc:  # the end of the job cannot be saved: said on the page, not lost in a log
            log.error("job %s failed (%s) and could not be saved: %s", job_id, message, exc)
            self.record(job_id, Change.shown(notice=msg("job.unsaved", error=message, problem=exc.msg)))

    # --- scheduling (from any thread: handed to the loop) ----------------------------------------
    def schedule(self, job_id: str, delay: float, rec: JobRecord | None = None) -> None:
        """Read `job_id` after `delay`.  Without `rec`, the job's account is the one it was last
        scheduled under: the reschedule after a store error must not need the store."""
        if rec is None:
            try:
                rec = self.store.get(job_id)
            except StoreError:
                self.loop.call_soon(self.scheduler.schedule, job_id, delay)  # the account it was last scheduled under
                return
        self.loop.call_soon(self.scheduler.schedule, job_id, delay, self.targets.account(rec))

    def hold_account(self, rec: JobRecord, seconds: float) -> None:
        """On the loop only: the service said 429 to this job's key; all its jobs wait."""
        self.scheduler.hold(self.targets.account(rec), seconds)

    def unschedule(self, job_id: str) -> None:
        self.loop.call_soon(self.scheduler.unschedule, job_id)

    def tries(self, job_id: str) -> Tries:
        """On the loop only."""
        return self._tries.setdefault(job_id, Tries())

    def forget_tries(self, job_id: str) -> None:
        """On the loop only (hand it over with `loop.call_soon`)."""
        self._tries.pop(job_id, None)

