"""Budgets through the studio's own doors, with the real app launched on loopback in live pricing (a
made-up key, and an emulator as the service): /generate refuses in the viewer's language once a
person's day budget is spent, each browser of a shared studio and each login has its own, MCP's
start_video refuses with the same sentence and list_jobs shows what each job costs."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import httpx
import pytest

from tests.fixtures_budget import arrive, generate, live_studio, submits
from tests.fixtures_jobs import wait_for_state
from tests.fixtures_ui import character_png

gradio_client = pytest.importorskip("gradio_client")

USERS = (("ann", "ann-pass-1"), ("bob", "bob-pass-2"))


def test_each_browser_of_a_shared_studio_has_its_own_day_budget_and_is_told_in_its_language(tmp_path, budget_service):
    before = submits(budget_service)
    # host 0.0.0.0 only in the settings: the studio counts as reachable by others; it listens on loopback.
    with live_studio(tmp_path / "shared", budget_service, host="0.0.0.0", budget_person_day=0.50) as s:
        first = arrive(gradio_client.Client(s.url, verbose=False))
        second = arrive(gradio_client.Client(s.url, verbose=False, headers={"Accept-Language": "zh-CN"}))
        assert generate(first) == ""
        refused = generate(first)
        assert "Nothing was sent." in refused and "your budget for today" in refused
        assert "$0.00 of $0.50 is left" in refused and "midnight" in refused
        assert generate(second) == ""  # another browser: a budget of its own
        said = generate(second)
        assert "你今天的预算" in said and "没有发送任何内容" in said
        assert submits(budget_service) - before == 2


def test_each_login_has_its_own_day_budget(tmp_path, budget_service):
    before = submits(budget_service)
    with live_studio(tmp_path / "logins", budget_service, auth=list(USERS), budget_person_day=0.50) as s:
        ann = gradio_client.Client(s.url, auth=USERS[0], verbose=False)
        bob = gradio_client.Client(s.url, auth=USERS[1], verbose=False)
        assert generate(ann) == ""
        assert "your budget for today" in generate(ann)
        assert generate(bob) == ""
        assert "your budget for today" in generate(bob)
        assert submits(budget_service) - before == 2


def _data_uri(path: Path) -> str:
    return f"data:image/png;name={path.name};base64," + base64.b64encode(path.read_bytes()).decode()


async def _mcp(url: str, calls: list[tuple[str, dict]]) -> list:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=300.0)) as http:
        async with streamable_http_client(url + "/gradio_api/mcp/", http_client=http) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return [await session.call_tool(name, args) for name, args in calls]


def test_mcp_start_video_refuses_with_the_same_sentence_and_list_jobs_shows_the_cost(tmp_path, budget_service):
    pictures = [character_png(tmp_path / f"{n}.png", c) for n, c in (("mira", (200, 60, 60)), ("ode", (60, 60, 200)))]
    args = {"prompt": "character1 hands character2 an umbrella", "references": [_data_uri(p) for p in pictures],
            "resolution": "720P", "aspect_ratio": "16:9", "duration": 5}
    before = submits(budget_service)
    with live_studio(tmp_path / "mcp", budget_service, mcp=True, budget_day=0.50) as s:
        started, refused, listed = asyncio.run(_mcp(s.url, [("start_video", args), ("start_video", args),
                                                            ("list_jobs", {})]))
        assert not started.isError, started.content[0].text
        assert refused.isError
        text = refused.content[0].text
        assert text.startswith("Nothing was sent.") and "the studio's budget for today" in text
        assert "$0.00 of $0.50 is left" in text
        jobs = json.loads(listed.content[0].text)["jobs"]
        assert len(jobs) == 1 and jobs[0]["cost"]["estimate"] == 0.5 and jobs[0]["cost"]["figure"] == "estimate"
        # start_video answers before the job is sent: wait until it is at the service, then count.
        job_id = json.loads(started.content[0].text)["job_ids"][0]
        wait_for_state(s.studio.manager, job_id, {"queued", "processing", "downloading", "succeeded", "failed"})
    assert submits(budget_service) - before == 1
