"""Delete means gone: every copy of a video the studio handed out — the result pane's player and its
Download, History's player, poster, Download and hand-over pack, Compare's player, an assistant's MCP link — answers
200 before the delete and nothing (403/404) after it, fetched over HTTP from the launched studio.
Deleted in the browser (History's "Yes, delete it") and through the API (/delete_job)."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import httpx
import pytest

from r2v_ui.workspace import filenames

from tests.fixtures_browser import browser_marks, expect, open_page
from tests.fixtures_ui import running_studio
from tests.test_mcp_tools import answer, call

pytestmark = browser_marks

gradio_client = pytest.importorskip("gradio_client")
FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("delete-served"), finish_seconds=1.0, mcp=True) as s:
        yield s


def _links(page, selector: str) -> set[str]:
    """Every file URL (src, poster, href) under `selector`, absolute."""
    found = page.evaluate("""sel => [...document.querySelectorAll(sel + ' [src], ' + sel + ' [poster], ' + sel + ' [href]')]
                             .flatMap(e => [e.getAttribute('src'), e.getAttribute('poster'), e.getAttribute('href')])
                             .filter(u => u && u.includes('file='))""", selector)
    return {urljoin(page.url, u) for u in found}


def _mcp_link(studio, job_id: str) -> str:
    """The link an assistant gets from wait_for_job (its own event loop: Playwright's runs in this thread)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        waited = pool.submit(asyncio.run, call(studio.url, "wait_for_job", {"job_id": job_id, "timeout_seconds": 30}))
        return answer(waited.result())["video_url"]


def _statuses(urls: set[str]) -> dict[str, int]:
    with httpx.Client(timeout=30) as http:
        return {u: http.get(u).status_code for u in sorted(urls)}


def test_a_take_deleted_in_history_is_served_from_none_of_the_places_that_showed_it(browser, studio):
    """Two takes: the result pane's grid (players, posters, Download links), History's detail (player,
    poster, Download), Compare (both players) and MCP links.  Deleting take 1 silences every URL of
    take 1 and leaves take 2's alone."""
    page = open_page(browser, studio.url)
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text("bolt", timeout=30_000)
    page.locator("#takes").click()
    page.get_by_role("option", name="2 takes").click()
    page.locator("#generate-btn").click()
    expect(page.locator("#takes-grid video")).to_have_count(2, timeout=90_000)
    takes = sorted((s for s in studio.studio.manager.list_jobs() if s.state == "succeeded"), key=lambda s: s.take or 0)
    first, second = takes[-2:]
    urls = _links(page, "#takes-grid")

    page.get_by_role("tab", name="History").click()
    page.locator("#history-gallery .gallery-card").filter(has_text="Take 1").first.click()
    expect(page.locator("#history-video video")).to_have_count(1, timeout=30_000)
    urls |= _links(page, "#history-video") | _links(page, "#history-download")
    page.locator("#history-pack").click()  # a hand-over pack holding take 1 is served too, until the delete
    expect(page.locator("#history-pack-status a[download]")).to_have_count(1, timeout=60_000)
    pack_urls = _links(page, "#history-pack-status")
    assert len(pack_urls) == 1, pack_urls
    page.locator("#history-compare").click()
    expect(page.locator("#compare-slots video")).to_have_count(2, timeout=30_000)
    urls |= _links(page, "#compare-slots")
    urls |= {_mcp_link(studio, first.job_id), _mcp_link(studio, second.job_id)}
    mine = {u for u in urls if first.job_id in u or u.endswith("/" + filenames.for_snapshot(first))}  # a video is served under its download name
    urls |= pack_urls
    mine |= pack_urls
    others = urls - mine
    assert len(mine) >= 3 and others, urls  # the video (player and Download), its poster, its MCP link
    assert set(_statuses(urls).values()) == {200}, _statuses(urls)

    page.get_by_role("tab", name="History").click()
    page.locator("#history-gallery .gallery-card").filter(has_text="Take 1").first.click()
    page.locator("#history-delete").click()
    page.locator("#history-confirm-delete").click()
    expect(page.locator("#history-gallery .gallery-card").filter(has_text="Take 1")).to_have_count(0, timeout=30_000)

    assert studio.studio.manager.snapshot(first.job_id) is None
    gone = _statuses(mine)
    assert all(code in (403, 404) for code in gone.values()), gone
    assert set(_statuses(others).values()) == {200}  # the other take is still there
    page.context.close()


def test_a_video_deleted_through_the_api_is_served_from_none_of_the_places_that_showed_it(studio):
    """The result pane (player, Download), History's detail (player, poster, Download) and the MCP link."""
    client = gradio_client.Client(studio.url, verbose=False, download_files=False)
    cast = client.predict(api_name="/load_example_cast")
    client.predict(cast[-3], *FORM.values(), api_name="/generate")
    watched = client.submit(api_name="/watch_job").result(timeout=120)
    assert 'data-state="succeeded"' in watched[0]
    job_id = client.predict("all", "", 0, api_name="/list_history")["jobs"][0]["job_id"]
    detail = client.predict(job_id, api_name="/job_detail")
    urls = _file_urls(studio.url, [watched, detail]) | {_mcp_link(studio, job_id)}
    assert len(urls) >= 3 and all(code == 200 for code in _statuses(urls).values()), _statuses(urls)

    client.predict("all", "", api_name="/delete_job")

    assert studio.studio.manager.snapshot(job_id) is None
    after = _statuses(urls)
    assert all(code in (403, 404) for code in after.values()), after


def _file_urls(base: str, outputs) -> set[str]:
    """The file URLs in API outputs: `<video src=…>`/`poster=…` in HTML, and file values' `url`."""
    import re

    found: set[str] = set()

    def walk(v):
        if isinstance(v, dict):
            if isinstance(v.get("url"), str):
                found.add(v["url"])
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            found.update(base + "/" + m for m in re.findall(r'(?:src|poster|href)="(gradio_api/file=[^"]+)"', v))

    walk(outputs)
    return found
