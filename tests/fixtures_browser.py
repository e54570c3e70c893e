"""Driving the studio in Debian's Chromium (Playwright): contexts at a laptop and a phone size,
waits that watch real page state, geometry checks against the viewport, and axe-core run inside
the page.  Imported explicitly by tests/test_browser_*.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # A fake microphone (a beep) that needs no permission prompt: the voice recorder is tested for real.
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
RUNNING_STATES = ("checking", "uploading", "submitting", "queued", "processing", "downloading")

browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}"),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="the Playwright package is not installed")
expect = playwright_sync.expect

# Records every job state the status box shows, so a test can say which stages a user saw.
RECORD_STATES = """
window.__states = [];
new MutationObserver(() => {
  const box = document.querySelector('#job-status-box');
  const s = box && box.dataset.state;
  if (s && window.__states[window.__states.length - 1] !== s) window.__states.push(s);
}).observe(document, {childList: true, subtree: true, attributes: true});
"""


def axe_source() -> Path:
    import axe_playwright_python

    return Path(os.path.dirname(axe_playwright_python.__file__)) / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url: str, viewport: dict = DESKTOP, locale: str | None = None):
    """A new browser (a fresh context: its own storage; `locale`: the language it is set to), at
    `url`, once the page has looked for its job."""
    context = browser.new_context(viewport=viewport, **({"locale": locale} if locale else {}))
    context.add_init_script(RECORD_STATES)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    demo = "演示模式" if (locale or "").startswith("zh") else "Demo"
    expect(page.locator("#mode-badge")).to_contain_text(demo, timeout=30_000)
    wait_until_loaded(page)
    return page


def wait_until_loaded(page) -> None:
    expect(page.locator("#job-status-box")).not_to_have_attribute("data-state", "loading", timeout=30_000)


def wait_state(page, states) -> str:
    page.wait_for_function(
        "s => { const b = document.querySelector('#job-status-box'); return b && s.includes(b.dataset.state); }",
        arg=list(states), timeout=90_000)
    return page.locator("#job-status-box").get_attribute("data-state")


def wait_until_playing(page, selector: str) -> None:
    """The <video> has data and its time moves (muted, so autoplay rules allow it)."""
    page.wait_for_function(
        "sel => { const v = document.querySelector(sel); return v && v.readyState >= 2; }", arg=selector,
        timeout=30_000)
    page.wait_for_function(
        """sel => { const v = document.querySelector(sel);
                    if (v.paused) { v.muted = true; v.play().catch(() => {}); }
                    return v.played.length > 0 && v.currentTime > 0; }""", arg=selector, timeout=30_000)


def upload_to_card(page, n: int, path: Path, box: str = "Picture or video") -> None:
    """What choosing a file with the card's button does (`box`: "Picture or video" or "Voice clip")."""
    # The button's own file input is the last one before it (its data-testid holds the untranslated label key).
    button = {"Picture or video": "file", "Voice clip": "voice-upload"}[box]
    page.locator(f'#card-{n} input[type=file]:has(~ #card-{n}-{button})').last.set_input_files(str(path))


def in_viewport(page, selector: str) -> bool:
    """The element's box lies inside the viewport (what the user sees without scrolling)."""
    box = page.locator(selector).first.bounding_box()
    vp = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= vp["height"] + 1 \
        and box["x"] + box["width"] <= vp["width"] + 1


def no_sideways_scroll(page) -> tuple[int, int]:
    return page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]


def axe_violations(page) -> list[dict]:
    """Critical and serious axe-core violations on the page once Gradio has finished updating it
    (a block being updated is drawn faded, which would read as low contrast)."""
    page.wait_for_function("() => !document.querySelector('.pending, .generating:not(.hide), .translucent:not(.hide)')"
                           " && document.getAnimations().every(a => a.playState !== 'running')", timeout=30_000)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_source()))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [n["target"] for n in v["nodes"][:5]],
         "why": [n.get("failureSummary", "")[:240] for n in v["nodes"][:2]]}
        for v in result["violations"] if v["impact"] in ("critical", "serious")
    ]
