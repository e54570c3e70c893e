"""The share page in Chromium, as a stakeholder meets it: a fresh browser (no cookies, no login) on a
studio started with --auth opens a password link, is refused with a wrong password, gets in with the
right one, plays the three takes together with one button, picks take 2 and leaves a note at 0:02
that seeks back there; the page passes axe-core (0 critical/serious) at 1400×1000 and 390×844 in
English and Chinese, nothing overflows sideways, and the videos are large (≥ 200 px on a laptop,
the full width on a phone).  Screenshots go to test-artifacts/share-page/."""

from __future__ import annotations

import pytest

from r2v_ui.share.model import Expiry
from tests.fixtures_browser import DESKTOP, PHONE, axe_violations, browser_marks, expect, no_sideways_scroll
from tests.fixtures_share import three_takes_fixture, viewer_address

pytestmark = browser_marks

OWNER = ("producer", "pw-producer-made-up-9")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    yield from three_takes_fixture(tmp_path_factory, "share-page", OWNER,
                                   "@Ada hands @Bo a paper lantern on a rainy night street <b>slow</b> push in")


def _share(studio, password=None, jobs=("take1", "take2", "take3")):
    return studio.studio.shares.create(OWNER[0], list(jobs), Expiry.WEEK, password, True)


def _viewer(browser, viewport=DESKTOP, locale="en-US", **kw):
    """A fresh browser context of its own (no cookies, no login) from an address of its own."""
    context = browser.new_context(viewport=viewport, locale=locale,
                                  extra_http_headers={"X-Forwarded-For": viewer_address()}, **kw)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _ready(page) -> None:
    page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => v.readyState >= 3 "
                           "&& v.networkState !== HTMLMediaElement.NETWORK_LOADING)")


def _states(page) -> list[dict]:
    return page.evaluate("() => [...document.querySelectorAll('video.sync')].map(v => ({paused: v.paused, t: v.currentTime}))")


def test_a_stakeholder_gets_in_with_the_password_plays_the_takes_together_picks_and_notes_at_two_seconds(
        studio, browser, artifacts_dir):
    link = _share(studio, password="lantern-2026")
    context, page = _viewer(browser)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "404" not in m.text else None)
    try:
        assert context.cookies() == []
        page.goto(studio.url + link.path)
        page.get_by_label("Password").fill("lantern-2025")
        page.get_by_role("button", name="Open").click()
        expect(page.get_by_role("heading", name="This link does not open")).to_be_visible()
        page.goto(studio.url + link.path)  # as the refusal says: open the link again
        page.get_by_label("Password").fill("lantern-2026")
        page.get_by_role("button", name="Open").click()
        expect(page.locator("video.sync")).to_have_count(3)
        _ready(page)

        play = page.get_by_role("button", name="Play all")
        play.click()
        page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => !v.paused && v.currentTime > 0.3)")
        expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="Pause all").click()
        page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => v.paused)")
        times = [s["t"] for s in _states(page)]
        assert max(times) - min(times) < 0.5, times  # they ran together

        page.locator("#take-2").get_by_role("button", name="Pick this take").click()
        expect(page.locator("#take-2 .pick button")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#take-2")).to_have_class("take picked")
        expect(page.locator("#say")).to_have_text("You picked take 2; the owner will see it.")

        # to 0:02 with the one scrubber, then a note about take 2 at the time the video shows
        page.evaluate("""() => { const s = document.getElementById('scrub'), v = document.querySelector('video.sync');
                                 s.value = String(Math.round(2.0 / v.duration * 1000)); s.dispatchEvent(new Event('input')); }""")
        page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => Math.abs(v.currentTime - 2) < 0.05)")
        page.get_by_label("About").select_option(label="Take 2")
        expect(page.locator("#at-time")).to_have_text("0:02")
        page.get_by_label("Your note").fill("arm bends wrong <here>")
        page.get_by_label("Your name (optional)").fill("Lin")
        page.get_by_role("button", name="Send note").click()
        note = page.locator("#notes li").last
        expect(note).to_contain_text("arm bends wrong <here>")
        expect(note.locator("button.seek")).to_have_text("0:02")

        page.reload()  # the name typed once is kept by this browser for the next note or pick
        expect(page.get_by_label("Your name (optional)")).to_have_value("Lin")
        _ready(page)
        feedback = studio.studio.shares.feedback_for_link(OWNER[0], link.token)
        assert feedback.pick_counts() == {"take2": 1}
        (n,) = feedback.notes
        assert (n.job_id, n.name, n.text) == ("take2", "Lin", "arm bends wrong <here>") and abs(n.seconds - 2.0) < 0.1

        # the note's time button seeks every take back to it
        page.evaluate("() => document.querySelectorAll('video.sync').forEach(v => { v.currentTime = 0.5; })")
        note.locator("button.seek").click()
        page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => Math.abs(v.currentTime - 2) < 0.1)")
        page.screenshot(path=str(artifacts_dir / "share-page-after-note.png"), full_page=True)
        assert problems == []  # the page's own script ran under its Content Security Policy
        assert studio.studio.shares.links_for_owner(OWNER[0])[0].views >= 1
    finally:
        context.close()


def test_without_javascript_a_pick_and_a_note_still_go_through(studio, browser):
    link = _share(studio)
    context, page = _viewer(browser, java_script_enabled=False)
    try:
        page.goto(studio.url + link.path)
        page.locator("#take-3").get_by_role("button", name="Pick this take").click()
        expect(page.locator("#take-3 .pick button")).to_have_attribute("aria-pressed", "true")
        page.get_by_label("Your note").fill("plain form")
        page.get_by_role("button", name="Send note").click()
        expect(page.locator("#notes li")).to_contain_text("plain form")
    finally:
        context.close()


def test_a_note_sent_after_the_link_was_revoked_says_the_link_no_longer_opens(studio, browser):
    link = _share(studio, jobs=("take1",))
    context, page = _viewer(browser)
    try:
        page.goto(studio.url + link.path)
        studio.studio.shares.revoke(OWNER[0], link.token)
        page.get_by_label("Your note").fill("too late")
        page.get_by_role("button", name="Send note").click()
        expect(page.locator("#say")).to_have_text(
            "This link no longer opens (it was withdrawn or has expired); ask whoever sent it for a new one.")
        assert studio.studio.shares.feedback_for_link(OWNER[0], link.token).notes == ()
    finally:
        context.close()


@pytest.mark.parametrize("viewport, locale", [(DESKTOP, "en-US"), (PHONE, "en-US"), (DESKTOP, "zh-CN"), (PHONE, "zh-CN")],
                         ids=["laptop-en", "phone-en", "laptop-zh", "phone-zh"])
def test_the_share_page_is_accessible_large_and_fits_at_every_size(studio, browser, artifacts_dir, viewport, locale):
    link = _share(studio, password="pw-for-axe")
    studio.studio.shares.add_note(link.token, "take2", "viewer-axe-000001", "Lin", "the arm bends wrong here", 2.0)
    # bypass_csp only so axe-core can be put into the page; the page itself is the same
    context, page = _viewer(browser, viewport=viewport, locale=locale, bypass_csp=True)
    tag = f"{'phone' if viewport is PHONE else 'laptop'}-{locale[:2]}"
    try:
        page.goto(studio.url + link.path)
        assert axe_violations(page) == [], "password form"
        page.screenshot(path=str(artifacts_dir / f"share-password-{tag}.png"))
        page.locator("#pw").fill("pw-for-axe")
        page.locator("#pw").press("Enter")
        expect(page.locator("video.sync")).to_have_count(3)
        _ready(page)
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if locale == "zh-CN" else "en")
        if locale == "zh-CN":
            expect(page.locator("#play")).to_have_text("全部播放")
        expect(page.locator("#clock")).to_have_text("0:00 / 0:04")
        assert axe_violations(page) == [], "share page"
        width, view = no_sideways_scroll(page)
        assert width <= view
        widths = page.evaluate("() => [...document.querySelectorAll('video.sync')].map(v => v.getBoundingClientRect().width)")
        if viewport is PHONE:
            assert all(w >= view - 40 for w in widths), widths  # the full width, less the page's margins
        else:
            assert all(w >= 200 for w in widths) and sum(widths) >= view * 0.7, widths  # side by side, large
            tops = page.evaluate("() => [...document.querySelectorAll('video.sync')].map(v => v.getBoundingClientRect().top)")
            assert max(tops) - min(tops) < 2  # in one row
        page.screenshot(path=str(artifacts_dir / f"share-page-{tag}-view.png"))  # what the first screen shows
        page.screenshot(path=str(artifacts_dir / f"share-page-{tag}.png"), full_page=True)
        page.goto(studio.url + "/s/" + "N" * 32)
        assert axe_violations(page) == [], "not found"
        page.goto(studio.url + _share(studio, jobs=("take3",)).path)  # one video, as wide as the page allows
        _ready(page)
        assert axe_violations(page) == [], "one video"
        (one,) = page.evaluate("() => [...document.querySelectorAll('video.sync')].map(v => v.getBoundingClientRect().width)")
        assert one >= view - 40 if viewport is PHONE else one >= 800
        assert no_sideways_scroll(page)[0] <= view
    finally:
        context.close()
