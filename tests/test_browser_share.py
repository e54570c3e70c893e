"""Share links from the owner's side in Chromium (issue 22).

The done-when: the owner shares a batch of three takes with a password from the page; a fresh browser
(no cookies, no login — also on a studio started with --auth) opens the link, is refused with a wrong
password, gets in with the right one, plays the takes together, picks take 2 and leaves a note at
0:02; the owner's History shows the pick and the note, and the note's button moves the video to 2 s;
revoking makes the link a 404.

And the states the owner sees — the Share dialog with its link, History's detail with picks and
notes (a script in a note shown as text), Compare with them under each video — at 1400×1000 and
390×844, in English and Chinese, with axe-core at 0 critical/serious; screenshots in test-artifacts/."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from r2v_ui.jobs import JobState
from r2v_ui.share.model import Expiry
from tests.fixtures_browser import (DESKTOP, PHONE, axe_violations, browser_marks, expect, no_sideways_scroll,
                                    open_page)
from tests.fixtures_jobs import two_picture_draft, wait_for_state
from tests.fixtures_ui import running_studio

pytestmark = browser_marks
SIZES = {"desktop": DESKTOP, "phone": PHONE}
LANGS = {"en": None, "zh": "zh-CN"}
SCRIPT_NOTE = 'arm bends wrong <script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">'
WORDS = {"en": {"history": "History", "pick": "Take 2: picked by 1 viewer", "seek": "Play from 0:02"},
         "zh": {"history": "历史记录", "pick": "第 2 条：1 位观看者选了它", "seek": "从 0:02 播放"}}


# --- the states the owner sees --------------------------------------------------------------------

@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """A studio whose one library holds a batch of three takes, shared, with a pick and two notes."""
    with running_studio(tmp_path_factory.mktemp("share-owner-data"), finish_seconds=1.0) as s:
        manager, shares = s.studio.manager, s.studio.shares
        ids = manager.start_takes(two_picture_draft(tmp_path_factory.mktemp("share-owner-pics")), 3)
        with ThreadPoolExecutor(1) as pool:  # its own thread: Playwright's loop runs in this one
            for job_id in ids:
                pool.submit(wait_for_state, manager, job_id, {JobState.SUCCEEDED}).result()
        link = shares.create("", ids, Expiry.WEEK, None, show_prompt=False)
        viewer = "viewer-aaaaaaaaaaaa"
        shares.open(link.token, None, "127.0.0.1")
        shares.set_pick(link.token, ids[1], viewer, "Kim")
        shares.add_note(link.token, ids[1], viewer, "Kim", SCRIPT_NOTE, 2.0)
        shares.add_note(link.token, ids[1], viewer, "<b>Lee</b>", "Lovely light", None)
        yield s, ids


def history_job(page, lang: str, job_id: str) -> None:
    page.get_by_role("tab", name=WORDS[lang]["history"]).click()
    page.locator(f'.gallery-card[data-job="{job_id}"]').click()
    expect(page.locator("#history-feedback-box")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
def test_the_owner_sees_picks_notes_and_the_share_dialog(browser, shown, size, lang, artifacts_dir):
    studio, ids = shown
    vp = SIZES[size]
    page = open_page(browser, studio.url, vp, locale=LANGS[lang])
    history_job(page, lang, ids[1])
    card = page.locator(f'.gallery-card[data-job="{ids[1]}"] .shared-badge')
    expect(card).to_be_visible()
    box = page.locator("#history-feedback-box")
    expect(box).to_contain_text(WORDS[lang]["pick"])
    expect(box.locator(".note-text").first).to_have_text(SCRIPT_NOTE)  # the script is text, never run
    expect(box).to_contain_text("<b>Lee</b>")
    assert page.evaluate("window.__owned") is None
    expect(box.get_by_role("button", name=WORDS[lang]["seek"])).to_be_visible()
    assert no_sideways_scroll(page)[0] <= vp["width"]
    assert axe_violations(page) == []
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"share-owner-{size}-{lang}-1-history.png"))

    page.locator("#history-share").click()
    expect(page.locator("#share-box")).to_be_visible()
    page.locator("#share-password input").fill("open sesame")
    page.locator("#share-make").click()
    url = page.locator("#share-url")
    expect(url).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{32}$"))
    token = url.input_value().rsplit("/", 1)[1]
    expect(page.locator("#share-links")).to_contain_text(f"/s/{token[:6]}")  # among the owner's links, with its views
    dialog = page.locator("#share-box").bounding_box()
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= vp["width"] + 1, dialog
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"share-owner-{size}-{lang}-2-dialog.png"))
    page.keyboard.press("Escape")
    expect(page.locator("#share-box")).to_be_hidden()

    page.locator("#history-compare").click()
    expect(page.locator("#compare-slots video.r2v-sync")).to_have_count(3, timeout=30_000)
    cell = page.locator(f'#compare-slots .compare-cell[data-job="{ids[1]}"] .feedback-compare')
    expect(cell).to_be_visible()
    expect(page.locator("#compare-share")).to_be_visible()
    assert page.evaluate("window.__owned") is None
    assert axe_violations(page) == []
    cell.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"share-owner-{size}-{lang}-3-compare.png"))
    page.context.close()
