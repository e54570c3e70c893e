"""When each running job is read next, and how many reads each account may spend.

`ReadPolicy` holds every timing of the job core (one small object a test can replace), and
`next_read` / `after_error` are pure functions of it: tested as tables.  `PollScheduler` keeps the
due times and the per-account budget and wakes whoever reads.

Polling follows the service's `eta`: sleep through most of what is left, then tighten near the
end, so a 60 s task costs a handful of reads and its video is read within about a second of being
done.  Errors back off with jitter; a Retry-After is honoured.  Reads are budgeted per account (the
provider limits each API key); the embedded emulator is not budgeted.

Shared state: `_due`, `_accounts`, `_spent`, `_held` and `_wake` are touched on the job loop only (JobLoop): every
method here is called from coroutines or callbacks running on it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from dataclasses import dataclass
from typing import Awaitable, Callable

from ..backoff import backoff, honoured_retry_after

Clock = Callable[[], float]
_SAME = object()  # "the account this job was last scheduled under"
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ReadPolicy:
    first_read_s: float = 1.0       # after a submit: the service lists a task at once
    min_gap_s: float = 1.0          # never read one job more often than this
    max_gap_s: float = 30.0         # however far off the eta, the page hears from the service this often
    eta_share: float = 0.75         # sleep through this share of the time the service says is left
    late_cap_s: float = 5.0         # a task past its eta is read more and more slowly, up to this
    no_eta_s: float = 2.0           # no eta (queued without one): start here, grow by half each read
    no_eta_cap_s: float = 15.0
    backoff_base_s: float = 2.0     # the first wait after an error; doubled for each one after it
    backoff_cap_s: float = 60.0
    retry_after_cap_s: float = 3600.0  # the longest Retry-After honoured (the notice says when)
    auth_retry_cap_s: float = 60.0  # a refused key is tried again at least this often
    not_found_tries: int = 6        # TASK_NOT_FOUND reads (about a minute) before a job is called lost
    link_tries: int = 5             # result links that fail to download, in a row, before giving up
    slow_wait_notice_s: float = 10.0  # any wait longer than this (an answer, a download, the read budget) is explained
    store_retry_s: float = 30.0     # a job database that cannot be written is tried again this often
    disk_retry_s: float = 60.0      # a result that could not be saved is tried again this often
    bug_retry_s: float = 30.0       # an unexpected error inside the studio while reading
    budget_window_s: float = 60.0   # the per-account budget counts reads in this window


def next_read(policy: ReadPolicy, eta: float | None, streak: int = 0) -> float:
    """Seconds until the next read of a running task that said `eta` seconds are left.

    `streak` counts the reads in a row that found the task at (or past) its eta, or without one:
    such a task is read a little less often each time, so a late task does not cost a read a second."""
    if eta is None or eta <= 0:
        if eta is None:
            return min(policy.no_eta_cap_s, policy.no_eta_s * 1.5 ** streak)
        return min(policy.late_cap_s, policy.min_gap_s * 1.5 ** max(0, streak - 2))
    if eta <= policy.min_gap_s:
        return min(policy.late_cap_s, policy.min_gap_s * 1.5 ** max(0, streak - 2))
    return max(policy.min_gap_s, min(policy.max_gap_s, eta * policy.eta_share))


def after_error(policy: ReadPolicy, errors: int, retry_after: float | None = None, *,
                rng: Callable[[], float] | None = None) -> float:
    """Seconds until the next read after `errors` failed reads in a row: the service's Retry-After
    when it gave one (at least 1 s, at most the cap), otherwise backoff with jitter."""
    asked = honoured_retry_after(retry_after, cap=policy.retry_after_cap_s, floor=1.0) if retry_after else None
    if asked is not None:
        return asked
    kw = {"rng": rng} if rng is not None else {}
    return backoff(errors, base=policy.backoff_base_s, cap=policy.backoff_cap_s, **kw)


def account_of(key: str | None) -> str:
    """The name a budget is kept under: a one-way tag of the API key (the key itself is not kept)."""
    return hashlib.sha256(("r2v-budget\x00" + (key or "")).encode("utf-8")).hexdigest()[:16]


class PollScheduler:
    """Due times of every running job and the read budget of every account (see the module text)."""

    def __init__(self, *, per_minute: int, policy: ReadPolicy = ReadPolicy(), clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep):
        self.per_minute = max(1, per_minute)
        self.policy = policy
        self._clock = clock
        self._sleep = sleep
        self._due: dict[str, tuple[float, str | None]] = {}  # job -> (when, account or None: not budgeted)
        self._spent: dict[str, deque[float]] = {}  # account -> times of its reads in the window
        self._held: dict[str, float] = {}  # account -> no read before this time (the service said 429)
        self._accounts: dict[str, str | None] = {}  # job -> the account it was last scheduled under
        self._wake: asyncio.Event | None = None
        # Told (job, "budget" | "held", seconds) when a due job must wait that long for its account:
        # a wait the page explains (waits.explain_deferred).
        self.on_deferred: Callable[[str, str, float], None] | None = None

    # --- on the loop ---------------------------------------------------------------------------
    def schedule(self, job_id: str, delay: float, account: str | None | object = _SAME) -> None:
        """Read `job_id` after `delay` seconds, paid from `account` (by default the account it was
        last scheduled under: a reschedule never needs the store that may have just failed)."""
        if account is _SAME:
            account = self._accounts.get(job_id)
        self._accounts[job_id] = account
        self._due[job_id] = (self._clock() + max(0.0, delay), account)
        if self._wake is not None:
            self._wake.set()

    def unschedule(self, job_id: str) -> None:
        self._due.pop(job_id, None)
        self._accounts.pop(job_id, None)

    def hold(self, account: str | None, seconds: float) -> None:
        """The service asked this account to slow down: none of its jobs is read for `seconds`
        (its limit is per account, so every job of the key waits, not only the one that was told)."""
        if account is not None:
            self._held[account] = max(self._held.get(account, 0.0), self._clock() + seconds)

    def is_scheduled(self, job_id: str) -> bool:
        return job_id in self._due

    def account(self, job_id: str) -> str | None:
        """The budget a scheduled job's next read is paid from (None: not budgeted, or not scheduled)."""
        due = self._due.get(job_id)
        return due[1] if due else None

    def take_due(self) -> list[str]:
        """The jobs to read now, oldest due first, each read paid from its account's budget.  A job
        whose account has spent its budget is moved to when the budget has room again; the others
        are not held up by it."""
        now = self._clock()
        ready = sorted((when, job) for job, (when, _) in self._due.items() if when <= now)
        taken = []
        for _, job_id in ready:
            account = self._due[job_id][1]
            free_at = self._budget_free_at(account, now)
            if free_at > now:
                self._due[job_id] = (free_at, account)
                if self.on_deferred is not None and free_at - now >= self.policy.slow_wait_notice_s:
                    held = self._held.get(account or "", 0.0) >= free_at
                    self.on_deferred(job_id, "held" if held else "budget", free_at - now)
                continue
            if account is not None:
                self._spent.setdefault(account, deque()).append(now)
            del self._due[job_id]
            taken.append(job_id)
        return taken

    def next_due_in(self) -> float | None:
        if not self._due:
            return None
        return max(0.0, min(when for when, _ in self._due.values()) - self._clock())

    def reads_in_window(self, account: str) -> int:
        spent = self._spent.get(account)
        if not spent:
            return 0
        self._forget_old(spent, self._clock())
        return len(spent)

    async def run(self, start_read: Callable[[str], None]) -> None:
        """Hand every due job to `start_read` (which must not block), then sleep until the next one
        is due or a job is scheduled.  Runs until cancelled."""
        self._wake = asyncio.Event()
        while True:
            for job_id in self.take_due():
                start_read(job_id)
            wait = self.next_due_in()
            self._wake.clear()
            await self._nap(60.0 if wait is None else min(wait, 60.0))

    async def _nap(self, seconds: float) -> None:
        assert self._wake is not None
        woken = asyncio.ensure_future(self._wake.wait())
        slept = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait({woken, slept}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for f in (woken, slept):
                f.cancel()

    # --- the budget ----------------------------------------------------------------------------
    def _budget_free_at(self, account: str | None, now: float) -> float:
        if account is None:
            return now
        held = self._held.get(account, now)
        if held <= now:
            self._held.pop(account, None)
            held = now
        spent = self._spent.get(account)
        if not spent:
            return held
        self._forget_old(spent, now)
        if len(spent) < self.per_minute:
            return held
        return max(held, spent[0] + self.policy.budget_window_s)

    def _forget_old(self, spent: deque[float], now: float) -> None:
        while spent and now - spent[0] >= self.policy.budget_window_s:
            spent.popleft()
