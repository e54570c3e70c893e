"""Reference hosting speaks the viewer's language: every hosting error is a code, and the setup
panel (each hosting way, a check that passes or fails, the first render before any request) is
drawn in Chinese for a Chinese viewer.  Real servers on loopback where a check needs one."""

from __future__ import annotations

import re

import pytest

from tests.lang_terms import foreign_words
from r2v_ui.config import Settings
from r2v_ui.hosting import (EmulatorHost, HostingError, PastedURLHost, PublicAppHost, S3Host, check_pasted_url,
                            make_host)
from r2v_ui.messages import EN, LEGACY, ZH, render_msg
from r2v_ui.ports import free_port
from r2v_ui.ui import hostpanel

from tests.fixtures_hosting import OWN_STUDIO
from tests.fixtures_jobs import KEY


def chinese(text: str, *data: str) -> str:
    """`text` without its HTML, checked to hold no English words; `data` (an address, a bucket's
    name, a setting's value) is quoted as it is, not words of a sentence."""
    plain = re.sub(r"<[^>]+>", "", text)
    checked = plain
    for d in data:
        checked = checked.replace(d, "")
    assert foreign_words(checked) == [], plain
    return plain


def _refused(exc: HostingError, *data: str) -> str:
    assert exc.msg.code != LEGACY, exc
    return chinese(render_msg(exc.msg, ZH), *data)


@pytest.mark.asyncio
async def test_hosting_errors_are_codes_that_read_in_chinese(tmp_path):
    with pytest.raises(HostingError) as none:
        make_host(Settings(data_dir=tmp_path), emulator_url=None, emulator_key=None)
    assert "There is no way to give your reference files a link" in str(none.value)  # English as before
    assert "R2V_S3_BUCKET" in _refused(none.value, "R2V_HOSTING=url")
    with pytest.raises(HostingError) as not_running:
        make_host(Settings(data_dir=tmp_path, hosting="emulator"), emulator_url=None, emulator_key=None)
    assert "内置模拟服务" in _refused(not_running.value)
    with pytest.raises(HostingError) as no_bucket:
        S3Host("")
    _refused(no_bucket.value)
    with pytest.raises(HostingError) as no_address:
        await PublicAppHost(None, tmp_path / "public").check()
    assert "PUBLIC_BASE_URL" in _refused(no_address.value, "--share")
    with pytest.raises(HostingError) as wrong_type:
        await PastedURLHost().put(tmp_path / "a.png", content_type="image/png")
    _refused(wrong_type.value, "a.png")
    bad = tmp_path / "page.html"
    bad.write_text("<html></html>")
    with pytest.raises(HostingError) as not_media:
        await PublicAppHost("http://127.0.0.1:9", tmp_path / "p").put(bad, content_type="text/html")
    assert "无法托管" in _refused(not_media.value, "'text/html'")


@pytest.mark.asyncio
async def test_an_emulator_that_does_not_answer_says_so_in_chinese():
    where = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(HostingError) as ei:
        await EmulatorHost(where, KEY).check()
    assert ei.value.msg.code == "hosting.emu_silent"
    assert ei.value.msg.params["detail"].code == "hosting.cause.refused"  # the system's words, said plainly
    assert "没有响应" in _refused(ei.value, where) and "该地址没有任何响应" in _refused(ei.value, where)


@pytest.mark.asyncio
async def test_a_pasted_link_nothing_answers_is_refused_in_chinese():
    where = f"127.0.0.1:{free_port()}"
    with pytest.raises(HostingError) as ei:
        await check_pasted_url(f"http://{where}/ada.png", "image", guard=OWN_STUDIO)
    assert ei.value.msg.code == "hosting.link_unreachable"
    assert "nothing answers at that address" in str(ei.value)
    assert "该地址没有任何响应" in _refused(ei.value, where)


@pytest.mark.asyncio
async def test_a_pasted_link_to_something_else_is_refused_in_chinese():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.fixtures_client import ServerThread

    async def page(request):
        return Response(b"<html></html>", media_type="text/html")

    async def untyped(request):
        response = Response(b"\x00" * 10)
        del response.headers["content-type"]
        return response

    app = Starlette(routes=[Route("/page", page, methods=["GET", "HEAD"]),
                            Route("/untyped", untyped, methods=["GET", "HEAD"])])
    with ServerThread(app) as server:
        where = server.base_url.split("//", 1)[1]
        with pytest.raises(HostingError) as html_page:
            await check_pasted_url(f"{server.base_url}/page", "image", guard=OWN_STUDIO)
        with pytest.raises(HostingError) as no_type:
            await check_pasted_url(f"{server.base_url}/untyped", "video", guard=OWN_STUDIO)
    assert "不是服务能读取的图片" in _refused(html_page.value, where, "'text/html'")
    assert "serves 'no type', not a video" in str(no_type.value)
    assert "没有标明类型的内容" in _refused(no_type.value, where)


@pytest.mark.parametrize("overrides, data", [
    ({}, ()),
    ({"hosting": "emulator"}, ("R2V_HOSTING=emulator",)),
    ({"s3_bucket": "my-refs", "s3_endpoint": "https://r2.example.com"}, ("my-refs", "r2v-references/", "r2.example.com")),
    ({"s3_bucket": "my-refs"}, ("my-refs", "r2v-references/")),
    ({"public_base_url": "https://studio.example.com"}, ()),
    ({"hosting": "public"}, ()),
    ({"hosting": "url"}, ()),
])
def test_each_hosting_way_is_described_in_chinese(tmp_path, overrides, data):
    settings = Settings(data_dir=tmp_path, api_key=Settings.from_env({"HIGHWAY_API_KEY": "sk-x"}).api_key,
                        **overrides)
    zh = hostpanel.describe(settings, "live", ZH)
    chinese(zh, settings.base_url, "https://studio.example.com", "R2V_HOSTING=url", *data)
    assert hostpanel.describe(settings, "live", EN) != zh


def test_the_first_render_holds_both_languages_and_the_demo_panel_reads_in_chinese():
    both = hostpanel.describe_both(Settings(), "demo")
    assert 'lang="en"' in both and 'lang="zh-CN"' in both
    assert "built-in emulator hosts your files" in both and "内置模拟服务托管你的文件" in both
    assert "内置模拟服务" in chinese(hostpanel.describe(Settings(), "demo", ZH))


def test_the_hosting_check_passes_and_fails_in_chinese(tmp_path, emulator, managers):
    manager = managers()
    ok = hostpanel.check_html(manager, "demo", ZH)
    assert 'data-kind="ok"' in ok and "✓ 正常" in ok
    chinese(ok, emulator.base_url)
    settings = Settings.from_env({"HIGHWAY_API_KEY": "sk-made-up", "R2V_DATA_DIR": str(tmp_path / "live")})
    from r2v_ui.jobs import JobManager
    from r2v_ui.store import JobStore

    live = managers.own(JobManager(settings, JobStore(tmp_path / "live"),
                      host_factory=lambda target: make_host(settings, emulator_url=None, emulator_key=None)))
    failed = hostpanel.check_html(live, "live", ZH)
    assert 'data-kind="error"' in failed and "✕ 检查未通过" in failed
    chinese(failed, "R2V_HOSTING=url")
