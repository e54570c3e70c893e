"""The screening room's service and store (issue 22): links made only for the owner's finished jobs,
expiry and revoke, passwords kept hashed with a lock after ten wrong tries, picks and notes within
their limits (per viewer and per client address), a deleted job's links dying with it, and links,
picks and notes surviving a restart and a database rebuilt from the data folder."""

from __future__ import annotations

import json
import sqlite3

import pytest

from r2v_ui.share import passwords
from r2v_ui.share.model import (
    LOCK_SECONDS,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    NOTES_PER_LINK,
    NOTES_PER_MINUTE,
    WRONG_TRIES,
    Expiry,
    ShareError,
    clock_seconds,
)
from r2v_ui.share.service import ShareService
from r2v_ui.store import JobStore
from tests.fixtures_share import Clock, delete_database, finished_job

VIEWER, OTHER_VIEWER = "viewer-aaaaaaaaaaaa", "viewer-bbbbbbbbbbbb"


@pytest.fixture
def room(tmp_path):
    store = JobStore(tmp_path / "data")
    for take, color in ((1, "tomato"), (2, "teal"), (3, "gold")):
        finished_job(store, f"take{take}", color=color, batch_id="b1", take=take)
    finished_job(store, "bobs", owner="bob")
    clock = Clock()
    return store, ShareService(store, clock=clock), clock


def _code(exc_info) -> str:
    return exc_info.value.msg.code


def test_a_link_names_the_owners_takes_in_order_with_an_unguessable_token(room):
    store, shares, clock = room
    link = shares.create("ann", ["take1", "take2", "take3", "take2"], Expiry.WEEK, None, show_prompt=True)

    assert link.job_ids == ("take1", "take2", "take3")
    assert len(link.token) >= 32 and link.path == f"/s/{link.token}"  # 24 random bytes: 192 bits
    assert link.expires_at == clock() + 7 * 86400 and link.live(clock())
    assert shares.links_for_owner("ann") == [link]
    assert shares.links_for_job("ann", "take2") == [link] and shares.links_for_job("bob", "take2") == []
    assert shares.shared_job_ids("ann") == {"take1", "take2", "take3"}
    assert shares.open(link.token, None, "10.0.0.1").views == 1
    other = shares.create("ann", ["take1"], Expiry.DAY, None, show_prompt=False)
    assert other.token != link.token


@pytest.mark.parametrize("owner, jobs, code", [
    ("ann", [], "share.no_jobs"),
    ("ann", ["bobs"], "share.not_yours"),  # another person's job
    ("ann", ["take1", "no-such-job"], "share.not_yours"),
    ("bob", ["take1"], "share.not_yours"),
    ("ann", [f"take{i}" for i in range(1, 14)], "share.too_many_jobs"),
])
def test_a_link_is_refused_for_jobs_that_are_not_the_owners(room, owner, jobs, code):
    _, shares, _ = room
    with pytest.raises(ShareError) as exc:
        shares.create(owner, jobs, Expiry.NEVER, None, show_prompt=False)
    assert _code(exc) == code
    assert shares.links_for_owner(owner) == []


def test_a_job_without_a_video_cannot_be_shared(room):
    store, shares, _ = room
    store.update("take2", state="failed")
    with pytest.raises(ShareError) as exc:
        shares.create("ann", ["take2"], Expiry.NEVER, None, show_prompt=False)
    assert _code(exc) == "share.no_video"
    store.absolute(store.get("take1").video_path).unlink()
    with pytest.raises(ShareError):
        shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)


@pytest.mark.parametrize("expiry, lives", [(Expiry.DAY, 86400), (Expiry.WEEK, 7 * 86400), (Expiry.MONTH, 30 * 86400)])
def test_a_link_expires_when_its_time_is_up(room, expiry, lives):
    _, shares, clock = room
    link = shares.create("ann", ["take1"], expiry, None, show_prompt=False)
    clock.move(lives - 1)
    assert shares.open(link.token, None, "c") is not None
    clock.move(1)
    assert shares.open(link.token, None, "c") is None and shares.peek(link.token) is None
    assert shares.shared_job_ids("ann") == set()


def test_a_link_that_never_expires_lives_until_it_is_revoked_by_its_owner(room):
    _, shares, clock = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    clock.move(10 * 365 * 86400)
    assert Expiry.NEVER.seconds is None and shares.peek(link.token) is not None
    assert shares.revoke("bob", link.token) is False and shares.peek(link.token) is not None
    assert shares.revoke("ann", link.token) is True
    assert shares.open(link.token, None, "c") is None
    assert shares.links_for_owner("ann")[0].revoked is True


def test_the_password_is_kept_only_as_a_salted_scrypt_hash(room):
    store, shares, _ = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, "opensesame-42", show_prompt=False)
    twin = shares.create("ann", ["take1"], Expiry.NEVER, "opensesame-42", show_prompt=False)

    assert link.has_password
    db_bytes = b"".join(p.read_bytes() for p in store.db_path.parent.glob("jobs.sqlite3*"))
    files = b"".join(p.read_bytes() for p in store.shares.folder.glob("*.json"))
    assert b"opensesame-42" not in db_bytes + files
    hashes = [store.shares.row(t).password_hash for t in (link.token, twin.token)]
    assert all(h.startswith("scrypt$") for h in hashes) and hashes[0] != hashes[1]  # a salt of its own each
    assert passwords.check_password("opensesame-42", hashes[0])
    assert not passwords.check_password("opensesame-43", hashes[0])
    assert not passwords.check_password("x" * 201, hashes[0]) and not passwords.check_password("a", "garbage$$")


def test_a_wrong_password_opens_nothing_and_ten_in_a_row_lock_the_link_for_fifteen_minutes(room):
    _, shares, clock = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, "right-one", show_prompt=False)

    assert shares.open(link.token, None, "c") is None  # no password given: not a try
    for _ in range(WRONG_TRIES - 1):
        assert shares.open(link.token, "wrong", "c") is None
    assert shares.open(link.token, "right-one", "c") is not None  # nine wrong, then right: opens, count reset
    for _ in range(WRONG_TRIES):
        assert shares.open(link.token, "wrong", "c") is None
    assert shares.open(link.token, "right-one", "c") is None  # locked, even for the right password
    assert shares.peek(link.token) is None
    clock.move(LOCK_SECONDS - 1)
    assert shares.open(link.token, "right-one", "c") is None
    clock.move(1)
    opened = shares.open(link.token, "right-one", "c")
    assert opened is not None and opened.views == 2  # only the two that opened were counted


def test_one_address_guessing_on_many_links_is_not_heard_for_a_minute(room):
    _, shares, clock = room
    links = [shares.create("ann", ["take1"], Expiry.NEVER, f"pw-{i}", show_prompt=False) for i in range(4)]
    for link in links[:3]:
        for _ in range(WRONG_TRIES - 1):  # under each link's own lock
            assert shares.open(link.token, "guess", "203.0.113.7") is None
    for _ in range(3):
        assert shares.open(links[3].token, "guess", "203.0.113.7") is None
    assert shares.open(links[3].token, "pw-3", "203.0.113.7") is None  # 30 wrong this minute: not heard
    assert shares.open(links[3].token, "pw-3", "198.51.100.1") is not None  # another address is
    clock.move(60)
    assert shares.open(links[3].token, "pw-3", "203.0.113.7") is not None


def test_a_pass_after_the_right_password_admits_only_that_link(room):
    _, shares, _ = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, "pw-one", show_prompt=False)
    other = shares.create("ann", ["take2"], Expiry.NEVER, "pw-two", show_prompt=False)
    open_one = shares.create("ann", ["take3"], Expiry.NEVER, None, show_prompt=False)
    grant = shares.grant(shares.open(link.token, "pw-one", "c"))

    assert shares.admitted(link.token, grant) is not None
    assert shares.admitted(other.token, grant) is None
    assert shares.admitted(link.token, None) is None and shares.admitted(link.token, grant[:-1] + "0") is None
    assert shares.admitted(open_one.token, None) is not None
    shares.revoke("ann", link.token)
    assert shares.admitted(link.token, grant) is None


def test_unknown_and_malformed_tokens_open_nothing(room):
    _, shares, _ = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    for token in ("", "x", link.token[:-1], link.token + "A", "../" + link.token, link.token.upper(),
                  "a" * 200, "%00" + link.token, link.token + "/../x"):
        assert shares.open(token, None, "c") is None and shares.peek(token) is None
        assert shares.admitted(token, None) is None


def test_picks_one_per_viewer_per_link_and_their_counts(room):
    _, shares, _ = room
    link = shares.create("ann", ["take1", "take2", "take3"], Expiry.NEVER, None, show_prompt=False)
    shares.set_pick(link.token, "take1", VIEWER, "Lin")
    shares.set_pick(link.token, "take2", VIEWER, "Lin")  # changed their mind
    shares.set_pick(link.token, "take2", OTHER_VIEWER, "")

    feedback = shares.feedback_for_link("ann", link.token)
    assert feedback.pick_counts() == {"take2": 2}
    assert shares.feedback_for_job("ann", "take2").pick_counts() == {"take2": 2}
    assert shares.feedback_for_job("ann", "take1").picks == ()
    assert shares.viewer_pick(link.token, VIEWER) == "take2"
    assert shares.feedback_for_link("bob", link.token).picks == ()  # someone else's link shows nothing
    with pytest.raises(ShareError) as exc:
        shares.set_pick(link.token, "bobs", VIEWER, "")
    assert _code(exc) == "share.not_on_link"


def test_a_note_is_kept_as_plain_clean_text_with_its_video_time(room):
    _, shares, _ = room
    link = shares.create("ann", ["take1", "take2"], Expiry.NEVER, None, show_prompt=False)
    note = shares.add_note(link.token, "take2", VIEWER, "  Lin  Chen ", "\r\n<b>arm</b> bends\u202e wrong\x00 ", 2.04)

    assert (note.job_id, note.name, note.text, note.seconds) == ("take2", "Lin Chen", "<b>arm</b> bends wrong", 2.04)
    assert clock_seconds(note.seconds) == "0:02" and clock_seconds(3725) == "1:02:05"
    assert shares.add_note(link.token, "take1", VIEWER, "", "no time", None).seconds is None
    for weird in (float("nan"), float("inf"), -1, "abc", 10 ** 9):
        assert shares.add_note(link.token, "take1", OTHER_VIEWER, "", "odd time", weird).seconds is None
    notes = shares.feedback_for_job("ann", "take2").notes
    assert [n.text for n in notes] == ["<b>arm</b> bends wrong"]


@pytest.mark.parametrize("name, text, code", [
    ("", "   \n ", "share.note_empty"),
    ("", "x" * (NOTE_MAX_CHARS + 1), "share.note_too_long"),
    ("n" * (NAME_MAX_CHARS + 1), "fine", "share.name_too_long"),
])
def test_a_note_out_of_bounds_is_refused_with_what_to_do(room, name, text, code):
    _, shares, _ = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    with pytest.raises(ShareError) as exc:
        shares.add_note(link.token, "take1", VIEWER, name, text, None)
    assert _code(exc) == code
    assert shares.add_note(link.token, "take1", VIEWER, "n" * NAME_MAX_CHARS, "x" * NOTE_MAX_CHARS, None)


def test_a_viewer_sends_at_most_ten_notes_a_minute(room):
    _, shares, clock = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    for i in range(NOTES_PER_MINUTE):
        shares.add_note(link.token, "take1", VIEWER, "", f"note {i}", None, client=f"10.0.0.{i}")
    with pytest.raises(ShareError) as exc:
        shares.add_note(link.token, "take1", VIEWER, "", "one too many", None, client="10.0.1.1")
    assert _code(exc) == "share.too_fast"
    shares.add_note(link.token, "take1", OTHER_VIEWER, "", "someone else may", None, client="10.0.2.2")
    clock.move(60)
    shares.add_note(link.token, "take1", VIEWER, "", "a minute later", None, client="10.0.1.1")


def test_new_viewer_ids_from_one_address_do_not_lift_the_cap(room):
    _, shares, _ = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    for i in range(NOTES_PER_MINUTE):
        shares.add_note(link.token, "take1", f"fresh-viewer-{i:04d}", "", "spam", None, client="203.0.113.9")
    with pytest.raises(ShareError) as exc:
        shares.add_note(link.token, "take1", "fresh-viewer-9999", "", "spam", None, client="203.0.113.9")
    assert _code(exc) == "share.too_fast"


def test_a_link_holds_at_most_two_hundred_notes(room):
    _, shares, clock = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    for i in range(NOTES_PER_LINK):
        if i and i % NOTES_PER_MINUTE == 0:
            clock.move(60)
        shares.add_note(link.token, "take1", VIEWER, "", f"note {i}", None)
    clock.move(60)
    with pytest.raises(ShareError) as exc:
        shares.add_note(link.token, "take1", VIEWER, "", "201st", None)
    assert _code(exc) == "share.notes_full"
    assert len(shares.feedback_for_link("ann", link.token).notes) == NOTES_PER_LINK


def test_notes_and_picks_are_refused_on_a_dead_link_or_for_another_job(room):
    _, shares, _ = room
    link = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    for job, viewer in (("take2", VIEWER), ("bobs", VIEWER), ("take1", "x"), ("take1", "../../etc/passwd")):
        with pytest.raises(ShareError) as exc:
            shares.add_note(link.token, job, viewer, "", "hi", None)
        assert _code(exc) == "share.not_on_link"
    shares.revoke("ann", link.token)
    with pytest.raises(ShareError) as exc:
        shares.add_note(link.token, "take1", VIEWER, "", "hi", None)
    assert _code(exc) == "share.gone"
    with pytest.raises(ShareError):
        shares.set_pick(link.token, "take1", VIEWER, "")


def test_a_deleted_job_leaves_its_links_and_a_link_left_with_none_is_dead(room):
    store, shares, _ = room
    single = shares.create("ann", ["take1"], Expiry.NEVER, None, show_prompt=False)
    batch = shares.create("ann", ["take1", "take2"], Expiry.NEVER, None, show_prompt=False)
    shares.add_note(batch.token, "take1", VIEWER, "", "on take 1", 1.0)
    shares.add_note(batch.token, "take2", VIEWER, "", "on take 2", 1.0)
    shares.set_pick(batch.token, "take1", VIEWER, "")

    store.delete("take1")

    assert shares.peek(single.token) is None and shares.open(single.token, None, "c") is None
    assert shares.peek(batch.token).job_ids == ("take2",)
    feedback = shares.feedback_for_link("ann", batch.token)
    assert [n.text for n in feedback.notes] == ["on take 2"] and feedback.picks == ()
    assert shares.links_for_job("ann", "take1") == [] and shares.shared_job_ids("ann") == {"take2"}
    kept = json.loads(store.shares.path(batch.token).read_text())
    assert kept["job_ids"] == ["take2"] and [n["text"] for n in kept["notes"]] == ["on take 2"]


def test_the_job_managers_delete_kills_the_links_too(managers, tmp_path):
    manager = managers()
    store = manager.store
    finished_job(store, "mine")
    shares = ShareService(store)
    link = shares.create("ann", ["mine"], Expiry.NEVER, None, show_prompt=False)

    assert manager.delete("mine", owner="ann") is True
    assert shares.open(link.token, None, "c") is None and shares.links_for_job("ann", "mine") == []


def _lived_in(shares, clock):
    link = shares.create("ann", ["take1", "take2"], Expiry.WEEK, "pw-kept", show_prompt=True)
    gone = shares.create("ann", ["take3"], Expiry.NEVER, None, show_prompt=False)
    shares.revoke("ann", gone.token)
    shares.open(link.token, "pw-kept", "c")
    shares.set_pick(link.token, "take2", VIEWER, "Lin")
    shares.add_note(link.token, "take2", VIEWER, "Lin", "arm bends wrong", 2.0)
    shares.add_note(link.token, "take1", OTHER_VIEWER, "", "第一条：很好", None)
    return link, gone


def _same_as_before(shares, link, gone):
    back = shares.open(link.token, "pw-kept", "c")
    assert back is not None and back.job_ids == ("take1", "take2") and back.views == 2 and back.show_prompt
    assert shares.open(link.token, "wrong", "c") is None
    assert shares.peek(gone.token) is None and {li.token for li in shares.links_for_owner("ann")} == {link.token, gone.token}
    feedback = shares.feedback_for_link("ann", link.token)
    assert feedback.pick_counts() == {"take2": 1}
    assert [(n.job_id, n.name, n.text, n.seconds) for n in feedback.notes] == [
        ("take2", "Lin", "arm bends wrong", 2.0), ("take1", "", "第一条：很好", None)]


def test_links_picks_and_notes_survive_a_restart(room, tmp_path):
    store, shares, clock = room
    link, gone = _lived_in(shares, clock)

    again = ShareService(JobStore(tmp_path / "data"), clock=clock)

    _same_as_before(again, link, gone)


@pytest.mark.parametrize("while_running", [False, True], ids=["at start", "while running"])
def test_a_database_rebuilt_from_the_data_folder_keeps_links_picks_and_notes(room, tmp_path, while_running):
    store, shares, clock = room
    link, gone = _lived_in(shares, clock)

    delete_database(tmp_path / "data")
    if while_running:
        _same_as_before(shares, link, gone)
        assert store.rebuilds == 1
    else:
        _same_as_before(ShareService(JobStore(tmp_path / "data"), clock=clock), link, gone)
    # and a note added after the rebuild takes a new number
    note = shares.add_note(link.token, "take1", VIEWER, "", "after", None) if while_running else None
    assert note is None or note.id > 2


def test_an_older_database_gains_the_share_tables(tmp_path):
    data = tmp_path / "data"
    JobStore(data)
    conn = sqlite3.connect(data / "jobs.sqlite3")
    for table in ("share_notes", "share_picks", "share_link_jobs", "share_links"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("PRAGMA user_version=8")
    conn.commit()
    conn.close()

    store = JobStore(data)
    finished_job(store, "old")
    link = ShareService(store).create("ann", ["old"], Expiry.DAY, None, show_prompt=False)
    assert store.db.found_version == 8 and store.shares.row(link.token) is not None
