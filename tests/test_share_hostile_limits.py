"""Hostile viewers against the share routes' limits, over loopback on the real studio (demo mode, --auth):
what one address can do with fresh cookies (a new viewer each time) and what a stranger who holds a
password link's token, but not its password, can do to the viewers who have it."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Iterator

import httpx
import pytest

from r2v_ui.share.model import PICKS_PER_LINK, PICKS_PER_MINUTE, WRONG_TRIES, Expiry, ShareError
from r2v_ui.share.service import ShareService
from r2v_ui.store import JobStore
from tests.fixtures_share import Clock, finished_job, three_takes_fixture, viewer_address

OWNER = ("owner", "pw-owner-made-up-2")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    yield from three_takes_fixture(tmp_path_factory, "share-hostile", OWNER,
                                   "character1 waves at character2")


def _share(studio, jobs=("take1", "take2"), password=None):
    return studio.studio.shares.create(OWNER[0], list(jobs), Expiry.WEEK, password, True)


def _form_key(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


@contextlib.contextmanager
def _fresh_viewer(studio, address: str, path: str) -> Iterator[tuple[httpx.Client, str]]:
    """A new browser (no cookies) at `address` that has opened the page at `path`: it and its form key."""
    with httpx.Client(base_url=studio.url, headers={"x-forwarded-for": address, "accept-language": "en"},
                      follow_redirects=False, timeout=30) as c:
        yield c, _form_key(c.get(path).text)


def test_one_address_cannot_stuff_picks_with_fresh_cookies(studio):
    """Every page open without a cookie is a new viewer; without a limit per address one stranger could
    add any number of picks (each one a row, and the link's file on disk rewritten whole)."""
    link = _share(studio)
    address = viewer_address()
    answers = []
    for _ in range(PICKS_PER_MINUTE + 3):
        with _fresh_viewer(studio, address, link.path) as (c, key):
            r = c.post(f"{link.path}/pick", data={"job": "1", "csrf": key}, headers={"x-r2v-share": "1"})
            answers.append((r.status_code, r.json()["ok"]))
    assert answers == [(200, True)] * PICKS_PER_MINUTE + [(429, False)] * 3
    assert studio.studio.shares.feedback_for_link(OWNER[0], link.token).pick_counts() == {"take2": PICKS_PER_MINUTE}
    # someone else, elsewhere, still picks; and the refusal says what to do, in the viewer's language
    with _fresh_viewer(studio, viewer_address(), link.path) as (c, key):
        assert c.post(f"{link.path}/pick", data={"job": "0", "csrf": key}).status_code == 303
    with _fresh_viewer(studio, address, link.path) as (c, key):
        refused = c.post(f"{link.path}/pick", data={"job": "0", "csrf": key}, headers={"accept-language": "zh-CN"})
        assert refused.status_code == 429 and "一分钟" in refused.text


def test_a_viewer_changing_their_mind_is_not_a_new_pick(studio):
    link = _share(studio)
    with _fresh_viewer(studio, viewer_address(), link.path) as (c, key):
        for n in (0, 1, 0):
            r = c.post(f"{link.path}/pick", data={"job": str(n), "csrf": key}, headers={"x-r2v-share": "1"})
            assert r.json()["picked"] == n
    assert studio.studio.shares.feedback_for_link(OWNER[0], link.token).pick_counts() == {"take1": 1}


def test_a_link_keeps_a_bounded_number_of_viewers_picks_and_a_known_viewer_may_still_change_theirs(tmp_path):
    store = JobStore(tmp_path / "data")
    for take in (1, 2):
        finished_job(store, f"take{take}", owner="ann", batch_id="b1", take=take)
    clock = Clock()
    shares = ShareService(store, clock=clock)
    link = shares.create("ann", ["take1", "take2"], Expiry.NEVER, None, show_prompt=False)
    for i in range(PICKS_PER_LINK):
        if i and i % PICKS_PER_MINUTE == 0:
            clock.move(60)
        shares.set_pick(link.token, "take1", f"viewer-{i:06d}", "", client="203.0.113.7")
    clock.move(60)
    with pytest.raises(ShareError) as exc:
        shares.set_pick(link.token, "take2", "viewer-newcomer", "", client="203.0.113.8")
    assert exc.value.msg.code == "share.picks_full"
    shares.set_pick(link.token, "take2", "viewer-000003", "")
    assert shares.feedback_for_link("ann", link.token).pick_counts() == {"take1": PICKS_PER_LINK - 1, "take2": 1}


def test_a_stranger_guessing_the_password_locks_out_the_guessers_not_the_viewers_already_in(studio):
    """The lock stops guessing; someone holding only the token must not be able to shut every
    admitted viewer out (ten wrong posts each quarter hour) — the owner's Revoke does that."""
    link = _share(studio, jobs=("take1",), password="sesame-right-4")
    with _fresh_viewer(studio, viewer_address(), link.path) as (viewer, key):
        assert viewer.post(link.path, data={"password": "sesame-right-4", "csrf": key}).status_code == 303
        assert viewer.get(f"{link.path}/v/0", headers={"range": "bytes=0-99"}).status_code == 206
        with _fresh_viewer(studio, viewer_address(), link.path) as (stranger, skey):
            for i in range(WRONG_TRIES):
                assert stranger.post(link.path, data={"password": f"guess-{i}", "csrf": skey}).status_code == 404
            right = stranger.post(link.path, data={"password": "sesame-right-4", "csrf": skey})
            assert right.status_code == 404 and "set-cookie" not in right.headers  # locked for guessers
            assert stranger.get(link.path).status_code == 404
        # the viewer who is in goes on watching: the next range of the video, the page, a note
        assert viewer.get(f"{link.path}/v/0", headers={"range": "bytes=100-199"}).status_code == 206
        page = viewer.get(link.path)
        assert page.status_code == 200 and f'src="{link.path}/v/0"' in page.text
        note = viewer.post(f"{link.path}/note", data={"job": "0", "csrf": _form_key(page.text), "text": "still here"},
                           headers={"x-r2v-share": "1"})
        assert note.json()["ok"] is True
        # and the owner's Revoke still shuts them out at once, mid-stream
        assert studio.studio.shares.revoke(OWNER[0], link.token)
        assert viewer.get(f"{link.path}/v/0", headers={"range": "bytes=200-299"}).status_code == 404
        assert viewer.get(link.path).status_code == 404


def test_page_opens_do_not_rewrite_the_links_file_each_time(studio):
    """Any holder of a link may open it as often as they like: with a link full of notes its file on disk
    is most of a megabyte, and rewriting it for every open was a write without end for a stranger's GET."""
    link = _share(studio)
    with _fresh_viewer(studio, viewer_address(), link.path) as (c, key):
        c.post(f"{link.path}/note", data={"job": "0", "csrf": key, "text": "长" * 1000}, headers={"x-r2v-share": "1"})
        file = studio.studio.store.shares.path(link.token)
        before = file.stat()
        for _ in range(5):
            assert c.get(link.path).status_code == 200
        after = file.stat()
        assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
        views = {li.token: li.views for li in studio.studio.shares.links_for_owner(OWNER[0])}
        assert views[link.token] == 6  # every open is still counted
        # the next change of the link brings its file up to date, views and all
        c.post(f"{link.path}/pick", data={"job": "1", "csrf": key}, headers={"x-r2v-share": "1"})
        assert json.loads(file.read_text("utf-8"))["views"] == 6


def test_odd_bodies_are_refused_whole_and_the_longest_note_still_fits_the_wire(studio):
    """The form is read raw (url-encoded, at most 16 KB): a note at the length limit in the widest
    characters must still arrive, and what is not a well-formed form stores nothing."""
    link = _share(studio, jobs=("take1",))
    with _fresh_viewer(studio, viewer_address(), link.path) as (c, key):
        scripted = {"x-r2v-share": "1"}
        widest = c.post(f"{link.path}/note", headers=scripted,
                        data={"job": "0", "csrf": key, "text": "😀" * 1000, "name": "😀" * 60, "seconds": "nan"})
        assert widest.status_code == 200 and widest.json()["ok"]
        over = c.post(f"{link.path}/note", headers=scripted, data={"job": "0", "csrf": key, "text": "😀" * 1001})
        assert over.status_code == 400 and "at most 1000 characters" in over.json()["say"]
        form = "application/x-www-form-urlencoded"
        odd = [
            (f"job=0&csrf={key}&text=".encode() + "caf\u00e9".encode("latin-1"), form),  # not UTF-8
            (f"job=0&csrf={key}&text=hi".encode() + b"&x=1" * 30, form),  # more fields than a form has
            (f'{{"job": "0", "csrf": "{key}", "text": "hi"}}'.encode(), "application/json"),
            (f"job=0&csrf={key}&text=hi".encode(), "text/plain"),  # what a cross-site form may send unasked
        ]
        for body, kind in odd:
            r = c.post(f"{link.path}/note", content=body, headers=scripted | {"content-type": kind})
            assert r.status_code == 403 and r.json()["ok"] is False, body
        for seconds in ("inf", "-1", "1e309", "86401", "0x10"):
            c.post(f"{link.path}/note", headers=scripted,
                   data={"job": "0", "csrf": key, "text": f"at {seconds}", "seconds": seconds})
    notes = studio.studio.shares.feedback_for_link(OWNER[0], link.token).notes
    assert [(n.text[:3], n.seconds) for n in notes] == [("😀" * 3, None)] + [("at ", None)] * 5
