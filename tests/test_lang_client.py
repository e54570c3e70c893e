"""The client's errors are codes, not English: each renders in Chinese for a Chinese viewer, over
real sockets on loopback (a closed port, a server that never answers, a storage host that refuses)."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fixtures_client import API_KEY, RecordingSleep, ServerThread
from tests.lang_terms import foreign_words
from r2v_ui.client import ClientSetupError, HighwayClient
from r2v_ui.client_rules import RetryPolicy
from r2v_ui.errors import APIConnectionError, APITimeoutError, DownloadError, ResultUnusable, UnexpectedResponse
from r2v_ui.messages import EN, LEGACY, Msg, ZH, render_msg
from r2v_ui.ports import free_port


def chinese(m: Msg, *data: str) -> str:
    """The Chinese sentence, checked to hold no English words; `data` (a URL, an exception's class
    name) is what the message quotes as it is, not words of a sentence."""
    assert isinstance(m, Msg) and m.code != LEGACY, m
    text = render_msg(m, ZH)
    checked = text
    for d in data:
        checked = checked.replace(d, "")
    assert foreign_words(checked) == [], text
    return text


class Storage:
    """A storage host and an API that misbehave on purpose."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.app = Starlette(routes=[
            Route("/v3/async/task-result", self.read, methods=["GET"]),
            Route("/refused.mp4", self.refused, methods=["GET"]),
            Route("/huge.mp4", self.huge, methods=["GET"]),
            Route("/stall.mp4", self.stall, methods=["GET"]),
        ])

    async def read(self, request: Request) -> Response:
        return Response(b'{"not": "a task"}', media_type="application/json")

    async def refused(self, request: Request) -> Response:
        return Response(b"<html>busy</html>", status_code=500, media_type="text/html")

    async def huge(self, request: Request) -> Response:
        return Response(b"\x00" * 4096, media_type="video/mp4")

    async def stall(self, request: Request) -> Response:
        # Answers only once the test releases it (after the client gave up): no fixed sleep.
        await anyio.to_thread.run_sync(self.release.wait, 10)
        return Response(b"", media_type="video/mp4")


@pytest.fixture(scope="module")
def storage():
    app = Storage()
    with ServerThread(app.app) as server:
        yield app, server.base_url
        app.release.set()


def _client(base: str, **kw) -> HighwayClient:
    return HighwayClient(base, API_KEY, sleep=RecordingSleep(), retry=RetryPolicy(max_attempts=1), **kw)


@pytest.mark.asyncio
async def test_a_closed_port_says_so_in_chinese():
    base = f"http://127.0.0.1:{free_port()}"
    async with _client(base) as c:
        with pytest.raises(APIConnectionError) as ei:
            await c.get_task("abc")
    err = ei.value
    assert err.msg.code == "client.no_connect" and not err.request_sent
    assert "Could not connect to the service (reading the task: ConnectError)" in str(err)  # English as before
    text = chinese(err.msg, "ConnectError")
    assert "无法连接到服务" in text and "读取任务" in text and "HIGHWAY_BASE_URL" in text


@pytest.mark.asyncio
async def test_a_download_that_gets_no_answer_in_time_says_so_in_chinese(storage, tmp_path: Path):
    app, base = storage
    app.release.clear()
    timeout = httpx.Timeout(connect=5.0, read=0.3, write=5.0, pool=5.0)
    try:
        async with _client(base, timeout=timeout) as c:
            with pytest.raises(DownloadError) as ei:
                await c.download(f"{base}/stall.mp4", tmp_path / "v.mp4", max_bytes=10_000)
    finally:
        app.release.set()
    err = ei.value
    assert err.msg.code == "client.download_failed"
    assert isinstance(err.__cause__, APITimeoutError) and err.__cause__.msg.code == "client.timeout"
    assert "did not answer in time while waiting for the answer (downloading the video)" in str(err)
    text = chinese(err.msg, f"{base}/stall.mp4")
    assert "等待答复时没有及时响应" in text and "下载视频" in text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_a_storage_host_error_and_a_result_too_large_say_so_in_chinese(storage, tmp_path: Path):
    _, base = storage
    async with _client(base) as c:
        with pytest.raises(DownloadError) as refused:
            await c.download(f"{base}/refused.mp4", tmp_path / "a.mp4", max_bytes=10_000)
        with pytest.raises(ResultUnusable) as huge:
            await c.download(f"{base}/huge.mp4", tmp_path / "b.mp4", max_bytes=1000)
        with pytest.raises(ResultUnusable) as not_web:
            await c.download("ftp://example.invalid/v.mp4", tmp_path / "c.mp4", max_bytes=1000)
    assert refused.value.msg.code == "client.download_http"
    assert "HTTP 500" in chinese(refused.value.msg, f"{base}/refused.mp4")
    assert huge.value.msg.code == "client.too_big" and "4 KB, limit 1000 bytes" in str(huge.value)
    assert "4 KB，上限 1000 字节" in chinese(huge.value.msg)
    assert "不是 http 或 https 地址" in chinese(not_web.value.msg)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_an_answer_that_is_not_a_task_says_so_in_chinese(storage):
    _, base = storage
    async with _client(base) as c:
        with pytest.raises(UnexpectedResponse) as ei:
            await c.get_task("abc")
    assert "the answer was not a task document" in str(ei.value)
    assert "答复不是任务信息" in chinese(ei.value.msg)


def test_an_unusable_address_or_key_is_a_studio_error_with_a_message():
    with pytest.raises(ClientSetupError) as address:
        HighwayClient("ftp://example.invalid", API_KEY)
    with pytest.raises(ClientSetupError) as key:
        HighwayClient("http://127.0.0.1:9", "sk abc def")
    assert "must start with http:// or https://" in render_msg(address.value.msg, EN)
    assert "http://" in chinese(address.value.msg, "'ftp://example.invalid'")
    assert "sk abc" not in str(key.value) and "sk abc" not in render_msg(key.value.msg, ZH)
    assert "API 密钥里有空格" in chinese(key.value.msg)
