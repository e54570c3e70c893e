"""Gradio's queue, made to wait for work instead of polling for it: an idle studio sleeps.

Gradio 6.31.0's queue (`gradio/queueing.py`) has two loops that poll when there is nothing to do:
the dispatcher wakes every 1 ms to look for a queued event, and the progress loop every 10 ms to
look for progress to send.  Together they keep an idle studio at ~0.03–0.06 CPU-seconds a second,
with nobody on the page.  Gradio has no setting for either wait, so this module is the ONE place
that changes them (gradio is pinned ==6.31.0 in requirements.txt and pyproject.toml):

* the dispatcher sleeps until an event is pushed or a running one ends (the two moments a queued
  event can become startable), so an event starts as soon as it arrives instead of within 1 ms;
* the progress loop sleeps until a handler reports progress (`gr.Progress`), then sends what is
  pending after the same 10 ms Gradio waits, so bursts of progress still go out as one message.

Both also wake when the queue is closed, and once a second whatever happens (`FALLBACK_S`): a
safety net for a path into the queue this module does not know.

The same queue also stops a summary nobody reads: after every event, Gradio rebuilt a pandas summary
of the last 10,000 events (`compute_analytics_summary`, 2–3 ms each, in a worker thread) whether or
not usage analytics are on; only its monitoring page (`/monitoring/summary`, off unless enabled)
reads it.  Now it is made when read.

`wait_for_work(demo)` swaps the class of the Queue that `demo.queue()` built (before `launch()`
starts its loops); everything else Gradio does with the queue is its own code.  On any other Gradio
version it changes nothing and logs why: its loops may differ from the copies below.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import gradio
from gradio import queueing
from gradio.utils import run_coro_in_background, set_task_name

log = logging.getLogger(__name__)

GRADIO_VERSION = "6.31.0"  # the release whose Queue.start_processing / start_progress_updates are mirrored below
FALLBACK_S = 1.0


class WaitingQueue(queueing.Queue):
    """A Gradio Queue whose two loops wait on signals instead of short sleeps."""

    _work: asyncio.Event | None
    _progress: asyncio.Event | None
    _loop: asyncio.AbstractEventLoop | None

    def _init_waits(self) -> None:
        # Made on the server's event loop when its loops start (an asyncio.Event binds to a loop).
        self._work = None
        self._progress = None
        self._loop = None

    # -- the signals ----------------------------------------------------------------------------
    def _wake_dispatcher(self) -> None:
        if self._work is not None:
            self._work.set()

    def _wake_all_from_any_thread(self) -> None:
        for signal in (self._work, self._progress):
            if signal is not None and self._loop is not None:
                try:
                    self._loop.call_soon_threadsafe(signal.set)
                except RuntimeError:  # the server's loop has already ended: nothing is waiting
                    pass

    def close(self) -> None:  # demo.close(), from the caller's thread
        super().close()
        self._wake_all_from_any_thread()

    @staticmethod
    async def _wait(signal: asyncio.Event) -> None:
        try:
            await asyncio.wait_for(signal.wait(), FALLBACK_S)
        except asyncio.TimeoutError:
            pass
        signal.clear()

    async def push(self, *args: Any, **kwargs: Any):  # an event arrived
        try:
            return await super().push(*args, **kwargs)
        finally:
            self._wake_dispatcher()

    async def reset_iterators(self, event_id: str):
        # Gradio calls this in process_events' `finally`, right after it freed the event's worker
        # slot and concurrency count: a queued event may start now (not only once analytics are done).
        self._wake_dispatcher()
        return await super().reset_iterators(event_id)

    async def process_events(self, *args: Any, **kwargs: Any) -> None:  # a running event ended
        try:
            await super().process_events(*args, **kwargs)
        finally:
            self._wake_dispatcher()

    def set_progress(self, event_id: str, iterables: Any) -> None:
        # Called by a handler's gr.Progress, from a worker thread or from the event loop.
        super().set_progress(event_id, iterables)
        if iterables is not None and self._loop is not None and self._progress is not None:
            self._loop.call_soon_threadsafe(self._progress.set)

    # -- the analytics summary, made when read ----------------------------------------------------
    def compute_analytics_summary(self, records: Any) -> dict:
        # Gradio calls this after every event and never uses what it returns.
        return self.__dict__.get("_analytics_summary", {"functions": {}})

    @property
    def cached_event_analytics_summary(self) -> dict:  # read by Gradio's /monitoring/summary
        own = self.__dict__
        if not own.get("_summing"):
            own["_summing"] = True
            try:
                queueing.Queue.compute_analytics_summary(self, list(self.event_analytics.values()))
            finally:
                own["_summing"] = False
        return own.get("_analytics_summary", {"functions": {}})

    @cached_event_analytics_summary.setter
    def cached_event_analytics_summary(self, value: dict) -> None:
        self.__dict__["_analytics_summary"] = value

    # -- the two loops (gradio 6.31.0's, with its sleeps when free replaced by waits) -------------
    async def start_processing(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._work = asyncio.Event()
        try:
            while not self.stopped:
                if len(self) == 0 or None not in self.active_jobs:
                    await self._wait(self._work)
                    continue

                # Using mutex to avoid editing a list in use
                async with self.delete_lock:
                    event_batch = self.get_events()

                if event_batch:
                    events, batch, concurrency_id = event_batch
                    self.active_jobs[self.active_jobs.index(None)] = events
                    event_queue = self.event_queue_per_concurrency_id[concurrency_id]
                    event_queue.current_concurrency += 1
                    start_time = time.time()
                    fn = events[0].fn
                    event_queue.start_times_per_fn[fn].add(start_time)
                    for event in events:
                        if (a := self.event_analytics.get(event._id)) is not None:
                            a["status"] = "processing"
                    process_event_task = run_coro_in_background(self.process_events, events, batch, start_time, fn)
                    set_task_name(process_event_task, events[0].session_hash, fn._id, events[0]._id, batch)
                    self._asyncio_tasks.add(process_event_task)
                    process_event_task.add_done_callback(self._asyncio_tasks.discard)
                    if self.live_updates:
                        self.broadcast_estimations(concurrency_id)
                else:
                    # Events are queued but every one of their groups is at its limit: wait for one to end.
                    await self._wait(self._work)
        finally:
            self.stopped = True
            self._cancel_asyncio_tasks()

    async def start_progress_updates(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._progress = asyncio.Event()
        while not self.stopped:
            await self._wait(self._progress)
            await asyncio.sleep(self.progress_update_sleep_when_free)  # let a burst of updates coalesce
            for event in [evt for job in self.active_jobs if job is not None for evt in job]:
                if event.progress_pending and event.progress:
                    event.progress_pending = False
                    self.send_message(event, event.progress)


def wait_for_work(demo: Any) -> bool:
    """Make the queue of `demo` (built by `demo.queue()`, not yet started) wait for work.  Returns
    whether it did: on another Gradio version, or a queue of another class, nothing is changed."""
    queue = demo._queue
    if gradio.__version__ != GRADIO_VERSION or type(queue) is not queueing.Queue:
        log.warning("Gradio %s: its queue is left polling as it is (the waiting queue mirrors %s).",
                    gradio.__version__, GRADIO_VERSION)
        return False
    summary = queue.__dict__.pop("cached_event_analytics_summary", {"functions": {}})
    queue.__class__ = WaitingQueue
    queue.cached_event_analytics_summary = summary
    queue._init_waits()
    return True
