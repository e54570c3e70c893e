"""The storyboard and the scene starters in a real Chromium, at a laptop and a phone size.

Storyboard: choose Multi shot, write three shots with lengths that do not add up, read the sum check,
press "Fit to 5 s", generate: the service receives `Shot 1 [0-2s]: …`; after the video, "Put its
settings in the form" brings the rows back.  Starters: an empty prompt is filled with the cast's tags
at once (a named card as its @Name); a prompt with words in it is only replaced when the user says so.  Screenshots of each state
go to test-artifacts/; axe-core finds no critical or serious violation.
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures_browser import (DESKTOP, PHONE, axe_violations, browser_marks, expect, no_sideways_scroll,
    open_page, wait_state)
from tests.fixtures_ui import running_studio

pytestmark = browser_marks

OVERALL = "A small kitchen at night, warm light."
SHOTS = ["Wide shot: character1 opens the fridge", "Close-up: character2 grabs the last cookie",
         "Both laugh as the camera pulls back"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("storyboard-browser"), finish_seconds=2.0) as s:
        yield s


def write_storyboard(page, lengths: list[int]) -> None:
    page.get_by_role("button", name="Load example cast").click()
    expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)
    page.locator("#tier").get_by_label("720P").check()  # a smaller video: a quicker test
    expect(page.locator("#storyboard")).to_be_hidden()  # Single shot: no storyboard
    page.locator("#shot-type").get_by_label("Multi shot").check()
    expect(page.locator("#storyboard")).to_be_visible()
    page.get_by_text("Storyboard (optional)").click()
    page.locator("#prompt textarea").fill(OVERALL)
    for k, (text, seconds) in enumerate(zip(SHOTS, lengths), start=1):
        page.locator(f"#shot-{k}-text textarea").fill(text)
        page.locator(f"#shot-{k}-seconds input").fill(str(seconds))


def test_a_three_shot_storyboard_is_fitted_sent_as_timed_shots_and_restored(browser, studio, artifacts_dir):
    page = open_page(browser, studio.url, DESKTOP)
    write_storyboard(page, [3, 3, 3])

    check = page.locator("#storyboard-check")
    expect(check).to_contain_text("The shots last 9 s, but the video is 5 s")
    fit = page.locator("#storyboard-fit")
    expect(fit).to_have_text("Fit to 5 s")
    expect(page.locator("#storyboard-preview")).to_contain_text("Shot 3 [6-9s]: Both laugh")
    assert no_sideways_scroll(page)[0] <= DESKTOP["width"]
    page.locator("#storyboard").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "storyboard-01-lengths-off-1400.png"), full_page=True)

    fit.click()
    for k, n in enumerate([2, 2, 1], start=1):
        expect(page.locator(f"#shot-{k}-seconds input")).to_have_value(str(n))
    expect(check).to_contain_text("2 s + 2 s + 1 s = 5 s, the length of the video")
    expect(fit).to_be_hidden()
    preview = page.locator("#storyboard-preview")
    expect(preview).to_contain_text(f"{OVERALL}\nShot 1 [0-2s]: {SHOTS[0]}\nShot 2 [2-4s]: {SHOTS[1]}\n"
                                    f"Shot 3 [4-5s]: {SHOTS[2]}", use_inner_text=True)
    # The storyboard stays inside the form's column, beside the result pane, not under it.
    board, composer = page.locator("#storyboard").bounding_box(), page.locator("#composer").bounding_box()
    assert composer["x"] <= board["x"] and board["x"] + board["width"] <= composer["x"] + composer["width"] + 1
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / "storyboard-02-fitted-1400.png"), full_page=True)

    before = set(studio.studio.emulator.state.tasks)
    page.get_by_role("button", name="Generate video").click()
    assert wait_state(page, ["succeeded", "failed"]) == "succeeded"
    (task,) = [t for tid, t in studio.studio.emulator.state.tasks.items() if tid not in before]
    assert task.request.shot_type == "multi"
    assert task.request.prompt.splitlines() == [OVERALL, f"Shot 1 [0-2s]: {SHOTS[0]}", f"Shot 2 [2-4s]: {SHOTS[1]}",
                                                f"Shot 3 [4-5s]: {SHOTS[2]}"]

    # The rows change; the finished video's settings bring its storyboard back (not the composed text).
    page.locator("#shot-1-text textarea").fill("something else")
    page.locator("#shot-3-seconds input").fill("7")
    page.locator("#use-settings").click()
    expect(page.locator("#shot-1-text textarea")).to_have_value(SHOTS[0])
    expect(page.locator("#shot-3-seconds input")).to_have_value("1")
    expect(page.locator("#prompt textarea")).to_have_value(OVERALL)
    expect(check).to_contain_text("= 5 s, the length of the video")
    page.context.close()


def test_on_a_phone_the_storyboard_fits_the_screen_and_six_shots_in_five_seconds_say_what_to_do(
        browser, studio, artifacts_dir):
    page = open_page(browser, studio.url, PHONE)
    write_storyboard(page, [2, 2, 1])
    expect(page.locator("#storyboard-check")).to_contain_text("= 5 s, the length of the video")
    for k in (4, 5, 6):  # each new row appears before the next tap
        page.locator("#storyboard-add").click()
        expect(page.locator(f"#shot-row-{k}")).to_be_visible()
    expect(page.locator("#storyboard-add")).to_be_disabled()  # six is the most
    for k in (4, 5, 6):
        page.locator(f"#shot-{k}-text textarea").fill(f"shot {k}")
    expect(page.locator("#storyboard-check")).to_contain_text(
        "6 shots need at least 6 s, but the video is 5 s: remove a shot or make the video longer.")
    expect(page.locator("#storyboard-fit")).to_be_hidden()  # no fit is possible: none is offered
    # A shot's text and its seconds side by side, inside the screen; nothing scrolls sideways.
    text_box = page.locator("#shot-6-text").bounding_box()
    secs_box = page.locator("#shot-6-seconds").bounding_box()
    assert abs(text_box["y"] - secs_box["y"]) < 4 and text_box["x"] + text_box["width"] <= secs_box["x"] + 1
    assert secs_box["x"] + secs_box["width"] <= PHONE["width"]
    assert no_sideways_scroll(page)[0] == PHONE["width"]
    page.locator("#storyboard-check").scroll_into_view_if_needed()
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / "storyboard-03-six-shots-390.png"), full_page=True)

    page.locator("#storyboard-remove").click()
    expect(page.locator("#shot-row-6")).to_be_hidden()
    expect(page.locator("#storyboard-fit")).to_have_text("Fit to 5 s")
    page.locator("#storyboard-fit").click()
    expect(page.locator("#storyboard-check")).to_contain_text("1 s + 1 s + 1 s + 1 s + 1 s = 5 s")
    page.locator("#storyboard-check").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "storyboard-04-fitted-390.png"))

    # A shot may name a card by its @Name: the preview is the prompt as sent, shown once (not again under
    # the prompt box), and the hints count it as named.
    page.locator("#card-1-character textarea, #card-1-character input").first.fill("Mira")
    page.locator("#prompt textarea").click()  # leaving the box names the card
    expect(page.locator("#card-1-face .card-at")).to_have_text("@Mira")
    page.locator("#shot-1-text textarea").fill("@Mira opens the fridge")
    expect(page.locator("#storyboard-preview")).to_contain_text("Shot 1 [0-1s]: character1 opens the fridge")
    expect(page.locator("#prompt-hints")).to_contain_text("Every character is named")
    expect(page.locator("#prompt-sent")).to_have_count(0)
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["laptop", "phone"])
def test_starters_write_a_prompt_with_the_casts_tags_and_never_replace_words_unasked(
        browser, studio, artifacts_dir, viewport):
    page = open_page(browser, studio.url, viewport)
    size = viewport["width"]
    prompt = page.locator("#prompt textarea")
    chips = page.locator("#starters")
    expect(chips).to_be_visible()
    # Every chip inside the screen, above the prompt it writes.
    for kind in ("dialogue", "product", "dance", "chase", "interview"):
        box = page.locator(f"#starter-{kind}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size
        assert box["y"] < prompt.bounding_box()["y"]
    page.screenshot(path=str(artifacts_dir / f"starters-01-empty-{size}.png"))

    # An empty box with no cast: written for the tags the first cards will have.
    page.get_by_role("button", name="Dance", exact=True).click()
    expect(prompt).to_have_value("character1 dances on a rooftop at sunset to an upbeat song, spins, and ends with "
                                 "a pose for the camera. Wide shot, the city skyline behind, golden light.")

    # With the example cast (two characters) its prompt is there: a starter asks before replacing it.
    page.get_by_role("button", name="Load example cast").click()
    expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)
    expect(prompt).to_have_value(re.compile("glowing forest"))
    mine = prompt.input_value()
    page.get_by_role("button", name="Dialogue", exact=True).click()
    ask = page.locator("#starter-ask")
    expect(ask).to_contain_text("Replace your prompt with the “Dialogue” starter?")
    assert no_sideways_scroll(page)[0] == size
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"starters-02-ask-{size}.png"))
    page.get_by_role("button", name="Keep mine").click()
    expect(ask).to_be_hidden()
    expect(prompt).to_have_value(mine)

    page.get_by_role("button", name="Interview", exact=True).click()
    page.get_by_role("button", name="Replace it").click()
    expect(prompt).to_have_value("character2 interviews character1 in a quiet studio: character2 asks a question, "
                                 "character1 thinks, then answers with a smile. Medium shots and close-ups, soft key "
                                 "light, calm room tone.")
    expect(page.locator("#prompt-hints")).to_contain_text("Every character is named")

    # A card with a name is written as @Name; the prompt is sent with its tag.
    page.locator("#card-1-character textarea, #card-1-character input").first.fill("Mira")
    prompt.click()  # leaving the box names the card
    expect(page.locator("#card-1-face .card-at")).to_have_text("@Mira")
    page.get_by_role("button", name="Chase", exact=True).click()
    page.get_by_role("button", name="Replace it").click()
    expect(prompt).to_have_value(re.compile(r"^@Mira sprints .* while character2 chases close behind\."))
    expect(page.locator("#prompt-sent")).to_contain_text("As sent: character1 sprints")
    page.context.close()
