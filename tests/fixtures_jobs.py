"""Shared set-up for the job-manager tests, registered for every test module by conftest's
`pytest_plugins`: one emulator per module (`emulator`, reset before each test that asks for it), job
managers wired to it that close themselves (`manager`, `managers`), a draft of two generated
pictures, waiting for a job's state through `JobManager.wait_for_change`, and helpers to read the
emulator's counters and set its fault plan."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any
from pathlib import Path

import httpx
import pytest
from PIL import Image

from r2v_ui.config import Settings
from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobDraft, JobManager, JobSnapshot, JobState, ReadPolicy, Reference, Target
from r2v_ui.jobs.states import RUNNING_STATES
from r2v_ui.store import JobStore

KEY = "test-key-not-real-1234"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def module_emulator():
    emu = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=2.0, queue_seconds=0.3)).start()
    yield emu
    emu.stop()


@pytest.fixture
def emulator(module_emulator):
    """The module's emulator with no tasks, no faults and its default timings."""
    httpx.post(f"{module_emulator.base_url}/emulator/reset", headers=AUTH)
    configure(module_emulator, finish_seconds=2.0, failure_rate=0.0)
    return module_emulator


class Managers:
    """Makes job managers wired to the emulator and closes every one it made when the test ends
    (a test that "restarts" the studio may close one itself: closing twice is harmless)."""

    def __init__(self, tmp_path: Path, emulator) -> None:
        self.tmp_path, self.emulator, self.made = tmp_path, emulator, []

    def __call__(self, *, policy: ReadPolicy | None = None, client_factory=None, **settings_kw) -> JobManager:
        return self.own(make_manager(self.tmp_path, self.emulator, policy=policy, client_factory=client_factory,
                                     **settings_kw))

    def own(self, manager: JobManager) -> JobManager:
        """A manager the test built by hand, closed with the others."""
        self.made.append(manager)
        return manager

    def close(self) -> None:
        for manager in self.made:
            manager.close()


@pytest.fixture
def managers(tmp_path, emulator):
    made = Managers(tmp_path, emulator)
    yield made
    made.close()


@pytest.fixture
def manager(managers) -> JobManager:
    """A job manager on the test's own data folder (polling budget raised), closed at the end."""
    return managers()


def emulator_stats(emulator) -> dict:
    return httpx.get(f"{emulator.base_url}/emulator/stats", headers=AUTH).json()


def set_faults(emulator, rules: list[dict]) -> None:
    httpx.post(f"{emulator.base_url}/emulator/faults", json={"seed": 1, "rules": rules},
               headers=AUTH).raise_for_status()


def configure(emulator, **config) -> None:
    httpx.post(f"{emulator.base_url}/emulator/config", json=config, headers=AUTH).raise_for_status()


def make_manager(tmp_path: Path, emulator, *, policy: ReadPolicy | None = None, client_factory=None,
                 **settings_kw) -> JobManager:
    """A manager wired to the emulator; the caller closes it (tests use the `managers` fixture)."""
    settings = Settings(data_dir=tmp_path / "data", **({"poll_requests_per_minute": 600} | settings_kw))
    store = JobStore(settings.data_dir)

    def host_factory(_target: str):  # make_host includes the content-hash cache
        return make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)

    return JobManager(settings, store, demo_target=Target("demo", emulator.base_url), demo_key=KEY,
                      host_factory=host_factory, policy=policy, client_factory=client_factory)


def picture(path: Path, color: str) -> Path:
    Image.new("RGB", (480, 640), color).save(path)
    return path


def two_picture_draft(tmp_path: Path, prompt: str = "character1 greets character2 in a garden", **kw) -> JobDraft:
    refs = (
        Reference(kind="image", path=picture(tmp_path / "ada.png", "tomato"), name="ada.png"),
        Reference(kind="image", path=picture(tmp_path / "bo.jpg", "royalblue"), name="bo.jpg"),
    )
    return JobDraft(references=refs, prompt=prompt, size="1280*720", duration=2, **kw)


def wait_for(manager: JobManager, job_id: str, done, timeout: float = 60.0, owner: str = "",
             what: str = "the awaited change") -> tuple[JobSnapshot, list[str]]:
    """Wait until `done(snapshot)` holds, woken by each change of the job (`JobManager.wait_for_change`,
    as the page waits); the snapshot then and every state seen on the way."""
    async def follow() -> tuple[JobSnapshot, list[str]]:
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            snap = manager.snapshot(job_id, owner=owner)
            if snap and (not seen or seen[-1] != snap.state):
                seen.append(snap.state)
            if snap and done(snap):
                return snap, seen
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"job {job_id} never reached {what}; states seen: {seen}; last: {snap}")
            await manager.wait_for_change(job_id, snap.version if snap else 0, left)

    return asyncio.run(follow())


def wait_for_state(manager: JobManager, job_id: str, states: set[str], timeout: float = 60.0,
                   owner: str = "") -> tuple[JobSnapshot, list[str]]:
    """Wait until the job is in one of `states` (see `wait_for`)."""
    return wait_for(manager, job_id, lambda snap: snap.state in states, timeout, owner, what=str(states))


def wide_and_tall_jobs(manager: JobManager, folder: Path, **wide: Any) -> tuple[str, str]:
    """A finished 16:9 job (its draft changed by `wide`) and a finished 9:16 one, started in that order;
    waited on in a thread of their own, so a test driving Playwright's loop in this one can call it."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    (folder / "wide").mkdir(), (folder / "tall").mkdir()  # each draft writes its own pictures
    wide_id = manager.start(two_picture_draft(folder / "wide", prompt="character1 and character2 wave at the camera", **wide))
    tall_id = manager.start(replace(two_picture_draft(folder / "tall", prompt="character1 climbs a tall ladder"), size="720*1280"))
    with ThreadPoolExecutor(1) as pool:
        for job_id in (wide_id, tall_id):
            pool.submit(wait_for_state, manager, job_id, {JobState.SUCCEEDED}).result()
    return wide_id, tall_id


def record_states(manager: JobManager):
    """Every state written for each job, in order, read from the store's own writes."""
    seen: dict[str, list[str]] = {}
    real_create, real_update = manager.store.create, manager.store.update

    def create(rec):
        seen.setdefault(rec.job_id, []).append(str(rec.state))
        return real_create(rec)

    def update(job_id, **changes):
        rec = real_update(job_id, **changes)
        if "state" in changes:
            seen.setdefault(job_id, []).append(str(changes["state"]))
        return rec

    manager.store.create, manager.store.update = create, update
    return lambda job_id: list(seen.get(job_id, []))


def record_notices(manager: JobManager, job_id: str):
    """Every notice the job showed, in English, as the page sees them: one entry per change of the job
    (`wait_for_change`) that shows a notice, read until the job ends.  Returns a function that stops
    watching and gives the list."""
    seen: list[str] = []
    done = threading.Event()

    async def watch() -> None:
        version = 0
        while not done.is_set():
            snap = await manager.wait_for_change(job_id, version, 0.5)
            if snap is None or snap.version == version:
                continue
            version = snap.version
            if snap.notice is not None:
                seen.append(str(snap.notice))
            if snap.state not in RUNNING_STATES:
                return

    thread = threading.Thread(target=asyncio.run, args=(watch(),), daemon=True)
    thread.start()

    def stop() -> list[str]:
        done.set()
        thread.join(5)
        return list(seen)

    return stop


def snapshot(state: str, stage_text: Any = "", **over: Any) -> JobSnapshot:
    """A job's snapshot as the manager hands it to the page, in `state` (for tests of how it is drawn)."""
    now = time.time()
    values = dict(job_id="j1", owner="", state=state, stage_text=stage_text, progress=None, eta_seconds=None,
                  task_id=None, error=None, video_path=None, poster_path=None,
                  settings={"size": "1280*720", "duration": 5, "prompt": "character1 runs"}, references=(),
                  warnings=(), price_label="about $0.50 (estimate)", seed_used=None, timings={},
                  created_at=now, updated_at=now, version=1, target="live")
    return JobSnapshot(**(values | over))

