"""`@Name` through MCP: the assistant names its references, writes `@Name`, and the job sends the
tags; a name with no reference is refused in the page's own words before anything is sent.  The
draft is built by the same function as the page's (workspace.form.build_draft)."""

from __future__ import annotations

import asyncio

import pytest

from tests.fixtures_ui import character_png, running_studio
from tests.test_mcp_tools import ANN, USERS, answer, call, call_tools, data_uri, refusal

pytest.importorskip("mcp")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("mcp-names"), finish_seconds=1.0, auth=list(USERS), mcp=True) as s:
        yield s


def test_named_references_are_sent_as_their_tags_and_an_unknown_name_sends_nothing(studio, tmp_path):
    mira = data_uri(character_png(tmp_path / "mira.png", (200, 40, 60)))
    robo = data_uri(character_png(tmp_path / "robo.png", (90, 90, 110)))
    base = {"references": [mira, robo], "names": ["Mira", "Robo"], "resolution": "720P", "duration": 2}
    refused = asyncio.run(call(studio.url, "start_video", base | {"prompt": "@Mira hands @Zed a cup"}, ANN))
    assert "Nothing was sent." in refusal(refused) and "no card is called Zed" in refusal(refused)
    assert studio.studio.emulator.state.stats()["submits"] == 0
    started = answer(asyncio.run(call(studio.url, "start_video", base | {"prompt": "@Robo hands @Mira a cup"}, ANN)))
    [job] = studio.studio.manager.list_jobs(owner="ann")
    assert job.job_id == started["job_ids"][0]
    assert job.settings["prompt"] == "character2 hands character1 a cup"
    assert job.settings["written_prompt"] == "@Robo hands @Mira a cup"


def test_names_are_checked_as_on_the_page_and_a_bad_one_is_never_echoed(studio, tmp_path):
    """More names than references is refused in one sentence (not silently cut); a name with a
    right-to-left override (U+202E) or another control character is refused by the page's own name
    rule, and no answer carries the character back."""
    mira = data_uri(character_png(tmp_path / "mira.png", (200, 40, 60)))
    jobs_before = len(studio.studio.manager.list_jobs(owner="ann"))  # (another test's job may still be submitting)
    three, flipped, control = asyncio.run(call_tools(studio.url, [
        ("start_video", {"prompt": "@Mira waves", "references": [mira], "names": ["Mira", "Robo", "Zed"]}),
        ("start_video", {"prompt": "@Zed waves", "references": [mira], "names": ["Mi\u202eRa"]}),
        ("start_video", {"prompt": "character1 waves", "references": [mira], "names": ["Mi\u0007ra"]}),
    ], ANN))
    assert refusal(three) == ("Nothing was sent. There are more names (3) than characters (1): give at most one "
                              'name per reference, in the same order ("" for one without a name).')
    for refused in (flipped, control):
        said = refusal(refused)
        assert said.startswith("Nothing was sent.") and "A character's name is one word" in said
        assert "\u202e" not in said and "\u0007" not in said
    assert "no card is called Zed" in refusal(flipped) and "the cards are named" not in refusal(flipped)
    assert len(studio.studio.manager.list_jobs(owner="ann")) == jobs_before  # no job, so nothing sent
