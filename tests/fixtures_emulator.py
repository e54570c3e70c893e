"""Shared helpers for the emulator tests: an emulator on loopback, a static file server on
loopback, and small media files generated on the spot."""

from __future__ import annotations

import functools
import http.server as http_server
import threading
import time
import wave
from fractions import Fraction
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig

KEY = "test-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}
TERMINAL = {"TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"}


def start_emulator(**overrides) -> EmbeddedEmulator:
    cfg = dict(api_key=KEY, queue_seconds=0.3, finish_seconds=1.5, seed=1)
    cfg.update(overrides)
    return EmbeddedEmulator(EmulatorConfig(**cfg)).start()


class StaticServer:
    """Serves a directory on 127.0.0.1 (a stand-in for wherever references are hosted)."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http_server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.root = root
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: Path) -> str:
        return f"{self.base_url}/{path.relative_to(self.root).as_posix()}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http_server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def make_image(path: Path, size=(480, 640), fmt="PNG", color=(200, 80, 40)) -> Path:
    w, h = size
    arr = np.zeros((h, w, 3), np.uint8)
    arr[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    arr[..., 1] = color[1]
    arr[..., 2] = np.linspace(255, 0, h, dtype=np.uint8)[:, None]
    Image.fromarray(arr).save(path, fmt)
    return path


def make_video(path: Path, size=(320, 240), seconds=1.5, fps=12) -> Path:
    w, h = size
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.time_base = Fraction(1, fps)
        s.codec_context.options = {"preset": "ultrafast"}
        for i in range(int(seconds * fps)):
            a = np.full((h, w, 3), 30, np.uint8)
            a[:, : int(w * i / (seconds * fps)) + 1] = (30, 160, 220)
            f = av.VideoFrame.from_ndarray(a, format="rgb24")
            f.pts = i
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def make_wav(path: Path, seconds=3.5, rate=16000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 330 * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(samples.tobytes())
    return path


def body(media: list[dict], **extra) -> dict:
    out = {"prompt": "character1 waves at the camera", "media": media, "size": "1280*720", "duration": 2}
    out.update(extra)
    return out


def wait_terminal(client: httpx.Client, task_id: str, deadline_s: float = 40.0) -> dict:
    """Poll the task until it is terminal; fail after a bounded deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        r = client.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH)
        assert r.status_code == 200, r.text
        doc = r.json()
        if doc["task"]["status"] in TERMINAL:
            return doc
        assert time.monotonic() < deadline, f"task {task_id} not terminal in {deadline_s}s: {doc}"
        time.sleep(0.1)


def wait_until(predicate, deadline_s: float = 10.0, step: float = 0.1):
    deadline = time.monotonic() + deadline_s
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(step)


# Fixtures shared by the emulator test modules; each module defines its own `emu` (its config).
@pytest.fixture(scope="module")
def http(emu):
    with httpx.Client(base_url=emu.base_url, timeout=20, trust_env=False) as c:  # renders can take seconds
        yield c


@pytest.fixture()
def client(http):
    """A client on a freshly reset emulator."""
    http.post("/emulator/reset")
    return http
