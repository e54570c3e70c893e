"""What the page says while a job waits longer than it should be kept waiting in silence (the
notice threshold, `ReadPolicy.slow_wait_notice_s`, 10 s): what is awaited — the service's answer to a
submit or a read, the storage sending the video, the key's read budget or a slow-down the service
asked for — and how long so far or until when.  On the job loop only."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Iterator

from ..messages import Msg, msg
from . import notices
from .context import Change

if TYPE_CHECKING:
    from .context import JobContext


class WaitNotice:
    """One wait being explained (explain_wait below); on the loop only."""

    def __init__(self, ctx: "JobContext", job_id: str, code: str):
        self.ctx, self.job_id, self.code = ctx, job_id, code
        self.loop = asyncio.get_running_loop()
        self.shown: Msg | None = None
        self.handle: asyncio.TimerHandle | None = None
        self.restart()

    def restart(self, after: float = 0.0) -> None:
        """The wait starts again `after` seconds from now (a resend after a pause that its own
        notice explains): the next notice of this wait counts from then."""
        if self.handle is not None:
            self.handle.cancel()
        self.started = self.loop.time() + after
        self.handle = self.loop.call_later(after + self.ctx.policy.slow_wait_notice_s, self._tick)

    def _tick(self) -> None:
        self.shown = msg(self.code, secs=f"{self.loop.time() - self.started:.0f}")
        self.ctx.record(self.job_id, Change.shown(notice=self.shown))
        self.handle = self.loop.call_later(self.ctx.policy.slow_wait_notice_s, self._tick)

    def end(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
        if self.shown is not None and self.ctx.hub.peek(self.job_id).notice is self.shown:
            self.ctx.record(self.job_id, Change.shown(notice=None))


@contextlib.contextmanager
def explain_wait(ctx: "JobContext", job_id: str, code: str) -> Iterator[WaitNotice]:
    """While the block waits longer than `policy.slow_wait_notice_s`, the job's notice is the catalog
    message `code`, which says what is awaited, with the seconds waited so far (`secs`, renewed as
    often); it goes when the wait ends, unless something replaced it."""
    wait = WaitNotice(ctx, job_id, code)
    try:
        yield wait
    finally:
        wait.end()


def explain_deferred(ctx: "JobContext", job_id: str, why: str, wait: float) -> None:
    """A due job waits `wait` s for its key's read budget ("budget") or for the service's slow-down
    to pass ("held"): the page says so, and when it is read."""
    if why == "held":
        notice = msg("notice.wait_held", when=notices.when(wait))
    else:
        notice = msg("notice.wait_budget", rpm=ctx.scheduler.per_minute, when=notices.when(wait))
    ctx.record(job_id, Change.shown(notice=notice))
