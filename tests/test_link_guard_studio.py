"""A shared studio refuses local links at every door (hosting/link_guard.py): a card's link on the page
(its own event, driven with gradio_client), the MCP tools (a reference and a voice clip), and the job
itself, which checks each link again before sending: a refused link never reaches the service.  The
loopback server behind the links counts 0 requests; the embedded emulator counts 0 submits."""

from __future__ import annotations

import asyncio

import pytest
from gradio_client import Client

from r2v_ui.jobs import JobDraft, Reference
from tests.fixtures_jobs import wait_for_state
from tests.fixtures_ui import running_studio, submits

pytest.importorskip("mcp")

from tests.test_mcp_tools import answer, call_tools, refusal  # noqa: E402

WHY = "leads to a private or local network address"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The real studio, reachable by others (--host 0.0.0.0 in its settings; served here on loopback)."""
    with running_studio(tmp_path_factory.mktemp("shared-links"), finish_seconds=1.0, host="0.0.0.0", mcp=True) as s:
        assert s.studio.settings.reachable_by_others
        yield s


def card_link_event(client: Client) -> int:
    config = client.config
    button = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "card-1-use-link")
    return next(d["id"] for d in config["dependencies"] if [button, "click"] in [list(t) for t in d["targets"]])


def test_a_card_link_to_this_machine_is_refused_on_the_page_in_any_spelling(shared, local):
    client = Client(shared.url, verbose=False)
    event = card_link_event(client)
    for link in local.links:
        face = client.predict(link, fn_index=event)[0]
        assert 'data-verdict="refused"' in face and WHY in face, (link, face)
        assert "text/plain" not in face
    chinese = Client(shared.url, verbose=False, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    face = chinese.predict(local.links[0], fn_index=card_link_event(chinese))[0]
    assert "私有或本地网络地址" in face
    assert local.hits == []


def test_mcp_references_and_voices_to_this_machine_are_refused_and_nothing_is_sent(shared, local):
    before = submits(shared)
    picture = local.links[0].replace("secret.txt", "face.png")  # a picture the service could use, were it public
    calls = [("check_reference", {"reference": link}) for link in local.links]
    calls += [("check_reference", {"reference": local.links[1], "kind": "voice"}),
              ("start_video", {"prompt": "character1 waves", "references": [picture]}),
              ("start_video", {"prompt": "character1 waves", "references": [picture.replace("127.0.0.1", "127.1")],
                               "voices": [local.links[2]]})]
    results = asyncio.run(call_tools(shared.url, calls))
    for result in results[:len(local.links)]:
        verdict = answer(result)
        assert verdict["verdict"] == "refused" and WHY in verdict["message"], verdict
    voice = answer(results[len(local.links)])
    assert voice["verdict"] == "refused" and WHY in voice["message"]
    for started in results[-2:]:
        assert refusal(started).startswith("Nothing was sent.") and WHY in refusal(started)
    assert local.hits == [] and submits(shared) == before


def test_a_job_holding_a_link_to_this_machine_is_refused_before_anything_is_sent(shared, local):
    """A link that never went through a card (an old job remixed, an API draft) is checked again by the
    job itself: the job fails in words and the service is never sent it."""
    before = submits(shared)
    link = local.links[0].replace("secret.txt", "face.png")
    draft = JobDraft(references=(Reference(kind="image", url=link),), prompt="character1 waves",
                     size="1280*720", duration=2)
    job_id = shared.studio.manager.start(draft)
    snap, _ = wait_for_state(shared.studio.manager, job_id, {"failed", "succeeded", "uncertain"})
    assert snap.state == "failed" and WHY in str(snap.error)
    assert local.hits == [] and submits(shared) == before
