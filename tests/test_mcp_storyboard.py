"""A storyboard through MCP: `start_video` takes the shot list as the page's /generate does (the same
workspace.form.build_draft), the service receives the timed shots, and lengths that do not add up are refused
in the page's own words before anything is sent."""

from __future__ import annotations

import asyncio

import pytest

from tests.fixtures_ui import character_png, running_studio
from tests.test_mcp_tools import ANN, USERS, answer, call, data_uri, refusal

pytest.importorskip("mcp")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("mcp-storyboard"), finish_seconds=1.0, auth=list(USERS),
                        mcp=True) as s:
        yield s


def test_an_assistant_sends_a_storyboard_and_uneven_lengths_send_nothing(studio, tmp_path):
    mira = data_uri(character_png(tmp_path / "mira.png", (200, 40, 60)))
    base = {"references": [mira], "resolution": "720P", "duration": 3, "shot_type": "multi",
            "prompt": "A quiet beach at dawn."}
    uneven = [{"text": "character1 walks to the water", "seconds": 2}, {"text": "she waves", "seconds": 2}]
    refused = asyncio.run(call(studio.url, "start_video", base | {"shots": uneven}, ANN))
    assert "Nothing was sent." in refusal(refused)
    assert "The shots last 4 s, but the video is 3 s" in refusal(refused)
    assert studio.studio.emulator.state.stats()["submits"] == 0

    shots = [{"text": "character1 walks to the water", "seconds": 2}, {"text": "she waves", "seconds": 1}]
    started = answer(asyncio.run(call(studio.url, "start_video", base | {"shots": shots}, ANN)))
    [job] = studio.studio.manager.list_jobs(owner="ann")
    assert job.job_id == started["job_ids"][0]
    assert job.settings["prompt"] == ("A quiet beach at dawn.\nShot 1 [0-2s]: character1 walks to the water\n"
                                      "Shot 2 [2-3s]: she waves")
    assert job.settings["storyboard"]["shots"] == shots
