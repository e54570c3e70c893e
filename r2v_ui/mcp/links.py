"""Links to finished videos for MCP callers, who cannot sign in with a browser cookie: served by the
studio under an unguessable path that expires (`/r2v-result/<token>/<name>.mp4`), outside the login."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

from ..hosting.base import safe_filename

RESULT_PREFIX = "/r2v-result"
RESULT_LINK_TTL_SECONDS = 3600


class ResultLinks:
    """Unguessable, expiring links to finished videos, for callers without a browser login.
    In memory only: after a restart `wait_for_job` hands out a new link."""

    def __init__(self, ttl_seconds: float = RESULT_LINK_TTL_SECONDS, clock=time.time):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._links: dict[str, tuple[Path, str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, path: Path) -> str:
        """The path part (`/r2v-result/<token>/<name>`) of a new link to `path`."""
        token = secrets.token_urlsafe(24)
        name = safe_filename(Path(path).name, "video/mp4", fallback="video")
        now = self._clock()
        with self._lock:
            for t in [t for t, (_, _, exp) in self._links.items() if exp <= now]:
                del self._links[t]
            self._links[token] = (Path(path), name, now + self.ttl_seconds)
        return f"{RESULT_PREFIX}/{token}/{name}"

    def lookup(self, token: str, name: str) -> Path | None:
        with self._lock:
            entry = self._links.get(token)
        if entry is None:
            return None
        path, issued_name, expires = entry
        if issued_name != name or expires <= self._clock() or not path.is_file():
            return None
        return path

    def routes(self) -> list:
        from starlette.responses import FileResponse, PlainTextResponse
        from starlette.routing import Route

        async def serve(request):
            path = self.lookup(request.path_params["token"], request.path_params["name"])
            if path is None:
                return PlainTextResponse("Not found, or the link has expired.", status_code=404,
                                         headers={"Cache-Control": "no-store"})
            return FileResponse(path, media_type="video/mp4",
                                headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"})

        return [Route(RESULT_PREFIX + "/{token}/{name}", serve, methods=["GET", "HEAD"], name="r2v_result")]
