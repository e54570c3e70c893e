"""Job texts are stored as codes with parameters; an older database's English texts survive as
`legacy_text` and a job read after the migration renders in its reader's language."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

from r2v_ui import messages
from r2v_ui.messages import EN, ZH, msg, render_msg
from r2v_ui.store import MIGRATIONS, SCHEMA_VERSION, JobRecord, JobStore
from r2v_ui.ui import historypanel


def _database_at_version_5(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.create_function("r2v_casefold", 1, lambda t: (t or "").casefold(), deterministic=True)
    for version in range(1, 6):
        for stmt in MIGRATIONS[version]:
            conn.execute(stmt)
    conn.execute("PRAGMA user_version=5")
    rows = [
        ("failed-old", "failed", "Failed: The service refused the prompt.", "The service refused the prompt.",
         ["Prompt names character3, but only 2 references are given."]),
        ("done-old", "succeeded", "Done. Seed 42.", None, []),
        ("odd-old", "failed", "{not json", "{\"reason\": 1}", ["first", "second"]),
    ]
    for job_id, state, stage, error, warnings in rows:
        conn.execute(
            "INSERT INTO jobs (job_id, owner, state, created_at, updated_at, settings_json, references_json, error,"
            " stage_text, warnings_json, prompt_folded) VALUES (?, '', ?, 1.0, 2.0, '{\"prompt\": \"角色 Character1 挥手\"}',"
            " '[]', ?, ?, ?, 'not refolded yet')", (job_id, state, error, stage, json.dumps(warnings)))
    conn.commit()
    conn.close()


def test_an_older_database_keeps_its_english_texts_as_they_were(tmp_path: Path):
    db = tmp_path / "jobs.sqlite3"
    _database_at_version_5(db)

    store = JobStore(tmp_path)

    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 9
    failed = store.get("failed-old")
    assert failed.error == messages.legacy("The service refused the prompt.")
    assert failed.stage_text == messages.legacy("Failed: The service refused the prompt.")
    assert failed.warnings == [messages.legacy("Prompt names character3, but only 2 references are given.")]
    # a legacy text is shown as it was, whatever the reader's language
    assert render_msg(failed.error, ZH) == render_msg(failed.error, EN) == "The service refused the prompt."
    done = store.get("done-old")
    assert done.error is None and render_msg(done.stage_text, ZH) == "Done. Seed 42."
    odd = store.get("odd-old")  # texts that look like JSON but are not a stored message
    assert (str(odd.stage_text), str(odd.error)) == ("{not json", "{\"reason\": 1}")
    assert [str(w) for w in odd.warnings] == ["first", "second"]
    # in the columns, every text is now a code with parameters
    row = sqlite3.connect(db).execute("SELECT stage_text, error, warnings_json FROM jobs WHERE job_id='failed-old'").fetchone()
    assert json.loads(row[0]) == {"code": "legacy_text", "params": {"text": "Failed: The service refused the prompt."}}
    assert json.loads(row[1])["code"] == "legacy_text"
    assert [w["code"] for w in json.loads(row[2])] == ["legacy_text"]
    assert store.count(search="挥手") == 3 and store.count(search="跳舞") == 0  # History search finds Chinese words
    assert store.count(search="ＣＨＡＲＡＣＴＥＲ１ 挥手") == 3  # typed full-width on a Chinese keyboard


def test_a_new_job_text_is_stored_as_a_code_and_renders_in_either_language(tmp_path: Path):
    store = JobStore(tmp_path)
    now = time.time()
    error = msg("job.links_failed", n=3, error=msg("error.result_expired"))
    store.create(JobRecord(job_id="new", owner="", state="failed", created_at=now, updated_at=now,
                           settings={"prompt": "x"}, references=[], error=error,
                           stage_text=msg("job.failed", error=error), warnings=[msg("stage.queued")]))
    again = JobStore(tmp_path).get("new")
    assert again.error == error and again.warnings == [msg("stage.queued")]
    assert render_msg(again.stage_text, ZH).startswith("失败：视频已经生成，但连续 3 个下载链接")
    assert render_msg(again.stage_text, EN).startswith("Failed: The video was made, but 3 links")
    copy = json.loads(next((tmp_path / "records").glob("*.json")).read_text())  # the record copy on disk
    assert copy["error"]["code"] == "job.links_failed" and copy["error"]["params"]["error"]["$msg"]["code"] == \
        "error.result_expired"


def _snapshot(rec: JobRecord) -> SimpleNamespace:
    """The fields History's detail reads, as a JobSnapshot carries them."""
    return SimpleNamespace(state=rec.state, settings=rec.settings, error=rec.error, stage_text=rec.stage_text,
                           references=(), seed_used=None, price_label="", timings={}, created_at=rec.created_at,
                           updated_at=rec.updated_at, terminal=True, job_id=rec.job_id, task_id=None,
                           video_missing=False)


def test_history_shows_an_old_job_and_a_new_one_in_the_readers_language(tmp_path: Path):
    db = tmp_path / "jobs.sqlite3"
    _database_at_version_5(db)
    store = JobStore(tmp_path)
    now = time.time()
    store.create(JobRecord(job_id="new", owner="", state="failed", created_at=now, updated_at=now,
                           settings={"prompt": "character1在雨中挥手"}, references=[],
                           error=msg("reason.ILLEGAL_PROMPT")))
    old_zh = historypanel.detail_markdown(_snapshot(store.get("failed-old")), ZH)
    assert "### ✕ 失败" in old_zh and "**发生了什么：** The service refused the prompt." in old_zh
    new_zh = historypanel.detail_markdown(_snapshot(store.get("new")), ZH)
    assert "**发生了什么：** 提示词不符合服务的内容规范" in new_zh
    new_en = historypanel.detail_markdown(_snapshot(store.get("new")), EN)
    assert "**What happened:** The service refused the prompt under its content rules." in new_en
    assert historypanel.item_label(_snapshot(store.get("new")), lang=ZH).startswith("✕ 失败 · ")
