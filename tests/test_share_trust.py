"""What a share link's viewer holds stays only as good as the link, over loopback on the real studio:
its files are asked for again before each use (a live link answers 304 with the same strong ETag,
Range and If-Range still seek; a revoked link or a deleted job answers 404 at once, no cached copy
replays), and a password's pass cookie is signed with the studio's key kept in its data folder (0600),
so it outlives a restart on that folder, not on another, and never a revoke."""

from __future__ import annotations

import re
import shutil
import stat
import threading
from pathlib import Path

import httpx
import pytest

from r2v_ui.atomic_files import secret_file
from r2v_ui.share.model import Expiry
from r2v_ui.share.routes import PASS_COOKIE, VIEWER_COOKIE
from r2v_ui.share.service import SIGNING_KEY_FILE
from tests.fixtures_share import finished_job, three_takes_fixture, viewer_address
from tests.fixtures_ui import running_studio

OWNER = ("owner", "pw-owner-made-up-2")
PARTS = ("v/0", "p/0", "c/0/0")  # the video, its poster, a cast picture


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    yield from three_takes_fixture(tmp_path_factory, "share-trust", OWNER, "character1 bows")


def _client(url: str, cookies: dict[str, str] | None = None) -> httpx.Client:
    headers = {"accept-language": "en", "x-forwarded-for": viewer_address()}
    if cookies:  # sent as written, whatever path the studio gave them
        headers["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return httpx.Client(base_url=url, headers=headers, follow_redirects=False, timeout=30)


def _share(shares, jobs, password=None):
    return shares.create(OWNER[0], list(jobs), Expiry.WEEK, password, True)


def _form_key(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_share_files_are_asked_for_again_each_use_and_stop_the_moment_the_link_is_revoked(studio):
    link = _share(studio.studio.shares, ["take1"])
    with _client(studio.url) as c:
        tags = {}
        for part in PARTS:
            first = c.get(f"{link.path}/{part}")
            assert first.status_code == 200 and first.content, part
            assert first.headers["cache-control"] == "private, no-cache", part
            etag = tags[part] = first.headers["etag"]
            assert re.fullmatch(r'"[0-9a-f]{40}"', etag), etag  # strong: no W/
            again = c.get(f"{link.path}/{part}", headers={"if-none-match": etag})
            assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag), part
            assert again.headers["cache-control"] == "private, no-cache"
            assert c.head(f"{link.path}/{part}", headers={"if-none-match": f'W/{etag}, "x"'}).status_code == 304
        video = f"{link.path}/v/0"
        whole = c.get(video).content
        seek = c.get(video, headers={"range": "bytes=100-299", "if-range": tags["v/0"]})
        assert seek.status_code == 206 and seek.content == whole[100:300]
        assert seek.headers["content-range"] == f"bytes 100-299/{len(whole)}"
        stale = c.get(video, headers={"range": "bytes=100-299", "if-range": '"not-this-file"'})
        assert stale.status_code == 200 and stale.content == whole  # another file's validator: the whole one
        other = _share(studio.studio.shares, ["take1"])  # the same file under another link: another validator
        assert c.get(f"{other.path}/v/0").headers["etag"] != tags["v/0"]

        assert studio.studio.shares.revoke(OWNER[0], link.token)
        for part in PARTS:
            gone = c.get(f"{link.path}/{part}", headers={"if-none-match": tags[part]})
            assert gone.status_code == 404 and "etag" not in gone.headers, part
            assert c.get(f"{link.path}/{part}", headers={"range": "bytes=0-9"}).status_code == 404


def test_a_deleted_jobs_files_answer_404_even_to_a_browser_holding_them(studio):
    store = studio.studio.store
    finished_job(store, "gone-soon", owner=OWNER[0], color="navy")
    link = _share(studio.studio.shares, ["gone-soon"])
    with _client(studio.url) as c:
        etag = c.get(f"{link.path}/v/0").headers["etag"]
        assert c.get(f"{link.path}/v/0", headers={"if-none-match": etag}).status_code == 304
        assert studio.studio.manager.delete("gone-soon", owner=OWNER[0])
        assert c.get(f"{link.path}/v/0", headers={"if-none-match": etag}).status_code == 404


def _let_in(url: str, path: str, password: str) -> dict[str, str]:
    """A viewer typing the password: the cookies their browser then holds (viewer id and pass)."""
    with _client(url) as c:
        key = _form_key(c.get(path).text)
        right = c.post(path, data={"password": password, "csrf": key})
        assert right.status_code == 303
        held = {VIEWER_COOKIE: c.cookies.get(VIEWER_COOKIE), PASS_COOKIE: c.cookies.get(PASS_COOKIE)}
        assert all(held.values())
        page = c.get(path)
        assert f'src="{path}/v/0"' in page.text
    return held | {"csrf": _form_key(page.text)}


def _page_and_video(url: str, path: str, held: dict[str, str], etag: str | None = None) -> tuple[str, int]:
    with _client(url, {k: v for k, v in held.items() if k != "csrf"}) as c:
        page = c.get(path).text
        video = c.get(f"{path}/v/0", headers={"if-none-match": etag} if etag else {})
        return ("player" if f'src="{path}/v/0"' in page else "password form" if 'type="password"' in page
                else "other"), video.status_code


def test_a_pass_cookie_outlives_a_restart_on_the_same_data_folder_and_never_a_revoke(tmp_path):
    data, elsewhere = tmp_path / "data", tmp_path / "copy"
    with running_studio(data) as rs:
        finished_job(rs.studio.store, "solo", owner=OWNER[0])
        link = _share(rs.studio.shares, ["solo"], password="heron-42")
        kept = _share(rs.studio.shares, ["solo"], password="heron-43")
        held = _let_in(rs.url, link.path, "heron-42")
        held_kept = _let_in(rs.url, kept.path, "heron-43")
        with _client(rs.url, {k: v for k, v in held.items() if k != "csrf"}) as c:
            etag = c.get(f"{link.path}/v/0").headers["etag"]
            page_html = c.get(link.path).text

    shutil.copytree(data, elsewhere)  # the same links and password hashes, but not the studio's key
    (elsewhere / SIGNING_KEY_FILE).unlink(missing_ok=True)

    with running_studio(data) as again:  # a restart on the same folder: still in, still fresh
        assert _page_and_video(again.url, link.path, held, etag) == ("player", 304)
        with _client(again.url, {k: v for k, v in held.items() if k != "csrf"}) as c:
            sent = c.post(f"{link.path}/note", data={"job": "0", "csrf": held["csrf"], "text": "still here"})
            assert sent.status_code == 303  # the form key of the page loaded before the restart holds too
        assert again.studio.shares.revoke(OWNER[0], link.token)
        assert _page_and_video(again.url, link.path, held, etag) == ("other", 404)  # revoked: the pass is no use
        assert _page_and_video(again.url, kept.path, held_kept) == ("player", 200)

    with running_studio(elsewhere) as other:  # another data folder: its own key, the old pass opens nothing
        assert _page_and_video(other.url, kept.path, held_kept) == ("password form", 404)

    key_file = data / SIGNING_KEY_FILE  # one key, kept from the first start, readable by its owner only
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    assert len(key) >= 32 and key not in page_html.encode()
    assert (elsewhere / SIGNING_KEY_FILE).read_bytes().strip() != key
    for f in data.rglob("*"):  # not in a sidecar, a record, the database: only in its own file
        if f.is_file() and f != key_file:
            assert key not in f.read_bytes(), f


def test_a_secret_file_is_made_once_even_by_starts_racing_and_a_cut_short_one_is_made_again(tmp_path):
    path = tmp_path / "folder" / "the.secret"
    made = iter(f"secret-number-{i:04d}-xxxxxxxx" for i in range(100))
    lock = threading.Lock()

    def make() -> str:
        with lock:
            return next(made)

    got: list[str] = []
    start = threading.Barrier(8)

    def run() -> None:
        start.wait()
        got.append(secret_file(path, make))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(got)) == 1 and path.read_text() == got[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["the.secret"]  # no temporary file left behind

    Path(path).write_text("")  # what a crash of the old writer could leave
    fresh = secret_file(path, make)
    assert fresh.startswith("secret-number-") and fresh != got[0] and path.read_text() == fresh
