"""After the studio was killed and started again, no link either run handed out serves a deleted
video: the killed run's viewer folder (in Gradio's shared cache, where Gradio serves any file) is
removed when the next run starts, and Delete removes the job's copies from every viewer folder, not
only its own.  The studio runs as `python app.py` (demo mode) and is killed with SIGKILL; the URLs
are fetched over HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from r2v_ui.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
gradio_client = pytest.importorskip("gradio_client")


def _start(port: int, env: dict, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log.read_text()[-2000:]
        time.sleep(0.2)  # polling a condition with a deadline
    raise AssertionError("the studio did not start")


def _served(url: str, outputs) -> set[str]:
    text = " ".join(str(o) for o in outputs)
    return {f"{url}/gradio_api/file={m}" for m in re.findall(r'(?:src|poster)="gradio_api/file=([^"]+)"', text)}


def test_a_video_deleted_after_a_kill_and_restart_is_served_by_no_link_of_either_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIGHWAY_", "R2V_", "GRADIO_"))}
    env |= {"R2V_DATA_DIR": str(tmp_path / "data"), "GRADIO_TEMP_DIR": str(tmp_path / "gradio-cache"),
            "R2V_EMULATOR_SECONDS": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    first = free_port()
    studio = _start(first, env, tmp_path / "studio-1.log")
    try:
        client = gradio_client.Client(f"http://127.0.0.1:{first}/", verbose=False, download_files=False)
        cast = client.predict(api_name="/load_example_cast")
        client.predict(cast[-3], *FORM.values(), api_name="/generate")
        assert 'data-state="succeeded"' in client.submit(api_name="/watch_job").result(timeout=120)[0]
        job_id = client.predict("all", "", 0, api_name="/list_history")["jobs"][0]["job_id"]
        old = {u.split("/gradio_api/", 1)[1] for u in _served(f"http://127.0.0.1:{first}",
                                                               client.predict(job_id, api_name="/job_detail"))}
        assert len(old) == 2  # the video and its poster
    finally:
        studio.send_signal(signal.SIGKILL)
        studio.wait(timeout=10)

    second = free_port()
    studio = _start(second, env, tmp_path / "studio-2.log")
    try:
        base = f"http://127.0.0.1:{second}"
        stale = {f"{base}/gradio_api/{part}" for part in old}
        assert {httpx.get(u, timeout=30).status_code for u in stale} <= {403, 404}  # the killed run's folder went at start
        client = gradio_client.Client(base + "/", verbose=False, download_files=False)
        fresh = _served(base, client.predict(job_id, api_name="/job_detail"))
        assert len(fresh) == 2 and {httpx.get(u, timeout=30).status_code for u in fresh} == {200}
        urls = stale | fresh

        client.predict("all", "", api_name="/delete_job")

        assert client.predict("all", "", 0, api_name="/list_history")["jobs"] == []
        after = {u: httpx.get(u, timeout=30).status_code for u in urls}
        assert set(after.values()) <= {403, 404}, after
    finally:
        studio.terminate()
        studio.wait(timeout=30)
