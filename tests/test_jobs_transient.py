"""A task the service accepted is never given up on one transient answer, every stall is explained
while it lasts, and a key typed by one person is never used for another person's job (the
hostile-run findings).  Faults come from the emulator's seeded fault plan, over loopback."""

from __future__ import annotations

import errno
import time
from dataclasses import replace

import httpx

from r2v_ui import client as client_mod
from r2v_ui.config import Settings
from r2v_ui.errors import error_from_response
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobManager, ReadPolicy
from r2v_ui.store import JobStore, StoreError

# The emulator fixtures are imported by name so pytest finds them in this module.
from fixtures_jobs import KEY, _draft, _faults, _manager, _stats, _wait, clean_emulator, emulator  # noqa: F401


# The same decisions, with waits short enough for a test (the waits themselves are scheduler tests).
QUICK = ReadPolicy(backoff_base_s=0.05, disk_retry_s=0.2, store_retry_s=0.2)


def _wait_notice(manager: JobManager, job_id: str, words: str, timeout: float = 30.0, owner: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap = manager.snapshot(job_id, owner=owner)
        if snap and snap.notice and words in str(snap.notice):
            return snap
        time.sleep(0.05)  # reading an in-memory snapshot; the deadline bounds the wait
    raise AssertionError(f"no notice with {words!r}; last: {manager.snapshot(job_id, owner=owner)}")


def _clear_faults(emulator) -> None:
    _faults(emulator, [])


def test_a_result_link_that_fails_is_read_again_for_a_fresh_one_and_the_video_arrives(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "download", "kind": "403", "times": 2}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        assert snap.video_path is not None and snap.video_path.stat().st_size > 0
        stats = _stats(emulator)
        assert stats["submits"] == 1
        assert stats["requests"]["download"] == 3  # two refused links, then a fresh one that worked
    finally:
        manager.close()


def test_a_task_not_found_just_after_the_submit_is_read_again_until_it_appears(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "read", "kind": "404", "times": 3}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_try_again_after_links_kept_failing_reads_the_task_first_and_never_resubmits(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "download", "kind": "404", "times": 100}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "failed"
        assert "The video was made" in str(snap.error) and "nothing is sent or billed again" in str(snap.error)
        assert "generate the video again" not in str(snap.error)
        assert _stats(emulator)["requests"]["download"] == QUICK.link_tries

        _clear_faults(emulator)
        assert manager.retry(job_id) == job_id  # the same job, followed again
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_a_task_the_service_keeps_not_finding_fails_in_words_and_try_again_finds_it_once_it_clears(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "read", "kind": "404", "times": 1000}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "failed" and "does not know task" in str(snap.error)
        assert _stats(emulator)["reads"] == QUICK.not_found_tries  # given up only after several reads

        _clear_faults(emulator)
        assert manager.retry(job_id) == job_id
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_try_again_on_a_task_that_really_failed_starts_a_new_job(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "submit", "kind": "fail_task"}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "failed"
        new_id = manager.retry(job_id)
        assert new_id != job_id
        snap, _ = _wait(manager, new_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        assert _stats(emulator)["submits"] == 2  # a failed task is not billed; the new one is
    finally:
        manager.close()


def test_one_refused_key_on_a_read_does_not_park_the_job(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "read", "kind": "401", "times": 1}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"}, timeout=45)
        assert snap.state == "succeeded", snap.error
    finally:
        manager.close()


def test_a_key_typed_in_another_browser_is_never_used_for_this_job(tmp_path, emulator):
    httpx.post(f"{emulator.base_url}/emulator/config", json={"finish_seconds": 3.0},
               headers={"Authorization": f"Bearer {KEY}"})
    settings = Settings(data_dir=tmp_path / "data", base_url=emulator.base_url, poll_requests_per_minute=600)
    manager = JobManager(settings, JobStore(settings.data_dir), host_factory=lambda _t: make_host(
        settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY))
    try:
        job_id = manager.start(_draft(tmp_path), api_key=KEY, holder="browser:a")
        _wait(manager, job_id, {"queued", "processing"})
        # Browser B, same (absent) login, types a wrong key: it is B's alone.
        assert manager.provide_key("", "made-up-wrong-key-of-b", holder="browser:b") == 0
        (tmp_path / "b").mkdir()
        other = manager.start(_draft(tmp_path / "b"), api_key="made-up-wrong-key-of-b", holder="browser:b")
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        theirs, _ = _wait(manager, other, {"succeeded", "failed"})
        assert theirs.state == "failed" and "key" in str(theirs.error)  # B's wrong key fails B's job only
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_a_long_retry_after_is_explained_with_the_time_of_the_next_read(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "read", "kind": "503", "retry_after": 3600, "times": 1}])
        job_id = manager.start(_draft(tmp_path))
        snap = _wait_notice(manager, job_id, "asked us to wait")
        assert "60 min" in str(snap.notice) and "safe" in str(snap.notice)
        assert snap.state == "queued"
    finally:
        manager.close()


def test_a_slow_read_is_explained_while_it_lasts_and_the_notice_goes_when_it_answers(tmp_path, emulator, monkeypatch):
    manager = _manager(tmp_path, emulator, policy=replace(QUICK, slow_wait_notice_s=0.3))
    try:
        _faults(emulator, [{"route": "read", "kind": "slow", "delay": 2.5, "times": 1}])
        job_id = manager.start(_draft(tmp_path))
        _wait_notice(manager, job_id, "has not answered")
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded" and snap.notice is None
    finally:
        manager.close()


def test_an_overloaded_service_is_explained_until_it_recovers(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "read", "kind": "503", "times": 1000}])
        job_id = manager.start(_draft(tmp_path))
        snap = _wait_notice(manager, job_id, "could not be read just now")
        assert "overloaded" in str(snap.notice) and "checked again in" in str(snap.notice)
        _clear_faults(emulator)
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded"
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_a_full_disk_while_saving_the_video_is_explained_and_the_video_arrives_once_there_is_room(
        tmp_path, emulator, monkeypatch):
    full = {"on": True}
    real_sync = client_mod._flush_and_sync

    def sync(fh):
        if full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_sync(fh)

    monkeypatch.setattr(client_mod, "_flush_and_sync", sync)
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        job_id = manager.start(_draft(tmp_path))
        snap = _wait_notice(manager, job_id, "disk is full")
        assert snap.state == "downloading" and "Free some space" in str(snap.notice)
        full["on"] = False
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_a_database_that_cannot_be_written_is_explained_and_the_job_goes_on(tmp_path, emulator, monkeypatch):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    blocked = {"on": False}
    real_update = manager.store.update

    def update(job_id, **changes):
        if blocked["on"]:
            raise StoreError("The job database could not be used: attempt to write a readonly database.")
        return real_update(job_id, **changes)

    monkeypatch.setattr(manager.store, "update", update)
    try:
        job_id = manager.start(_draft(tmp_path))
        _wait(manager, job_id, {"queued", "processing"})
        blocked["on"] = True
        snap = _wait_notice(manager, job_id, "readonly database")
        assert "tries again" in str(snap.notice) and "saves it then" in str(snap.notice)
        blocked["on"] = False
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded", snap.error
    finally:
        manager.close()


def test_a_video_deleted_by_hand_is_shown_missing_and_try_again_fetches_it_without_resubmitting(tmp_path, emulator):
    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded"
        path = snap.video_path
        path.unlink()
        snap = manager.snapshot(job_id)
        assert snap.video_missing and snap.video_path is None
        assert "no longer in the library" in str(snap.stage_text)
        assert manager.retry(job_id) == job_id
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "succeeded" and not snap.video_missing and path.is_file()
        assert _stats(emulator)["submits"] == 1
    finally:
        manager.close()


def test_a_500_on_submit_says_the_task_was_not_created_whatever_reason_the_server_gives(tmp_path, emulator):
    err = error_from_response(500, {}, b'{"code":500,"reason":"GET_RESULT_FAILED","message":"x"}', action="submit")
    assert "creating the task" in err.user_message and "result" not in err.user_message.split("(")[0]
    read = error_from_response(500, {}, b'{"code":500,"reason":"GET_RESULT_FAILED","message":"x"}', action="read")
    assert "result" in read.user_message

    manager = _manager(tmp_path, emulator, policy=QUICK)
    try:
        _faults(emulator, [{"route": "submit", "kind": "500"}])
        job_id = manager.start(_draft(tmp_path))
        snap, _ = _wait(manager, job_id, {"succeeded", "failed"})
        assert snap.state == "failed" and "could not create the task" in str(snap.error)
        assert "read again" not in str(snap.error)
    finally:
        manager.close()
