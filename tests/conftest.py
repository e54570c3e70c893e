"""Shared test set-up.

* No real API key ever reaches a test: HIGHWAY_API_KEY / HIGHWAY_BASE_URL are removed from the
  environment for the whole session; tests that need a key make one up.
* Every test has a time limit (pytest-timeout), so a hang fails loudly instead of stalling CI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

for _name in ("HIGHWAY_API_KEY", "HIGHWAY_BASE_URL", "R2V_DATA_DIR", "R2V_HOSTING", "PUBLIC_BASE_URL"):
    os.environ.pop(_name, None)

ARTIFACTS = ROOT / "test-artifacts"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")
    config.addinivalue_line("markers", "slow: starts subprocesses or renders video")
    # Gradio's own queue calls a pandas argument that pandas 3 deprecates: noise, not ours.
    config.addinivalue_line("filterwarnings", "ignore:The copy keyword is deprecated")
    config.addinivalue_line("filterwarnings", "ignore:'future.no_silent_downcasting' is deprecated")
    if not config.getoption("timeout", None):
        config.option.timeout = 240


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
