"""Reference files checked against the service's media rules (a step of the split: see pictures.py)."""

from .pictures import (  # noqa: F401
    ACCEPTED, AUDIO, AUDIO_CONTENT_TYPES, FIXED, IMAGE, IMAGE_CONTENT_TYPES, KINDS, REFUSED, VIDEO,
    VIDEO_CONTENT_TYPES, MediaReport, probe,
)
