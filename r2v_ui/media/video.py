"""A reference video checked against `spec.VIDEO_RULES`: an MP4 or MOV container (told apart, and a
cut-off file found, from the top-level boxes' headers alone), a picture track of an allowed size, a
duration within the limits.  (Its bytes are weighed by the front door, __init__.py, before anything
is read.)  A video is never repaired: what breaks a rule is refused in one sentence.  Its container's
facts come from containers.py."""

from __future__ import annotations

import struct
from pathlib import Path

from .. import media_types
from ..messages import Choices, msg
from ..spec import VIDEO_RULES
from .containers import ISO_MEDIA, AvFacts, seconds, span
from .report import VIDEO, CheckedFile, MediaReport

VIDEO_CONTENT_TYPES = media_types.content_types(VIDEO)


def check_video(f: CheckedFile, facts: AvFacts) -> MediaReport:
    rules = VIDEO_RULES
    allowed = Choices(rules.formats)
    if facts.container != ISO_MEDIA:
        return f.refuse(VIDEO, msg("media.video_container", name=f.name, fmt=facts.label, formats=allowed))
    fmt, cut_off = _iso_media_facts(f.path, f.size)
    w, h, d = facts.width, facts.height, facts.duration
    found = dict(width=w, height=h, duration=d, format=fmt)
    if cut_off:
        return f.refuse(VIDEO, msg("media.video_cut_off", name=f.name), **found)
    if not w or not h:
        return f.refuse(VIDEO, msg("media.video_bad_track", name=f.name), **found)
    limits = span(rules)
    if d is None:
        return f.refuse(VIDEO, msg("media.video_no_duration", name=f.name, **limits), **found)
    if d < rules.duration_min:
        return f.refuse(VIDEO, msg("media.video_too_short", name=f.name, secs=seconds(d, rules.duration_min),
                                   **limits), **found)
    if d > rules.duration_max:
        return f.refuse(VIDEO, msg("media.video_too_long", name=f.name, secs=seconds(d, rules.duration_max),
                                   **limits), **found)
    if min(w, h) < rules.side_min:
        return f.refuse(VIDEO, msg("media.video_too_small", name=f.name, w=w, h=h, min=rules.side_min), **found)
    if max(w, h) > rules.side_max:
        return f.refuse(VIDEO, msg("media.video_too_large", name=f.name, w=w, h=h, max=rules.side_max), **found)
    return f.accept(VIDEO, msg("media.video_ok", name=f.name, w=w, h=h, fmt=fmt, secs=seconds(d)),
                    content_type=VIDEO_CONTENT_TYPES[fmt], **found)


def _iso_media_facts(path: Path, size: int) -> tuple[str, bool]:
    """("MP4" | "MOV", cut_off) from the top-level boxes, reading only their 8–16 byte headers."""
    brand: str | None = None
    offset = 0
    with open(path, "rb") as fh:
        for _ in range(100_000):
            if offset >= size:
                break
            fh.seek(offset)
            head = fh.read(16)
            if len(head) < 8:
                break
            box_size, box_type = struct.unpack(">I4s", head[:8])
            if box_size == 1 and len(head) == 16:
                box_size = struct.unpack(">Q", head[8:16])[0]
            elif box_size == 0:
                box_size = size - offset
            if box_size < 8:
                return (_brand_format(brand, path), True)
            if offset == 0 and box_type == b"ftyp":
                brand = head[8:12].decode("latin-1")
            offset += box_size
    return _brand_format(brand, path), offset > size


def _brand_format(brand: str | None, path: Path) -> str:
    if brand is None:  # old QuickTime files have no ftyp box
        return "MOV" if path.suffix.lower() != ".mp4" else "MP4"
    return "MOV" if brand == "qt  " else "MP4"
