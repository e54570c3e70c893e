"""The request: the one shape of a request's settings (`RequestSettings`), the request as sent
(`GenerationRequest`, its `media` items and its exact submit body), and its validation against the
contract's tables in spec.py — every finding a `Problem` in words, the errors raised together as
`RequestInvalid` (the request's branch of the studio's error tree).  The page's live hints about tags
(`check_character_tags`) are the same rules, asked alone."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, fields
from typing import Any, Iterable, Mapping, Sequence

from .errors import StudioError
from .messages import Msg, Sentences, msg
from .spec import (
    ALL_SIZES, BIDI_CONTROLS, DEFAULT_AUDIO, DEFAULT_DURATION, DEFAULT_SHOT_TYPE, DEFAULT_SIZE, DEFAULT_WATERMARK,
    DURATION_MAX, DURATION_MIN, MEDIA_MAX, MEDIA_TYPES, NEGATIVE_PROMPT_MAX, PROMPT_MAX, REFERENCE_IMAGE,
    REFERENCE_VIDEO, SEED_MAX, SEED_MIN, SHOT_TYPES, VIDEOS_MAX, character_tag, forbidden_characters, prompt_length,
    tags_in_prompt,
)


# --- the request model -----------------------------------------------------------------------
@dataclass(frozen=True)
class MediaItem:
    """One reference as the service sees it: item n of `media` is `character<n>`."""

    url: str
    type: str = REFERENCE_IMAGE
    reference_voice: str | None = None

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"url": self.url, "type": self.type}
        if self.reference_voice:
            body["reference_voice"] = self.reference_voice
        return body


@dataclass(frozen=True)
class Problem:
    """One finding of validation. `field` names what it is about; `msg` is one plain sentence, as a code."""

    field: str
    msg: Msg
    severity: str = "error"  # "error" blocks submission, "warning" does not

    @property
    def message(self) -> str:
        """In English (logs, MCP); the page renders `msg` in its reader's language."""
        return str(self.msg)


@dataclass(frozen=True)
class Validation:
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


class RequestInvalid(StudioError):
    """Raised by GenerationRequest.require_valid(); its text lists every error in plain words.
    The request's branch of the studio's error tree (errors.py)."""

    def __init__(self, validation: Validation):
        self.validation = validation
        super().__init__(msg("spec.problems", problems=Sentences(tuple(p.msg for p in validation.errors))))


@dataclass(frozen=True, kw_only=True)
class RequestSettings:
    """Every setting of a request except its references: the one shape that the form's draft
    (`jobs.JobDraft`), the request sent (`GenerationRequest`), the job record and sidecar
    (`settings()`), and a remix (`from_settings`) share.  A field is added here, once."""

    prompt: str
    negative_prompt: str = ""
    size: str = DEFAULT_SIZE
    duration: int = DEFAULT_DURATION
    shot_type: str = DEFAULT_SHOT_TYPE
    audio: bool = DEFAULT_AUDIO
    watermark: bool = DEFAULT_WATERMARK
    seed: int | None = None
    # The prompt as the user wrote it, when it differs from `prompt` (the one sent): `@Mira` names
    # rewritten to tags (prompt_names.py).  Kept for remix; never sent.
    written_prompt: str = ""

    def settings(self) -> dict[str, Any]:
        """The settings as the job record and the sidecar keep them (the prompt as written only when
        it differs from the one sent)."""
        out = {f.name: getattr(self, f.name) for f in fields(RequestSettings)}
        if not out["written_prompt"]:
            del out["written_prompt"]
        return out

    @staticmethod
    def settings_from(data: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments read back from `settings()` (or a sidecar): defaults for what is
        missing, whole floats made ints, nothing rounded (validation refuses 5.5)."""
        return dict(
            prompt=data.get("prompt", ""),
            negative_prompt=data.get("negative_prompt") or "",
            size=data.get("size", DEFAULT_SIZE),
            duration=whole_or_as_is(data.get("duration", DEFAULT_DURATION)),
            shot_type=data.get("shot_type", DEFAULT_SHOT_TYPE),
            audio=bool(data.get("audio", DEFAULT_AUDIO)),
            watermark=bool(data.get("watermark", DEFAULT_WATERMARK)),
            seed=whole_or_as_is(data.get("seed")),
            written_prompt=data.get("written_prompt") or "",
        )

    def request_with(self, media: Iterable["MediaItem"]) -> "GenerationRequest":
        # The request's own fields only: a draft's `settings()` may keep more (its storyboard), never sent.
        return GenerationRequest(media=tuple(media), **RequestSettings.settings(self))


@dataclass(frozen=True, kw_only=True)
class GenerationRequest(RequestSettings):
    media: tuple[MediaItem, ...]

    def validate(self) -> Validation:
        return Validation(tuple(_check_request(self)))

    def require_valid(self) -> "GenerationRequest":
        v = self.validate()
        if not v.ok:
            raise RequestInvalid(v)
        return self

    def to_body(self) -> dict[str, Any]:
        """The submit body exactly as SPEC.md lists it; optional fields left out when unset."""
        body: dict[str, Any] = {
            "prompt": self.prompt,
            "media": [m.to_body() for m in self.media],
            "size": self.size,
            "duration": int(self.duration),
            "shot_type": self.shot_type,
            "audio": bool(self.audio),
            "watermark": bool(self.watermark),
        }
        if self.negative_prompt:
            body["negative_prompt"] = self.negative_prompt
        if self.seed is not None:
            body["seed"] = int(self.seed)
        return body

    def settings_dict(self) -> dict[str, Any]:
        """Every setting, for sidecars and summaries (media as their bodies)."""
        return self.to_body() | {"negative_prompt": self.negative_prompt, "seed": self.seed}

    @classmethod
    def from_settings(cls, data: Mapping[str, Any]) -> "GenerationRequest":
        media = tuple(
            MediaItem(url=m["url"], type=m.get("type", REFERENCE_IMAGE), reference_voice=m.get("reference_voice"))
            for m in data.get("media", [])
        )
        return cls(media=media, **RequestSettings.settings_from(data))


def whole_or_as_is(value: Any) -> Any:
    """An int for a whole number held as a float (5.0 → 5); anything else unchanged, never rounded,
    so that validation refuses 5.5 instead of sending 5."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value



# --- validation --------------------------------------------------------------------------------
def _check_characters(field_name: str, label: str, text: str) -> list[Problem]:
    found = forbidden_characters(text)
    if not found:
        return []
    pos, ch = found[0]
    code = f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch)}" if ch in BIDI_CONTROLS else "")
    bidi = sum(1 for _, c in found if c in BIDI_CONTROLS)
    kind = "bidi" if bidi == len(found) else "control" if not bidi else "mixed"
    if len(found) == 1:
        return [Problem(field_name, msg(f"spec.{kind}_char", where=label, code=code, pos=pos))]
    return [Problem(field_name, msg(f"spec.{kind}_chars", where=label, n=len(found), code=code, pos=pos))]


def _is_blank(text: str) -> bool:
    """Nothing but white space and invisible format characters (such as zero-width spaces)."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def check_character_tags(prompt: str, n_media: int, names: Sequence[str] = ()) -> list[Problem]:
    """Tag findings alone, for live hints in the page: unknown tags are errors, unnamed cards warnings.
    `names`: each card's character name, if it has one, so a warning can say `@Mira` instead."""
    problems: list[Problem] = []
    named = tags_in_prompt(prompt)
    missing = [n for n in named if n < 1 or n > n_media]
    if missing:
        tags = ", ".join(character_tag(n) for n in missing)
        if n_media == 0:
            said = msg("spec.tags_no_media", tags=tags)
        elif n_media == 1:
            said = msg("spec.tags_one_media", tags=tags)
        else:
            said = msg("spec.tags_few_media", tags=tags, n=n_media)
        problems.append(Problem("prompt", said))
    for n in range(1, n_media + 1):
        if n not in named:
            name = names[n - 1] if n - 1 < len(names) else ""
            said = msg("spec.tag_unnamed_named", tag=character_tag(n), name=name) if name else msg(
                "spec.tag_unnamed", tag=character_tag(n))
            problems.append(Problem("prompt", said, "warning"))
    return problems


def _check_request(r: GenerationRequest) -> list[Problem]:
    p: list[Problem] = []
    prompt = r.prompt if isinstance(r.prompt, str) else ""
    negative = r.negative_prompt if isinstance(r.negative_prompt, str) else ""
    bad_prompt = _check_characters("prompt", msg("spec.the_prompt"), prompt)
    p.extend(bad_prompt)
    if not bad_prompt and _is_blank(prompt):
        p.append(Problem("prompt", msg("spec.prompt_empty")))
    if prompt_length(prompt) > PROMPT_MAX:
        p.append(Problem("prompt", msg("spec.prompt_too_long", n=prompt_length(prompt), max=PROMPT_MAX)))
    p.extend(_check_characters("negative_prompt", msg("spec.the_negative_prompt"), negative))
    if prompt_length(negative) > NEGATIVE_PROMPT_MAX:
        p.append(Problem("negative_prompt", msg("spec.negative_too_long", n=prompt_length(negative),
                                                max=NEGATIVE_PROMPT_MAX)))
    n = len(r.media)
    if n == 0:
        p.append(Problem("media", msg("spec.no_media")))
    if n > MEDIA_MAX:
        p.append(Problem("media", msg("spec.too_many_media", n=n, max=MEDIA_MAX)))
    videos = sum(1 for m in r.media if m.type == REFERENCE_VIDEO)
    if videos > VIDEOS_MAX:
        p.append(Problem("media", msg("spec.too_many_videos", n=videos, max=VIDEOS_MAX)))
    for i, m in enumerate(r.media, start=1):
        if m.type not in MEDIA_TYPES:
            p.append(Problem("media", msg("spec.bad_media_type", tag=character_tag(i), type=repr(m.type))))
        if not _is_http_url(m.url):
            p.append(Problem("media", msg("spec.bad_media_url", tag=character_tag(i))))
        if m.reference_voice is not None and not _is_http_url(m.reference_voice):
            p.append(Problem("media", msg("spec.bad_voice_url", tag=character_tag(i))))
    if r.size not in ALL_SIZES:
        p.append(Problem("size", msg("spec.bad_size", size=repr(r.size), sizes=", ".join(ALL_SIZES))))
    if isinstance(r.duration, bool) or not isinstance(r.duration, int) or not DURATION_MIN <= r.duration <= DURATION_MAX:
        p.append(Problem("duration", msg("spec.bad_duration", min=DURATION_MIN, max=DURATION_MAX)))
    if r.shot_type not in SHOT_TYPES:
        p.append(Problem("shot_type", msg("spec.bad_shot_type")))
    if r.seed is not None and (
        isinstance(r.seed, bool) or not isinstance(r.seed, int) or not SEED_MIN <= r.seed <= SEED_MAX
    ):
        p.append(Problem("seed", msg("spec.bad_seed", min=SEED_MIN, max=SEED_MAX)))
    if n:
        p.extend(check_character_tags(prompt, n))
    return p


def _is_http_url(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("http://", "https://"))

