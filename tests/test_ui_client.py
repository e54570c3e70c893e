"""The real studio on loopback (demo mode, emulator), driven through Gradio's API with gradio_client:
the example cast generates a real MP4; with --auth, a second user can see, open or delete none of
the first user's jobs through the API routes.  One launch for the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_ui import running_studio

gradio_client = pytest.importorskip("gradio_client")

USERS = (("ann", "ann-pass-1"), ("bob", "bob-pass-2"))
FORM = dict(negative="", tier="720P", aspect="16:9", duration=3, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("client-data"), finish_seconds=3.0, auth=list(USERS)) as s:
        yield s


def client_for(studio, user: tuple[str, str]):
    return gradio_client.Client(studio.url, auth=user, verbose=False)


def generate(client, prompt: str) -> tuple:
    client.predict(prompt, *FORM.values(), api_name="/generate")
    return client.submit(api_name="/watch_job").result(timeout=120)


def video_path(value) -> Path:
    if isinstance(value, dict):
        value = value.get("video") or value.get("value") or value.get("path")
    return Path(value)


@pytest.fixture(scope="module")
def ann_job(studio):
    ann = client_for(studio, USERS[0])
    cast = ann.predict(api_name="/load_example_cast")
    prompt = cast[-3]
    assert "character1" in prompt and "character2" in prompt
    outputs = generate(ann, prompt)
    jobs = studio.studio.manager.list_jobs(owner="ann")
    assert len(jobs) == 1
    return ann, outputs, jobs[0]


def test_example_cast_generates_an_mp4(ann_job):
    _, outputs, job = ann_job
    status_html, video = outputs[0], video_path(outputs[1])
    assert 'data-state="succeeded"' in status_html
    assert video.is_file() and video.stat().st_size > 1000
    with video.open("rb") as f:
        assert f.read(12)[4:8] == b"ftyp", "not an MP4 file"
    assert job.state == "succeeded" and job.owner == "ann"
    assert "Seed used" in outputs[3]


def test_a_request_without_characters_is_refused_and_nothing_starts(studio):
    bob = client_for(studio, USERS[1])
    alert = bob.predict("character1 waves", *FORM.values(), api_name="/generate")
    assert "Nothing was sent" in str(alert)
    assert studio.studio.manager.list_jobs(owner="bob") == []


def test_another_user_cannot_list_open_or_delete_the_first_users_jobs(studio, ann_job):
    _, _, job = ann_job
    bob = client_for(studio, USERS[1])
    gallery, empty_note = bob.predict("all", "", api_name="/list_history")
    assert gallery in ([], None)
    detail = bob.predict(job.job_id, api_name="/job_detail")
    video, info, download = detail  # the API returns the detail view's video, text and download
    assert video is None and info == "" and not (isinstance(download, dict) and download.get("visible"))
    with pytest.raises(Exception):
        bob.predict(api_name="/delete_job")  # the job to delete comes from bob's own selection: none
    assert studio.studio.manager.snapshot(job.job_id, owner="ann") is not None

    ann = client_for(studio, USERS[0])
    gallery, _ = ann.predict("all", "", api_name="/list_history")
    assert len(gallery) == 1
    detail = ann.predict(job.job_id, api_name="/job_detail")
    assert video_path(detail[0]).is_file() and job.job_id in detail[1]
