"""Run the emulator on a loopback port in a daemon thread."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time

import uvicorn

from .app import EmulatorApp, create_app
from .config import EmulatorConfig
from .state import EmulatorState


class EmbeddedEmulator:
    """``with EmbeddedEmulator(EmulatorConfig(finish_seconds=2)) as emu: ... emu.base_url ...``

    ``start()`` returns only once the port really accepts connections."""

    def __init__(self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.config = dataclasses.replace(config) if config else EmulatorConfig()
        self.host = host
        self.port = port
        self.app: EmulatorApp | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def state(self) -> EmulatorState:
        if self.app is None:
            raise RuntimeError("the emulator is not started")
        return self.app.emulator

    def start(self, timeout: float = 15.0) -> "EmbeddedEmulator":
        if self._thread is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # is TCP, and without it every answer waits ~40 ms on Nagle + delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        self._socket = sock
        self.port = sock.getsockname()[1]
        if self.config.public_base_url is None:
            self.config.public_base_url = self.base_url
        self.app = create_app(self.config)
        # h11 on purpose: the "drop" fault aborts h11's transport (see app._drop_connection).
        uv_config = uvicorn.Config(self.app, http="h11", lifespan="on", log_level="warning",
                                   access_log=False, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"r2v-emulator-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._server.started:
                try:
                    with socket.create_connection((self.host, self.port), timeout=1):
                        return self
                except OSError:
                    pass
            if not self._thread.is_alive():
                raise RuntimeError("the emulator's server thread stopped while starting")
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the emulator did not start listening on {self.base_url} within {timeout} s")

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> "EmbeddedEmulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmbeddedEmulator(base_url={self.base_url!r}, running={self._thread is not None})"
