"""Recording a voice in the card, in a real browser with Chromium's fake microphone (a beep): the
record button captures it, hands a WAV to the card's own voice input, and the card shows the same
verdict a chosen file gets; and the page loads no media-player bundle to do so."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import DESKTOP, axe_violations, browser_marks, expect, open_page
from tests.fixtures_ui import running_studio

pytestmark = browser_marks


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("voice-data")) as s:
        yield s


def test_a_recorded_voice_is_checked_like_a_chosen_clip_and_no_player_bundle_is_loaded(browser, studio,
                                                                                     artifacts_dir):
    requested: list[str] = []
    page = open_page(browser, studio.url, DESKTOP)
    page.on("request", lambda r: requested.append(r.url))
    page.reload()
    expect(page.locator("#job-status-box")).not_to_have_attribute("data-state", "loading", timeout=30_000)
    assert not [u for u in requested if "/assets/hls" in u or "MinimalAudioPlayer" in u], \
        "the page should not load Gradio's streaming player"

    page.locator("#card-1-more").click()  # "Link or recording"
    button = page.locator("#card-1 .voice-rec")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    # The voice rules ask for at least 3 s: wait until the card's own clock says 4 s.
    page.wait_for_function("() => /\\b([4-9]|\\d\\d) s/.test(document.getElementById('card-1-rec-status').textContent)",
                           timeout=20_000)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#card-1-face")).to_contain_text("Voice", timeout=30_000)
    expect(page.locator("#card-1-face")).to_contain_text("recording-character1.wav")
    face = page.locator("#card-1-face").inner_text()
    # An accepted voice is its ✓ on the card's voice line; a fixed one adds the row saying how (cards.face_html).
    assert "✓ Voice: recording-character1.wav" in face or "Fixed" in face, face
    expect(page.locator("#card-1-rec-status")).to_have_text("")  # "checking…" gives way to the verdict
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / "voice-recorded.png"))
    page.context.close()
