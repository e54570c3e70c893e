"""A newcomer in a real Chromium: check the reference hosting, add two characters (replacing one
card's picture with another), name them in the prompt, generate, watch the stages, see the video
play in view, reload mid-job and find the job, then find it in History and play it there; plus a
picture refused on its card, and a session key that is never shown again.

One studio (demo mode, emulator) per module; each test opens its own fresh browser context.
Screenshots of the main states go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.fixtures_browser import (RUNNING_STATES, browser_marks, expect, in_viewport, settles_in_viewport, open_page, upload_to_card,
    wait_state, wait_until_loaded, wait_until_playing)
from tests.fixtures_ui import character_png, running_studio

pytestmark = browser_marks


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    # Long enough to reload while the job runs, short enough for a quick test.
    with running_studio(tmp_path_factory.mktemp("browser-data"), finish_seconds=7.0) as s:
        yield s


def test_newcomer_makes_a_video_and_finds_it_after_a_reload(browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url)
    mira = character_png(tmp_path / "mira.png", (230, 110, 40))
    bolt = character_png(tmp_path / "bolt.png", (40, 140, 200), size=(720, 960))

    # The set-up panel says who hosts the files, and its Check really tests it.
    page.get_by_text("API key and reference hosting").click()
    expect(page.locator("#hosting-info")).to_contain_text("built-in emulator hosts your files")
    page.locator("#hosting-check").click()
    expect(page.locator("#hosting-result")).to_contain_text("Works", timeout=30_000)

    # Two characters, each checked as soon as it is added; a second file on a filled card replaces the first.
    upload_to_card(page, 1, character_png(tmp_path / "first-try.png", (90, 90, 90)))
    face = page.locator("#card-1-face")
    expect(face).to_contain_text("first-try.png", timeout=30_000)
    expect(face.locator("img")).to_be_visible()
    upload_to_card(page, 1, mira)
    expect(face).to_contain_text("mira.png", timeout=30_000)
    expect(face).to_contain_text("Accepted")
    expect(face).not_to_contain_text("first-try.png")
    expect(face.locator("img")).to_have_attribute("alt", "Picture of character1: mira.png")
    page.get_by_role("button", name="+ Add character").click()
    expect(page.locator("#card-2")).to_be_visible()
    upload_to_card(page, 2, bolt)
    expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)

    # Their tags go into the prompt with the cards' buttons, at the cursor; the hints follow.
    prompt = page.locator("#prompt textarea")
    prompt.fill("waves at in a sunny park")
    prompt.evaluate("ta => { ta.focus(); ta.setSelectionRange(0, 0); }")
    page.locator("#card-1-insert").click()
    expect(prompt).to_have_value("character1 waves at in a sunny park")
    # The cursor lands after the inserted tag, so writing goes on where it was.
    page.wait_for_function("() => document.querySelector('#prompt textarea').selectionStart === 'character1 '.length")
    expect(page.locator("#prompt-hints")).to_contain_text("never names character2")
    prompt.evaluate("ta => { const i = ta.value.indexOf('in a'); ta.focus(); ta.setSelectionRange(i, i); }")
    page.locator("#card-2-insert").click()
    expect(prompt).to_have_value("character1 waves at character2 in a sunny park")
    expect(page.locator("#prompt-hints")).to_contain_text("Every character is named")
    expect(page.locator("#prompt-count")).to_contain_text(f"{len('character1 waves at character2 in a sunny park')} / 1500")
    page.locator("#tier").get_by_label("720P").check()  # a smaller video: a quicker test
    expect(page.locator("#size-info")).to_contain_text("1280 × 720")
    expect(page.locator("#price-box")).to_contain_text("free preview")  # demo mode never speaks of money
    page.screenshot(path=str(artifacts_dir / "studio-01-cast-ready.png"), full_page=True)

    # Generate: the stages appear in plain words while it runs, in view.
    page.get_by_role("button", name="Generate video").click()
    wait_state(page, RUNNING_STATES)
    assert in_viewport(page, "#job-status-box")
    page.wait_for_function("() => ['queued', 'processing'].some(s => window.__states.includes(s))", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "studio-02-running.png"))

    # A reload mid-job loses nothing: this browser finds its job again, with the form as it was sent.
    page.reload()
    wait_until_loaded(page)
    assert wait_state(page, (*RUNNING_STATES, "succeeded")) in (*RUNNING_STATES, "succeeded")
    expect(prompt).to_have_value("character1 waves at character2 in a sunny park")
    expect(page.locator("#card-1-face")).to_contain_text("mira.png")
    expect(page.locator("#card-2-face")).to_contain_text("bolt.png")

    # It finishes, and the video loads and plays in view, muted, with what to do next beside it.
    wait_state(page, ["succeeded"])
    wait_until_playing(page, "#result-video video")
    assert page.evaluate("document.querySelector('#result-video video').muted")
    assert settles_in_viewport(page, "#result-video video")
    for action in ("#download-result", "#another-take", "#use-settings"):
        expect(page.locator(action)).to_be_visible()
    expect(page.locator("#result-summary")).to_contain_text("1280 × 720")
    expect(page.locator("#r2v-live")).to_contain_text("Finished")  # said to screen readers too
    page.screenshot(path=str(artifacts_dir / "studio-03-video-playing.png"))

    # History has it: a compact line with its state, duration, size and prompt; the detail plays it.
    page.get_by_role("tab", name="History").click()
    item = page.locator("#history-gallery .gallery-card").filter(has_text="sunny park").first
    expect(item).to_contain_text("Finished", timeout=30_000)
    expect(item).to_contain_text("720P 16:9")
    item.click()
    expect(page.locator("#history-info")).to_contain_text("sunny park", timeout=30_000)
    wait_until_playing(page, "#history-video video")
    page.screenshot(path=str(artifacts_dir / "studio-04-history.png"), full_page=True)
    page.context.close()


def test_a_too_small_picture_is_refused_on_its_card_and_nothing_is_sent(browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url)
    expect(page.locator("#card-1-face")).to_contain_text("No picture or video yet")  # a new browser: a clean form
    upload_to_card(page, 1, character_png(tmp_path / "tiny.png", (200, 60, 60), size=(100, 100)))
    face = page.locator("#card-1-face")
    expect(face).to_contain_text("Refused", timeout=30_000)
    expect(face).to_contain_text("tiny.png")
    expect(face).to_contain_text("240")

    # Generating anyway sends nothing and says why, once, with the form kept.
    page.locator("#prompt textarea").fill("character1 dances")
    page.get_by_role("button", name="Generate video").click()
    alert = page.locator("#form-alert")
    expect(alert).to_contain_text("Nothing was sent", timeout=30_000)
    expect(alert).to_contain_text("tiny.png")
    expect(page.locator("#prompt textarea")).to_have_value("character1 dances")
    expect(page.locator(".toast-body")).to_have_count(0)  # the alert is the one place it is said
    page.screenshot(path=str(artifacts_dir / "studio-05-refused-picture.png"), full_page=True)
    page.context.close()


def test_a_session_key_switches_to_live_and_is_never_shown_again(browser, studio):
    page = open_page(browser, studio.url)
    page.get_by_text("API key and reference hosting").click()
    box = page.locator("#api-key-box input")
    box.fill("sk-test-not-a-real-key")
    page.get_by_role("button", name="Use for this session").click()
    expect(page.locator("#mode-badge")).to_contain_text("Live", timeout=30_000)
    expect(box).to_have_value("")
    expect(page.locator("#price-box")).to_contain_text("estimate")  # live: the price is an estimate in dollars
    assert "sk-test-not-a-real-key" not in page.content()
    page.get_by_role("button", name="Forget it").click()
    expect(page.locator("#mode-badge")).to_contain_text("Demo", timeout=30_000)
    page.context.close()
