"""A browser set to Chinese opens the studio in Chinese — labels, a card's verdict, a hint that is an
error, the job's stages, its line in History — and one click switches it to English and back, remembered by that browser.

One studio (demo mode, emulator) per module; each test opens its own browser context with a locale.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from r2v_ui import spec
from r2v_ui.messages import EN, ZH, t
from r2v_ui.starters import Starter, starter_prompt
from tests.fixtures_browser import PHONE, axe_violations, browser_marks, expect, open_page, upload_to_card, wait_state
from tests.fixtures_ui import character_png, running_studio
from tests.lang_terms import foreign_words

pytestmark = browser_marks


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("browser-language"), finish_seconds=2.0) as s:
        yield s


def _fits(page, selector: str) -> bool:
    """The element's text is not cut: nothing overflows its box."""
    return page.locator(selector).first.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= "
                                                 "e.clientHeight + 1")


def test_a_chinese_browser_gets_a_chinese_studio_and_switches_to_english_and_back(browser, studio, tmp_path,
                                                                                  artifacts_dir):
    page = open_page(browser, studio.url, locale="zh-CN")
    # Labels (translated by Gradio in the browser) and server-rendered words, both in Chinese.
    expect(page.locator("#mode-badge")).to_contain_text("演示模式")
    generate = page.get_by_role("button", name="生成视频")
    expect(generate).to_be_visible()
    expect(page.get_by_role("tab", name="历史记录")).to_be_visible()
    expect(page.locator("#lang-switch input[value='zh-CN']")).to_be_checked()
    assert _fits(page, "#generate-btn")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page).to_have_title("R2V Studio — 用角色生成视频")  # the browser tab's name too

    # A card's verdict: a picture too small is refused in Chinese, a good one accepted.
    upload_to_card(page, 1, character_png(tmp_path / "tiny.png", (90, 90, 90), size=(200, 180)))
    face = page.locator("#card-1-face")
    expect(face).to_contain_text("无法使用", timeout=30_000)
    expect(face).to_contain_text("tiny.png 为 200×180 像素，每边至少需要 240 像素")
    upload_to_card(page, 1, character_png(tmp_path / "mira.png", (230, 110, 40)))
    expect(face).to_contain_text("可以使用", timeout=30_000)
    expect(face).to_contain_text("mira.png：640×800 像素的 PNG 图片，符合服务要求。")

    # An error under the prompt, then a video made: its stages in Chinese.
    prompt = page.locator("#prompt textarea")
    prompt.fill("character1和character2在雨中跳舞")
    expect(page.locator(".hint-error")).to_contain_text("提示词里写了 character2，但只有 1 个参考素材")
    prompt.fill("character1在雨中挥手")
    expect(page.locator(".hint-ok")).to_contain_text("每个角色都在提示词里出现了。")  # the tag next to Chinese is found
    expect(page.locator(".hint-error")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "language-zh-form-desktop.png"), full_page=False)
    generate.click()
    assert wait_state(page, ("succeeded", "failed")) == "succeeded"
    box = page.locator("#job-status-box")
    expect(box).to_contain_text("已完成")
    expect(box).to_contain_text("完成。种子")  # the job's stage, stored as a code, rendered in Chinese
    page.screenshot(path=str(artifacts_dir / "language-zh-done-desktop.png"), full_page=False)
    assert axe_violations(page) == []

    # History speaks Chinese too: the job's line, and its detail with what happened.
    page.get_by_role("tab", name="历史记录").click()
    item = page.locator("#history-gallery .gallery-card").filter(has_text="character1在雨中挥手").first
    expect(item).to_contain_text("✓ 已完成", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "language-zh-history-desktop.png"), full_page=False)
    page.get_by_role("tab", name="工作室").click()

    # One click to English: labels and server words switch, the job's stage too; remembered on reload.
    page.locator("#lang-switch").get_by_text("English").click()
    expect(page.get_by_role("button", name="Generate video")).to_be_visible(timeout=30_000)
    expect(page.locator("#mode-badge")).to_contain_text("Demo")
    expect(page.locator("#job-status-box")).to_contain_text("Finished", timeout=30_000)
    expect(page.locator("#job-status-box")).to_contain_text("Done. Seed")
    page.reload()
    expect(page.get_by_role("button", name="Generate video")).to_be_visible(timeout=30_000)
    expect(page).to_have_title("R2V Studio — characters to video")
    page.screenshot(path=str(artifacts_dir / "language-en-desktop.png"), full_page=False)

    # And back.
    page.locator("#lang-switch").get_by_text("中文").click()
    expect(page.get_by_role("button", name="生成视频")).to_be_visible(timeout=30_000)
    expect(page.locator("#job-status-box")).to_contain_text("已完成", timeout=30_000)
    page.context.close()


def test_an_english_browser_gets_english_and_a_phone_shows_the_chinese_page_whole(browser, studio, artifacts_dir):
    page = open_page(browser, studio.url, locale="en-US")
    expect(page.get_by_role("button", name="Generate video")).to_be_visible()
    expect(page.locator("#mode-badge")).to_contain_text("Demo")
    page.context.close()

    phone = open_page(browser, studio.url, PHONE, locale="zh-CN")
    expect(phone.locator("#mode-badge")).to_contain_text("演示模式")
    switch = phone.locator("#lang-switch").bounding_box()
    assert switch and switch["x"] >= 0 and switch["x"] + switch["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _fits(phone, "#generate-btn")
    phone.screenshot(path=str(artifacts_dir / "language-zh-phone.png"), full_page=False)
    assert axe_violations(phone) == []
    phone.context.close()


def test_a_chinese_page_shows_no_english_words_outside_the_allowed_terms(browser, studio):
    page = open_page(browser, studio.url, locale="zh-CN")
    expect(page.locator("#mode-badge")).to_contain_text("演示模式")
    text = page.locator("body").inner_text()
    found = sorted(set(foreign_words(re.sub(r"\s+", " ", text))))
    page.context.close()
    assert found == [], found


def _english_words(page) -> list[str]:
    """The words of the page a reader sees (hidden tabs and the other language's spans are not seen)
    that are neither Chinese nor allowed terms, Gradio's footer included (its run history, which it
    names "Runs" in every language, is off)."""
    text = page.evaluate("() => document.body.innerText")
    ids = re.compile(r"[0-9a-f-]*\d[0-9a-f-]*")  # a job's or a task's id (hex) is not a word
    return sorted({w for w in foreign_words(re.sub(r"\s+", " ", text)) if not ids.fullmatch(w)})


def test_a_finished_job_history_and_compare_show_no_english_words_to_a_chinese_browser(browser, tmp_path,
                                                                                       artifacts_dir):
    # A studio of its own: History lists prompts, which are the user's own words in any language, so
    # another test's English prompt there would be no fault of the page.
    with running_studio(tmp_path / "data", finish_seconds=2.0) as studio:
        _finished_job_history_and_compare_in_chinese(browser, studio, tmp_path, artifacts_dir)


def _finished_job_history_and_compare_in_chinese(browser, studio, tmp_path, artifacts_dir):
    page = open_page(browser, studio.url, locale="zh-CN")
    upload_to_card(page, 1, character_png(tmp_path / "lin.png", (40, 110, 230)))
    expect(page.locator("#card-1-face")).to_contain_text("可以使用", timeout=30_000)
    page.locator("#prompt textarea").fill("character1在月光下转身")
    page.locator("#more-settings").get_by_text("更多设置").click()  # its switches and hints are read too
    expect(page.locator("#seed-mode")).to_contain_text("相同的 seed 和设置会生成相近的视频。")

    # The result pane after finishing: the video and its settings (a demo job's have no price: demo
    # mode never speaks of money).
    page.get_by_role("button", name="生成视频").click()
    assert wait_state(page, ("succeeded", "failed")) == "succeeded"
    summary = page.locator("#result-summary")
    expect(summary).to_contain_text("使用的 seed")
    expect(summary).not_to_contain_text("价格")
    page.screenshot(path=str(artifacts_dir / "language-zh-result-desktop.png"), full_page=True)
    assert _english_words(page) == []

    # History's detail of that finished job: its summary, times and ids.
    page.get_by_role("tab", name="历史记录").click()
    page.locator("#history-gallery .gallery-card").filter(has_text="character1在月光下转身").first.click()
    info = page.locator("#history-info")
    expect(info).to_contain_text("开始时间", timeout=30_000)
    expect(info).to_contain_text("使用的 seed")
    page.screenshot(path=str(artifacts_dir / "language-zh-history-detail-desktop.png"), full_page=True)
    assert _english_words(page) == []

    # Two takes of one scene, then Compare with both finished videos side by side.
    page.get_by_role("tab", name="工作室").click()
    page.locator("#takes input").click()
    page.get_by_role("option", name="生成 2 条", exact=True).click()
    page.get_by_role("button", name="生成视频").click()
    expect(page.locator("#takes-grid-box video")).to_have_count(2, timeout=90_000)
    page.locator("#compare-takes").click()
    expect(page.locator("#compare-slots video.r2v-sync")).to_have_count(2, timeout=30_000)
    expect(page.locator("#compare-cell-1 .compare-diff")).to_contain_text("seed")
    page.screenshot(path=str(artifacts_dir / "language-zh-compare-desktop.png"), full_page=True)
    assert _english_words(page) == []


@pytest.mark.parametrize("locale, lang", [("zh-CN", ZH), ("en-US", EN)])
def test_starters_the_example_and_the_scripts_words_follow_the_page_language(browser, studio, locale, lang):
    """A starter and the example cast write their prompt in the page's language (the model's tags kept);
    the names a screen reader hears for a card's arrows and Compare's scrubber are in it too."""
    page = open_page(browser, studio.url, locale=locale)
    prompt = page.locator("#prompt textarea")
    page.locator("#starter-dialogue").click()
    expect(prompt).to_have_value(starter_prompt(Starter.DIALOGUE, [], lang), timeout=30_000)
    assert ("隔着咖啡馆" in prompt.input_value()) == (lang == ZH)

    prompt.fill("")
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text(t("verdict.accepted", lang), timeout=30_000)
    expect(prompt).to_have_value(t("example.prompt", lang))
    assert spec.tags_in_prompt(prompt.input_value()) == [1, 2]
    if lang == ZH:
        assert foreign_words(prompt.input_value()) == []
        expect(page.locator("#card-1-face")).to_contain_text("mira-the-explorer-zh.png")
    expect(page.locator("#card-2-up")).to_have_attribute("aria-label", t("script.card_left", lang, tag="character2"))
    expect(page.locator("#card-1-down")).to_have_attribute("aria-label", t("script.card_right", lang, tag="character1"))
    expect(page.locator("#card-2-remove")).to_have_attribute("aria-label", t("script.card_remove", lang,
                                                                             tag="character2"))

    # Two takes, compared: the scrubber's name and the time beside it in the page's language.
    page.locator("#takes input").click()
    page.get_by_role("option", name=t("ui.takes.2", lang), exact=True).click()
    page.locator("#generate-btn").click()
    expect(page.locator("#takes-grid-box video")).to_have_count(2, timeout=90_000)
    page.locator("#compare-takes").click()
    expect(page.locator("#compare-slots video.r2v-sync")).to_have_count(2, timeout=30_000)
    expect(page.locator("#compare-scrub")).to_have_attribute("aria-label", t("compare.scrub", lang))
    page.wait_for_function("() => [...document.querySelectorAll('#compare-slots video.r2v-sync')]"
                           ".every(v => v.readyState >= 1)")
    page.locator("#compare-play").click()
    expect(page.locator("#compare-time")).to_contain_text(" / ", timeout=30_000)
    expect(page.locator("#compare-time")).to_have_text(re.compile(r"\d+\.\d / \d+\.\d " + ("秒" if lang == ZH else "s")))
    page.context.close()


@pytest.mark.parametrize("locale,lang", [("en-US", EN), ("zh-CN", ZH)])
def test_gradios_own_announcement_after_an_event_is_said_in_words_not_as_its_key(browser, studio, locale, lang):
    """Issue 23: after every event Gradio's status tracker tells screen readers "common.complete" (its
    key: Gradio 6.31 has no words for it), in English as in Chinese."""
    page = open_page(browser, studio.url, locale=locale)
    page.locator("#load-example").click()  # an event that answers
    live = page.locator(".gradio-container .sr-only[aria-live]").first
    expect(live).to_have_text(t("gradio.complete", lang), timeout=30_000)
    assert re.findall(r"\bcommon\.\w+", page.evaluate("document.body.innerText")) == []
    page.context.close()
