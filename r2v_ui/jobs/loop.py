"""The job core's one background thread and event loop: the only door through which work from
other threads (Gradio's handlers, MCP tools) enters the job core.

Shared state: `_tasks` is touched on the loop only.  Every method is safe from any thread except
`create_task`, which is for code already running on the loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Awaitable, Callable, Coroutine


class JobLoop:
    def __init__(self, name: str = "r2v-jobs"):
        self.loop = asyncio.new_event_loop()
        self._tasks: set[asyncio.Future] = set()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def call(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future:
        """Run `coro` on the loop; the caller may wait on the returned future."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """Run `coro` on the loop and wait for its result (never call this from the loop itself)."""
        return self.call(coro).result(timeout=timeout)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run the plain function `fn(*args)` on the loop, in the order calls were made."""
        self.loop.call_soon_threadsafe(fn, *args)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Start `coro` as a task on the loop, from any thread; the loop keeps it until it ends."""
        self.call_soon(self.create_task, coro)

    def create_task(self, coro: Awaitable[Any]) -> asyncio.Future:
        """On the loop only: start and keep a task (so it is cancelled cleanly on close)."""
        task = asyncio.ensure_future(coro, loop=self.loop)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def close(self, cleanup: Callable[[], Awaitable[None]] | None = None, timeout: float = 10.0) -> None:
        """Cancel every task, wait for them to finish cancelling, run `cleanup`, stop the thread."""
        if self._closed:
            return
        self._closed = True

        async def shutdown() -> None:
            tasks = [t for t in list(self._tasks) if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)  # no task destroyed while pending
            if cleanup is not None:
                await cleanup()

        try:
            self.run(shutdown(), timeout=timeout)
        except Exception:  # closing is best effort
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=timeout)
