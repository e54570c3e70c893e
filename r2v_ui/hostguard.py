"""The Host check of a studio that listens only on this machine: it answers only requests made to a
local name (localhost, *.localhost, 127.0.0.0/8, ::1), and 421 Misdirected Request to any other.

Why: a browser holds a web page to the name it loaded it from, not to an address.  A page of any site
its owner opens can turn its own name to 127.0.0.1 once loaded (DNS rebinding); its requests to the
studio are then same-origin, with that name in Host — and a studio on loopback has no login: the page
could make a share link through MCP's share_job, read its token and fetch the owner's videos, or spend
the owner's key.  A name of this machine cannot be turned so.  A studio others can reach (--host other
than loopback, --share, PUBLIC_BASE_URL, a Space) answers every name, as before: app.py adds this
middleware only when `Settings.reachable_by_others` is false.  Pure ASGI: no Gradio.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .config import is_loopback
from .messages import from_accept_language, t

__all__ = ["LoopbackHostsOnly", "local_name"]


def local_name(host_header: str | None) -> bool:
    """Whether a Host header names this machine (a missing one counts: browsers always send it)."""
    if host_header is None:
        return True
    try:
        name = urlsplit("//" + host_header.strip()).hostname or ""
    except ValueError:  # an unclosed bracket, a port that is not a number
        return False
    name = name.rstrip(".")
    return is_loopback(name) or name.endswith(".localhost")


class LoopbackHostsOnly:
    """ASGI middleware: requests (and websockets) to a name not of this machine get 421 and one sentence,
    in the language the request asks for."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        if local_name(headers.get("host")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = t("host.loopback_only", from_accept_language(headers.get("accept-language")),
                 ip="http://127.0.0.1", name="http://localhost").encode("utf-8")
        await send({"type": "http.response.start", "status": 421, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
