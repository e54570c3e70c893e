"""The service contract (../shared/SPEC.md) as data, the request model, its validation and the price estimate.

Everything the UI offers (choices, labels, limits, defaults) comes from here, so the page, the
client and the checks can never disagree about a rule.  This module imports nothing from the rest
of the package and nothing outside the standard library.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Mapping, Sequence

from .errors import StudioError
from .messages import Msg, Sentences, msg

MODEL_PATH = "/v3/async/wan2.7-r2v"
TASK_RESULT_PATH = "/v3/async/task-result"
DEFAULT_BASE_URL = "https://api.highwayapi.ai"

# --- sizes -----------------------------------------------------------------------------------
ASPECTS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:3", "3:4")
TIERS: tuple[str, ...] = ("720P", "1080P")
SIZES_BY_TIER: dict[str, tuple[str, ...]] = {
    "720P": ("1280*720", "720*1280", "960*960", "1088*832", "832*1088"),
    "1080P": ("1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"),
}
ALL_SIZES: tuple[str, ...] = SIZES_BY_TIER["720P"] + SIZES_BY_TIER["1080P"]
DEFAULT_SIZE = "1920*1080"


def size_for(tier: str, aspect: str) -> str:
    """The wire size string for a tier ("720P"/"1080P") and an aspect ("16:9", ...)."""
    return SIZES_BY_TIER[tier][ASPECTS.index(aspect)]


def tier_and_aspect(size: str) -> tuple[str, str]:
    for tier, sizes in SIZES_BY_TIER.items():
        if size in sizes:
            return tier, ASPECTS[sizes.index(size)]
    raise ValueError(f"{size!r} is not one of the sizes the service accepts: {', '.join(ALL_SIZES)}")


def size_pixels(size: str) -> tuple[int, int]:
    w, h = size.split("*")
    return int(w), int(h)


# --- scalar limits ---------------------------------------------------------------------------
PROMPT_MAX = 1500
NEGATIVE_PROMPT_MAX = 500
DURATION_MIN, DURATION_MAX, DEFAULT_DURATION = 2, 10, 5
SEED_MIN, SEED_MAX = 0, 2147483647
SHOT_TYPES: tuple[str, ...] = ("single", "multi")
DEFAULT_SHOT_TYPE = "single"
DEFAULT_AUDIO = True
DEFAULT_WATERMARK = False

# Characters a prompt may not carry: C0 controls except tab and line feed, DEL, C1 controls, and the
# bidirectional embedding/override/isolate controls, which make text read differently from how it looks.
PROMPT_ALLOWED_CONTROLS = frozenset("\n\t")
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

# --- media -----------------------------------------------------------------------------------
REFERENCE_IMAGE = "reference_image"
REFERENCE_VIDEO = "reference_video"
MEDIA_TYPES: tuple[str, ...] = (REFERENCE_IMAGE, REFERENCE_VIDEO)
MEDIA_MAX = 5
IMAGES_MAX = 5
VIDEOS_MAX = 3

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageRules:
    formats: tuple[str, ...] = ("JPEG", "PNG", "BMP", "WEBP")  # Pillow format names
    extensions: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
    side_min: int = 240
    side_max: int = 8000
    max_bytes: int = 10 * MB
    aspect_max: float = 8.0  # between 1:8 and 8:1


@dataclass(frozen=True)
class VideoRules:
    formats: tuple[str, ...] = ("MP4", "MOV")
    extensions: tuple[str, ...] = (".mp4", ".mov")
    duration_min: float = 1.0
    duration_max: float = 30.0
    max_bytes: int = 100 * MB
    side_min: int = 240
    side_max: int = 4096


@dataclass(frozen=True)
class AudioRules:
    formats: tuple[str, ...] = ("MP3", "WAV", "FLAC")
    extensions: tuple[str, ...] = (".mp3", ".wav", ".flac")
    duration_min: float = 3.0
    duration_max: float = 30.0
    # No byte limit is documented; we cap what we accept so nothing unbounded is uploaded.
    max_bytes: int = 50 * MB


IMAGE_RULES = ImageRules()
VIDEO_RULES = VideoRules()
AUDIO_RULES = AudioRules()

# --- task statuses ---------------------------------------------------------------------------
STATUS_QUEUED = "TASK_STATUS_QUEUED"
STATUS_PROCESSING = "TASK_STATUS_PROCESSING"
STATUS_SUCCEED = "TASK_STATUS_SUCCEED"
STATUS_FAILED = "TASK_STATUS_FAILED"
STATUS_CANCELED = ("TASK_STATUS_CANCELED", "TASK_STATUS_CANCELLED")
TERMINAL_STATUSES = frozenset({STATUS_SUCCEED, STATUS_FAILED, *STATUS_CANCELED})


# --- the request -----------------------------------------------------------------------------
# ASCII digits only: `character1` is found right next to Chinese characters (no word boundary is
# needed, 让character1和character2…), but a full-width ｃｈａｒａｃｔｅｒ１ is not a tag to the service.
_TAG_RE = re.compile(r"character([0-9]+)", re.IGNORECASE)


def prompt_length(text: str | None) -> int:
    """Characters as the service counts them (SPEC.md: 0–1500 characters, Chinese and English):
    one per Unicode character, so 汉 is one and so is an emoji (a browser's UTF-16 length says 2)."""
    return len(text or "")


def tags_in_prompt(prompt: str) -> list[int]:
    """Character numbers the prompt names, in order of first appearance, without repeats."""
    seen: list[int] = []
    for m in _TAG_RE.finditer(prompt or ""):
        n = int(m.group(1))
        if n not in seen:
            seen.append(n)
    return seen


def character_tag(n: int) -> str:
    return f"character{n}"


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


def forbidden_characters(text: str) -> list[tuple[int, str]]:
    """(position from 1, character) of each control or text-direction character a prompt may not carry."""
    return [
        (i, ch) for i, ch in enumerate(text, start=1)
        if ((ch < "\x20" or "\x7f" <= ch <= "\x9f") and ch not in PROMPT_ALLOWED_CONTROLS) or ch in BIDI_CONTROLS
    ]


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


# --- price -----------------------------------------------------------------------------------
# Published per-second rates for this model elsewhere (SPEC.md "Price"); the provider's own rate is
# not published, so this table is configurable (R2V_PRICE_720P / R2V_PRICE_1080P) and always shown
# as an estimate.
DEFAULT_PRICE_PER_SECOND: dict[str, float] = {"720P": 0.10, "1080P": 0.15}
REFERENCE_VIDEO_BILLED_CAP_S = 5.0


@dataclass(frozen=True)
class PriceEstimate:
    low: float
    high: float
    currency: str = "USD"

    @property
    def is_range(self) -> bool:
        return abs(self.high - self.low) > 1e-9

    def times(self, n: int) -> "PriceEstimate":
        """The estimate for `n` videos of the same request (takes)."""
        return PriceEstimate(self.low * n, self.high * n, self.currency)

    def message(self) -> Msg:
        """The estimate in words, said in the reader's language (a job stores it so)."""
        if self.is_range:
            return msg("price.estimate_range", low=self.low, high=self.high)
        return msg("price.estimate", low=self.low)

    def label(self) -> str:
        """The estimate in English ("about $0.50 (estimate)"), for logs and English-only answers."""
        return str(self.message())


@dataclass(frozen=True)
class PriceTable:
    per_second: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PRICE_PER_SECOND))
    # R2V_PRICE_INPUT_VIDEO: what one second of reference video costs, for a reseller that says so.
    # 0 (the default): not known, so reference videos make the estimate a range (see `estimate`).
    input_video_per_second: float = 0.0

    def estimate(self, size: str, duration: int, reference_video_seconds: Iterable[float] = ()) -> PriceEstimate:
        """Output seconds times the tier's rate.  Reference videos: with a known input rate, their
        seconds times that rate are added (one figure); without one, some providers bill their seconds
        at the output rate (one caps each at 5 s), so the estimate becomes a range."""
        tier, _ = tier_and_aspect(size)
        rate = float(self.per_second[tier])
        low = rate * duration
        seconds = [float(s) for s in reference_video_seconds]
        if self.input_video_per_second > 0:
            total = low + self.input_video_per_second * sum(seconds)
            return PriceEstimate(low=round(total, 4), high=round(total, 4))
        extra = sum(min(s, REFERENCE_VIDEO_BILLED_CAP_S) for s in seconds)
        return PriceEstimate(low=round(low, 4), high=round(low + rate * extra, 4))
