"""Shared test set-up.

* No real API key ever reaches a test: HIGHWAY_API_KEY / HIGHWAY_BASE_URL are removed from the
  environment for the whole session; tests that need a key make one up.
* The shared fixtures (the job managers and their emulator, the browser, the pasted-links site, the
  emulator's HTTP clients) are registered for every module as plugins: a test names the fixture it
  needs, and imports only the plain helpers it calls.
* Every test has a time limit (pytest-timeout, `timeout` in pyproject.toml), so a hang fails
  loudly instead of stalling CI.  Markers, warnings filters and the import path are set there too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ("tests.fixtures_jobs", "tests.fixtures_browser", "tests.fixtures_hosting", "tests.fixtures_emulator",
                  "tests.fixtures_budget")

for _name in ("HIGHWAY_API_KEY", "HIGHWAY_BASE_URL", "R2V_DATA_DIR", "R2V_HOSTING", "PUBLIC_BASE_URL"):
    os.environ.pop(_name, None)

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
