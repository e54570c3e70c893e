"""What every reference host shares: the URL it hands back, its one error type, the protocol, and
small file helpers (streamed hashing and reading, safe names, the media types the spec allows)."""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Callable, Protocol, runtime_checkable

from .. import atomic_files, media_types
from ..atomic_files import CHUNK, file_sha256  # noqa: F401 - CHUNK and file_sha256 are part of this module's API
from ..errors import StudioError
from ..messages import Msg, msg
from ..spec import AUDIO_RULES, IMAGE_RULES, VIDEO_RULES

ProgressCallback = Callable[[int, int], None]  # (bytes done, bytes in all)


@dataclass(frozen=True)
class HostedURL:
    url: str
    expires_at: float | None  # epoch seconds; None: the host does not say (a pasted link)


class HostingError(StudioError):
    """A reference could not be given a URL the service can reach.  The message says, in plain
    words, what failed and what to do; it never contains a credential."""


@runtime_checkable
class ReferenceHost(Protocol):
    name: str  # "emulator" | "url" | "s3" | "public"

    async def put(
        self, path: Path, *, content_type: str, on_progress: ProgressCallback | None = None,
        sha256: str | None = None,
    ) -> HostedURL:
        """`sha256`: the file's digest when the caller already knows it (the store hashed it while
        keeping it), so the host does not read the file again to learn it."""
        ...

    async def check(self) -> Msg:
        """What works, in a Msg the page renders in its viewer's language; HostingError when it does not."""
        ...


# Media types a reference may be served as, by kind (SPEC.md "Reference media rules"): media_types.py.
CONTENT_TYPES: dict[str, frozenset[str]] = {kind: media_types.accepted_types(kind) for kind in ("image", "video", "audio")}
KIND_RULES = {"image": IMAGE_RULES, "video": VIDEO_RULES, "audio": AUDIO_RULES}
EXTENSIONS = {"image": IMAGE_RULES.extensions, "video": VIDEO_RULES.extensions, "audio": AUDIO_RULES.extensions}


def bare_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def kind_of_type(content_type: str | None) -> str | None:
    t = bare_type(content_type)
    for kind, types in CONTENT_TYPES.items():
        if t in types:
            return kind
    return None


def require_reference_type(content_type: str) -> str:
    """The bare media type if a reference may be served as it, else a HostingError.  Keeps a host
    from ever serving something the spec does not allow (an HTML page on the studio's address)."""
    t = bare_type(content_type)
    if kind_of_type(t) is None:
        raise HostingError(msg("hosting.bad_type", type=repr(t) if t else msg("hosting.unknown_type")))
    return t


def extension_for(path: Path, content_type: str) -> str:
    """The file extension to publish: the file's own when it matches its type, else one from the type."""
    suffix = path.suffix.lower()
    kind = kind_of_type(content_type)
    if kind and suffix in EXTENSIONS[kind]:
        return suffix
    return media_types.extension_of_type(bare_type(content_type))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, content_type: str = "", *, fallback: str = "reference") -> str:
    """A name made only of [A-Za-z0-9._-], never starting with a dot, at most 80 characters, with
    an extension that matches the type.  For URLs and headers only: it is never used as a path."""
    p = Path(name or "")
    ext = extension_for(p, content_type) if content_type else p.suffix.lower()
    ext = _UNSAFE.sub("", ext)[:10]
    stem = _UNSAFE.sub("_", p.stem).strip("._-")[:70] or fallback
    return f"{stem}{ext}"


async def file_chunks(path: Path, on_progress: ProgressCallback | None = None) -> AsyncIterator[bytes]:
    """Yield a file 1 MB at a time, reading in a worker thread, and report progress after each
    chunk; the whole file is never in memory."""
    total = os.path.getsize(path)
    done = 0
    f = await asyncio.to_thread(open, path, "rb")
    try:
        if on_progress:
            on_progress(0, total)
        while True:
            chunk = await asyncio.to_thread(f.read, CHUNK)
            if not chunk:
                break
            done += len(chunk)
            yield chunk
            if on_progress:
                on_progress(done, total)
    finally:
        await asyncio.to_thread(f.close)


def check_local_file(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise HostingError(msg("hosting.file_gone", name=path.name))
    return path


def write_json_atomic(path: Path, data: object, *, durable: bool = True) -> None:
    """Write JSON so a reader never sees half a file (atomic_files.write_atomic).  `durable=False`
    for what can be rebuilt (the upload cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_files.write_json_atomic(path, data, durable=durable, indent=1, sort_keys=True)


def read_json(path: Path) -> dict:
    """The JSON object in a file, or {} when it is missing or unreadable (a cache can be rebuilt)."""
    return atomic_files.read_json(path) or {}


# The system's words for the usual connection failures, and what they mean in the catalog.
_CAUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("name or service not known", "nodename nor servname", "name resolution", "getaddrinfo"), "hosting.cause.dns"),
    (("connection refused", "all connection attempts failed"), "hosting.cause.refused"),
    (("certificate", "ssl", "tls"), "hosting.cause.tls"),
)


def describe_connect_error(exc: Exception) -> Msg | str:
    """A short cause for a connection failure, without URLs that might carry signatures: the usual
    ones in the reader's words, anything else as the system said it (a diagnostic)."""
    said = str(exc).strip()
    lower = said.lower()
    for needles, code in _CAUSES:
        if any(n in lower for n in needles):
            return msg(code)
    return f"{type(exc).__name__}: {said[:160]}" if said else type(exc).__name__
