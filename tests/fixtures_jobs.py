"""Shared set-up for the job-manager tests: one emulator per module, a manager wired to it, a draft
of two generated pictures, and helpers to read the emulator's counters and set its fault plan."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from r2v_ui.config import Settings
from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobDraft, JobManager, ReadPolicy, ReferenceInput, Target
from r2v_ui.store import JobStore

KEY = "test-key-not-real-1234"


@pytest.fixture(scope="module")
def emulator():
    emu = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=2.0, queue_seconds=0.3)).start()
    yield emu
    emu.stop()


@pytest.fixture(autouse=True)
def clean_emulator(emulator):
    httpx.post(f"{emulator.base_url}/emulator/reset", headers={"Authorization": f"Bearer {KEY}"})
    httpx.post(f"{emulator.base_url}/emulator/config", json={"finish_seconds": 2.0, "failure_rate": 0.0},
               headers={"Authorization": f"Bearer {KEY}"})
    yield


def _stats(emulator) -> dict:
    return httpx.get(f"{emulator.base_url}/emulator/stats", headers={"Authorization": f"Bearer {KEY}"}).json()


def _faults(emulator, rules: list[dict]) -> None:
    r = httpx.post(f"{emulator.base_url}/emulator/faults", json={"seed": 1, "rules": rules},
                   headers={"Authorization": f"Bearer {KEY}"})
    r.raise_for_status()


def _manager(tmp_path: Path, emulator, *, policy: ReadPolicy | None = None, client_factory=None,
             **settings_kw) -> JobManager:
    settings = Settings(data_dir=tmp_path / "data", **({"poll_requests_per_minute": 600} | settings_kw))
    store = JobStore(settings.data_dir)

    def host_factory(_target: str):  # make_host includes the content-hash cache
        return make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)

    return JobManager(settings, store, demo_target=Target("demo", emulator.base_url), demo_key=KEY,
                      host_factory=host_factory, policy=policy, client_factory=client_factory)


def _picture(path: Path, color: str) -> Path:
    Image.new("RGB", (480, 640), color).save(path)
    return path


def _draft(tmp_path: Path, prompt: str = "character1 greets character2 in a garden", **kw) -> JobDraft:
    refs = (
        ReferenceInput(kind="image", path=_picture(tmp_path / "ada.png", "tomato"), name="ada.png"),
        ReferenceInput(kind="image", path=_picture(tmp_path / "bo.jpg", "royalblue"), name="bo.jpg"),
    )
    return JobDraft(references=refs, prompt=prompt, size="1280*720", duration=2, **kw)


def _wait(manager: JobManager, job_id: str, states: set[str], timeout: float = 60.0, owner: str = ""):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        snap = manager.snapshot(job_id, owner=owner)
        if snap and (not seen or seen[-1] != snap.state):
            seen.append(snap.state)
        if snap and snap.state in states:
            return snap, seen
        time.sleep(0.05)  # reading an in-memory snapshot; the deadline bounds the wait
    raise AssertionError(f"job {job_id} never reached {states}; states seen: {seen}")


def _configure(emulator, **config) -> None:
    httpx.post(f"{emulator.base_url}/emulator/config", json=config,
               headers={"Authorization": f"Bearer {KEY}"}).raise_for_status()


def _record_states(manager: JobManager):
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


def _record_notices(manager: JobManager):
    """Every notice a job showed, in order, in English (the hub's changes, as the page would see them)."""
    seen: dict[str, list[str | None]] = {}
    hub = manager._hub
    real_change = hub.change

    def change(job_id, **kw):
        if kw.get("notice", ...) is not ...:
            seen.setdefault(job_id, []).append(None if kw["notice"] is None else str(kw["notice"]))
        return real_change(job_id, **kw)

    hub.change = change
    return lambda job_id: list(seen.get(job_id, []))
