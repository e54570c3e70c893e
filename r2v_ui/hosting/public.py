"""The public-app backend: when the studio itself is reachable from the internet (PUBLIC_BASE_URL,
or the share link), it serves each reference under an unguessable path that expires.

Each reference is hard-linked (or copied) into `store_dir/files/<token>`; `store_dir/index.json`
records what was issued.  The routes look the token up in that index and serve only what it names:
a path from the request is never joined onto a folder, so nothing else on disk can be reached."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Callable

from ..atomic_files import write_atomic
from ..messages import Msg, msg
from ..tls import shared_context
from .base import (
    CHUNK,
    HostedURL,
    HostingError,
    ProgressCallback,
    check_local_file,
    read_json,
    require_reference_type,
    safe_filename,
    write_json_atomic,
)

ROUTE_PREFIX = "/r2v-ref"


class PublicAppHost:
    name = "public"

    def __init__(
        self,
        public_base_url: str | None,
        store_dir: Path,
        ttl_seconds: int = 6 * 3600,
        *,
        clock: Callable[[], float] = time.time,
    ):
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.store_dir = Path(store_dir)
        self.ttl_seconds = int(ttl_seconds)
        self.clock = clock
        self._files = self.store_dir / "files"
        self._index_file = self.store_dir / "index.json"
        self._lock = threading.Lock()
        self._index: dict[str, dict] = {}
        self._loaded = False

    def __repr__(self) -> str:
        return f"PublicAppHost({self.public_base_url!r}, {str(self.store_dir)!r})"

    def set_public_base_url(self, url: str | None) -> None:
        """For a share link, known only once the app is launched."""
        self.public_base_url = url.rstrip("/") if url else None

    @property
    def cache_identity(self) -> str:
        return f"public|{self.public_base_url}|{self.store_dir}"

    # -- the index -----------------------------------------------------------------------------

    def _load_locked(self) -> None:
        if not self._loaded:
            raw = read_json(self._index_file).get("references", {})
            self._index = {k: v for k, v in raw.items() if isinstance(v, dict)}
            self._loaded = True

    def _purge_locked(self, now: float) -> bool:
        dead = [t for t, e in self._index.items() if float(e.get("expires_at", 0)) <= now]
        for token in dead:
            self._index.pop(token, None)
            try:
                (self._files / token).unlink()
            except OSError:
                pass
        return bool(dead)

    def _save_locked(self) -> None:
        write_json_atomic(self._index_file, {"version": 1, "references": self._index})

    def lookup(self, token: str, name: str) -> tuple[Path, str] | None:
        """The file and type for an issued, unexpired token whose name matches; None otherwise."""
        with self._lock:
            self._load_locked()
            entry = self._index.get(token)
            if entry is None or entry.get("name") != name:
                return None
            if float(entry.get("expires_at", 0)) <= self.clock():
                return None
            path = self._files / entry["file"]
        return (path, entry["content_type"]) if path.is_file() else None

    # -- uploads -------------------------------------------------------------------------------

    async def put(self, path: Path, *, content_type: str, on_progress: ProgressCallback | None = None,
                  sha256: str | None = None) -> HostedURL:
        self._require_base()
        path = check_local_file(path)
        ctype = require_reference_type(content_type)
        token = secrets.token_urlsafe(24)
        name = safe_filename(path.name, ctype)
        total = os.path.getsize(path)
        if on_progress:
            on_progress(0, total)
        loop = asyncio.get_running_loop()

        def report(done: int) -> None:
            if on_progress:
                loop.call_soon_threadsafe(on_progress, done, total)

        await asyncio.to_thread(self._store_sync, path, token, report)
        if on_progress:
            on_progress(total, total)
        now = self.clock()
        expires_at = now + self.ttl_seconds
        entry = {"file": token, "name": name, "content_type": ctype, "bytes": total, "expires_at": expires_at, "created_at": now}
        with self._lock:
            self._load_locked()
            self._purge_locked(now)
            self._index[token] = entry
            self._save_locked()
        return HostedURL(f"{self.public_base_url}{ROUTE_PREFIX}/{token}/{name}", expires_at)

    def _require_base(self) -> None:
        if not self.public_base_url:
            raise HostingError(msg("hosting.public_no_address", flag="--share"))

    def _store_sync(self, src: Path, token: str, report: Callable[[int], None]) -> None:
        self._files.mkdir(parents=True, exist_ok=True)
        dest = self._files / token
        try:
            os.link(src, dest)  # same disk: instant, no second copy
            return
        except OSError:
            pass

        def copy(fout) -> None:
            done = 0
            with open(src, "rb") as fin:
                while chunk := fin.read(CHUNK):
                    fout.write(chunk)
                    done += len(chunk)
                    report(done)

        try:  # served for hours at most, and the source stays: no need to flush it to disk
            write_atomic(dest, copy, durable=False)
        except OSError as exc:
            raise HostingError(msg("hosting.public_store_failed", name=repr(src.name), why=exc.strerror or str(exc))) from exc

    def forget(self, token: str) -> None:
        with self._lock:
            self._load_locked()
            if self._index.pop(token, None) is not None:
                (self._files / token).unlink(missing_ok=True)
                self._save_locked()

    def purge_expired(self) -> int:
        with self._lock:
            self._load_locked()
            before = len(self._index)
            if self._purge_locked(self.clock()):
                self._save_locked()
            return before - len(self._index)

    # -- the check button ----------------------------------------------------------------------

    async def check(self) -> Msg:
        """Serve a tiny probe picture and fetch it through the public address, as the service would."""
        import httpx

        self._require_base()
        probe_dir = self.store_dir / "probe"
        probe_dir.mkdir(parents=True, exist_ok=True)
        probe = probe_dir / f"check-{secrets.token_hex(6)}.png"
        probe.write_bytes(_PROBE_PNG)
        hosted = await self.put(probe, content_type="image/png")
        token = hosted.url.rsplit("/", 2)[-2]
        try:
            async with httpx.AsyncClient(timeout=httpx.Timeout(15.0), follow_redirects=True,
                                         verify=shared_context()) as client:
                resp = await client.get(hosted.url)
        except httpx.HTTPError as exc:
            raise HostingError(msg("hosting.public_unreachable", where=self.public_base_url,
                                   kind=type(exc).__name__)) from exc
        finally:
            self.forget(token)
            probe.unlink(missing_ok=True)
        if resp.status_code != 200 or resp.content != _PROBE_PNG:
            raise HostingError(msg("hosting.public_wrong", where=self.public_base_url, status=resp.status_code))
        return msg("hosting.public_ok", where=self.public_base_url, minutes=self.ttl_seconds // 60)


# A 1x1 PNG for the check.
_PROBE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201"
    "e5273b1a0000000049454e44ae426082"
)


def public_reference_routes(host) -> list:
    """Starlette routes serving what `host` issued (GET and HEAD, with Range), 404 for anything else.
    `host` may be a PublicAppHost or a wrapper around one (a CachingHost).  Mount them on the app
    the public address reaches, outside any login: the service fetches them without a session."""
    from starlette.requests import Request
    from starlette.responses import FileResponse, PlainTextResponse
    from starlette.routing import Route

    public = host
    while not isinstance(public, PublicAppHost) and getattr(public, "inner", None) is not None:
        public = public.inner
    if not isinstance(public, PublicAppHost):
        raise TypeError("public_reference_routes needs a PublicAppHost")

    async def serve(request: Request):
        found = public.lookup(request.path_params["token"], request.path_params["name"])
        if found is None:
            return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})
        path, ctype = found
        return FileResponse(
            path,
            media_type=ctype,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"},
        )

    return [Route(ROUTE_PREFIX + "/{token}/{name}", serve, methods=["GET", "HEAD"], name="r2v_reference")]
