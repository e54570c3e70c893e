"""Contract tests: the real client against the embedded emulator over real HTTP on loopback.

Every error row of SPEC.md the emulator can produce, and every fault of its plan, seen through
the client.  Retries use a recording sleep, so the tests run fast and can assert the waits; the
emulator's /emulator/stats says how many tasks a submit really created.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures_client import RecordingSleep
from r2v_ui.client import HighwayClient
from r2v_ui.client_rules import RetryPolicy
from r2v_ui.task_info import TaskInfo
from r2v_ui.config import Settings
from r2v_ui.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResultExpired,
    ServerError,
    StudioError,
    SubmissionUncertain,
)

from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig

EMU_KEY = "emu-key-SECRET-5f3a9c1d"
FAST = RetryPolicy(max_attempts=4)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    config = EmulatorConfig(
        api_key=EMU_KEY,
        queue_seconds=0.2,
        finish_seconds=1.0,
        data_dir=tmp_path_factory.mktemp("emulator"),
        preview_long_side=0,  # the contract's video: drawn at the size the request asked for
    )
    emu = EmbeddedEmulator(config).start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(emulator):
    """The emulator with a clean slate: no tasks, no counters, no fault plan."""
    control(emulator, "POST", "/emulator/reset")
    return emulator


def control(emulator, method: str, path: str, json=None) -> dict:
    r = httpx.request(method, emulator.base_url + path, json=json, headers={"Authorization": f"Bearer {EMU_KEY}"},
                      timeout=10)
    r.raise_for_status()
    return r.json() if r.content else {}


def faults(emulator, *rules: dict, seed: int = 1) -> None:
    control(emulator, "POST", "/emulator/faults", {"seed": seed, "rules": list(rules)})


def stats(emulator) -> dict:
    return control(emulator, "GET", "/emulator/stats")


def client(emulator, *, key: str | None = EMU_KEY, base: str | None = None, **kw) -> tuple[HighwayClient, RecordingSleep]:
    sleep = RecordingSleep()
    kw.setdefault("retry", FAST)
    return HighwayClient(base or emulator.base_url, key, sleep=sleep, **kw), sleep


def png_bytes(w: int = 320, h: int = 320) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 80, 40)).save(buf, "PNG")
    return buf.getvalue()


def upload(emulator, data: bytes, content_type: str = "image/png", name: str = "ref.png") -> str:
    r = httpx.post(emulator.base_url + "/emulator/uploads", content=data,
                   headers={"Authorization": f"Bearer {EMU_KEY}", "Content-Type": content_type, "X-Filename": name},
                   timeout=30)
    r.raise_for_status()
    return r.json()["url"]


def body(emulator, **over) -> dict:
    b = {
        "prompt": "character1 waves at the camera",
        "media": [{"url": over.pop("url", None) or upload(emulator, png_bytes()), "type": "reference_image"}],
        "size": "1280*720",
        "duration": 2,
        "audio": False,
    }
    b.update(over)
    return b


async def wait_terminal(c: HighwayClient, task_id: str, timeout: float = 90.0) -> TaskInfo:
    """Poll until the task ends (a condition with a deadline, not a fixed sleep)."""
    import asyncio

    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while True:
        t = await c.get_task(task_id)
        seen.append(t.status)
        if t.terminal:
            return t
        assert time.monotonic() < deadline, f"task never ended: {seen[-5:]}"
        await asyncio.sleep(0.2)


# --- the happy path, configured from the environment ------------------------------------------
@pytest.mark.asyncio
async def test_full_submit_poll_download_of_a_real_mp4(emu, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("HIGHWAY_BASE_URL", emu.base_url + "/")
    monkeypatch.setenv("HIGHWAY_API_KEY", EMU_KEY)
    settings = Settings.from_env()
    assert settings.base_url == emu.base_url
    sleep = RecordingSleep()
    async with HighwayClient(settings.base_url, settings.api_key.get(), sleep=sleep) as c:
        task_id = await c.submit(body(emu, seed=42))
        first = await c.get_task(task_id)
        assert first.task_id == task_id and first.status in ("TASK_STATUS_QUEUED", "TASK_STATUS_PROCESSING",
                                                             "TASK_STATUS_SUCCEED")
        assert first.timings["submit_time_ms"] > 0
        done = await wait_terminal(c, task_id)
        assert done.succeeded, done.reason
        assert done.seed == 42 and done.video_url and done.video_url_ttl and done.video_url_ttl > 0
        assert done.timings["complete_time_ms"] >= done.timings["execute_time_ms"] >= done.timings["submit_time_ms"] > 0
        progress: list[tuple[int, int | None]] = []
        dest = tmp_path / "result.mp4"
        n = await c.download(done.video_url, dest, max_bytes=100 * 1024 * 1024,
                             on_progress=lambda d, t: progress.append((d, t)))
    assert sleep.calls == []
    assert n == dest.stat().st_size > 0 and progress[-1][0] == n
    assert [p.name for p in dest.parent.iterdir()] == ["result.mp4"]  # no partial file left beside it
    import av

    with av.open(str(dest)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
        assert stream.codec_context.name == "h264"
        duration = float(container.duration) / 1_000_000 if container.duration else float(stream.duration * stream.time_base)
        assert duration == pytest.approx(2.0, abs=0.3)
    s = stats(emu)
    assert s["submits"] == 1


# --- every error row the emulator can produce -----------------------------------------------------
@pytest.mark.asyncio
async def test_400_invalid_request_body(emu):
    c, sleep = client(emu)
    async with c:
        with pytest.raises(BadRequestError) as ei:
            await c.submit({"prompt": "character1", "media": [], "size": "123*456"})
    assert ei.value.status == 400 and ei.value.reason == "INVALID_REQUEST_BODY"
    assert sleep.calls == [] and stats(emu)["submits"] == 0


@pytest.mark.parametrize("key", ["wrong-key", None])
@pytest.mark.asyncio
async def test_403_invalid_api_key(emu, key):
    c, sleep = client(emu, key=key)
    async with c:
        with pytest.raises(PermissionDeniedError) as e1:
            await c.submit(body(emu))
        with pytest.raises(PermissionDeniedError) as e2:
            await c.get_task("anything")
    for e in (e1.value, e2.value):
        assert e.status == 403 and e.reason == "INVALID_API_KEY" and not isinstance(e, AuthenticationError)
        assert "valid key" in str(e)
        assert e.request_id is None  # the emulator, like SPEC.md, sends none unless a fault rule says so
    assert sleep.calls == [] and stats(emu)["submits"] == 0


@pytest.mark.parametrize(("kind", "cls"), [("401", AuthenticationError), ("403", PermissionDeniedError)])
@pytest.mark.asyncio
async def test_a_refusal_keeps_its_class_and_the_request_id_the_service_sent(emu, kind, cls):
    import pickle

    faults(emu, {"route": "read", "kind": kind, "request_id": "req-7f3a-0001"},
           {"route": "submit", "kind": kind})
    c, sleep = client(emu)
    async with c:
        with pytest.raises(cls) as read:
            await c.get_task("anything")
        with pytest.raises(cls) as submit:
            await c.submit(body(emu))
    assert read.value.status == int(kind) and read.value.request_id == "req-7f3a-0001"
    assert submit.value.request_id is None  # this answer carried no request id
    assert (PermissionDeniedError if cls is AuthenticationError else AuthenticationError) not in type(read.value).__mro__
    assert isinstance(read.value, APIError) and isinstance(read.value, StudioError)
    again = pickle.loads(pickle.dumps(read.value))  # errors cross process and thread boundaries intact
    assert type(again) is cls and again.request_id == "req-7f3a-0001" and again.status == int(kind)
    assert sleep.calls == [] and stats(emu)["submits"] == 0


@pytest.mark.asyncio
async def test_404_task_not_found(emu):
    c, sleep = client(emu)
    async with c:
        with pytest.raises(NotFoundError) as ei:
            await c.get_task("no-such-task")
    assert ei.value.reason == "TASK_NOT_FOUND" and sleep.calls == []


@pytest.mark.asyncio
async def test_404_api_not_found(emu):
    c, sleep = client(emu, base=emu.base_url + "/wrong/prefix")
    async with c:
        with pytest.raises(NotFoundError) as e1:
            await c.get_task("x")
        with pytest.raises(NotFoundError) as e2:
            await c.submit(body(emu))
    assert e1.value.reason == e2.value.reason == "API_NOT_FOUND"
    assert "HIGHWAY_BASE_URL" in str(e1.value) and sleep.calls == []


@pytest.mark.asyncio
async def test_429_on_submit_honours_retry_after_and_creates_one_task(emu):
    faults(emu, {"route": "submit", "kind": "429", "retry_after": 3})
    c, sleep = client(emu)
    async with c:
        task_id = await c.submit(body(emu))
    assert task_id
    assert sleep.calls == [pytest.approx(3.0, abs=0.01)]
    s = stats(emu)
    assert s["submits"] == 1 and s["requests"]["submit"] == 2


@pytest.mark.asyncio
async def test_429_on_read_exhausted_is_rate_limit_error(emu):
    faults(emu, {"route": "read", "kind": "429", "retry_after": 1, "times": 10})
    c, sleep = client(emu)
    async with c:
        with pytest.raises(RateLimitError) as ei:
            await c.get_task("x")
    assert ei.value.reason == "RATE_LIMIT_EXCEEDED" and ei.value.retry_after == 1.0
    assert sleep.calls == [1.0] * (FAST.max_attempts - 1)


@pytest.mark.parametrize("kind", ["500", "502", "503", "504"])
@pytest.mark.asyncio
async def test_5xx_on_read_retried_then_success(emu, kind):
    c, sleep = client(emu)
    async with c:
        task_id = await c.submit(body(emu))
        faults(emu, {"route": "read", "kind": kind, "times": 2})
        t = await c.get_task(task_id)
    assert t.task_id == task_id and len(sleep.calls) == 2
    assert stats(emu)["reads"] == 3


@pytest.mark.asyncio
async def test_503_burst_with_html_pages_then_success(emu):
    c, sleep = client(emu, retry=RetryPolicy(max_attempts=6))
    async with c:
        task_id = await c.submit(body(emu))
        faults(emu, {"route": "read", "kind": "503", "times": 4, "html": True})
        t = await c.get_task(task_id)
    assert t.task_id == task_id and len(sleep.calls) == 4
    # Backoff grows: with at most a quarter of jitter, each wait is longer than the one before.
    assert all(a < b for a, b in zip(sleep.calls, sleep.calls[1:]))


@pytest.mark.asyncio
async def test_500_on_submit_is_not_retried_and_creates_nothing(emu):
    faults(emu, {"route": "submit", "kind": "500"})
    c, sleep = client(emu)
    async with c:
        with pytest.raises(ServerError) as ei:
            await c.submit(body(emu))
    assert ei.value.status == 500 and sleep.calls == []
    s = stats(emu)
    assert s["submits"] == 0 and s["requests"]["submit"] == 1


@pytest.mark.asyncio
async def test_503_on_submit_retried(emu):
    faults(emu, {"route": "submit", "kind": "503", "times": 2, "retry_after": 2})
    c, sleep = client(emu)
    async with c:
        assert await c.submit(body(emu))
    assert sleep.calls == [2.0, 2.0]
    s = stats(emu)
    assert s["submits"] == 1 and s["requests"]["submit"] == 3


@pytest.mark.parametrize("kind", ["502", "504"])
@pytest.mark.asyncio
async def test_gateway_error_on_submit_is_uncertain(emu, kind):
    faults(emu, {"route": "submit", "kind": kind, "after_create": True})
    c, sleep = client(emu)
    async with c:
        with pytest.raises(SubmissionUncertain):
            await c.submit(body(emu))
    s = stats(emu)
    assert sleep.calls == [] and s["requests"]["submit"] == 1 and s["submits"] == 1


# --- faults: dropped connections and timeouts ------------------------------------------------------
@pytest.mark.asyncio
async def test_dropped_connection_during_read_then_success(emu):
    c, sleep = client(emu)
    async with c:
        task_id = await c.submit(body(emu))
        faults(emu, {"route": "read", "kind": "drop", "times": 2})
        t = await c.get_task(task_id)
    assert t.task_id == task_id and len(sleep.calls) == 2
    assert stats(emu)["reads"] == 3


@pytest.mark.asyncio
async def test_timeout_after_submit_was_sent_is_uncertain_and_sent_once(emu):
    faults(emu, {"route": "submit", "kind": "slow", "delay": 3.0, "after_create": True})
    timeout = httpx.Timeout(connect=5.0, read=0.5, write=5.0, pool=5.0)
    c, sleep = client(emu, timeout=timeout)
    async with c:
        with pytest.raises(SubmissionUncertain) as ei:
            await c.submit(body(emu))
    assert isinstance(ei.value.cause, httpx.ReadTimeout)
    s = stats(emu)
    assert sleep.calls == [] and s["requests"]["submit"] == 1 and s["submits"] == 1


@pytest.mark.parametrize("after_create", [True, False])
@pytest.mark.asyncio
async def test_dropped_connection_on_submit_is_uncertain_and_never_resent(emu, after_create):
    faults(emu, {"route": "submit", "kind": "drop", "after_create": after_create})
    c, sleep = client(emu)
    async with c:
        with pytest.raises(SubmissionUncertain):
            await c.submit(body(emu))
    s = stats(emu)
    assert sleep.calls == [] and s["requests"]["submit"] == 1
    assert s["submits"] == (1 if after_create else 0)


@pytest.mark.asyncio
async def test_failed_task_is_a_document_not_an_error(emu):
    faults(emu, {"route": "submit", "kind": "fail_task"})
    c, _ = client(emu)
    async with c:
        task_id = await c.submit(body(emu))
        t = await wait_terminal(c, task_id)
    assert t.failed and not t.succeeded and t.status == "TASK_STATUS_FAILED" and t.reason
    assert t.video_url is None


@pytest.mark.asyncio
async def test_unreachable_reference_fails_the_task_with_a_reason(emu):
    c, _ = client(emu)
    async with c:
        task_id = await c.submit(body(emu, url=emu.base_url + "/emulator/files/nope/missing.png"))
        t = await wait_terminal(c, task_id)
    assert t.failed and t.reason


# --- downloads ------------------------------------------------------------------------------------
async def finished_task(c: HighwayClient, emu) -> TaskInfo:
    task_id = await c.submit(body(emu))
    t = await wait_terminal(c, task_id)
    assert t.succeeded, t.reason
    return t


@pytest.mark.asyncio
async def test_download_faults_retried_and_size_cap(emu, tmp_path: Path):
    c, sleep = client(emu)
    async with c:
        t = await finished_task(c, emu)
        faults(emu, {"route": "download", "kind": "503", "times": 1}, {"route": "download", "kind": "drop", "times": 1})
        n = await c.download(t.video_url, tmp_path / "a.mp4", max_bytes=100 * 1024 * 1024)
        assert n > 0 and len(sleep.calls) == 2
        with pytest.raises(StudioError) as ei:
            await c.download(t.video_url, tmp_path / "b.mp4", max_bytes=1000)
    assert "larger than" in str(ei.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]


@pytest.mark.asyncio
async def test_download_of_expired_or_forged_link_is_result_expired(emu, tmp_path: Path):
    c, _ = client(emu)
    async with c:
        t = await finished_task(c, emu)
        forged = t.video_url.replace("signature=", "signature=00")
        with pytest.raises(ResultExpired):
            await c.download(forged, tmp_path / "f.mp4", max_bytes=10**8)
        control(emu, "POST", "/emulator/config", {"url_ttl_seconds": 1})
        short = await c.get_task(t.task_id)
        expires = int(httpx.URL(short.video_url).params["expires"])
        # Wait for the link's own expiry time (a condition, not a guess).
        while time.time() < expires:
            import asyncio

            await asyncio.sleep(min(0.1, max(0.01, expires - time.time())))
        with pytest.raises(ResultExpired) as ei:
            await c.download(short.video_url, tmp_path / "e.mp4", max_bytes=10**8)
    assert "expired" in str(ei.value)
    assert list(tmp_path.iterdir()) == []


# --- the key never leaks --------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_key_absent_from_every_error_the_emulator_causes(emu, caplog):
    import logging
    import traceback

    caplog.set_level(logging.DEBUG)  # httpx, httpcore and our own logger, all at their chattiest

    caught: list[BaseException] = []
    plans = [
        [{"route": "submit", "kind": "500"}],
        [{"route": "submit", "kind": "502"}],
        [{"route": "submit", "kind": "drop"}],
        [{"route": "read", "kind": "429", "times": 10}],
        [{"route": "read", "kind": "504", "times": 10, "html": True}],
        [{"route": "read", "kind": "drop", "times": 10}],
    ]
    for plan in plans:
        faults(emu, *plan)
        c, _ = client(emu, retry=RetryPolicy(max_attempts=2))
        assert EMU_KEY not in repr(c)
        async with c:
            try:
                if plan[0]["route"] == "submit":
                    await c.submit(body(emu))
                else:
                    await c.get_task("x")
            except StudioError as exc:
                caught.append(exc)
    faults(emu)
    c, _ = client(emu, key=EMU_KEY + "-but-wrong")
    async with c:
        for call in (c.submit({"prompt": "x"}), c.get_task("nope")):
            try:
                await call
            except StudioError as exc:
                caught.append(exc)
    assert len(caught) == len(plans) + 2
    for exc in caught:
        text = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
        assert EMU_KEY not in text, type(exc)
    assert any(r.name == "r2v_ui.client" for r in caplog.records)
    assert EMU_KEY not in caplog.text
