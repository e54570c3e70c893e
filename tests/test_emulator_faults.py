"""Each fault of the emulator's seeded fault plan, observed on the wire."""

from __future__ import annotations

import httpx
import pytest

from r2v_ui.emulator import EmulatorConfig, create_app
from tests.fixtures_emulator import KEY, AUTH, body, start_emulator, wait_terminal

IMG = {"url": "http://127.0.0.1:1/a.png", "type": "reference_image"}


@pytest.fixture(scope="module")
def emu():
    e = start_emulator(queue_seconds=0.2, finish_seconds=1.0)
    yield e
    e.stop()


def plan(client: httpx.Client, *rules: dict, seed: int = 0) -> None:
    r = client.post("/emulator/faults", json={"seed": seed, "rules": list(rules)})
    assert r.status_code == 200, r.text


def submit(client: httpx.Client) -> httpx.Response:
    return client.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers=AUTH)


def read(client: httpx.Client, task_id: str = "x") -> httpx.Response:
    return client.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH)


def stats(client: httpx.Client) -> dict:
    return client.get("/emulator/stats").json()


def test_429_with_retry_after_then_normal(client):
    plan(client, {"route": "submit", "kind": "429", "retry_after": 3})
    r = submit(client)
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert r.json() == {"code": 429, "reason": "RATE_LIMIT_EXCEEDED", "message": r.json()["message"], "metadata": {}}
    assert stats(client)["submits"] == 0
    assert submit(client).status_code == 200  # times=1: the next one goes through
    assert stats(client)["submits"] == 1


@pytest.mark.parametrize("status, reason", [("500", "GET_RESULT_FAILED"), ("502", "BAD_GATEWAY"),
                                            ("503", "SERVICE_UNAVAILABLE"), ("504", "GATEWAY_TIMEOUT")])
def test_5xx_on_reads(client, status, reason):
    plan(client, {"route": "read", "kind": status, "times": 2})
    for _ in range(2):
        r = read(client)
        assert r.status_code == int(status) and r.json()["reason"] == reason
    assert read(client).status_code == 404  # back to normal: the task does not exist
    assert stats(client)["reads"] == 3


def test_500_on_submit_names_create_task_failed(client):
    plan(client, {"route": "submit", "kind": "500"})
    r = submit(client)
    assert r.status_code == 500 and r.json()["reason"] == "CREATE_TASK_FAILED"
    assert stats(client)["submits"] == 0


def test_503_carries_retry_after_when_asked(client):
    plan(client, {"route": "any", "kind": "503", "retry_after": 2})
    r = read(client)
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"


def test_html_error_page_like_a_proxy(client):
    plan(client, {"route": "read", "kind": "502", "html": True})
    r = read(client)
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")


@pytest.mark.asyncio
async def test_slow_answer_waits_the_delay_then_gives_the_real_answer():
    # In-process with an injected sleep: what is asserted is that the answer waited for the planned
    # delay before it came, not how long a machine took (the socket-level slowness is exercised by
    # the client's read-timeout tests).
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    app = create_app(EmulatorConfig(api_key=KEY), sleep=sleep)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu") as c:
        await c.post("/emulator/faults", json={"rules": [{"route": "read", "kind": "slow", "delay": 0.6}]},
                     headers=AUTH)
        r = await c.get("/v3/async/task-result", params={"task_id": "x"}, headers=AUTH)
        assert waited == [0.6]
        assert r.status_code == 404  # the real answer, after the wait
        r = await c.get("/v3/async/task-result", params={"task_id": "x"}, headers=AUTH)
        assert waited == [0.6] and r.status_code == 404  # the plan's one slow answer is spent


def test_drop_on_read_closes_the_connection_without_an_answer(client):
    plan(client, {"route": "read", "kind": "drop"})
    with pytest.raises(httpx.RemoteProtocolError):
        read(client)
    assert read(client).status_code == 404  # the server is still fine afterwards


def test_drop_on_submit_before_create_creates_nothing(client):
    plan(client, {"route": "submit", "kind": "drop"})
    with pytest.raises(httpx.RemoteProtocolError):
        submit(client)
    assert stats(client)["submits"] == 0


def test_drop_after_create_leaves_a_task_behind(client, emu):
    plan(client, {"route": "submit", "kind": "drop", "after_create": True})
    with pytest.raises(httpx.RemoteProtocolError):
        submit(client)
    s = stats(client)
    assert s["submits"] == 1 and sum(s["tasks"].values()) == 1
    assert emu.state.submits == 1 and emu.state.reads == 0 and emu.state.uploads == 0


def test_slow_after_create_times_out_but_the_task_exists(client):
    plan(client, {"route": "submit", "kind": "slow", "delay": 1.0, "after_create": True})
    with pytest.raises(httpx.ReadTimeout):
        client.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers=AUTH, timeout=httpx.Timeout(10, read=0.3))
    assert stats(client)["submits"] == 1


def test_fail_task_ends_failed_with_a_reason(client):
    plan(client, {"route": "submit", "kind": "fail_task"})
    r = submit(client)
    assert r.status_code == 200
    doc = wait_terminal(client, r.json()["task_id"])
    assert doc["task"]["status"] == "TASK_STATUS_FAILED" and "fault plan" in doc["task"]["reason"]


def test_fault_on_uploads(client):
    plan(client, {"route": "upload", "kind": "503"})
    r = client.post("/emulator/uploads", content=b"x" * 10, headers=AUTH)
    assert r.status_code == 503
    assert stats(client)["uploads"] == 0


def test_probability_draws_replay_with_the_same_seed(client):
    def pattern() -> list[int]:
        plan(client, {"route": "read", "kind": "500", "times": 100, "probability": 0.5}, seed=7)
        return [read(client).status_code for _ in range(12)]

    first = pattern()
    assert set(first) == {404, 500}
    assert pattern() == first


def test_a_bad_plan_is_refused(client):
    r = client.post("/emulator/faults", json={"rules": [{"route": "submit", "kind": "418"}]})
    assert r.status_code == 400 and r.json()["reason"] == "INVALID_REQUEST_BODY"


def test_reset_clears_the_plan(client):
    plan(client, {"route": "read", "kind": "500", "times": 5})
    client.post("/emulator/reset")
    assert read(client).status_code == 404
