"""The checks before Generate starts anything: how many takes, the form → a checked draft (the one
check of the request, `JobDraft.checked`), and whether to ask first — the same draft started again
within `DUPLICATE_WINDOW_S` (an accidental double click), or the first live start of a session (it
costs money).  No Gradio: the page's start handler asks these and draws the answer.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from .. import spec
from ..jobs.model import CheckedDraft, JobDraft
from ..messages import Msg, msg
from ..price import PriceTable
from . import form
from .cast import Card
from .refusals import FormProblem

DUPLICATE_WINDOW_S = 20.0
TAKE_CHOICES = ["1", "2", "3", "4"]

ASK_REPEAT = "repeat"    # the same draft was started moments ago: start it again?
ASK_CONFIRM = "confirm"  # live mode, first start of the session: what will be sent and what it costs


def parse_takes(value: Any) -> int:
    """The takes choice as a whole number 1..4 (FormProblem in plain words otherwise)."""
    text = str(value).strip() if value is not None else "1"
    if text not in TAKE_CHOICES:
        raise FormProblem(msg("takes.invalid", value=repr(value)))
    return int(text)


def fingerprint(draft: JobDraft) -> str:
    """What makes two starts "the same video": every setting and every reference's file or link."""
    refs = [(str(r.path or ""), r.url or "", str(r.voice_path or ""), r.voice_url or "") for r in draft.references]
    data = json.dumps([draft.prompt, draft.negative_prompt, draft.size, draft.duration, draft.shot_type, draft.audio,
                       draft.watermark, draft.seed, refs], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class RecentStarts:
    """The last draft each browser session started, so a second click on the same draft asks first.
    Guarded by one lock: two clicks arriving at once cannot both pass."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, tuple[str, float]] = {}

    def claim(self, session_id: str, fingerprint: str, now: float) -> float | None:
        """Record this start; returns how long ago the same draft was started, if within the window."""
        with self._lock:
            last = self._last.get(session_id)
            if last and last[0] == fingerprint and now - last[1] < DUPLICATE_WINDOW_S:
                return now - last[1]
            self._last[session_id] = (fingerprint, now)
            if len(self._last) > 5000:
                self._last.pop(next(iter(self._last)))
            return None

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._last.pop(session_id, None)


@dataclass(frozen=True)
class Start:
    """What a Generate click may start: the checked draft, how many takes, and whether to ask first."""

    checked: CheckedDraft
    takes: int
    ask: str | None = None              # None, ASK_REPEAT or ASK_CONFIRM
    repeat_after_s: float | None = None  # with ASK_REPEAT: how long ago the same draft started

    @property
    def draft(self) -> JobDraft:
        return self.checked.draft

    def price(self, table: PriceTable) -> Msg:
        """The estimate of every take together, as the confirmation says it."""
        d = self.draft
        seconds = [r.duration or spec.REFERENCE_VIDEO_BILLED_CAP_S for r in d.references if r.is_video]
        return table.estimate(d.size, d.duration, seconds).times(self.takes).message()


class StartChecks:
    """The start checks of one page (every browser session's last start, for the repeat question)."""

    def __init__(self) -> None:
        self.recent = RecentStarts()

    def check(self, cast: list[Card], values: form.FormValues, takes: Any, *, session_id: str, live: bool,
              confirmed: bool, force: bool, now: float) -> Start:
        """The start this click asks for; a StudioError (FormProblem, RequestInvalid) says in words
        why nothing can be sent.  `force`: the user answered the question ("Start another", "Send it")."""
        return self.check_draft(form.build_draft(cast, values), takes, session_id=session_id, live=live,
                                confirmed=confirmed, force=force, now=now)

    def check_draft(self, draft: JobDraft, takes: Any, *, session_id: str, live: bool, confirmed: bool, force: bool,
                    now: float) -> Start:
        """As `check`, for a draft made elsewhere (a recipe run again, workspace/recipe.py): the same
        questions (a repeat, a live start) before anything is sent."""
        n = parse_takes(takes)
        checked = draft.checked()
        if force:
            return Start(checked, n)
        ago = self.recent.claim(session_id, self._key(checked, n), now)
        if ago is not None:
            return Start(checked, n, ASK_REPEAT, ago)
        if live and not confirmed:
            self.recent.forget(session_id)  # not started yet: the confirmed click is not a repeat
            return Start(checked, n, ASK_CONFIRM)
        return Start(checked, n)

    def started(self, start: Start, *, session_id: str, now: float) -> None:
        """A start the user confirmed counts for the repeat question like any other."""
        self.recent.claim(session_id, self._key(start.checked, start.takes), now)

    @staticmethod
    def _key(checked: CheckedDraft, takes: int) -> str:
        return fingerprint(checked.draft) + str(takes)
