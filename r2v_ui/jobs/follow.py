"""Following a task the service accepted: read it when the scheduler says, explain every stall on
the page, and download the video the moment it is done.  A task the service accepted is never
given up on one answer.  A peer of the runner (runner.py) over the shared context (context.py).
Runs on the job loop only (the per-job `Tries` are the loop's)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from .. import spec
from ..spec import tier_and_aspect
from ..errors import (
    APIStatusError,
    AuthenticationError,
    DownloadError,
    NotFoundError,
    PermissionDeniedError,
    StudioError,
    RateLimitError,
    ResultExpired,
    ResultUnusable,
    TaskFailed,
)
from ..store.library import write_poster, write_sidecar
from ..messages import Duration, msg
from ..store import JobRecord, StoreError, ledger
from . import notices
from .context import Change, JobContext, Tries
from .scheduler import after_error, next_read
from .states import JobState
from .waits import explain_wait

log = logging.getLogger(__name__)

RESULT_MAX_BYTES = 1024 * 1024 * 1024  # a 10 s 1080P clip is tens of MB; anything near 1 GiB is not a video of ours


class TaskFollower:
    def __init__(self, ctx: JobContext):
        self.ctx = ctx
        self.in_flight: set[str] = set()  # jobs being read right now (on the loop only)
        self._again: set[str] = set()  # due again while a read was going: read once more after it

    def start_read(self, job_id: str) -> None:
        """The scheduler's hand-off: read `job_id` now.  While a read of it is still going, the
        job is read again right after (a key given meanwhile must not be lost)."""
        if job_id in self.in_flight:
            self._again.add(job_id)
            return
        self.in_flight.add(job_id)
        self.ctx.loop.create_task(self._read(job_id))

    async def _read(self, job_id: str) -> None:
        ctx, policy = self.ctx, self.ctx.policy
        try:
            rec = ctx.store.get(job_id)
            if rec is None or rec.terminal or not rec.task_id:
                return
            ctx.hub.remember(job_id, rec)
            tries = ctx.tries(job_id)
            target, key = ctx.targets.target(rec)
            if target.name == "live" and not key:
                ctx.record(job_id, Change.shown(notice=msg("notice.need_key")))
                return
            # A read that hangs is explained while it lasts, not after the timeout.
            try:
                with explain_wait(ctx, job_id, "notice.slow"):
                    info = await ctx.targets.client(target, key).get_task(rec.task_id, retry=False)
            except StudioError as exc:
                delay = self._read_failed(rec, tries, exc)
                if delay is not None:
                    ctx.schedule(job_id, delay, rec)
                return
            tries.poll_errors = tries.not_found = 0
            seed_used = info.seed if info.seed is not None else rec.seed_used
            timings = dict(rec.timings) | {k: v for k, v in info.timings.items() if v}
            if info.terminal:
                rec = self._note_task_end(rec, info)  # the ledger: how it ended, what it billed (before the sidecar)
            if info.succeeded:
                if not info.video_url:
                    ctx.fail(job_id, msg("job.no_link"))
                    return
                await self._download(rec, tries, info, seed_used, timings)
            elif info.terminal:
                ctx.record(job_id, Change(seed_used=seed_used, timings=timings))
                ctx.fail(job_id, TaskFailed(rec.task_id, info.reason or info.status).msg)
            else:
                self._running(rec, tries, info, seed_used, timings)
        except asyncio.CancelledError:
            raise
        except StoreError as exc:
            # A full or read-only disk: the job stays scheduled (without asking the store again) and
            # is read again with backoff, at most `store_retry_s` apart, until the store works.
            tries = ctx.tries(job_id)
            tries.store_errors += 1
            delay = min(policy.store_retry_s, after_error(policy, tries.store_errors))
            log.error("store error while polling %s (retry in %.0f s): %s", job_id, delay, exc)
            ctx.schedule(job_id, delay)
            ctx.record(job_id, Change.shown(notice=msg("notice.store_retry", error=exc.msg, when=notices.when(delay))))
        except Exception as exc:
            log.exception("poll of %s failed unexpectedly", job_id)
            ctx.record(job_id, Change.shown(notice=msg("notice.bug", kind=type(exc).__name__,
                                                     when=notices.when(policy.bug_retry_s))))
            ctx.schedule(job_id, policy.bug_retry_s)
        finally:
            self.in_flight.discard(job_id)
            if job_id in self._again:
                self._again.discard(job_id)
                ctx.schedule(job_id, 0)

    def _note_task_end(self, rec: JobRecord, info: Any) -> JobRecord:
        """The service said the task ended: its word and any billed amount go into the job's cost
        (store/ledger.py), so the ledger and the sidecar say what it cost."""
        if not rec.cost:
            return rec
        try:
            rate = float(self.ctx.settings.price.per_second[tier_and_aspect(rec.settings.get("size", ""))[0]])
        except (KeyError, ValueError, TypeError):
            rate = None
        cost = ledger.after_task(rec.cost, info, rate=rate)
        return rec if cost == rec.cost else self.ctx.store.update(rec.job_id, cost=cost)

    def _running(self, rec: JobRecord, tries: Tries, info: Any, seed_used: int | None, timings: dict) -> None:
        state = JobState.PROCESSING if info.status == spec.STATUS_PROCESSING else JobState.QUEUED
        pct = info.progress_percent
        if state == JobState.PROCESSING:
            text = msg("job.generating_eta", pct=pct or 0, eta=info.eta) if info.eta else msg("job.generating",
                                                                                               pct=pct or 0)
        elif info.status == spec.STATUS_QUEUED:
            text = JobState.QUEUED.stage_text
        else:
            text = msg("job.service_status", status=info.status)
        tries.store_errors = 0  # set below only once the record was written (or had nothing new)
        near_end = info.eta is None or info.eta <= self.ctx.policy.min_gap_s
        tries.streak = tries.streak + 1 if near_end else 0
        progress = (pct / 100.0) if pct is not None else None
        if state != rec.state:
            self.ctx.record(rec.job_id, Change(state=state, stage_text=text, seed_used=seed_used, timings=timings,
                                               progress=progress, eta=info.eta, notice=None))
        else:
            self.ctx.record(rec.job_id, Change.shown(stage_text=text, progress=progress, eta=info.eta, notice=None))
        self.ctx.schedule(rec.job_id, next_read(self.ctx.policy, info.eta, tries.streak), rec)

    def _read_failed(self, rec: JobRecord, tries: Tries, exc: StudioError) -> float | None:
        """A read that did not give a task document: say why on the page, and when it is read again.
        Returns the delay, or None when the job has ended."""
        ctx, policy, job_id = self.ctx, self.ctx.policy, rec.job_id
        tries.poll_errors += 1
        retry_after = getattr(exc, "retry_after", None)
        when = notices.when
        if isinstance(exc, NotFoundError):
            tries.not_found += 1
            if tries.not_found >= policy.not_found_tries:
                ctx.fail(job_id, msg("job.task_unknown", task_id=rec.task_id, n=tries.not_found))
                return None
            delay = after_error(policy, tries.not_found)
            notice = msg("notice.not_listed", cause=notices.cause(exc), when=when(delay), n=tries.not_found,
                         max=policy.not_found_tries)
        elif isinstance(exc, (AuthenticationError, PermissionDeniedError)):  # 401 or 403: the key
            ctx.keys.mark_refused(job_id)
            delay = min(policy.auth_retry_cap_s, after_error(policy, tries.poll_errors))
            code = "notice.key_refused" if ctx.targets.typed_key(rec) else "notice.studio_key_refused"
            notice = msg(code, cause=notices.cause(exc), when=when(delay))
        elif retry_after:
            delay = after_error(policy, tries.poll_errors, retry_after)
            if isinstance(exc, RateLimitError):
                ctx.hold_account(rec, delay)
            code = "notice.slow_down_for" if isinstance(exc, RateLimitError) else "notice.busy_for"
            notice = msg(code, wait=Duration(retry_after), when=when(delay))
        elif isinstance(exc, RateLimitError):
            delay = after_error(policy, tries.poll_errors)
            ctx.hold_account(rec, delay)
            notice = msg("notice.slow_down", when=when(delay))
        else:
            delay = after_error(policy, tries.poll_errors)
            notice = msg("notice.read_failed", cause=notices.cause(exc), when=when(delay))
        ctx.record(job_id, Change.shown(notice=notice))
        return delay

    async def _download(self, rec: JobRecord, tries: Tries, info: Any, seed_used: int | None, timings: dict) -> None:
        ctx, policy, job_id = self.ctx, self.ctx.policy, rec.job_id
        ctx.record(job_id, Change(state=JobState.DOWNLOADING, progress=0.0, eta=None, seed_used=seed_used, timings=timings))
        target, key = ctx.targets.target(rec)
        mp4, sidecar, poster = ctx.store.result_paths(rec)

        def progress(got: int, size: int | None) -> None:
            ctx.record(job_id, Change.shown(progress=(got / size) if size else None))

        try:
            with explain_wait(ctx, job_id, "notice.wait_download"):
                await ctx.targets.client(target, key).download(info.video_url, mp4, max_bytes=RESULT_MAX_BYTES,
                                                     on_progress=progress)
            has_poster = await asyncio.to_thread(write_poster, mp4, poster)
            timings = dict(timings) | {"downloaded_at": ctx.clock()}
            await asyncio.to_thread(write_sidecar, sidecar, rec, video=mp4, poster=poster if has_poster else None,
                                    seed_used=seed_used, timings=timings)
        except ResultUnusable as exc:
            ctx.fail(job_id, exc.msg)
            return
        except DownloadError as exc:
            if _link_refused(exc):
                # A presigned link can fail (expired, not yet valid, a storage hiccup): a fresh read
                # of the task gives a fresh link.  The video was paid for: never given up at once.
                tries.link_failures += 1
                if tries.link_failures >= policy.link_tries:
                    ctx.fail(job_id, msg("job.links_failed", n=tries.link_failures, error=exc.msg))
                    return
                delay = after_error(policy, tries.link_failures) / 2
                notice = msg("notice.fresh_link", error=exc.msg, when=notices.when(delay))
            else:
                tries.poll_errors += 1
                delay = after_error(policy, tries.poll_errors)
                notice = msg("notice.download_interrupted", error=exc.msg, when=notices.when(delay))
            ctx.record(job_id, Change.shown(notice=notice))
            ctx.schedule(job_id, delay, rec)
            return
        except OSError as exc:
            log.error("saving the result of %s failed: %s", job_id, exc)
            problem = notices.disk_notice(exc, ctx.store.library_dir)
            ctx.record(job_id, Change.shown(notice=msg("notice.disk_retry", problem=problem,
                                                     when=notices.when(policy.disk_retry_s))))
            ctx.schedule(job_id, policy.disk_retry_s, rec)
            return
        # The file and its sidecar exist before the job is marked done.
        ctx.record(job_id, Change(
            state=JobState.SUCCEEDED, progress=1.0, eta=None, video_path=ctx.store.relative(mp4),
            poster_path=ctx.store.relative(poster) if has_poster else None, timings=timings, seed_used=seed_used,
            error=None, stage_text=msg("job.done_seed", seed=seed_used) if seed_used is not None else msg("stage.succeeded")))


def _link_refused(exc: DownloadError) -> bool:
    """The result link itself was refused (expired, not valid, gone), as opposed to a broken connection
    or an overloaded storage host: a fresh read of the task gives a new link."""
    if isinstance(exc, ResultExpired):
        return True
    cause = exc.__cause__
    return isinstance(cause, APIStatusError) and 400 <= cause.status < 500
