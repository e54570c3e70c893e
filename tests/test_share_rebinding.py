"""A studio that listens only on this machine answers only requests made to a local name, over loopback on
the real studio.  Otherwise any web page its owner opens could reach it by DNS rebinding (a name of the
page's own, turned to 127.0.0.1 once loaded, then the page's requests are same-origin): make a share link
through MCP's share_job, read its token from the answer and fetch the owner's video, or spend the owner's key.
A studio others can reach (--host 0.0.0.0, --share, PUBLIC_BASE_URL, a Space) is not affected."""

from __future__ import annotations

import httpx
import pytest

from r2v_ui.messages import t
from tests.fixtures_share import finished_job
from tests.fixtures_ui import running_studio

LOCAL = {"ip": "http://127.0.0.1", "name": "http://localhost"}  # the local addresses the answer names
SHARE_JOB = ["solo", False, "7d", "", False]  # share_job(job_id, whole_batch, expiry, password, show_prompt)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("rebinding") / "data", mcp=True) as rs:
        finished_job(rs.studio.store, "solo", owner="")
        yield rs


def _as(url: str, host: str, lang: str = "en") -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, headers={"host": host, "accept-language": lang,
                                                           "origin": f"http://{host}"})


@pytest.mark.parametrize("name", ["films.example", "127.0.0.1.nip.io", "localhost.example", "0.0.0.0"])
def test_a_page_rebinding_its_own_name_to_the_studio_gets_nothing(studio, name):
    port = httpx.URL(studio.url).port
    links_before = len(studio.studio.shares.links_for_owner(""))
    with _as(studio.url, f"{name}:{port}") as c:
        made = c.post("/gradio_api/call/share_job", json={"data": SHARE_JOB})
        assert made.status_code == 421 and "event_id" not in made.text
        assert made.text == t("host.loopback_only", "en", **LOCAL)
        for path in ("/", "/config", "/gradio_api/info", "/s/anything"):
            assert c.get(path).status_code == 421, path
    with _as(studio.url, f"{name}:{port}", "zh-CN") as c:
        assert c.get("/").text == t("host.loopback_only", "zh-CN", **LOCAL)
    assert len(studio.studio.shares.links_for_owner("")) == links_before  # no link was made


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "studio.localhost", "127.0.0.2", "[::1]"])
def test_local_names_still_open_the_studio_and_its_share_links(studio, name):
    port = httpx.URL(studio.url).port
    with _as(studio.url, f"{name}:{port}") as c:
        assert c.get("/config").status_code == 200
        made = c.post("/gradio_api/call/share_job", json={"data": SHARE_JOB})
        assert made.status_code == 200
        answer = c.get(f"/gradio_api/call/share_job/{made.json()['event_id']}").text
        assert "event: complete" in answer and f"http://{name}:{port}/s/" in answer
