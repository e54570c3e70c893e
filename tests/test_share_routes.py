"""The share routes over loopback, on the real studio started with a login (--auth): the page and its
files open with no login, only for what a live link names; every other request under /s/ — another
job, an unknown, revoked, expired or locked token, a wrong password, a traversal — gets the very same
404 page; posts need the page's form key; what people wrote is shown as text; the note limits hold
per viewer and per client address."""

from __future__ import annotations

import io
import re
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from r2v_ui.share.model import NOTE_MAX_CHARS, NOTES_PER_MINUTE, WRONG_TRIES, Expiry
from r2v_ui.share.routes import client_address
from r2v_ui.share.service import ShareService
from tests.fixtures_share import finished_job, studio_with_three_takes, viewer_address

OWNER = ("owner", "pw-owner-made-up-1")
HOSTILE_PROMPT = "character1 <script>alert('prompt')</script> waves & \"bows\""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with studio_with_three_takes(tmp_path_factory.mktemp("share-routes") / "data", OWNER, HOSTILE_PROMPT) as rs:
        finished_job(rs.studio.store, "secret-job", owner="someone-else", color="purple")
        yield rs


def _client(studio, lang: str = "en") -> httpx.Client:
    return httpx.Client(base_url=studio.url, headers={"accept-language": lang, "x-forwarded-for": viewer_address()},
                        follow_redirects=False, timeout=30)


def _share(studio, jobs=("take1", "take2", "take3"), **kw):
    opts = dict(expiry=Expiry.WEEK, password=None, show_prompt=True) | kw
    return studio.studio.shares.create(OWNER[0], list(jobs), opts["expiry"], opts["password"], opts["show_prompt"])


def _form_key(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def _raw_get(url: str, path: str) -> tuple[int, bytes]:
    """A GET with the path sent exactly as written (no client tidies `..` or `%2e` away)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept-Language: en\r\nConnection: close\r\n\r\n"
                  .encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        out, rest = b"", body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        body = out
    return int(head.split(b" ")[1]), body


def test_a_link_opens_with_no_login_on_a_studio_that_asks_for_one(studio):
    link = _share(studio)
    with _client(studio) as c:
        assert c.get("/gradio_api/info").status_code in (401, 403)  # the studio itself wants the login
        page = c.get(link.path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer" and page.headers["x-frame-options"] == "DENY"
        assert "r2v_viewer=" in page.headers["set-cookie"] and "samesite=lax" in page.headers["set-cookie"].lower()
        html = page.text
        for n in range(3):
            assert f'src="{link.path}/v/{n}"' in html and f'poster="{link.path}/p/{n}"' in html
        assert f'{link.path}/c/0/0' in html and ">Ada<" in html and ">Bo<" in html
        # nothing of the studio: no link anywhere, no Gradio, no key field, no job id
        assert re.findall(r'href="[^"]*"', html) == [] and "gradio" not in html.lower()
        assert "api_key" not in html and "take1" not in html and "secret-job" not in html
        assert "only on the computer it runs on" in html  # a studio on 127.0.0.1 says so

        video = c.get(f"{link.path}/v/1")
        rec = studio.studio.store.get("take2")
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert video.content == studio.studio.store.absolute(rec.video_path).read_bytes()
        part = c.get(f"{link.path}/v/0", headers={"range": "bytes=0-99", "accept-encoding": "gzip"})
        assert part.status_code == 206 and len(part.content) == 100
        assert c.get(f"{link.path}/p/2").headers["content-type"] == "image/jpeg"
        picture = c.get(f"{link.path}/c/0/1")  # a copy of its own (no upload's metadata): Bo's teal
        assert picture.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(picture.content)) as shown:
            r, g, b = shown.convert("RGB").getpixel((shown.width // 2, shown.height // 2))
            assert g > 100 and b > 100 and r < 40


def test_the_page_speaks_the_viewers_language(studio):
    link = _share(studio, jobs=("take1",), show_prompt=False)
    with _client(studio, "zh-CN,zh;q=0.9,en;q=0.5") as c:
        page = c.get(link.path).text
        assert '<html lang="zh-CN">' in page and "分享的视频" in page and "发送备注" in page
        assert "character1" not in page  # the prompt was not allowed
        missing = c.get("/s/" + "A" * 32).text
        assert "这个链接无法打开" in missing
    with _client(studio, "en") as c:
        assert "Send note" in c.get(link.path).text


def test_views_are_counted_when_the_page_is_shown(studio):
    link = _share(studio, jobs=("take2",))
    with _client(studio) as c:
        for _ in range(3):
            c.get(link.path)
        c.get(f"{link.path}/v/0")  # the files it loads are not views
    views = {li.token: li.views for li in studio.studio.shares.links_for_owner(OWNER[0])}
    assert views[link.token] == 3


def _hostile_requests(studio) -> list[tuple[str, str, dict | None]]:
    """(method, path, form) of requests that must all get the one 404 page."""
    shares: ShareService = studio.studio.shares
    live = _share(studio)
    pw = _share(studio, password="the-right-one")
    revoked = _share(studio)
    shares.revoke(OWNER[0], revoked.token)
    expired = ShareService(studio.studio.store, clock=lambda: time.time() - 8 * 86400).create(
        OWNER[0], ["take1"], Expiry.WEEK, None, True)
    locked = _share(studio, password="lock-me")
    for _ in range(WRONG_TRIES):
        shares.open(locked.token, "wrong", "test")
    t = live.token
    out: list[tuple[str, str, dict | None]] = []
    for token in ("secret-job", "take1", "b1", t[:-1], t + "x", t.upper(), "A" * 32, "a" * 300, "%00" + t,
                  revoked.token, expired.token, locked.token):
        out += [("GET", f"/s/{token}", None), ("GET", f"/s/{token}/v/0", None)]
    out += [(m, p, None) for m, p in (
        ("GET", f"/s/{t}/v/3"), ("GET", f"/s/{t}/v/-1"), ("GET", f"/s/{t}/v/99999999999999999999"),
        ("GET", f"/s/{t}/p/7"), ("GET", f"/s/{t}/c/0/2"), ("GET", f"/s/{t}/c/5/0"), ("GET", f"/s/{t}/c/0/-1"),
        ("GET", f"/s/{t}/v/0.mp4"), ("GET", f"/s/{t}/v/secret-job"), ("GET", f"/s/{t}/jobs.sqlite3"),
        ("GET", f"/s/{t}/c/0/..%2f..%2fjobs.sqlite3"), ("GET", f"/s/{t}/%2e%2e/%2e%2e/library"),
        ("GET", "/s/..%2f..%2fjobs.sqlite3"), ("GET", "/s/"), ("GET", "/s"), ("GET", f"/s/{t}/"),
        ("GET", f"/s/{t}/library/x.mp4"), ("DELETE", f"/s/{t}"), ("PUT", f"/s/{t}/note"),
        ("GET", f"/s/{pw.token}/v/0"), ("GET", f"/s/{pw.token}/p/0"), ("GET", f"/s/{pw.token}/c/0/0"),
        ("GET", f"/s/{t}/pick"), ("GET", f"/s/{revoked.token}/c/0/0"), ("GET", f"/s/{expired.token}/p/0"),
    )]
    out += [("POST", f"/s/{pw.token}", {"password": "wrong"}), ("POST", f"/s/{pw.token}", {"password": ""}),
            ("POST", f"/s/{locked.token}", {"password": "lock-me"}), ("POST", f"/s/{t}", {"password": "x"}),
            ("POST", f"/s/{'A' * 32}", {"password": "x"}), ("POST", f"/s/{revoked.token}/note", {"text": "hi"}),
            ("POST", f"/s/{expired.token}/pick", {"job": "0"}), ("POST", f"/s/{pw.token}/note", {"text": "hi"}),
            ("POST", f"/s/{t}/note", {"job": "3", "text": "hi"}), ("POST", f"/s/{t}/pick", {"job": "-1"}),
            ("POST", f"/s/{t}/pick", {"job": "secret-job"})]
    return out


def test_every_attempt_at_another_job_token_or_path_gets_the_same_404(studio):
    requests = _hostile_requests(studio)
    assert len(requests) >= 40
    with _client(studio) as c:
        reference = c.get("/s/" + "Z" * 32)
        assert reference.status_code == 404 and "set-cookie" not in reference.headers
        seen = []
        for method, path, form in requests:
            if form is None:
                r = c.request(method, path)
            else:
                # a page fetched first, so the form key and viewer cookie are right where a page exists
                key = _form_key(got.text) if (got := c.get(path.rsplit("/", 1)[0] if path.endswith(("note", "pick")) else path)).status_code == 200 else ""
                r = c.post(path, data=form | {"csrf": key})
            seen.append((method, path, r.status_code, r.text == reference.text,
                         r.headers.get("content-type"), "set-cookie" in r.headers))
        wrong = [s for s in seen if s[2:] != (404, True, reference.headers["content-type"], False)]
        assert wrong == []
    # Sent byte for byte (an HTTP client would tidy the dots away before they reach the studio).
    token = requests[-1][1].split("/")[2]
    for path in [p for m, p, _ in requests if m == "GET" and "%" not in p] + [
            f"/s/{token}/../../jobs.sqlite3", f"/s/{token}/c/0/0/../../../../etc/passwd", f"/s/{token}/v/0/..",
            "/s/%2e%2e/%2e%2e/jobs.sqlite3", "/s/x/..%2f..%2f..%2fjobs.sqlite3", "/s/%2F..%2F..%2Fetc%2Fpasswd"]:
        status, body = _raw_get(studio.url, path)
        assert (status, body.decode()) == (404, reference.text), path


def test_a_password_is_asked_refused_like_a_missing_link_and_then_lets_the_viewer_in(studio):
    link = _share(studio, password="open-sesame-7")
    with _client(studio) as c:
        missing = c.get("/s/" + "Q" * 32)
        form = c.get(link.path)
        assert form.status_code == 200 and 'type="password"' in form.text and "<video" not in form.text
        key = _form_key(form.text)
        wrong = c.post(link.path, data={"password": "open-sesame-8", "csrf": key})
        assert (wrong.status_code, wrong.text, "set-cookie" in wrong.headers) == (404, missing.text, False)
        right = c.post(link.path, data={"password": "open-sesame-7", "csrf": key})
        assert right.status_code == 303 and right.headers["location"] == link.path
        assert f"Path={link.path};" in right.headers["set-cookie"] and "HttpOnly" in right.headers["set-cookie"]
        assert "open-sesame" not in right.headers["set-cookie"]
        page = c.get(link.path)
        assert f'src="{link.path}/v/0"' in page.text and c.get(f"{link.path}/v/0").status_code == 200
    with _client(studio) as stranger:  # no pass: the files stay shut
        assert stranger.get(f"{link.path}/v/0").status_code == 404


def test_ten_wrong_passwords_lock_the_link_even_for_the_right_one(studio):
    link = _share(studio, password="right-pw-3")
    with _client(studio) as c:
        missing = c.get("/s/" + "L" * 32).text
        key = _form_key(c.get(link.path).text)
        for i in range(WRONG_TRIES):
            assert c.post(link.path, data={"password": f"guess-{i}", "csrf": key}).status_code == 404
        after = c.post(link.path, data={"password": "right-pw-3", "csrf": key})
        assert (after.status_code, after.text) == (404, missing)
        assert c.get(link.path).text == missing  # the page too, while it is locked


def test_posts_need_the_pages_form_key_and_the_viewers_cookie(studio):
    link = _share(studio)
    with _client(studio) as c:
        key = _form_key(c.get(link.path).text)
        ok = c.post(f"{link.path}/note", data={"job": "0", "text": "fine", "csrf": key}, headers={"x-r2v-share": "1"})
        assert ok.status_code == 200 and ok.json()["ok"] is True
        for data, headers in (({"job": "0", "text": "forged"}, {}), ({"job": "0", "text": "forged", "csrf": "0" * 64}, {}),
                              ({"job": "0", "text": "forged", "csrf": key}, {"sec-fetch-site": "cross-site"})):
            r = c.post(f"{link.path}/note", data=data, headers=headers | {"x-r2v-share": "1"})
            assert r.status_code == 403 and r.json()["ok"] is False
        # another viewer's key (a cookie-less cross-site post carries no viewer cookie at all)
        with _client(studio) as other:
            r = other.post(f"{link.path}/pick", data={"job": "1", "csrf": key})
            assert r.status_code == 403 and "reload" in r.text
        too_big = c.post(f"{link.path}/note", data={"job": "0", "text": "x" * 20_000, "csrf": key})
        assert too_big.status_code == 403
    texts = [n.text for n in studio.studio.shares.feedback_for_link(OWNER[0], link.token).notes]
    assert texts == ["fine"]


def test_script_in_a_note_a_name_or_the_prompt_is_shown_as_text(studio):
    link = _share(studio)
    with _client(studio) as c:
        key = _form_key(c.get(link.path).text)
        r = c.post(f"{link.path}/note", headers={"x-r2v-share": "1"}, data={
            "job": "1", "csrf": key, "seconds": "2.0", "name": "<script>alert('name')</script>",
            "text": "<img src=x onerror=alert('note')> & </textarea><script>alert(1)</script>"})
        assert r.json()["ok"] and "<img" not in r.json()["note"] and "&lt;img src=x" in r.json()["note"]
        page = c.get(link.path).text
    assert page.count("<script>") == 1  # the page's own, and nothing anyone wrote
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(&#x27;note&#x27;)&gt; &amp; &lt;/textarea&gt;" in page
    assert "character1 &lt;script&gt;alert(&#x27;prompt&#x27;)&lt;/script&gt; waves &amp; &quot;bows&quot;" in page
    assert 'data-t="2.00" data-job="1"' in page and ">0:02</button>" in page


def test_a_pick_is_one_per_viewer_and_shows_on_their_page(studio):
    link = _share(studio)
    with _client(studio) as c:
        key = _form_key(c.get(link.path).text)
        assert c.post(f"{link.path}/pick", data={"job": "0", "csrf": key}).status_code == 303
        r = c.post(f"{link.path}/pick", data={"job": "1", "csrf": key, "name": "Lin"}, headers={"x-r2v-share": "1"})
        assert r.json() == {"ok": True, "say": "You picked take 2; the owner will see it.", "picked": 1}
        page = c.get(link.path).text
        body = page.split("<body>", 1)[1]
        assert 'class="take picked" id="take-2"' in body and body.count('aria-pressed="true"') == 1
    assert studio.studio.shares.feedback_for_link(OWNER[0], link.token).pick_counts() == {"take2": 1}


def test_notes_are_capped_per_viewer_and_per_address_and_in_length(studio):
    link = _share(studio)
    address = viewer_address()
    with httpx.Client(base_url=studio.url, headers={"x-forwarded-for": address, "accept-language": "zh-CN"}) as c:
        key = _form_key(c.get(link.path).text)
        long = c.post(f"{link.path}/note", data={"job": "0", "csrf": key, "text": "长" * (NOTE_MAX_CHARS + 1)},
                      headers={"x-r2v-share": "1"})
        assert long.status_code == 400 and "最多 1000 个字符" in long.json()["say"]
        for i in range(NOTES_PER_MINUTE):
            assert c.post(f"{link.path}/note", data={"job": "0", "csrf": key, "text": f"n{i}"},
                          headers={"x-r2v-share": "1"}).status_code == 200
        capped = c.post(f"{link.path}/note", data={"job": "0", "csrf": key, "text": "one more"},
                        headers={"x-r2v-share": "1"})
        assert capped.status_code == 429 and "一分钟" in capped.json()["say"]
    # a fresh cookie (a new viewer) from the same address does not lift the cap
    with httpx.Client(base_url=studio.url, headers={"x-forwarded-for": address}) as fresh:
        key = _form_key(fresh.get(link.path).text)
        r = fresh.post(f"{link.path}/note", data={"job": "0", "csrf": key, "text": "again"})
        assert r.status_code == 429 and "wait a minute" in r.text


def test_a_link_whose_jobs_were_deleted_is_gone(studio):
    store = studio.studio.store
    finished_job(store, "short-lived", owner=OWNER[0], color="navy")
    link = _share(studio, jobs=("short-lived",))
    with _client(studio) as c:
        assert c.get(link.path).status_code == 200
        assert studio.studio.manager.delete("short-lived", owner=OWNER[0])
        assert c.get(link.path).status_code == 404 and c.get(f"{link.path}/v/0").status_code == 404


class _Req:
    def __init__(self, peer: str, forwarded: str | None):
        self.client = type("C", (), {"host": peer})()
        self.headers = {"x-forwarded-for": forwarded} if forwarded else {}


@pytest.mark.parametrize("peer, forwarded, seen", [
    ("203.0.113.5", None, "203.0.113.5"),
    ("203.0.113.5", "1.2.3.4", "203.0.113.5"),  # a stranger's own header is not believed
    ("127.0.0.1", "9.9.9.9, 198.51.100.7", "198.51.100.7"),  # a proxy on this machine: the address it added
    ("10.0.0.2", "198.51.100.8", "198.51.100.8"),
    ("127.0.0.1", "not an address", "127.0.0.1"),
])
def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_added(peer, forwarded, seen):
    assert client_address(_Req(peer, forwarded)) == seen
