"""Range headers a stranger may send for a share link's video, over loopback on the real studio: one the
studio cannot use (another unit, a malformed or absurd one) is ignored and the whole file sent, as RFC 9110
says a server must (another unit) or may (an invalid one) — never a 400 with an English line and none of
the share pages' headers; one past the end answers 416 with them; one or several good ranges still seek."""

from __future__ import annotations

import httpx
import pytest

from r2v_ui.share.model import Expiry
from tests.fixtures_share import finished_job, viewer_address
from tests.fixtures_ui import running_studio

UNUSABLE = ("items=0-1", "bytes 0-1", "bytes=", "bytes=-", "bytes=abc", "bytes=5-1", "bytes=0--1",
            pytest.param("bytes=" + "9" * 5000 + "-", id="bytes=<5000 digits>-"), "bytes=x-y,z-")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("share-ranges") / "data") as rs:
        finished_job(rs.studio.store, "solo", owner="")
        link = rs.studio.shares.create("", ["solo"], Expiry.WEEK, None, True)
        yield rs.url, f"{link.path}/v/0"


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"accept-language": "en", "x-forwarded-for": viewer_address()},
                        timeout=30)


@pytest.mark.parametrize("header", UNUSABLE)
def test_a_range_the_studio_cannot_use_is_ignored_and_the_whole_video_sent(shared, header):
    url, video = shared
    with _client(url) as c:
        whole = c.get(video)
        answer = c.get(video, headers={"range": header})
    assert answer.status_code == 200 and answer.content == whole.content, header
    assert answer.headers["content-type"] == "video/mp4" and answer.headers["etag"] == whole.headers["etag"]
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_range_past_the_end_answers_416_with_the_share_pages_headers(shared):
    url, video = shared
    with _client(url) as c:
        size = len(c.get(video).content)
        answer = c.get(video, headers={"range": f"bytes={size}-"})
    assert answer.status_code == 416 and answer.headers["content-range"] == f"bytes */{size}"
    assert answer.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in answer.headers
    assert answer.headers["x-frame-options"] == "DENY"


def test_good_ranges_still_seek(shared):
    url, video = shared
    with _client(url) as c:
        whole = c.get(video).content
        one = c.get(video, headers={"range": "bytes=10-19"})
        assert one.status_code == 206 and one.content == whole[10:20]
        tail = c.get(video, headers={"range": "bytes=-5"})
        assert tail.status_code == 206 and tail.content == whole[-5:]
        two = c.get(video, headers={"range": "bytes=0-1,20-21"})
        assert two.status_code == 206 and two.headers["content-type"].startswith("multipart/byteranges")
        assert whole[0:2] in two.content and whole[20:22] in two.content
