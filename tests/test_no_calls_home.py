"""A started studio does not call Gradio's servers: Gradio's analytics (and its version check) are off
unless the owner turns them on with GRADIO_ANALYTICS_ENABLED.  Checked in a fresh process, where the
variable is read the moment Gradio is first imported and Gradio's calls home are recorded instead of
sent (so even the control run, with analytics on, sends nothing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_A_STUDIO = r"""
import importlib.abc, importlib.util, json, os, sys

seen = {"calls": []}

class Watch(importlib.abc.MetaPathFinder):
    busy = False

    def find_spec(self, name, path, target=None):
        if name == "gradio" and "at_import" not in seen:
            seen["at_import"] = os.environ.get("GRADIO_ANALYTICS_ENABLED")
        if name != "gradio.analytics" or Watch.busy:
            return None
        Watch.busy = True
        try:
            spec = importlib.util.find_spec(name)
        finally:
            Watch.busy = False
        run = spec.loader.exec_module

        def exec_module(module):  # Gradio's calls home, recorded instead of sent
            run(module)
            for fn in ("_do_analytics_request", "version_check"):
                setattr(module, fn, lambda *a, _fn=fn, **k: seen["calls"].append(_fn))

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Watch())
from app import build_studio
from r2v_ui.config import Settings

studio = build_studio(Settings(data_dir=__import__("pathlib").Path(sys.argv[1]), emulator_finish_seconds=1.0))
try:
    studio.launch(host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    seen["enabled"] = studio.demo.analytics_enabled
finally:
    studio.close()
print("RESULT " + json.dumps(seen), flush=True)
"""


def start_a_studio(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k != "GRADIO_ANALYTICS_ENABLED"}
    out = subprocess.run([sys.executable, "-c", START_A_STUDIO, str(tmp_path / "data")], cwd=ROOT,
                         env=clean | {"PYTHONPATH": str(ROOT)} | env, capture_output=True, text=True, timeout=300)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    assert line, out.stderr[-3000:]
    return json.loads(line[len("RESULT "):])


def test_a_started_studio_makes_no_analytics_call(tmp_path):
    seen = start_a_studio(tmp_path)
    assert seen["at_import"] == "False"  # set before Gradio was first imported
    assert seen["enabled"] is False and seen["calls"] == []


def test_an_owner_who_turns_analytics_on_is_obeyed(tmp_path):
    """The control: with the owner's own setting, Gradio would call home (recorded here, not sent)."""
    seen = start_a_studio(tmp_path, GRADIO_ANALYTICS_ENABLED="True")
    assert seen["at_import"] == "True" and seen["enabled"] is True
    assert "version_check" in seen["calls"] and "_do_analytics_request" in seen["calls"]
