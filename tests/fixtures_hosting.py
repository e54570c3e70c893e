"""Shared helpers for the hosting tests: real servers on loopback and generated media."""

from __future__ import annotations

import io
import random
import re
import socket
import threading
import time
from pathlib import Path
from typing import Callable

import httpx

import pytest
import uvicorn

from r2v_ui.hosting import LinkGuard
from r2v_ui.ports import free_port

# The owner's own loopback studio, where a pasted link may be a local one (these tests' sites are on
# loopback); a shared studio's guard refuses them (tests/test_link_guard.py).
OWN_STUDIO = LinkGuard(allow_private=True)


class LoopbackServer:
    """An ASGI app served by uvicorn on 127.0.0.1 (or `host`="::1"; a free port) in a daemon thread."""

    def __init__(self, app, host: str = "127.0.0.1"):
        assert host in ("127.0.0.1", "::1"), "test servers listen on loopback only"
        self.host = host
        self.server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off", access_log=False)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = 0

    def start(self) -> "LoopbackServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the loopback test server did not start")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    @property
    def base_url(self) -> str:
        return f"http://{'[::1]' if self.host == '::1' else self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def closed_port() -> int:
    """A loopback port with nothing listening on it (bound, then released)."""
    return free_port()


def png_bytes(width: int = 320, height: int = 256, seed: int = 0) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    img = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(20):
        x, y = rng.randrange(width - 20), rng.randrange(height - 20)
        img.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + 20, y + 20))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_png(path: Path, seed: int = 0, **kw) -> Path:
    path.write_bytes(png_bytes(seed=seed, **kw))
    return path


def raw_get(port: int, raw_path: str) -> int:
    """Send a request line exactly as written (no client-side normalisation of ../) and return
    the status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {raw_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


async def generate_from(emulator_base: str, api_key: str, url: str, *, deadline_s: float = 90.0) -> dict:
    """Submit a task to the emulator that references `url` (so the emulator fetches it the way the
    service would) and poll until it ends; returns the final task document."""
    import asyncio

    import httpx

    headers = {"Authorization": f"Bearer {api_key}"}
    body = {
        "prompt": "character1 waves",
        "media": [{"url": url, "type": "reference_image"}],
        "size": "1280*720",
        "duration": 2,
    }
    async with httpx.AsyncClient(base_url=emulator_base, headers=headers, timeout=30) as client:
        resp = await client.post("/v3/async/wan2.7-r2v", json=body)
        assert resp.status_code == 200, resp.text
        task_id = resp.json()["task_id"]
        end = time.monotonic() + deadline_s
        while True:
            doc = (await client.get("/v3/async/task-result", params={"task_id": task_id})).json()
            if doc["task"]["status"] in ("TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"):
                return doc
            if time.monotonic() > end:
                raise AssertionError(f"the task did not finish in {deadline_s} s: {doc['task']}")
            await asyncio.sleep(0.2)


def pasted_links():
    """A loopback site with a picture a card's link can use (/face.png) and one that is gone (/gone.png, 404):
    `with pasted_links() as server: server.base_url`."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    data = png_bytes()

    async def face(request):
        return Response(b"" if request.method == "HEAD" else data, media_type="image/png",
                        headers={"Content-Length": str(len(data))})

    async def gone(request):
        return Response("no such file", status_code=404)

    return LoopbackServer(Starlette(routes=[Route("/face.png", face, methods=["GET", "HEAD"]),
                                            Route("/gone.png", gone, methods=["GET", "HEAD"])]))


@pytest.fixture
def pasted_site():
    """The base URL of a running `pasted_links()` site, for one test."""
    with pasted_links() as server:
        yield server.base_url


# --- the network a shared studio's link guard sees (tests/test_link_guard.py) -------------------------

def counting_site(hits: list[str], *, redirect_to: dict[str, str] | None = None, host: str = "127.0.0.1"):
    """A loopback site that records every request it is sent (`hits`: "METHOD /path"): /secret.txt
    (text, what a peek at the machine would find), /face.png (a picture a card can use), and /hop,
    which redirects to `redirect_to["url"]` (set by the test)."""
    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse, Response
    from starlette.routing import Route

    data = png_bytes()

    async def secret(request):
        hits.append(f"{request.method} {request.url.path}")
        return Response(b"the machine's own secret", media_type="text/plain")

    async def face(request):
        hits.append(f"{request.method} {request.url.path}")
        if request.method == "HEAD" and request.query_params.get("head") == "refused":
            return Response(status_code=405, headers={"Allow": "GET"})
        return Response(b"" if request.method == "HEAD" else data, media_type="image/png",
                        headers={"Content-Length": str(len(data))})

    async def hop(request):
        hits.append(f"{request.method} {request.url.path}")
        return RedirectResponse((redirect_to or {})["url"], status_code=302)

    return LoopbackServer(Starlette(routes=[Route("/secret.txt", secret, methods=["GET", "HEAD"]),
                                            Route("/face.png", face, methods=["GET", "HEAD"]),
                                            Route("/hop", hop, methods=["GET", "HEAD"])]), host=host)


_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}|[0-9a-f:.]*:[0-9a-f:.]*", re.IGNORECASE)


def made_up_dns(names: dict[str, list[str]] | Callable[[str], list[str]]):
    """A resolver for a LinkGuard: the names given answer as told (a dict, or a function of the name); an
    address in any spelling, and localhost, as the system reads them (no query leaves the machine); any
    other name is not found.  No DNS query is ever sent."""
    from r2v_ui.hosting.link_guard import system_resolver

    async def resolve(host: str, port: int) -> list[str]:
        answer = names(host) if callable(names) else names.get(host)
        if answer is not None:
            return list(answer)
        if host.lower() == "localhost" or _NUMERIC_HOST.fullmatch(host):
            return await system_resolver(host, port)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return resolve


class InternetStandIn(httpx.AsyncBaseTransport):
    """Made-up public addresses answered by loopback servers, so the connections a shared studio's guard
    makes (to public addresses only) can be tested without leaving the machine: a request to one of
    `addresses` (a public address -> a loopback port) goes to that port, over plain HTTP; a request to
    any other address fails the test.  `seen` records (address connected to, Host header, TLS server
    name) of each."""

    def __init__(self, addresses: dict[str, int]):
        self.addresses = dict(addresses)
        self.seen: list[tuple[str, str | None, str | None]] = []
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        address = request.url.host
        if address not in self.addresses:
            raise AssertionError(f"a link check tried to connect to {address}, outside the test's stand-in")
        self.seen.append((address, request.headers.get("host"), request.extensions.get("sni_hostname")))
        # The loopback servers speak plain HTTP: an https link's TLS server name is recorded above, not used.
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.addresses[address])
        return await self._inner.handle_async_request(request)

    async def __aexit__(self, *exc) -> None:  # each check's client closes its transport; this one lives on
        return None

    async def aclose(self) -> None:
        return None

    async def close_for_good(self) -> None:
        await self._inner.aclose()


# Local addresses as a stranger may spell them; {port} is a loopback test server's.
V4_SPELLINGS = ["127.0.0.1:{port}", "127.1:{port}", "2130706433:{port}", "0x7f000001:{port}", "0x7f.1:{port}",
                "017700000001:{port}", "0:{port}", "0.0.0.0:{port}", "localhost:{port}", "LOCALHOST:{port}",
                "[::ffff:127.0.0.1]:{port}", "user:pw@127.0.0.1:{port}", "public.example.com@127.0.0.1:{port}"]
V6_SPELLINGS = ["[::1]:{port}", "[0:0:0:0:0:0:0:1]:{port}", "[::]:{port}"]


@pytest.fixture
def local():
    """Counting servers on 127.0.0.1 and ::1 (`hits`), and `links` naming their /secret.txt in every spelling."""
    from types import SimpleNamespace

    hits: list[str] = []
    with counting_site(hits) as v4, counting_site(hits, host="::1") as v6:
        links = ([f"http://{s.format(port=v4.port)}/secret.txt" for s in V4_SPELLINGS]
                 + [f"http://{s.format(port=v6.port)}/secret.txt" for s in V6_SPELLINGS])
        yield SimpleNamespace(hits=hits, links=links, v4=v4, v6=v6)
