"""The page's fixed answers served from memory (r2v_ui/ui/serving.py): the same answers Gradio builds,
kept apart by language, address and user, and Gradio's static files compressed once with the right
headers; over HTTP on loopback to the real studio.  Speed is measured by tests/bench_visitor.py
(`--page-opens`) and tests/bench_page.py, never asserted here.

"What Gradio builds" is read from the same studio with a query string added (`/?fresh=1`): a request
with a query is always Gradio's own, and Gradio's page does not depend on an unknown parameter.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import httpx
import pytest

from r2v_ui.ui import serving
from tests.fixtures_ui import running_studio

BROWSER = "gzip, deflate, br, zstd"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("serving"), finish_seconds=1.0) as running:
        yield running


def raw_get(client: httpx.Client, url: str, **headers) -> tuple[httpx.Response, bytes]:
    """An answer and its body as it crossed the wire (not decoded by httpx)."""
    with client.stream("GET", url, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def decoded(r: httpx.Response, body: bytes) -> bytes:
    coding = r.headers.get("content-encoding")
    if coding == "br":
        return brotli.decompress(body)
    if coding == "gzip":
        return gzip.decompress(body)
    assert coding is None, coding
    return body


def gradios_own(client: httpx.Client, url: str, **headers) -> bytes:
    r = client.get(url + ("&" if "?" in url else "?") + "fresh=1", headers={"accept-encoding": "identity", **headers})
    assert r.status_code == 200 and "etag" not in r.headers  # not one of the kept answers
    return r.content


@pytest.mark.parametrize("language", [{"accept-language": "en-US,en;q=0.9"},
                                      {"accept-language": "zh-CN,zh;q=0.9"},
                                      {"cookie": "r2v_lang=zh-CN", "accept-language": "en"}])
@pytest.mark.parametrize("path", ["/", "/config"])
def test_the_page_and_its_configuration_are_what_gradio_builds_served_from_memory(studio, language, path):
    kept = studio.studio.kept
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        first, first_body = raw_get(client, path, **language, **{"accept-encoding": BROWSER})
        served_before = kept.served.get("page" if path == "/" else "config", 0)
        again, again_body = raw_get(client, path, **language, **{"accept-encoding": BROWSER})
        own = gradios_own(client, path, **language)
    assert first.status_code == again.status_code == 200
    assert first.headers["content-encoding"] == "br"
    assert "accept-encoding" in first.headers["vary"].lower()
    assert first.headers["cache-control"] == "private, no-cache"
    assert decoded(first, first_body) == decoded(again, again_body) == own
    assert again.headers["etag"] == first.headers["etag"]
    assert kept.served.get("page" if path == "/" else "config", 0) == served_before + 1  # the second from memory
    if path == "/config":
        assert httpx.Response(200, content=own).json()["root"] == studio.url


def test_each_language_and_each_address_has_its_own_answer(studio):
    host = httpx.URL(studio.url)
    other = f"localhost:{host.port}"
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        en = client.get("/config", headers={"accept-language": "en"})
        zh = client.get("/config", headers={"cookie": "r2v_lang=zh-CN"})
        by_name = client.get("/config", headers={"host": other, "accept-language": "en"})
        own_by_name = gradios_own(client, "/config", host=other)
    kept = [(e["path"], e["lang"]) for e in studio.studio.kept.entries() if e["kind"] == "config"]
    assert ("/config", "en") in kept and ("/config", "zh-CN") in kept
    assert en.json()["root"] == zh.json()["root"] == studio.url
    # Another address is another answer, with that address in it (Gradio's own), not the first one's.
    assert by_name.json()["root"] == f"http://{other}"
    assert by_name.content == own_by_name
    assert en.headers["etag"] != by_name.headers["etag"]


def test_a_revalidated_page_is_not_sent_again(studio):
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        first = client.get("/", headers={"accept-encoding": "gzip"})
        again = client.get("/", headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]})
        head = client.head("/", headers={"accept-encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert again.status_code == 304 and again.content == b""
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == first.headers["etag"]
    assert int(head.headers["content-length"]) == int(first.headers["content-length"])


def test_with_a_login_each_user_has_their_own_page_and_strangers_gradios_login(tmp_path):
    logins = [("ana", "pw-ana-1"), ("bo", "pw-bo-2")]
    with running_studio(tmp_path, finish_seconds=1.0, auth=logins) as running:
        pages = {}
        for user, password in logins:
            with httpx.Client(base_url=running.url, timeout=60) as client:
                assert client.post("/login", data={"username": user, "password": password}).json()["success"]
                pages[user] = (client.get("/config"), client.get("/config"), gradios_own(client, "/config"))
                client.get("/logout")
                after = client.get("/config")
                assert after.status_code == 401  # a signed-out token is Gradio's to refuse, not served from memory
        with httpx.Client(base_url=running.url, timeout=60) as stranger:
            login_page = stranger.get("/")
            refused = stranger.get("/config")
        kept = running.studio.kept
    for user, (first, again, own) in pages.items():
        assert first.json()["username"] == user
        assert first.content == again.content == own
    assert {e["user"] for e in kept.entries() if e["kind"] == "config"} == {"ana", "bo"}
    assert refused.status_code == 401
    assert '"auth_required":true' in login_page.text.replace(" ", "")
    assert "etag" not in login_page.headers


def page_files(studio, client: httpx.Client) -> list[str]:
    html = client.get("/").text
    files = sorted(set(re.findall(r'(?:\./)?(assets/[\w.-]+\.(?:js|css))', html)))
    assert files, "the page names no static files"
    return files


def test_static_files_are_compressed_once_with_the_headers_a_browser_needs(studio):
    from gradio.route_utils import BUILD_PATH_LIB

    with httpx.Client(base_url=studio.url, timeout=60) as client:
        for name in page_files(studio, client)[:4]:
            on_disk = (Path(str(BUILD_PATH_LIB)) / name.removeprefix("assets/")).read_bytes()
            br, br_body = raw_get(client, "/" + name, **{"accept-encoding": BROWSER})
            gz, gz_body = raw_get(client, "/" + name, **{"accept-encoding": "gzip"})
            plain, plain_body = raw_get(client, "/" + name, **{"accept-encoding": "identity"})
            assert br.status_code == gz.status_code == plain.status_code == 200
            if len(on_disk) >= serving.MIN_COMPRESS:
                assert br.headers["content-encoding"] == "br" and gz.headers["content-encoding"] == "gzip"
            assert "content-encoding" not in plain.headers
            assert decoded(br, br_body) == decoded(gz, gz_body) == plain_body == on_disk
            for r, body in ((br, br_body), (gz, gz_body), (plain, plain_body)):
                assert "accept-encoding" in r.headers["vary"].lower()
                assert int(r.headers["content-length"]) == len(body)
                assert r.headers["content-type"].startswith(("application/javascript", "text/javascript", "text/css"))
            assert len({br.headers["etag"], gz.headers["etag"], plain.headers["etag"]}) == 3  # one per coding
            again = client.get("/" + name, headers={"accept-encoding": BROWSER, "if-none-match": br.headers["etag"]})
            assert again.status_code == 304
            ranged = client.get("/" + name, headers={"range": "bytes=0-9", "accept-encoding": BROWSER})
            assert ranged.status_code == 206 and ranged.content == on_disk[:10]  # a range is Gradio's own
    assert studio.studio.kept.served.get("file", 0) >= 4


@pytest.mark.parametrize("path", ["/assets/../routes.py", "/assets/%2e%2e/routes.py", "/assets/", "/assets/nope.js",
                                  "/static/../../../../etc/passwd"])
def test_names_outside_gradios_files_are_left_to_gradio(studio, path):
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        r = client.get(path, headers={"accept-encoding": BROWSER})
    assert r.status_code in (400, 403, 404)
    assert "etag" not in r.headers or not r.headers["etag"].endswith('-br"')


def test_a_changed_file_is_a_new_key(tmp_path):
    base = tmp_path / "assets"
    base.mkdir()
    (tmp_path / "outside.js").write_text("secret")
    f = base / "a.js"
    f.write_text("one")
    dirs = {"/assets/": str(base.resolve())}
    first = serving.file_key("/assets/", "a.js", dirs)
    f.write_text("two, longer")
    second = serving.file_key("/assets/", "a.js", dirs)
    assert first is not None and second is not None and first != second
    assert serving.file_key("/assets/", "../outside.js", dirs) is None
    assert serving.file_key("/assets/", "missing.js", dirs) is None


def test_accept_encoding_is_read_with_its_weights():
    assert serving.codings("gzip;q=0, br") == {"br"}
    assert serving.codings("br;q=0.0, gzip;q=0.5") == {"gzip"}
    assert serving.codings("*") >= {"br", "gzip"}
    assert serving.codings("") == set()


# --- visitors arriving together (issue 24: ten visitors at once compressed every file ten times) --------------
def fetch_together(url: str, path: str, times: int, **headers) -> list[tuple[int, dict, bytes]]:
    """`times` GETs of `path` sent at once, as visitors arriving together send them."""
    import asyncio

    async def run():
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            async def one():
                async with client.stream("GET", path, headers=headers) as r:
                    return r.status_code, dict(r.headers), b"".join([c async for c in r.aiter_raw()])
            return await asyncio.gather(*(one() for _ in range(times)))

    return asyncio.run(run())


def test_a_static_file_asked_for_by_many_at_once_is_built_and_compressed_once(studio):
    from gradio.route_utils import BUILD_PATH_LIB

    kept = studio.studio.kept
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        files = page_files(studio, client)
    biggest = max(files, key=lambda name: (Path(str(BUILD_PATH_LIB)) / name.removeprefix("assets/")).stat().st_size)
    on_disk = (Path(str(BUILD_PATH_LIB)) / biggest.removeprefix("assets/")).read_bytes()
    serving.FILES.clear()  # as after a start: nothing kept yet
    built, served = kept.built.get("file", 0), kept.served.get("file", 0)
    answers = fetch_together(studio.url, "/" + biggest, 8, **{"accept-encoding": BROWSER})
    assert kept.built.get("file", 0) == built + 1   # one build and one compression, not one per visitor
    assert kept.served.get("file", 0) == served + 7
    assert serving.FILE_BUILDS.running() == 0
    for status, headers, body in answers:
        assert status == 200 and headers["content-encoding"] == "br"
        assert brotli.decompress(body) == on_disk
    assert len({headers["etag"] for _, headers, _ in answers}) == 1


def test_the_page_asked_for_by_many_at_once_is_built_once(studio):
    import uuid

    kept = studio.studio.kept
    address = {"x-forwarded-host": f"together-{uuid.uuid4().hex[:8]}.example", "accept-language": "en"}
    built, served = kept.built.get("config", 0), kept.served.get("config", 0)
    answers = fetch_together(studio.url, "/config", 8, **address, **{"accept-encoding": BROWSER})
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        own = gradios_own(client, "/config", **address)
    assert kept.built.get("config", 0) == built + 1
    assert kept.served.get("config", 0) == served + 7
    for status, headers, body in answers:
        assert status == 200 and headers["content-encoding"] == "br"
        assert brotli.decompress(body) == own


def test_a_build_is_shared_across_event_loops_and_outlives_a_waiter_that_leaves():
    """The files are shared by every studio in a process, each on an event loop of its own: a request on one
    loop waits for the build another loop started; a waiter that goes away leaves the build to the rest."""
    import asyncio
    import threading

    builds = serving.Builds()
    answer = serving.Answer([], {"identity": b"x"}, {"identity": b'"x"'})
    started, release = threading.Event(), threading.Event()
    made = []

    async def build():
        made.append(1)
        started.set()
        await asyncio.get_running_loop().run_in_executor(None, release.wait)
        return answer

    results: dict[str, object] = {}

    def builder():
        results["builder"] = asyncio.run(builds.once(("k",), build))

    async def waiters():
        leaving = asyncio.ensure_future(builds.once(("k",), build))
        staying = asyncio.ensure_future(builds.once(("k",), build))
        await asyncio.sleep(0)
        leaving.cancel()
        release.set()
        results["staying"] = await staying
        results["leaving_cancelled"] = leaving.cancelled()

    first = threading.Thread(target=builder)
    first.start()
    assert started.wait(30)
    assert builds.running() == 1
    asyncio.run(waiters())
    first.join(30)
    assert made == [1]
    assert results["builder"] is answer and results["staying"] is answer and results["leaving_cancelled"]
    assert builds.running() == 0


def test_a_failed_build_leaves_each_waiter_to_ask_again():
    import asyncio

    builds = serving.Builds()

    async def main():
        gate = asyncio.Event()

        async def failing():
            await gate.wait()
            raise OSError("the file went away")

        first = asyncio.ensure_future(builds.once(("k",), failing))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(builds.once(("k",), failing))
        await asyncio.sleep(0)
        gate.set()
        with pytest.raises(OSError):
            await first
        return await second

    assert asyncio.run(main()) is None   # the waiter then asks Gradio itself
    assert builds.running() == 0
