"""What a running job's notices say: why it is not moving right now, and when it moves again —
as codes with parameters (r2v_ui/messages); the page puts them in its reader's words."""

from __future__ import annotations

import errno
import time
from pathlib import Path

from ..errors import REASONS, APIStatusError, AuthenticationError, StudioError
from ..messages import Duration, Msg, msg


def when(delay: float) -> Msg:
    """When the next try is: "in 8 s", or with the clock time for long waits."""
    if delay < 120:
        return msg("time.in_seconds", secs=f"{max(1.0, delay):.0f}")
    return msg("time.in_at", wait=Duration(delay), at=time.strftime("%H:%M", time.localtime(time.time() + delay)))


def disk_notice(exc: OSError, folder: Path) -> Msg:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return msg("notice.disk_full", folder=str(folder))
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = msg("store.why.readonly") if exc.errno == errno.EROFS else msg("store.why.denied")
        return msg("notice.disk_readonly", folder=str(folder), why=why)
    return msg("notice.disk_other", folder=str(folder), why=exc.strerror or type(exc).__name__)


def cause(exc: StudioError) -> Msg:
    """What the service answered, in a few words for a notice (the notice itself says what to do)."""
    if isinstance(exc, APIStatusError):
        words = msg(f"cause.{exc.status}") if exc.status in (429, 500, 502, 503, 504) else msg("cause.refused")
        return msg("cause.status", words=words, status=exc.status, reason=f" {exc.reason}" if exc.reason else "")
    return exc.msg


def refused_studio_key(exc: StudioError) -> Msg:
    """What a refused key means when it is the studio's own (HIGHWAY_API_KEY: the page then has no
    key box, and MCP never has one): restart with a valid key, or tell the studio's owner — never
    "enter a valid key", which nobody could.  Any other error keeps its own words."""
    if isinstance(exc, AuthenticationError) and (exc.reason == "INVALID_API_KEY" or exc.reason not in REASONS):
        return msg("error.http", plain=msg("job.studio_key_refused"), status=exc.status,
                   reason=f" {exc.reason}" if exc.reason else "")
    return exc.msg
