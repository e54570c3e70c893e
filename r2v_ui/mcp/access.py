"""Who is calling, and where they reach the studio: read from the MCP request's HTTP headers.

Without --auth every caller is the one local library (owner "").  With it, a call carries the HTTP
Basic credentials of a studio login, checked here on every call: Gradio's own login is a browser
cookie that MCP clients do not have, and its MCP route is not behind that login."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

from .. import addresses
from .views import ToolError

LOGIN_NEEDED = (
    "This studio asks for a login. Add the header `Authorization: Basic <base64 of user:password>` "
    "(one of the studio's logins) to this MCP server's settings in your client, then call again."
)
BAD_LOGIN = "The user name or password sent with this call is not one of this studio's logins."


def caller(request: Any, auth: tuple[tuple[str, str], ...]) -> str:
    """The owner whose jobs this call sees: "" without --auth; with it, the signed-in user of a
    Gradio API call, or the user named by valid HTTP Basic credentials; otherwise refused."""
    if not auth:
        return ""
    user = getattr(request, "username", None) if request is not None else None
    if user:
        return str(user)
    header = _header(request, "authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise ToolError(LOGIN_NEEDED)
    try:
        name, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ToolError(BAD_LOGIN) from None
    found = None
    for u, p in auth:  # every pair is compared, in constant time each
        if hmac.compare_digest(u.encode(), name.encode()) & hmac.compare_digest(p.encode(), password.encode()):
            found = u
    if not sep or found is None:
        raise ToolError(BAD_LOGIN)
    return found


def base_url(request: Any, settings: Any) -> str:
    """Where the caller reaches this studio: its public address when one is set (a Space,
    PUBLIC_BASE_URL), else the address the call came to."""
    return addresses.base_url(request, settings)


def own_addresses(request: Any, settings: Any) -> set[str]:
    """This studio's addresses as the caller may write them: its public one and the one called."""
    return {base_url(request, settings), addresses.called_at(request, settings)}


_header = addresses.header
