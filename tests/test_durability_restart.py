"""Nothing lost: the studio killed with SIGKILL while the service is processing a job, restarted,
and the job finishes with its video in the library, after exactly one submit.

The service is a standalone emulator process (`python -m r2v_ui.emulator`), so it outlives the
studio exactly as the real service would.  The studio runs in live mode against it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from r2v_ui.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
KEY = "made-up-key-for-restart-test"

pytestmark = pytest.mark.slow


def _wait_until(what: str, check, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (httpx.HTTPError, sqlite3.Error, OSError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)  # polling a condition with a deadline
    raise AssertionError(f"timed out waiting for {what}; last seen: {last!r}")


def _job_row(data_dir: Path) -> dict | None:
    db = data_dir / "jobs.sqlite3"
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM jobs ORDER BY created_at DESC LIMIT 1").fetchone()
        return dict(row) if row else None
    finally:
        conn.close()


def _stats(emu_url: str) -> dict:
    return httpx.get(f"{emu_url}/emulator/stats", timeout=5).json()


def _start_studio(port: int, env: dict, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
        stdout=open(log, "ab"), stderr=subprocess.STDOUT,
    )
    _wait_until("the studio to serve its page", lambda: httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200,
                timeout=90)
    return proc


@pytest.fixture
def standalone_emulator(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "r2v_ui.emulator", "--port", str(port), "--key", KEY, "--finish-seconds", "12"],
        cwd=ROOT, stdout=open(tmp_path / "emulator.log", "wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until("the emulator", lambda: _stats(url), timeout=30)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_studio_killed_while_the_service_is_processing_finishes_the_job_after_restart(tmp_path, standalone_emulator):
    import av
    from gradio_client import Client

    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIGHWAY_", "R2V_"))}
    env |= {"HIGHWAY_API_KEY": KEY, "HIGHWAY_BASE_URL": standalone_emulator, "R2V_HOSTING": "emulator",
            "R2V_DATA_DIR": str(data_dir), "R2V_POLL_RPM": "600", "GRADIO_ANALYTICS_ENABLED": "False"}
    first_port = free_port()
    studio = _start_studio(first_port, env, tmp_path / "studio-1.log")
    try:
        client = Client(f"http://127.0.0.1:{first_port}/", verbose=False)
        client.predict(api_name="/load_example_cast")
        form = ("character1 waves at character2", "", "720P", "16:9", 2, "single", True, False, "random", 0)
        _, confirm = client.predict(*form, api_name="/generate")
        assert "Send this video to the live service" in confirm  # live mode asks once per session, with the price
        assert "Estimated price: <b>about $0.20" in confirm  # 720P, 2 s, from the price table
        client.predict(*form, api_name="/confirm_generate")
        row = _wait_until("the job to be processing at the service",
                          lambda: (r := _job_row(data_dir)) and r["task_id"] and r["state"] in ("queued", "processing") and r,
                          timeout=60)
        task_id = row["task_id"]
        assert _stats(standalone_emulator)["submits"] == 1
    finally:
        os.kill(studio.pid, signal.SIGKILL)  # no clean-up of any kind runs
        studio.wait(timeout=10)

    second_port = free_port()
    studio = _start_studio(second_port, env, tmp_path / "studio-2.log")
    try:
        row = _wait_until("the resumed job to finish", lambda: (r := _job_row(data_dir)) and r["state"] in
                          ("succeeded", "failed") and r, timeout=120, interval=0.25)
        assert row["state"] == "succeeded", row["error"]
        assert row["task_id"] == task_id
        video = data_dir / row["video_path"]
        with av.open(str(video)) as c:
            stream = c.streams.video[0]
            assert (stream.codec_context.width, stream.codec_context.height) == (640, 360)  # the emulator's preview
        sidecar = json.loads(video.with_suffix(".json").read_text())
        assert sidecar["task_id"] == task_id and sidecar["settings"]["prompt"] == "character1 waves at character2"
        assert _stats(standalone_emulator)["submits"] == 1  # never paid twice

        # A fresh page (a reload) finds the job and its video.
        again = Client(f"http://127.0.0.1:{second_port}/", verbose=False)
        history = again.predict("all", "", 0, api_name="/list_history")
        assert task_id in json.dumps(history, default=str) or row["job_id"] in json.dumps(history, default=str)
        assert KEY not in (tmp_path / "studio-1.log").read_text() + (tmp_path / "studio-2.log").read_text()
    finally:
        studio.terminate()
        studio.wait(timeout=20)
