"""Tasks on the emulator from submit to a playable MP4, failures, and expiring links."""

from __future__ import annotations

import time

import av
import httpx
import pytest

from tests.fixtures_emulator import (AUTH, StaticServer, body, make_image, make_video, make_wav, start_emulator,
    wait_terminal, wait_until)


@pytest.fixture(scope="module")
def emu():
    e = start_emulator(queue_seconds=0.3, finish_seconds=1.5)
    yield e
    e.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("refs")
    server = StaticServer(root)
    server.paths = {
        "portrait": make_image(root / "portrait.png", (480, 640)),
        "jpeg": make_image(root / "wide.jpg", (800, 450), "JPEG"),
        "tiny": make_image(root / "tiny.png", (100, 100)),
        "clip": make_video(root / "clip.mp4", (320, 240), 1.5),
        "voice": make_wav(root / "voice.wav", 3.5),
        "short_voice": make_wav(root / "short.wav", 1.0),
    }
    yield server
    server.close()


def submit(client: httpx.Client, payload: dict) -> str:
    r = client.post("/v3/async/wan2.7-r2v", json=payload, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()["task_id"]


def download(client: httpx.Client, url: str, dest) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "video/mp4"
    dest.write_bytes(r.content)


def test_task_moves_queued_processing_succeed_and_mp4_is_a_preview_of_the_request(client, files, tmp_path):
    media = [
        {"url": files.url(files.paths["portrait"]), "type": "reference_image",
         "reference_voice": files.url(files.paths["voice"])},
        {"url": files.url(files.paths["clip"]), "type": "reference_video"},
    ]
    task_id = submit(client, body(media, size="720*1280", duration=3, audio=True, watermark=True, seed=7,
                                  prompt="character1 talks to character2"))
    seen = []
    progress = []
    deadline = time.monotonic() + 40
    while True:
        doc = client.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH).json()
        status = doc["task"]["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "TASK_STATUS_PROCESSING":
            progress.append((doc["task"]["progress_percent"], doc["task"]["eta"]))
            assert doc["extra"]["debug_info"]["execute_time_ms"] != "0"
        if status in ("TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"):
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert seen == ["TASK_STATUS_QUEUED", "TASK_STATUS_PROCESSING", "TASK_STATUS_SUCCEED"], (seen, doc)
    assert all(0 <= p <= 100 and isinstance(e, int) for p, e in progress)
    assert [p for p, _ in progress] == sorted(p for p, _ in progress)  # rising
    assert [e for _, e in progress] == sorted((e for _, e in progress), reverse=True)  # falling
    assert doc["task"]["progress_percent"] == 100 and doc["task"]["reason"] == ""
    debug = doc["extra"]["debug_info"]
    assert int(debug["submit_time_ms"]) <= int(debug["execute_time_ms"]) <= int(debug["complete_time_ms"])
    assert doc["extra"]["seed"] == "7"
    [video] = doc["videos"]
    assert video["video_type"] == "mp4" and video["video_url_ttl"] == "3600"

    out = tmp_path / "result.mp4"
    download(client, video["video_url"], out)
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        # A preview: the requested aspect and duration, drawn at most 640 px on its longest side.
        assert (v.codec_context.width, v.codec_context.height) == (360, 640)
        assert v.codec_context.name == "h264"
        assert abs(c.duration / 1e6 - 3) <= 0.2
        assert len(c.streams.audio) == 1 and c.streams.audio[0].codec_context.name == "aac"
        frames = sum(1 for _ in c.decode(video=0))
        assert frames >= 24
    assert out.read_bytes().find(b"moov") < out.read_bytes().find(b"mdat")  # plays while downloading


def test_no_audio_track_when_audio_is_off_and_the_requested_size_when_previews_are_full_size(client, files, tmp_path):
    assert client.post("/emulator/config", json={"preview_long_side": 0}).json()["preview_long_side"] == 0
    media = [{"url": files.url(files.paths["jpeg"]), "type": "reference_image"}]
    doc = wait_terminal(client, submit(client, body(media, size="1280*720", duration=2, audio=False)))
    assert doc["task"]["status"] == "TASK_STATUS_SUCCEED", doc
    out = tmp_path / "silent.mp4"
    download(client, doc["videos"][0]["video_url"], out)
    with av.open(str(out)) as c:
        assert len(c.streams.audio) == 0
        v = c.streams.video[0]
        assert (v.codec_context.width, v.codec_context.height) == (1280, 720)
        assert abs(c.duration / 1e6 - 2) <= 0.2


def test_result_link_expires_after_its_ttl(client, files, tmp_path):
    client.post("/emulator/config", json={"url_ttl_seconds": 1})
    media = [{"url": files.url(files.paths["portrait"]), "type": "reference_image"}]
    doc = wait_terminal(client, submit(client, body(media, audio=False)))
    video = doc["videos"][0]
    assert video["video_url_ttl"] == "1"
    url = video["video_url"]
    first = client.get(url)
    assert first.status_code in (200, 403)  # 403 only on a very slow machine; expiry is checked below
    expired = wait_until(lambda: (r := client.get(url)).status_code == 403 and r, 5)
    assert expired.json()["reason"] == "URL_EXPIRED" and expired.json()["code"] == 403
    # a fresh read hands out a fresh link
    doc = client.get("/v3/async/task-result", params={"task_id": doc["task"]["task_id"]}, headers=AUTH).json()
    assert client.get(doc["videos"][0]["video_url"]).status_code == 200


def test_tampered_result_link_is_refused(client, files):
    media = [{"url": files.url(files.paths["portrait"]), "type": "reference_image"}]
    doc = wait_terminal(client, submit(client, body(media, audio=False)))
    url = doc["videos"][0]["video_url"]
    bad = url.replace("expires=", "expires=9")
    r = client.get(bad)
    assert r.status_code == 403 and r.json()["reason"] == "INVALID_SIGNATURE"


def test_result_link_serves_ranges(client, files):
    media = [{"url": files.url(files.paths["portrait"]), "type": "reference_image"}]
    doc = wait_terminal(client, submit(client, body(media, audio=False)))
    r = client.get(doc["videos"][0]["video_url"], headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and len(r.content) == 100


@pytest.mark.parametrize(
    "make_media, words",
    [
        (lambda f: [{"url": "http://127.0.0.1:1/gone.png", "type": "reference_image"}], "could not fetch"),
        (lambda f: [{"url": f.base_url + "/missing.png", "type": "reference_image"}], "HTTP 404"),
        (lambda f: [{"url": "https://example.com/a.png", "type": "reference_image"}], "only fetches"),
        (lambda f: [{"url": f.url(f.paths["tiny"]), "type": "reference_image"}], "240-8000"),
        (lambda f: [{"url": f.url(f.paths["clip"]), "type": "reference_image"}], "not a readable image"),
        (lambda f: [{"url": f.url(f.paths["portrait"]), "type": "reference_video"}], "MP4/MOV"),
        (lambda f: [{"url": f.url(f.paths["portrait"]), "type": "reference_image",
                     "reference_voice": f.url(f.paths["short_voice"])}], "3-30 s"),
    ],
    ids=["unreachable", "http-404", "not-loopback", "too-small-image", "video-as-image", "image-as-video",
         "short-voice"],
)
def test_unusable_reference_fails_the_task_with_a_reason(client, files, make_media, words):
    doc = wait_terminal(client, submit(client, body(make_media(files))))
    assert doc["task"]["status"] == "TASK_STATUS_FAILED"
    assert words in doc["task"]["reason"], doc["task"]["reason"]
    assert "character1" in doc["task"]["reason"]
    assert doc["videos"] == []
    assert doc["extra"]["debug_info"]["complete_time_ms"] != "0"


def test_failure_rate_one_fails_every_task(client, files):
    client.post("/emulator/config", json={"failure_rate": 1})
    media = [{"url": files.url(files.paths["portrait"]), "type": "reference_image"}]
    doc = wait_terminal(client, submit(client, body(media)))
    assert doc["task"]["status"] == "TASK_STATUS_FAILED" and "failure_rate" in doc["task"]["reason"]


def test_uploaded_reference_is_used_by_a_task(client, files, tmp_path):
    data = files.paths["portrait"].read_bytes()
    up = client.post("/emulator/uploads", content=data,
                     headers={**AUTH, "Content-Type": "image/png", "X-Filename": "me.png"}).json()
    doc = wait_terminal(client, submit(client, body([{"url": up["url"], "type": "reference_image"}], audio=False)))
    assert doc["task"]["status"] == "TASK_STATUS_SUCCEED", doc
