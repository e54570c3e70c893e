"""The one TLS context for the studio's short-lived HTTP clients.

Building a context loads the CA bundle: ~60 ms of CPU on this project's 2-core machine, paid by every
`httpx.AsyncClient()` made without one.  A reference host makes a client per upload (uploads may run
on different event loops, and a client belongs to one), so three references paid ~0.2 s of CPU before
their first byte moved.  One context, built on first use, serves every client (an SSLContext may be
shared between threads and connections)."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.lru_cache(maxsize=1)
def shared_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
