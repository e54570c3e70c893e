"""The cast's media-first cards in a real Chromium (issue 23, item 2).

Files dragged from the desktop are synthetic `DragEvent`s carrying a `DataTransfer` that holds real
files the test makes (a drawn PNG, a WAV): dropped on a card it takes them (a sound becomes its
voice), dropped elsewhere in the cast area the next empty card does (a card is added when none is
left), dropped anywhere else nothing happens — and the page never navigates (every drop's default
is prevented, the URL stays).  A picture refused on a card that held an accepted one leaves that
one in place and says why.  The geometry a user sees: cards of one row equally tall, no sideways
scroll, verdicts whole, every icon button named; axe-core finds nothing critical or serious, at
1400×1000 and 390×844, in English and Chinese.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from r2v_ui.messages import EN, ZH, t
from tests.fixtures_browser import (DESKTOP, PHONE, as_drop, axe_violations, browser_marks, drop, expect,
    no_sideways_scroll, open_page, upload_to_card, verdicts_cut_short)
from tests.fixtures_emulator import make_wav
from tests.fixtures_ui import character_png, running_studio

pytestmark = browser_marks

@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("cast-cards-data"), finish_seconds=1.0) as s:
        yield s


def test_files_dropped_on_a_card_or_the_cast_area_land_in_the_right_card_and_the_page_stays(
        browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url, DESKTOP)
    url = page.url
    mira = as_drop(character_png(tmp_path / "mira.png", (230, 110, 40)), "image/png")
    bolt = as_drop(character_png(tmp_path / "bolt.png", (40, 140, 200)), "image/png")
    hello = as_drop(make_wav(tmp_path / "hello.wav"), "audio/wav")

    # Over a card, the card says what a drop will do (a screenshot of the hover).
    assert drop(page, "#card-1 .card-preview", mira, only_hover=True) == {"enter": True, "over": False}
    expect(page.locator("#card-1")).to_have_class(re.compile(r"\bdrop-over\b"))
    expect(page.locator("#card-1")).to_have_attribute("data-drop-say", "Drop to use it for character1")
    page.screenshot(path=str(artifacts_dir / "cast-cards-drag-hover.png"))

    # On a card: that card takes it, through its own checks.
    assert drop(page, "#card-1 .card-preview", mira)["drop"] is False  # the browser does not open the file
    face1 = page.locator("#card-1-face")
    expect(face1.locator("img")).to_have_attribute("alt", "Picture of character1: mira.png", timeout=30_000)
    expect(face1).to_contain_text("Accepted")
    expect(page.locator("#card-1")).not_to_have_class(re.compile(r"\bdrop-over\b"))

    # On the cast area (its help text, not a card): the next empty card, added since there is none.
    assert drop(page, "#cast-area .step-help", bolt)["drop"] is False
    expect(page.locator("#card-2-face img")).to_have_attribute("alt", "Picture of character2: bolt.png",
                                                               timeout=30_000)
    expect(face1).to_contain_text("mira.png")  # the first card keeps its own

    # A sound dropped on a card becomes its voice; its picture stays.
    assert drop(page, "#card-1-face", hello)["drop"] is False
    expect(face1).to_contain_text("Voice: hello.wav", timeout=30_000)
    expect(face1.locator("img")).to_have_attribute("alt", "Picture of character1: mira.png")

    # Dropped outside the cast (on the prompt, on the header): nothing is taken, nothing opens.
    for outside in ("#prompt textarea", "#studio-header"):
        assert drop(page, outside, mira) == {"enter": True, "over": False, "drop": False}, outside
    expect(page.locator("#card-3")).to_have_count(0)
    assert page.url == url
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    page.screenshot(path=str(artifacts_dir / "cast-cards-dropped.png"))
    page.context.close()


def test_several_files_dropped_on_the_cast_area_fill_the_empty_cards_up_to_five(browser, studio, tmp_path):
    page = open_page(browser, studio.url, DESKTOP)
    pics = [as_drop(character_png(tmp_path / f"hero-{i}.png", (40 * i, 120, 200 - 30 * i)), "image/png")
            for i in range(6)]
    drop(page, "#cast-title-row", *pics)  # six files, five cards
    for n in range(1, 6):
        expect(page.locator(f"#card-{n}-face img")).to_have_attribute(
            "alt", f"Picture of character{n}: hero-{n - 1}.png", timeout=60_000)
    expect(page.locator("#add-character")).to_be_hidden()  # five is the most; the tile leaves
    expect(page.locator("#cast-drop-status")).to_contain_text("All 5 cards hold a picture or video")
    page.context.close()


def test_a_refused_picture_never_replaces_the_accepted_one(browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url, DESKTOP)
    upload_to_card(page, 1, character_png(tmp_path / "mira.png", (230, 110, 40)))
    face = page.locator("#card-1-face")
    expect(face.locator("img")).to_have_attribute("alt", "Picture of character1: mira.png", timeout=30_000)
    upload_to_card(page, 1, character_png(tmp_path / "tiny.png", (200, 60, 60), size=(100, 100)))
    kept = face.locator(".verdict-kept")
    expect(kept).to_contain_text("Kept mira.png; the new file was not used", timeout=30_000)
    expect(kept).to_contain_text("tiny.png is 100×100 px")
    expect(face.locator("img")).to_have_attribute("alt", "Picture of character1: mira.png")
    assert face.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(face.locator(".verdict-accepted")).to_contain_text("mira.png")
    # Generate uses the kept picture: nothing stops it.
    page.locator("#prompt textarea").fill("character1 waves")
    page.locator("#generate-btn").click()
    expect(page.locator("#job-status-box")).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(page.locator("#form-alert")).not_to_contain_text("tiny.png")
    page.screenshot(path=str(artifacts_dir / "cast-cards-refusal-kept.png"))
    page.context.close()


@pytest.mark.parametrize("lang", [EN, ZH])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_cards_are_even_whole_and_named_at_both_sizes_in_both_languages(browser, studio, tmp_path, artifacts_dir,
                                                                        size, lang):
    viewport = DESKTOP if size == "desktop" else PHONE
    page = open_page(browser, studio.url, viewport, locale="zh-CN" if lang == ZH else None)

    def check(state: str) -> None:
        width, vw = no_sideways_scroll(page)
        assert width <= vw, f"{state}: the page scrolls sideways ({width} > {vw})"
        boxes = page.evaluate("""() => [...document.querySelectorAll('#cast-row > .cast-card')]
            .filter(c => c.getClientRects().length).map(c => { const r = c.getBoundingClientRect();
              return {id: c.id, top: Math.round(r.top), height: r.height, right: r.right}; })""")
        assert all(b["right"] <= vw for b in boxes), f"{state}: a card sticks out {boxes}"
        rows: dict[int, list[float]] = {}
        for b in boxes:
            rows.setdefault(b["top"], []).append(b["height"])
        for top, heights in rows.items():
            assert max(heights) - min(heights) <= 1, f"{state}: ragged row at {top}: {heights}"
        clamped = verdicts_cut_short(page)
        assert clamped == [], f"{state}: verdicts cut short: {clamped}"
        unnamed = page.evaluate("""() => [...document.querySelectorAll('#cast-row .card-tool')]
            .filter(b => b.getClientRects().length)
            .filter(b => !(b.getAttribute('aria-label') || b.textContent).trim() || !b.getAttribute('title'))
            .map(b => b.id)""")
        assert unnamed == [], f"{state}: icon buttons without a name or tooltip: {unnamed}"
        found = axe_violations(page)
        assert found == [], f"{state}: {found}"
        page.evaluate("document.getElementById('cast-title-row').scrollIntoView()")
        page.screenshot(path=str(artifacts_dir / f"cast-cards-{size}-{lang}-{state}.png"))

    check("empty")
    upload_to_card(page, 1, character_png(tmp_path / "mira-the-explorer.png", (230, 110, 40)))
    expect(page.locator("#card-1-face img")).to_be_visible(timeout=30_000)
    upload_to_card(page, 1, character_png(tmp_path / "tiny.png", (200, 60, 60), size=(100, 100)))
    expect(page.locator("#card-1-face .verdict-kept")).to_contain_text(
        t("cast.kept", lang, kept="mira-the-explorer.png", why="")[:12], timeout=30_000)
    check("one-refusal-kept")
    more = [as_drop(character_png(tmp_path / f"friend-{i}.png", (60, 50 * i, 90)), "image/png") for i in range(4)]
    drop(page, "#cast-area .step-help", *more)
    expect(page.locator("#card-5-face img")).to_be_visible(timeout=60_000)
    for n in range(2, 6):
        expect(page.locator(f"#card-{n}-face img")).to_be_visible(timeout=30_000)
    check("five")
    page.context.close()


def test_a_choice_is_one_tab_stop_and_its_arrows_change_it(browser, studio):
    """Each radio option was a Tab stop of its own (Gradio names each alone); a choice is one stop."""
    page = open_page(browser, studio.url, DESKTOP)
    page.locator("#tier input[value='1080P']").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('fieldset') && document.activeElement.closest('fieldset').id") \
        == "aspect"
    assert page.evaluate("document.activeElement.value") == "16:9"  # the chosen option, not the first one
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowLeft")  # the arrows move the choice, and the page hears it
    expect(page.locator("#size-info")).to_contain_text("1280 × 720")
    page.context.close()
