"""Where a link a user gave may lead this machine: the one way the studio reaches such a link.

A pasted link (a card's, an MCP reference's, a voice clip's) asks this machine to open a connection
somewhere.  On the owner's own loopback studio that is the owner's business.  On a studio reachable
by others (`Settings.reachable_by_others`: `--share`, a `--host` other than loopback, a Space,
`PUBLIC_BASE_URL`) it is a stranger's request, and left alone it makes the studio a port scanner of
its own network (127.0.0.1, 10.x, 169.254.169.254, …) and a peek at what answers there.  So there:

* the link's host is resolved once, here, and the link is refused when ANY address it resolves to is
  not a public unicast address (loopback, private, link-local, multicast, unspecified, reserved,
  shared, documentation; IPv4 and IPv6, including IPv4 inside IPv6: mapped, 6to4, Teredo, NAT64).
  Every spelling of an address (127.1, 2130706433, 0x7f000001, [::ffff:127.0.0.1], localhost) is
  whatever the resolver makes of it, so it is checked as the address it is;
* the connection is pinned to a checked address: the request goes to that IP, carrying the link's
  own Host header and TLS server name (httpcore's `sni_hostname`, which certificate checks use too),
  so a second DNS answer cannot swap in another machine;
* redirects are followed here, one hop at a time, each hop checked the same way.

A refusal is `PrivateAddress`, raised before any connection is made, so it says nothing about what
would have answered.  `R2V_ALLOW_PRIVATE_LINKS=1` lifts the restriction (links inside a company
network, say); on a loopback studio links are not restricted.  Tests inject `resolve` (a public
looking name that resolves to loopback) and `transport` (a loopback stand-in for the internet).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping

import httpx

from .base import HostingError

from ..tls import shared_context

Resolver = Callable[[str, int], Awaitable[list[str]]]
REDIRECTS_MAX = 5
ADDRESSES_TRIED_MAX = 3  # a name with many addresses: the first few are tried in turn (all were checked)
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class PrivateAddress(HostingError):
    """The link (or a redirect hop) leads to an address this studio does not connect to for others.
    Caught where the link was given (pasted.py), which says so in the reader's words."""


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system's resolver gives `host` (numeric spellings are read as addresses)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    """A public unicast address: the only kind a shared studio connects to for a link."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried in IPv6 reaches that IPv4 machine: mapped (::ffff:a.b.c.d) and NAT64
        # (64:ff9b::a.b.c.d, what an IPv6-only network's DNS64 answers) are judged by it alone.
        carried = ip.ipv4_mapped or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if carried is not None:
            return is_public(str(carried))
        tunnelled = [ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if any(v4 is not None and not is_public(str(v4)) for v4 in tunnelled):
            return False
    refused = (ip.is_loopback, ip.is_private, ip.is_link_local, ip.is_multicast, ip.is_unspecified, ip.is_reserved,
               getattr(ip, "is_site_local", False))
    return ip.is_global and not any(refused)


@dataclass(frozen=True)
class LinkGuard:
    """How this studio reaches links users give it.  The default refuses private addresses: a caller
    that forgets to say otherwise is safe."""

    allow_private: bool = False
    resolve: Resolver = system_resolver
    transport: httpx.AsyncBaseTransport | None = field(default=None, compare=False)

    @classmethod
    def for_settings(cls, settings: Any) -> "LinkGuard":
        """Private addresses allowed on a loopback-only studio, or anywhere with R2V_ALLOW_PRIVATE_LINKS=1."""
        return cls(allow_private=bool(getattr(settings, "allow_private_links", False))
                   or not getattr(settings, "reachable_by_others", True))

    async def peek(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                   timeout: httpx.Timeout) -> tuple[int, httpx.Headers]:
        """The status and headers of `method url` (redirects followed, each hop checked); the body is
        never read.  Raises `PrivateAddress`, or httpx's errors as a plain fetch would."""
        current = httpx.URL(url)
        for _ in range(REDIRECTS_MAX + 1):
            status, got = await self._hop(method, current, dict(headers or {}), timeout)
            location = got.get("location")
            if status not in _REDIRECT_STATUSES or not location:
                return status, got
            try:
                current = current.join(location)
            except httpx.InvalidURL as exc:
                raise httpx.RemoteProtocolError("a redirect to an address that cannot be read") from exc
            if current.scheme not in ("http", "https"):
                raise httpx.UnsupportedProtocol("a redirect to an address that is not http(s)")
            if status == 303 and method != "HEAD":
                method = "GET"
        raise httpx.TooManyRedirects(f"more than {REDIRECTS_MAX} redirects")

    async def _hop(self, method: str, url: httpx.URL, headers: dict[str, str],
                   timeout: httpx.Timeout) -> tuple[int, httpx.Headers]:
        extensions: dict[str, Any] = {}
        if self.allow_private:
            targets = [url]
        else:
            host = url.raw_host.decode("ascii")
            if not host:
                raise PrivateAddress()
            port = url.port or (443 if url.scheme == "https" else 80)
            try:
                addresses = list(dict.fromkeys(await self.resolve(host, port)))
            except (OSError, UnicodeError) as exc:
                raise httpx.ConnectError(f"name resolution failed: {exc}") from exc
            if not addresses or not all(is_public(a) for a in addresses):
                raise PrivateAddress()
            targets = [url.copy_with(host=a.split("%", 1)[0]) for a in addresses[:ADDRESSES_TRIED_MAX]]
            headers["Host"] = url.netloc.decode("ascii")
            if url.scheme == "https":
                extensions["sni_hostname"] = host
        error: httpx.TransportError | None = None
        for target in targets:
            # A client per connection: a pooled connection made for one name is never reused for another.
            async with httpx.AsyncClient(timeout=timeout, verify=shared_context(), transport=self.transport,
                                         follow_redirects=False) as client:
                try:
                    async with client.stream(method, target, headers=headers, extensions=extensions) as resp:
                        return resp.status_code, resp.headers
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    error = exc  # that address did not take the connection: the next checked one may
        assert error is not None
        raise error
