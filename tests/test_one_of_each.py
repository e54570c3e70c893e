"""The set-up findings stay fixed: one of each helper, a job core of small files, and no test
set-up that edits the import path (pyproject.toml's `pythonpath` does that)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for p in [ROOT / "app.py", *ROOT.glob("r2v_ui/**/*.py"), *ROOT.glob("tests/*.py")]
           if p.name != Path(__file__).name]


def _defining(pattern: str) -> list[str]:
    rx = re.compile(pattern, re.MULTILINE)
    return sorted(str(p.relative_to(ROOT)) for p in SOURCES if rx.search(p.read_text("utf-8")))


def test_one_free_port_helper():
    assert _defining(r"^\s*def _?free_port\(") == ["r2v_ui/ports.py"]


def test_one_backoff():
    assert _defining(r"^\s*def _?backoff\(") == ["r2v_ui/backoff.py"]
    assert _defining(r"\* 2\.0 \*\*|2\.0 \*\* ") == ["r2v_ui/backoff.py"]


def test_the_job_core_keeps_its_rooms():
    """Its parts stay apart (sizes are a review rule, not a count: see the README's "Contributing")."""
    names = {p.name for p in (ROOT / "r2v_ui" / "jobs").glob("*.py")}
    assert {"manager.py", "loop.py", "scheduler.py", "runner.py", "follow.py", "hub.py", "keys.py"} <= names


def test_no_test_set_up_edits_the_import_path():
    assert "sys.path" not in (ROOT / "tests" / "conftest.py").read_text("utf-8")
