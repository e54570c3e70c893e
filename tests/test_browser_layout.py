"""The workspace as a person sees it, on a 1400×1000 laptop and a 390×844 phone, measured on real
geometry: what is in view when they act, no sideways scroll, one click is one job, a new browser
opens on a clean form, the keyboard reaches Generate, and axe-core finds nothing critical or
serious in any main state.  Screenshots of each state go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import (DESKTOP, PHONE, RUNNING_STATES, axe_violations, browser_marks, expect,
    in_viewport, no_sideways_scroll, open_page, wait_state, wait_until_playing)
from tests.fixtures_ui import running_studio, submits

pytestmark = browser_marks
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("layout-data"), finish_seconds=3.0) as s:
        yield s


def assert_accessible(page, state: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{state}: {found}"


def load_example(page) -> None:
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)
    expect(page.locator("#prompt textarea")).not_to_have_value("")


@pytest.mark.parametrize("size", SIZES)
def test_the_workspace_keeps_generate_progress_and_video_in_view(browser, studio, size, artifacts_dir):
    page = open_page(browser, studio.url, SIZES[size])
    width, viewport = no_sideways_scroll(page)
    assert width <= viewport, f"{size}: the page scrolls sideways ({width} > {viewport})"
    assert in_viewport(page, "#load-example"), "Load example cast is visible on first open"
    assert in_viewport(page, "#generate-btn"), "Generate is reachable without scrolling"
    assert_accessible(page, f"{size} empty")
    page.screenshot(path=str(artifacts_dir / f"layout-{size}-1-empty.png"))

    load_example(page)
    assert in_viewport(page, "#generate-btn"), "with the example cast, Generate is visible without scrolling"
    assert no_sideways_scroll(page)[0] <= viewport
    assert_accessible(page, f"{size} example cast")
    page.screenshot(path=str(artifacts_dir / f"layout-{size}-2-example.png"))
    # Generate stays on screen wherever the user is on the page: the phone's bar is fixed at the
    # bottom, the laptop's result pane is sticky.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => window.scrollY > 0")
    assert in_viewport(page, "#generate-btn"), f"{size}: Generate scrolled away with the page"
    page.evaluate("window.scrollTo(0, 0)")
    assert in_viewport(page, "#generate-btn")

    page.locator("#generate-btn").click()
    wait_state(page, RUNNING_STATES)
    expect(page.locator("#job-status-box")).to_be_in_viewport()
    page.screenshot(path=str(artifacts_dir / f"layout-{size}-3-running.png"))

    wait_state(page, ["succeeded"])
    wait_until_playing(page, "#result-video video")
    expect(page.locator("#result-video video")).to_be_in_viewport()
    if size == "phone":  # the whole player, its controls too, clear of the fixed generate bar
        page.wait_for_function(
            "() => { const v = document.querySelector('#result-video video').getBoundingClientRect();"
            " const bar = document.querySelector('.generate-bar').getBoundingClientRect();"
            " return v.height > 0 && v.top >= 0 && v.bottom <= bar.top; }", timeout=10_000)
    expect(page.locator("#download-result")).to_be_visible()
    assert no_sideways_scroll(page)[0] <= viewport
    assert_accessible(page, f"{size} result")
    page.screenshot(path=str(artifacts_dir / f"layout-{size}-4-result.png"))

    page.get_by_role("tab", name="History").click()
    first = page.locator("#history-gallery .gallery-card").first
    expect(first).to_be_visible(timeout=30_000)
    assert no_sideways_scroll(page)[0] <= viewport
    assert_accessible(page, f"{size} history")
    page.screenshot(path=str(artifacts_dir / f"layout-{size}-5-history.png"))
    first.click()
    expect(page.locator("#history-remix")).to_be_in_viewport(timeout=30_000)  # the detail's actions come first
    assert_accessible(page, f"{size} history detail")
    page.screenshot(path=str(artifacts_dir / f"layout-{size}-6-detail.png"))
    page.context.close()


def test_a_double_click_on_generate_is_one_job(browser, studio, repeat_window):
    page = open_page(browser, studio.url)
    load_example(page)
    before = submits(studio)
    page.locator("#generate-btn").dblclick()
    page.locator("#generate-btn").click(force=True)  # and a third, impatient one
    wait_state(page, ["succeeded"])
    assert submits(studio) == before + 1  # the emulator's own count of tasks created

    # The same draft again, on purpose, a moment later: the page asks first.
    page.locator("#generate-btn").click()
    expect(page.locator("#confirm-box")).to_be_visible(timeout=30_000)
    expect(page.locator("#confirm-text")).to_contain_text("You started this same video")
    expect(page.locator("#confirm-text")).not_to_contain_text("billed")  # demo mode never speaks of money
    page.locator("#confirm-cancel").click()
    expect(page.locator("#confirm-box")).to_be_hidden()
    assert submits(studio) == before + 1
    page.context.close()


def test_a_new_browser_opens_on_a_clean_form_and_a_returning_one_finds_its_own_job(browser, studio):
    first = open_page(browser, studio.url)
    load_example(first)
    first.locator("#generate-btn").click()
    wait_state(first, ["succeeded"])
    prompt = first.locator("#prompt textarea").input_value()

    stranger = open_page(browser, studio.url)  # another browser: its own storage
    expect(stranger.locator("#job-status-box")).to_have_attribute("data-state", "empty")
    expect(stranger.locator("#prompt textarea")).to_have_value("")
    expect(stranger.locator("#card-1-face")).to_contain_text("No picture or video yet")
    stranger.context.close()

    first.reload()
    expect(first.locator("#job-status-box")).to_have_attribute("data-state", "succeeded", timeout=30_000)
    expect(first.locator("#prompt textarea")).to_have_value(prompt)
    first.context.close()


def test_the_keyboard_reaches_generate_quickly_and_ctrl_enter_generates(browser, studio):
    page = open_page(browser, studio.url)
    load_example(page)
    page.locator("body").click(position={"x": 5, "y": 5})
    stops = 0
    for stops in range(1, 40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.classList.contains('skip-link')"):
            page.keyboard.press("Enter")  # "Skip to Generate"
        if page.evaluate("document.activeElement && document.activeElement.id") == "generate-btn":
            break
    assert page.evaluate("document.activeElement.id") == "generate-btn" and stops <= 3, stops

    before = submits(studio)
    page.locator("#prompt textarea").focus()
    page.keyboard.press("Control+Enter")
    wait_state(page, ["succeeded"])
    assert submits(studio) == before + 1
    page.context.close()
