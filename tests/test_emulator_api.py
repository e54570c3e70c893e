"""The emulator's wire contract: shapes, validation, authentication, not-found answers."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures_emulator import AUTH, body, start_emulator

IMG = {"url": "http://127.0.0.1:9/a.png", "type": "reference_image"}
VID = {"url": "http://127.0.0.1:9/a.mp4", "type": "reference_video"}


@pytest.fixture(scope="module")
def emu():
    e = start_emulator(queue_seconds=20, finish_seconds=30)  # every task here stays QUEUED
    yield e
    e.stop()


def assert_envelope(r: httpx.Response, status: int, reason: str) -> dict:
    assert r.status_code == status, r.text
    data = r.json()
    assert data == {"code": status, "reason": reason, "message": data["message"], "metadata": {}}
    assert isinstance(data["message"], str) and data["message"]
    return data


def test_submit_answers_task_id_and_read_has_the_spec_shape(client):
    r = client.post("/v3/async/wan2.7-r2v", json=body([IMG], seed=42), headers=AUTH)
    assert r.status_code == 200
    task_id = r.json()["task_id"]
    assert isinstance(task_id, str) and task_id

    r = client.get("/v3/async/task-result", params={"task_id": task_id}, headers=AUTH)
    assert r.status_code == 200
    doc = r.json()
    assert set(doc) == {"task", "videos", "images", "audios", "extra"}
    task = doc["task"]
    assert set(task) == {"task_id", "status", "reason", "task_type", "eta", "progress_percent"}
    assert task["task_id"] == task_id
    assert task["status"] == "TASK_STATUS_QUEUED"
    assert task["reason"] == ""
    assert isinstance(task["eta"], int) and task["eta"] > 0
    assert task["progress_percent"] == 0
    assert doc["videos"] == [] and doc["images"] == [] and doc["audios"] == []
    assert doc["extra"]["seed"] == "42"
    debug = doc["extra"]["debug_info"]
    assert set(debug) == {"request_info", "submit_time_ms", "execute_time_ms", "complete_time_ms"}
    assert debug["submit_time_ms"].isdigit() and int(debug["submit_time_ms"]) > 1_600_000_000_000
    assert debug["execute_time_ms"] == "0"
    assert debug["complete_time_ms"] == "0"


def test_service_picks_a_seed_when_omitted(client):
    r = client.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers=AUTH)
    doc = client.get("/v3/async/task-result", params={"task_id": r.json()["task_id"]}, headers=AUTH).json()
    assert doc["extra"]["seed"].isdigit()
    assert 0 <= int(doc["extra"]["seed"]) <= 2147483647


def test_defaults_are_accepted_with_only_prompt_and_media(client):
    r = client.post("/v3/async/wan2.7-r2v", json={"prompt": "", "media": [IMG]}, headers=AUTH)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "change, field",
    [
        ({"prompt": "x" * 1501}, "prompt"),
        ({"prompt": 5}, "prompt"),
        ({"negative_prompt": "x" * 501}, "negative_prompt"),
        ({"media": []}, "media"),
        ({"media": [IMG] * 6}, "media"),
        ({"media": [VID] * 4}, "media"),
        ({"media": "http://127.0.0.1/a.png"}, "media"),
        ({"media": [{"url": "http://127.0.0.1/a.png", "type": "image"}]}, "media[0].type"),
        ({"media": [{"type": "reference_image"}]}, "media[0].url"),
        ({"media": [{"url": "ftp://127.0.0.1/a.png", "type": "reference_image"}]}, "media[0].url"),
        ({"media": [dict(IMG, reference_voice=3)]}, "media[0].reference_voice"),
        ({"media": [dict(IMG, colour="red")]}, "media[0].colour"),
        ({"size": "1920x1080"}, "size"),
        ({"size": "640*480"}, "size"),
        ({"duration": 1}, "duration"),
        ({"duration": 11}, "duration"),
        ({"duration": 5.5}, "duration"),
        ({"duration": "5"}, "duration"),
        ({"shot_type": "double"}, "shot_type"),
        ({"audio": "yes"}, "audio"),
        ({"watermark": 1}, "watermark"),
        ({"seed": -1}, "seed"),
        ({"seed": 2147483648}, "seed"),
        ({"seed": True}, "seed"),
        ({"prompt": "character1 hugs character2"}, "prompt"),
        ({"negative_prompt": "character3 blurry"}, "negative_prompt"),
        ({"model": "wan2.7"}, "model"),
    ],
)
def test_each_rule_is_refused_with_a_message_naming_the_field(client, change, field):
    r = client.post("/v3/async/wan2.7-r2v", json={**body([IMG]), **change}, headers=AUTH)
    data = assert_envelope(r, 400, "INVALID_REQUEST_BODY")
    assert data["message"].startswith(field + ":"), data["message"]
    assert client.get("/emulator/stats").json()["submits"] == 0


def test_missing_prompt_and_media_are_refused(client):
    assert_envelope(client.post("/v3/async/wan2.7-r2v", json={"media": [IMG]}, headers=AUTH), 400, "INVALID_REQUEST_BODY")
    assert_envelope(client.post("/v3/async/wan2.7-r2v", json={"prompt": "x"}, headers=AUTH), 400, "INVALID_REQUEST_BODY")


def test_a_body_that_is_not_json_is_refused(client):
    r = client.post("/v3/async/wan2.7-r2v", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert_envelope(r, 400, "INVALID_REQUEST_BODY")
    r = client.post("/v3/async/wan2.7-r2v", json=[1, 2], headers=AUTH)
    assert_envelope(r, 400, "INVALID_REQUEST_BODY")


def test_mixed_media_within_limits_is_accepted(client):
    r = client.post("/v3/async/wan2.7-r2v", json=body([IMG, IMG, VID, VID, VID], prompt="character5 and character1"),
                    headers=AUTH)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer"},
                                     {"Authorization": "Basic dGVzdA=="}])
def test_missing_or_wrong_key_is_403_invalid_api_key(client, headers):
    assert_envelope(client.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers=headers), 403, "INVALID_API_KEY")
    assert_envelope(client.get("/v3/async/task-result", params={"task_id": "x"}, headers=headers), 403, "INVALID_API_KEY")
    assert_envelope(client.post("/emulator/uploads", content=b"abc", headers=headers), 403, "INVALID_API_KEY")
    assert client.get("/emulator/stats").json()["submits"] == 0


def test_unknown_task_is_404_task_not_found(client):
    r = client.get("/v3/async/task-result", params={"task_id": "no-such-task"}, headers=AUTH)
    assert_envelope(r, 404, "TASK_NOT_FOUND")


def test_read_without_task_id_is_400(client):
    assert_envelope(client.get("/v3/async/task-result", headers=AUTH), 400, "INVALID_REQUEST_BODY")


def test_unknown_path_is_404_api_not_found(client):
    assert_envelope(client.get("/v3/async/no-such-model", headers=AUTH), 404, "API_NOT_FOUND")
    assert_envelope(client.post("/v3/async/wan2.6-r2v", json={}, headers=AUTH), 404, "API_NOT_FOUND")


def test_read_is_accepted_without_content_type(client):
    r = client.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers=AUTH)
    r2 = client.get("/v3/async/task-result", params={"task_id": r.json()["task_id"]},
                    headers={"Authorization": AUTH["Authorization"]})
    assert r2.status_code == 200


def test_any_key_is_accepted_when_none_is_configured():
    e = start_emulator(api_key=None, finish_seconds=30)
    try:
        with httpx.Client(base_url=e.base_url, trust_env=False) as c:
            r = c.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers={"Authorization": "Bearer anything"})
            assert r.status_code == 200
            assert_envelope(c.post("/v3/async/wan2.7-r2v", json=body([IMG])), 403, "INVALID_API_KEY")
    finally:
        e.stop()


def test_control_routes_change_config_and_count(client):
    r = client.post("/emulator/config", json={"finish_seconds": 3, "failure_rate": 0.5})
    assert r.status_code == 200 and r.json()["finish_seconds"] == 3.0
    assert_envelope(client.post("/emulator/config", json={"api_key": "x"}), 400, "INVALID_REQUEST_BODY")
    client.post("/v3/async/wan2.7-r2v", json=body([IMG]), headers=AUTH)
    client.get("/v3/async/task-result", params={"task_id": "x"}, headers=AUTH)
    stats = client.get("/emulator/stats").json()
    assert stats["submits"] == 1 and stats["reads"] == 1 and stats["uploads"] == 0
    assert sum(stats["tasks"].values()) == 1
    client.post("/emulator/reset")
    assert client.get("/emulator/config").json()["finish_seconds"] == 30.0
    assert client.get("/emulator/stats").json()["submits"] == 0
