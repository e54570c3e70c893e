"""Status streams cannot starve the page.

Gradio's queue runs at most `max_threads` events at once over all concurrency groups, and a
streaming event keeps its slot until it ends.  The page follows each tab's job with a stream, so
streams are capped (context.STREAM_LIMIT, one concurrency group) below the pool that launch sizes
(context.STREAM_LIMIT + context.PAGE_SLOTS).  Here the real studio runs on loopback with a pool shrunk to
5 slots (3 for streams): 6 sessions open a status stream on a job that runs for minutes, which is more
streams than there are slots, and a cheap event from another session must still run.  Without the
cap the streams take every slot and the cheap event waits for the job to end: the test fails on its
count of started streams, and without that check on the cheap event's hang guard (both seen).  No
timing is asserted; the only timeouts are hang guards.  The sessions speak Gradio's own queue
protocol (POST /queue/join, then the session's SSE stream) over real HTTP with httpx, and keep
reading their streams as open tabs do (Gradio ends a stream whose reader left, freeing its slot).
"""

from __future__ import annotations

import inspect
import json
import secrets
import threading
import time

import httpx
import pytest

from r2v_ui.ui import context, page
from tests.fixtures_ui import running_studio

SMALL_STREAM_LIMIT = 3
SMALL_PAGE_SLOTS = 2
WATCHERS = SMALL_STREAM_LIMIT + SMALL_PAGE_SLOTS + 1  # more streams than the whole pool
HANG_GUARD_S = 60.0
FORM = ["", "720P", "16:9", 2, "single", False, False, "random", None, [], False, "1", ""]  # negative … seed, shots, "don't ask", takes, recipe


class Session:
    """One browser-like session: what the page's script sends and reads, over real HTTP."""

    def __init__(self, url: str, config: dict):
        self.url = url
        self.hash = secrets.token_hex(8)
        self.http = httpx.Client(timeout=httpx.Timeout(30.0, read=HANG_GUARD_S))
        self.config = config
        self.states = {c["id"] for c in config["components"] if c.get("type") == "state"}

    def dependency(self, *, api_name: str | None = None, elem_id: str | None = None, event: str = "") -> dict:
        if api_name:
            return next(d for d in self.config["dependencies"] if d.get("api_name") == api_name)
        comp = next(c["id"] for c in self.config["components"] if c.get("props", {}).get("elem_id") == elem_id)
        return next(d for d in self.config["dependencies"] if [comp, event] in [list(t) for t in d["targets"]])

    def join(self, dep: dict, values: list | None = None) -> str:
        values = list(values or [])
        data = [None if i in self.states else values.pop(0) for i in dep["inputs"]]
        r = self.http.post(f"{self.url}/gradio_api/queue/join", json={
            "data": data, "event_data": None, "fn_index": dep["id"], "trigger_id": None, "session_hash": self.hash})
        r.raise_for_status()
        return r.json()["event_id"]

    def messages(self, event_id: str, hang_guard: float | None = None):
        """The event's messages from the session's stream, until it completes.  With `hang_guard`,
        fails once that many seconds have passed (checked at each message; Gradio sends a heartbeat
        every 15 s)."""
        deadline = None if hang_guard is None else time.monotonic() + hang_guard
        with self.http.stream("GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": self.hash}) as resp:
            for line in resp.iter_lines():
                if deadline is not None and time.monotonic() > deadline:
                    raise AssertionError(f"event {event_id} did not complete in {hang_guard:.0f} s (hang guard)")
                if line.startswith("data:"):
                    msg = json.loads(line[5:])
                    if msg.get("event_id") == event_id:
                        yield msg
                        if msg.get("msg") == "process_completed":
                            return

    def call(self, dep: dict, values: list | None = None) -> list:
        for msg in self.messages(self.join(dep, values), hang_guard=HANG_GUARD_S):
            if msg.get("msg") == "process_completed":
                assert msg.get("success"), msg
                return msg["output"]["data"]
        raise AssertionError("the event stream closed before the event completed")

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def small_pool_studio(tmp_path_factory):
    """The real studio with a 5-slot pool, 3 of them for streams, and jobs that run for 10 minutes."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(context, "STREAM_LIMIT", SMALL_STREAM_LIMIT)
        mp.setattr(context, "PAGE_SLOTS", SMALL_PAGE_SLOTS)
        with running_studio(tmp_path_factory.mktemp("concurrency-data"), finish_seconds=600.0) as s:
            yield s


def test_a_cheap_event_runs_while_more_status_streams_are_open_than_the_pool_has_slots(small_pool_studio):
    studio = small_pool_studio
    config = httpx.get(f"{studio.url}/config", timeout=30).json()
    assert studio.studio.demo.max_threads == SMALL_STREAM_LIMIT + SMALL_PAGE_SLOTS  # launch sized the pool

    # One job that outlives the test.
    owner = Session(studio.url, config)
    cast = owner.call(owner.dependency(api_name="load_example_cast"))
    prompt = cast[-3]["value"] if isinstance(cast[-3], dict) else cast[-3]
    owner.call(owner.dependency(api_name="generate"), [prompt, *FORM])
    [job] = studio.studio.manager.list_jobs()
    assert not job.terminal

    # WATCHERS tabs on that job, as after a reload (resume), each opening its status stream.
    watchers = [Session(studio.url, config) for _ in range(WATCHERS)]
    first_updates: list[str] = []
    errors: list[BaseException] = []
    finished = threading.Event()

    def follow(s: Session, event_id: str) -> None:
        """Reads the stream as an open tab does, until the test is over (a tab that goes away
        frees its slot: Gradio ends a stream whose reader left)."""
        try:
            for msg in s.messages(event_id):
                if msg.get("msg") == "process_generating" and s.hash not in first_updates:
                    first_updates.append(s.hash)
                if msg.get("msg") == "process_completed" and not finished.is_set():
                    errors.append(AssertionError(f"a stream ended while its job runs: {msg}"))
        except BaseException as exc:
            if not finished.is_set():  # closing the sessions at the end breaks the reads
                errors.append(exc)

    for s in watchers:
        # A tab of the browser that started the job: its storage remembers the job.
        s.call(s.dependency(api_name="resume"), [{"id": "the-owners-browser", "job": job.job_id}])
        event_id = s.join(s.dependency(api_name="watch_job"))
        threading.Thread(target=follow, args=(s, event_id), daemon=True).start()
    try:
        # Wait (a condition, with a hang guard) until the queue is settled: each stream has either
        # sent its first update or waits in the queue.  Only a job's end could change that now.
        deadline = time.monotonic() + HANG_GUARD_S
        while True:
            queued = owner.http.get(f"{studio.url}/gradio_api/queue/status").json()["queue_size"]
            if len(first_updates) + queued == WATCHERS or errors:
                break
            assert time.monotonic() < deadline, (first_updates, queued)
            time.sleep(0.05)
        assert not errors, errors
        assert len(first_updates) == SMALL_STREAM_LIMIT, (first_updates, queued)  # the cap holds

        # Every stream slot is taken and the other watchers wait in line; a cheap event from another
        # tab still runs (before the fix it waited for the job to end).
        probe = Session(studio.url, config)
        seed_change = probe.dependency(elem_id="seed-mode", event="change")
        out = probe.call(seed_change, ["fixed"])
        assert out[0].get("visible") is True, out
        probe.close()

        # ...and not because streams ended: the job still runs, and no more streams than the cap began.
        assert not studio.studio.manager.snapshot(job.job_id).terminal
        assert len(first_updates) == SMALL_STREAM_LIMIT, first_updates
        assert owner.http.get(f"{studio.url}/gradio_api/queue/status").json()["queue_size"] == WATCHERS - SMALL_STREAM_LIMIT
        assert not errors, errors
    finally:
        finished.set()
        for s in (owner, *watchers):
            s.close()


def test_every_stream_of_the_page_is_in_the_capped_group_and_launch_sizes_the_pool(small_pool_studio):
    """Structural, on the real page: each generator event is in the one stream group (an uncapped
    stream would bring the starvation back), streams are coroutines (they await the manager and pin
    no thread), and launch_kwargs sizes Gradio's pool above the cap."""
    demo = small_pool_studio.studio.demo
    streams = [fn for fn in demo.fns.values() if inspect.isasyncgenfunction(fn.fn) or inspect.isgeneratorfunction(fn.fn)]
    assert streams, "the page follows jobs with status streams"
    for fn in streams:
        assert inspect.isasyncgenfunction(fn.fn), f"{fn.name}: a sync generator holds a thread while it waits"
        assert (fn.concurrency_id, fn.concurrency_limit) == ("job-streams", SMALL_STREAM_LIMIT), fn.name
    kwargs = page.launch_kwargs()
    assert kwargs["max_threads"] == context.STREAM_LIMIT + context.PAGE_SLOTS
    assert context.PAGE_SLOTS >= 1 and context.STREAM_LIMIT >= 1
