"""Helpers for the client tests: a recording sleep, and a tiny ASGI app served by uvicorn on a
loopback port in a daemon thread (for answers only a real server gives: an HTML proxy page, …)."""

from __future__ import annotations

import threading
import time

import uvicorn

API_KEY = "sk-test-SECRET-0123456789abcdef"


class RecordingSleep:
    """Stands in for asyncio.sleep: records each delay and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class ServerThread:
    """Run an ASGI app with uvicorn on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="test-uvicorn")
        self.base_url = ""

    def start(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 10
        # Wait on the server's own readiness flag (a condition, not a fixed sleep).
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
