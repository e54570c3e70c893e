"""Pasted links: a URL the user already has is checked (reachable, a type and a size the spec
allows) with a HEAD, or a one-byte ranged GET when HEAD is refused, then passed through as is."""

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
from ..messages import Choices, Msg, msg
from ..spec import MB
from ..tls import shared_context

_TIMEOUT = httpx.Timeout(15.0)
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+-\d+|\*)/(\d+|\*)", re.IGNORECASE)


def _where(url: str) -> str:
    """The host of a link, for messages: a pasted link may carry a signature in its query."""
    parts = urlsplit(url)
    return parts.netloc or url[:60]


async def check_pasted_url(url: str, kind: str, *, timeout: httpx.Timeout = _TIMEOUT) -> HostedURL:
    """Refuse a pasted link the service could not use, in plain words, before anything is paid."""
    if kind not in CONTENT_TYPES:
        raise ValueError(f"kind must be image, video or audio, not {kind!r}")
    word = msg(f"hosting.word.{kind}")
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise HostingError(msg("hosting.link_not_web", word=word))
    where = _where(url)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, verify=shared_context()) as client:
        try:
            status, headers = await _head(client, url)
            if not (200 <= status < 300) or not bare_type(headers.get("content-type")):
                # HEAD refused (405/501, or a presigned GET link that signs only GET): ask for one byte.
                status, headers = await _ranged_get(client, url)
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


async def _head(client: httpx.AsyncClient, url: str) -> tuple[int, httpx.Headers]:
    resp = await client.head(url)
    return resp.status_code, resp.headers


async def _ranged_get(client: httpx.AsyncClient, url: str) -> tuple[int, httpx.Headers]:
    # Stream and close at once: a server that ignores Range would otherwise send the whole file.
    async with client.stream("GET", url, headers={"Range": "bytes=0-0"}) as resp:
        return resp.status_code, resp.headers


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
