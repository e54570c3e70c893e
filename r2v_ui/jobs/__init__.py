"""The job core: check → host references → submit → poll → download, as background work.

  manager.py    JobManager, the public face (start, snapshot, list, remix, retry, delete, resolve)
  context.py    JobContext: what the runner and the follower share; `Change`, the one way a job changes
  loop.py       JobLoop: the one thread and event loop, the one door for work from other threads
  scheduler.py  PollScheduler and ReadPolicy: when each job is read next, the per-account budget
  runner.py     one job's life up to the service (check → keep → host → submit)
  follow.py     following an accepted task: read, explain stalls, download
  waits.py      the notice for any wait over 10 s (an answer, a download, the read budget)
  hub.py        live progress, notices, versions and waiters for the page (and MCP): memory only
  snapshots.py  a job as the page sees it: its record (or the last one known) with its live state
  keys.py       key custody: which key serves which job, in memory only
  states.py     JobState, ReferenceKind; model.py the data; notices.py the words of a stall

The names below are loaded when first asked for (PEP 562), so the store can read the vocabulary in
states.py without loading the manager, which reads the store: no import circle.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "KeyCustody": "keys", "holder_tag": "keys", "JobManager": "manager",
    "CheckedDraft": "model", "JobDraft": "model", "JobNotFound": "model", "JobSnapshot": "model",
    "Reference": "model", "Target": "model", "PollScheduler": "scheduler", "ReadPolicy": "scheduler",
    "RUNNING_STATES": "states", "STAGE_TEXT": "states", "STATUS_FILTERS": "states", "JobState": "states",
    "ReferenceKind": "states",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
