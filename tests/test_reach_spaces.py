"""Running as a Hugging Face Space, without the network: SPACE_HOST makes https://$SPACE_HOST the
public address that auto hosting uses (and the reference URLs it yields are served by the studio
itself), a Space counts as reachable by others, and the page says when its data folder is wiped at
restart.  Also the settings that reach a Space without flags (R2V_AUTH, R2V_MCP)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import app
from r2v_ui.config import Settings
from r2v_ui.hosting import HostingError, PastedURLHost, PublicAppHost, S3Host, make_host
from r2v_ui.ui import hostpanel
from r2v_ui.ui.header import STORAGE_NOTICE, storage_notice_html
from tests.fixtures_hosting import closed_port, png_bytes, write_png
from tests.fixtures_ui import free_port

SPACE = "ann-r2v-studio.hf.space"


def space_env(tmp_path, **extra) -> dict[str, str]:
    return {"SPACE_HOST": SPACE, "HIGHWAY_API_KEY": "sk-made-up-for-tests", "R2V_DATA_DIR": str(tmp_path)} | extra


def test_on_a_space_auto_hosting_uses_the_spaces_https_address_with_no_other_setting(tmp_path):
    settings = Settings.from_env({"SPACE_HOST": SPACE, "HIGHWAY_API_KEY": "sk-made-up-for-tests"})
    assert settings.hosting == "auto" and settings.public_base_url == f"https://{SPACE}"
    host = make_host(settings.with_overrides(data_dir=tmp_path), emulator_url=None, emulator_key=None)
    assert isinstance(host.inner, PublicAppHost) and host.inner.public_base_url == f"https://{SPACE}"

    picture = write_png(tmp_path / "My Hero.png")
    hosted = asyncio.run(host.put(picture, content_type="image/png"))
    assert hosted.url.startswith(f"https://{SPACE}/r2v-ref/")
    assert hosted.url.endswith("/My_Hero.png") and hosted.expires_at is not None
    # The hosting panel names the address the service will fetch from.
    assert f"https://{SPACE}" in hostpanel.describe(settings, "live")


@pytest.mark.parametrize("value", ["ann-r2v-studio.hf.space", "https://ann-r2v-studio.hf.space/", " ann-r2v-studio.hf.space "])
def test_the_space_host_is_read_as_a_bare_host_name(value):
    assert Settings.from_env({"SPACE_HOST": value}).public_base_url == f"https://{SPACE}"


def test_a_chosen_hosting_way_beats_the_spaces_address(tmp_path):
    def backend(**env):
        s = Settings.from_env(space_env(tmp_path, **env))
        return make_host(s, emulator_url=None, emulator_key=None, cache=False)

    explicit = backend(PUBLIC_BASE_URL="https://studio.example.com")
    assert isinstance(explicit, PublicAppHost) and explicit.public_base_url == "https://studio.example.com"
    assert isinstance(backend(R2V_S3_BUCKET="my-bucket"), S3Host)
    assert isinstance(backend(R2V_HOSTING="url"), PastedURLHost)
    # Off a Space with nothing set up, live mode still says how to set hosting up.
    with pytest.raises(HostingError, match="PUBLIC_BASE_URL"):
        make_host(Settings.from_env({"HIGHWAY_API_KEY": "sk-made-up", "R2V_DATA_DIR": str(tmp_path)}),
                  emulator_url=None, emulator_key=None)


@pytest.mark.parametrize(
    "env, overrides, expected",
    [
        ({}, {}, False),
        ({"GRADIO_SERVER_NAME": "localhost"}, {}, False),
        ({"GRADIO_SERVER_NAME": "127.0.0.2"}, {}, False),
        ({"GRADIO_SERVER_NAME": "::1"}, {}, False),
        ({}, {"share": True}, True),
        ({"GRADIO_SERVER_NAME": "0.0.0.0"}, {}, True),
        ({"GRADIO_SERVER_NAME": "192.168.1.20"}, {}, True),
        ({"GRADIO_SERVER_NAME": "studio.example.com"}, {}, True),
        ({"SPACE_HOST": SPACE}, {}, True),
        ({"PUBLIC_BASE_URL": "https://studio.example.com"}, {}, True),
    ],
)
def test_reachable_by_others(env, overrides, expected):
    assert Settings.from_env(env).with_overrides(**overrides).reachable_by_others is expected


def test_the_data_folder_is_temporary_on_a_space_unless_the_owner_names_one(tmp_path):
    assert Settings.from_env({"SPACE_HOST": SPACE}).data_dir_temporary
    assert not Settings.from_env({"SPACE_HOST": SPACE, "R2V_DATA_DIR": "/data/r2v"}).data_dir_temporary
    assert not Settings.from_env({}).data_dir_temporary  # off a Space the disk is the user's own
    by_flag = app.settings_from(app.parse_args(["--data-dir", str(tmp_path)]), {"SPACE_HOST": SPACE})
    assert not by_flag.data_dir_temporary

    notice = storage_notice_html(Settings.from_env({"SPACE_HOST": SPACE}))
    assert STORAGE_NOTICE in notice and "R2V_DATA_DIR" in notice
    assert storage_notice_html(Settings.from_env({"SPACE_HOST": SPACE, "R2V_DATA_DIR": "/data/r2v"})) == ""
    assert storage_notice_html(Settings()) == ""


def test_a_space_is_configured_by_its_variables_and_secrets_alone():
    s = app.settings_from(app.parse_args([]), {"SPACE_HOST": SPACE, "R2V_AUTH": "ann:pw-1,bob:pw-2", "R2V_MCP": "1"})
    assert s.auth == (("ann", "pw-1"), ("bob", "pw-2")) and s.mcp
    assert app.settings_from(app.parse_args(["--mcp"]), {}).mcp
    assert not app.settings_from(app.parse_args([]), {}).mcp
    flag_wins = app.settings_from(app.parse_args(["--auth", "cy:pw-3"]), {"R2V_AUTH": "ann:pw-1"})
    assert flag_wins.auth == (("cy", "pw-3"),)


def test_the_owner_is_warned_when_anyone_could_spend_the_key_or_lose_videos():
    live_space = Settings.from_env({"SPACE_HOST": SPACE, "HIGHWAY_API_KEY": "sk-made-up-for-tests"})
    warnings = app.startup_warnings(live_space)
    assert any("your API key" in w for w in warnings) and any("R2V_DATA_DIR" in w for w in warnings)
    assert all("sk-made-up-for-tests" not in w for w in warnings)
    assert app.startup_warnings(live_space.with_overrides(auth=(("ann", "pw"),), data_dir_chosen=True)) == []
    assert app.startup_warnings(Settings.from_env({"HIGHWAY_API_KEY": "sk-made-up"})) == []  # loopback only


def test_a_studio_on_a_space_serves_its_references_itself_and_warns_about_its_disk(tmp_path):
    """The whole studio with a Space's environment, on loopback: live mode with a made-up key (the
    service address is a closed loopback port, so nothing can leave this machine).  A reference
    hosted for a live job gets a link on the Space's address, and the studio itself serves that
    path, which is what the Space's proxy forwards to it.  The page carries the storage notice."""
    env = space_env(tmp_path / "data", HIGHWAY_BASE_URL=f"http://127.0.0.1:{closed_port()}")
    env.pop("R2V_DATA_DIR")
    settings = Settings.from_env(env).with_overrides(data_dir=tmp_path / "data")  # as if R2V_DATA_DIR were unset
    assert settings.data_dir_temporary and not settings.demo
    studio = app.build_studio(settings)
    try:
        assert studio.public_host is not None
        studio.launch(host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True)
        local = studio.demo.local_url.rstrip("/")

        data = png_bytes(seed=3)
        picture = tmp_path / "hero.png"
        picture.write_bytes(data)
        hosted = asyncio.run(studio.public_host.put(picture, content_type="image/png"))
        assert hosted.url.startswith(f"https://{SPACE}/r2v-ref/")
        path = hosted.url[len(f"https://{SPACE}"):]
        served = httpx.get(local + path, timeout=30)
        assert served.status_code == 200 and served.content == data
        assert served.headers["content-type"] == "image/png"
        assert httpx.get(local + path.rsplit("/", 2)[0] + "/not-a-token/hero.png", timeout=30).status_code == 404

        config = httpx.get(local + "/config", timeout=30).json()
        shown = [c["props"].get("value") for c in config["components"] if c["props"].get("elem_id") == "storage-notice-box"]
        assert len(shown) == 1 and STORAGE_NOTICE in shown[0]
    finally:
        studio.close()


def test_demo_mode_on_a_space_still_hosts_files_for_a_session_key(tmp_path):
    """No key on the Space: demo mode.  A visitor who types a key makes that session live, and its
    files must then be served from the Space's address, so the public host exists in demo mode too."""
    settings = Settings.from_env({"SPACE_HOST": SPACE, "R2V_DATA_DIR": str(tmp_path)})
    assert settings.demo
    studio = app.build_studio(settings)
    try:
        assert studio.public_host is not None and studio.public_host.inner.public_base_url == f"https://{SPACE}"
        assert "built-in emulator" in hostpanel.describe(settings, "demo")
        assert f"https://{SPACE}" in hostpanel.describe(settings, hostpanel.session_target(settings, "sk-session"))
    finally:
        studio.close()


def test_the_readme_is_a_spaces_card_pinned_to_the_gradio_the_studio_runs_on():
    import re
    from pathlib import Path

    import gradio
    import yaml

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text("utf-8")
    assert readme.startswith("---\n")
    card = yaml.safe_load(readme.split("---\n", 2)[1])
    pinned = re.search(r"^gradio==(\S+)", (root / "requirements.txt").read_text("utf-8"), re.MULTILINE).group(1)
    assert card["sdk"] == "gradio" and str(card["sdk_version"]) == pinned == gradio.__version__
    assert (root / card["app_file"]).is_file() and card["app_file"] == "app.py"
    assert len(card["short_description"]) <= 60
    assert "## Run it on Hugging Face Spaces" in readme and "HIGHWAY_API_KEY" in readme and "R2V_DATA_DIR" in readme
