"""Where a caller reaches this studio: its public address when one is known (PUBLIC_BASE_URL, a
Space's, the Gradio share link once launched), else the address the request came to (as the proxy
in front says, when there is one), and whether a link to it opens only on this machine.  Read by MCP
(result links, share links) and by the page (the link a Share makes); no Gradio, no page."""

from __future__ import annotations

from typing import Any


def base_url(request: Any, settings: Any, share_url: str | None = None) -> str:
    """The studio's address for links given to others: PUBLIC_BASE_URL (or a Space's), else the
    Gradio share link (`share_url`, when --share made one), else the address the request came to."""
    if getattr(settings, "public_base_url", None):
        return settings.public_base_url.rstrip("/")
    if share_url:
        return str(share_url).rstrip("/")
    return called_at(request, settings)


def only_here(settings: Any, share_url: str | None = None) -> bool:
    """Whether a link to this studio opens only on this machine: it listens on loopback and has no
    public address (PUBLIC_BASE_URL, a Space's) and no Gradio share link (`share_url`, as base_url)."""
    return not (getattr(settings, "reachable_by_others", False) or getattr(settings, "public_base_url", None)
                or share_url)


def called_at(request: Any, settings: Any) -> str:
    """The address the call came to (as the proxy in front says, when there is one)."""
    host = (header(request, "x-forwarded-host") or header(request, "host") or "").split(",")[0].strip()
    proto = (header(request, "x-forwarded-proto") or "").split(",")[0].strip()
    url = getattr(request, "url", None)
    if not proto:
        proto = getattr(url, "scheme", None) or "http"
    if not host:
        host = getattr(url, "netloc", None) or f"{settings.host}:{settings.port}"
    return f"{proto}://{host}"


def header(request: Any, name: str) -> str | None:
    """One HTTP header of a request (a gr.Request or a Starlette one), or None."""
    headers = getattr(request, "headers", None) if request is not None else None
    if headers is None:
        return None
    try:
        items = dict(headers).items()
    except (TypeError, ValueError):
        return None
    for key, value in items:
        if str(key).lower() == name:
            return str(value)
    return None
