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
    KIND_FORMATS,
    KIND_RULES,
    KIND_WORD,
    HostedURL,
    HostingError,
    ProgressCallback,
    bare_type,
    describe_connect_error,
)
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
    word = KIND_WORD[kind]
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise HostingError(
            f"The {word} link must be a web address starting with http:// or https://. Paste the full public link."
        )
    where = _where(url)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, verify=shared_context()) as client:
        try:
            status, headers = await _head(client, url)
            if not (200 <= status < 300) or not bare_type(headers.get("content-type")):
                # HEAD refused (405/501, or a presigned GET link that signs only GET): ask for one byte.
                status, headers = await _ranged_get(client, url)
        except httpx.TimeoutException as exc:
            raise HostingError(
                f"The {word} link at {where} did not answer in time. Check that it opens in a browser, then paste it again."
            ) from exc
        except httpx.HTTPError as exc:
            raise HostingError(
                f"The {word} link at {where} cannot be reached ({describe_connect_error(exc)}). "
                "Check that the link is public and opens in a browser, then paste it again."
            ) from exc
    if status in (401, 403):
        raise HostingError(
            f"The {word} link at {where} refuses access (HTTP {status}): it is private or has expired. "
            "Paste a public link, or upload the file instead."
        )
    if status in (404, 410):
        raise HostingError(
            f"The {word} link at {where} points to nothing (HTTP {status}): the file was moved, deleted or the link expired. "
            "Paste a working link, or upload the file instead."
        )
    if not (200 <= status < 300):
        raise HostingError(
            f"The {word} link at {where} answered with an error (HTTP {status}). Paste a working public link, or upload the file instead."
        )
    ctype = bare_type(headers.get("content-type"))
    if ctype not in CONTENT_TYPES[kind]:
        # Some storage serves every file as octet-stream; accept it only when the name says the kind.
        generic = ctype in ("", "application/octet-stream", "binary/octet-stream")
        if not (generic and Path(parts.path).suffix.lower() in EXTENSIONS[kind]):
            shown = ctype or "no type"
            raise HostingError(
                f"The {word} link at {where} serves {shown!r}, not a {word} the service reads ({KIND_FORMATS[kind]}). "
                f"Paste a direct link to the {word} file itself, not to a page showing it."
            )
    size = _total_size(status, headers)
    limit = KIND_RULES[kind].max_bytes
    if size is not None and size > limit:
        raise HostingError(
            f"The {word} at {where} is {size / MB:.1f} MB; the service accepts at most {limit // MB} MB. "
            f"Use a smaller {word}."
        )
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
        raise HostingError(
            f"Reference hosting is set to pasted links only, so the file {Path(path).name!r} cannot be uploaded. "
            "Paste a public link for it, or choose another hosting way (R2V_HOSTING=s3 or public)."
        )

    async def check(self) -> str:
        return "Pasted links: each link is checked when you add it; local files cannot be used with this setting."
