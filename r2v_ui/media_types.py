"""The one table of the reference formats the service takes: each format's kind, media type and
file extension, and the other names browsers and servers give the same types.

media/ names what it found with it; hosting/ checks and labels what it serves with it.  The
formats themselves come from spec.py's rules (a format missing here is a test failure, not a guess)."""

from __future__ import annotations

from .spec import AUDIO_RULES, IMAGE_RULES, VIDEO_RULES

# format (as media/ names it) → (kind, media type, extension)
FORMATS: dict[str, tuple[str, str, str]] = {
    "JPEG": ("image", "image/jpeg", ".jpg"),
    "PNG": ("image", "image/png", ".png"),
    "BMP": ("image", "image/bmp", ".bmp"),
    "WEBP": ("image", "image/webp", ".webp"),
    "MP4": ("video", "video/mp4", ".mp4"),
    "MOV": ("video", "video/quicktime", ".mov"),
    "MP3": ("audio", "audio/mpeg", ".mp3"),
    "WAV": ("audio", "audio/wav", ".wav"),
    "FLAC": ("audio", "audio/flac", ".flac"),
}

# Other names in use for the same media types.
ALIASES: dict[str, str] = {
    "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-ms-bmp": "image/bmp",
    "audio/mp3": "audio/mpeg", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav", "audio/x-flac": "audio/flac",
}

RULES_BY_KIND = {"image": IMAGE_RULES, "video": VIDEO_RULES, "audio": AUDIO_RULES}


def content_types(kind: str) -> dict[str, str]:
    """format → media type, for one kind."""
    return {fmt: ctype for fmt, (k, ctype, _) in FORMATS.items() if k == kind}


def suffixes(kind: str) -> dict[str, str]:
    """format → file extension, for one kind."""
    return {fmt: ext for fmt, (k, _, ext) in FORMATS.items() if k == kind}


def accepted_types(kind: str) -> frozenset[str]:
    """Every media type (with its other names) a reference of this kind may be served as."""
    canonical = set(content_types(kind).values())
    return frozenset(canonical | {alias for alias, to in ALIASES.items() if to in canonical})


def canonical_type(content_type: str) -> str:
    return ALIASES.get(content_type, content_type)


def extension_of_type(content_type: str) -> str:
    """The extension for a media type (or one of its other names); "" when it is not a reference type."""
    ctype = canonical_type(content_type)
    return next((ext for _, t, ext in FORMATS.values() if t == ctype), "")
