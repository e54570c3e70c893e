"""One pass over each reference: a job hands its host the digest the store took while keeping the
file, so hosting never reads a kept file to hash it — not even after a restart, when nothing in the
process remembers the file (a resumed job, a remix days later)."""

from __future__ import annotations

import hashlib

import pytest

from r2v_ui import atomic_files
from r2v_ui.config import Settings
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobManager, Target
from r2v_ui.store import JobStore

from tests.fixtures_jobs import KEY, two_picture_draft, wait_for_state

pytestmark = pytest.mark.timeout(120)


class RecordingHost:
    """The real host (with its content-hash cache), recording what each put was told."""

    def __init__(self, inner):
        self.inner, self.puts = inner, []
        self.name = inner.name

    async def put(self, path, **kwargs):
        self.puts.append((path, kwargs.get("sha256")))
        return await self.inner.put(path, **kwargs)

    async def check(self):
        return await self.inner.check()


def _manager_with(tmp_path, emulator, hosts: list) -> JobManager:
    settings = Settings(data_dir=tmp_path / "data", poll_requests_per_minute=600)

    def host_factory(_target: str):
        host = RecordingHost(make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url,
                                       emulator_key=KEY))
        hosts.append(host)
        return host

    return JobManager(settings, JobStore(settings.data_dir), demo_target=Target("demo", emulator.base_url),
                      demo_key=KEY, host_factory=host_factory)


def test_each_upload_is_told_the_digest_recorded_when_its_file_was_kept(tmp_path, emulator, monkeypatch):
    hosts: list = []
    manager = _manager_with(tmp_path, emulator, hosts)
    # As after a restart: nothing in the process remembers a file's digest, so a host that was not
    # told one would have to read the file again to learn it.
    monkeypatch.setattr(atomic_files, "known_sha256", lambda path: None)
    monkeypatch.setattr("r2v_ui.hosting.cache.known_sha256", lambda path: None)
    hashed: list = []
    real = atomic_files.file_sha256
    monkeypatch.setattr("r2v_ui.hosting.cache.file_sha256", lambda p: hashed.append(p) or real(p))
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    refs = manager.store.get(job_id).references
    puts = [put for host in hosts for put in host.puts]
    assert sorted(digest for _, digest in puts) == sorted(r["sha256"] for r in refs)
    for path, digest in puts:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # the right digest for each file
    assert hashed == []  # the cache never hashed a kept file
