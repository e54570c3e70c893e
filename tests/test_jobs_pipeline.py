"""The job manager against the emulator over loopback: the whole pipeline, never paying twice,
resuming after a crash, and who may see which job."""

from __future__ import annotations

import time

import httpx
import pytest

from r2v_ui import messages
from r2v_ui.config import Settings
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobDraft, JobManager, Reference, Target
from r2v_ui.errors import StudioError
from r2v_ui.request import RequestInvalid
from r2v_ui.store import JobStore

from tests.fixtures_jobs import (
    KEY, configure, emulator_stats, picture, record_states, set_faults, two_picture_draft, wait_for, wait_for_state,
)


def test_a_job_runs_from_references_to_a_video_in_the_library(tmp_path, emulator, manager):
    import av

    configure(emulator, finish_seconds=4.0)  # processing lasts long enough for a read to see it
    states = record_states(manager)
    job_id = manager.start(two_picture_draft(tmp_path, seed=1234))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    # Every stage was written to the job's record, in order (read from the store, not sampled).
    assert states(job_id) == ["checking", "uploading", "submitting", "queued", "processing", "downloading",
                              "succeeded"]
    assert snap.video_path and snap.video_path.exists()
    assert snap.video_path.parent == manager.store.library_dir
    with av.open(str(snap.video_path)) as c:
        v = c.streams.video[0]
        assert (v.codec_context.width, v.codec_context.height) == (640, 360)  # the emulator's preview size
    sidecar = snap.video_path.with_suffix(".json")
    import json

    side = json.loads(sidecar.read_text())
    assert side["settings"]["prompt"] == "character1 greets character2 in a garden"
    assert side["settings"]["size"] == "1280*720"  # the job keeps the size it asked for
    assert side["task_id"] == snap.task_id and side["seed_used"] == 1234 == snap.seed_used
    assert [len(r["sha256"]) for r in side["references"]] == [64, 64]
    price = messages.loads(side["price_estimate"])  # stored as a code: it reads in whoever looks
    assert price == snap.price_label and price.code.startswith("price.estimate")
    assert messages.render_msg(price, messages.EN).endswith("(estimate)")
    assert messages.render_msg(price, messages.ZH).endswith("（估算）")
    assert snap.poster_path and snap.poster_path.exists()
    assert emulator_stats(emulator)["submits"] == 1


def test_uploads_are_typed_by_their_content_not_their_file_name(tmp_path, emulator, manager):
    png_named_jpg = picture(tmp_path / "holiday.jpg.png", "gold").rename(tmp_path / "holiday.jpg")
    draft = JobDraft(references=(Reference(kind="image", path=png_named_jpg, name="holiday.jpg"),),
                     prompt="character1 smiles", size="1280*720", duration=2)
    job_id = manager.start(draft)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    import hashlib

    digest = hashlib.sha256(png_named_jpg.read_bytes()).hexdigest()
    # The module's emulator keeps every upload: another test may have sent the same picture.
    uploads = [u for u in emulator.state.files.values() if u.sha256 == digest]
    assert uploads and {u.content_type for u in uploads} == {"image/png"}


def test_a_bad_request_is_refused_before_anything_is_uploaded_or_paid(tmp_path, emulator, manager):
    with pytest.raises(RequestInvalid, match="character3"):
        manager.start(two_picture_draft(tmp_path, prompt="character1 and character3 dance"))
    assert manager.list_jobs() == []
    stats = emulator_stats(emulator)
    assert stats["submits"] == 0 and stats["uploads"] == 0


def test_a_live_job_with_local_files_and_no_hosting_is_refused_before_it_exists(tmp_path, emulator, managers):
    from r2v_ui.hosting import HostingError

    settings = Settings(data_dir=tmp_path / "data")  # no bucket, no public address
    store = JobStore(settings.data_dir)
    manager = managers.own(JobManager(settings, store, demo_target=Target("demo", emulator.base_url), demo_key=KEY,
                         host_factory=lambda target: make_host(settings, emulator_url=None, emulator_key=None)))
    with pytest.raises(HostingError, match="R2V_S3_BUCKET"):
        manager.start(two_picture_draft(tmp_path), api_key="made-up-session-key")  # a key typed in the page: live
    assert manager.list_jobs() == [] and emulator_stats(emulator)["uploads"] == 0


def test_a_timeout_after_the_submit_was_sent_is_never_repeated_and_waits_for_the_user(tmp_path, emulator, managers):
    from r2v_ui.client import HighwayClient

    settings = Settings(data_dir=tmp_path / "data", poll_requests_per_minute=600)
    store = JobStore(settings.data_dir)

    def client_factory(base_url, key):
        return HighwayClient(base_url, key, timeout=httpx.Timeout(connect=2.0, read=0.5, write=2.0, pool=2.0))

    def host_factory(_t):
        return make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)

    manager = managers.own(JobManager(settings, store, demo_target=Target("demo", emulator.base_url), demo_key=KEY,
                         client_factory=client_factory, host_factory=host_factory))
    set_faults(emulator, [{"route": "submit", "kind": "slow", "delay": 2.0, "after_create": True, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"uncertain", "failed", "succeeded"})
    assert snap.state == "uncertain"
    assert "may or may not" in str(snap.error)
    assert emulator_stats(emulator)["submits"] == 1
    # A restart does not resubmit it either.
    manager.close()
    manager = managers.own(JobManager(settings, store, demo_target=Target("demo", emulator.base_url), demo_key=KEY,
                         client_factory=client_factory, host_factory=host_factory))
    manager.resume()
    assert manager.snapshot(job_id).state == "uncertain"
    assert emulator_stats(emulator)["submits"] == 1
    # The user discards it: nothing more is sent.
    manager.resolve_uncertain(job_id, "discard")
    assert manager.snapshot(job_id).state == "discarded"
    assert emulator_stats(emulator)["submits"] == 1


def test_an_uncertain_job_resubmitted_knowingly_is_sent_once_more_and_finishes(tmp_path, emulator, managers):
    from r2v_ui.client import HighwayClient

    settings = Settings(data_dir=tmp_path / "data", poll_requests_per_minute=600)
    store = JobStore(settings.data_dir)
    manager = managers.own(JobManager(
        settings, store, demo_target=Target("demo", emulator.base_url), demo_key=KEY,
        client_factory=lambda b, k: HighwayClient(b, k, timeout=httpx.Timeout(connect=2.0, read=0.5, write=2.0, pool=2.0)),
        host_factory=lambda _t: make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url,
                                          emulator_key=KEY),
    ))
    set_faults(emulator, [{"route": "submit", "kind": "drop", "after_create": True, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"uncertain", "failed", "succeeded"})
    assert snap.state == "uncertain", snap.error
    manager.resolve_uncertain(job_id, "resubmit", confirmed=True)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 2  # exactly the one the user asked for


def test_an_uncertain_job_can_be_attached_to_the_task_the_user_found_without_resending(tmp_path, emulator, manager):
    set_faults(emulator, [{"route": "submit", "kind": "drop", "after_create": True, "times": 1}])
    before = set(emulator.state.tasks)
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"uncertain", "failed", "succeeded"})
    assert snap.state == "uncertain", snap.error
    (created,) = set(emulator.state.tasks) - before  # what the user finds in their account
    with pytest.raises(StudioError, match="does not know a task"):
        manager.resolve_uncertain(job_id, "attach", task_id="no-such-task")
    assert manager.snapshot(job_id).state == "uncertain"  # a wrong id changes nothing
    manager.resolve_uncertain(job_id, "attach", task_id=created)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded" and snap.task_id == created, snap.error
    assert emulator_stats(emulator)["submits"] == 1


def test_a_job_interrupted_while_processing_is_resumed_by_a_new_manager_without_a_second_submit(tmp_path, emulator,
        managers):
    httpx.post(f"{emulator.base_url}/emulator/config", json={"finish_seconds": 4.0},
               headers={"Authorization": f"Bearer {KEY}"})
    first = managers()
    job_id = first.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(first, job_id, {"queued", "processing", "failed"})
    assert snap.task_id, snap.error
    first.close()  # the process "dies": nothing of it keeps running

    second = managers()
    assert second.resume() == 1
    snap, _ = wait_for_state(second, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert snap.video_path.exists()
    assert emulator_stats(emulator)["submits"] == 1


def test_a_live_job_started_with_a_session_key_waits_for_the_key_after_a_restart(tmp_path, emulator, managers):
    """The key typed into the page is never stored, so after a restart the job waits for it."""
    httpx.post(f"{emulator.base_url}/emulator/config", json={"finish_seconds": 4.0},
               headers={"Authorization": f"Bearer {KEY}"})
    settings = Settings(data_dir=tmp_path / "data", base_url=emulator.base_url, poll_requests_per_minute=600)

    def live_manager() -> JobManager:
        # No emulator target: this studio has no demo mode; the "service" is the emulator at base_url.
        return managers.own(JobManager(settings, JobStore(settings.data_dir), host_factory=lambda _t: make_host(
            settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)))

    first = live_manager()
    job_id = first.start(two_picture_draft(tmp_path), owner="ann", api_key=KEY, holder="browser:ann-laptop")
    snap, _ = wait_for_state(first, job_id, {"queued", "processing", "failed"}, owner="ann")
    assert snap.task_id and snap.target == "live", snap.error
    first.close()
    for f in settings.data_dir.rglob("*"):  # never stored: not in the database, its WAL, or any file
        assert not f.is_file() or KEY.encode() not in f.read_bytes(), f

    second = live_manager()
    second.resume()
    waiting, _ = wait_for(second, job_id, lambda snap: "API key" in str(snap.notice or ""), timeout=30, owner="ann",
                          what="a notice asking for the key")
    assert waiting.state in ("queued", "processing")  # kept, not failed
    # Another browser's key is never used for this job; the browser that started it resumes it.
    assert second.provide_key("ann", "made-up-other-key", holder="browser:someone-else") == 0
    assert second.provide_key("ann", KEY, holder="browser:ann-laptop") == 1
    snap, _ = wait_for_state(second, job_id, {"succeeded", "failed"}, owner="ann")
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 1


def test_a_crash_between_sending_and_the_answer_becomes_uncertain_on_restart(tmp_path, emulator, managers):
    manager = managers()
    manager.close()
    store = manager.store
    from r2v_ui.store import JobRecord

    now = time.time()
    store.create(JobRecord(job_id="crashed", owner="", state="submitting", created_at=now, updated_at=now,
                           settings=two_picture_draft(tmp_path).settings(), references=[]))
    again = managers()
    again.resume()
    assert again.snapshot("crashed").state == "uncertain"
    assert emulator_stats(emulator)["submits"] == 0


def test_a_failed_task_says_why_and_what_to_do(tmp_path, emulator, manager):
    set_faults(emulator, [{"route": "submit", "kind": "fail_task", "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "failed"
    assert "could not make this video" in str(snap.error) and "not billed" in str(snap.error)


def test_one_owner_cannot_see_or_delete_another_owners_job(tmp_path, emulator, manager):
    job_id = manager.start(two_picture_draft(tmp_path), owner="ann")
    wait_for_state(manager, job_id, {"succeeded", "failed"}, owner="ann")
    assert manager.snapshot(job_id, owner="bob") is None
    assert manager.list_jobs(owner="bob") == []
    assert manager.delete(job_id, owner="bob") is False
    assert manager.snapshot(job_id, owner="ann") is not None
    video = manager.snapshot(job_id, owner="ann").video_path
    assert manager.delete(job_id, owner="ann") is True
    assert not video.exists() and manager.snapshot(job_id, owner="ann") is None


def test_remix_restores_every_setting_and_the_kept_references(tmp_path, emulator, manager):
    draft = two_picture_draft(tmp_path, negative_prompt="blurry", seed=77, audio=False, watermark=True, shot_type="multi")
    job_id = manager.start(draft)
    wait_for_state(manager, job_id, {"succeeded", "failed"})
    for r in draft.references:
        r.path.unlink()  # the originals are gone: the kept copies must serve
    remix = manager.remix_draft(job_id)
    assert remix.settings() == draft.settings()
    assert [r.path.read_bytes()[:4] for r in remix.references] == [b"\x89PNG", b"\xff\xd8\xff\xe0"]
    assert all(r.path.parent == manager.store.references_dir for r in remix.references)


def test_waiting_for_change_wakes_on_the_next_stage(tmp_path, emulator, manager):
    import asyncio

    job_id = manager.start(two_picture_draft(tmp_path))

    async def follow():
        version, states = -1, []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            snap = await manager.wait_for_change(job_id, version, timeout=5)
            version = snap.version
            if not states or states[-1] != snap.state:
                states.append(snap.state)
            if snap.terminal:
                return states
        return states

    states = asyncio.run(follow())
    assert states[-1] == "succeeded"
    assert len(states) >= 3  # it saw the stages go by, not only the end
