"""The one free-port helper: a loopback (or given) port that nothing listens on right now."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """Bind port 0 on `host` (loopback for a wildcard host), read the port the system chose, and
    release it.  Another process may take it before the caller binds it: callers that can bind
    port 0 themselves should do that instead."""
    with socket.socket() as s:
        s.bind((host if host not in ("0.0.0.0", "") else "127.0.0.1", 0))
        return s.getsockname()[1]
