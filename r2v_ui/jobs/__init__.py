"""The job core: check → host references → submit → poll → download, as background work.

  manager.py    JobManager, the public face (start, snapshot, list, remix, retry, delete, resolve)
  loop.py       JobLoop: the one thread and event loop, the one door for work from other threads
  scheduler.py  PollScheduler and ReadPolicy: when each job is read next, the per-account budget
  runner.py     one job's life up to the service (check → keep → host → submit) and its plumbing
  follow.py     following an accepted task: read, explain stalls, download
  waits.py      the notice for any wait over 10 s (an answer, a download, the read budget)
  hub.py        live progress, notices, versions and waiters for the page (and MCP)
  keys.py       key custody: which key serves which job, in memory only
  states.py     JobState, ReferenceKind; model.py the data; notices.py the words of a stall
"""

from .keys import KeyCustody, holder_tag
from .manager import JobManager
from .model import CheckedDraft, JobDraft, JobNotFound, JobSnapshot, Reference, Target
from .scheduler import PollScheduler, ReadPolicy
from .states import RUNNING_STATES, STAGE_TEXT, STATUS_FILTERS, JobState, ReferenceKind

__all__ = [
    "CheckedDraft", "JobDraft", "JobManager", "JobNotFound", "JobSnapshot", "JobState", "KeyCustody", "PollScheduler", "ReadPolicy",
    "Reference", "ReferenceKind", "RUNNING_STATES", "STAGE_TEXT", "STATUS_FILTERS", "Target",
    "holder_tag",
]
