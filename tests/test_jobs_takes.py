"""Takes: one click, several jobs of one draft, against the emulator over loopback."""

from __future__ import annotations

import pytest

from r2v_ui.jobs.takes import MAX_TAKES, plan_takes, take_seeds
from r2v_ui.request import RequestInvalid
from r2v_ui.spec import SEED_MAX

from tests.fixtures_jobs import emulator_stats, two_picture_draft, wait_for_state


def test_three_takes_are_three_submits_with_distinct_seeds_and_each_reference_goes_up_once(tmp_path, emulator, manager):
    ids = manager.start_takes(two_picture_draft(tmp_path), 3, owner="ann")
    snaps = [wait_for_state(manager, j, {"succeeded", "failed"}, owner="ann")[0] for j in ids]
    assert [s.state for s in snaps] == ["succeeded"] * 3, [s.error for s in snaps]
    stats = emulator_stats(emulator)
    assert stats["submits"] == 3
    assert stats["uploads"] == 2  # two pictures, shared by the three takes
    seeds = [s.seed_used for s in snaps]
    assert len(set(seeds)) == 3 and all(isinstance(x, int) for x in seeds)
    assert {s.batch_id for s in snaps} == {snaps[0].batch_id} and snaps[0].batch_id
    assert [s.take for s in snaps] == [1, 2, 3]
    assert len({s.video_path for s in snaps}) == 3 and all(s.video_path.is_file() for s in snaps)
    # The batch reads back in take order; History's newest-first list keeps take 1 on top.
    assert [s.job_id for s in manager.batch(snaps[0].batch_id, owner="ann")] == ids
    assert manager.batch(snaps[0].batch_id, owner="bob") == []
    page, total = manager.list_page(owner="ann")
    assert [s.job_id for s in page] == ids and total == 3


def test_a_fixed_seed_gives_consecutive_seeds_and_one_take_is_a_job_on_its_own(tmp_path, emulator, manager):
    ids = manager.start_takes(two_picture_draft(tmp_path, seed=41), 2)
    snaps = [wait_for_state(manager, j, {"succeeded", "failed"})[0] for j in ids]
    assert [s.seed_used for s in snaps] == [41, 42]
    single = manager.start(two_picture_draft(tmp_path, seed=7))
    snap = wait_for_state(manager, single, {"succeeded", "failed"})[0]
    assert snap.batch_id is None and snap.take is None and snap.seed_used == 7


def test_a_bad_draft_starts_no_take_at_all(tmp_path, emulator, manager):
    with pytest.raises(RequestInvalid):
        manager.start_takes(two_picture_draft(tmp_path, prompt=""), 3)
    with pytest.raises(ValueError):
        manager.start_takes(two_picture_draft(tmp_path), MAX_TAKES + 1)
    assert manager.store.count() == 0 and emulator_stats(emulator)["submits"] == 0


def test_keep_this_one_marks_a_favourite_that_history_filters_on(tmp_path, emulator, manager):
    ids = manager.start_takes(two_picture_draft(tmp_path), 2, owner="ann")
    for j in ids:
        wait_for_state(manager, j, {"succeeded", "failed"}, owner="ann")
    assert manager.set_favourite(ids[1], owner="ann").favourite is True
    page, total = manager.list_page(owner="ann", status="kept")
    assert [s.job_id for s in page] == [ids[1]] and total == 1
    with pytest.raises(Exception):
        manager.set_favourite(ids[0], owner="bob")  # not bob's job
    manager.set_favourite(ids[1], False, owner="ann")
    assert manager.list_page(owner="ann", status="kept") == ([], 0)


@pytest.mark.parametrize("seed,takes,expected", [
    (5, 1, [5]), (None, 1, [None]), (5, 3, [5, 6, 7]), (SEED_MAX, 2, [SEED_MAX, 0]),
])
def test_take_seeds(seed, takes, expected):
    assert take_seeds(seed, takes) == expected


def test_random_takes_draw_distinct_seeds_even_when_the_draw_repeats():
    draws = iter([9, 9, 9, 3, 4])
    assert take_seeds(None, 3, draw=lambda _n: next(draws)) == [9, 3, 4]


def test_plan_refuses_a_take_count_outside_one_to_four(tmp_path):
    draft = two_picture_draft(tmp_path)
    for bad in (0, 5, True, 2.0):
        with pytest.raises(ValueError):
            plan_takes(draft, bad)
    assert plan_takes(draft, 1).batch_id is None and plan_takes(draft, 4).batch_id.startswith("b-")


def test_a_batch_and_its_kept_take_survive_a_database_rebuilt_from_the_library(tmp_path, emulator, manager):
    from r2v_ui.store import JobStore

    ids = manager.start_takes(two_picture_draft(tmp_path), 2, owner="ann")
    for j in ids:
        assert wait_for_state(manager, j, {"succeeded", "failed"}, owner="ann")[0].state == "succeeded"
    manager.set_favourite(ids[1], owner="ann")
    batch_id = manager.snapshot(ids[0], owner="ann").batch_id
    data = tmp_path / "data"
    for name in ("jobs.sqlite3", "jobs.sqlite3-wal", "jobs.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)  # the database is lost; the library is not

    store = JobStore(data)
    rebuilt = [store.get(j) for j in ids]
    assert [(r.batch_id, r.take, r.favourite) for r in rebuilt] == [(batch_id, 1, False), (batch_id, 2, True)]
    assert [r.job_id for r in store.list(owner="ann", kept=True)] == [ids[1]]
