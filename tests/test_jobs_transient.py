"""A task the service accepted is never given up on one transient answer, every stall is explained
while it lasts, and a key typed by one person is never used for another person's job (the
hostile-run findings).  Faults come from the emulator's seeded fault plan, over loopback."""

from __future__ import annotations

import errno
from dataclasses import replace

import httpx
import pytest

from r2v_ui import client as client_mod
from r2v_ui.config import Settings
from r2v_ui.errors import error_from_response
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobManager, ReadPolicy
from r2v_ui.store import JobStore, StoreError

from tests.fixtures_jobs import (
    KEY, emulator_stats, record_notices, set_faults, two_picture_draft, wait_for, wait_for_state,
)


# The same decisions, with waits short enough for a test (the waits themselves are scheduler tests).
QUICK = ReadPolicy(backoff_base_s=0.05, disk_retry_s=0.2, store_retry_s=0.2)


def _wait_notice(manager: JobManager, job_id: str, words: str, timeout: float = 30.0, owner: str = ""):
    return wait_for(manager, job_id, lambda snap: words in str(snap.notice or ""), timeout, owner,
                    what=f"a notice with {words!r}")[0]


def _clear_faults(emulator) -> None:
    set_faults(emulator, [])


def test_a_result_link_that_fails_is_read_again_for_a_fresh_one_and_the_video_arrives(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "download", "kind": "403", "times": 2}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert snap.video_path is not None and snap.video_path.stat().st_size > 0
    stats = emulator_stats(emulator)
    assert stats["submits"] == 1
    assert stats["requests"]["download"] == 3  # two refused links, then a fresh one that worked


def test_a_task_not_found_just_after_the_submit_is_read_again_until_it_appears(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "read", "kind": "404", "times": 3}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 1


def test_try_again_after_links_kept_failing_reads_the_task_first_and_never_resubmits(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "download", "kind": "404", "times": 100}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "failed"
    assert "The video was made" in str(snap.error) and "nothing is sent or billed again" in str(snap.error)
    assert "generate the video again" not in str(snap.error)
    assert emulator_stats(emulator)["requests"]["download"] == QUICK.link_tries

    _clear_faults(emulator)
    assert manager.retry(job_id) == job_id  # the same job, followed again
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 1


def test_a_task_the_service_keeps_not_finding_fails_in_words_and_try_again_finds_it_once_it_clears(tmp_path, emulator,
        managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "read", "kind": "404", "times": 1000}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "failed" and "does not know task" in str(snap.error)
    assert emulator_stats(emulator)["reads"] == QUICK.not_found_tries  # given up only after several reads

    _clear_faults(emulator)
    assert manager.retry(job_id) == job_id
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 1


def test_try_again_on_a_task_that_really_failed_starts_a_new_job(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "submit", "kind": "fail_task"}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "failed"
    new_id = manager.retry(job_id)
    assert new_id != job_id
    snap, _ = wait_for_state(manager, new_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 2  # a failed task is not billed; the new one is


@pytest.mark.parametrize("status", ["401", "403"])
def test_one_refused_key_on_a_read_does_not_park_the_job(tmp_path, emulator, managers, status):
    # 401 (AuthenticationError) and 403 (PermissionDeniedError) are two classes of the error tree,
    # and a read refused either way says the same: the key was refused, the job waits and reads again.
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "read", "kind": status, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    notices = record_notices(manager, job_id)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"}, timeout=45)
    assert snap.state == "succeeded", snap.error
    shown = notices()
    assert any("did not accept the API key" in n for n in shown), shown


def test_a_key_typed_in_another_browser_is_never_used_for_this_job(tmp_path, emulator, managers):
    httpx.post(f"{emulator.base_url}/emulator/config", json={"finish_seconds": 3.0},
               headers={"Authorization": f"Bearer {KEY}"})
    settings = Settings(data_dir=tmp_path / "data", base_url=emulator.base_url, poll_requests_per_minute=600)
    manager = managers.own(JobManager(settings, JobStore(settings.data_dir), host_factory=lambda _t: make_host(
        settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)))
    job_id = manager.start(two_picture_draft(tmp_path), api_key=KEY, holder="browser:a")
    wait_for_state(manager, job_id, {"queued", "processing"})
    # Browser B, same (absent) login, types a wrong key: it is B's alone.
    assert manager.provide_key("", "made-up-wrong-key-of-b", holder="browser:b") == 0
    (tmp_path / "b").mkdir()
    other = manager.start(two_picture_draft(tmp_path / "b"), api_key="made-up-wrong-key-of-b", holder="browser:b")
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    theirs, _ = wait_for_state(manager, other, {"succeeded", "failed"})
    assert theirs.state == "failed" and "key" in str(theirs.error)  # B's wrong key fails B's job only
    assert emulator_stats(emulator)["submits"] == 1


def test_a_long_retry_after_is_explained_with_the_time_of_the_next_read(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "read", "kind": "503", "retry_after": 3600, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap = _wait_notice(manager, job_id, "asked us to wait")
    assert "60 min" in str(snap.notice) and "safe" in str(snap.notice)
    assert snap.state == "queued"


def test_a_slow_read_is_explained_while_it_lasts_and_the_notice_goes_when_it_answers(tmp_path, emulator, monkeypatch,
        managers):
    manager = managers(policy=replace(QUICK, slow_wait_notice_s=0.3))
    set_faults(emulator, [{"route": "read", "kind": "slow", "delay": 2.5, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    _wait_notice(manager, job_id, "has not answered")
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded" and snap.notice is None


def test_an_overloaded_service_is_explained_until_it_recovers(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "read", "kind": "503", "times": 1000}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap = _wait_notice(manager, job_id, "could not be read just now")
    assert "overloaded" in str(snap.notice) and "checked again in" in str(snap.notice)
    _clear_faults(emulator)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded"
    assert emulator_stats(emulator)["submits"] == 1


def test_a_full_disk_while_saving_the_video_is_explained_and_the_video_arrives_once_there_is_room(tmp_path, emulator,
        monkeypatch, managers):
    full = {"on": True}
    real_sync = client_mod._flush_and_sync

    def sync(fh):
        if full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_sync(fh)

    monkeypatch.setattr(client_mod, "_flush_and_sync", sync)
    manager = managers(policy=QUICK)
    job_id = manager.start(two_picture_draft(tmp_path))
    snap = _wait_notice(manager, job_id, "disk is full")
    assert snap.state == "downloading" and "Free some space" in str(snap.notice)
    full["on"] = False
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["submits"] == 1


def test_a_database_that_cannot_be_written_is_explained_and_the_job_goes_on(tmp_path, emulator, monkeypatch, managers):
    manager = managers(policy=QUICK)
    blocked = {"on": False}
    real_update = manager.store.update

    def update(job_id, **changes):
        if blocked["on"]:
            raise StoreError("The job database could not be used: attempt to write a readonly database.")
        return real_update(job_id, **changes)

    monkeypatch.setattr(manager.store, "update", update)
    job_id = manager.start(two_picture_draft(tmp_path))
    wait_for_state(manager, job_id, {"queued", "processing"})
    blocked["on"] = True
    snap = _wait_notice(manager, job_id, "readonly database")
    assert "tries again" in str(snap.notice) and "saves it then" in str(snap.notice)
    blocked["on"] = False
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error


def test_a_video_deleted_by_hand_is_shown_missing_and_try_again_fetches_it_without_resubmitting(tmp_path, emulator,
        managers):
    manager = managers(policy=QUICK)
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded"
    path = snap.video_path
    path.unlink()
    snap = manager.snapshot(job_id)
    assert snap.video_missing and snap.video_path is None
    assert "no longer in the library" in str(snap.stage_text)
    assert manager.retry(job_id) == job_id
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded" and not snap.video_missing and path.is_file()
    assert emulator_stats(emulator)["submits"] == 1


def test_a_500_on_submit_says_the_task_was_not_created_whatever_reason_the_server_gives(tmp_path, emulator, managers):
    err = error_from_response(500, {}, b'{"code":500,"reason":"GET_RESULT_FAILED","message":"x"}', action="submit")
    assert "creating the task" in err.user_message and "result" not in err.user_message.split("(")[0]
    read = error_from_response(500, {}, b'{"code":500,"reason":"GET_RESULT_FAILED","message":"x"}', action="read")
    assert "result" in read.user_message

    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "submit", "kind": "500"}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "failed" and "could not create the task" in str(snap.error)
    assert "read again" not in str(snap.error)


# --- a refused key: what to do depends on whether the page has a key box ----------------------------

def _live(managers, emulator, **kw) -> JobManager:
    """A live studio talking to the emulator: with `api_key` its own key from the environment
    (HIGHWAY_API_KEY: the page then has no key box), without it keys are typed into the page."""
    return managers(policy=QUICK, base_url=emulator.base_url, **kw)


def _end_with_key_notices(manager: JobManager, job_id: str) -> tuple:
    """Follow the job to its end as the page does (woken by each change); the notices about a refused
    key it showed on the way, as the Msg the page renders in its reader's language."""
    seen: list = []

    def ended(snap) -> bool:
        if snap.notice is not None and "key" in getattr(snap.notice, "code", ""):
            seen.append(snap.notice)
        return snap.state in {"succeeded", "failed"}

    snap, _ = wait_for(manager, job_id, ended, timeout=45)
    return snap, seen


def test_a_refused_studio_key_on_a_read_says_what_to_do_without_a_key_box(tmp_path, emulator, managers):
    from r2v_ui.config import Secret
    from r2v_ui.messages import ZH, render_msg

    manager = _live(managers, emulator, api_key=Secret(KEY))
    set_faults(emulator, [{"route": "read", "kind": "401", "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, seen = _end_with_key_notices(manager, job_id)
    assert snap.state == "succeeded", snap.error
    assert seen
    for notice in seen:
        english, chinese = render_msg(notice), render_msg(notice, ZH)
        assert "HIGHWAY_API_KEY" in english and "studio's owner" in english and "above" not in english
        assert "HIGHWAY_API_KEY" in chinese and "上方" not in chinese


def test_a_refused_typed_key_on_a_read_still_asks_for_a_valid_key_above(tmp_path, emulator, managers):
    from r2v_ui.messages import render_msg

    manager = _live(managers, emulator)
    set_faults(emulator, [{"route": "read", "kind": "401", "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path), api_key=KEY, holder="browser:a")
    snap, seen = _end_with_key_notices(manager, job_id)
    assert snap.state == "succeeded", snap.error
    assert seen and all("enter a valid key above" in render_msg(n) for n in seen), seen


def test_a_studio_key_refused_at_the_submit_fails_the_job_with_what_to_do(tmp_path, emulator, managers):
    from r2v_ui.config import Secret
    from r2v_ui.messages import ZH, render_msg

    manager = _live(managers, emulator, api_key=Secret(KEY))
    set_faults(emulator, [{"route": "submit", "kind": "401", "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"}, timeout=45)
    assert snap.state == "failed"
    english, chinese = render_msg(snap.error), render_msg(snap.error, ZH)
    assert "HIGHWAY_API_KEY" in english and "studio's owner" in english and "(HTTP 401" in english
    assert "enter a valid key" not in english.lower()
    assert "HIGHWAY_API_KEY" in chinese and "输入有效的密钥" not in chinese
    assert emulator_stats(emulator)["submits"] == 0  # refused: no task was made
