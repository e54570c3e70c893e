"""HTTP conditional requests, one rule for every answer the studio lets a browser keep: whether a
request's If-None-Match names an answer's ETag (RFC 9110's weak comparison, or `*`), so the answer
can be 304 Not Modified.  Used by the page's answers kept in memory (ui/serving.py) and by the share
routes' files (share/routes.py)."""

from __future__ import annotations

__all__ = ["etag_matches"]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header's value names `etag` (a quoted strong tag) or is `*`."""
    header = (if_none_match or "").strip()
    if not header:
        return False
    if header == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
