"""Every wait longer than the notice threshold (10 s in the studio) is explained while it lasts,
saying what is awaited and how long so far: a slow answer to the submit, a slow download of the
finished video, a job the service may have finished that waits for its key's read budget (the
hostile run's 59 s of "Sending…", 20 s of "Downloading…", ~50 s of "Queued").  The emulator's fault
plan makes the waits; the threshold is lowered so no test waits 10 s for real."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from r2v_ui.config import Settings
from r2v_ui.hosting import make_host
from r2v_ui.jobs import JobManager, ReadPolicy
from r2v_ui.mcp.views import job_view
from r2v_ui.messages import ZH, render_msg
from r2v_ui.store import JobStore

# The emulator fixtures are imported by name so pytest finds them in this module.
from tests.fixtures_jobs import KEY, configure, emulator_stats, set_faults, two_picture_draft

QUICK = ReadPolicy(backoff_base_s=0.05, slow_wait_notice_s=0.3)


def _notices_until_done(manager: JobManager, job_id: str, timeout: float = 60.0, views: list | None = None):
    """(state, notice) pairs the job's snapshots showed until it ended, woken by its own changes;
    `views` gets MCP's view of each snapshot that had a notice."""
    views = [] if views is None else views
    async def watch():
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        snap = manager.snapshot(job_id)
        seen = [(snap.state, snap.notice)]
        while not snap.terminal:
            left = deadline - loop.time()
            assert left > 0, f"the job never ended; seen: {seen}"
            snap = await manager.wait_for_change(job_id, snap.version, min(left, 1.0)) or snap
            seen.append((snap.state, snap.notice))
            if snap.notice is not None:
                views.append(job_view(snap))  # what an assistant reads through MCP's job_status
        return snap, seen

    return asyncio.run(watch())


def test_a_slow_answer_to_the_submit_is_explained_while_it_lasts(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "submit", "kind": "slow", "delay": 2.0, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    views: list = []
    snap, seen = _notices_until_done(manager, job_id, views=views)
    assert snap.state == "succeeded", snap.error
    assert any("answer the request to make this video" in (v["notice"] or "") for v in views), views
    said = [(state, n) for state, n in seen if n is not None and n.code == "notice.wait_submit"]
    assert said and all(state == "submitting" for state, _ in said), seen
    assert "answer the request to make this video" in str(said[0][1]) and "s so far" in str(said[0][1])
    assert "so far" not in str(snap.notice or "")  # gone once it answered
    assert "已等待" in render_msg(said[0][1], ZH)
    assert emulator_stats(emulator)["submits"] == 1


def test_a_slow_download_of_the_video_is_explained_while_it_lasts(tmp_path, emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "download", "kind": "slow", "delay": 2.0, "times": 1}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, seen = _notices_until_done(manager, job_id)
    assert snap.state == "succeeded", snap.error
    said = [(state, n) for state, n in seen if n is not None and n.code == "notice.wait_download"]
    assert said and all(state == "downloading" for state, _ in said), seen
    assert "storage to send the finished video" in str(said[0][1])
    # The seconds waited so far grow while it lasts.
    secs = [int(n.params["secs"]) for _, n in said]
    assert secs == sorted(secs) and snap.notice is None


def test_a_job_waiting_for_its_keys_read_budget_says_so_and_when_it_is_read(tmp_path, emulator, managers):
    # One read per 2 s window for the key: reads that fall due sooner wait for the budget, and the
    # page says what it waits for (the service may be done already) instead of a silent "Queued".
    configure(emulator, finish_seconds=1.0)
    settings = Settings(data_dir=tmp_path / "data", base_url=emulator.base_url, poll_requests_per_minute=1)
    policy = replace(QUICK, budget_window_s=2.0, first_read_s=0.1)
    manager = managers.own(JobManager(settings, JobStore(settings.data_dir), policy=policy, host_factory=lambda _t: make_host(
        settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)))
    job_id = manager.start(two_picture_draft(tmp_path), api_key=KEY, holder="browser:a")
    snap, seen = _notices_until_done(manager, job_id)
    assert snap.state == "succeeded", snap.error
    said = [n for _, n in seen if n is not None and n.code == "notice.wait_budget"]
    assert said, seen
    assert "1 a minute" in str(said[0]) and "read again in" in str(said[0])
    assert "每分钟 1 次" in render_msg(said[0], ZH)
    assert emulator_stats(emulator)["submits"] == 1
