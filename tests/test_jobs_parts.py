"""The job core's small parts on their own: the loop is the one door in, the hub wakes waiters on
their own loop, key custody keeps each key to its own job."""

from __future__ import annotations

import asyncio
import threading

from r2v_ui.jobs.hub import SnapshotHub
from r2v_ui.jobs.keys import KeyCustody, holder_tag
from r2v_ui.jobs.loop import JobLoop


def test_work_from_other_threads_runs_on_the_loop_thread_in_order():
    loop = JobLoop(name="test-jobs")
    try:
        ran: list[tuple[str, str]] = []
        for i in range(5):
            loop.call_soon(lambda i=i: ran.append((str(i), threading.current_thread().name)))

        async def where() -> str:
            return threading.current_thread().name

        assert loop.run(where(), timeout=10) == "test-jobs"
        assert ran == [(str(i), "test-jobs") for i in range(5)]
    finally:
        loop.close()


def test_closing_the_loop_cancels_its_tasks_and_runs_the_cleanup():
    loop = JobLoop()
    started, cancelled, cleaned = threading.Event(), threading.Event(), threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def cleanup() -> None:
        cleaned.set()

    loop.spawn(forever())
    assert started.wait(10)
    loop.close(cleanup)
    assert cancelled.is_set() and cleaned.is_set() and loop.closed


def test_a_change_wakes_a_waiter_on_another_loop_and_bumps_the_version():
    hub = SnapshotHub()
    hub.change("job", progress=0.5)
    assert hub.version("job") == 1

    async def wait() -> int:
        waiter = asyncio.ensure_future(hub.wait_for_change("job", 1, timeout=30))
        await asyncio.sleep(0)
        threading.Thread(target=hub.change, args=("job",), kwargs={"notice": "slow"}).start()
        await waiter
        return hub.version("job")

    assert asyncio.run(wait()) == 2
    assert hub.peek("job").notice == "slow"


def test_the_list_version_moves_with_what_a_list_shows_and_not_with_progress():
    hub = SnapshotHub()
    steps = [("created", lambda: hub.reset("job")), ("progress", lambda: hub.change("job", progress=0.4)),
             ("new state", lambda: hub.change("job", new_state=True)), ("kept", hub.touch_list),
             ("deleted", lambda: hub.drop("job"))]
    seen = []
    for name, step in steps:
        before = hub.list_version()
        step()
        seen.append((name, hub.list_version() > before))
    assert seen == [("created", True), ("progress", False), ("new state", True), ("kept", True), ("deleted", True)]

    async def wait() -> int:
        since = hub.list_version()
        waiter = asyncio.ensure_future(hub.wait_for_list_change(since, timeout=30))
        await asyncio.sleep(0)
        threading.Thread(target=hub.change, args=("other",), kwargs={"new_state": True}).start()
        await waiter
        return hub.list_version() - since

    assert asyncio.run(wait()) == 1


def test_a_waiter_already_behind_returns_at_once_and_a_timeout_is_quiet():
    hub = SnapshotHub()
    hub.change("job")

    async def both() -> None:
        await asyncio.wait_for(hub.wait_for_change("job", 0, timeout=30), 5)  # already past version 0
        await hub.wait_for_change("other", 0, timeout=0.01)  # nothing happens: returns, no error

    asyncio.run(both())


def test_a_new_state_clears_the_notice_and_a_peek_is_a_copy():
    hub = SnapshotHub()
    hub.change("job", notice="waiting for the key", upload=("character1", 0.5))
    live = hub.peek("job")
    live.uploads["character1"] = 1.0
    assert hub.peek("job").uploads == {"character1": 0.5}
    hub.change("job", new_state=True)
    assert hub.peek("job").notice is None
    hub.reset("job")
    assert hub.peek("job").uploads == {} and hub.version("job") == 2


def test_a_key_serves_only_its_job_and_a_later_key_replaces_only_a_refused_one():
    keys = KeyCustody()
    keys.attach("a", "made-up-key-a")
    assert keys.key_for("a") == "made-up-key-a" and keys.key_for("b") is None
    assert not keys.offer("a", "made-up-key-other")  # a working key is never swapped by someone's offer
    keys.mark_refused("a")
    assert keys.offer("a", "made-up-key-new") and keys.key_for("a") == "made-up-key-new"
    keys.forget("a")
    assert not keys.has_key("a")


def test_a_holder_is_kept_as_a_one_way_tag():
    tag = holder_tag("browser-123")
    assert tag and "browser-123" not in tag and holder_tag("browser-123") == tag and holder_tag("") == ""


def test_a_job_due_again_while_its_read_is_going_is_read_once_more_right_after():
    from types import SimpleNamespace

    from r2v_ui.jobs.follow import TaskFollower
    from r2v_ui.jobs.scheduler import ReadPolicy

    scheduled: list[tuple[str, float]] = []
    ctx = SimpleNamespace(  # the slice of the shared context the follower uses here
        policy=ReadPolicy(),
        loop=SimpleNamespace(create_task=asyncio.ensure_future),
        store=SimpleNamespace(get=lambda job_id: None),  # the read ends at once: no such job any more
        schedule=lambda job_id, delay, rec=None: scheduled.append((job_id, delay)),
    )

    async def main(calls: int) -> None:
        follower = TaskFollower(ctx)  # type: ignore[arg-type]
        for _ in range(calls):  # e.g. a key given while the job's read is going
            follower.start_read("job")
        for _ in range(5):
            await asyncio.sleep(0)
        assert follower.in_flight == set()

    asyncio.run(main(1))
    assert scheduled == []
    asyncio.run(main(2))
    assert scheduled == [("job", 0)]


def _context(tmp_path, records: dict, keys: KeyCustody, call_soon):
    from types import SimpleNamespace

    from r2v_ui.config import Settings
    from r2v_ui.jobs.context import JobContext
    from r2v_ui.jobs.model import Target
    from r2v_ui.jobs.scheduler import PollScheduler, ReadPolicy
    from r2v_ui.jobs.targets import Targets

    settings, loop = Settings(data_dir=tmp_path), SimpleNamespace(call_soon=call_soon)
    targets = Targets(settings=settings, keys=keys, loop=loop, demo_target=Target("demo", "http://127.0.0.1:1"),
                      demo_key="made-up-demo-key", client_factory=lambda *a: None, host_factory=None)
    return JobContext(
        settings=settings, store=SimpleNamespace(get=records.get), hub=SnapshotHub(), keys=keys, loop=loop,
        scheduler=PollScheduler(per_minute=30), policy=ReadPolicy(), clock=lambda: 0.0, targets=targets)


def _records(*jobs: tuple[str, str]) -> dict:
    from r2v_ui.store import JobRecord

    return {job: JobRecord(job_id=job, owner="", state="queued", created_at=0.0, updated_at=0.0, settings={},
                           references=[], task_id="t-" + job, target=target) for job, target in jobs}


def test_scheduling_from_another_thread_only_hands_work_to_the_loop(tmp_path):
    # The due times are the loop's: a caller (a Gradio thread) schedules by handing a call through
    # the loop's door; nothing changes until the loop runs it.
    handed: list = []
    ctx = _context(tmp_path, _records(("a", "demo")), KeyCustody(), lambda fn, *args: handed.append((fn, args)))
    ctx.schedule("a", 0)
    ctx.unschedule("a")
    assert not ctx.scheduler.is_scheduled("a") and len(handed) == 2
    fn, args = handed[0]
    fn(*args)  # the loop runs the first call
    assert ctx.scheduler.is_scheduled("a")
    fn, args = handed[1]
    fn(*args)
    assert not ctx.scheduler.is_scheduled("a")


def test_live_jobs_are_budgeted_by_their_key_and_demo_jobs_not_at_all(tmp_path):
    from r2v_ui.jobs.scheduler import account_of

    records = _records(("a", "live"), ("b", "live"), ("c", "live"), ("d", "demo"))
    keys = KeyCustody()
    keys.attach("a", "made-up-key-1")
    keys.attach("b", "made-up-key-2")
    keys.attach("c", "made-up-key-1")
    ctx = _context(tmp_path, records, keys, lambda fn, *args: fn(*args))  # the door, taken at once
    for job in records:
        ctx.schedule(job, 0)
    scheduler = ctx.scheduler
    assert all(scheduler.is_scheduled(job) for job in records)
    accounts = {job: scheduler.account(job) for job in records}
    assert accounts == {"a": account_of("made-up-key-1"), "b": account_of("made-up-key-2"),
                        "c": account_of("made-up-key-1"), "d": None}
