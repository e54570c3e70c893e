"""Which backend the settings give, and the small rules every backend shares."""

from __future__ import annotations

import pytest

from r2v_ui.config import Settings
from r2v_ui.errors import StudioError
from r2v_ui.hosting import (
    CachingHost,
    EmulatorHost,
    HostingError,
    PastedURLHost,
    PublicAppHost,
    ReferenceHost,
    S3Host,
    make_host,
    safe_filename,
)
from tests.fixtures_hosting import write_png


def test_auto_prefers_the_emulator_then_s3_then_the_public_address(tmp_path):
    base = Settings(data_dir=tmp_path)
    host = make_host(base, emulator_url="http://127.0.0.1:9", emulator_key="k")
    assert isinstance(host, CachingHost) and isinstance(host.inner, EmulatorHost) and host.name == "emulator"
    s3 = make_host(base.with_overrides(s3_bucket="b", public_base_url="https://x.example"), emulator_url=None, emulator_key=None)
    assert isinstance(s3.inner, S3Host)
    public = make_host(base.with_overrides(public_base_url="https://x.example/"), emulator_url=None, emulator_key=None)
    assert isinstance(public.inner, PublicAppHost) and public.inner.public_base_url == "https://x.example"
    assert public.inner.store_dir == tmp_path / "hosting" / "public"
    for h in (host, s3, public, PastedURLHost()):
        assert isinstance(h, ReferenceHost)


def test_auto_with_nothing_set_up_says_how_to_set_one_up(tmp_path):
    with pytest.raises(HostingError) as err:
        make_host(Settings(data_dir=tmp_path), emulator_url=None, emulator_key=None)
    text = str(err.value)
    assert "R2V_S3_BUCKET" in text and "PUBLIC_BASE_URL" in text and "R2V_HOSTING=url" in text
    assert isinstance(err.value, StudioError)


def test_explicit_choices_that_cannot_work_are_refused(tmp_path):
    base = Settings(data_dir=tmp_path)
    with pytest.raises(HostingError, match="not running"):
        make_host(base.with_overrides(hosting="emulator"), emulator_url=None, emulator_key=None)
    with pytest.raises(HostingError, match="R2V_S3_BUCKET"):
        make_host(base.with_overrides(hosting="s3"), emulator_url=None, emulator_key=None)
    # public without an address: allowed (a share link is set after launch), but put says what to do
    host = make_host(base.with_overrides(hosting="public"), emulator_url=None, emulator_key=None)
    assert host.inner.public_base_url is None


@pytest.mark.asyncio
async def test_pasted_links_only_refuses_local_files_plainly(tmp_path):
    host = make_host(Settings(data_dir=tmp_path, hosting="url"), emulator_url="http://127.0.0.1:9", emulator_key="k")
    assert host.name == "url"
    with pytest.raises(HostingError, match="Paste a public link"):
        await host.put(write_png(tmp_path / "a.png"), content_type="image/png")
    assert "Pasted links" in str(await host.check())  # a Msg, rendered here in English


@pytest.mark.parametrize(
    "name, ctype, expected",
    [
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("My Photo (1).PNG", "image/png", "My_Photo_1.png"),
        (".bashrc", "image/jpeg", "bashrc.jpg"),
        ("clip.MOV", "video/quicktime", "clip.mov"),
        ("voice.txt", "audio/wav", "voice.wav"),
        ("日本語.webp", "image/webp", "reference.webp"),
        ("a" * 300 + ".png", "image/png", "a" * 70 + ".png"),
    ],
)
def test_safe_names_never_carry_a_path(name, ctype, expected):
    assert safe_filename(name, ctype) == expected
