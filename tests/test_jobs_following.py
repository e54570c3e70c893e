"""Following a task the service accepted, against the emulator over loopback: the manager's own
429 branches, the read budget (per key; the emulator has none), and the loop as the only place
where HTTP clients live."""

from __future__ import annotations

import pytest

from r2v_ui.jobs import JobDraft, ReadPolicy, Reference

from tests.fixtures_jobs import emulator_stats, picture, record_notices, set_faults, two_picture_draft, wait_for_state


@pytest.mark.parametrize(("retry_after", "words"), [
    (2, "The service asked us to slow down for 2 s."),  # the manager's Retry-After branch
    (None, "The service asked us to slow down. The job is safe"),  # its 429 branch without one
], ids=["with-retry-after", "without-retry-after"])
def test_rate_limited_reads_are_explained_then_retried_and_the_job_finishes(tmp_path, emulator, retry_after, words,
        managers):
    # The manager reads without the client's own retries (get_task(retry=False)): every 429 reaches
    # the manager's branch, whose notice is the proof that it ran.
    manager = managers(policy=ReadPolicy(backoff_base_s=0.5))
    rule = {"route": "read", "kind": "429", "times": 2}
    if retry_after is None:
        set_faults(emulator, [rule | {"retry_after": 0}])
    else:
        set_faults(emulator, [rule | {"retry_after": retry_after}])
    job_id = manager.start(two_picture_draft(tmp_path))
    notices = record_notices(manager, job_id)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"}, timeout=90)
    assert snap.state == "succeeded", snap.error
    shown = notices()
    said = [n for n in shown if "slow down" in n]
    assert len(said) == 2 and all(words in n for n in said), shown
    assert emulator_stats(emulator)["submits"] == 1
    assert snap.notice is None  # gone with the next good read


def test_demo_jobs_are_not_held_by_the_read_budget(tmp_path, emulator, managers):
    # One read a minute for a live key: a demo job needs several reads and still finishes, because
    # the embedded emulator is not budgeted (it has no account to protect).
    manager = managers(poll_requests_per_minute=1)
    jobs = []
    for i, colour in enumerate(("olive", "teal", "orchid")):
        # Each job its own picture (different content): two jobs keeping the same picture at
        # the same moment is the store's concern (a shared temporary name), not this test's.
        ref = Reference(kind="image", path=picture(tmp_path / f"take{i}.png", colour), name=f"take{i}.png")
        jobs.append(manager.start(JobDraft(references=(ref,), prompt="character1 waves", size="1280*720",
                                           duration=2)))
    for job_id in jobs:
        snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"}, timeout=45)  # a guard against a hang
        assert snap.state == "succeeded", snap.error
    assert emulator_stats(emulator)["reads"] >= len(jobs)  # more reads than a budget of one a minute allows


def test_http_clients_are_made_and_used_on_the_job_loop_only(tmp_path, emulator, managers):
    # Reads from a caller's thread (attach, "Try again" reading first) go through the loop: an
    # AsyncClient made or used on a Gradio thread would bind to the wrong event loop.
    import threading

    from r2v_ui.client import HighwayClient

    made_on, used_on = set(), set()

    class WatchedClient(HighwayClient):
        async def get_task(self, *a, **kw):
            used_on.add(threading.current_thread().name)
            return await super().get_task(*a, **kw)

    def client_factory(base_url, key):
        made_on.add(threading.current_thread().name)
        return WatchedClient(base_url, key)

    manager = managers(client_factory=client_factory)
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    snap.video_path.unlink()
    assert manager.retry(job_id) == job_id  # reads the task first, from this (the caller's) thread
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded" and emulator_stats(emulator)["submits"] == 1
    assert made_on == {"r2v-jobs"} and used_on == {"r2v-jobs"}
