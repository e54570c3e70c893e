"""Deciding about a submission that may have reached the service ("submission uncertain"): the one
set of rules the result pane, History's detail, the API and MCP all go through (via
`JobManager.resolve_uncertain`), and the hand-over of a job to whoever acts on it with their key.

Shared state: which jobs a decision is being made about, behind this class's lock — two browsers
of one owner deciding at once get one decision; the other is told, and nothing is sent twice."""

from __future__ import annotations

import threading
from typing import Any, Callable

from ..errors import NotFoundError, StudioError
from ..messages import Choices, msg
from ..store import JobRecord, ledger
from .context import Change, JobContext
from .keys import holder_tag
from .states import JobState

DECISIONS = ("attach", "resubmit", "discard")  # what may be done with an uncertain submission
TASK_ID_MAX = 128  # a task id is one word; anything longer is not one (and is not sent to the service)


def require_action(action: Any) -> None:
    """An action that is none of DECISIONS is refused in words, before anything is looked up."""
    if action not in DECISIONS:
        raise StudioError(msg("job.unknown_decision", actions=Choices(tuple(f'"{a}"' for a in DECISIONS))))


class Decisions:
    def __init__(self, ctx: JobContext, run: Callable[..., Any], budget: Any):
        """`run(job_id, knowingly_resubmitted=True)`: the runner's coroutine that sends a job again."""
        self._ctx, self._run, self._budget = ctx, run, budget
        self._deciding: set[str] = set()
        self._lock = threading.Lock()

    def decide(self, job_id: str, read: Callable[[], JobRecord], action: str, *, api_key: str | None,
               task_id: Any, holder: str, confirmed: bool) -> None:
        """"attach" a task id found in the account (checked, then followed; nothing is resent),
        "resubmit" knowingly — only when `confirmed`, as it may bill twice — or "discard".
        `read` gives the owner's record (raising when it is not theirs), read again once this
        decision holds the job.  Raises an StudioError whose Msg says why nothing changed."""
        require_action(action)
        with self._lock:
            if job_id in self._deciding:
                raise StudioError(msg("job.being_decided"))
            self._deciding.add(job_id)
        try:
            self._decide(read(), action, api_key, task_id, holder, confirmed)
        finally:
            with self._lock:
                self._deciding.discard(job_id)

    def _decide(self, rec: JobRecord, action: str, api_key: str | None, task_id: Any, holder: str,
                confirmed: bool) -> None:
        if rec.state != JobState.UNCERTAIN:
            raise StudioError(msg("job.not_waiting"))
        if action == "attach":
            found = task_id.strip() if isinstance(task_id, str) else ""
            if len(found) > TASK_ID_MAX or any(not c.isprintable() or c.isspace() for c in found):
                raise StudioError(msg("job.bad_task_id"))
            self.take_over(rec, api_key, holder)
            self._attach(rec, found)
        elif action == "discard":
            self._ctx.record(rec.job_id, Change(state=JobState.DISCARDED, stage_text=msg("job.discarded")))
        else:
            if not confirmed:
                raise StudioError(msg("job.confirm_resubmit"))
            self.take_over(rec, api_key, holder)
            with self._budget.admit(rec.owner, *ledger.one_more(rec.cost, api_key)):  # it may bill again
                self._ctx.store.update(rec.job_id, cost=ledger.resubmitted(rec.cost))
                self._ctx.record(rec.job_id, Change(state=JobState.CHECKING, stage_text=msg("job.resubmitting"),
                                                    error=None))
            self._ctx.loop.spawn(self._run(rec.job_id, knowingly_resubmitted=True))

    def _attach(self, rec: JobRecord, task_id: str) -> None:
        if not task_id:
            raise StudioError(msg("job.paste_task_id"))
        targets = self._ctx.targets
        target, key = targets.target(rec)
        try:
            targets.read_now(target, key, task_id, timeout=120)
        except NotFoundError:
            raise StudioError(msg("job.unknown_task", task_id=task_id)) from None
        self._ctx.record(rec.job_id, Change(state=JobState.QUEUED, task_id=task_id, error=None,
                                            stage_text=msg("job.following_found")))
        self._ctx.schedule(rec.job_id, 0)

    def take_over(self, rec: JobRecord, api_key: str | None, holder: str) -> None:
        """Someone acting on a job (resubmit, attach, try again) with their own key: from now on the
        job is read with that key and resumes only with that holder's key after a restart."""
        if not api_key:
            return
        self._ctx.keys.attach(rec.job_id, api_key)
        tag = holder_tag(holder)
        if tag != rec.key_holder:
            self._ctx.store.update(rec.job_id, key_holder=tag)
