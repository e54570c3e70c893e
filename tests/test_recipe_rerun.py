"""A hand-over pack's recipe runs again (workspace/recipe.py), on the real studio in demo mode over
loopback: through the page's `/generate` (gradio_client) and through MCP `start_video`, a recipe
makes exactly one submit whose body is the first one's (the emulator keeps each body as it came).
A job whose seed the service chose is re-run with that seed: the body gains `seed` and nothing else
changes.  A recipe naming a file that is not in the caller's library is refused, naming which, and
nothing is sent."""

from __future__ import annotations

import asyncio
import json
import zipfile

import pytest

from r2v_ui.workspace import pack, recipe
from tests.fixtures_jobs import wait_for_state
from tests.fixtures_ui import running_studio
from tests.test_mcp_tools import answer, call, refusal

gradio_client = pytest.importorskip("gradio_client")
pytest.importorskip("mcp")

FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=False, watermark=False,
            shots=None, dont_ask=False, takes="1")
# /generate's form fields must be given (the API has no defaults for them); with a recipe they are not read.
ANY_FORM = dict(prompt="", **FORM, seed_mode="random", seed=None)
PROMPT = "character1 hands character2 an umbrella in the rain"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("recipe-rerun"), finish_seconds=0.5, mcp=True) as s:
        yield s


@pytest.fixture()
def client(studio):
    c = gradio_client.Client(studio.url, verbose=False)
    c.predict(api_name="/load_example_cast")  # two characters, checked
    return c


def by_recipe(text: str) -> dict:
    """start_video's arguments for a recipe (prompt and references are required, and not read)."""
    return {"prompt": "", "references": [], "recipe": text}


def _bodies(studio) -> list:
    return studio.studio.emulator.state.submitted_bodies()


def _new_job(studio, before: set[str]):
    manager = studio.studio.manager
    [job] = [s for s in manager.list_jobs() if s.job_id not in before]
    return wait_for_state(manager, job.job_id, {"succeeded"})[0]


def _ids(studio) -> set[str]:
    return {s.job_id for s in studio.studio.manager.list_jobs()}


def _first_job(studio, client, **seed) -> tuple:
    """A job made from the form; its finished snapshot and the body the emulator received for it."""
    before, sent = _ids(studio), len(_bodies(studio))
    client.predict(prompt=PROMPT, **FORM, **seed, api_name="/generate")
    snap = _new_job(studio, before)
    bodies = _bodies(studio)[sent:]
    assert len(bodies) == 1
    return snap, bodies[0]


def test_generate_runs_a_packs_recipe_again_with_the_same_body(studio, client, tmp_path):
    snap, first = _first_job(studio, client, seed_mode="fixed", seed=4242)
    built = pack.build_pack([snap], tmp_path)  # the recipe as the hand-over pack holds it
    with zipfile.ZipFile(built.path) as zf:
        [entry] = [n for n in zf.namelist() if n.endswith(".recipe.json")]
        text = zf.read(entry).decode("utf-8")
    assert json.loads(text)["request_body"] == first  # the recipe says the body as it was sent

    before, sent = _ids(studio), len(_bodies(studio))
    again = gradio_client.Client(studio.url, verbose=False)  # a fresh session: no cast, an empty form
    again.predict(**ANY_FORM, recipe=text, api_name="/generate")
    rerun = _new_job(studio, before)
    bodies = _bodies(studio)[sent:]
    assert bodies == [first]  # one submit, the very same body
    assert rerun.seed_used == snap.seed_used == 4242
    assert rerun.settings == snap.settings
    assert [r["sha256"] for r in rerun.references] == [r["sha256"] for r in snap.references]


def test_mcp_start_video_runs_a_recipe_again_with_the_same_body(studio, client):
    snap, first = _first_job(studio, client, seed_mode="fixed", seed=77)
    before, sent = _ids(studio), len(_bodies(studio))
    started = answer(asyncio.run(call(studio.url, "start_video", by_recipe(recipe.recipe_json(snap)))))
    rerun = _new_job(studio, before)
    assert started["job_ids"] == [rerun.job_id]
    assert _bodies(studio)[sent:] == [first]


def test_a_seed_the_service_chose_is_sent_the_second_time(studio, client):
    snap, first = _first_job(studio, client, seed_mode="random", seed=None)
    assert "seed" not in first and snap.seed_used is not None
    before, sent = _ids(studio), len(_bodies(studio))
    answer(asyncio.run(call(studio.url, "start_video", by_recipe(recipe.recipe_json(snap)))))
    _new_job(studio, before)
    [body] = _bodies(studio)[sent:]
    assert body == first | {"seed": snap.seed_used}  # the only difference: the seed, so the same video comes back


def test_a_file_not_in_the_library_is_named_and_nothing_is_sent(studio, client):
    snap, _ = _first_job(studio, client, seed_mode="fixed", seed=5)
    doc = recipe.recipe_for(snap)
    doc["cast"][1]["sha256"] = "0" * 64
    name = doc["cast"][1]["file_name"]
    sent = len(_bodies(studio))

    said = refusal(asyncio.run(call(studio.url, "start_video", by_recipe(json.dumps(doc)))))
    assert said.startswith("Nothing was sent.") and f"The file of character2 ({name}) is not in your library" in said

    fresh = gradio_client.Client(studio.url, verbose=False)
    alert = fresh.predict(**ANY_FORM, recipe=json.dumps(doc), api_name="/generate")[0]
    assert f"The file of character2 ({name}) is not in your library" in str(alert)
    zh = gradio_client.Client(studio.url, verbose=False, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    alert = zh.predict(**ANY_FORM, recipe=json.dumps(doc), api_name="/generate")[0]
    assert f"character2 的文件（{name}）已不在你的资料库里" in str(alert)

    garbled = fresh.predict(**ANY_FORM, recipe='{"schema": "something else"}', api_name="/generate")[0]
    assert "not a recipe from a hand-over pack" in str(garbled)
    assert len(_bodies(studio)) == sent
