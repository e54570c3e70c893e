"""Each backend end to end with the emulator fetching the URL it was given, the way the real
service would; and the emulator backend itself."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from r2v_ui.config import Settings
from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
from r2v_ui.hosting import EmulatorHost, HostingError, PublicAppHost, make_host, public_reference_routes
from tests.fixtures_hosting import LoopbackServer, closed_port, generate_from, write_png

KEY = "k"


@pytest.fixture(scope="module")
def emulator():
    with EmbeddedEmulator(EmulatorConfig(api_key=KEY, queue_seconds=0.2, finish_seconds=0.5)) as emu:
        yield emu


@pytest.mark.asyncio
async def test_emulator_upload_is_served_back_byte_for_byte(emulator, tmp_path):
    src = write_png(tmp_path / "évil name!.png")
    seen = []
    hosted = await EmulatorHost(emulator.base_url, KEY).put(
        src, content_type="image/png", on_progress=lambda d, t: seen.append((d, t))
    )
    assert hosted.url.startswith(emulator.base_url + "/emulator/files/")
    assert hosted.url.endswith("/vil_name.png")  # only a safe name travels
    assert hosted.expires_at is not None
    assert seen[0] == (0, src.stat().st_size) and seen[-1] == (src.stat().st_size, src.stat().st_size)
    async with httpx.AsyncClient() as client:
        got = await client.get(hosted.url)
    assert got.status_code == 200 and got.content == src.read_bytes()


@pytest.mark.asyncio
async def test_parallel_emulator_uploads(emulator, tmp_path):
    files = [write_png(tmp_path / f"{i}.png", seed=i) for i in range(4)]
    host = EmulatorHost(emulator.base_url, KEY)
    hosted = await asyncio.gather(*(host.put(f, content_type="image/png") for f in files))
    async with httpx.AsyncClient() as client:
        for f, h in zip(files, hosted):
            assert (await client.get(h.url)).content == f.read_bytes()


@pytest.mark.asyncio
async def test_emulator_check_and_its_failures_in_plain_words(emulator, tmp_path):
    assert "Embedded emulator" in str(await EmulatorHost(emulator.base_url, KEY).check())
    with pytest.raises(HostingError, match="refused the upload key"):
        await EmulatorHost(emulator.base_url, "wrong").put(write_png(tmp_path / "a.png"), content_type="image/png")
    gone = EmulatorHost(f"http://127.0.0.1:{closed_port()}", KEY)
    with pytest.raises(HostingError, match="Could not reach the embedded emulator"):
        await gone.put(write_png(tmp_path / "b.png"), content_type="image/png")
    with pytest.raises(HostingError, match="does not answer"):
        await gone.check()
    assert "k" not in repr(EmulatorHost(emulator.base_url, "secret-key-value")).replace(emulator.base_url, "")


@pytest.mark.asyncio
async def test_emulator_generates_from_its_own_upload(emulator, tmp_path):
    host = make_host(Settings(data_dir=tmp_path), emulator_url=emulator.base_url, emulator_key=KEY)
    assert host.name == "emulator"
    hosted = await host.put(write_png(tmp_path / "a.png", seed=7), content_type="image/png")
    doc = await generate_from(emulator.base_url, KEY, hosted.url)
    assert doc["task"]["status"] == "TASK_STATUS_SUCCEED", doc["task"]


@pytest.mark.asyncio
async def test_emulator_generates_from_a_public_app_link_and_fails_once_it_expired(emulator, tmp_path):
    now = [1_000_000.0]
    public = PublicAppHost(None, tmp_path / "store", ttl_seconds=600, clock=lambda: now[0])
    with LoopbackServer(Starlette(routes=public_reference_routes(public))) as studio:
        public.set_public_base_url(studio.base_url)
        hosted = await public.put(write_png(tmp_path / "a.png", seed=8), content_type="image/png")
        doc = await generate_from(emulator.base_url, KEY, hosted.url)
        assert doc["task"]["status"] == "TASK_STATUS_SUCCEED", doc["task"]
        now[0] += 601
        doc = await generate_from(emulator.base_url, KEY, hosted.url)
        assert doc["task"]["status"] == "TASK_STATUS_FAILED"
        assert "404" in doc["task"]["reason"]


@pytest.mark.asyncio
async def test_emulator_generates_from_an_s3_presigned_link(emulator, tmp_path, monkeypatch):
    pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        endpoint = "http://%s:%d" % server.get_host_and_port()
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="refs")
        settings = Settings(data_dir=tmp_path, hosting="s3", s3_bucket="refs", s3_endpoint=endpoint)
        host = make_host(settings, emulator_url=emulator.base_url, emulator_key=KEY)
        assert host.name == "s3"
        hosted = await host.put(write_png(tmp_path / "a.png", seed=9), content_type="image/png")
        doc = await generate_from(emulator.base_url, KEY, hosted.url)
        assert doc["task"]["status"] == "TASK_STATUS_SUCCEED", doc["task"]
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_a_big_upload_never_sits_whole_in_memory(emulator, tmp_path):
    import os
    import tracemalloc

    big = tmp_path / "clip.mp4"
    with open(big, "wb") as f:
        for _ in range(24):
            f.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    try:
        hosted = await EmulatorHost(emulator.base_url, KEY).put(big, content_type="video/mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a 24 MB upload"
    async with httpx.AsyncClient() as client:
        head = await client.head(hosted.url)
    assert int(head.headers["content-length"]) == big.stat().st_size


def test_uploads_share_one_tls_context_instead_of_loading_the_ca_bundle_each(tmp_path, monkeypatch):
    import ssl

    from r2v_ui import tls
    from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
    from r2v_ui.hosting import EmulatorHost
    from tests.fixtures_hosting import write_png

    built = []  # every CA-bundle load, whoever asks for it (httpx builds its contexts with this)
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **kw: built.append(1) or real(*a, **kw))
    tls.shared_context.cache_clear()
    files = [write_png(tmp_path / f"p{i}.png", seed=20 + i) for i in range(3)]
    with EmbeddedEmulator(EmulatorConfig(api_key="k")) as emu:
        host = EmulatorHost(emu.base_url, "k")

        async def put_all():
            return await asyncio.gather(*(host.put(p, content_type="image/png") for p in files))

        hosted = asyncio.run(put_all())
        assert len(built) == 1  # one context for three uploads (each would load the CA bundle: ~60 ms of CPU)
        assert [httpx.get(h.url).content for h in hosted] == [p.read_bytes() for p in files]
