"""A content-hash cache in front of any host: the same bytes are not uploaded again while the URL
they got is still valid for long enough."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Callable

import httpx

from ..atomic_files import known_sha256
from ..messages import Msg
from ..tls import shared_context
from .base import HostedURL, ProgressCallback, check_local_file, file_sha256, read_json, write_json_atomic

DEFAULT_MARGIN_SECONDS = 2 * 3600  # a cached URL must outlive a task that starts now


class CachingHost:
    """Wraps `inner`.  Entries are keyed by the backend's identity and the file's sha256, kept in a
    JSON file written atomically; safe for parallel puts from one or several event loops.

    `verify`: before reusing a URL, ask it for one byte, so a link that died early (an emulator
    restarted with empty storage, an object deleted by a bucket rule) is replaced, not handed on."""

    def __init__(
        self,
        inner,
        cache_file: Path,
        *,
        margin_seconds: float = DEFAULT_MARGIN_SECONDS,
        verify: bool = True,
        clock: Callable[[], float] = time.time,
    ):
        self.inner = inner
        self.cache_file = Path(cache_file)
        self.margin_seconds = margin_seconds
        self.verify = verify
        self.clock = clock
        self._lock = threading.Lock()
        self._inflight: dict[tuple[int, str], asyncio.Lock] = {}
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def identity(self) -> str:
        return getattr(self.inner, "cache_identity", None) or self.inner.name

    def __repr__(self) -> str:
        return f"CachingHost({self.inner!r})"

    async def check(self) -> Msg:
        return await self.inner.check()

    async def put(self, path: Path, *, content_type: str, on_progress: ProgressCallback | None = None,
                  sha256: str | None = None) -> HostedURL:
        """`sha256`: the digest the caller already knows (the store's, from keeping the file); without
        it the file is hashed here, unless the store has just kept (and so hashed) this very file."""
        path = check_local_file(path)
        digest = sha256 or known_sha256(path) or await asyncio.to_thread(file_sha256, path)
        key = f"{self.identity}|{digest}|{content_type.split(';')[0].strip().lower()}"
        # Two parallel puts of the same content on one loop: the second waits and reuses the first.
        loop_key = (id(asyncio.get_running_loop()), key)
        with self._lock:
            lock = self._inflight.setdefault(loop_key, asyncio.Lock())
        try:
            async with lock:
                cached = self._valid_entry(key)
                if cached is not None and (not self.verify or await _still_served(cached.url)):
                    self.hits += 1
                    if on_progress:
                        size = os.path.getsize(path)
                        on_progress(size, size)
                    return cached
                self.misses += 1
                hosted = await self.inner.put(path, content_type=content_type, on_progress=on_progress, sha256=digest)
                self._record(key, hosted)
                return hosted
        finally:
            with self._lock:
                if not lock.locked() and self._inflight.get(loop_key) is lock:
                    del self._inflight[loop_key]

    def _valid_entry(self, key: str) -> HostedURL | None:
        with self._lock:
            entry = read_json(self.cache_file).get("entries", {}).get(key)
        if not isinstance(entry, dict) or not entry.get("url"):
            return None
        expires = entry.get("expires_at")
        if expires is not None and float(expires) - self.margin_seconds <= self.clock():
            return None
        return HostedURL(str(entry["url"]), float(expires) if expires is not None else None)

    def _record(self, key: str, hosted: HostedURL) -> None:
        now = self.clock()
        with self._lock:
            entries = read_json(self.cache_file).get("entries", {})
            if not isinstance(entries, dict):
                entries = {}
            entries = {
                k: e for k, e in entries.items()
                if isinstance(e, dict) and (e.get("expires_at") is None or float(e["expires_at"]) > now)
            }
            entries[key] = {"url": hosted.url, "expires_at": hosted.expires_at, "stored_at": now}
            write_json_atomic(self.cache_file, {"version": 1, "entries": entries}, durable=False)  # rebuildable


async def _still_served(url: str) -> bool:
    """One byte of the URL with a GET (a presigned GET link refuses HEAD)."""
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=True,
                                     verify=shared_context()) as client:
            async with client.stream("GET", url, headers={"Range": "bytes=0-0"}) as resp:
                return 200 <= resp.status_code < 300
    except httpx.HTTPError:
        return False
