"""Budgets: whether a start may spend more of the studio's money, decided under one lock.  No Gradio:
the job manager asks here for every start on the studio's key (the page's Generate and each of its
takes, Try again, /generate and MCP's start_video all go through `JobManager.start_takes`), and the
page asks what is left of today.

The limits (config.py; all optional, in the price settings' currency): the studio's spend per day
(R2V_BUDGET_DAY) and per calendar month (R2V_BUDGET_MONTH), one person's spend per day
(R2V_BUDGET_PERSON_DAY; a person is the job's owner — a login with --auth, a browser on a studio
others can reach, "this machine" on loopback) and how many unfinished videos one person may have
(R2V_MAX_RUNNING_PERSON).  A day runs from midnight to midnight in the studio's time zone (`tz`,
the machine's own by default), a month from the 1st.

Why one lock: the check reads what the ledger counts (running jobs included) and the manager writes
the new jobs' rows — which the ledger counts at once — before the lock is let go, so ten clicks at
the same moment are decided one after another and cannot overshoot together.  Demo mode has no
budgets; a key typed into the page pays for itself and is not held to the studio's budgets.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, tzinfo
from typing import Any, Callable, Iterator

from .errors import StudioError
from .store.ledger import Ledger
from .messages import Duration, msg

EPSILON = 1e-9  # money compared to the ten-thousandth of a cent: 0.5 + 0.5 fits a budget of 1.00


class BudgetExceeded(StudioError):
    """A start refused by a budget: the Msg says which budget, what is left and when it starts again."""


def studio_zone(settings: Any) -> tzinfo | None:
    """The studio's time zone: R2V_TIMEZONE (an IANA name such as Asia/Shanghai), else the machine's (None)."""
    name = getattr(settings, "timezone", None)
    if not name:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _midnight(day: date, tz: tzinfo | None) -> float:
    return datetime.combine(day, dtime(0), tzinfo=tz).timestamp()


def day_span(now: float, tz: tzinfo | None = None) -> tuple[float, float]:
    """(start, end) of the day `now` falls in, midnight to midnight in `tz` (None: the machine's zone)."""
    today = datetime.fromtimestamp(now, tz).date()
    return _midnight(today, tz), _midnight(today + timedelta(days=1), tz)


def month_span(now: float, tz: tzinfo | None = None) -> tuple[float, float]:
    today = datetime.fromtimestamp(now, tz).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return _midnight(first, tz), _midnight(following, tz)


def day_starts(now: float, days: int, tz: tzinfo | None = None) -> list[tuple[date, float, float]]:
    """The last `days` days, oldest first, each as (date, start, end) in `tz`."""
    today = datetime.fromtimestamp(now, tz).date()
    out = []
    for back in range(days - 1, -1, -1):
        d = today - timedelta(days=back)
        out.append((d, _midnight(d, tz), _midnight(d + timedelta(days=1), tz)))
    return out


@dataclass(frozen=True)
class Standing:
    """What is left of one budget now: for the bar beside Generate."""

    kind: str  # "day" (the studio's) or "person_day" (the viewer's own)
    budget: float
    spent: float

    @property
    def left(self) -> float:
        return max(0.0, self.budget - self.spent)


class BudgetGuard:
    def __init__(self, settings: Any, ledger: Ledger, *, clock: Callable[[], float], tz: tzinfo | None = None):
        self.settings = settings
        self.ledger = ledger
        self.clock = clock
        self.tz = tz if tz is not None else studio_zone(settings)
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether any limit is in force (never in demo mode)."""
        s = self.settings
        if s.demo:
            return False
        return any(v is not None for v in (s.budget_day, s.budget_month, s.budget_person_day, s.running_limit))

    @contextlib.contextmanager
    def admit(self, person: str, cost: float, jobs: int = 1, applies: bool = True) -> Iterator[None]:
        """Hold the lock, check that `jobs` more videos costing `cost` in all fit every budget of
        `person` and of the studio (BudgetExceeded otherwise), and keep holding it while the caller
        writes their rows.  `applies` False (demo mode, or a key typed into the page): no check."""
        if not (applies and self.active):
            yield
            return
        with self._lock:
            self.check(person, cost, jobs)
            yield

    def check(self, person: str, cost: float, jobs: int = 1) -> None:
        s = self.settings
        limit = s.running_limit
        if limit is not None and self.ledger.running(person) + jobs > limit:
            raise BudgetExceeded(msg("budget.running", n=limit))
        now = self.clock()
        day = day_span(now, self.tz)
        month = month_span(now, self.tz)
        for code, budget, who, (start, end) in (("budget.person_day", s.budget_person_day, person, day),
                                                 ("budget.day", s.budget_day, None, day),
                                                 ("budget.month", s.budget_month, None, month)):
            if budget is None:
                continue
            spent = self.ledger.spent(start, end, who)
            if spent + cost > budget + EPSILON:
                params: dict[str, Any] = dict(cost=round(cost, 2), left=round(max(0.0, budget - spent), 2),
                                              budget=round(budget, 2))
                if code == "budget.month":
                    params["date"] = datetime.fromtimestamp(end, self.tz).date().isoformat()
                else:
                    params["wait"] = Duration(max(0.0, end - now))
                raise BudgetExceeded(msg(code, **params))

    def standings(self, person: str) -> list[Standing]:
        """What is left today of the studio's day budget and of `person`'s, where set (none in demo mode)."""
        s = self.settings
        if s.demo:
            return []
        start, end = day_span(self.clock(), self.tz)
        out = []
        if s.budget_day is not None:
            out.append(Standing("day", s.budget_day, self.ledger.spent(start, end)))
        if s.budget_person_day is not None:
            out.append(Standing("person_day", s.budget_person_day, self.ledger.spent(start, end, person)))
        return out


@dataclass(frozen=True)
class SpendReport:
    """What the Spend view shows (ui/spendpanel.py puts it into words)."""

    days: list[tuple[date, float]]  # the last 30 days, oldest first
    today: float
    month: float
    budget_day: float | None
    budget_month: float | None
    people: list[tuple[str, float, int]]  # this month: (person, spent, videos), the biggest first
    most_expensive: list[Any]  # ledger.Entry, the last 30 days
    tz: tzinfo | None


def report(guard: BudgetGuard, days: int = 30) -> SpendReport:
    now = guard.clock()
    spans = day_starts(now, days, guard.tz)
    first, last_end = spans[0][1], spans[-1][2]
    per_day = [0.0] * len(spans)
    for started, counted in guard.ledger.by_start(first, last_end):
        for i, (_, start, end) in enumerate(spans):
            if start <= started < end:
                per_day[i] += counted
                break
    m_start, m_end = month_span(now, guard.tz)
    return SpendReport(
        days=[(d, round(v, 4)) for (d, _, _), v in zip(spans, per_day)], today=round(per_day[-1], 4),
        month=round(guard.ledger.spent(m_start, m_end), 4), budget_day=guard.settings.budget_day,
        budget_month=guard.settings.budget_month, people=guard.ledger.people(m_start, m_end),
        most_expensive=guard.ledger.most_expensive(first, last_end), tz=guard.tz)
