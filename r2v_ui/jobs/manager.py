"""JobManager: the job core's public face.  Gradio handlers and MCP tools (on any thread or loop)
start jobs, read snapshots and decide about uncertain submissions; everything else happens on the
job loop.  Rules kept (DESIGN.md):

* Persist before acting: the row exists before the first upload, the task_id is written the moment
  the service returns it, the result file is written before the job is marked done.
* Never pay twice: a submit that may have reached the service becomes "uncertain" and waits for
  the user; `resume()` never submits a job that had started submitting.
* One poll scheduler for every running job, with a read budget per account (scheduler.py).
* The API key lives in memory only (keys.py): never in the store, a log or a snapshot.

Where shared state lives: running work, due times and per-job tries on the loop (loop.py,
scheduler.py, context.py); HTTP clients on the loop and hosts under their lock (targets.py); live
progress and waiters in the hub under its lock (hub.py); keys in key custody under its lock
(keys.py); which uncertain jobs are being decided, under its lock (decide.py); everything durable
in the store.  This class keeps none: it wires the runner and the follower, peers over one context.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Callable

from .. import budget, spec
from ..store import ledger
from ..config import Settings
from ..errors import NotFoundError, StudioError, SubmissionUncertain
from ..messages import Msg, msg
from ..store import JobRecord, JobStore
from .context import Change, JobContext
from .decide import Decisions, require_action
from .follow import TaskFollower
from .hub import Live, SnapshotHub
from .keys import KeyCustody, holder_tag
from .loop import JobLoop
from .model import CheckedDraft, JobDraft, JobNotFound, JobSnapshot, Reference, Target
from .runner import JobRunner
from .scheduler import PollScheduler, ReadPolicy
from .snapshots import read_record, to_snapshot
from .states import KEPT_FILTER, RUNNING_STATES, STATUS_FILTERS, JobState
from .takes import plan_takes, take_records
from .targets import ClientFactory, HostFactory, Targets, default_client_factory
from .waits import explain_deferred


class JobManager:
    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        *,
        demo_target: Target | None = None,
        demo_key: str | None = None,
        client_factory: ClientFactory | None = None,
        host_factory: HostFactory | None = None,
        clock: Callable[[], float] = time.time,
        policy: ReadPolicy | None = None,
    ):
        self.settings = settings
        self.store = store
        self.budget = budget.BudgetGuard(settings, ledger.Ledger(store), clock=clock)  # its clock says which day it is
        self.policy = policy or ReadPolicy()
        self._loop = JobLoop()
        self._hub = SnapshotHub()
        # What lists wait on (History): a version that grows when a job is created, changes state, is kept or deleted.
        self.list_version, self.wait_for_list_change = self._hub.list_version, self._hub.wait_for_list_change
        self.list_watchers = self._hub.list_watchers  # History's open streams (a test sees a hidden tab's end)
        self._keys = KeyCustody()
        self._scheduler = PollScheduler(per_minute=settings.poll_requests_per_minute, policy=self.policy)
        self._targets = Targets(settings=settings, keys=self._keys, loop=self._loop, demo_target=demo_target,
                                demo_key=demo_key, client_factory=client_factory or default_client_factory,
                                host_factory=host_factory)
        self._ctx = JobContext(settings=settings, store=store, hub=self._hub, keys=self._keys, loop=self._loop,
                               scheduler=self._scheduler, policy=self.policy, clock=clock, targets=self._targets)
        self._scheduler.on_deferred = functools.partial(explain_deferred, self._ctx)
        self._runner = JobRunner(self._ctx)
        self._follower = TaskFollower(self._ctx)
        self._clock = clock
        self._decisions = Decisions(self._ctx, self._runner.run, self.budget)
        self._loop.call_soon(self._loop.create_task, self._scheduler.run(self._follower.start_read))

    # --- starting ------------------------------------------------------------------------------
    def start(self, draft: JobDraft | CheckedDraft, *, owner: str = "", api_key: str | None = None,
              holder: str = "") -> str:
        """Validate (unless checked already), persist, and start the job in the background.  Raises
        RequestInvalid (a StudioError).

        `holder` names who typed `api_key` (the login, or the browser): that key serves only this
        job, and after a restart only the same holder's key resumes it (keys.py)."""
        return self.start_takes(draft, 1, owner=owner, api_key=api_key, holder=holder)[0]

    def start_takes(self, draft: JobDraft | CheckedDraft, takes: int, *, owner: str = "", api_key: str | None = None,
                    holder: str = "") -> list[str]:
        """Start `takes` jobs of one draft together (takes.py: their seeds, one batch).  Everything
        is checked before the first row is written: either every take starts or none does.  The
        request itself is checked once (`JobDraft.checked`): a draft the page or MCP checked already
        comes as a CheckedDraft and is not checked again, here or in the runner."""
        checked = draft if isinstance(draft, CheckedDraft) else draft.checked()
        draft = checked.draft
        plan = plan_takes(draft, takes)
        target = self._targets.target_name(api_key)
        if target == "live" and not (api_key or self.settings.api_key):
            raise StudioError(msg("job.need_key"))
        if any(r.local for r in draft.references):
            self._targets.host(target)  # no way to host local files: said now, before a job exists or anything is paid
        video_seconds = [r.duration or spec.REFERENCE_VIDEO_BILLED_CAP_S for r in draft.references if r.is_video]
        estimate = self.settings.price.estimate(draft.size, draft.duration, video_seconds)
        records = ledger.priced(take_records(
            plan, owner=owner, target=target, now=self._clock(), holder=holder_tag(holder),
            price=estimate.message().to_json(), warnings=list(checked.warnings)),
            estimate, live=target == "live", studio=target == "live" and not api_key)
        with self.budget.admit(owner, *ledger.asks(records)):  # one lock: rows written before the next check
            for rec in records:
                self.store.create(rec)  # the row exists before any upload
                self._keys.attach(rec.job_id, api_key)
                self._hub.reset(rec.job_id)
        for rec in records:
            self._loop.spawn(self._runner.run(rec.job_id))
        return [rec.job_id for rec in records]

    def batch(self, batch_id: str, *, owner: str = "") -> list[JobSnapshot]:
        """The takes of one batch, in take order."""
        recs = self.store.batch(batch_id)
        return [self._snapshot(r) for r in recs if r.owner == owner]

    def set_favourite(self, job_id: str, kept: bool = True, *, owner: str = "") -> JobSnapshot:
        """"Keep this one": mark (or unmark) a job as a favourite."""
        self._owned(job_id, owner)
        rec = self.store.set_favourite(job_id, kept)
        self._hub.touch_list()
        return self._snapshot(rec)

    # --- reading -------------------------------------------------------------------------------
    def snapshot(self, job_id: str, *, owner: str = "") -> JobSnapshot | None:
        if not (isinstance(job_id, str) and job_id):
            return None
        live = self._hub.peek(job_id)  # before the record: its version never claims a change the record lacks
        rec = read_record(self.store, self._hub, job_id)
        if rec is None or rec.owner != owner:
            return None
        return self._snapshot(rec, live)

    def list_jobs(self, *, owner: str = "", status: str | None = None, search: str | None = None,
                  limit: int = 200) -> list[JobSnapshot]:
        states = STATUS_FILTERS.get(status or "all")
        return [self._snapshot(r) for r in self.store.list(owner=owner, states=states, search=search, limit=limit)]

    def list_page(self, *, owner: str = "", status: str | None = None, search: str | None = None,
                  offset: int = 0, limit: int = 20) -> tuple[list[JobSnapshot], int]:
        """One page of this owner's jobs, newest first, and how many match in all (search and paging
        in SQL).  `status` "kept" lists the favourites."""
        kept = status == KEPT_FILTER
        states = None if kept else STATUS_FILTERS.get(status or "all")
        recs = self.store.list(owner=owner, states=states, search=search, limit=limit, offset=offset, kept=kept)
        return [self._snapshot(r) for r in recs], self.store.count(owner=owner, states=states, search=search, kept=kept)

    async def wait_for_change(self, job_id: str, since_version: int, timeout: float) -> JobSnapshot | None:
        """Wait (from any event loop) until the job's version passes `since_version`, or timeout."""
        await self._hub.wait_for_change(job_id, since_version, timeout)
        live = self._hub.peek(job_id)  # before the record, as in snapshot()
        # A SQLite read: in a thread, never on the caller's loop (which may serve every open page).
        rec = await asyncio.to_thread(read_record, self.store, self._hub, job_id)
        return self._snapshot(rec, live) if rec else None

    def remix_draft(self, job_id: str, *, owner: str = "") -> JobDraft:
        rec = self._owned(job_id, owner)
        refs = tuple(Reference.from_dict(r).for_remix(self.store.absolute) for r in rec.references)
        return JobDraft(references=refs, **JobDraft.settings_from(rec.settings))

    # --- deciding ------------------------------------------------------------------------------
    def resolve_uncertain(self, job_id: str, action: str, *, owner: str = "", api_key: str | None = None,
                          task_id: str | None = None, holder: str = "", confirmed: bool = False) -> None:
        """The owner's decision on a submission that may have reached the service, by the one set of
        rules (decide.py) the page, the API and MCP share: "attach" a task id found in the account,
        "resubmit" (only when `confirmed`: it may bill twice) or "discard".  Raises an StudioError
        whose Msg says why nothing changed."""
        require_action(action)
        rec = self._owned(job_id, owner)
        self._decisions.decide(rec.job_id, lambda: self._owned(rec.job_id, owner), action, api_key=api_key,
                               task_id=task_id, holder=holder, confirmed=confirmed)

    def retry(self, job_id: str, *, owner: str = "", api_key: str | None = None, holder: str = "") -> str:
        """"Try again" on a finished job.  A job whose task the service accepted is *read first*:
        when the service still has the video (or is still making it) the same job follows it and
        nothing is sent again.  Only a job that never reached the service, or whose task failed or
        is unknown there, starts again as a new job with the same settings.  Returns the job id
        the page should follow."""
        rec = self._owned(job_id, owner)
        if rec.task_id and rec.state in (JobState.FAILED, JobState.SUCCEEDED) and not self._has_video(rec):
            self._decisions.take_over(rec, api_key, holder)
            if self._follow_again(rec):
                return job_id
        return self.start(self.remix_draft(job_id, owner=owner), owner=owner, api_key=api_key, holder=holder)

    def _has_video(self, rec: JobRecord) -> bool:
        video = self.store.absolute(rec.video_path)
        return rec.state == JobState.SUCCEEDED and video is not None and video.is_file()

    def _follow_again(self, rec: JobRecord) -> bool:
        """Ask the service about an accepted task; follow it again when it is done or still running."""
        target, key = self._targets.target(rec)
        if target.name == "live" and not key:
            raise StudioError(msg("job.need_key_first"))
        try:
            info = self._targets.read_now(target, key, rec.task_id, timeout=180)
        except NotFoundError:
            return False
        except StudioError as exc:
            raise StudioError(msg("job.cannot_ask", error=exc.msg)) from None
        if info.terminal and not info.succeeded:
            return False
        self._hub.reset(rec.job_id)
        self._loop.call_soon(self._ctx.forget_tries, rec.job_id)
        if info.succeeded:
            self._ctx.record(rec.job_id, Change(state=JobState.DOWNLOADING, error=None,
                                                stage_text=msg("job.still_has_video")))
        else:
            self._ctx.record(rec.job_id, Change(state=JobState.QUEUED, error=None, stage_text=msg("job.still_making")))
        self._ctx.schedule(rec.job_id, 0)
        return True

    def delete(self, job_id: str, *, owner: str = "") -> bool:
        """Delete a finished job's row and files.  A running job cannot be deleted (it may still bill)."""
        rec = self.store.get(job_id)
        if rec is None or rec.owner != owner or rec.state in RUNNING_STATES:
            return False
        self.store.delete(job_id)
        self._hub.drop(job_id)
        self._keys.forget(job_id)
        self._ctx.unschedule(job_id)
        self._loop.call_soon(self._ctx.forget_tries, job_id)
        return True

    def provide_key(self, owner: str, api_key: str, *, holder: str = "") -> int:
        """A key typed by `holder`: used for that holder's own live jobs that wait for a key (after a
        restart) or whose key the service refused — never for anyone else's job.  Returns how many
        jobs took it."""
        if not api_key:
            return 0
        tag = holder_tag(holder)
        taken = 0
        for rec in self.store.unfinished():
            if rec.owner == owner and rec.key_holder == tag and rec.target == "live" and rec.task_id:
                if self._keys.offer(rec.job_id, api_key):
                    self._ctx.schedule(rec.job_id, 0, rec)
                    taken += 1
        return taken

    def check_hosting(self, target: str) -> Msg:
        """Test the reference hosting of `target` ("demo" | "live") for real (the backend's own
        `check()`, on the job loop).  Returns what works, as a Msg; raises HostingError (or
        StudioError when no hosting is set up) in plain words."""
        async def check() -> Msg:
            return await self._targets.host(target).check()

        return self._loop.run(check(), timeout=60)

    # --- life ----------------------------------------------------------------------------------
    def resume(self) -> int:
        """After a restart: pick up every job that is not finished.  Returns how many were resumed."""
        n = 0
        for rec in self.store.unfinished():
            if rec.state == JobState.UNCERTAIN:
                continue
            if rec.task_id:
                self._ctx.schedule(rec.job_id, 0, rec)
                n += 1
            elif rec.state == JobState.SUBMITTING:
                # It may have reached the service before the crash: the user decides.
                self._ctx.record(rec.job_id, Change(state=JobState.UNCERTAIN, error=SubmissionUncertain().msg))
            else:  # never sent: nothing was paid, so starting it again is safe
                self._loop.spawn(self._runner.run(rec.job_id))
                n += 1
        return n

    def close(self) -> None:
        self._loop.close(self._targets.close_clients)

    # --- internals -----------------------------------------------------------------------------
    def _owned(self, job_id: str, owner: str) -> JobRecord:
        if not isinstance(job_id, str) or not job_id:  # an API call with no job open, or not an id
            raise JobNotFound(msg("job.none_open"))
        rec = self.store.get(job_id)
        if rec is None or rec.owner != owner:
            raise JobNotFound(msg("job.not_found"))
        return rec

    def _snapshot(self, rec: JobRecord, live: Live | None = None) -> JobSnapshot:
        """`live` read before `rec` when a caller waits on its version: a change landing between the two
        reads then shows as a newer version than the snapshot's, and the caller's next wait returns at once."""
        return to_snapshot(rec, live if live is not None else self._hub.peek(rec.job_id), self.store)


