"""The setup panel (the API key and the reference hosting) in a browser set to Chinese: everything
it says, the hosting check's answer and the key's notes, in Chinese.  One studio (demo mode)."""

from __future__ import annotations

import re

import pytest

from tests.fixtures_browser import browser_marks, expect, open_page
from tests.fixtures_ui import running_studio
from tests.lang_terms import foreign_words

pytestmark = browser_marks


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("browser-setup-language")) as s:
        yield s


def _words(page, selector: str, *data: str) -> list[str]:
    text = re.sub(r"\s+", " ", page.locator(selector).inner_text())
    for d in data:
        text = text.replace(d, "")
    return sorted(set(foreign_words(text)))


def test_the_setup_panel_speaks_chinese_to_a_chinese_browser(browser, studio):
    page = open_page(browser, studio.url, locale="zh-CN")
    try:
        page.locator("#setup-accordion").get_by_text("API 密钥与参考素材托管").click()
        expect(page.locator("#hosting-info")).to_contain_text("内置模拟服务托管你的文件")
        expect(page.locator("#api-key-note")).to_contain_text("密钥只保存在本服务器的内存中")
        expect(page.locator("#api-key-box input")).to_have_attribute("placeholder", "粘贴你的密钥")
        assert _words(page, "#setup-accordion") == []

        page.locator("#hosting-check").click()
        expect(page.locator("#hosting-result")).to_contain_text("✓ 正常")
        assert _words(page, "#setup-accordion", studio.studio.emulator.base_url) == []

        page.locator("#api-key-box input").fill("sk made up")  # a space: it cannot be sent in a header
        page.locator("#api-key-use").click()
        expect(page.locator("#api-key-note")).to_contain_text("API 密钥里有空格")
        expect(page.locator("#mode-badge")).to_contain_text("演示模式")  # nothing was taken
        page.locator("#api-key-use").click()
        expect(page.locator("#api-key-note")).to_contain_text("没有输入密钥")
        page.locator("#api-key-forget").click()
        expect(page.locator("#api-key-note")).to_contain_text("密钥已忘掉")
        assert _words(page, "#setup-accordion", studio.studio.emulator.base_url) == []
    finally:
        page.context.close()
