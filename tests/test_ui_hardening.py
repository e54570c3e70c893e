"""The page's side of "nothing lost, nothing stuck, nobody else's key", through Gradio's API on a
real studio (demo mode, loopback): a deleted video is no longer served from any copy the page
handed out; a video deleted by hand is shown as missing and fetched again without a second submit;
a stall shows its notice in the status; and who holds a typed key."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from r2v_ui.ui import status
from r2v_ui.workspace import session
from r2v_ui.workspace import filenames
from tests.fixtures_ui import running_studio
from tests.fixtures_jobs import snapshot

gradio_client = pytest.importorskip("gradio_client")

FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=False, watermark=False,
            seed_mode="random", seed=None)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("hardening-data"), finish_seconds=1.0) as s:
        yield s


def _submits(studio) -> int:
    return httpx.get(studio.studio.emulator.base_url + "/emulator/stats").json()["submits"]


def _new_finished_job(studio, downloads: Path):
    """A fresh session that loads the example cast and makes one video; returns (client, job id).
    The client keeps its downloads in its own folder (on one machine it would share Gradio's)."""
    client = gradio_client.Client(studio.url, verbose=False, download_files=str(downloads))
    prompt = client.predict(api_name="/load_example_cast")[-3]
    before = {s.job_id for s in studio.studio.manager.list_jobs()}
    client.predict(prompt, *FORM.values(), api_name="/generate")
    outputs = client.submit(api_name="/watch_job").result(timeout=120)
    assert 'data-state="succeeded"' in outputs[0]
    (job_id,) = {s.job_id for s in studio.studio.manager.list_jobs()} - before  # this session's own job
    return client, job_id


def _served_url(studio, shown: str) -> str:
    """The URL at which Gradio serves a file a handler returned (its cache copy)."""
    return f"{studio.url}/gradio_api/file={shown}"


def test_a_deleted_video_is_no_longer_served_from_any_copy_the_page_handed_out(studio, tmp_path):
    client, job_id = _new_finished_job(studio, tmp_path)
    snap = studio.studio.manager.snapshot(job_id)
    detail = client.predict(job_id, api_name="/job_detail")
    # Served under the name a person can file it by (the library keeps its own name): both looked for,
    # and only this job's copies (another job of the same cast, prompt and seed has the same filing name).
    names = {snap.video_path.name, filenames.for_snapshot(snap)}
    video = snap.video_path.stat()
    cache = Path(studio.studio.demo.GRADIO_CACHE)

    def copies_of_this_video() -> list[Path]:
        return [p for name in names for p in cache.rglob(name)
                if (p.stat().st_dev, p.stat().st_ino) == (video.st_dev, video.st_ino)
                or (p.name == snap.video_path.name and p.stat().st_size == video.st_size)]

    cached = copies_of_this_video()
    assert cached, "the detail view serves the video from Gradio's cache"
    for p in cached:
        assert httpx.get(_served_url(studio, p)).status_code == 200
    assert detail is not None

    client.predict("all", "", api_name="/delete_job")

    assert studio.studio.manager.snapshot(job_id) is None and not snap.video_path.exists()
    for p in cached:
        assert not p.exists()
        assert httpx.get(_served_url(studio, p)).status_code in (403, 404)  # no longer served
    assert not copies_of_this_video()
    assert not list(Path(studio.studio.demo.GRADIO_CACHE).rglob(snap.poster_path.name))


def test_a_video_deleted_by_hand_is_shown_missing_and_fetched_again_without_a_second_submit(studio, tmp_path):
    client, job_id = _new_finished_job(studio, tmp_path)
    snap = studio.studio.manager.snapshot(job_id)
    before = _submits(studio)
    snap.video_path.unlink()

    detail = client.predict(job_id, api_name="/job_detail")
    text = " ".join(str(v) for v in detail)
    assert "no longer in the library" in text and "Finished" not in detail[2]

    client.predict(api_name="/retry")  # "Try again" on the job this tab shows
    outputs = client.submit(api_name="/watch_job").result(timeout=120)
    assert 'data-state="succeeded"' in outputs[0]
    assert studio.studio.manager.snapshot(job_id).video_path == snap.video_path and snap.video_path.is_file()
    assert _submits(studio) == before


def test_the_status_shows_why_a_running_job_is_stalled():
    snap = snapshot("queued", "Queued at the service…", created_at=0.0,
                    notice="The service asked us to wait for 60 min. The job is safe at the service.")
    html = status.stage_html(snap)
    assert 'id="job-notice"' in html and "asked us to wait for 60 min" in html
    assert "job-notice" not in status.stage_html(replace(snap, notice=None))


def test_a_failure_is_said_once():
    snap = snapshot("failed", "Failed: the link broke.", created_at=0.0, error="the link broke.", warnings=())
    assert len(re.findall("the link broke", status.stage_html(snap))) == 1


def test_a_typed_key_belongs_to_the_login_or_else_to_the_browser():
    ann = SimpleNamespace(username="ann", session_hash="s1")
    anon = SimpleNamespace(username=None, session_hash="s2")
    assert session.holder(ann, "browser-x") == session.holder(ann, "browser-y") == "login:ann"
    assert session.holder(anon, "browser-x") != session.holder(anon, "browser-y")
    assert session.holder(anon, None) == "session:s2"
    held = session.SessionKey("made-up-key-123", "browser:x")
    assert "made-up-key-123" not in repr(held) and session.key_of(held) == "made-up-key-123"
    assert session.key_of(None) is None and session.holder_of_key(None) == ""


def test_after_a_delete_the_detail_shows_the_next_video_in_the_list(studio, tmp_path):
    client, older = _new_finished_job(studio, tmp_path / "a")
    _, newer = _new_finished_job(studio, tmp_path / "b")
    client.predict(newer, api_name="/job_detail")  # the newest is open, as after a click in the list
    outputs = client.predict("all", "", api_name="/delete_job")
    text = " ".join(str(v) for v in outputs)
    assert studio.studio.manager.snapshot(newer) is None
    assert older in text  # the next one in the list is shown, not an empty pane
