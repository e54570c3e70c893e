"""The emulator app in-process (httpx.ASGITransport, no socket) and run alone from the command line."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from r2v_ui.emulator import EmulatorConfig, create_app
from tests.fixtures_emulator import AUTH, StaticServer, body, make_image


@pytest.mark.asyncio
async def test_in_process_app_speaks_the_same_api(tmp_path):
    # A reference the emulator can really fetch (a generated picture on a loopback server), so the
    # task cannot fail on the way and every assertion below runs.
    refs = StaticServer(tmp_path)
    picture = {"url": refs.url(make_image(tmp_path / "a.png")), "type": "reference_image"}
    now = [1_700_000_000.0]
    app = create_app(EmulatorConfig(api_key="test-key-123", queue_seconds=1, finish_seconds=4), clock=lambda: now[0])
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu") as c:
            r = await c.post("/v3/async/wan2.7-r2v", json=body([picture]), headers=AUTH)
            assert r.status_code == 200
            task_id = r.json()["task_id"]
            doc = (await c.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH)).json()
            assert doc["task"]["status"] == "TASK_STATUS_QUEUED" and doc["task"]["eta"] == 4
            now[0] += 2  # the injected clock moves the state machine
            doc = (await c.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH)).json()
            assert doc["task"]["status"] == "TASK_STATUS_PROCESSING", doc["task"]
            assert doc["task"]["progress_percent"] == 33 and doc["task"]["eta"] == 2
            assert doc["extra"]["debug_info"]["execute_time_ms"] == str(int((1_700_000_000 + 1) * 1000))
            await _drops_the_connection(c, task_id)
    finally:
        refs.close()


async def _drops_the_connection(c: httpx.AsyncClient, task_id: str) -> None:
    await c.post("/emulator/faults", json={"rules": [{"route": "read", "kind": "drop"}]})
    with pytest.raises(httpx.RemoteProtocolError):
        await c.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH)


def test_command_line_prints_where_it_listens():
    proc = subprocess.Popen([sys.executable, "-m", "r2v_ui.emulator", "--port", "0", "--key", "k"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Emulator listening on http://127.0.0.1:")
        base = line.split()[-1]
        r = httpx.get(base + "/v3/async/task-result", params={"task_id": "x"}, headers={"Authorization": "Bearer k"},
                      trust_env=False)
        assert r.status_code == 404 and r.json()["reason"] == "TASK_NOT_FOUND"
    finally:
        proc.terminate()
        proc.wait(10)
