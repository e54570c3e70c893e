"""The live-pricing studio the budget tests share (tests/test_ui_budget.py, tests/test_browser_spend.py):
an emulator standing in for the paid service (the `budget_service` fixture, one a module, registered in
conftest.py), the real app launched against it with a made-up studio key, and what a browser does on
arrival and on Generate."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
from tests.fixtures_ui import RunningStudio, launched

KEY = "made-up-key-for-budget-tests"
FORM = dict(negative="", tier="720P", aspect="16:9", duration=5, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None)


@pytest.fixture(scope="module")
def budget_service():
    emu = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=30.0, queue_seconds=0.3)).start()
    yield emu
    emu.stop()


def submits(service) -> int:
    return httpx.get(service.base_url + "/emulator/stats", headers={"Authorization": f"Bearer {KEY}"}).json()["submits"]


@contextlib.contextmanager
def live_studio(data_dir: Path, service, *, auth=None, **overrides) -> Iterator[RunningStudio]:
    """The real app in live mode: the studio's key is made up, the service is the emulator."""
    from r2v_ui.config import Settings

    settings = Settings.from_env({"R2V_DATA_DIR": str(data_dir), "HIGHWAY_API_KEY": KEY,
                                  "HIGHWAY_BASE_URL": service.base_url, "R2V_HOSTING": "emulator"}
                                 ).with_overrides(**overrides)
    with launched(settings, data_dir, auth=auth) as running:
        yield running


def arrive(client):
    """What a browser does on opening the page (/resume): from then on the session is one visitor."""
    client.predict(None, api_name="/resume")  # no browser storage: a new visitor
    return client


def generate(client) -> str:
    """The example cast, then Generate as a user who already said "don't ask again": the form's alert."""
    prompt = client.predict(api_name="/load_example_cast")[-3]
    alert, _ = client.predict(prompt, *FORM.values(), api_name="/confirm_generate")
    return alert
