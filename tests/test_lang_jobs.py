"""A job's error is stored as a code, so History shows an old job in the viewer's language: a download
that keeps failing and a crash mid-submit, read back from the database after a restart, in Chinese."""

from __future__ import annotations

import time

from tests.lang_terms import foreign_words
from r2v_ui.messages import EN, LEGACY, ZH, render_msg
from r2v_ui.store import JobRecord, JobStore

from tests.fixtures_jobs import set_faults, two_picture_draft, wait_for_state
from r2v_ui.jobs import ReadPolicy

QUICK = ReadPolicy(backoff_base_s=0.05, link_tries=2)


def _codes(m) -> list[str]:
    """Every code in a Msg and the Msgs it carries."""
    found = [m.code]
    for v in m.params.values():
        if hasattr(v, "code"):
            found += _codes(v)
    return found


def test_a_download_the_storage_host_keeps_refusing_is_stored_as_a_message_and_reads_back_in_chinese(tmp_path,
        emulator, managers):
    manager = managers(policy=QUICK)
    set_faults(emulator, [{"route": "download", "kind": "400", "times": 100}])
    job_id = manager.start(two_picture_draft(tmp_path))
    snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"})
    assert snap.state == "failed"
    stored = JobStore(tmp_path / "data").get(job_id)  # as History reads it after a restart
    assert LEGACY not in _codes(stored.error)
    assert _codes(stored.error) == ["job.links_failed", "client.download_http"]
    assert "the storage host answered HTTP 400" in render_msg(stored.error, EN)
    text = render_msg(stored.error, ZH)
    where = stored.error.params["error"].params["where"]  # the link's address, quoted as it is
    assert "存储服务器返回了 HTTP 400" in text
    assert foreign_words(text.replace(where, "")) == [], text


def test_a_job_found_mid_submit_after_a_restart_is_uncertain_in_the_viewers_language(tmp_path, emulator, managers):
    manager = managers()
    manager.close()
    now = time.time()
    manager.store.create(JobRecord(job_id="crashed", owner="", state="submitting", created_at=now, updated_at=now,
                                   settings=two_picture_draft(tmp_path).settings(), references=[]))
    again = managers()
    again.resume()
    stored = JobStore(tmp_path / "data").get("crashed")
    assert stored.state == "uncertain" and stored.error.code == "error.submission_uncertain"
    assert foreign_words(render_msg(stored.error, ZH)) == []


def test_a_library_folder_that_cannot_be_written_is_said_in_chinese(tmp_path):
    import errno

    from r2v_ui.jobs.notices import disk_notice

    for code, plain in ((errno.EROFS, "磁盘是只读的"), (errno.EACCES, "没有写入权限")):
        said = disk_notice(OSError(code, "the system's own words"), tmp_path)
        assert said.code == "notice.disk_readonly"
        text = render_msg(said, ZH)
        assert plain in text and foreign_words(text.replace(str(tmp_path), "")) == [], text
        assert "cannot be written" in render_msg(said, EN)
