"""The words of a running job's notices: why it is not moving right now, and when it moves again."""

from __future__ import annotations

import errno
import time
from pathlib import Path

from ..errors import APIStatusError, R2VError


def duration_words(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def when(delay: float) -> str:
    """When the next try is, in words: "in 8 s", or with the clock time for long waits."""
    if delay < 120:
        return f"in {max(1.0, delay):.0f} s"
    return f"in {duration_words(delay)} (at {time.strftime('%H:%M', time.localtime(time.time() + delay))})"


def disk_notice(exc: OSError, folder: Path) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"The disk is full, so the finished video cannot be saved in {folder}. Free some space there."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"The library folder {folder} cannot be written ({exc.strerror or 'not allowed'}). "
                "Make it writable, or start the studio with another R2V_DATA_DIR.")
    return f"The finished video could not be saved in {folder} ({exc.strerror or type(exc).__name__})."


def cause(exc: R2VError) -> str:
    """What the service answered, in a few words for a notice (the notice itself says what to do)."""
    if isinstance(exc, APIStatusError):
        words = {429: "asked to slow down", 500: "internal error", 502: "overloaded or unreachable",
                 503: "overloaded", 504: "took too long"}.get(exc.status, "refused")
        return f"{words}: HTTP {exc.status}{' ' + exc.reason if exc.reason else ''}"
    return exc.user_message.rstrip(".")
