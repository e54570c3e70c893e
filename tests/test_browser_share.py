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
WORDS = {"en": {"history": "History", "pick": "Take 2: picked by 1 viewer", "seek": "Play from 0:02",
               "takes": "Share these 3 takes"},
         "zh": {"history": "历史记录", "pick": "第 2 条：1 位观看者选了它", "seek": "从 0:02 播放", "takes": "分享这 3 条"}}


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
    expect(page.locator("#share-expiry input[type=radio]").first).to_be_focused()  # the dialog takes the focus
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
    # A note's button in Compare moves every video (they play in step) to its time.
    page.wait_for_function("() => [...document.querySelectorAll('#compare-slots video.r2v-sync')].every(v => v.readyState >= 1)")
    cell.get_by_role("button", name=WORDS[lang]["seek"]).click()
    page.wait_for_function("() => [...document.querySelectorAll('#compare-slots video.r2v-sync')]"
                           ".every(v => !v.seeking && Math.abs(v.currentTime - Math.min(2, v.duration)) < 0.3)")
    page.locator("#compare-share").click()  # the videos Compare shows, into the one dialog
    expect(page.locator("#share-title")).to_have_text(WORDS[lang]["takes"])
    page.locator("#share-close").click()
    expect(page.locator("#share-box")).to_be_hidden()
    page.context.close()


# --- the done-when, end to end --------------------------------------------------------------------

OWNER = ("ann", "ann-pass-1")
PASSWORD = "blue heron 42"


@pytest.fixture(scope="module", params=["open", "auth"])
def studio(request, tmp_path_factory):
    """A demo studio on loopback; "auth": started with --auth (the share page must need no login)."""
    auth = [OWNER] if request.param == "auth" else None
    with running_studio(tmp_path_factory.mktemp(f"share-e2e-{request.param}"), finish_seconds=1.0, auth=auth) as s:
        yield s, auth


def owner_page(browser, studio, auth):
    """The owner's browser: signed in first when the studio asks for a login."""
    if not auth:
        return open_page(browser, studio.url)
    context = browser.new_context(viewport=DESKTOP)
    assert context.request.post(f"{studio.url}/login", form={"username": OWNER[0], "password": OWNER[1]}).ok
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(studio.url)
    expect(page.locator("#mode-badge")).to_contain_text("Demo", timeout=30_000)
    return page


def all_videos(page, check: str) -> None:
    page.wait_for_function(f"() => {{ const vs = [...document.querySelectorAll('video.sync')]; "
                           f"return vs.length === 3 && vs.every(v => {check}); }}", timeout=30_000)


def test_a_batch_shared_with_a_password_gets_a_pick_and_a_timed_note_back_then_dies(browser, studio, artifacts_dir):
    studio, auth = studio
    owner = owner_page(browser, studio, auth)
    owner.locator("#load-example").click()
    expect(owner.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)
    owner.locator("#takes input").click()
    owner.get_by_role("option", name="3 takes", exact=True).click()
    owner.locator("#generate-btn").click()
    expect(owner.locator("#takes-grid-box video")).to_have_count(3, timeout=90_000)
    takes = owner.locator("#takes-grid-box figure.take").evaluate_all("fs => fs.map(f => f.dataset.job)")

    # The owner shares the three takes with a password, from the result pane.
    owner.locator("#share-takes").click()
    expect(owner.locator("#share-title")).to_have_text("Share these 3 takes")
    owner.locator("#share-password input").fill(PASSWORD)
    owner.locator("#share-make").click()
    expect(owner.locator("#share-url")).to_have_value(re.compile(r"/s/[A-Za-z0-9_-]{32}$"))
    link = owner.locator("#share-url").input_value()
    owner.locator("#share-close").click()
    expect(owner.locator("#share-box")).to_be_hidden()

    # A stranger's browser: no cookies, no login.
    viewer = browser.new_context(viewport=DESKTOP).new_page()
    viewer.set_default_timeout(30_000)
    assert viewer.goto(link).status == 200
    viewer.locator("#pw").fill("not the password")
    with viewer.expect_navigation() as wrong:
        viewer.locator("form.pw button[type=submit]").click()
    assert wrong.value.status == 404  # as an unknown link answers
    expect(viewer.locator("video")).to_have_count(0)
    viewer.goto(link)
    viewer.locator("#pw").fill(PASSWORD)
    viewer.locator("form.pw button[type=submit]").click()
    expect(viewer.locator("video.sync")).to_have_count(3)

    # It plays the takes together with one button, and pauses them together.
    all_videos(viewer, "v.readyState >= 1")
    viewer.locator("#play").click()
    all_videos(viewer, "!v.paused && v.currentTime > 0")
    viewer.locator("#play").click()
    all_videos(viewer, "v.paused")

    # Take 2 is picked; a note is left at 0:02 of take 2.
    viewer.locator("#take-2 form.pick button").click()
    expect(viewer.locator("#take-2 form.pick button")).to_have_attribute("aria-pressed", "true")
    viewer.locator("#note-job").select_option(index=1)
    length = viewer.evaluate("document.querySelectorAll('video.sync')[1].duration")
    viewer.locator("#scrub").fill(str(round(2.0 / length * 1000)))  # the one scrubber, to 0:02
    expect(viewer.locator("#at-time")).to_have_text("0:02")
    viewer.locator("#name").fill("Kim")
    viewer.locator("#note-text").fill("arm bends wrong here")
    viewer.locator("#note-form button.send").click()
    expect(viewer.locator("#notes")).to_contain_text("arm bends wrong here")

    # The owner's History: the pick and the note; the note's button moves the video to 2 s.
    owner.get_by_role("tab", name="History").click()
    owner.locator(f'.gallery-card[data-job="{takes[1]}"]').click()
    box = owner.locator("#history-feedback-box")
    expect(box).to_contain_text("Take 2: picked by 1 viewer")
    expect(box).to_contain_text("Take 1: picked by 0 viewers")
    expect(box.locator(".feedback-note")).to_contain_text("Kim arm bends wrong here")
    expect(owner.locator(f'.gallery-card[data-job="{takes[1]}"] .shared-badge')).to_be_visible()
    owner.wait_for_function("() => { const v = document.querySelector('#history-video video'); return v && v.readyState >= 1; }")
    assert owner.evaluate("document.querySelector('#history-video video').currentTime") < 0.5
    box.get_by_role("button", name="Play from 0:02").click()
    owner.wait_for_function("() => { const v = document.querySelector('#history-video video');"
                            " return !v.seeking && Math.abs(v.currentTime - 2) < 0.3; }")
    owner.screenshot(path=str(artifacts_dir / f"share-e2e-{'auth' if auth else 'open'}-history.png"))

    # Revoked from the dialog: the link is a 404 for the viewer, and for anyone.
    owner.locator("#history-share").click()
    token = link.rsplit("/", 1)[1]
    owner.locator("#share-links label", has_text=f"/s/{token[:6]}").click()
    owner.locator("#share-revoke").click()
    expect(owner.locator("#share-said")).to_contain_text("revoked")
    assert viewer.goto(link).status == 404
    expect(viewer.locator("video")).to_have_count(0)
    assert httpx.get(link).status_code == 404
    viewer.context.close()
    owner.context.close()
