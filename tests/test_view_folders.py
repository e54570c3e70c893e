"""The page's view folders in Gradio's cache (ui/viewfiles.py) do not pile up: a studio killed without
closing leaves its folder behind, and the next studio to start removes it, while the folder of a
studio still running (in another process or this one) is left alone.  Real processes, one of them
SIGKILLed, sharing a cache folder made for the test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDIO_VIEWER = """
import os, signal, sys
from pathlib import Path
from r2v_ui.ui.viewfiles import Viewer

viewer = Viewer()
print(viewer.show(Path(sys.argv[1])), flush=True)  # one served copy in its folder
if sys.argv[2] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
sys.stdin.read()  # running until the test closes its input
viewer.close()
"""


def start_viewer(cache: Path, video: Path, how: str) -> subprocess.Popen:
    env = dict(os.environ, GRADIO_TEMP_DIR=str(cache), PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", STUDIO_VIEWER, str(video), how], env=env, cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def folder_of(proc: subprocess.Popen) -> Path:
    """The view folder of a started studio, once it has shown its file: <cache>/r2v-view-*/<hash>/<name>."""
    served = Path(proc.stdout.readline().strip())
    assert served.is_file(), "the studio showed nothing"
    return served.parent.parent


@pytest.mark.skipif(sys.platform == "win32", reason="flock: on Windows dead studios' folders go by age alone")
def test_the_folders_of_killed_studios_are_removed_at_start_and_running_ones_are_kept(tmp_path, monkeypatch):
    from r2v_ui.ui.viewfiles import UNLOCKED_KEEP_S, Viewer

    cache = tmp_path / "gradio-cache"
    video = tmp_path / "library" / "clip.mp4"
    video.parent.mkdir()
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 100)
    running = start_viewer(cache, video, "running")
    running_folder = folder_of(running)
    killed = start_viewer(cache, video, "killed")  # (started after: a studio starting removes dead ones')
    killed_folder = folder_of(killed)
    assert killed.wait(timeout=60) == -9 and killed_folder.is_dir()  # SIGKILL: nothing was cleaned
    older = cache / "r2v-view-older-studio"  # made by a studio from before the lock file
    (older / "abc").mkdir(parents=True)
    (older / "abc" / "clip.mp4").write_bytes(b"old")
    long_ago = time.time() - UNLOCKED_KEEP_S - 60
    os.utime(older, (long_ago, long_ago))
    just_made = cache / "r2v-view-being-made"  # another studio between making its folder and locking it
    just_made.mkdir()
    try:
        monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
        first = Viewer()
        assert not killed_folder.exists() and not older.exists()
        assert running_folder.is_dir() and just_made.is_dir() and first.root.is_dir()
        second = Viewer()  # another studio in this process: the first is running, so it stays
        assert first.root.is_dir() and second.root.is_dir() and running_folder.is_dir()
        first.close()
        second.close()
    finally:
        running.stdin.close()
        assert running.wait(timeout=60) == 0
    assert not running_folder.exists()  # a studio that closes takes its own folder away, as before
