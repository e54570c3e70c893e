"""Shared helpers for the hosting tests: real servers on loopback and generated media."""

from __future__ import annotations

import io
import random
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from r2v_ui.ports import free_port


class LoopbackServer:
    """An ASGI app served by uvicorn on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, app):
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False)
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
        return f"http://127.0.0.1:{self.port}"

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
