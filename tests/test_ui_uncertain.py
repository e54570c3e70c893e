"""Settling a "submission uncertain" job, and whose jobs an API client sees, on a real studio (demo
mode, its embedded emulator, loopback) through Gradio's API (gradio_client) and MCP:

* a second session of the same login settles the job (follow the task found in the account,
  resubmit only with consent, discard), another login cannot, and the emulator counts the sends;
* MCP's `settle_uncertain` does the same by the same rules, and `job_status` points to it;
* a fresh API session asking to decide, retry or take another with no job open is refused in words
  (in its language), never with a Python error;
* on a shared studio an API client's jobs belong to one owner on every route, and nobody else's.
Two launches for the module: one with logins and MCP, one shared (a --host other than loopback)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.fixtures_ui import running_studio
from tests.test_mcp_tools import answer, call, login, refusal

gradio_client = pytest.importorskip("gradio_client")
AppError = gradio_client.exceptions.AppError

USERS = (("ann", "ann-pass-1"), ("bob", "bob-pass-2"))
ANN, BOB = login(USERS[0]), login(USERS[1])
FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=False, watermark=False,
            seed_mode="random", seed=None)
DROP_AFTER_CREATE = [{"route": "submit", "kind": "drop", "after_create": True, "times": 1}]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("uncertain-data"), finish_seconds=1.0, auth=list(USERS),
                        mcp=True) as s:
        yield s


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("shared-api-data"), finish_seconds=1.0, host="0.0.0.0") as s:
        assert s.studio.settings.reachable_by_others
        yield s


def faults(studio, rules: list[dict]) -> None:
    r = httpx.post(studio.studio.emulator.base_url + "/emulator/faults", json={"seed": 1, "rules": rules}, timeout=10)
    assert r.status_code == 200, r.text


def submits(studio) -> int:
    return studio.studio.emulator.state.stats()["submits"]


def client_for(studio, user=None, **kw):
    # A generous read timeout: on a busy machine the page's configuration (several hundred KB) can take
    # longer than gradio_client's default to arrive, which is not what these tests are about.
    kw.setdefault("httpx_kwargs", {"timeout": 60.0})
    return gradio_client.Client(studio.url, auth=user, verbose=False, **kw)


def generate(client, prompt: str) -> str:
    """Generate as the page does and follow the job to its end; returns the state the pane shows."""
    import re

    client.predict(prompt, *FORM.values(), api_name="/generate")
    outputs = client.submit(api_name="/watch_job").result(timeout=120)
    return re.search(r'data-state="([a-z]+)"', outputs[0]).group(1)


def all_jobs(studio) -> list:
    """Every job in the studio, whoever owns it (read from the store, as a test may)."""
    store = studio.studio.manager.store
    return [studio.studio.manager.snapshot(r.job_id, owner=r.owner) for r in store.list(limit=1000)]


def uncertain_job(studio, start) -> tuple[str, str, str]:
    """Run `start` (which sends one job) while the emulator drops the submit's answer after creating
    the task: returns (the job's id, its owner, the task the lost answer created)."""
    tasks_before = set(studio.studio.emulator.state.tasks)
    before = {s.job_id for s in all_jobs(studio)}
    faults(studio, DROP_AFTER_CREATE)
    try:
        start()
        (job,) = [s for s in all_jobs(studio) if s.job_id not in before]
        job = wait_for(studio, job.job_id, job.owner, {"uncertain"})  # (MCP answers before the submit)
    finally:
        faults(studio, [])
    (task,) = set(studio.studio.emulator.state.tasks) - tasks_before
    return job.job_id, job.owner, task


def wait_for(studio, job_id: str, owner: str, states: set[str], timeout: float = 60.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap = studio.studio.manager.snapshot(job_id, owner=owner)
        if snap is not None and snap.state in states:
            return snap
        time.sleep(0.05)  # an in-memory snapshot read; the deadline bounds the wait
    raise AssertionError(f"{job_id} never reached {states}: {studio.studio.manager.snapshot(job_id, owner=owner)}")


@pytest.fixture(scope="module")
def ann_prompt(studio):
    return client_for(studio, USERS[0]).predict(api_name="/load_example_cast")[-3]


# --- the API: a second session of the same login decides ----------------------------------------

@pytest.mark.parametrize("action,extra_submits,final", [
    ("attach", 0, "succeeded"), ("resubmit", 1, "succeeded"), ("discard", 0, "discarded")])
def test_another_session_of_the_owner_settles_an_uncertain_job_through_the_api(studio, ann_prompt, action,
                                                                               extra_submits, final):
    first = client_for(studio, USERS[0])
    first.predict(api_name="/load_example_cast")
    job_id, owner, task = uncertain_job(studio, lambda: generate(first, ann_prompt + f" ({action})"))
    assert owner == "ann"
    sent = submits(studio)

    later = client_for(studio, USERS[0])  # another browser or script of ann's, with no job open
    assert job_id in [j["job_id"] for j in later.predict("uncertain", "", 0, api_name="/list_history")["jobs"]]
    bob = client_for(studio, USERS[1])
    with pytest.raises(AppError, match="There is no such job in your history"):
        bob.predict(job_id, "discard", "", False, api_name="/decide_uncertain")
    with pytest.raises(AppError, match="confirm that you accept paying again"):
        later.predict(job_id, "resubmit", "", False, api_name="/decide_uncertain")
    with pytest.raises(AppError, match="That is not a task id"):
        later.predict(job_id, "attach", "not a task id", False, api_name="/decide_uncertain")
    assert studio.studio.manager.snapshot(job_id, owner="ann").state == "uncertain"  # nothing changed
    assert submits(studio) == sent

    done = later.predict(job_id, action, task if action == "attach" else "", action == "resubmit",
                         api_name="/decide_uncertain")
    assert done["job_id"] == job_id and done["state"] != "uncertain" and done["stage"]
    assert wait_for(studio, job_id, "ann", {final, "failed"}).state == final
    assert submits(studio) == sent + extra_submits
    with pytest.raises(AppError, match="not waiting for a decision"):  # decided once, by whoever was first
        first.predict(task, api_name="/attach_uncertain")


def test_two_decisions_at_once_send_the_video_once(studio, ann_prompt):
    """Two browsers of one owner press Resubmit together: one decision wins, the other is told."""
    first = client_for(studio, USERS[0])
    first.predict(api_name="/load_example_cast")
    job_id, _, _ = uncertain_job(studio, lambda: generate(first, ann_prompt + " (twice)"))
    sent = submits(studio)
    a, b = client_for(studio, USERS[0]), client_for(studio, USERS[0])
    jobs = [c.submit(job_id, "resubmit", "", True, api_name="/decide_uncertain") for c in (a, b)]
    outcomes = []
    for job in jobs:
        try:
            outcomes.append(job.result(timeout=60)["state"])
        except AppError as exc:
            outcomes.append(str(exc))
    refused = [o for o in outcomes if "being made right now" in o or "not waiting for a decision" in o]
    assert len(refused) == 1, outcomes
    assert wait_for(studio, job_id, "ann", {"succeeded", "failed"}).state == "succeeded"
    assert submits(studio) == sent + 1


# --- MCP ------------------------------------------------------------------------------------------

def test_an_assistant_settles_an_uncertain_job_with_settle_uncertain(studio, tmp_path):
    from tests.fixtures_ui import character_png
    from tests.test_mcp_tools import data_uri

    pic = character_png(tmp_path / "mira.png", (200, 80, 120))

    def start() -> None:
        answer(asyncio.run(call(studio.url, "start_video", {
            "prompt": "character1 waves from a balcony", "references": [data_uri(pic)], "resolution": "720P",
            "duration": 2}, ANN)))

    job_id, owner, task = uncertain_job(studio, start)
    assert owner == "ann"
    sent = submits(studio)

    async def decide() -> tuple:
        status = answer(await call(studio.url, "job_status", {"job_id": job_id}, ANN))
        theirs = await call(studio.url, "settle_uncertain", {"job_id": job_id, "action": "discard"}, BOB)
        unasked = await call(studio.url, "settle_uncertain", {"job_id": job_id, "action": "resubmit"}, ANN)
        unknown = await call(studio.url, "settle_uncertain", {"job_id": job_id, "action": "cancel"}, ANN)
        followed = answer(await call(studio.url, "settle_uncertain",
                                     {"job_id": job_id, "action": "attach", "task_id": task}, ANN))
        final = answer(await call(studio.url, "wait_for_job", {"job_id": job_id, "timeout_seconds": 60}, ANN))
        return status, theirs, unasked, unknown, followed, final

    status, theirs, unasked, unknown, followed, final = asyncio.run(decide())
    assert status["state"] == "uncertain" and "settle_uncertain" in status["needs_decision"]
    assert "no job" in refusal(theirs).lower()
    assert "confirm that you accept paying again" in refusal(unasked)
    assert '"attach", "resubmit" or "discard"' in refusal(unknown)
    assert followed["state"] in ("queued", "processing", "downloading", "succeeded")
    assert final["state"] == "succeeded" and final["video_ready"]
    assert submits(studio) == sent  # followed, never sent again


# --- a fresh API session with no job open -----------------------------------------------------------

@pytest.mark.parametrize("route,args", [
    ("/attach_uncertain", ("some-task",)), ("/resubmit_uncertain", ("",)), ("/discard_uncertain", ("",)),
    ("/retry", ()), ("/another_take", ())])
def test_a_fresh_api_session_with_no_job_open_is_refused_in_words(shared, route, args):
    with pytest.raises(AppError, match="No job is open here") as refused:
        client_for(shared).predict(*args, api_name=route)
    assert "NoneType" not in str(refused.value) and "expected string" not in str(refused.value)
    zh = client_for(shared, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    with pytest.raises(AppError, match="这里没有打开的任务"):
        zh.predict(*args, api_name=route)


def test_a_bad_or_foreign_job_id_is_refused_in_words(shared):
    client = client_for(shared)
    for bad in ("", "../../etc/passwd", "x" * 5000):
        with pytest.raises(AppError, match="There is no such job|No job is open"):
            client.predict(bad, "discard", "", False, api_name="/decide_uncertain")
    with pytest.raises(AppError, match='"attach", "resubmit" or "discard"'):
        client.predict("any-id", "pay-twice", "", True, api_name="/decide_uncertain")


# --- one owner per API client on a shared studio ---------------------------------------------------

def test_an_api_client_owns_its_jobs_on_every_route_and_nobody_else_sees_them(shared):
    mine = client_for(shared)
    prompt = mine.predict(api_name="/load_example_cast")[-3]
    before = {s.job_id for s in all_jobs(shared)}
    assert generate(mine, prompt) == "succeeded"
    assert generate(mine, prompt + " once more") == "succeeded"
    mine.predict(api_name="/retry")  # "Try again" on the job this session shows: a third job
    assert mine.submit(api_name="/watch_job").result(timeout=120)[0].count('data-state="succeeded"') == 1

    made = [s for s in all_jobs(shared) if s.job_id not in before]
    assert len(made) == 3
    owners = {s.owner for s in made}
    assert len(owners) == 1 and next(iter(owners)).startswith("session:"), owners
    listed = [j["job_id"] for j in mine.predict("all", "", 0, api_name="/list_history")["jobs"]]
    assert sorted(listed) == sorted(s.job_id for s in made)
    for s in made:
        _, info, _ = mine.predict(s.job_id, api_name="/job_detail")
        assert s.job_id in info

    stranger = client_for(shared)
    assert stranger.predict("all", "", 0, api_name="/list_history")["jobs"] == []
    for s in made:
        video, info, _ = stranger.predict(s.job_id, api_name="/job_detail")
        assert not video and info == ""
    with pytest.raises(AppError, match="There is no such job in your history"):
        stranger.predict(made[0].job_id, "discard", "", False, api_name="/decide_uncertain")
