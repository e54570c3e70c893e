"""The real studio on loopback (demo mode, emulator), driven through Gradio's API with gradio_client:
the example cast generates a real MP4; with --auth, a second user can see, open, download or delete
none of the first user's jobs through the API routes (nor fetch her files by their path); the
hosting check; and the History actions (remix, reuse seed, delete, retry) and the decision on an
uncertain submit, against faults injected into the emulator.  One launch for the module."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.fixtures_ui import running_studio, served_file

gradio_client = pytest.importorskip("gradio_client")

USERS = (("ann", "ann-pass-1"), ("bob", "bob-pass-2"), ("cy", "cy-pass-3"))
FORM = dict(negative="", tier="720P", aspect="16:9", duration=3, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("client-data"), finish_seconds=3.0, auth=list(USERS)) as s:
        yield s


def client_for(studio, user: tuple[str, str]):
    return gradio_client.Client(studio.url, auth=user, verbose=False)


def generate(client, prompt: str) -> tuple:
    """Generate, as the page does; the same draft again within a few seconds asks first, and the
    test answers "Yes, start another" (/confirm_generate) as a user would."""
    alert, confirm = client.predict(prompt, *FORM.values(), api_name="/generate")
    if "start another" in str(confirm).lower():
        client.predict(prompt, *FORM.values(), api_name="/confirm_generate")
    return client.submit(api_name="/watch_job").result(timeout=120)


def listed(client) -> list[str]:
    return [j["job_id"] for j in client.predict("all", "", 0, api_name="/list_history")["jobs"]]


def video_path(value) -> Path:
    if isinstance(value, str) and "<video" in value:
        return served_file(value)
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
    alert, _ = bob.predict("character1 waves", *FORM.values(), api_name="/generate")
    assert "Nothing was sent" in str(alert)
    assert studio.studio.manager.list_jobs(owner="bob") == []


def test_another_user_cannot_list_open_or_delete_the_first_users_jobs(studio, ann_job):
    _, _, job = ann_job
    bob = client_for(studio, USERS[1])
    assert listed(bob) == []
    detail = bob.predict(job.job_id, api_name="/job_detail")
    video, info, download = detail  # the API returns the detail view's video, text and download
    assert not video and info == "" and not (isinstance(download, dict) and download.get("visible"))
    # Bob opens ann's job by its id (as if he had guessed it) and confirms "delete": a real request,
    # with every argument the route takes, refused in words; ann's job and its file stay.
    bob.predict(job.job_id, api_name="/job_detail")
    with pytest.raises(gradio_client.exceptions.AppError, match="not in your history"):
        bob.predict("all", "", api_name="/delete_job")
    assert studio.studio.manager.snapshot(job.job_id, owner="ann") is not None
    assert Path(job.video_path).is_file()

    ann = client_for(studio, USERS[0])
    assert listed(ann) == [job.job_id]
    detail = ann.predict(job.job_id, api_name="/job_detail")
    assert video_path(detail[0]).is_file() and job.job_id in detail[1]


def login(studio, user: tuple[str, str]) -> httpx.Client:
    http = httpx.Client(base_url=studio.url, timeout=30)
    r = http.post("/login", data={"username": user[0], "password": user[1]})
    assert r.status_code in (200, 302, 303), r.text
    return http


def test_nobody_fetches_a_library_file_by_its_path_but_the_owner_sees_her_video(studio, ann_job):
    _, _, job = ann_job
    library_mp4 = Path(job.video_path)
    assert library_mp4.is_file() and str(studio.data_dir) in str(library_mp4)
    for user in (USERS[1], USERS[0]):  # bob guessing the path, and not even ann by path
        http = login(studio, user)
        try:
            assert http.get("/gradio_api/info").status_code == 200  # signed in
            r = http.get(f"/gradio_api/file={library_mp4}")
            assert r.status_code in (403, 404), (user[0], r.status_code)
        finally:
            http.close()
    ann = client_for(studio, USERS[0])
    shown = video_path(ann.predict(job.job_id, api_name="/job_detail")[0])
    assert shown.read_bytes() == library_mp4.read_bytes()  # served from Gradio's cache copy


def test_hosting_check_in_demo_mode_tests_the_emulator_for_real(studio):
    info, result = client_for(studio, USERS[1]).predict(api_name="/check_hosting")
    assert "built-in emulator hosts your files" in info
    assert 'data-kind="ok"' in result and "Works" in result and studio.studio.emulator.base_url in result


def test_hosting_check_answers_a_chinese_browser_in_chinese(studio):
    from tests.lang_terms import foreign_words

    zh = gradio_client.Client(studio.url, auth=USERS[1], verbose=False, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    info, result = zh.predict(api_name="/check_hosting")
    assert "内置模拟服务托管你的文件" in info and "✓ 正常" in result
    words = info + result.replace(studio.studio.emulator.base_url, "")
    assert foreign_words(re.sub(r"<[^>]+>", "", words)) == [], words


# --- History actions and decisions (user "cy") -------------------------------------------------

def emulator(studio, method: str, path: str, **kw):
    r = httpx.request(method, studio.studio.emulator.base_url + path, timeout=10, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def submits(studio) -> int:
    return emulator(studio, "GET", "/emulator/stats")["submits"]


def watch(client) -> tuple:
    return client.submit(api_name="/watch_job").result(timeout=120)


def state_of(outputs) -> str:
    import re

    return re.search(r'data-state="([a-z]+)"', outputs[0]).group(1)


@pytest.fixture(scope="module")
def cy(studio):
    client = client_for(studio, USERS[2])
    cast = client.predict(api_name="/load_example_cast")
    return client, cast[-3]


def job_made_by(studio, owner: str, action) -> tuple:
    """Run `action` (which starts one job for `owner`) and return (its outputs, that job): found by
    what is new in the owner's history, never by "the newest job", which another test may have made."""
    before = {j.job_id for j in studio.studio.manager.list_jobs(owner=owner)}
    outputs = action()
    made = [j for j in studio.studio.manager.list_jobs(owner=owner) if j.job_id not in before]
    assert len(made) == 1, [j.job_id for j in made]
    return outputs, made[0]


def test_remix_restores_the_whole_form_and_reuse_seed_sets_it(studio, cy):
    client, prompt = cy
    outputs, job = job_made_by(studio, "cy", lambda: generate(client, prompt))
    assert state_of(outputs) == "succeeded"
    job = studio.studio.manager.snapshot(job.job_id, owner="cy")
    client.predict(job.job_id, api_name="/job_detail")  # opens it, as a click in the gallery does
    restored = client.predict(api_name="/remix")
    text = " ".join(str(v) for v in restored)
    for ref in job.references:  # every card comes back with its reference
        assert ref["name"] in text
    assert prompt in restored and "720P" in restored and "16:9" in restored
    seed_mode, seed = client.predict(api_name="/reuse_job_seed")[:2]
    seed = seed.get("value") if isinstance(seed, dict) else seed  # the number box comes back as an update
    assert job.seed_used is not None and seed_mode == "fixed" and seed == job.seed_used


def test_delete_asks_first_then_removes_the_row_and_the_file(studio, cy):
    client, prompt = cy
    outputs, job = job_made_by(studio, "cy", lambda: generate(client, prompt))
    assert state_of(outputs) == "succeeded"
    job = studio.studio.manager.snapshot(job.job_id, owner="cy")
    mp4 = Path(job.video_path)
    assert mp4.is_file()
    client.predict(job.job_id, api_name="/job_detail")
    client.predict("all", "", api_name="/delete_job")  # what "Yes, delete it" sends, after "Delete…"
    assert studio.studio.manager.snapshot(job.job_id, owner="cy") is None
    assert job.job_id not in listed(client)
    assert not mp4.exists()


def test_a_failed_job_is_retried_as_a_new_job(studio, cy):
    client, prompt = cy
    emulator(studio, "POST", "/emulator/faults",
             json={"seed": 1, "rules": [{"route": "submit", "kind": "fail_task", "times": 1}]})
    failed, failed_job = job_made_by(studio, "cy", lambda: generate(client, prompt))
    assert state_of(failed) == "failed"
    failed_id = failed_job.job_id

    def retry() -> tuple:
        client.predict(api_name="/retry")  # the job this tab shows, started again
        return watch(client)

    retried, new_job = job_made_by(studio, "cy", retry)
    assert state_of(retried) == "succeeded"
    new_id = new_job.job_id
    assert new_id != failed_id and studio.studio.manager.snapshot(failed_id, owner="cy").state == "failed"
    assert studio.studio.manager.snapshot(new_id, owner="cy").state == "succeeded"


@pytest.mark.parametrize("action,extra_submits,final", [
    ("discard", 0, "discarded"), ("resubmit", 1, "succeeded"), ("attach", 0, "succeeded")])
def test_an_uncertain_submit_is_only_repeated_when_the_user_says_so(studio, cy, action, extra_submits, final):
    client, prompt = cy
    emulator(studio, "POST", "/emulator/faults",
             json={"seed": 1, "rules": [{"route": "submit", "kind": "drop", "after_create": True, "times": 1}]})
    before = submits(studio)
    tasks_before = set(studio.studio.emulator.state.tasks)
    outputs, job = job_made_by(studio, "cy", lambda: generate(client, prompt))
    assert state_of(outputs) == "uncertain"
    assert submits(studio) == before + 1
    job_id = job.job_id
    # "attach": the user found the task the lost answer created in their account and pastes its id.
    found = (set(studio.studio.emulator.state.tasks) - tasks_before).pop() if action == "attach" else ""
    client.predict(found, api_name=f"/{action}_uncertain")
    assert state_of(watch(client)) == final
    assert studio.studio.manager.snapshot(job_id, owner="cy").state == final
    assert submits(studio) == before + 1 + extra_submits  # the job is over: nothing more can be sent
