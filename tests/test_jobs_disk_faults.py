"""A followed job survives a data folder that cannot be used (the hostile run's read-only folder and
full disk): it stays scheduled, its page says in plain words that nothing can be saved and when the
studio tries again, and once the disk is back it finishes, its video saved, with one submit.

Tests run as root in CI, where chmod stops nothing.  So the store is made to fail for real, in a way
that stops root too: the data folder is replaced by a file (every SQLite open and every file write in
it then fails, reads included, as on the real faults).  What the studio says about it comes from its
look at the file system (`store/trouble.py`'s `disk_trouble`), which the first tests tell what the disk is like
(full, read-only).  Where this machine lets the test mount a small tmpfs, the last test does it all
for real: the folder's disk remounted read-only, then filled to the last byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from r2v_ui.store import trouble as store_trouble
from r2v_ui.jobs import JobManager, ReadPolicy
from r2v_ui.messages import ZH, render_msg

# The emulator fixtures are imported by name so pytest finds them in this module.
from tests.fixtures_jobs import configure, emulator_stats, make_manager, two_picture_draft

QUICK = ReadPolicy(backoff_base_s=0.05, disk_retry_s=0.2, store_retry_s=0.3)


def _until(manager: JobManager, job_id: str, ok, what: str, timeout: float = 60.0):
    """The job's snapshot once `ok(snapshot)` holds, woken by the job's own changes (no sleeps)."""
    async def watch():
        snap = manager.snapshot(job_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ok(snap):
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"{what}: never happened; last snapshot: {snap}")
            snap = await manager.wait_for_change(job_id, snap.version, min(left, 1.0)) or snap
        return snap

    return asyncio.run(watch())


@contextlib.contextmanager
def folder_replaced_by_a_file(data_dir: Path):
    """The data folder moved away and a plain file put in its place; undone by moving it back."""
    away = data_dir.with_name(data_dir.name + ".away")
    state = {"on": True}
    data_dir.rename(away)
    data_dir.write_bytes(b"not a folder")

    def undo():
        if state["on"]:
            data_dir.unlink()
            away.rename(data_dir)
            state["on"] = False

    try:
        yield undo
    finally:
        undo()


def _disk_is(monkeypatch, trouble: str) -> None:
    """What the file system says about the data folder's disk while the fault lasts."""
    def looks(folder):
        return trouble if not Path(folder).is_dir() else None

    monkeypatch.setattr(store_trouble, "disk_trouble", looks)


@pytest.mark.parametrize(("trouble", "words", "zh_words"), [
    ("readonly", "cannot be written", "无法写入"),
    ("full", "is full", "磁盘已满"),
], ids=["read-only-folder", "full-disk"])
def test_a_followed_job_survives_a_data_folder_that_cannot_be_used_and_finishes_once_it_is_back(
        tmp_path, emulator, monkeypatch, trouble, words, zh_words, managers):
    configure(emulator, finish_seconds=3.0)
    _disk_is(monkeypatch, trouble)
    manager = managers(policy=QUICK)
    data_dir = manager.store.data_dir
    job_id = manager.start(two_picture_draft(tmp_path))
    _until(manager, job_id, lambda s: s.state in ("queued", "processing"), "the job to be at the service")
    with folder_replaced_by_a_file(data_dir) as undo:
        snap = _until(manager, job_id, lambda s: s.notice is not None and words in str(s.notice),
                      "a notice that the data folder cannot be used")
        said = str(snap.notice)
        assert "disk I/O error" not in said and "unable to open" not in said
        assert "tries again in" in said and "nothing is lost" in said  # what is done about it
        assert zh_words in render_msg(snap.notice, ZH) and "再试" in render_msg(snap.notice, ZH)
        assert not snap.terminal
        # Still followed: the notice is renewed by later tries, not left by one that gave up.
        again = _until(manager, job_id, lambda s: s.version > snap.version + 2 and words in str(s.notice),
                       "another try while the folder is unusable")
        assert again.state == snap.state
        undo()
        done = _until(manager, job_id, lambda s: s.terminal, "the job to finish once the folder is back")
    assert done.state == "succeeded", done.error
    assert done.notice is None
    assert done.video_path is not None and done.video_path.stat().st_size > 0
    assert manager.store.get(job_id).state == "succeeded"  # saved, not only shown
    assert emulator_stats(emulator)["submits"] == 1


def test_after_a_store_error_the_job_is_read_again_within_the_policy_cap(tmp_path, emulator, monkeypatch, managers):
    # The studio's own timings: however many tries failed, the next one is at most store_retry_s away,
    # so a job resumes within that long (30 s by default, under a minute) of the disk coming back.
    configure(emulator, finish_seconds=3.0)
    _disk_is(monkeypatch, "readonly")
    policy = replace(QUICK, backoff_base_s=0.2, backoff_cap_s=3600.0, store_retry_s=0.5)
    assert ReadPolicy().store_retry_s <= 30.0
    manager = managers(policy=policy)
    job_id = manager.start(two_picture_draft(tmp_path))
    _until(manager, job_id, lambda s: s.state in ("queued", "processing"), "the job to be at the service")
    with folder_replaced_by_a_file(manager.store.data_dir):
        seen = []

        def many_tries(s):
            if s.notice is not None and s.notice.code == "notice.store_retry" and all(n is not s.notice
                                                                                    for n in seen):
                seen.append(s.notice)
            return len(seen) >= 6

        _until(manager, job_id, many_tries, "six tries while the folder is unusable")
    waits = [float(n.params["when"].params["secs"]) for n in seen]
    assert max(waits) <= 1.0, waits  # "in 1 s": capped, never the backoff's hour
    done = _until(manager, job_id, lambda s: s.terminal, "the job to finish")
    assert done.state == "succeeded", done.error


def _can_mount(where: Path) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)],
                            capture_output=True).returncode == 0
    except OSError:
        return False
    return ok


def _remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True, capture_output=True)


def _fill(where: Path) -> Path:
    filler = where / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


@pytest.mark.skipif(os.name != "posix", reason="tmpfs is Linux's")
def test_on_a_real_disk_remounted_read_only_then_filled_the_job_is_explained_and_finishes(tmp_path, emulator):
    disk = tmp_path / "disk"
    if not _can_mount(disk):
        pytest.skip("this machine does not let the test mount a tmpfs (needs CAP_SYS_ADMIN)")
    configure(emulator, finish_seconds=3.0)
    manager = None
    try:
        manager = make_manager(disk, emulator, policy=QUICK)
        for fault, words in (("read-only", "cannot be written"), ("full", "is full")):
            job_id = manager.start(two_picture_draft(tmp_path))
            _until(manager, job_id, lambda s: s.state in ("queued", "processing"), "the job to be at the service")
            filler = _fill(disk) if fault == "full" else _remount(disk, "ro")
            try:
                snap = _until(manager, job_id, lambda s: s.notice is not None and words in str(s.notice),
                              f"a notice about the {fault} disk")
                said = str(snap.notice)
                assert "disk I/O error" not in said and "unable to open" not in said, said
                assert "tries again in" in said
            finally:
                if filler is not None:
                    filler.unlink()
                else:
                    _remount(disk, "rw")
            done = _until(manager, job_id, lambda s: s.terminal, f"the job to finish after the {fault} disk")
            assert done.state == "succeeded", done.error
            assert done.video_path.stat().st_size > 0
        assert emulator_stats(emulator)["submits"] == 2  # one for each job
    finally:
        if manager is not None:
            manager.close()
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
