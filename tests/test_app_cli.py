"""The command line: every flag listed, settings from flags and environment, --auth parsing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_every_flag():
    out = subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for flag in ("--host", "--port", "--share", "--auth", "--data-dir", "--emulator-seconds", "--mcp"):
        assert flag in out.stdout
    assert "demo mode" in out.stdout


def test_flags_override_the_environment(tmp_path):
    env = {"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": "8000", "R2V_DATA_DIR": str(tmp_path / "env")}
    s = app.settings_from(app.parse_args([]), env)
    assert (s.host, s.port, s.data_dir) == ("0.0.0.0", 8000, tmp_path / "env")
    s = app.settings_from(app.parse_args(["--host", "127.0.0.2", "--port", "7001", "--data-dir", str(tmp_path / "f"),
                                          "--share", "--auth", "ann:pw1,bob:pw:2"]), env)
    assert (s.host, s.port, s.data_dir, s.share) == ("127.0.0.2", 7001, tmp_path / "f", True)
    assert s.auth == (("ann", "pw1"), ("bob", "pw:2"))  # a colon may be part of a password


def test_auth_from_a_file(tmp_path):
    f = tmp_path / "users.txt"
    f.write_text("# the studio's users\nann:secret one\n\nbob:two\n")
    assert app.parse_auth(str(f)) == (("ann", "secret one"), ("bob", "two"))


def test_a_malformed_auth_value_is_refused_in_plain_words():
    with pytest.raises(SystemExit, match="user:password"):
        app.parse_auth("justaname")


def test_the_console_names_the_share_flag_not_gradios_launch_call(tmp_path, capsys):
    """Started without --share, the console's hint is the studio's flag (Gradio's own says
    "set share=True in launch()", a call the person starting the studio never wrote)."""
    from app import build_studio
    from r2v_ui.ports import free_port

    from r2v_ui.config import Settings

    studio = build_studio(Settings.from_env({"R2V_DATA_DIR": str(tmp_path)}))
    try:
        studio.launch(host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=False)
        out = capsys.readouterr().out
    finally:
        studio.close()
    assert "--share" in out and "share=True" not in out and "launch()" not in out, out
    assert "Running on local URL" in out  # the rest of Gradio's console is untouched
