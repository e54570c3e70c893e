"""Pure functions between the form's widget values and what the job manager gets (shared by the page
and MCP): reading and checking each value, the prompt as it will be sent, the draft.

No Gradio and no HTML here (what the page shows under the fields is ui/fieldnotes.py): each
function takes plain values and returns plain values, so they are tested as tables
(tests/test_ui_handlers.py, tests/test_form_values.py).

Widget values arrive as the browser or an API client sent them (rawinputs.py keeps Gradio from
rounding or rejecting numbers first): here a number that is not whole, or a switch that is not
true/false, is refused in one sentence, never rounded or guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .. import prompt_names, spec
from ..messages import DEFAULT, Msg, Sentences, legacy, msg, render_msg
from ..request import check_character_tags
from ..storyboard import SHOTS_MAX, Shot, Storyboard
from . import cast as cast_mod
from .cast import Card
from .refusals import FormProblem, said

SEED_RANDOM = "random"
SEED_FIXED = "fixed"
SEED_CHOICES = [("ui.seed.random", SEED_RANDOM), ("ui.seed.fixed", SEED_FIXED)]  # (label key, value)
SHOT_CHOICES = [("ui.shot.single", "single"), ("ui.shot.multi", "multi")]  # (label key, value)
DURATION_TEXT = msg("form.duration", lo=spec.DURATION_MIN, hi=spec.DURATION_MAX)
SEED_TEXT = msg("form.seed", lo=spec.SEED_MIN, hi=spec.SEED_MAX)
SHOTS_TEXT = msg("form.shots")
_WHOLE_TEXT = re.compile(r"\s*[+-]?\d{1,19}\s*")


@dataclass(frozen=True)
class FormValues:
    """Everything below the cast, as the widgets hold it (numbers and switches as sent: build_draft checks them)."""

    prompt: str = ""
    negative_prompt: str = ""
    tier: str = spec.tier_and_aspect(spec.DEFAULT_SIZE)[0]
    aspect: str = spec.tier_and_aspect(spec.DEFAULT_SIZE)[1]
    duration: Any = spec.DEFAULT_DURATION
    shot_type: str = spec.DEFAULT_SHOT_TYPE
    audio: Any = spec.DEFAULT_AUDIO
    watermark: Any = spec.DEFAULT_WATERMARK
    seed_mode: str = SEED_RANDOM
    seed: Any = None
    shots: Any = ()  # the storyboard's rows as sent: [{"text": …, "seconds": …}, …] (used with Multi shot only)


    @classmethod
    def from_named(cls, given: dict[str, Any]) -> "FormValues":
        """The form's values by the names a browser or an API client sends them under (`API_NAMES`)."""
        return cls(**{field: given[name] for name, field in API_NAMES.items() if name in given})


# The name of each form value in the page's API (`/generate`), in the order API clients send them,
# and the FormValues field it fills.
API_NAMES = {"prompt": "prompt", "negative": "negative_prompt", "tier": "tier", "aspect": "aspect",
             "duration": "duration", "shot": "shot_type", "audio": "audio", "watermark": "watermark",
             "seed_mode": "seed_mode", "seed": "seed", "shots": "shots"}

DEFAULTS = FormValues()


def tag_hints(prompt: str | None, cast: list[Card], lang: str = DEFAULT) -> list[tuple[str, str]]:
    """(severity, message) hints: a tag with no card is an error, a card never named a warning."""
    names = cast_mod.character_names(cast)
    return [(p.severity, render_msg(p.msg, lang)) for p in check_character_tags(prompt or "", len(names), names)]


def sent_prompt(prompt: str | None, cast: list[Card]) -> prompt_names.Resolution:
    """The prompt as it will be sent: each card's `@Name` as its tag, resolved now (so a moved card
    keeps its part), with any name that names no card."""
    return prompt_names.resolve(prompt, cast_mod.character_names(cast))


def whole_number(value: Any, lo: int, hi: int) -> int | None:
    """`value` as an int when it is a whole number from lo to hi (7, 7.0 or the text "7"); else None.
    Never rounds: 5.5 is not 5, and True is not 1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        n = int(value)
    elif isinstance(value, str) and _WHOLE_TEXT.fullmatch(value):
        n = int(value)
    else:
        return None
    return n if lo <= n <= hi else None


def parse_duration(value: Any) -> int:
    """Seconds as a whole number in the service's range (ValueError in plain words)."""
    n = whole_number(value, spec.DURATION_MIN, spec.DURATION_MAX)
    if n is None:
        raise FormProblem(DURATION_TEXT)
    return n


def parse_seed(mode: str, value: Any) -> int | None:
    """None for random; otherwise a whole number in the service's range (ValueError in plain words)."""
    if mode != SEED_FIXED:
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FormProblem(msg("form.seed_missing"))
    n = whole_number(value, spec.SEED_MIN, spec.SEED_MAX)
    if n is None:
        raise FormProblem(SEED_TEXT)
    return n


def parse_switch(value: Any, name: Msg | str) -> bool:
    """A checkbox's value: True or False only ("false" as text is not False, nor True).  `name`: the
    switch's label (a Msg such as msg("ui.sound"), or a word as it is)."""
    if isinstance(value, bool):
        return value
    raise FormProblem(msg("form.switch", name=name if isinstance(name, Msg) else legacy(name), value=repr(value)))


def read_shots(raw: Any) -> tuple[Shot, ...]:
    """The storyboard's rows as a browser or API client sent them: dicts with "text" and "seconds" (or
    [text, seconds] pairs).  A length that is not a whole number of seconds is kept as None, never
    rounded (Storyboard.problems says so); a list of another shape is refused in words (ValueError)."""
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)) or len(raw) > SHOTS_MAX * 4:
        raise FormProblem(SHOTS_TEXT)
    shots = []
    for row in raw:
        if isinstance(row, dict):
            text, seconds = row.get("text"), row.get("seconds")
        elif isinstance(row, (list, tuple)) and len(row) == 2:
            text, seconds = row
        else:
            raise FormProblem(SHOTS_TEXT)
        if text is not None and not isinstance(text, str):
            raise FormProblem(SHOTS_TEXT)
        shots.append(Shot(text or "", whole_number(seconds, 1, spec.DURATION_MAX)))
    return tuple(shots)


def storyboard_of(values: FormValues) -> Storyboard | None:
    """The storyboard the form describes: only with Multi shot, and only when a shot has text."""
    if values.shot_type != "multi":
        return None
    board = Storyboard(values.prompt or "", read_shots(values.shots))
    return board if board.in_use else None


def prompt_for_checks(prompt: str | None, shot_type: str | None, shots: Any) -> str:
    """The text whose character tags are checked: the prompt and, with a storyboard, every shot."""
    try:
        board = storyboard_of(FormValues(prompt=prompt or "", shot_type=shot_type or "", shots=shots))
    except ValueError:
        board = None
    return board.compose() if board else (prompt or "")


def build_draft(cast: list[Card], values: FormValues) -> Any:
    """A JobDraft from the page, or ValueError listing what to fix first (nothing is sent)."""
    from ..jobs import JobDraft

    issues = list(cast_mod.problem_msgs(cast))
    checked: dict[str, Any] = {}
    for name, parse in (("seed", lambda: parse_seed(values.seed_mode, values.seed)),
                        ("duration", lambda: parse_duration(values.duration)),
                        ("audio", lambda: parse_switch(values.audio, msg("ui.sound"))),
                        ("watermark", lambda: parse_switch(values.watermark, msg("ui.watermark")))):
        try:
            checked[name] = parse()
        except ValueError as exc:
            issues.append(said(exc))
    try:
        size = spec.size_for(values.tier, values.aspect)
    except (KeyError, ValueError):
        issues.append(msg("form.size_missing"))
        size = spec.DEFAULT_SIZE
    try:
        board = storyboard_of(values)
    except ValueError as exc:
        issues.append(said(exc))
        board = None
    if board and "duration" in checked:
        issues.extend(said(p) for p in board.problems(checked["duration"]))
    # @Names are resolved in the whole text as written (with a storyboard: its overall line and shots).
    resolved = sent_prompt(board.compose() if board else values.prompt, cast)
    issues += [said(p) for p in resolved.problems]
    if issues:
        raise FormProblem(msg("form.problems", items=Sentences(tuple(issues))))
    return JobDraft(
        references=cast_mod.to_references(cast),
        prompt=resolved.sent,
        written_prompt=resolved.written if resolved.changed else "",
        storyboard=board,
        negative_prompt=values.negative_prompt or "",
        size=size,
        duration=checked["duration"],
        shot_type=values.shot_type,
        audio=checked["audio"],
        watermark=checked["watermark"],
        seed=checked["seed"],
    )


def values_from_draft(draft: Any) -> FormValues:
    """The form restored from a JobDraft (remix)."""
    try:
        tier, aspect = spec.tier_and_aspect(draft.size)
    except ValueError:
        tier, aspect = DEFAULTS.tier, DEFAULTS.aspect
    board = getattr(draft, "storyboard", None)
    return FormValues(
        prompt=(board.overall if board else (getattr(draft, "written_prompt", "") or draft.prompt)) or "",
        negative_prompt=draft.negative_prompt or "",
        tier=tier,
        aspect=aspect,
        duration=int(draft.duration),
        shot_type=draft.shot_type,
        audio=bool(draft.audio),
        watermark=bool(draft.watermark),
        seed_mode=SEED_FIXED if draft.seed is not None else SEED_RANDOM,
        seed=draft.seed,
        shots=tuple({"text": s.text, "seconds": s.seconds} for s in board.shots) if board else (),
    )
