"""The studio as an MCP server, driven by the `mcp` package's own client over loopback (Gradio's
streamable HTTP transport at /gradio_api/mcp/): the real studio in demo mode with its embedded
emulator, with two logins.  An assistant lists the tools, makes a video from two references and a
prompt and downloads a playable MP4 (the emulator counting exactly one submit); a refused reference
comes back as the very sentence the page's card shows; each login sees only its own jobs; the key
never appears in an answer.  One launch for the module."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import re
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from r2v_ui import mcp as studio_mcp
from r2v_ui.mcp import refs
from r2v_ui.workspace import cast as cast_mod
from r2v_ui.workspace.cast import Card
from tests.fixtures_ui import character_png, running_studio

USERS = (("ann", "ann-pass-1"), ("bob", "bob-pass-2"))
PROMPT = "character1 hands character2 an umbrella in the rain"


def login(user: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()}


ANN, BOB = login(USERS[0]), login(USERS[1])


def data_uri(path: Path, mime: str = "image/png") -> str:
    return f"data:{mime};name={path.name};base64," + base64.b64encode(path.read_bytes()).decode()


@contextlib.asynccontextmanager
async def mcp_session(url: str, headers: dict | None = None):
    """An initialized MCP client session with the studio, sending `headers` with every request."""
    async with httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(30.0, read=300.0)) as http:
        async with streamable_http_client(url + "/gradio_api/mcp/", http_client=http) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


async def call_tools(url: str, calls: list[tuple[str, dict]], headers: dict | None = None) -> list:
    """One MCP session: each (tool, arguments) in turn; the CallToolResults."""
    async with mcp_session(url, headers) as session:
        return [await session.call_tool(name, args) for name, args in calls]


async def call(url: str, name: str, args: dict, headers: dict | None = None):
    return (await call_tools(url, [(name, args)], headers))[0]


def answer(result) -> dict:
    assert not result.isError, result.content[0].text
    return json.loads(result.content[0].text)


def refusal(result) -> str:
    assert result.isError, result.content[0].text
    return result.content[0].text


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("mcp-data"), finish_seconds=1.0, auth=list(USERS), mcp=True) as s:
        yield s


def submits(studio) -> int:
    return studio.studio.emulator.state.stats()["submits"]


@pytest.fixture(scope="module")
def ann_video(studio, tmp_path_factory):
    """Ann's assistant makes a video from two pictures and a prompt, and waits for it."""
    pics = tmp_path_factory.mktemp("mcp-pics")
    alice = character_png(pics / "alice.png", (220, 60, 60))
    bruno = character_png(pics / "bruno.png", (60, 90, 220))
    before = submits(studio)

    async def make() -> tuple[dict, list[dict], list[str]]:
        started = await call(studio.url, "start_video", {
            "prompt": PROMPT, "references": [data_uri(alice), data_uri(bruno)],
            "resolution": "720P", "aspect_ratio": "16:9", "duration": 2, "seed": 1234,
        }, ANN)
        first = answer(started)
        texts = [started.content[0].text]
        waits = []
        for _ in range(10):  # each wait is bounded by the tool; a demo job ends within a few
            result = await call(studio.url, "wait_for_job", {"job_id": first["job_ids"][0], "timeout_seconds": 60}, ANN)
            texts.append(result.content[0].text)
            waits.append(answer(result))
            if waits[-1]["done"]:
                break
        return first, waits, texts

    first, waits, texts = asyncio.run(make())
    return {"start": first, "final": waits[-1], "texts": texts, "submits": submits(studio) - before}


def test_the_studio_lists_its_tools_and_only_them(studio):
    async def tools():
        async with mcp_session(studio.url) as session:  # listing needs no login
            return (await session.list_tools()).tools

    listed = {t.name: t for t in asyncio.run(tools())}
    assert set(listed) == set(studio_mcp.TOOL_NAMES)  # none of the page's own endpoints
    for tool in listed.values():
        assert len(tool.description) > 60, tool.name
        assert "request" not in tool.inputSchema["properties"]
    start = listed["start_video"].inputSchema
    assert set(start["required"]) == {"prompt", "references"}
    assert start["properties"]["references"]["type"] == "array"
    assert "character1" in start["properties"]["prompt"]["description"]
    assert {"resolution", "aspect_ratio", "duration", "shot_type", "audio", "watermark", "seed", "voices",
            "negative_prompt"} <= set(start["properties"])


def test_an_assistant_makes_a_video_from_two_references_and_a_prompt(studio, ann_video):
    import av

    start, final = ann_video["start"], ann_video["final"]
    assert len(start["job_ids"]) == 1 and start["mode"].startswith("demo") and "estimate" in start["price_estimate"]
    assert final["state"] == "succeeded" and final["video_ready"]
    assert final["settings"] == {"prompt": PROMPT, "negative_prompt": "", "size": "1280*720", "duration": 2,
                                 "shot_type": "single", "audio": True, "watermark": False, "seed": 1234}
    assert [c["name"] for c in final["characters"]] == ["alice.png", "bruno.png"]
    assert ann_video["submits"] == 1  # exactly one submit for one video

    # The link works without a login (an MCP client has no browser cookie) and is a playable MP4.
    video = httpx.get(final["video_url"], timeout=60)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert len(video.content) == final["video_bytes"] and video.content[4:8] == b"ftyp"
    with av.open(io.BytesIO(video.content)) as container:
        stream = container.streams.video[0]
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (640, 360)  # the demo's preview of a 1280*720 job (settings above)
        assert stream.codec_context.name == "h264"
    bad = final["video_url"].rsplit("/", 2)[0] + "/not-a-token/" + final["video_file"]
    assert httpx.get(bad, timeout=30).status_code == 404

    # The same job the page shows in ann's History; the key is in no answer.
    assert [s.job_id for s in studio.studio.manager.list_jobs(owner="ann")] == start["job_ids"]
    key = studio.studio.emulator.config.api_key
    assert key and all(key not in text for text in ann_video["texts"])


def test_a_refused_reference_gives_the_sentence_the_page_shows(studio, tmp_path):
    """A file uploaded to the studio (as Gradio's upload helper does) and checked as a reference gives
    the card's own verdict: the page's handler runs cast.check_media on the upload, which is what
    the tool runs too.  Starting a video with it sends nothing."""
    tiny = character_png(tmp_path / "tiny.png", (60, 200, 60), size=(100, 100))
    with httpx.Client(base_url=studio.url, timeout=30) as web:
        assert web.post("/login", data={"username": USERS[0][0], "password": USERS[0][1]}).status_code == 200
        uploaded = web.post("/gradio_api/upload", files={"files": ("tiny.png", tiny.read_bytes(), "image/png")}).json()[0]
    link = f"{studio.url}/gradio_api/file={uploaded}"
    page_card = cast_mod.check_media(Card(), uploaded, 1, [Card()], 0,
                                     work_dir=tmp_path / "checked")
    assert page_card.verdict == "refused" and "tiny.png" in str(page_card.message)

    before, jobs_before = submits(studio), len(studio.studio.manager.list_jobs(owner="ann"))
    checked, started = asyncio.run(call_tools(studio.url, [
        ("check_reference", {"reference": link}),
        ("start_video", {"prompt": "character1 waves", "references": [link]}),
    ], ANN))
    verdict = answer(checked)
    assert verdict["verdict"] == "refused"
    assert verdict["message"] == str(page_card.message)
    assert refusal(started) == f"Nothing was sent. character1: {page_card.message}"
    assert submits(studio) == before and len(studio.studio.manager.list_jobs(owner="ann")) == jobs_before


def test_a_refused_link_gives_the_sentence_the_page_shows(studio):
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.fixtures_hosting import OWN_STUDIO, LoopbackServer

    async def gone(request):
        return Response("no such file", status_code=404)

    with LoopbackServer(Starlette(routes=[Route("/gone.png", gone, methods=["GET", "HEAD"])])) as server:
        link = f"{server.base_url}/gone.png"
        page_card = asyncio.run(cast_mod.check_link(Card(), link, 1, [Card()], 0, guard=OWN_STUDIO))
        verdict = answer(asyncio.run(call(studio.url, "check_reference", {"reference": link}, ANN)))
    assert page_card.verdict == "refused" and "points to nothing" in str(page_card.message)
    assert verdict == {"verdict": "refused", "message": str(page_card.message), "media": None}


DURATION_SAID = "The duration must be a whole number of seconds from 2 to 10."
SEED_SAID = "The seed must be a whole number from 0 to 2147483647."


@pytest.mark.parametrize("numbers,said", [
    ({"duration": 11}, DURATION_SAID), ({"duration": -1}, DURATION_SAID), ({"duration": 1}, DURATION_SAID),
    ({"seed": -1}, SEED_SAID), ({"seed": 2**31}, SEED_SAID),
], ids=["duration 11", "duration -1", "duration 1", "seed -1", "seed 2^31"])
def test_a_number_out_of_range_is_refused_in_the_pages_words_and_nothing_is_sent(studio, tmp_path, numbers, said):
    picture = data_uri(character_png(tmp_path / "mira.png", (200, 90, 120)))
    before, jobs_before = submits(studio), len(studio.studio.manager.list_jobs(owner="ann"))

    started = asyncio.run(call(studio.url, "start_video",
                               {"prompt": "character1 waves", "references": [picture], **numbers}, ANN))

    assert refusal(started) == f"Nothing was sent. {said}"
    assert submits(studio) == before and len(studio.studio.manager.list_jobs(owner="ann")) == jobs_before


def test_a_price_for_a_duration_out_of_range_is_refused_in_the_pages_words(studio):
    refused = asyncio.run(call(studio.url, "estimate_price", {"resolution": "720P", "duration": 11}, ANN))
    assert refusal(refused) == DURATION_SAID


def test_with_a_login_each_assistant_sees_only_its_own_jobs(studio, ann_video):
    ann_job = ann_video["start"]["job_ids"][0]
    listed, status, waited, detail = asyncio.run(call_tools(studio.url, [
        ("list_jobs", {}),
        ("job_status", {"job_id": ann_job}),
        ("wait_for_job", {"job_id": ann_job, "timeout_seconds": 0}),
        ("list_jobs", {"search": "UMBRELLA"}),
    ], BOB))
    assert answer(listed) == {"count": 0, "jobs": []}
    assert "There is no job" in refusal(status) and "There is no job" in refusal(waited)
    assert answer(detail)["count"] == 0

    mine = answer(asyncio.run(call(studio.url, "list_jobs", {"search": "UMBRELLA"}, ANN)))
    assert [j["job_id"] for j in mine["jobs"]] == [ann_job]

    anonymous = asyncio.run(call(studio.url, "list_jobs", {}))
    assert refusal(anonymous) == studio_mcp.LOGIN_NEEDED
    wrong = asyncio.run(call(studio.url, "job_status", {"job_id": ann_job}, login(("ann", "not-her-password"))))
    assert refusal(wrong) == studio_mcp.BAD_LOGIN


def test_an_assistant_shares_its_video_and_reads_back_picks_and_notes(studio, ann_video):
    """share_job over MCP with a login: the link opens without one (its password form); another login
    cannot share ann's video; list_jobs then carries what a viewer said."""
    ann_job = ann_video["start"]["job_ids"][0]
    shared, = asyncio.run(call_tools(studio.url, [
        ("share_job", {"job_id": ann_job, "expiry": "1d", "password": "heron", "show_prompt": True})], ANN))
    link = answer(shared)
    assert link["job_ids"] == [ann_job] and link["password"] is True and link["show_prompt"] is True
    assert re.fullmatch(re.escape(studio.url) + r"/s/[A-Za-z0-9_-]{32}", link["url"]), link["url"]
    page = httpx.get(link["url"])
    assert page.status_code == 200 and 'type="password"' in page.text  # no login asked, the password is
    refused = asyncio.run(call(studio.url, "share_job", {"job_id": ann_job}, BOB))
    assert "There is no job" in refusal(refused)

    token = link["url"].rsplit("/", 1)[1]
    shares = studio.studio.shares
    shares.set_pick(token, ann_job, "viewer-aaaaaaaaaaaa", "Kim")
    shares.add_note(token, ann_job, "viewer-aaaaaaaaaaaa", "Kim", "the umbrella flips <b>here</b>", 1.5)
    job, = answer(asyncio.run(call(studio.url, "list_jobs", {"search": "UMBRELLA"}, ANN)))["jobs"]
    assert job["shared"] is True and job["picks"] == 1
    assert [(n["name"], n["text"], n["seconds"]) for n in job["notes"]] == [("Kim", "the umbrella flips <b>here</b>", 1.5)]


def test_the_price_is_an_estimate_from_the_studios_table(studio):
    price = answer(asyncio.run(call(studio.url, "estimate_price", {
        "resolution": "720P", "duration": 4, "reference_video_seconds": [8.0]}, ANN)))
    table = studio.studio.settings.price
    expected = table.estimate("1280*720", 4, [8.0])
    assert (price["low_usd"], price["high_usd"], price["estimate"]) == (expected.low, expected.high, expected.label())
    wrong = asyncio.run(call(studio.url, "estimate_price", {"resolution": "4K"}, ANN))
    assert "resolution must be one of 720P, 1080P" in refusal(wrong)


def test_only_links_data_and_uploads_can_name_a_file(studio, tmp_path):
    secret = tmp_path / "private.png"
    secret.write_bytes(b"not for assistants")
    by_path, by_file_link = asyncio.run(call_tools(studio.url, [
        ("check_reference", {"reference": str(secret)}),
        ("check_reference", {"reference": f"{studio.url}/gradio_api/file={secret}"}),
    ], ANN))
    assert "Paths on the studio's disk cannot be used" in refusal(by_path)
    # A /gradio_api/file= link outside Gradio's upload folder is just a link (here one that needs a login).
    assert answer(by_file_link)["verdict"] == "refused"
    assert studio_mcp.uploaded_file(f"http://x/gradio_api/file={secret}", own={"http://x"}, issued={str(secret)}) is None
    from gradio.utils import get_upload_folder

    sneaky = f"{get_upload_folder()}/../../{secret}"
    assert studio_mcp.uploaded_file(f"http://x/gradio_api/file={sneaky}", own={"http://x"}, issued={sneaky}) is None


def test_the_local_cache_is_opened_only_for_uploads_this_studio_issued_at_its_own_address(studio, tmp_path):
    """Gradio's cache folder is shared by every studio on the machine and holds the page's served copies
    (another instance's videos among them): a `/gradio_api/file=` link opens a local file only when it
    names this studio and a file this studio's upload route issued; any other such link is just a link."""
    from gradio.utils import get_upload_folder

    from tests.fixtures_hosting import closed_port

    other = Path(get_upload_folder()) / f"other-instance-{tmp_path.name}"
    other.mkdir(parents=True, exist_ok=True)
    theirs = character_png(other / "their-video-poster.png", (20, 120, 60))
    mira = character_png(tmp_path / "mira.png", (200, 40, 60))
    with httpx.Client(base_url=studio.url, timeout=30) as web:
        assert web.post("/login", data={"username": USERS[0][0], "password": USERS[0][1]}).status_code == 200
        ours = web.post("/gradio_api/upload", files={"files": ("mira.png", mira.read_bytes(), "image/png")}).json()[0]
    elsewhere = f"http://127.0.0.1:{closed_port()}"
    here_theirs, away_theirs, away_ours, here_ours = asyncio.run(call_tools(studio.url, [
        ("check_reference", {"reference": f"{studio.url}/gradio_api/file={theirs}"}),
        ("check_reference", {"reference": f"{elsewhere}/gradio_api/file={theirs}"}),
        ("check_reference", {"reference": f"{elsewhere}/gradio_api/file={ours}"}),
        ("check_reference", {"reference": f"{studio.url}/gradio_api/file={ours}"}),
    ], ANN))
    # Not opened from the disk: fetched as the links they are (this studio's file route wants a login;
    # nothing answers at the other address), so refused.
    assert answer(here_theirs)["verdict"] == "refused"
    assert answer(away_theirs)["verdict"] == "refused" and "cannot be reached" in answer(away_theirs)["message"]
    assert answer(away_ours)["verdict"] == "refused" and "cannot be reached" in answer(away_ours)["message"]
    # This studio's own upload, at its own address, is used from the disk as before.
    assert answer(here_ours)["verdict"] == "accepted" and answer(here_ours)["media"] == "image"


# --- small parts, without a server ----------------------------------------------------------------

def test_data_uris_are_decoded_into_safely_named_files(tmp_path):
    ref = refs._save_data_uri("data:image/png;name=..%2F..%2Fetc%2Fpasswd.png;base64,"
                              + base64.b64encode(b"png bytes").decode(), tmp_path / "1", "character1")
    assert ref.path.parent == tmp_path / "1" and ref.name == "passwd.png" and ref.path.read_bytes() == b"png bytes"
    unnamed = refs._save_data_uri("data:audio/wav;base64,AAAA", tmp_path / "2", "character2-voice")
    assert unnamed.name == "character2-voice.wav"
    with pytest.raises(studio_mcp.ToolError, match="base64"):
        refs._save_data_uri("data:image/png,plain", tmp_path / "3", "character1")
    with pytest.raises(studio_mcp.ToolError, match="not valid base64"):
        refs._save_data_uri("data:image/png;base64,@@@@", tmp_path / "4", "character1")


def test_result_links_expire_and_serve_only_what_was_issued(tmp_path):
    now = [1000.0]
    links = studio_mcp.ResultLinks(ttl_seconds=60, clock=lambda: now[0])
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"....ftyp")
    path = links.issue(video)
    _, prefix, token, name = path.split("/")
    assert "/" + prefix == studio_mcp.RESULT_PREFIX and name == "clip.mp4" and len(token) >= 32
    assert links.lookup(token, name) == video
    assert links.lookup(token, "other.mp4") is None and links.lookup("guess", name) is None
    now[0] += 61
    assert links.lookup(token, name) is None


def test_without_a_login_every_caller_is_the_one_local_library():
    from r2v_ui.config import Settings

    tools = studio_mcp.StudioTools(manager=None, settings=Settings())
    assert tools._owner(None) == ""
    tools.auth = (("ann", "pw"),)
    with pytest.raises(studio_mcp.ToolError):
        tools._owner(None)
