"""The service contract (../shared/SPEC.md) as data: its paths, sizes and tiers, limits and
defaults, enums (shot types, media types, task statuses), each kind of reference's media rules, how
the service reads a prompt (what a tag is, how characters are counted, which are refused), and the
published per-second rates a price estimate starts from.

Everything the UI offers (choices, labels, limits, defaults) comes from here, so the page, the
client and the checks can never disagree about a rule.  What is built on these tables lives apart:
the request model and its validation in request.py, the price estimate in price.py.  This module
imports nothing from the rest of the package and nothing outside the standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# --- the prompt, as the service reads it -----------------------------------------------------
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


def forbidden_characters(text: str) -> list[tuple[int, str]]:
    """(position from 1, character) of each control or text-direction character a prompt may not carry."""
    return [
        (i, ch) for i, ch in enumerate(text, start=1)
        if ((ch < "\x20" or "\x7f" <= ch <= "\x9f") and ch not in PROMPT_ALLOWED_CONTROLS) or ch in BIDI_CONTROLS
    ]


# --- price tables ----------------------------------------------------------------------------
# Published per-second rates for this model elsewhere (SPEC.md "Price"); the provider's own rate is
# not published, so this table is configurable (R2V_PRICE_720P / R2V_PRICE_1080P) and always shown
# as an estimate.
DEFAULT_PRICE_PER_SECOND: dict[str, float] = {"720P": 0.10, "1080P": 0.15}
REFERENCE_VIDEO_BILLED_CAP_S = 5.0
