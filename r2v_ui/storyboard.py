"""The storyboard: a "Multi shot" prompt written as a shot list (2–6 shots, each a line of text and a
length in whole seconds), composed into the one prompt the service reads.

The form of the composed prompt follows what is published for Wan's multi-shot prompts: an overall
line (style, place, who), then one line per shot with its time range, `Shot 1 [0-3s]: …`.
* The vendor's own guide (Alibaba Cloud Model Studio, "Text-to-video",
  https://www.alibabacloud.com/help/en/model-studio/text-to-video-guide) says multi-shot narrative
  is supported by wan2.7/wan2.6 and shows a multi-shot prompt as numbered shots ("Shot 1 … Shot 2 …"),
  without time ranges.
* fal's Wan 2.6 prompt guide
  (https://fal.ai/learn/devs/wan-2-6-prompt-guide-mastering-all-three-generation-modes, as quoted in
  nodetool's `wan-2-6-prompting` skill) gives the timed form: "a global style line, then shots with
  timing brackets", `Shot 1 [0-3s] Wide establishing shot…`.
SPEC.md ("Multi-shot prompts and reference names") records the same form as [seen]; the time ranges
cover the duration, so the lengths must add up to it (`fit` makes them).

Pure data and functions (no Gradio): the page, its API and the job store share them.  Lengths arrive
already read (workspace/form.py reads what a browser sends); a length that was not a whole number is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from . import spec
from .errors import StudioError
from .messages import Msg, msg
from .request import Problem

SHOTS_MIN, SHOTS_MAX = 2, 6
SHOT_SECONDS_MIN = 1

# What the user reads is in the catalog ("storyboard.*"): problems are Msgs, rendered in the reader's
# language by the page.  The shot line below is the prompt's own syntax, sent as it is.
SHOT_LINE = "Shot {k} [{start}-{end}s]: {text}"


@dataclass(frozen=True)
class Shot:
    """One row of the shot list: what happens, and for how long (None: not a whole number of seconds)."""

    text: str
    seconds: int | None


@dataclass(frozen=True)
class TimedShot:
    number: int
    start: int
    end: int
    text: str

    def line(self) -> str:
        return SHOT_LINE.format(k=self.number, start=self.start, end=self.end, text=self.text)


class FitImpossible(StudioError):
    """More shots than seconds: no whole-second lengths of at least 1 s add up (a studio error in words)."""


@dataclass(frozen=True)
class Storyboard:
    """The overall line (the prompt box) and the shots; `compose()` is the prompt that is sent."""

    overall: str
    shots: tuple[Shot, ...]

    @property
    def in_use(self) -> bool:
        """A shot list with any text is a storyboard; empty rows alone leave the prompt as it is."""
        return any(s.text.strip() for s in self.shots)

    @property
    def total(self) -> int | None:
        lengths = [s.seconds for s in self.shots]
        return None if any(n is None for n in lengths) else sum(lengths)  # type: ignore[arg-type]

    def timeline(self) -> tuple[TimedShot, ...]:
        out, start = [], 0
        for k, shot in enumerate(self.shots, start=1):
            seconds = shot.seconds if shot.seconds is not None else 0
            out.append(TimedShot(k, start, start + seconds, one_line(shot.text)))
            start += seconds
        return tuple(out)

    def compose(self) -> str:
        """The overall line, then one line per shot with its time range."""
        head = [self.overall.strip()] if self.overall.strip() else []
        return "\n".join(head + [t.line() for t in self.timeline()])

    def problems(self, duration: int) -> list[Problem]:
        """What stops this storyboard from being sent, in plain words (empty: it can be sent)."""
        out: list[Problem] = []
        n = len(self.shots)
        if not SHOTS_MIN <= n <= SHOTS_MAX:
            out.append(_problem(msg("storyboard.count", lo=SHOTS_MIN, hi=SHOTS_MAX, n=n)))
        for k, shot in enumerate(self.shots, start=1):
            if not shot.text.strip():
                out.append(_problem(msg("storyboard.no_text", k=k)))
            if shot.seconds is None or shot.seconds < SHOT_SECONDS_MIN:
                out.append(_problem(msg("storyboard.bad_length", k=k, lo=SHOT_SECONDS_MIN)))
        sum_problem = length_problem(len(self.shots), self.total, duration)
        if sum_problem:
            out.append(_problem(sum_problem))
        composed = len(self.compose())
        if composed > spec.PROMPT_MAX:
            out.append(_problem(msg("storyboard.too_long", n=composed, limit=spec.PROMPT_MAX)))
        return out

    def to_record(self) -> dict[str, Any]:
        """As the job's settings keep it (JSON)."""
        return {"overall": self.overall, "shots": [{"text": s.text, "seconds": s.seconds} for s in self.shots]}

    @classmethod
    def from_record(cls, data: Any) -> "Storyboard | None":
        """Read back from a job's settings; None for a job without one (or a record that is not one)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("shots"), list):
            return None
        shots = tuple(Shot(str(s.get("text") or ""), s.get("seconds") if isinstance(s.get("seconds"), int) else None)
                      for s in data["shots"] if isinstance(s, Mapping))
        return cls(str(data.get("overall") or ""), shots)


def one_line(text: str) -> str:
    """A shot's text on one line (its own line breaks would read as more shots)."""
    return " ".join(text.split())


def length_problem(n: int, total: int | None, duration: int) -> Msg | None:
    """Why the lengths do not fit the video, or None (unknown lengths are said elsewhere)."""
    if n > duration:
        return msg("storyboard.too_many", n=n, duration=duration)
    if total is not None and total != duration:
        return msg("storyboard.sum", total=total, duration=duration)
    return None


def fit(lengths: list[int | None], duration: int) -> list[int]:
    """Lengths scaled to add up to `duration` exactly: whole seconds, each at least 1 s, in proportion
    to the lengths given (a missing length counts as 1).  Rounding gives the spare seconds to the
    shots that lost the most in rounding, the earlier shot first when equal."""
    n = len(lengths)
    if n == 0:
        return []
    if n * SHOT_SECONDS_MIN > duration:
        raise FitImpossible(msg("storyboard.too_many", n=n, duration=duration))
    weights = [w if w is not None and w >= SHOT_SECONDS_MIN else SHOT_SECONDS_MIN for w in lengths]
    whole = sum(weights)
    targets = [duration * w / whole for w in weights]
    out = [max(SHOT_SECONDS_MIN, int(t)) for t in targets]
    order = sorted(range(n), key=lambda i: (-(targets[i] - int(targets[i])), i))
    k = 0
    while sum(out) < duration:  # hand out the spare seconds
        out[order[k % n]] += 1
        k += 1
    # Shots raised to the 1 s minimum may have overshot: take back from those above their share.
    while sum(out) > duration:
        i = max((j for j in range(n) if out[j] > SHOT_SECONDS_MIN), key=lambda j: (out[j] - targets[j], j))
        out[i] -= 1
    return out


def _problem(message: Msg) -> Problem:
    return Problem("storyboard", message)
