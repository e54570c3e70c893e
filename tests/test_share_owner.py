"""The owner's side of share links (issue 22) without a browser: what a Share names (a job, a batch's
finished takes, a Compare set), the Share dialog's handlers (the link at the studio's address for
others, the owner's links with their views, revoke), History's picks per take and notes (escaped,
each timed note a seek button), Compare's, and MCP's share_job and list_jobs.  Real job manager,
real share service and store over files the tests make (tests/fixtures_share.py)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import gradio as gr
import pytest

from r2v_ui.mcp import StudioTools, ToolError
from r2v_ui.share.model import Expiry
from r2v_ui.share.service import ShareService
from r2v_ui.ui import feedback, sharepanel
from r2v_ui.workspace import session
from r2v_ui.workspace import sharing
from tests.fixtures_share import Clock, finished_job

VIEWER = "viewer-aaaaaaaaaaaa"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def room(manager):
    """ann's three takes of one batch and one video on its own, bob's one video; a share service over
    the same store."""
    store = manager.store
    for take, color in ((1, "tomato"), (2, "teal"), (3, "gold")):
        finished_job(store, f"take{take}", color=color, batch_id="b1", take=take)
    finished_job(store, "solo")
    finished_job(store, "bobs", owner="bob")
    return manager, ShareService(store, clock=Clock())


def request(host: str = "studio.example:7860", lang: str = "en", user: str | None = None):
    """What a handler reads of a gr.Request: headers, cookies, the login."""
    return SimpleNamespace(headers={"host": host, "accept-language": lang}, cookies={}, username=user,
                           session_hash="s1", url=None)


def panel(manager, shares, **settings_over):
    """The dialog's handlers over a studio's manager and share service (ann is the owner: --auth)."""
    from r2v_ui.config import Settings

    settings = Settings(data_dir=manager.store.data_dir).with_overrides(**settings_over)
    with gr.Blocks():
        w = sharepanel.ShareWidgets(gr.Column(), gr.HTML(), gr.Radio(), gr.Textbox(), gr.Checkbox(), gr.Button(),
                                    gr.HTML(), gr.Radio(), gr.Button(), gr.Button(), gr.State())
    ctx = SimpleNamespace(manager=manager, settings=settings, shares=shares,
                          visitor=lambda req, memory: session.visitor(req, memory, settings))
    return sharepanel.Handlers(ctx, w), w


# --- what a Share names ---------------------------------------------------------------------------

def test_a_batch_share_names_its_finished_takes_in_take_order_and_only_the_owners(room):
    manager, shares = room
    manager.store.update("take3", state="failed")  # a take that ended without a video is left out
    ids = sharing.with_batch(manager, "ann", "take2")
    assert ids == ["take1", "take2", "take3"]
    link = sharing.make_link(shares, manager, "ann", ids, "7d", "pw", True)
    assert link.job_ids == ("take1", "take2") and link.has_password and link.show_prompt
    assert sharing.shared_ids(shares, "ann") == {"take1", "take2"}
    with pytest.raises(sharing.NothingToShare):  # bob's video, seen by ann: nothing of hers
        sharing.make_link(shares, manager, "ann", ["bobs"], "7d", None, False)
    with pytest.raises(sharing.SharingOff):
        sharing.make_link(None, manager, "ann", ["solo"], "7d", None, False)
    with pytest.raises(ValueError):
        sharing.make_link(shares, manager, "ann", ["solo"], "2y", None, False)


def test_links_for_videos_are_the_owners_not_revoked_newest_first(room):
    manager, shares = room
    first = sharing.make_link(shares, manager, "ann", ["solo"], "1d", None, False)
    shares.clock.move(10)
    second = sharing.make_link(shares, manager, "ann", ["take1", "solo"], "never", None, False)
    assert [link.token for link in sharing.links_for(shares, "ann", ["solo"])] == [second.token, first.token]
    assert sharing.links_for(shares, "bob", ["solo"]) == []
    assert not sharing.revoke(shares, "bob", first.token)  # not bob's
    assert sharing.revoke(shares, "ann", first.token)
    assert [link.token for link in sharing.links_for(shares, "ann", ["solo"])] == [second.token]


# --- the Share dialog's handlers ------------------------------------------------------------------

def test_the_dialog_shares_a_batch_with_a_password_at_the_public_address_and_revokes(room):
    manager, shares = room
    h, w = panel(manager, shares, auth=(("ann", "pw"),), public_base_url="https://films.example/")
    ann = request(user="ann")
    opened = h.open(sharepanel.TAKES)("take2", None, ann)
    assert opened[w.target] == ["take1", "take2", "take3"]
    assert "Share these 3 takes" in opened[w.head]
    assert opened[w.said] == "" and opened[w.make].interactive is True

    made = h.make(opened[w.target], "30d", "secret words", False, None, ann)
    url = re.search(r'value="([^"]+)"', made[w.said]).group(1)
    token = url.rsplit("/", 1)[1]
    assert url == f"https://films.example/s/{token}"  # PUBLIC_BASE_URL, not the address asked at
    assert "password separately" in made[w.said] and made[w.password] == ""
    assert "only on this machine" not in made[w.said]
    (label, value), = made[w.links].choices
    assert value == token and made[w.links].value == token
    assert "0 views" in label and "password" in label and token not in label  # the token is not spelt out
    link = shares.links_for_owner("ann")[0]
    assert link.job_ids == ("take1", "take2", "take3") and link.has_password and not link.show_prompt
    assert link.expires_at == shares.clock() + 30 * 86400

    stranger = h.revoke(opened[w.target], token, None, request(user="bob"))  # a token alone is not enough
    assert "no longer one of yours" in stranger[w.said] and shares.links_for_owner("ann")[0].live(shares.clock())
    gone = h.revoke(opened[w.target], token, None, ann)
    assert "revoked" in gone[w.said] and gone[w.links].choices == []
    assert not shares.links_for_owner("ann")[0].live(shares.clock())
    assert "Choose one of your links" in h.revoke(opened[w.target], None, None, ann)[w.said]


def test_a_loopback_studio_says_its_link_works_only_here_in_the_readers_language(room):
    manager, shares = room
    manager.store.update("solo", owner="")  # a private loopback studio: the one library, owner ""
    h, w = panel(manager, shares)
    here = request(host="127.0.0.1:7860", lang="zh-CN")
    opened = h.open(sharepanel.SINGLE)("solo", None, here)
    assert "分享这个视频" in opened[w.head]
    made = h.make(opened[w.target], "never", "", True, None, here)
    assert 'value="http://127.0.0.1:7860/s/' in made[w.said]
    assert "只在本机有效" in made[w.said] and "--share" in made[w.said]
    assert "撤销前一直有效" in made[w.links].choices[0][0]


def test_the_dialog_refuses_others_videos_and_nothing_finished_in_words(room):
    manager, shares = room
    h, w = panel(manager, shares, auth=(("ann", "pw"),))
    ann = request(user="ann")
    opened = h.open(sharepanel.LIST)(["bobs", "nope"], None, ann)
    assert opened[w.target] == [] and opened[w.make].interactive is False
    assert "no finished video to share" in opened[w.said]
    made = h.make(["bobs"], "7d", "", False, None, ann)  # a hand-made call naming bob's video
    assert "no finished video to share" in made[w.said]
    assert shares.links_for_owner("ann") == [] and shares.links_for_owner("bob") == []
    off, w_off = panel(manager, None, auth=(("ann", "pw"),))
    assert "not available" in off.open(sharepanel.SINGLE)("solo", None, ann)[w_off.said]


# --- History and Compare: picks and notes ---------------------------------------------------------

def test_history_shows_picks_per_take_and_escaped_notes_each_time_a_seek_button(room):
    manager, shares = room
    link = shares.create("ann", ["take1", "take2", "take3"], Expiry.WEEK, None, show_prompt=False)
    shares.set_pick(link.token, "take2", VIEWER, "Kim")
    shares.add_note(link.token, "take2", VIEWER, SCRIPT, "arm bends wrong " + SCRIPT, 2.04)
    shares.add_note(link.token, "take2", "viewer-bbbbbbbbbbbb", "", "whole thing is lovely", None)
    takes = [("take1", 1), ("take2", 2), ("take3", 3)]
    counts = sharing.pick_counts(shares, "ann", [j for j, _ in takes])
    assert counts == {"take1": 0, "take2": 1, "take3": 0}
    notes = list(shares.feedback_for_job("ann", "take2").notes)
    out = feedback.history_html("take2", counts, notes, sharing.links_for(shares, "ann", ["take2"]), takes,
                                now=shares.clock())
    assert "<script" not in out and "<img" not in out and "&lt;script&gt;" in out
    assert '<li aria-current="true">Take 2: picked by 1 viewer</li>' in out
    assert "Take 1: picked by 0 viewers" in out
    seek = re.findall(r'<button type="button" class="note-seek" data-seek="history" data-job="take2" '
                      r'data-seconds="([\d.]+)" aria-label="Play from ([\d:]+)">([\d:]+)</button>', out)
    assert seek == [("2.04", "0:02", "0:02")]  # the untimed note has no button
    assert "A viewer" in out and "Shared: 1 live link, 0 views" in out
    assert feedback.history_html("solo", {"solo": 0}, [], []) == ""  # never shared: nothing drawn

    compare = feedback.compare_html("take2", shares.feedback_for_job("ann", "take2"), "zh-CN")
    assert "1 位观看者选了它" in compare and 'data-seek="compare"' in compare and "<script" not in compare
    assert feedback.compare_html("take1", shares.feedback_for_job("ann", "take1")) == ""


# --- MCP ------------------------------------------------------------------------------------------

def test_mcp_shares_a_batch_and_lists_picks_and_notes(room, tmp_path):
    manager, shares = room
    for job_id in ("take1", "take2", "take3", "solo"):  # MCP without --auth is the one local library ("")
        manager.store.update(job_id, owner="")
    from r2v_ui.config import Settings

    tools = StudioTools(manager, Settings(data_dir=tmp_path / "d", public_base_url="https://films.example"),
                        shares=shares)
    answer = json.loads(tools.share_job("take3", whole_batch=True, expiry="1d", password="pw", show_prompt=True))
    assert answer["job_ids"] == ["take1", "take2", "take3"] and answer["password"] is True
    assert answer["url"].startswith("https://films.example/s/") and answer["expires_at"].endswith("Z")
    token = answer["url"].rsplit("/", 1)[1]
    shares.set_pick(token, "take2", VIEWER, "Kim")
    shares.add_note(token, "take2", VIEWER, "Kim", "0:02 arm " + SCRIPT, 2.0)

    jobs = {j["job_id"]: j for j in json.loads(tools.list_jobs())["jobs"]}
    assert jobs["take2"]["picks"] == 1 and jobs["take2"]["shared"] is True
    assert jobs["take2"]["notes"] == [{"name": "Kim", "text": "0:02 arm " + SCRIPT, "seconds": 2.0,
                                      "at": jobs["take2"]["notes"][0]["at"]}]
    assert jobs["solo"]["shared"] is False and jobs["solo"]["picks"] == 0 and jobs["solo"]["notes"] == []
    one = json.loads(tools.share_job("solo"))
    assert one["job_ids"] == ["solo"] and one["password"] is False and one["show_prompt"] is False
    with pytest.raises(ToolError, match="expiry"):
        tools.share_job("solo", expiry="forever")
    with pytest.raises(ToolError, match="no job"):
        tools.share_job("bobs")  # bob's, not in this library


def test_mcp_share_job_gives_the_dialogs_address_and_says_when_it_opens_only_here(room, tmp_path):
    """share_job names the address the Share dialog gives: the --share link once Gradio set it on the Blocks
    (as `launch` does), PUBLIC_BASE_URL before it; without either, on loopback, it says (in the caller's
    language) that the link opens only on this machine, as the dialog does."""
    from r2v_ui.config import Settings
    from r2v_ui.mcp import register
    from r2v_ui.messages import t

    manager, shares = room
    manager.store.update("solo", owner="")  # MCP without --auth is the one local library ("")
    settings = Settings(data_dir=tmp_path / "d")
    demo = gr.Blocks()
    tools = register(demo, manager, settings, shares)
    here = SimpleNamespace(headers={"host": "127.0.0.1:7860", "accept-language": "zh-CN"}, url=None, username=None)
    h, w = panel(manager, shares)

    alone = json.loads(tools.share_job("solo", request=here))
    assert alone["url"].startswith("http://127.0.0.1:7860/s/") and alone["only_this_machine"] is True
    assert alone["note"] == t("share.local_only", "zh-CN", flag="--share") and "只在本机有效" in alone["note"]
    made = h.make(["solo"], "7d", "", False, None, here)  # the dialog says the same sentence
    assert alone["note"] in made[w.said]
    english = json.loads(tools.share_job("solo", request=request(host="127.0.0.1:7860")))
    assert english["note"].startswith("This studio is reachable only on this machine")

    demo.share_url = "https://0123abcd.gradio.live"  # what Blocks.launch(share=True) sets
    h.share_url = lambda: demo.share_url
    shared = json.loads(tools.share_job("solo", request=here))
    token = shared["url"].rsplit("/", 1)[1]
    assert shared["url"] == f"https://0123abcd.gradio.live/s/{token}" and shared["only_this_machine"] is False
    assert "note" not in shared
    dialog = re.search(r'value="([^"]+)"', h.make(["solo"], "7d", "", False, None, here)[w.said]).group(1)
    assert dialog.rsplit("/", 1)[0] == shared["url"].rsplit("/", 1)[0]  # one address rule for both

    public = register(gr.Blocks(), manager, settings.with_overrides(public_base_url="https://films.example"), shares)
    public_answer = json.loads(public.share_job("solo", request=here))
    assert public_answer["url"].startswith("https://films.example/s/") and "note" not in public_answer
