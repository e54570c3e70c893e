"""Launching the real studio on loopback for the UI tests (gradio_client and Playwright).

Imported explicitly by tests/test_ui_*.py and tests/test_browser_*.py (conftest.py belongs to the lead).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
from PIL import Image, ImageDraw

from r2v_ui.ports import free_port


@dataclass
class RunningStudio:
    studio: Any
    url: str
    data_dir: Path


@contextlib.contextmanager
def running_studio(data_dir: Path, *, finish_seconds: float = 3.0, auth=None,
                   **overrides: Any) -> Iterator[RunningStudio]:
    """The real app (app.build_studio) in demo mode, its data in `data_dir`, served on a free loopback port.
    `overrides` are Settings fields (e.g. mcp=True)."""
    from r2v_ui.config import Settings

    settings = Settings.from_env({"R2V_DATA_DIR": str(data_dir)}).with_overrides(
        emulator_finish_seconds=finish_seconds, **overrides)
    assert settings.demo, "UI tests run against the built-in emulator only"
    with launched(settings, data_dir, auth=auth) as running:
        yield running


@contextlib.contextmanager
def launched(settings: Any, data_dir: Path, *, auth=None) -> Iterator[RunningStudio]:
    """The studio app.build_studio makes of `settings`, served on a free loopback port, closed at the end."""
    from app import build_studio

    studio = build_studio(settings)
    try:
        studio.launch(host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True, auth=auth)
        yield RunningStudio(studio, studio.demo.local_url.rstrip("/"), data_dir)
    finally:
        studio.close()


def character_png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (640, 800)) -> Path:
    """A simple drawn character: a coloured body and a face, big enough for the service's rules."""
    w, h = size
    img = Image.new("RGB", size, (240, 244, 255))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([w * 0.25, h * 0.45, w * 0.75, h * 0.95], radius=int(w * 0.08), fill=colour)
    d.ellipse([w * 0.3, h * 0.1, w * 0.7, h * 0.45], fill=(241, 194, 160))
    d.ellipse([w * 0.4, h * 0.22, w * 0.45, h * 0.27], fill=(30, 30, 30))
    d.ellipse([w * 0.55, h * 0.22, w * 0.6, h * 0.27], fill=(30, 30, 30))
    img.save(path)
    return path


def served_file(player_html: str) -> Path:
    """The file behind a plain `<video src="gradio_api/file=…">` the page shows (ui/videoview.py)."""
    import re
    from urllib.parse import unquote

    m = re.search(r'src="gradio_api/file=([^"]+)"', player_html or "")
    assert m, f"no served video in {player_html!r}"
    return Path(unquote(m.group(1)))


def submits(studio: RunningStudio) -> int:
    """How many tasks the studio's embedded emulator has been sent (its own counter, over loopback)."""
    import httpx

    return httpx.get(studio.studio.emulator.base_url + "/emulator/stats").json()["submits"]


def run_event(url: str, fn_index: int, data: list) -> list[dict]:
    """Every message of one event, as the page's script receives them (join, then the session's stream).
    Gives up after 60 s (Gradio's heartbeats keep the stream talking, so a read timeout never comes)."""
    session = secrets.token_hex(8)
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=httpx.Timeout(60.0)) as http:
        r = http.post(f"{url}/gradio_api/queue/join", json={
            "data": data, "event_data": None, "fn_index": fn_index, "trigger_id": None, "session_hash": session})
        r.raise_for_status()
        event_id = r.json()["event_id"]
        messages = []
        with http.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}) as resp:
            for line in resp.iter_lines():
                if time.monotonic() > deadline:
                    break
                if line.startswith("data:"):
                    msg = json.loads(line[5:])
                    if msg.get("event_id") == event_id:
                        messages.append(msg)
                        if msg.get("msg") == "process_completed":
                            return messages
    raise AssertionError(f"the event's stream closed before it completed: {messages}")
