"""Pasted links: a URL the user already has is checked (reachable, a type and a size the spec
allows) with a HEAD, or a one-byte ranged GET when HEAD is refused, then passed through as is.
Every request goes through `LinkGuard` (link_guard.py): on a studio others can reach, a link that
leads to a private or local address is refused before any connection is made."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .base import (
    CONTENT_TYPES,
    EXTENSIONS,
    KIND_RULES,
    HostedURL,
    HostingError,
    ProgressCallback,
    bare_type,
    describe_connect_error,
)
from .link_guard import LinkGuard, PrivateAddress
from ..messages import Choices, Msg, msg
from ..spec import MB

_TIMEOUT = httpx.Timeout(15.0)
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+-\d+|\*)/(\d+|\*)", re.IGNORECASE)


def _where(url: str) -> str:
    """The host of a link, for messages: a pasted link may carry a signature in its query, or a
    password before an @."""
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url[:60]


async def check_pasted_url(url: str, kind: str, *, guard: LinkGuard | None = None,
                           timeout: httpx.Timeout = _TIMEOUT) -> HostedURL:
    """Refuse a pasted link the service could not use, in plain words, before anything is paid.
    `guard`: the studio's (`LinkGuard.for_settings`); without one, private addresses are refused."""
    if kind not in CONTENT_TYPES:
        raise ValueError(f"kind must be image, video or audio, not {kind!r}")
    word = msg(f"hosting.word.{kind}")
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not _host_of(url):
        raise HostingError(msg("hosting.link_not_web", word=word))
    where = _where(url)
    guard = guard or LinkGuard()
    try:
        status, headers = await guard.peek("HEAD", url, timeout=timeout)
        if not (200 <= status < 300) or not bare_type(headers.get("content-type")):
            # HEAD refused (405/501, or a presigned GET link that signs only GET): ask for one byte.
            # (Streamed and closed at once: a server that ignores Range would send the whole file.)
            status, headers = await guard.peek("GET", url, headers={"Range": "bytes=0-0"}, timeout=timeout)
    except PrivateAddress as exc:
        # Said before any connection: nothing about what would have answered there.
        raise HostingError(msg("hosting.link_private_address", word=word, where=where)) from exc
    except httpx.TimeoutException as exc:
        raise HostingError(msg("hosting.link_timeout", word=word, where=where)) from exc
    except httpx.HTTPError as exc:
        raise HostingError(msg("hosting.link_unreachable", word=word, where=where,
                               detail=describe_connect_error(exc))) from exc
    if status in (401, 403):
        raise HostingError(msg("hosting.link_private", word=word, where=where, status=status))
    if status in (404, 410):
        raise HostingError(msg("hosting.link_gone", word=word, where=where, status=status))
    if not (200 <= status < 300):
        raise HostingError(msg("hosting.link_error", word=word, where=where, status=status))
    ctype = bare_type(headers.get("content-type"))
    if ctype not in CONTENT_TYPES[kind]:
        # Some storage serves every file as octet-stream; accept it only when the name says the kind.
        generic = ctype in ("", "application/octet-stream", "binary/octet-stream")
        if not (generic and Path(parts.path).suffix.lower() in EXTENSIONS[kind]):
            shown = repr(ctype) if ctype else msg("hosting.no_type")
            raise HostingError(msg("hosting.link_wrong_type", word=word, where=where, shown=shown,
                                   formats=Choices(KIND_RULES[kind].formats)))
    size = _total_size(status, headers)
    limit = KIND_RULES[kind].max_bytes
    if size is not None and size > limit:
        raise HostingError(msg("hosting.link_too_big", word=word, where=where, size=f"{size / MB:.1f} MB",
                               limit=f"{limit // MB} MB"))
    return HostedURL(url, None)


def _host_of(url: str) -> str:
    """The host as httpx reads the link (the reading every request is made with), or "" when none."""
    try:
        return httpx.URL(url).host
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""


def _total_size(status: int, headers: httpx.Headers) -> int | None:
    if status == 206:
        m = _CONTENT_RANGE.search(headers.get("content-range", ""))
        if m and m.group(2) != "*":
            return int(m.group(2))
        return None
    raw = headers.get("content-length")
    if raw and raw.strip().isdigit():
        return int(raw)
    return None


class PastedURLHost:
    """The "url" backend: every reference must be a pasted public link; local files are refused
    with a message saying so."""

    name = "url"
    cache_identity = "url"

    async def put(self, path: Path, *, content_type: str, on_progress: ProgressCallback | None = None,
                  sha256: str | None = None) -> HostedURL:
        raise HostingError(msg("hosting.links_only", name=Path(path).name))

    async def check(self) -> Msg:
        return msg("hosting.pasted_ok")
