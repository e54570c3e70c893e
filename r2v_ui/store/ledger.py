"""The ledger: what each job on the studio's key is counted as costing, who started it, and how it
ended.  No Gradio; the store writes it (jobstore.py, rebuild.py), the budgets (budget.py) and the
Spend view read it.

Each job carries its cost in its record (`JobRecord.cost`, so the record copy and the sidecar beside
its video carry it too):

    {"estimate": 0.5,          the estimate the page showed for one video (the top of a range)
     "currency": "USD",
     "studio": true,           paid with the studio's own key (false: a key typed into the page)
     "resubmits": 0,           "resubmit" after an uncertain submission: each may have billed again
     "task": "failed",         how the service said the task ended ("succeeded" / "failed"), once it said
     "billed": 0.48,           a billed amount the service's answer carried (None: it carried none)
     "billed_seconds": 5}      billed seconds the service's answer carried

A job on the studio's key also has a row in the `ledger` table (migration 8), upserted by the store
whenever the job's record changes, so the table follows the job from its first row to its end.
The row outlives the job: deleting a video from History does not give its money back.  A database
rebuilt from the library gets its rows back from the records and sidecars (`record`).

What a job counts (`counted`), as SPEC.md says billing works:
* running, or a submission that may have reached the service (uncertain, or discarded after it): the
  estimate — budgets count what is running, so simultaneous clicks cannot overshoot;
* finished with a video: the billed amount when the service gave one, else the estimate;
* a task the service said FAILED: nothing ("failed tasks are not billed" [seen]) unless it gave a
  billed amount;
* failed before a task was created (a refused file, an unreachable service): nothing;
* every "resubmit" adds one estimate (the earlier submit may have been billed).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any, Iterable

from ..jobs.states import RUNNING_STATES, JobState

# The service's task document names no billing field (SPEC.md); some gateways that serve the same
# v3 API add one.  These are the places and names looked for, in this order (docs/SETTINGS.md "Budgets").
BILLING_CONTAINERS = (("billing",), ("usage",), ("extra", "billing"), ("extra", "usage"), ("task", "billing"),
                      ("task", "usage"))
AMOUNT_KEYS = ("billed_amount", "amount", "cost", "price")
SECONDS_KEYS = ("billed_seconds", "billed_duration", "seconds", "duration")
TOP_AMOUNT = (("billed_amount",), ("task", "billed_amount"), ("extra", "billed_amount"))
TOP_SECONDS = (("billed_seconds",), ("task", "billed_seconds"), ("extra", "billed_seconds"))


def new_cost(estimate: float, *, currency: str = "USD", studio: bool = True) -> dict[str, Any]:
    """A job's cost as it starts: one video's estimate (the top of a range)."""
    return {"estimate": round(float(estimate), 4), "currency": currency, "studio": bool(studio), "resubmits": 0,
            "task": None, "billed": None, "billed_seconds": None}


def priced(records: list[Any], estimate: Any, *, live: bool, studio: bool) -> list[Any]:
    """Job records with their cost (`estimate`: a price.PriceEstimate); demo mode costs nothing: no cost."""
    if not live:
        return records
    return [replace(rec, cost=new_cost(estimate.high, currency=estimate.currency, studio=studio)) for rec in records]


def asks(records: list[Any]) -> tuple[float, int, bool]:
    """What starting these records asks of the budgets: (cost, videos, whether the budgets apply)."""
    studio = bool(records) and bool(records[0].cost.get("studio"))
    return sum(float(r.cost.get("estimate") or 0.0) for r in records), len(records), studio


def one_more(cost: dict[str, Any], typed_key: str | None) -> tuple[float, int, bool]:
    """What a resubmit asks of the budgets: (cost, videos, whether they apply) for BudgetGuard.admit."""
    return float(cost.get("estimate") or 0.0), 1, bool(cost.get("studio")) and not typed_key


def outcome(state: str, task_id: str | None, cost: dict[str, Any]) -> tuple[str, float]:
    """What a job in `state` counts, and the word for it (module docstring)."""
    each = float(cost.get("estimate") or 0.0)
    again = int(cost.get("resubmits") or 0) * each  # earlier submits that may have been billed
    billed = cost.get("billed")
    if state in RUNNING_STATES:
        return "running", each + again
    if state == JobState.SUCCEEDED:
        return "succeeded", (float(billed) if billed is not None else each) + again
    if state in (JobState.UNCERTAIN, JobState.DISCARDED):
        return "maybe_billed", each + again
    # failed
    if billed is not None:
        return "billed_failed", float(billed) + again
    if cost.get("task") == "failed":
        return "task_failed", again  # SPEC.md: failed tasks are not billed
    if task_id:
        return "failed_after_task", each + again  # the service made (or may have made) it: counted
    return "not_sent", again


def record(conn: sqlite3.Connection, rec: Any) -> None:
    """Write (or update) the ledger row of `rec`, when it runs on the studio's key."""
    cost = rec.cost or {}
    if not cost.get("studio"):
        return
    word, amount = outcome(str(rec.state), rec.task_id, cost)
    conn.execute(
        """INSERT INTO ledger (job_id, person, started_at, estimate, billed, billed_seconds, outcome, counted,
                               updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(job_id) DO UPDATE SET billed = excluded.billed, billed_seconds = excluded.billed_seconds,
               outcome = excluded.outcome, counted = excluded.counted, estimate = excluded.estimate,
               updated_at = excluded.updated_at""",
        (rec.job_id, rec.owner, rec.created_at, float(cost.get("estimate") or 0.0), cost.get("billed"),
         cost.get("billed_seconds"), word, round(amount, 6), rec.updated_at))


def concerns(changes: Iterable[str]) -> bool:
    """Whether a change of these record fields can change the job's ledger row."""
    return bool({"state", "task_id", "cost"} & set(changes))


# --- after the task -------------------------------------------------------------------------------
def _dig(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return n if n == n and 0 <= n < 1e9 else None


def billed_from(doc: Any) -> tuple[float | None, float | None]:
    """(billed amount, billed seconds) carried by a task document, where it carries them (None each
    when not: then the estimate stands).  See BILLING_CONTAINERS and the keys above."""
    amount = seconds = None
    for path in TOP_AMOUNT:
        amount = amount if amount is not None else _number(_dig(doc, path))
    for path in TOP_SECONDS:
        seconds = seconds if seconds is not None else _number(_dig(doc, path))
    for path in BILLING_CONTAINERS:
        box = _dig(doc, path)
        if not isinstance(box, dict):
            continue
        for key in AMOUNT_KEYS:
            amount = amount if amount is not None else _number(box.get(key))
        for key in SECONDS_KEYS:
            seconds = seconds if seconds is not None else _number(box.get(key))
    return amount, seconds


def after_task(cost: dict[str, Any], info: Any, *, rate: float | None = None) -> dict[str, Any]:
    """The cost once the service said how the task ended (`info`: a TaskInfo): that word, and what
    it billed when its answer says so.  Billed seconds without an amount are priced at `rate`
    (the output rate of the job's tier)."""
    amount, seconds = billed_from(getattr(info, "raw", None))
    if amount is None and seconds is not None and rate is not None:
        amount = round(seconds * rate, 4)
    return dict(cost, task="succeeded" if info.succeeded else "failed",
                billed=amount if amount is not None else cost.get("billed"),
                billed_seconds=seconds if seconds is not None else cost.get("billed_seconds"))


def resubmitted(cost: dict[str, Any]) -> dict[str, Any]:
    """The cost once the user chose to resubmit an uncertain submission (it may bill again); {} stays {}."""
    return dict(cost, resubmits=int(cost.get("resubmits") or 0) + 1, task=None) if cost else cost


# --- reading --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    job_id: str
    person: str
    started_at: float
    estimate: float
    billed: float | None
    billed_seconds: float | None
    outcome: str
    counted: float
    prompt: str | None  # None: the job was deleted from History


class Ledger:
    """Queries over the ledger table, through the store's database (`JobStore.db`)."""

    def __init__(self, store: Any):
        self.db = store.db

    def _all(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.db.run(lambda c: c.execute(sql, list(args)).fetchall())

    def spent(self, since: float, until: float, person: str | None = None) -> float:
        """What counts between two times (running jobs included), for everyone or one person."""
        sql = "SELECT coalesce(sum(counted), 0) FROM ledger WHERE started_at >= ? AND started_at < ?"
        args: list[Any] = [since, until]
        if person is not None:
            sql += " AND person = ?"
            args.append(person)
        return float(self._all(sql, args)[0][0])

    def running(self, person: str) -> int:
        """How many of this person's jobs on the studio's key are not finished."""
        return int(self._all("SELECT count(*) FROM ledger WHERE person = ? AND outcome = 'running'", [person])[0][0])

    def by_start(self, since: float, until: float) -> list[tuple[float, float]]:
        """(started_at, counted) of every row in the time span, for the per-day bars."""
        return [(r[0], r[1]) for r in self._all(
            "SELECT started_at, counted FROM ledger WHERE started_at >= ? AND started_at < ?", [since, until])]

    def people(self, since: float, until: float) -> list[tuple[str, float, int]]:
        """(person, spent, jobs) in the time span, the biggest spender first."""
        return [(r[0], float(r[1]), int(r[2])) for r in self._all(
            """SELECT person, sum(counted) AS spent, count(*) FROM ledger WHERE started_at >= ? AND started_at < ?
               GROUP BY person ORDER BY spent DESC, person LIMIT 50""", [since, until])]

    def most_expensive(self, since: float, until: float, limit: int = 10) -> list[Entry]:
        rows = self._all(
            """SELECT l.*, CASE WHEN j.job_id IS NULL THEN NULL ELSE
                   coalesce(json_extract(j.settings_json, '$.written_prompt'), json_extract(j.settings_json, '$.prompt'), '')
                   END AS prompt
               FROM ledger l LEFT JOIN jobs j ON j.job_id = l.job_id
               WHERE l.started_at >= ? AND l.started_at < ? AND l.counted > 0
               ORDER BY l.counted DESC, l.started_at DESC LIMIT ?""", [since, until, int(limit)])
        return [Entry(r["job_id"], r["person"], r["started_at"], r["estimate"], r["billed"], r["billed_seconds"],
                      r["outcome"], r["counted"], r["prompt"]) for r in rows]

    def entry(self, job_id: str) -> Entry | None:
        rows = self._all("SELECT *, NULL AS prompt FROM ledger WHERE job_id = ?", [job_id])
        if not rows:
            return None
        r = rows[0]
        return Entry(r["job_id"], r["person"], r["started_at"], r["estimate"], r["billed"], r["billed_seconds"],
                     r["outcome"], r["counted"], None)
