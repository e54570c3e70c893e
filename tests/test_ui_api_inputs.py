"""Through Gradio's API (gradio_client against the real studio on loopback), values the page would
never send are refused in one plain sentence — not rounded (5.5 s, seed 1.5), not a preprocessing
traceback (seed "abc"), not passed on to the service (control and text-direction characters) — and
nothing reaches the service: the emulator's submit counter stays at 0 and no job exists."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.fixtures_ui import running_studio

gradio_client = pytest.importorskip("gradio_client")

FORM = dict(negative="", tier="720P", aspect="16:9", duration=3, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None)
PROMPT = "character1 and character2 share an umbrella"

CASES = [
    ("duration 5.5", dict(duration=5.5), "The duration must be a whole number of seconds from 2 to 10."),
    ("duration abc", dict(duration="abc"), "The duration must be a whole number of seconds from 2 to 10."),
    ("duration 11", dict(duration=11), "The duration must be a whole number of seconds from 2 to 10."),
    ("duration -1", dict(duration=-1), "The duration must be a whole number of seconds from 2 to 10."),
    ("duration 1", dict(duration=1), "The duration must be a whole number of seconds from 2 to 10."),
    ("seed -1", dict(seed_mode="fixed", seed=-1), "The seed must be a whole number from 0 to 2147483647."),
    ("seed 2^31", dict(seed_mode="fixed", seed=2**31), "The seed must be a whole number from 0 to 2147483647."),
    ("seed 1.5", dict(seed_mode="fixed", seed=1.5), "The seed must be a whole number from 0 to 2147483647."),
    ("seed abc", dict(seed_mode="fixed", seed="abc"), "The seed must be a whole number from 0 to 2147483647."),
    ("prompt of NUL and ESC", dict(prompt="\x00\x1b"), "The prompt contains 2 invisible control characters"),
    ("right-to-left override", dict(prompt="character1 and character2 \u202etinu"),
     "The prompt contains a text-direction control character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("ESC in the negative prompt", dict(negative="blur\x1b[0m"), "The negative prompt contains"),
    ("sound as the text false", dict(audio="false"), "Sound must be switched on or off"),
]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("api-inputs"), finish_seconds=3.0) as s:
        yield s


@pytest.fixture(scope="module")
def client(studio):
    c = gradio_client.Client(studio.url, verbose=False)
    cast = c.predict(api_name="/load_example_cast")  # a valid cast, so the value under test is the only fault
    assert "character1" in cast[-3]
    return c


def _submits(studio) -> int:
    return httpx.get(f"{studio.studio.emulator.base_url}/emulator/stats", timeout=10).json()["submits"]


@pytest.mark.parametrize("name,changes,sentence", CASES, ids=[c[0] for c in CASES])
def test_a_value_the_page_would_never_send_is_refused_in_words_and_nothing_is_sent(studio, client, name, changes,
                                                                                   sentence):
    values = dict(FORM, prompt=PROMPT) | changes
    prompt = values.pop("prompt")

    alert = client.predict(prompt, *values.values(), api_name="/generate")

    text = html.unescape(str(alert))
    assert "Nothing was sent." in text and sentence in text, text
    assert "Traceback" not in text and "preprocess" not in text
    assert _submits(studio) == 0
    assert studio.studio.manager.list_jobs() == []
