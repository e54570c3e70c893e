"""A storyboard job through the job manager and the emulator over loopback: the service receives the
composed prompt (and nothing of the shot list), the job's record and its sidecar keep the shot list,
and a remix (also by a manager started again on the same folder) gives the rows back to the form."""

from __future__ import annotations

import json

from r2v_ui.jobs import JobDraft
from r2v_ui.storyboard import Shot, Storyboard
from r2v_ui.workspace import form

from tests.fixtures_jobs import emulator_stats, two_picture_draft, wait_for_state

BOARD = Storyboard("A small kitchen at night.", (Shot("character1 opens the fridge", 1),
                                                 Shot("character2 grabs the last cookie", 1)))


def test_a_storyboard_job_sends_the_composed_prompt_keeps_the_shot_list_and_a_remix_restores_it(tmp_path, emulator,
        managers):
    base = two_picture_draft(tmp_path)
    draft = JobDraft(references=base.references, prompt=BOARD.compose(), size=base.size, duration=2,
                     shot_type="multi", storyboard=BOARD)
    manager = managers()
    job_id = manager.start(draft)
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    # What the service received: the composed prompt, Multi shot, and no field it does not know.
    (task,) = emulator.state.tasks.values()
    assert task.request.prompt == ("A small kitchen at night.\nShot 1 [0-1s]: character1 opens the fridge\n"
                                   "Shot 2 [1-2s]: character2 grabs the last cookie")
    assert task.request.shot_type == "multi"
    assert emulator_stats(emulator)["submits"] == 1
    # Kept with the job: in its settings (the store) and in the sidecar beside the video.
    assert snap.settings["storyboard"] == BOARD.to_record()
    side = json.loads(snap.video_path.with_suffix(".json").read_text())
    assert side["settings"]["storyboard"]["shots"][1] == {"text": "character2 grabs the last cookie", "seconds": 1}
    assert manager.remix_draft(job_id).storyboard == BOARD

    # A studio started again on the same folder still remixes it into the same form.
    again = managers()
    values = form.values_from_draft(again.remix_draft(job_id))
    assert values.prompt == "A small kitchen at night." and values.shot_type == "multi"
    assert list(values.shots) == [{"text": "character1 opens the fridge", "seconds": 1},
                                  {"text": "character2 grabs the last cookie", "seconds": 1}]
    assert values.duration == 2


def test_a_job_without_a_storyboard_remixes_with_an_empty_shot_list(tmp_path, emulator, manager):
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "succeeded", snap.error
    assert "storyboard" not in snap.settings
    values = form.values_from_draft(manager.remix_draft(job_id))
    assert values.shots == () and values.prompt == "character1 greets character2 in a garden"
