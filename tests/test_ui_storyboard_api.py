"""The page's /generate route (gradio_client against the real studio on loopback) takes the shot list
too: the service receives the composed prompt and the job keeps the rows; a shot list that cannot be
read, or lengths that do not add up, are refused in one sentence and nothing is sent."""

from __future__ import annotations

import html
import time

import httpx
import pytest

from tests.fixtures_ui import running_studio

gradio_client = pytest.importorskip("gradio_client")

FORM = dict(negative="", tier="720P", aspect="16:9", duration=3, shot="multi", audio=False, watermark=False,
            seed_mode="random", seed=None)
OVERALL = "A rainy street at night."
SHOTS = [{"text": "character1 opens an umbrella", "seconds": 2}, {"text": "character2 steps under it", "seconds": 1}]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("storyboard-api"), finish_seconds=1.0) as s:
        yield s


@pytest.fixture()
def client(studio):
    c = gradio_client.Client(studio.url, verbose=False)
    c.predict(api_name="/load_example_cast")  # two characters, checked: the shot list is the thing under test
    return c


def _emulator_tasks(studio) -> list:
    return list(studio.studio.emulator.state.tasks.values())


def test_generate_with_a_shot_list_sends_the_composed_prompt_and_keeps_the_rows(studio, client):
    before = {t.task_id for t in _emulator_tasks(studio)}
    client.predict(prompt=OVERALL, **FORM, shots=SHOTS, api_name="/generate")

    jobs = [s for s in studio.studio.manager.list_jobs() if s.settings.get("storyboard")]
    assert jobs, "no job kept the shot list"
    job = jobs[0]
    assert job.settings["prompt"] == (f"{OVERALL}\nShot 1 [0-2s]: character1 opens an umbrella\n"
                                      "Shot 2 [2-3s]: character2 steps under it")
    assert job.settings["storyboard"] == {"overall": OVERALL, "shots": SHOTS}
    deadline = time.monotonic() + 60
    while job.task_id is None and time.monotonic() < deadline:  # the submit happens in the background
        time.sleep(0.05)
        job = studio.studio.manager.snapshot(job.job_id)
    (task,) = [t for t in _emulator_tasks(studio) if t.task_id not in before]
    assert task.request.prompt == job.settings["prompt"] and task.request.shot_type == "multi"


@pytest.mark.parametrize("shots,sentence", [
    ([{"text": "a", "seconds": 2}, {"text": "b", "seconds": 2}],
     "The shots last 4 s, but the video is 3 s: fit them to 3 s or change the lengths."),
    ([{"text": "a", "seconds": 1.5}, {"text": "b", "seconds": 1.5}],
     "Shot 1 needs a length in whole seconds, at least 1 s."),
    ("Shot 1 [0-2s]: a", "The shot list must be a list of shots"),
], ids=["lengths that do not add up", "half seconds", "text instead of a list"])
def test_a_shot_list_that_cannot_be_sent_is_refused_in_words_and_nothing_is_sent(studio, client, shots, sentence):
    submits = httpx.get(f"{studio.studio.emulator.base_url}/emulator/stats", timeout=10).json()["submits"]
    jobs = len(studio.studio.manager.list_jobs())

    alert = client.predict(prompt=OVERALL, **FORM, shots=shots, api_name="/generate")

    text = html.unescape(str(alert))
    assert "Nothing was sent." in text and sentence in text, text
    assert httpx.get(f"{studio.studio.emulator.base_url}/emulator/stats", timeout=10).json()["submits"] == submits
    assert len(studio.studio.manager.list_jobs()) == jobs
