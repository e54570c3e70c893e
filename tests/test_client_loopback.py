"""The client over real sockets on loopback against tiny local servers, for what only a real
network stack shows: which httpx exception a refused port, a slow answer or a dropped connection
really raises, a proxy's HTML page, and a redirect of the download to another host."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fixtures_client import API_KEY, RecordingSleep, ServerThread
from r2v_ui.client import HighwayClient
from r2v_ui.client_rules import RetryPolicy
from r2v_ui.errors import APIConnectionError, ServerError, SubmissionUncertain, UnexpectedResponse
from r2v_ui.ports import free_port

HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class ProxyApp:
    """Plays a script per route; records every request's headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.read_script: list[Response] = []
        self.release = threading.Event()
        self.submit_slow = False
        routes = [
            Route("/v3/async/task-result", self.read, methods=["GET"]),
            Route("/v3/async/wan2.7-r2v", self.submit, methods=["POST"]),
            Route("/files/v.mp4", self.file, methods=["GET"]),
            Route("/redirect", self.redirect, methods=["GET"]),
        ]
        self.app = Starlette(routes=routes)

    def _note(self, request: Request) -> None:
        self.seen.append((request.url.path, dict(request.headers)))

    async def read(self, request: Request) -> Response:
        self._note(request)
        if self.read_script:
            return self.read_script.pop(0)
        return JSONResponse({"task": {"task_id": request.query_params["task_id"], "status": "TASK_STATUS_QUEUED",
                                      "eta": 5, "progress_percent": 0}})

    async def submit(self, request: Request) -> Response:
        self._note(request)
        if self.submit_slow:
            # Answer only once the test releases it (after the client gave up): no fixed sleep.
            await anyio.to_thread.run_sync(self.release.wait, 10)
            return JSONResponse({"task_id": "late"})
        return Response(HTML, status_code=504, media_type="text/html")

    async def file(self, request: Request) -> Response:
        self._note(request)
        return Response(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000, media_type="video/mp4")

    async def redirect(self, request: Request) -> Response:
        self._note(request)
        # Another host name for the same server: a storage host that is not the API host.
        port = request.url.port
        return RedirectResponse(f"http://localhost:{port}/files/v.mp4", status_code=307)


@pytest.fixture(scope="module")
def proxy():
    app = ProxyApp()
    with ServerThread(app.app) as server:
        yield app, server.base_url


def client_for(base: str, **kw) -> tuple[HighwayClient, RecordingSleep]:
    sleep = RecordingSleep()
    return HighwayClient(base, API_KEY, sleep=sleep, **kw), sleep


@pytest.mark.asyncio
async def test_html_and_empty_bodies_on_reads_are_retried(proxy):
    app, base = proxy
    app.read_script = [
        Response(HTML, status_code=502, media_type="text/html"),
        Response(b"", status_code=503),
        Response(b"", status_code=504, headers={"Retry-After": "1"}),
    ]
    c, sleep = client_for(base)
    async with c:
        t = await c.get_task("abc")
    assert t.task_id == "abc" and t.status == "TASK_STATUS_QUEUED" and not t.terminal
    assert len(sleep.calls) == 3 and sleep.calls[-1] == 1.0


@pytest.mark.asyncio
async def test_html_page_with_200_is_unreadable(proxy):
    app, base = proxy
    app.read_script = [Response(b"<html>Sign in to the Wi-Fi</html>", media_type="text/html")]
    c, _ = client_for(base)
    async with c:
        with pytest.raises(UnexpectedResponse) as ei:
            await c.get_task("abc")
    assert "could not be read" in str(ei.value) and "<html" not in str(ei.value)


@pytest.mark.asyncio
async def test_html_gateway_timeout_on_submit_is_uncertain(proxy):
    app, base = proxy
    before = sum(1 for path, _ in app.seen if path == "/v3/async/wan2.7-r2v")
    c, sleep = client_for(base)
    async with c:
        with pytest.raises(SubmissionUncertain) as ei:
            await c.submit({"prompt": "character1", "media": []})
    assert isinstance(ei.value.cause, ServerError) and ei.value.cause.status == 504
    assert sum(1 for path, _ in app.seen if path == "/v3/async/wan2.7-r2v") == before + 1
    assert sleep.calls == []
    path, headers = app.seen[-1]
    assert headers["authorization"] == f"Bearer {API_KEY}" and headers["content-type"] == "application/json"


@pytest.mark.asyncio
async def test_real_read_timeout_on_submit_is_uncertain(proxy):
    app, base = proxy
    app.release.clear()
    app.submit_slow = True
    before = sum(1 for path, _ in app.seen if path == "/v3/async/wan2.7-r2v")
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    c, sleep = client_for(base, timeout=timeout)
    try:
        async with c:
            with pytest.raises(SubmissionUncertain) as ei:
                await c.submit({"prompt": "x", "media": []})
        assert isinstance(ei.value.cause, httpx.ReadTimeout)
        assert sum(1 for path, _ in app.seen if path == "/v3/async/wan2.7-r2v") == before + 1
        assert sleep.calls == []
    finally:
        app.submit_slow = False
        app.release.set()


@pytest.mark.asyncio
async def test_refused_port_is_not_sent_and_submit_retries():
    port = free_port()  # nothing listens there now
    c, sleep = client_for(f"http://127.0.0.1:{port}", retry=RetryPolicy(max_attempts=3))
    async with c:
        with pytest.raises(APIConnectionError) as ei:
            await c.submit({"prompt": "x", "media": []})
    assert ei.value.request_sent is False and len(sleep.calls) == 2


class DropServer:
    """Accepts a connection, reads the request head, and closes without answering."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.count += 1

    def __enter__(self) -> "DropServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()


@pytest.mark.asyncio
async def test_real_dropped_connection_on_submit_is_uncertain_and_read_retries():
    with DropServer() as srv:
        c, sleep = client_for(f"http://127.0.0.1:{srv.port}", retry=RetryPolicy(max_attempts=3))
        async with c:
            with pytest.raises(SubmissionUncertain) as ei:
                await c.submit({"prompt": "x", "media": []})
            assert isinstance(ei.value.cause, (httpx.RemoteProtocolError, httpx.ReadError))
            assert srv.count == 1 and sleep.calls == []
            with pytest.raises(APIConnectionError) as ei2:
                await c.get_task("t")
            assert ei2.value.request_sent is True
        assert srv.count == 4 and len(sleep.calls) == 2


@pytest.mark.asyncio
async def test_download_redirect_to_other_host_never_carries_key(proxy, tmp_path: Path):
    app, base = proxy
    c, _ = client_for(base)
    async with c:
        n = await c.download(base + "/redirect", tmp_path / "v.mp4", max_bytes=10**6)
    assert n == 5012 and (tmp_path / "v.mp4").stat().st_size == 5012
    for path, headers in app.seen:
        if path in ("/redirect", "/files/v.mp4"):
            assert "authorization" not in headers
