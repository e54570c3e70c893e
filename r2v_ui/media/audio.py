"""A voice sample checked against `spec.AUDIO_RULES`: an MP3, WAV or FLAC container (a WAV's
declared length checked against the file, so a cut-off one is refused), a duration within the
limits.  (Its bytes are weighed by the front door, __init__.py, before anything is read.)  A voice
sample is never repaired: what breaks a rule is refused in one sentence.  Its container's facts come
from containers.py."""

from __future__ import annotations

from .. import media_types
from ..messages import Choices, msg
from ..spec import AUDIO_RULES
from . import picture_header as ph
from .containers import AUDIO_CONTAINERS, ISO_MEDIA, AvFacts, seconds, span
from .report import AUDIO, CheckedFile, MediaReport

AUDIO_CONTENT_TYPES = media_types.content_types(AUDIO)


def check_audio(f: CheckedFile, facts: AvFacts) -> MediaReport:
    rules = AUDIO_RULES
    fmt = AUDIO_CONTAINERS.get(facts.container)
    d = facts.duration
    if fmt is None:
        label = "MP4/M4A" if facts.container == ISO_MEDIA else facts.label
        return f.refuse(AUDIO, msg("media.audio_container", name=f.name, fmt=label, formats=Choices(rules.formats)),
                        duration=d)
    found = dict(duration=d, format=fmt)
    if fmt == "WAV" and ph.riff_cut_off(f.path, f.size):
        return f.refuse(AUDIO, msg("media.audio_cut_off", name=f.name), **found)
    limits = span(rules)
    if d is None:
        return f.refuse(AUDIO, msg("media.audio_no_duration", name=f.name, formats=Choices(rules.formats), **limits),
                        **found)
    if d < rules.duration_min:
        return f.refuse(AUDIO, msg("media.audio_too_short", name=f.name, secs=seconds(d, rules.duration_min),
                                   **limits), **found)
    if d > rules.duration_max:
        return f.refuse(AUDIO, msg("media.audio_too_long", name=f.name, secs=seconds(d, rules.duration_max),
                                   **limits), **found)
    return f.accept(AUDIO, msg("media.audio_ok", name=f.name, secs=seconds(d), fmt=fmt),
                    content_type=AUDIO_CONTENT_TYPES[fmt], **found)
