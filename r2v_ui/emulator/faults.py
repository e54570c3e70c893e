"""The seeded fault plan: which request gets which fault.

A plan is JSON posted to ``/emulator/faults`` (it replaces the current one)::

    {"seed": 7, "rules": [
        {"route": "submit", "kind": "429", "retry_after": 2},
        {"route": "read", "kind": "drop", "times": 2},
        {"route": "submit", "kind": "drop", "after_create": true},
        {"route": "any", "kind": "slow", "delay": 1.5, "probability": 0.5}]}

Routes: ``submit``, ``read``, ``upload``, ``any`` (one of those three) and ``download`` (GETs of
result links; never matched by ``any``). Kinds: ``400``, ``401``, ``403``, ``404`` (a refusal with
the reason that route would give: a read's 404 is ``TASK_NOT_FOUND``, a result link's 403 is
``URL_EXPIRED``, 401/403 elsewhere ``INVALID_API_KEY``; with ``times`` they clear after that many
requests, like the service's own transient answers), ``429`` (with Retry-After), ``500``, ``502``,
``503`` (Retry-After when ``retry_after`` is given), ``504``, ``slow`` (answer after ``delay``
seconds), ``drop`` (close the connection without an HTTP answer), ``fail_task`` (submit only:
the task is created and later ends FAILED). ``after_create`` (submit only): create and count the
task first, then apply the fault to the answer. ``html`` (5xx only): answer with an HTML page
instead of the JSON envelope, like a proxy would. ``request_id`` (a refusal only): the answer carries
``X-Request-Id: <request_id>``, as a gateway in front of the service may send (SPEC.md names no
request-id header; the client keeps one when it is there). Rules are tried in order; the first whose
route matches, that has ``times`` left and whose ``probability`` draw (from the plan's seeded
RNG) passes, is used, and its ``times`` count goes down by one.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

ROUTES = ("submit", "read", "upload", "download", "any")
KINDS = ("400", "401", "403", "404", "429", "500", "502", "503", "504", "slow", "drop", "fail_task")


class PlanError(ValueError):
    pass


@dataclass
class FaultRule:
    route: str
    kind: str
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    probability: float = 1.0
    after_create: bool = False
    html: bool = False
    request_id: str | None = None
    hits: int = 0

    def matches(self, route: str) -> bool:
        if self.times - self.hits <= 0:
            return False
        if self.kind == "fail_task" and route != "submit":
            return False
        return self.route == route or (self.route == "any" and route in ("submit", "read", "upload"))

    def describe(self) -> dict[str, Any]:
        return {
            "route": self.route, "kind": self.kind, "times": self.times, "hits": self.hits,
            "retry_after": self.retry_after, "delay": self.delay, "probability": self.probability,
            "after_create": self.after_create, "html": self.html, "request_id": self.request_id,
        }


def _number(rule: dict, name: str, default: float | None, lo: float = 0.0) -> float | None:
    v = rule.get(name, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo:
        raise PlanError(f"rules[].{name} must be a number >= {lo}")
    return float(v)


def parse_rule(raw: Any) -> FaultRule:
    if not isinstance(raw, dict):
        raise PlanError("each rule must be an object")
    route = raw.get("route", "any")
    kind = str(raw.get("kind", ""))
    if route not in ROUTES:
        raise PlanError(f"rules[].route must be one of {', '.join(ROUTES)}")
    if kind not in KINDS:
        raise PlanError(f"rules[].kind must be one of {', '.join(KINDS)}")
    times = raw.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 0:
        raise PlanError("rules[].times must be an integer >= 0")
    probability = _number(raw, "probability", 1.0)
    if probability > 1:
        raise PlanError("rules[].probability must be between 0 and 1")
    retry_after = _number(raw, "retry_after", 1.0 if kind == "429" else None)
    after_create = bool(raw.get("after_create", False))
    if after_create and route not in ("submit", "any"):
        raise PlanError("rules[].after_create only applies to submit")
    request_id = raw.get("request_id")
    if request_id is not None and (not isinstance(request_id, str) or not request_id.isprintable()
                                   or not 0 < len(request_id) <= 200):
        raise PlanError("rules[].request_id must be printable text of 1 to 200 characters")
    return FaultRule(
        route=route, kind=kind, times=times, retry_after=retry_after,
        delay=_number(raw, "delay", 0.0) or 0.0, probability=probability,
        after_create=after_create, html=bool(raw.get("html", False)), request_id=request_id,
    )


class FaultPlan:
    def __init__(self, rules: list[FaultRule] | None = None, seed: int = 0):
        self.rules = rules or []
        self.seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.hits = 0

    @classmethod
    def from_json(cls, data: Any) -> "FaultPlan":
        if not isinstance(data, dict):
            raise PlanError("the fault plan must be a JSON object with 'rules'")
        seed = data.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise PlanError("seed must be an integer")
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            raise PlanError("rules must be an array")
        return cls([parse_rule(r) for r in rules], seed)

    def pick(self, route: str) -> FaultRule | None:
        """The rule that hits this request, if any (and count the hit)."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(route):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                self.hits += 1
                return rule
            return None

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "hits": self.hits, "rules": [r.describe() for r in self.rules]}
