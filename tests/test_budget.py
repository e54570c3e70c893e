"""Budgets against the emulator in live pricing (a made-up key and the emulator's address, as a
gateway would be): refusals before anything is sent or uploaded, one lock for simultaneous starts,
each person's own budget, the day that starts again at midnight in the studio's time zone, and a
ledger that survives SIGKILL and a rebuild of the database from the library."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from r2v_ui.budget import BudgetExceeded, day_span
from r2v_ui.config import Secret, Settings
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobDraft, JobManager, Reference
from r2v_ui.store.ledger import Ledger
from r2v_ui.messages import EN, ZH, render_msg
from r2v_ui.store import JobStore

from tests.fixtures_jobs import KEY, configure, emulator_stats, make_manager, picture, wait_for_state

ROOT = Path(__file__).resolve().parent.parent


def _live(managers, **settings):
    """A manager in live mode against the emulator: the studio's key pays, so the budgets apply."""
    return managers(api_key=Secret(KEY), base_url=managers.emulator.base_url, **settings)


def _five_seconds(tmp_path: Path, tag: str = "a", colours=("tomato", "royalblue")) -> JobDraft:
    """A 720P draft of 5 s (0.10/s: $0.50) with two pictures of its own (new content: a new upload)."""
    # A folder of its own, never rewritten while a running job reads it; unique across processes too (the
    # SIGKILL test's child makes drafts in the same tmp_path, with a counter of its own).
    folder = Path(tempfile.mkdtemp(prefix="draft-", dir=tmp_path))
    refs = tuple(Reference(kind="image", path=picture(folder / f"{tag}{i}.png", c), name=f"{tag}{i}.png")
                 for i, c in enumerate(colours))
    return JobDraft(references=refs, prompt="character1 greets character2", size="1280*720", duration=5)


def test_two_videos_fit_a_day_budget_of_one_dollar_and_the_third_is_refused_before_anything_is_sent(tmp_path, managers, emulator):
    manager = _live(managers, budget_day=1.00)
    first = manager.start(_five_seconds(tmp_path, "a"))
    second = manager.start(_five_seconds(tmp_path, "a"))
    for job in (first, second):
        snap, _ = wait_for_state(manager, job, {"queued", "processing", "downloading", "succeeded", "failed"})
        assert snap.state != "failed", snap.error
        assert snap.cost["estimate"] == 0.5 and snap.cost["studio"] is True
    before = emulator_stats(emulator)
    with pytest.raises(BudgetExceeded) as refused:
        manager.start(_five_seconds(tmp_path, "b", ("gold", "seagreen")))  # new pictures: would be uploaded
    english = render_msg(refused.value.msg, EN)
    assert "budget for today" in english and "$0.00 of $1.00 is left" in english and "midnight" in english
    assert "about $0.50" in english
    assert "今天的预算" in render_msg(refused.value.msg, ZH) and "$1.00 还剩 $0.00" in render_msg(refused.value.msg, ZH)
    after = emulator_stats(emulator)
    assert after["submits"] == before["submits"] == 2
    assert after["uploads"] == before["uploads"]  # nothing of the third went up
    assert len(manager.list_jobs()) == 2  # and no job was made for it


def test_ten_simultaneous_starts_under_a_budget_for_three_make_exactly_three_submits(tmp_path, managers, emulator):
    manager = _live(managers, budget_day=1.50)
    drafts = [_five_seconds(tmp_path, f"c{i}") for i in range(10)]
    gate = threading.Barrier(10)
    started: list[str] = []
    refused: list[BudgetExceeded] = []
    lock = threading.Lock()

    def click(draft: JobDraft) -> None:
        gate.wait()
        try:
            job = manager.start(draft)
        except BudgetExceeded as exc:
            with lock:
                refused.append(exc)
            return
        with lock:
            started.append(job)

    threads = [threading.Thread(target=click, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(started) == 3 and len(refused) == 7
    for job in started:
        wait_for_state(manager, job, {"queued", "processing", "downloading", "succeeded"})
    assert emulator_stats(emulator)["submits"] == 3
    start, end = day_span(manager.budget.clock())
    assert manager.budget.ledger.spent(start, end) == pytest.approx(1.5)


def test_each_person_has_a_budget_of_their_own(tmp_path, managers, emulator):
    # Two browsers of a shared studio (owners as session.visitor names them), and two logins.
    manager = _live(managers, budget_person_day=0.50, host="0.0.0.0")
    for owner in ("browser:first", "browser:second", "ann", "bob"):
        manager.start(_five_seconds(tmp_path, "d"), owner=owner)
    for owner in ("browser:first", "ann"):
        with pytest.raises(BudgetExceeded) as refused:
            manager.start(_five_seconds(tmp_path, "d"), owner=owner)
        assert "your budget for today" in render_msg(refused.value.msg, EN)
    assert emulator_stats(emulator)["submits"] <= 4


def test_a_person_has_at_most_four_videos_running_on_a_studio_others_can_reach(tmp_path, managers, emulator):
    configure(emulator, finish_seconds=60.0)  # they stay running for the whole test
    manager = _live(managers, host="0.0.0.0")
    assert manager.settings.running_limit == 4
    manager.start_takes(_five_seconds(tmp_path, "e"), 3, owner="browser:one")
    with pytest.raises(BudgetExceeded) as refused:
        manager.start_takes(_five_seconds(tmp_path, "e"), 2, owner="browser:one")  # every take counts
    assert "4 videos being made" in render_msg(refused.value.msg, EN)
    manager.start(_five_seconds(tmp_path, "e"), owner="browser:one")  # the fourth fits
    manager.start(_five_seconds(tmp_path, "e"), owner="browser:two")  # someone else is not held back


def test_the_day_starts_again_at_midnight_in_the_studio_time_zone(tmp_path, managers, emulator):
    zone = ZoneInfo("Asia/Shanghai")
    now = [datetime(2025, 3, 10, 23, 58, 30, tzinfo=zone).timestamp()]
    settings = Settings(data_dir=tmp_path / "data", api_key=Secret(KEY), base_url=emulator.base_url, budget_day=1.00,
                        timezone="Asia/Shanghai", poll_requests_per_minute=600)
    manager = managers.own(JobManager(settings, JobStore(settings.data_dir), clock=lambda: now[0], host_factory=lambda _t: make_host(
        settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)))
    manager.start(_five_seconds(tmp_path, "f"))
    manager.start(_five_seconds(tmp_path, "f"))
    with pytest.raises(BudgetExceeded) as refused:
        manager.start(_five_seconds(tmp_path, "f"))
    assert "in 90 s" in render_msg(refused.value.msg, EN)  # 23:58:30 → midnight in Shanghai
    now[0] = datetime(2025, 3, 11, 0, 0, 1, tzinfo=zone).timestamp()
    manager.start(_five_seconds(tmp_path, "f"))  # a new day in Shanghai (still the 10th in London)
    with pytest.raises(BudgetExceeded):
        manager.start_takes(_five_seconds(tmp_path, "f"), 2)  # $1.00 more would pass it: both takes count


def test_a_failed_task_is_taken_as_not_billed_and_a_job_never_sent_costs_nothing(tmp_path, managers, emulator):
    configure(emulator, failure_rate=1.0, finish_seconds=0.5)
    manager = _live(managers, budget_day=0.50)
    job = manager.start(_five_seconds(tmp_path, "g"))
    snap, _ = wait_for_state(manager, job, {"failed", "succeeded"})
    assert snap.state == "failed" and snap.cost["task"] == "failed"
    assert manager.budget.ledger.entry(job).outcome == "task_failed" and manager.budget.ledger.entry(job).counted == 0
    configure(emulator, failure_rate=0.0, finish_seconds=0.5)
    again = manager.start(_five_seconds(tmp_path, "g"))  # the whole budget is still there
    snap, _ = wait_for_state(manager, again, {"failed", "succeeded"})
    assert snap.state == "succeeded" and manager.budget.ledger.entry(again).counted == 0.5
    manager.delete(again)  # deleting the video does not give the money back
    with pytest.raises(BudgetExceeded):
        manager.start(_five_seconds(tmp_path, "g"))


def test_demo_mode_and_a_key_typed_into_the_page_are_not_held_to_the_studio_budgets(tmp_path, managers, emulator):
    demo = managers.own(make_manager(tmp_path / "demo", emulator, budget_day=0.0))
    job = demo.start(_five_seconds(tmp_path, "h"))
    assert demo.snapshot(job).cost == {}  # demo mode never speaks of money
    live = managers.own(make_manager(tmp_path / "typed", emulator, budget_day=0.0, base_url=emulator.base_url))
    job = live.start(_five_seconds(tmp_path, "h"), api_key=KEY)  # a visitor's own key pays for itself
    assert live.snapshot(job).cost["studio"] is False and live.budget.ledger.entry(job) is None


CHILD = r"""
import sys, time
sys.path[:0] = [{root!r}, {tests!r}]
from pathlib import Path
from r2v_ui.config import Secret
from tests.fixtures_jobs import KEY, make_manager
from test_budget import _five_seconds

class Emu:
    base_url = {url!r}

tmp = Path({tmp!r})
manager = make_manager(tmp, Emu, api_key=Secret(KEY), base_url=Emu.base_url, budget_day=1.0)
jobs = [manager.start(_five_seconds(tmp, "k")) for _ in range(2)]
while not all((s := manager.snapshot(j)) and s.task_id for j in jobs):
    time.sleep(0.05)
print("submitted", flush=True)
time.sleep(600)
"""


def test_the_ledger_and_the_day_spend_survive_sigkill_and_a_rebuild_from_the_library(tmp_path, managers, emulator):
    configure(emulator, finish_seconds=3.0)
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), url=emulator.base_url, tmp=str(tmp_path))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        line = child.stdout.readline().decode()
        assert line.strip() == "submitted", child.stderr.read().decode()[-2000:]
    finally:
        os.kill(child.pid, signal.SIGKILL)  # no clean-up of any kind runs
        child.wait(timeout=10)
    data = tmp_path / "data"
    start, end = day_span(datetime.now().timestamp())
    assert Ledger(JobStore(data)).spent(start, end) == pytest.approx(1.0)  # both running jobs count

    manager = _live(managers, budget_day=1.0)  # the restarted studio
    manager.resume()
    with pytest.raises(BudgetExceeded):
        manager.start(_five_seconds(tmp_path, "l"))
    for snap in manager.list_jobs():
        done, _ = wait_for_state(manager, snap.job_id, {"succeeded", "failed"})
        assert done.state == "succeeded"
        sidecar = (done.video_path.with_suffix(".json")).read_text()
        assert '"estimate": 0.5' in sidecar
    manager.close()  # the studio stops before its database is lost (the fixture's close is then a no-op)
    assert emulator_stats(emulator)["submits"] == 2

    for suffix in ("", "-wal", "-shm"):  # the database is lost: it comes back from the sidecars
        Path(str(data / "jobs.sqlite3") + suffix).unlink(missing_ok=True)
    rebuilt = _live(managers, budget_day=1.0)
    assert rebuilt.budget.ledger.spent(start, end) == pytest.approx(1.0)
    assert {e.outcome for e in rebuilt.budget.ledger.most_expensive(start, end)} == {"succeeded"}
    with pytest.raises(BudgetExceeded):
        rebuilt.start(_five_seconds(tmp_path, "m"))
    assert emulator_stats(emulator)["submits"] == 2


@pytest.mark.parametrize("doc,expected", [
    ({"task": {"status": "TASK_STATUS_SUCCEED"}}, (None, None)),  # SPEC.md's document: the estimate stands
    ({"billing": {"amount": "0.48", "billed_seconds": 5}}, (0.48, 5.0)),
    ({"extra": {"usage": {"cost": 0.3, "duration": "3"}}}, (0.3, 3.0)),
    ({"task": {"billed_amount": 0.75}}, (0.75, None)),
    ({"billing": {"amount": "free"}, "extra": {"billed_seconds": -1}}, (None, None)),  # unreadable: ignored
])
def test_a_billed_amount_is_read_where_a_gateway_puts_one(doc, expected):
    from r2v_ui.store.ledger import billed_from

    assert billed_from(doc) == expected


def test_billed_seconds_without_an_amount_are_priced_at_the_tier_rate_and_counted_instead_of_the_estimate():
    from r2v_ui.store.ledger import after_task, new_cost, outcome
    from r2v_ui.task_info import TaskInfo

    info = TaskInfo.from_document({"task": {"status": "TASK_STATUS_SUCCEED"}, "usage": {"billed_seconds": 4}})
    cost = after_task(new_cost(0.5), info, rate=0.10)
    assert cost["billed"] == pytest.approx(0.4) and cost["task"] == "succeeded"
    assert outcome("succeeded", "t-1", cost) == ("succeeded", pytest.approx(0.4))
    assert outcome("failed", None, new_cost(0.5)) == ("not_sent", 0.0)
