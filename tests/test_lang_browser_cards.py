"""A browser set to Chinese meets its cards in Chinese: a pasted link that cannot be used is refused on
the card in Chinese, and the library's refusal to save that card is Chinese too.

One studio (demo mode, emulator) on loopback; the link is refused by its address alone (nothing is fetched).
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures_browser import axe_violations, browser_marks, expect, open_page, upload_to_card
from tests.fixtures_ui import character_png, running_studio
from tests.lang_terms import foreign_words

pytestmark = browser_marks


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("browser-language-cards")) as s:
        yield s


def test_a_bad_links_verdict_and_the_librarys_refusal_are_chinese_on_a_chinese_page(browser, studio, artifacts_dir):
    page = open_page(browser, studio.url, locale="zh-CN")

    page.locator("#card-1-more").click()  # "链接或录音"
    page.locator("#card-1-link input, #card-1-link textarea").first.fill("ftp://example.com/mira.png")
    page.locator("#card-1-use-link").click()
    face = page.locator("#card-1-face")
    expect(face).to_contain_text("无法使用")
    expect(face).to_contain_text("链接必须以 http:// 或 https:// 开头。")
    verdict = face.locator(".verdict").inner_text()
    assert foreign_words(re.sub(r"\S+://\S+", "", verdict)) == [], verdict

    page.locator("#card-1-save").click()  # "存为角色": the card's file was refused
    alert = page.locator("#library-alert")
    expect(alert).to_contain_text("character1 里的文件无法使用：请先换一个，再存为角色。")
    assert foreign_words(alert.inner_text()) == [], alert.inner_text()
    page.screenshot(path=str(artifacts_dir / "language-zh-card-link-refused.png"), full_page=False)
    assert axe_violations(page) == []
    page.context.close()


def test_the_chinese_examples_things_to_avoid_leave_with_the_example_cast(browser, studio, tmp_path):
    page = open_page(browser, studio.url, locale="zh-CN")
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text("可以使用", timeout=30_000)
    page.locator("#more-settings").click()
    negative = page.locator("#negative-prompt textarea")
    expect(negative).not_to_have_value("")
    assert not foreign_words(negative.input_value())  # the Chinese example's things to avoid
    page.locator("#card-2-remove").click()
    expect(page.locator("#card-2")).to_be_hidden()
    upload_to_card(page, 1, character_png(tmp_path / "own.png", (30, 160, 90)))
    expect(page.locator("#card-1-face")).to_contain_text("own.png", timeout=30_000)
    expect(negative).to_have_value("")
    page.context.close()
