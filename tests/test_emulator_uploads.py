"""The emulator's upload route and the files it serves back."""

from __future__ import annotations

import hashlib

import pytest

from tests.fixtures_emulator import AUTH, start_emulator, wait_until


@pytest.fixture(scope="module")
def emu():
    e = start_emulator()
    yield e
    e.stop()


DATA = bytes(range(256)) * 40


def upload(client, data=DATA, name="my photo (1).png", ctype="image/png") -> dict:
    r = client.post("/emulator/uploads", content=data, headers={**AUTH, "Content-Type": ctype, "X-Filename": name})
    assert r.status_code == 200, r.text
    return r.json()


def test_upload_roundtrip(client, emu):
    up = upload(client)
    assert up["bytes"] == len(DATA) and up["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert up["url"].startswith(emu.base_url + "/emulator/files/")
    assert up["url"].endswith("/my_photo_1_.png")
    assert isinstance(up["expires_at"], float)
    r = client.get(up["url"])  # no key needed: the service fetches it
    assert r.status_code == 200 and r.content == DATA and r.headers["content-type"] == "image/png"
    h = client.head(up["url"])
    assert h.status_code == 200 and int(h.headers["content-length"]) == len(DATA)
    assert client.get("/emulator/stats").json()["uploads"] == 1


def test_range_requests(client):
    up = upload(client)
    r = client.get(up["url"], headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == DATA[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(DATA)}"
    r = client.get(up["url"], headers={"Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == DATA[-5:]


def test_unknown_file_is_404(client, emu):
    r = client.get(emu.base_url + "/emulator/files/nope/x.png")
    assert r.status_code == 404 and r.json()["code"] == 404


def test_uploads_expire(client):
    client.post("/emulator/config", json={"upload_ttl_seconds": 1})
    up = upload(client)
    assert client.get(up["url"]).status_code in (200, 404)
    wait_until(lambda: client.get(up["url"]).status_code == 404, 5)


def test_empty_upload_is_refused(client):
    r = client.post("/emulator/uploads", content=b"", headers=AUTH)
    assert r.status_code == 400


def test_upload_name_is_made_safe(client):
    up = upload(client, name="../../etc/passwd")
    assert up["url"].endswith("/passwd")
    up = upload(client, name="", ctype="video/mp4")
    assert up["url"].endswith("/upload.mp4")
