"""Numbers typed on the page that the service does not take are refused in a sentence naming the
allowed range — never changed silently (the duration box used to turn 11 into 10 s and 1 or −1 into
2 s) — and nothing is sent: the emulator's submit counter stays at 0.  English and Chinese."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import browser_marks, expect, open_page
from tests.fixtures_ui import running_studio, submits

pytestmark = browser_marks

DURATION_EN = "The duration must be a whole number of seconds from 2 to 10."
DURATION_ZH = "时长必须是 2 到 10 之间的整数秒。"
SEED_EN = "The seed must be a whole number from 0 to 2147483647."


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("number-inputs"), finish_seconds=1.0) as s:
        yield s


def _with_example_cast(page) -> None:
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text("bolt", timeout=30_000)


def _type_duration(page, value: str) -> None:
    box = page.locator("#duration input[type=number]")
    box.fill(value)
    box.press("Tab")  # leaving the box: where the old slider put its own value in


@pytest.mark.parametrize("typed", ["11", "-1", "1", "4.5"])
def test_a_duration_out_of_range_is_refused_in_words_and_kept_as_typed(browser, studio, typed):
    page = open_page(browser, studio.url)
    _with_example_cast(page)
    _type_duration(page, typed)
    expect(page.locator("#duration input[type=number]")).to_have_value(typed)  # not made 10 or 2

    page.locator("#generate-btn").click()

    alert = page.locator("#form-alert")
    expect(alert).to_contain_text(DURATION_EN, timeout=30_000)
    expect(alert).to_contain_text("Nothing was sent.")
    expect(page.locator("#duration input[type=number]")).to_have_value(typed)
    assert submits(studio) == 0 and studio.studio.manager.list_jobs() == []
    page.context.close()


def test_a_seed_out_of_range_is_refused_in_words(browser, studio):
    page = open_page(browser, studio.url)
    _with_example_cast(page)
    page.get_by_text("More settings").click()
    page.locator("#seed-mode").get_by_text("Fixed").click()
    seed = page.locator("#seed input[type=number]")
    expect(seed).to_be_visible(timeout=30_000)
    seed.fill("2147483648")
    seed.press("Tab")

    page.locator("#generate-btn").click()

    expect(page.locator("#form-alert")).to_contain_text(SEED_EN, timeout=30_000)
    assert submits(studio) == 0 and studio.studio.manager.list_jobs() == []
    page.context.close()


def test_a_duration_out_of_range_is_refused_in_chinese(browser, studio):
    page = open_page(browser, studio.url, locale="zh-CN")
    _with_example_cast(page)
    _type_duration(page, "11")

    page.locator("#generate-btn").click()

    expect(page.locator("#form-alert")).to_contain_text(DURATION_ZH, timeout=30_000)
    assert submits(studio) == 0 and studio.studio.manager.list_jobs() == []
    page.context.close()
