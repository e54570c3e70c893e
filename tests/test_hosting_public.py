"""The public-app backend: the studio serves each reference under an unguessable path that expires,
and nothing else."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest
from starlette.applications import Starlette

from r2v_ui.hosting import HostingError, PublicAppHost, public_reference_routes
from tests.fixtures_hosting import LoopbackServer, closed_port, raw_get, write_png


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served(tmp_path):
    """A PublicAppHost with a controllable clock, its routes served by uvicorn on loopback."""
    clock = Clock()
    host = PublicAppHost(None, tmp_path / "store", ttl_seconds=600, clock=clock)
    server = LoopbackServer(Starlette(routes=public_reference_routes(host))).start()
    host.set_public_base_url(server.base_url)
    try:
        yield host, server, clock
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_issued_link_serves_the_same_bytes_with_head_and_range(served, tmp_path):
    host, server, clock = served
    src = write_png(tmp_path / "My Photo (1).png")
    seen = []
    hosted = await host.put(src, content_type="image/png", on_progress=lambda d, t: seen.append((d, t)))
    assert hosted.url.startswith(f"{server.base_url}/r2v-ref/")
    assert hosted.url.endswith("/My_Photo_1.png")  # a safe name, for show only
    assert hosted.expires_at == pytest.approx(clock.now + 600)
    assert seen[-1] == (src.stat().st_size, src.stat().st_size)
    token = hosted.url.split("/")[-2]
    assert len(token) >= 32
    async with httpx.AsyncClient() as client:
        got = await client.get(hosted.url)
        assert got.status_code == 200
        assert got.content == src.read_bytes()
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        head = await client.head(hosted.url)
        assert head.status_code == 200 and int(head.headers["content-length"]) == src.stat().st_size
        part = await client.get(hosted.url, headers={"Range": "bytes=0-7"})
        assert part.status_code == 206
        assert part.content == src.read_bytes()[:8]


@pytest.mark.asyncio
async def test_links_it_did_not_issue_are_404(served, tmp_path):
    host, server, _ = served
    hosted = await host.put(write_png(tmp_path / "a.png"), content_type="image/png")
    token, name = hosted.url.split("/")[-2:]
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{server.base_url}/r2v-ref/{'A' * 32}/{name}")).status_code == 404
        assert (await client.get(f"{server.base_url}/r2v-ref/{token}/other.png")).status_code == 404
        assert (await client.get(f"{server.base_url}/r2v-ref/{token}")).status_code == 404
    # Path tricks, sent exactly as written: nothing of the store (or beyond) is reachable.
    for raw in (
        "/r2v-ref/../index.json",
        "/r2v-ref/%2e%2e/index.json",
        f"/r2v-ref/{token}/..%2findex.json",
        f"/r2v-ref/{token}/../../index.json",
        "/r2v-ref/files/" + token,
        f"/r2v-ref/..%2f..%2ffiles%2f{token}/{name}",
        f"/r2v-ref/%2e%2e%2ffiles/{token}",
        "/r2v-ref/index.json/index.json",
        "/r2v-ref/..%2f..%2f..%2fetc/passwd",
    ):
        assert raw_get(server.port, raw) == 404, raw


@pytest.mark.asyncio
async def test_link_is_refused_after_it_expires_and_its_file_is_removed(served, tmp_path):
    host, server, clock = served
    hosted = await host.put(write_png(tmp_path / "a.png"), content_type="image/png")
    async with httpx.AsyncClient() as client:
        clock.now += 599
        assert (await client.get(hosted.url)).status_code == 200
        clock.now += 2
        assert (await client.get(hosted.url)).status_code == 404
        assert (await client.head(hosted.url)).status_code == 404
    assert host.purge_expired() == 1
    assert os.listdir(host.store_dir / "files") == []


@pytest.mark.asyncio
async def test_parallel_puts_each_get_their_own_link_and_survive_a_restart(served, tmp_path):
    host, server, clock = served
    files = [write_png(tmp_path / f"p{i}.png", seed=i) for i in range(5)]
    hosted = await asyncio.gather(*(host.put(f, content_type="image/png") for f in files))
    assert len({h.url for h in hosted}) == 5
    # A new host object over the same folder (a restarted studio) still serves what was issued.
    again = PublicAppHost(server.base_url, host.store_dir, ttl_seconds=600, clock=clock)
    async with httpx.AsyncClient() as client:
        for f, h in zip(files, hosted):
            token, name = h.url.split("/")[-2:]
            path, ctype = again.lookup(token, name)
            assert path.read_bytes() == f.read_bytes() and ctype == "image/png"
            assert (await client.get(h.url)).content == f.read_bytes()


@pytest.mark.asyncio
async def test_copy_is_used_when_a_hard_link_is_impossible(served, tmp_path, monkeypatch):
    host, _, _ = served
    src = tmp_path / "big.mp4"
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 5))

    def no_link(*a, **k):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    seen = []
    hosted = await host.put(src, content_type="video/mp4", on_progress=lambda d, t: seen.append(d))
    async with httpx.AsyncClient() as client:
        got = await client.get(hosted.url)
    assert got.content == src.read_bytes() and got.headers["content-type"] == "video/mp4"
    assert seen == sorted(seen) and seen[-1] == src.stat().st_size and len(seen) >= 4


@pytest.mark.asyncio
async def test_without_a_public_address_or_with_a_wrong_type_the_user_is_told(tmp_path):
    host = PublicAppHost(None, tmp_path / "store")
    src = write_png(tmp_path / "a.png")
    with pytest.raises(HostingError, match="PUBLIC_BASE_URL"):
        await host.put(src, content_type="image/png")
    with pytest.raises(HostingError, match="PUBLIC_BASE_URL"):
        await host.check()
    host.set_public_base_url("http://127.0.0.1:9")
    with pytest.raises(HostingError, match="cannot be hosted"):
        await host.put(src, content_type="text/html")
    with pytest.raises(HostingError, match="no longer on disk"):
        await host.put(tmp_path / "gone.png", content_type="image/png")


@pytest.mark.asyncio
async def test_check_fetches_a_probe_through_the_public_address(served, tmp_path):
    host, server, _ = served
    text = str(await host.check())  # a Msg, rendered here in English
    assert server.base_url in text
    assert host._index == {}  # the probe is forgotten again
    lost = PublicAppHost(f"http://127.0.0.1:{closed_port()}", tmp_path / "other")
    with pytest.raises(HostingError, match="cannot be reached"):
        await lost.check()
    # An address that answers but is not this studio.
    elsewhere = PublicAppHost(server.base_url, tmp_path / "elsewhere")
    with pytest.raises(HostingError, match="did not serve the test file"):
        await elsewhere.check()


def test_routes_mount_on_a_gradio_app_outside_its_login(tmp_path):
    """The snippet the studio uses: pass the routes to launch() through app_kwargs.  They are
    served before Gradio's own routes and without Gradio's login (the service has no session)."""
    gr = pytest.importorskip("gradio")
    host = PublicAppHost("http://placeholder", tmp_path / "store", ttl_seconds=600)
    src = write_png(tmp_path / "a.png")
    hosted = asyncio.run(host.put(src, content_type="image/png"))
    with gr.Blocks() as demo:
        gr.Markdown("studio")
    _app, local_url, _share = demo.launch(
        prevent_thread_lock=True,
        server_name="127.0.0.1",
        server_port=closed_port(),
        auth=("user", "pass"),
        quiet=True,
        app_kwargs={"routes": public_reference_routes(host)},
    )
    try:
        host.set_public_base_url(local_url.rstrip("/"))
        path = hosted.url.split("placeholder", 1)[1]
        got = httpx.get(local_url.rstrip("/") + path)
        assert got.status_code == 200 and got.content == src.read_bytes()
        assert httpx.get(local_url.rstrip("/") + "/r2v-ref/nope/a.png").status_code == 404
        assert httpx.get(local_url.rstrip("/") + "/config").status_code in (401, 403)  # the studio itself needs a login
    finally:
        demo.close()
