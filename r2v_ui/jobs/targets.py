"""Where a job is sent: the service (or the embedded emulator) and the key a job is read with, its
HTTP client per (service, key), its reference host per target, and the read budget it is paid from.

Shared state: `_clients` is made and used on the job loop only; `_hosts` under `_hosts_lock` (a host
is first made on a caller's thread, when `start` checks that local files can be hosted)."""

from __future__ import annotations

import threading
from typing import Any, Callable

from ..config import Settings
from ..errors import StudioError
from ..messages import msg
from ..store import JobRecord
from .keys import KeyCustody
from .loop import JobLoop
from .model import Target
from .scheduler import account_of

ClientFactory = Callable[[str, str | None], Any]  # (base_url, api_key) -> HighwayClient
HostFactory = Callable[[str], Any]  # target name -> ReferenceHost


class Targets:
    def __init__(self, *, settings: Settings, keys: KeyCustody, loop: JobLoop, demo_target: Target | None,
                 demo_key: str | None, client_factory: ClientFactory, host_factory: HostFactory | None):
        self.settings, self.keys, self.loop = settings, keys, loop
        self.demo_target, self.demo_key = demo_target, demo_key
        self._client_factory, self._host_factory = client_factory, host_factory
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._hosts: dict[str, Any] = {}
        self._hosts_lock = threading.Lock()

    def target_name(self, api_key: str | None) -> str:
        if api_key or self.settings.api_key or self.demo_target is None:
            return "live"
        return "demo"

    def target(self, rec: JobRecord) -> tuple[Target, str | None]:
        if rec.target == "demo":
            if self.demo_target is None:
                raise StudioError(msg("job.demo_gone"))
            return self.demo_target, self.demo_key
        key = self.keys.key_for(rec.job_id) or self.settings.api_key.get()
        return Target("live", self.settings.base_url), key

    def account(self, rec: JobRecord | None) -> str | None:
        """The read budget a job is paid from: its key's (None for the embedded emulator: not budgeted)."""
        if rec is None or rec.target == "demo":
            return None
        return account_of(self.target(rec)[1])

    def typed_key(self, rec: JobRecord) -> bool:
        """Whether this job is read with a key someone typed into the page (the key box is there to
        type a better one), rather than the studio's own key from its environment (no key box)."""
        return rec.target != "live" or self.keys.has_key(rec.job_id)

    def client(self, target: Target, key: str | None) -> Any:
        """The HTTP client for (service, key); made and used on the loop only."""
        k = (target.base_url, key)
        if k not in self._clients:
            self._clients[k] = self._client_factory(target.base_url, key)
        return self._clients[k]

    def host(self, target_name: str) -> Any:
        with self._hosts_lock:
            if target_name not in self._hosts:
                if self._host_factory is None:
                    raise StudioError(msg("job.no_hosting"))
                self._hosts[target_name] = self._host_factory(target_name)
            return self._hosts[target_name]

    def read_now(self, target: Target, key: str | None, task_id: str, *, timeout: float) -> Any:
        """Read a task from a caller's thread: the client is made and used on the loop, its owner."""
        async def read() -> Any:
            return await self.client(target, key).get_task(task_id)

        return self.loop.run(read(), timeout=timeout)

    async def close_clients(self) -> None:
        for c in list(self._clients.values()):
            try:
                await c.aclose()
            except Exception:  # closing is best effort
                pass


def default_client_factory(base_url: str, api_key: str | None):
    """The real HTTP client (a test hands the manager its own factory)."""
    from ..client import HighwayClient

    return HighwayClient(base_url, api_key)
