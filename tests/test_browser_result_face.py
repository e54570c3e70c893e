"""The result pane, takes, Compare, History's gallery, the header and the phone's bar as a person meets
them in Chromium (issue 23), measured on real geometry:

* takes: each player at least 200 px wide on a laptop, a poster before it plays, playing on hover and
  on a tap; a running take shows its percent;
* the phone's fixed bar covers nothing: the last row of the page and the progress after Generate are
  above it (`elementFromPoint` finds them, not the bar); after a reload a running job is announced;
* a blocked Generate says why inside the result pane; the repeat question is a dialog over the page
  and the finished video does not move;
* demo mode never mentions money (the page after a finished job, History's detail, Compare);
* the download's suggested name is the one a person can file;
* a Chinese page keeps its header and tabs in place across tabs, and Compare on a phone gives each
  video the screen's width with its differences on one line;
* axe-core finds nothing critical or serious in any of these states."""

from __future__ import annotations

import re

import httpx
import pytest

from r2v_ui.workspace import filenames
from tests.fixtures_browser import (DESKTOP, MONEY, PHONE, RUNNING_STATES, axe_violations, browser_marks,
                                    choose_takes, covered_by_bar, expect, load_example, open_page, wait_state, upload_to_card)
from tests.fixtures_ui import character_png, running_studio

pytestmark = browser_marks
FINISH_SECONDS = 4.0


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("result-face"), finish_seconds=FINISH_SECONDS) as s:
        yield s


def no_axe(page, state: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{state}: {found}"


def test_takes_are_big_enough_show_percent_while_running_and_play_on_hover_and_tap(browser, studio):
    page = open_page(browser, studio.url, DESKTOP)
    load_example(page)
    choose_takes(page, 2)
    page.locator("#generate-btn").click()
    # Each running take shows its percent in its own cell.
    page.wait_for_function("""() => { const c = [...document.querySelectorAll('#takes-grid-box .take .take-pct')];
                                      return c.length === 2 && c.every(e => /^\\d+%$/.test(e.textContent.trim())); }""",
                           timeout=60_000)
    no_axe(page, "takes running")
    expect(page.locator("#takes-grid-box video")).to_have_count(2, timeout=90_000)
    videos = page.locator("#takes-grid-box video")
    for i in range(2):
        box = videos.nth(i).bounding_box()
        assert box["width"] >= 200, box  # two to a row in the pane, each big enough to judge
        assert videos.nth(i).get_attribute("poster"), "a poster before it plays"
        assert videos.nth(i).evaluate("v => v.paused && !v.controls")
    page.wait_for_function("() => [...document.querySelectorAll('#takes-grid-box video')].every(v => v.readyState >= 1)")
    videos.nth(0).hover()  # pointing plays it (muted)
    page.wait_for_function("() => { const v = document.querySelectorAll('#takes-grid-box video')[0]; return !v.paused && v.currentTime > 0; }")
    page.mouse.move(2, 2)
    page.wait_for_function("() => document.querySelectorAll('#takes-grid-box video')[0].paused")
    videos.nth(1).click()  # a tap plays it and brings its controls
    page.wait_for_function("() => { const v = document.querySelectorAll('#takes-grid-box video')[1]; return !v.paused && v.controls; }")
    no_axe(page, "takes done")
    page.context.close()


@pytest.fixture
def slow_jobs(studio):
    """This test's jobs take 30 s (long enough to reload the page while one runs); the module's pace after."""
    config = studio.studio.emulator.base_url + "/emulator/config"
    httpx.post(config, json={"finish_seconds": 30.0}).raise_for_status()
    yield
    httpx.post(config, json={"finish_seconds": FINISH_SECONDS}).raise_for_status()


def test_the_phones_bar_covers_nothing_at_the_end_of_the_page_or_after_generate(browser, studio, slow_jobs):
    page = open_page(browser, studio.url, PHONE)
    load_example(page)
    # Scrolled to the very end: the page's last row (Gradio's footer) is above the bar, reachable.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => Math.ceil(window.scrollY + innerHeight) >= document.documentElement.scrollHeight - 1")
    assert covered_by_bar(page, "footer") == []
    last_control = "#result-pane button:not([disabled]):not(#generate-btn):not(#bar-status)"
    assert page.evaluate(f"""() => {{ const els = [...document.querySelectorAll('{last_control}')].filter(e => e.offsetParent);
                                      const bar = document.querySelector('.generate-bar');
                                      return els.every(e => bar.contains(e) || e.getBoundingClientRect().bottom <=
                                                            bar.getBoundingClientRect().top); }}""")
    no_axe(page, "phone at the end")
    # A control the keyboard reaches near the bottom is scrolled above the bar, not under it.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#prompt textarea").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
                                       const bar = document.querySelector('.generate-bar');
                                       return bar.contains(document.activeElement) || r.bottom <= bar.getBoundingClientRect().top + 1; }""")
    assert focused

    page.locator("#generate-btn").click()
    wait_state(page, RUNNING_STATES)
    # The progress comes into view above the bar, whole.
    page.wait_for_function("""() => { const r = document.getElementById('job-status-box').getBoundingClientRect();
                                      const bar = document.querySelector('.generate-bar').getBoundingClientRect();
                                      return r.top >= 0 && r.bottom <= bar.top; }""", timeout=15_000)
    assert covered_by_bar(page, "#job-status-box") == []
    no_axe(page, "phone running")
    # After a reload, the running job is said in the bar, and a tap on it shows the progress.
    page.reload()
    expect(page.locator("#bar-status")).not_to_be_empty(timeout=30_000)
    expect(page.locator("#bar-status")).to_be_in_viewport()
    page.locator("#bar-status").click()
    page.wait_for_function("""() => { const r = document.getElementById('job-status-box').getBoundingClientRect();
                                      const bar = document.querySelector('.generate-bar').getBoundingClientRect();
                                      return r.top >= 0 && r.top < bar.top; }""")
    wait_state(page, ["succeeded"])
    expect(page.locator("#bar-status")).to_be_empty()
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_blocked_generate_says_why_inside_the_result_pane_until_the_cast_changes(browser, studio, viewport, tmp_path):
    page = open_page(browser, studio.url, viewport)
    page.locator("#generate-btn").click()  # nothing on the cards, no prompt
    expect(page.locator("#form-alert .form-alert")).to_contain_text("Nothing was sent", timeout=30_000)
    said = page.locator("#result-pane #pane-alert-text")
    expect(said).to_contain_text("Nothing was sent")
    expect(said).to_be_in_viewport()  # where the user looks: beside Generate
    assert page.locator("#form-alert .form-alert").inner_text().strip() == said.inner_text().strip()
    no_axe(page, "blocked")
    # The cast changes: the reason was said of the cast as it was, so it leaves both places (no stale alert).
    upload_to_card(page, 1, character_png(tmp_path / "nia.png", (200, 90, 120)))
    expect(page.locator("#card-1-face img")).to_be_visible(timeout=30_000)
    expect(page.locator("#form-alert .form-alert")).to_have_count(0)
    expect(said).to_be_hidden()
    page.context.close()


def test_the_repeat_question_is_a_dialog_over_the_page_and_the_video_stays_put(browser, studio, repeat_window):
    page = open_page(browser, studio.url, DESKTOP)
    load_example(page)
    page.locator("#generate-btn").click()
    wait_state(page, ["succeeded"])
    video = page.locator("#result-video video")
    page.wait_for_function("() => document.querySelector('#result-video video').readyState >= 1")
    before = video.bounding_box()
    page.locator("#generate-btn").click()  # the same draft again, a moment later
    expect(page.locator("#confirm-box")).to_be_visible(timeout=30_000)
    expect(page.locator("#confirm-text")).to_contain_text("You started this same video")
    assert video.bounding_box() == before  # the question did not push the video down
    assert page.evaluate("getComputedStyle(document.getElementById('confirm-box')).position") == "fixed"
    expect(page.locator("#confirm-go")).to_be_focused()  # a dialog takes the focus
    no_axe(page, "repeat dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#confirm-box")).to_be_hidden()
    page.context.close()


def test_demo_mode_never_mentions_money_after_a_job_in_history_or_in_compare(browser, studio):
    page = open_page(browser, studio.url, DESKTOP)
    load_example(page)
    page.locator("#generate-btn").click()  # one video: the pane shows its settings
    wait_state(page, ["succeeded"])
    expect(page.locator("#result-summary")).to_contain_text("Seed used")
    text = page.locator("body").inner_text()
    assert not MONEY.search(text), MONEY.search(text)
    choose_takes(page, 2)
    page.locator("#generate-btn").click()
    expect(page.locator("#takes-grid-box video")).to_have_count(2, timeout=90_000)
    text = page.locator("body").inner_text()
    assert not MONEY.search(text), MONEY.search(text)
    page.locator("#compare-takes").click()
    expect(page.locator("#compare-slots video.r2v-sync")).to_have_count(2, timeout=30_000)
    text = page.locator("body").inner_text()
    assert not MONEY.search(text), MONEY.search(text)
    page.get_by_role("tab", name="History").click()
    page.locator(".gallery-card").first.click()
    expect(page.locator("#history-info")).to_contain_text("Seed used", timeout=30_000)
    text = page.locator("body").inner_text()
    assert not MONEY.search(text), MONEY.search(text)
    page.context.close()


def test_the_download_is_named_so_a_person_can_file_it(browser, studio):
    page = open_page(browser, studio.url, DESKTOP)
    load_example(page)
    page.locator("#generate-btn").click()
    wait_state(page, ["succeeded"])
    snap = studio.studio.manager.list_page(limit=1)[0][0]  # this test's job: the newest (tests here run one by one)
    expected = filenames.for_snapshot(snap)
    assert re.fullmatch(r"[\w-]+_seed\d+\.mp4", expected), expected
    with page.expect_download() as info:
        page.locator("#download-result").click()
    assert info.value.suggested_filename == expected
    page.context.close()


def test_a_chinese_page_keeps_its_header_and_tabs_in_place_across_tabs(browser, studio):
    page = open_page(browser, studio.url, DESKTOP, locale="zh-CN")
    tabs = page.locator("#main-tabs [role=tab]")
    assert tabs.all_inner_texts()[:3] == ["工作室", "对比", "历史记录"]

    def boxes():  # where each sits and how wide (the tabs' panel is as tall as its content)
        return [{k: b[k] for k in ("x", "y", "width")} | ({} if s == "#main-tabs" else {"height": b["height"]})
                for s in ("#studio-header", "#main-tabs", "#main-tabs [role=tablist]")
                for b in [page.locator(s).bounding_box()]]

    first = boxes()
    for name in ("对比", "历史记录", "工作室"):
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        assert boxes() == first, (name, boxes(), first)
    page.context.close()


def test_an_english_browser_that_chose_chinese_sees_every_tab_in_chinese(browser, studio):
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.add_cookies([{"name": "r2v_lang", "value": "zh-CN", "url": studio.url}])
    page = context.new_page()
    page.goto(studio.url)
    expect(page.locator("#mode-badge")).to_contain_text("演示模式", timeout=30_000)
    expect(page.locator("#generate-btn")).to_have_text("生成视频", timeout=30_000)
    expect(page.locator("#main-tabs [role=tab]").nth(1)).to_have_text("对比")
    expect(page.locator("#main-tabs [role=tab]").nth(2)).to_have_text("历史记录")
    context.close()


def test_compare_on_a_phone_gives_each_video_the_width_and_one_line_of_differences(browser, studio):
    page = open_page(browser, studio.url, PHONE, locale="zh-CN")
    load_example(page, accepted="可以使用")
    choose_takes(page, 2)
    page.locator("#generate-btn").click()
    expect(page.locator("#takes-grid-box video")).to_have_count(2, timeout=90_000)
    page.locator("#compare-takes").click()
    cells = page.locator("#compare-slots video.r2v-sync")
    expect(cells).to_have_count(2, timeout=30_000)
    width = page.locator("#main-tabs").bounding_box()["width"]  # the page's column on a phone
    for i in range(2):
        box = cells.nth(i).bounding_box()
        assert box["width"] >= width - 32, (box, width)  # one video a row, the column's whole width
    tops = [cells.nth(i).bounding_box()["y"] for i in range(2)]
    assert tops[1] > tops[0] + 100  # one under the other
    for i in (1, 2):
        lines = page.locator(f"#compare-cell-{i} .compare-caption").evaluate(
            "p => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight))")
        assert lines == 1, lines
    no_axe(page, "compare on a phone")
    page.context.close()


def test_history_is_a_gallery_of_posters_with_a_batch_grouped_and_a_list_view_remembered(browser, studio):
    page = open_page(browser, studio.url, DESKTOP)
    load_example(page)
    choose_takes(page, 2)
    page.locator("#generate-btn").click()
    expect(page.locator("#takes-grid-box video")).to_have_count(2, timeout=90_000)
    page.get_by_role("tab", name="History").click()
    batch = page.locator("#history-gallery .gallery-batch").first
    expect(batch).to_contain_text("2 takes of one draft", timeout=30_000)
    cards = batch.locator(".gallery-card")
    expect(cards).to_have_count(2)
    for i in range(2):  # a poster, its state, which take, length, size, and the prompt's first words
        card = cards.nth(i)
        expect(card.locator(".gallery-poster img")).to_have_attribute("src", re.compile(r"gradio_api/file="))
        expect(card).to_contain_text("Finished")
        expect(card).to_contain_text(f"Take {i + 1}")
        expect(card).to_contain_text("5 s · 1080P 16:9")
        expect(card.locator(".gallery-words")).not_to_be_empty()
        assert card.locator(".gallery-poster img").evaluate("i => i.complete && i.naturalWidth > 0")
    expect(page.locator("#history-list")).to_be_hidden()  # the list is the other view
    no_axe(page, "history gallery")
    cards.nth(1).click()  # a card opens its job, as its list entry does
    expect(page.locator("#history-remix")).to_be_visible(timeout=30_000)
    expect(page.locator("#history-info")).to_contain_text("Seed used")
    expect(cards.nth(1)).to_have_attribute("aria-pressed", "true")

    page.locator("#history-view button[data-view=list]").click()
    expect(page.locator("#history-list")).to_be_visible()
    expect(page.locator("#history-gallery")).to_be_hidden()
    page.reload()  # this browser's choice is kept
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-list label").first).to_be_visible(timeout=30_000)
    expect(page.locator("#history-view button[data-view=list]")).to_have_attribute("aria-pressed", "true")
    no_axe(page, "history list")
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_historys_pager_is_one_row_on_a_phone(browser, studio, locale):
    """Issue 23: on a phone History's pager wrapped to three lines (each button a third of the row, the
    page's words squeezed between them).  Now: one row, the words on one line, even for a big library."""
    page = open_page(browser, studio.url, PHONE, locale=locale)
    page.locator("#tab-history-button").click()
    info = page.locator("#history-page-info .page-info")
    expect(info).to_be_visible(timeout=30_000)
    lang = "zh-CN" if locale.startswith("zh") else "en"
    from r2v_ui.messages import t  # the words of a big library's pager, in the page's own span
    info.evaluate("(el, words) => { el.textContent = words; }", t("history.page", lang, page=12, pages=500, total=9981))
    boxes = [page.locator(s).bounding_box() for s in ("#history-prev", "#history-page-info", "#history-next")]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] and boxes[1]["x"] + boxes[1]["width"] <= boxes[2]["x"]
    centres = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(centres) - min(centres) < 8, boxes  # one row
    lines = info.evaluate("s => Math.round(s.getBoundingClientRect().height / parseFloat(getComputedStyle(s).lineHeight))")
    assert lines == 1, lines
    assert boxes[0]["height"] >= 24 and boxes[2]["height"] >= 24  # still easy to tap
    page.context.close()
