"""S3 hosting against a real S3-compatible HTTP server on loopback (moto's server, not moto's
in-process mocks): upload, presigned GET, the check button, and each way it can fail."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys

import httpx
import pytest

pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from r2v_ui.config import Settings  # noqa: E402
from r2v_ui.hosting import HostingError, S3Host, make_host  # noqa: E402
from tests.fixtures_hosting import closed_port, write_png  # noqa: E402

BUCKET = "r2v-test"


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Fake credentials in the usual variables, and no user config or instance metadata."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def bucket(moto_endpoint, aws_env):
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    return s3


def _host(endpoint: str, bucket: str = BUCKET, **kw) -> S3Host:
    return S3Host(bucket, endpoint_url=endpoint, prefix="refs/", region="us-east-1", url_ttl_seconds=900, **kw)


@pytest.mark.asyncio
async def test_upload_then_presigned_link_serves_the_same_bytes(moto_endpoint, bucket, tmp_path):
    src = write_png(tmp_path / "Holiday photo.png")
    seen = []
    host = _host(moto_endpoint)
    hosted = await host.put(src, content_type="image/png", on_progress=lambda d, t: seen.append((d, t)))
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert f"/refs/{digest}.png" in hosted.url  # content-addressed: no user file name in the key
    assert "Holiday" not in hosted.url
    assert "X-Amz-Expires=900" in hosted.url
    assert seen[-1] == (src.stat().st_size, src.stat().st_size)
    assert hosted.expires_at is not None
    async with httpx.AsyncClient() as client:
        got = await client.get(hosted.url)
    assert got.status_code == 200 and got.content == src.read_bytes()
    assert got.headers["content-type"] == "image/png"
    head = bucket.head_object(Bucket=BUCKET, Key=f"refs/{digest}.png")
    assert head["ContentType"] == "image/png"


@pytest.mark.asyncio
async def test_big_video_goes_up_in_parts_and_in_parallel(moto_endpoint, bucket, tmp_path):
    big = tmp_path / "clip.mp4"
    with open(big, "wb") as f:  # 9 MB: above the 8 MB multipart threshold
        for _ in range(9):
            f.write(os.urandom(1024 * 1024))
    small = write_png(tmp_path / "a.png", seed=3)
    host = _host(moto_endpoint)
    progress: list[int] = []
    hosted = await asyncio.gather(
        host.put(big, content_type="video/mp4", on_progress=lambda d, t: progress.append(d)),
        host.put(small, content_type="image/png"),
    )
    assert progress == sorted(progress) and progress[-1] == big.stat().st_size and len(progress) > 2
    async with httpx.AsyncClient() as client:
        for src, h in zip((big, small), hosted):
            got = await client.get(h.url)
            assert got.status_code == 200 and got.content == src.read_bytes()
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    etag = bucket.head_object(Bucket=BUCKET, Key=f"refs/{digest}.mp4")["ETag"]
    assert "-" in etag  # a multipart upload's ETag names its part count


@pytest.mark.asyncio
async def test_check_really_writes_and_deletes(moto_endpoint, bucket):
    text = str(await _host(moto_endpoint).check())  # a Msg, rendered here in English
    assert "upload and delete work" in text and BUCKET in text
    leftovers = bucket.list_objects_v2(Bucket=BUCKET, Prefix="refs/r2v-check-").get("KeyCount", 0)
    assert leftovers == 0


@pytest.mark.asyncio
async def test_a_bucket_that_does_not_exist_is_named(moto_endpoint, bucket, tmp_path):
    host = _host(moto_endpoint, bucket="no-such-bucket-here")
    with pytest.raises(HostingError, match="no bucket named 'no-such-bucket-here'") as err:
        await host.check()
    assert "R2V_S3_BUCKET" in str(err.value)
    with pytest.raises(HostingError, match="no-such-bucket-here"):
        await host.put(write_png(tmp_path / "a.png"), content_type="image/png")


@pytest.mark.asyncio
async def test_an_unreachable_endpoint_is_said_plainly(aws_env, tmp_path):
    host = _host(f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(HostingError, match="Could not reach the S3 endpoint"):
        await host.check()
    with pytest.raises(HostingError, match="Could not reach the S3 endpoint"):
        await host.put(write_png(tmp_path / "a.png"), content_type="image/png")


@pytest.mark.asyncio
async def test_missing_credentials_are_said_plainly(moto_endpoint, aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(HostingError, match="No S3 credentials were found.*AWS_ACCESS_KEY_ID"):
        await _host(moto_endpoint).check()


@pytest.mark.asyncio
async def test_wrong_credentials_are_said_plainly(moto_endpoint, bucket, monkeypatch):
    """moto checks access keys only when its IAM authentication is switched on (reset-auth 0);
    then a key it never issued is refused with InvalidAccessKeyId, as AWS does."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
    httpx.post(f"{moto_endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
    try:
        with pytest.raises(HostingError, match=r"credentials were refused.*\(InvalidAccessKeyId\)") as err:
            await _host(moto_endpoint).check()
        assert "AKIAWRONG" not in str(err.value) and "testing" not in str(err.value)
    finally:
        httpx.post(f"{moto_endpoint}/moto-api/reset-auth", content=b"inf").raise_for_status()


@pytest.mark.asyncio
async def test_without_boto3_the_user_is_told_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(HostingError, match="pip install boto3"):
        await _host("http://127.0.0.1:1").check()


def test_settings_choose_s3_when_a_bucket_is_set(tmp_path, moto_endpoint):
    settings = Settings(data_dir=tmp_path, s3_bucket=BUCKET, s3_endpoint=moto_endpoint, s3_url_ttl_seconds=1200)
    host = make_host(settings, emulator_url=None, emulator_key=None)
    assert host.name == "s3" and host.inner.bucket == BUCKET and host.inner.url_ttl_seconds == 1200
    assert make_host(settings, emulator_url="http://127.0.0.1:5", emulator_key="k").name == "emulator"
    assert make_host(settings.with_overrides(hosting="s3"), emulator_url="http://127.0.0.1:5", emulator_key="k").name == "s3"
