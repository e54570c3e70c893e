"""Server-side validation of a submit body, restated from SPEC.md (not imported from r2v_ui.spec,
so a mistake in one cannot hide in the other). Strict like stripe-mock: unknown fields and
``null`` values are refused, and every message names the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PROMPT_MAX = 1500
NEGATIVE_MAX = 500
MEDIA_MIN, MEDIA_MAX = 1, 5
IMAGES_MAX, VIDEOS_MAX = 5, 3
MEDIA_TYPES = ("reference_image", "reference_video")
SIZES = (
    "1280*720", "720*1280", "960*960", "1088*832", "832*1088",
    "1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632",
)
DEFAULT_SIZE = "1920*1080"
DURATION_MIN, DURATION_MAX, DEFAULT_DURATION = 2, 10, 5
SHOT_TYPES = ("single", "multi")
SEED_MAX = 2_147_483_647
TOP_FIELDS = {"prompt", "negative_prompt", "media", "size", "duration", "shot_type", "audio", "watermark", "seed"}
MEDIA_FIELDS = {"url", "type", "reference_voice"}
_CHARACTER = re.compile(r"character(\d+)", re.IGNORECASE)


class BodyError(ValueError):
    """400 INVALID_REQUEST_BODY; ``field`` is the JSON path of the offending value."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class MediaSpec:
    url: str
    type: str
    reference_voice: str | None


@dataclass(frozen=True)
class SubmitRequest:
    prompt: str
    negative_prompt: str | None
    media: tuple[MediaSpec, ...]
    size: str
    duration: int
    shot_type: str
    audio: bool
    watermark: bool
    seed: int | None

    @property
    def width(self) -> int:
        return int(self.size.split("*")[0])

    @property
    def height(self) -> int:
        return int(self.size.split("*")[1])


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _url(field: str, v: Any) -> str:
    if not isinstance(v, str) or not v:
        raise BodyError(field, "must be a non-empty string URL")
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BodyError(field, "must be an http(s) URL")
    return v


def _string(body: dict, name: str, limit: int, required: bool) -> str | None:
    if name not in body:
        if required:
            raise BodyError(name, "is required")
        return None
    v = body[name]
    if not isinstance(v, str):
        raise BodyError(name, "must be a string")
    if len(v) > limit:
        raise BodyError(name, f"must be at most {limit} characters (got {len(v)})")
    return v


def _bool(body: dict, name: str, default: bool) -> bool:
    if name not in body:
        return default
    v = body[name]
    if not isinstance(v, bool):
        raise BodyError(name, "must be a boolean (true or false)")
    return v


def validate_submit(body: Any) -> SubmitRequest:
    if not isinstance(body, dict):
        raise BodyError("body", "must be a JSON object")
    unknown = sorted(set(body) - TOP_FIELDS)
    if unknown:
        raise BodyError(unknown[0], "is not a field of this model")
    prompt = _string(body, "prompt", PROMPT_MAX, required=True)
    negative = _string(body, "negative_prompt", NEGATIVE_MAX, required=False)

    if "media" not in body:
        raise BodyError("media", "is required")
    media_raw = body["media"]
    if not isinstance(media_raw, list):
        raise BodyError("media", "must be an array")
    if not MEDIA_MIN <= len(media_raw) <= MEDIA_MAX:
        raise BodyError("media", f"must hold {MEDIA_MIN} to {MEDIA_MAX} items (got {len(media_raw)})")
    media: list[MediaSpec] = []
    for i, item in enumerate(media_raw):
        where = f"media[{i}]"
        if not isinstance(item, dict):
            raise BodyError(where, "must be an object")
        extra = sorted(set(item) - MEDIA_FIELDS)
        if extra:
            raise BodyError(f"{where}.{extra[0]}", "is not a field of a media item")
        if "url" not in item:
            raise BodyError(f"{where}.url", "is required")
        url = _url(f"{where}.url", item["url"])
        if "type" not in item:
            raise BodyError(f"{where}.type", "is required")
        if item["type"] not in MEDIA_TYPES:
            raise BodyError(f"{where}.type", f"must be one of {', '.join(MEDIA_TYPES)}")
        voice = None
        if "reference_voice" in item:
            voice = _url(f"{where}.reference_voice", item["reference_voice"])
        media.append(MediaSpec(url, item["type"], voice))
    images = sum(m.type == "reference_image" for m in media)
    videos = len(media) - images
    if images > IMAGES_MAX:
        raise BodyError("media", f"may hold at most {IMAGES_MAX} reference images (got {images})")
    if videos > VIDEOS_MAX:
        raise BodyError("media", f"may hold at most {VIDEOS_MAX} reference videos (got {videos})")

    for name, text in (("prompt", prompt), ("negative_prompt", negative)):
        for m in _CHARACTER.finditer(text or ""):
            n = int(m.group(1))
            if not 1 <= n <= len(media):
                raise BodyError(
                    name, f"mentions {m.group(0)} but media holds {len(media)} item(s) (character1..character{len(media)})"
                )

    size = body.get("size", DEFAULT_SIZE)
    if size not in SIZES or not isinstance(size, str):
        raise BodyError("size", f"must be one of {', '.join(SIZES)}")
    duration = body.get("duration", DEFAULT_DURATION)
    if not _is_int(duration):
        raise BodyError("duration", "must be an integer number of seconds")
    if not DURATION_MIN <= duration <= DURATION_MAX:
        raise BodyError("duration", f"must be {DURATION_MIN} to {DURATION_MAX} seconds (got {duration})")
    shot_type = body.get("shot_type", "single")
    if shot_type not in SHOT_TYPES or not isinstance(shot_type, str):
        raise BodyError("shot_type", "must be single or multi")
    audio = _bool(body, "audio", True)
    watermark = _bool(body, "watermark", False)
    seed = None
    if "seed" in body:
        seed = body["seed"]
        if not _is_int(seed):
            raise BodyError("seed", "must be an integer (omit it to let the service pick one)")
        if not 0 <= seed <= SEED_MAX:
            raise BodyError("seed", f"must be 0 to {SEED_MAX} (got {seed})")
    return SubmitRequest(prompt, negative, tuple(media), size, duration, shot_type, audio, watermark, seed)
