"""The character library in a real browser: save a card as a character, start a new scene, put the
character into a card with one click, write `@Name`, and the job sends `character1`.  A name with no
card is refused before anything is sent.  Screenshots of the library and of a card holding a saved
character at 1400×1000 and 390×844 go to test-artifacts/; axe-core finds nothing critical or serious."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import (DESKTOP, PHONE, axe_violations, browser_marks, expect, no_sideways_scroll, open_page,
                                    two_accepted_cards, upload_to_card, wait_state, wait_until_loaded)
from tests.fixtures_ui import character_png, running_studio, submits

pytestmark = browser_marks


@pytest.fixture
def studio(tmp_path):
    with running_studio(tmp_path / "data", finish_seconds=1.5) as s:
        yield s


def save_card_as(page, n: int, name: str, note: str) -> None:
    page.locator(f"#card-{n}-save").click()
    expect(page.locator("#library-form")).to_be_visible()
    page.locator("#library-name textarea, #library-name input").first.fill(name)
    page.locator("#library-note textarea, #library-note input").first.fill(note)
    page.locator("#library-save").click()
    expect(page.locator(".library-item").filter(has_text=f"@{name}")).to_be_visible()
    expect(page.locator("#library-alert")).to_contain_text(f"{name} is saved in your library")


def test_a_saved_character_goes_into_a_new_scene_with_one_click_and_at_name_is_sent_as_its_tag(
        browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url, DESKTOP)
    upload_to_card(page, 1, character_png(tmp_path / "mira.png", (200, 40, 60)))
    expect(page.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
    save_card_as(page, 1, "Mira", "red coat, curious")
    expect(page.locator("#card-1-face .card-at")).to_have_text("@Mira")  # the card carries the saved name
    page.evaluate("document.getElementById('cast-title-row').scrollIntoView()")  # the card and the library
    page.screenshot(path=str(artifacts_dir / "library-desktop-1-saved.png"))

    # A new scene: the page reloaded, an empty cast; the library is still there, and open.
    page.reload()
    wait_until_loaded(page)
    expect(page.locator("#card-1-face")).not_to_contain_text("Mira")
    use = page.get_by_role("button", name="Use Mira")
    expect(use).to_be_visible()
    use.click()  # the one click
    expect(page.locator("#card-1-face .card-at")).to_have_text("@Mira")
    expect(page.locator("#card-1-face")).to_contain_text("Accepted")
    expect(page.locator("#card-1-character textarea, #card-1-character input").first).to_have_value("Mira")

    # A name with no card: said under the prompt, and Generate sends nothing.
    prompt = page.locator("#prompt textarea")
    prompt.fill("@Mira hands @Robo a cup")
    expect(page.locator("#prompt-hints")).to_contain_text("no card is called Robo")
    page.locator("#generate-btn").click()
    expect(page.locator("#form-alert")).to_contain_text("@Robo, but no card is called Robo")
    expect(page.locator("#form-alert")).to_contain_text("Nothing was sent")
    assert submits(studio) == 0

    prompt.fill("@Mira waves at the camera")
    expect(page.locator("#prompt-sent")).to_have_text("As sent: character1 waves at the camera")
    expect(page.locator("#prompt-count")).to_contain_text(f"{len('character1 waves at the camera')} / 1500")
    found = axe_violations(page)
    assert found == [], found
    page.locator("#library").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "library-desktop-2-used.png"))
    page.locator("#generate-btn").click()
    assert wait_state(page, {"succeeded", "failed"}) == "succeeded"
    assert submits(studio) == 1
    [job] = studio.studio.manager.list_jobs(owner="")
    assert job.settings["prompt"] == "character1 waves at the camera"
    assert job.settings["written_prompt"] == "@Mira waves at the camera"
    assert job.references[0]["character"] == "Mira"


def test_the_library_and_a_card_with_a_saved_character_fit_a_phone(browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url, PHONE)
    upload_to_card(page, 1, character_png(tmp_path / "robo.png", (90, 90, 110)))
    expect(page.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
    save_card_as(page, 1, "Robo", "a tin robot who loves cookies")
    page.locator("#card-1-remove").click()  # a new scene: the cast starts again from one empty card
    expect(page.locator("#card-1-face")).not_to_contain_text("Robo")
    page.get_by_role("button", name="Use Robo").click()
    expect(page.locator("#card-1-face .card-at")).to_have_text("@Robo")  # the next empty card
    item = page.locator(".library-item").filter(has_text="@Robo")
    for box in (item.bounding_box(), page.get_by_role("button", name="Use Robo").bounding_box(),
                page.locator("#card-1").bounding_box()):
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, box
    width, viewport = no_sideways_scroll(page)
    assert width <= viewport
    found = axe_violations(page)
    assert found == [], found
    page.locator("#card-1").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "library-phone-1-card.png"))
    item.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "library-phone-2-library.png"))


def test_shared_without_a_login_each_browser_has_its_own_library(browser, tmp_path):
    with running_studio(tmp_path / "shared", finish_seconds=1.0, host="0.0.0.0") as shared:
        assert shared.studio.settings.reachable_by_others
        mine = open_page(browser, shared.url, DESKTOP)
        upload_to_card(mine, 1, character_png(tmp_path / "mira.png", (200, 40, 60)))
        expect(mine.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
        save_card_as(mine, 1, "Mira", "")
        other = open_page(browser, shared.url, DESKTOP)  # another browser: its own storage, its own id
        other.locator("#library").get_by_text("Character library").first.click()
        expect(other.locator("#library-empty")).to_be_visible()
        expect(other.locator(".library-item")).to_have_count(0)
        mine.reload()  # the same browser after a reload: still its library
        wait_until_loaded(mine)
        expect(mine.get_by_role("button", name="Use Mira")).to_be_visible()


def test_names_typed_on_cards_follow_their_cards_when_moved(browser, studio, tmp_path):
    page = open_page(browser, studio.url, DESKTOP)
    two_accepted_cards(page, tmp_path)
    page.locator("#card-1-character textarea, #card-1-character input").first.press_sequentially("Mira")
    page.locator("#card-2-character textarea, #card-2-character input").first.fill("Robo")  # a paste: no keys
    page.locator("#prompt textarea").click()  # leaving the box names the card
    expect(page.locator("#card-2-face .card-at")).to_have_text("@Robo")
    expect(page.locator("#card-2-insert")).to_have_text("Insert @Robo")
    page.locator("#card-2-insert").click()  # a named card inserts its @Name
    expect(page.locator("#prompt textarea")).to_have_value("@Robo ")
    # Typing starts once the page has finished the events of that click (a person is never faster;
    # Playwright is): under load, a replace typed in the same instant could meet the insert again.
    page.wait_for_function("() => !document.querySelector('.pending, .generating:not(.hide)')")
    page.locator("#prompt textarea").fill("@Mira和@Robo吵架")
    expect(page.locator("#prompt-sent")).to_have_text("As sent: character1和character2吵架")
    page.locator("#card-1-down").click()  # Mira moves to card 2: her @Name follows her
    expect(page.locator("#card-1-face .card-at")).to_have_text("@Robo")
    expect(page.locator("#prompt-sent")).to_have_text("As sent: character2和character1吵架")
    expect(page.locator("#prompt textarea")).to_have_value("@Mira和@Robo吵架")  # the prompt as written stays
    expect(page.locator("#retag-box")).to_be_hidden()  # nothing to update: names are resolved when sent


def test_a_character_is_renamed_given_a_new_picture_and_deleted(browser, studio, tmp_path):
    page = open_page(browser, studio.url, DESKTOP)
    upload_to_card(page, 1, character_png(tmp_path / "mira.png", (200, 40, 60)))
    expect(page.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
    save_card_as(page, 1, "Mira", "red coat")
    [before] = list((studio.data_dir / "characters" / "files").iterdir())
    upload_to_card(page, 1, character_png(tmp_path / "mira2.png", (40, 160, 60)))
    expect(page.locator("#card-1-face")).to_contain_text("mira2.png", timeout=30_000)
    item = page.locator(".library-item").filter(has_text="@Mira")
    item.get_by_role("button", name="Edit").click()
    expect(page.locator("#library-files-from")).to_be_visible()
    found = axe_violations(page)  # the edit form open
    assert found == [], found
    page.locator("#library-name textarea, #library-name input").first.fill("Mirabel")
    page.locator("#library-note textarea, #library-note input").first.fill("green coat now")
    page.locator("#library-files-from input").click()
    page.get_by_role("option", name="take them from character1").click()
    page.locator("#library-save").click()
    expect(page.locator("#library-alert")).to_contain_text("Mirabel is changed")
    renamed = page.locator(".library-item").filter(has_text="@Mirabel")
    expect(renamed).to_contain_text("green coat now")
    [after] = list((studio.data_dir / "characters" / "files").iterdir())
    assert after.name != before.name and not before.exists()  # the new picture, the old one gone
    renamed.get_by_role("button", name="Delete…").click()
    expect(renamed).to_contain_text("Delete Mirabel from your library?")
    found = axe_violations(page)  # the delete question
    assert found == [], found
    renamed.get_by_role("button", name="Yes, delete Mirabel").click()
    expect(page.locator("#library-empty")).to_be_visible()
    expect(page.locator("#library-alert")).to_contain_text("Mirabel was deleted")
    assert list((studio.data_dir / "characters" / "files").iterdir()) == []
