"""The screening room's vocabulary (issue 22; the seam in notes/SHARE_API.md): a share link, a viewer's
pick and note, the feedback gathered for a job, the limits, and the one error the room raises.
Frozen dataclasses and enums only: no Gradio, no store, no HTTP."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from ..errors import StudioError

NOTE_MAX_CHARS = 1000  # a note's text, in characters
NOTES_PER_LINK = 200  # notes one link may gather, all viewers together
NOTES_PER_MINUTE = 10  # notes one viewer may send in a minute (and one client address: service.py)
WRONG_TRIES = 10  # wrong passwords in a row before a link locks
LOCK_SECONDS = 15 * 60  # how long it then stays locked
NAME_MAX_CHARS = 60  # a viewer's optional name
JOBS_PER_LINK = 12  # the most videos one link shows (a batch of takes or a Compare set)
PICKS_PER_MINUTE = 10  # picks one viewer, and one client address, may make in a minute (a fresh cookie is a new viewer)
PICKS_PER_LINK = 250  # viewers whose pick one link keeps (a viewer changing their pick is not a new one)


class Expiry(Enum):
    DAY = "1d"
    WEEK = "7d"
    MONTH = "30d"
    NEVER = "never"

    @property
    def seconds(self) -> int | None:
        return {"1d": 86400, "7d": 7 * 86400, "30d": 30 * 86400}.get(self.value)


@dataclass(frozen=True)
class ShareLink:
    token: str  # secrets.token_urlsafe(24): 192 bits
    owner: str
    job_ids: tuple[str, ...]  # one job, a batch's takes in take order, or a Compare set
    created_at: float
    expires_at: float | None
    show_prompt: bool
    has_password: bool
    views: int
    revoked: bool

    def live(self, now: float) -> bool:
        """Whether the link opens at `now`: not revoked, not expired, and still naming a job."""
        return not self.revoked and bool(self.job_ids) and (self.expires_at is None or now < self.expires_at)

    @property
    def path(self) -> str:
        return f"/s/{self.token}"


@dataclass(frozen=True)
class Pick:
    token: str
    job_id: str
    viewer: str  # an opaque viewer id, never shown raw
    name: str
    at: float


@dataclass(frozen=True)
class Note:
    id: int
    token: str
    job_id: str
    viewer: str
    name: str
    text: str
    seconds: float | None  # the video's time the note is about (None: the whole video)
    at: float


@dataclass(frozen=True)
class Feedback:
    picks: tuple[Pick, ...] = ()
    notes: tuple[Note, ...] = ()

    def pick_counts(self) -> dict[str, int]:
        """How many viewers picked each job (jobs nobody picked are absent)."""
        return dict(Counter(p.job_id for p in self.picks))


class ShareError(StudioError):
    """A share refused (a job that is not the owner's or has no video) or a viewer's note or pick
    refused (too long, too many); carries a catalog Msg."""


def clock_seconds(seconds: float | None) -> str:
    """A video time as the page and the owner's views write it: 0:02, 1:05, 1:02:03."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    whole = max(0, int(seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
