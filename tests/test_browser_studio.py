"""A newcomer in a real Chromium: check the reference hosting, add two characters (replacing one
card's picture by dropping another on it), name them in the prompt, generate, watch the stages, see
the video play, reload mid-job and find the job, then find it in History and play it there; plus a
picture refused on its card.

One studio (demo mode, emulator) per module; screenshots of the main states go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.fixtures_ui import character_png, running_studio

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}"),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="the Playwright package is not installed")
expect = playwright_sync.expect

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUNNING_STATES = ("checking", "uploading", "submitting", "queued", "processing", "downloading")

# Records every job state the status box shows, so the test can say which stages a user saw.
RECORD_STATES = """
window.__states = [];
new MutationObserver(() => {
  const box = document.querySelector('#job-status-box');
  const s = box && box.dataset.state;
  if (s && window.__states[window.__states.length - 1] !== s) window.__states.push(s);
}).observe(document, {childList: true, subtree: true, attributes: true});
"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    # Long enough to reload while the job runs, short enough for a quick test.
    with running_studio(tmp_path_factory.mktemp("browser-data"), finish_seconds=7.0) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, studio):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(RECORD_STATES)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(studio.url)
    expect(pg.locator("#mode-badge")).to_contain_text("Demo", timeout=30_000)
    wait_until_loaded(pg)
    yield pg
    context.close()


def wait_until_loaded(page) -> None:
    """The page has looked for this user's jobs (and restored the last one, if any)."""
    expect(page.locator("#job-status-box")).not_to_have_attribute("data-state", "loading", timeout=30_000)


def upload_to_card(page, n: int, path: Path) -> None:
    page.locator(f"#card-{n}-file input[type=file]").set_input_files(str(path))


def wait_until_playing(page, selector: str) -> None:
    """The <video> has data and its time moves (muted, so autoplay rules allow it)."""
    page.wait_for_function(
        "sel => { const v = document.querySelector(sel); return v && v.readyState >= 2; }", arg=selector,
        timeout=30_000)
    page.wait_for_function(
        """sel => { const v = document.querySelector(sel);
                    if (v.paused) { v.muted = true; v.play().catch(() => {}); }
                    return v.played.length > 0 && v.currentTime > 0; }""", arg=selector, timeout=30_000)


def test_newcomer_makes_a_video_and_finds_it_after_a_reload(page, studio, tmp_path, artifacts_dir):
    mira = character_png(tmp_path / "mira.png", (230, 110, 40))
    bolt = character_png(tmp_path / "bolt.png", (40, 140, 200), size=(720, 960))

    # The hosting panel says who hosts the files, and its Check really tests it.
    page.get_by_text("Reference hosting").click()
    expect(page.locator("#hosting-info")).to_contain_text("built-in emulator hosts your files")
    page.locator("#hosting-check").click()
    expect(page.locator("#hosting-result")).to_contain_text("Works", timeout=30_000)

    # Two characters, each checked as soon as it is added; a second file dropped on a filled card
    # replaces the first (no need to remove anything).
    first_try = character_png(tmp_path / "first-try.png", (90, 90, 90))
    upload_to_card(page, 1, first_try)
    expect(page.locator("#card-1-verdict")).to_contain_text("first-try.png", timeout=30_000)
    expect(page.locator("#card-1-preview-image img")).to_be_visible()
    upload_to_card(page, 1, mira)
    expect(page.locator("#card-1-verdict")).to_contain_text("mira.png", timeout=30_000)
    expect(page.locator("#card-1-verdict")).to_contain_text("Accepted")
    expect(page.locator("#card-1-verdict")).not_to_contain_text("first-try.png")
    expect(page.locator("#card-1-preview-image img")).to_have_attribute("src", re.compile("mira"))
    expect(page.locator("#card-1-preview-image img")).to_be_visible()
    page.get_by_role("button", name="Add character").click()
    expect(page.locator("#card-2")).to_be_visible()
    upload_to_card(page, 2, bolt)
    expect(page.locator("#card-2-verdict")).to_contain_text("Accepted", timeout=30_000)

    # Their tags go into the prompt with the cards' buttons; the hints follow.
    prompt = page.locator("#prompt textarea")
    page.get_by_role("button", name="Insert character1 into the prompt").click()
    expect(prompt).to_have_value("character1 ")
    prompt.press("End")
    prompt.type("waves at ")
    expect(page.locator("#prompt-hints")).to_contain_text("never names character2")
    page.get_by_role("button", name="Insert character2 into the prompt").click()
    expect(prompt).to_have_value("character1 waves at character2 ")
    prompt.press("End")
    prompt.type("in a sunny park")
    expect(page.locator("#prompt-hints")).to_contain_text("Every character is named")
    expect(page.locator("#prompt-count")).to_contain_text(f"{len('character1 waves at character2 in a sunny park')} / 1500")
    page.locator("#tier").get_by_label("720P").check()  # smaller video: a quicker test
    expect(page.locator("#size-info")).to_contain_text("1280 × 720")
    expect(page.locator("#price-box")).to_contain_text("estimate")
    page.screenshot(path=str(artifacts_dir / "studio-01-cast-ready.png"), full_page=True)

    # Generate: the stages appear in plain words while it runs.
    page.get_by_role("button", name="Generate video").click()
    page.wait_for_function(
        "s => { const b = document.querySelector('#job-status-box'); return b && s.includes(b.dataset.state); }",
        arg=list(RUNNING_STATES), timeout=30_000)
    page.wait_for_function("() => ['queued', 'processing'].some(s => window.__states.includes(s))", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "studio-02-running.png"), full_page=True)
    seen_before_reload = page.evaluate("window.__states")
    assert any(s in seen_before_reload for s in ("queued", "processing")), seen_before_reload

    # A reload mid-job loses nothing: the page finds the job again (still running, or finished).
    page.reload()
    wait_until_loaded(page)
    page.wait_for_function(
        "s => { const b = document.querySelector('#job-status-box'); return b && s.includes(b.dataset.state); }",
        arg=[*RUNNING_STATES, "succeeded"], timeout=30_000)
    state_after_reload = page.locator("#job-status-box").get_attribute("data-state")
    assert state_after_reload in (*RUNNING_STATES, "succeeded")
    # ...and the form comes back as it was sent: both characters and the prompt.
    expect(page.locator("#prompt textarea")).to_have_value("character1 waves at character2 in a sunny park")
    expect(page.locator("#card-1-verdict")).to_contain_text("mira.png")
    expect(page.locator("#card-2-verdict")).to_contain_text("bolt.png")

    # It finishes, and the video loads and plays in the page.
    expect(page.locator("#job-status-box")).to_have_attribute("data-state", "succeeded", timeout=90_000)
    video = page.locator("#result-video video")
    expect(video).to_be_attached(timeout=30_000)
    wait_until_playing(page, "#result-video video")
    expect(page.locator("#result-summary")).to_contain_text("1280 × 720")
    expect(page.locator("#download-result")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "studio-03-video-playing.png"), full_page=True)

    # The History tab has it, with its details.
    page.get_by_role("tab", name="History").click()
    gallery_item = page.locator("#history-gallery button.thumbnail-item, #history-gallery .thumbnail-item").first
    expect(gallery_item).to_be_visible(timeout=30_000)
    gallery_item.click()
    expect(page.locator("#history-info")).to_contain_text("sunny park", timeout=30_000)
    expect(page.locator("#history-video video")).to_be_attached()
    wait_until_playing(page, "#history-video video")
    page.screenshot(path=str(artifacts_dir / "studio-04-history.png"), full_page=True)


def test_a_too_small_picture_is_refused_on_its_card(page, tmp_path, artifacts_dir):
    tiny = character_png(tmp_path / "tiny.png", (200, 60, 60), size=(100, 100))
    # A new tab shows the last job's form (nothing is lost); start over with the first card.
    expect(page.locator("#card-2")).to_be_visible()
    page.locator("#card-2-remove").click()
    expect(page.locator("#card-2")).to_be_hidden()
    page.locator("#card-1-remove").click()
    expect(page.locator("#card-1-verdict")).to_contain_text("Add a picture or a video of character1")
    upload_to_card(page, 1, tiny)
    verdict = page.locator("#card-1-verdict")
    expect(verdict).to_contain_text("Refused", timeout=30_000)
    expect(verdict).to_contain_text("tiny.png")
    expect(verdict).to_contain_text("240")

    # Generating anyway sends nothing and says why, with the form kept.
    page.locator("#prompt textarea").fill("character1 dances")
    page.get_by_role("button", name="Generate video").click()
    expect(page.locator("#form-alert")).to_contain_text("Nothing was sent", timeout=30_000)
    expect(page.locator("#prompt textarea")).to_have_value("character1 dances")
    page.screenshot(path=str(artifacts_dir / "studio-05-refused-picture.png"), full_page=True)


def test_a_session_key_switches_to_live_and_is_never_shown_again(page):
    page.get_by_text("Use your own API key").click()
    box = page.locator("#api-key-box input")
    box.fill("sk-test-not-a-real-key")
    page.get_by_role("button", name="Use for this session").click()
    expect(page.locator("#mode-badge")).to_contain_text("Live", timeout=30_000)
    expect(box).to_have_value("")
    assert "sk-test-not-a-real-key" not in page.content()
    page.get_by_role("button", name="Forget it").click()
    expect(page.locator("#mode-badge")).to_contain_text("Demo", timeout=30_000)
