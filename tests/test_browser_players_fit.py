"""Every player fits the screen, whatever the video's shape: a 9:16 take and a 16:9 one in Compare stand
side by side at one height, their tops in line, both whole in view; a 9:16 video in History's detail
and in the result pane's takes is never taller than the screen (and a 9:16 take gets a tall box, not
a strip inside a 16:9 one).

Compare's players had no maximum height: beside a 16:9 video a 9:16 one was ~1000 px tall on a
laptop, and on a phone taller than the screen.  For each of 1400×1000 and 390×844, in English and in
Chinese: two finished jobs (16:9 and 9:16) into Compare from History, and two 9:16 takes generated
from the page.  Geometry from bounding boxes; axe-core finds nothing critical or serious.
Screenshots go to test-artifacts/shots/players-fit/.
"""

from __future__ import annotations

import re

import pytest

from r2v_ui.messages import EN, ZH, t
from tests.fixtures_browser import (shoot, DESKTOP, PHONE, axe_violations, browser_marks, choose_takes, expect, load_example,
                                    open_page, wait_state)
from tests.fixtures_jobs import wide_and_tall_jobs
from tests.fixtures_ui import running_studio

pytestmark = browser_marks
VARIANTS = {"desktop-en": (DESKTOP, EN, "en-US"), "desktop-zh": (DESKTOP, ZH, "zh-CN"),
            "phone-en": (PHONE, EN, "en-US"), "phone-zh": (PHONE, ZH, "zh-CN")}

# A player's box once scrolled to the middle of the screen (it is whole in view if it fits).
CENTRED = """el => { el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, width: r.width,
          vw: innerWidth, vh: innerHeight}; }"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("players-fit-data"), finish_seconds=0.5) as s:
        yield s


@pytest.fixture(scope="module")
def jobs(studio, tmp_path_factory):
    """A 16:9 job and a 9:16 one, both finished (the 16:9 one first: the tall one lands beside it)."""
    wide, tall = wide_and_tall_jobs(studio.studio.manager, tmp_path_factory.mktemp("players-fit-refs"))
    return {"wide": wide, "tall": tall}


def with_metadata(page, video) -> tuple[int, int]:
    """The video's own frame size, once the browser knows it (the box may change with it)."""
    page.wait_for_function("v => v.readyState >= 1 && v.videoWidth > 0", arg=video.element_handle(), timeout=30_000)
    return tuple(video.evaluate("v => [v.videoWidth, v.videoHeight]"))


def whole_in_view(box: dict, what: str) -> None:
    assert box["height"] <= box["vh"] and box["top"] >= 0 and box["bottom"] <= box["vh"], f"{what} is taller than the screen: {box}"
    assert box["left"] >= 0 and box["right"] <= box["vw"] + 0.5, f"{what} is wider than the screen: {box}"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_tall_and_a_wide_video_fit_the_screen_in_history_and_compare(browser, studio, jobs, variant):
    viewport, lang, locale = VARIANTS[variant]
    say = lambda key, **kw: re.sub(r"<[^>]+>", "", t(key, lang, **kw))  # noqa: E731
    page = open_page(browser, studio.url, viewport, locale=locale)
    try:
        page.get_by_role("tab", name=say("ui.tab.history")).click()
        for shape in ("wide", "tall"):  # each into Compare from its detail (the second joins the first)
            card = page.locator(f'#history-gallery .gallery-card[data-job="{jobs[shape]}"]')
            expect(card).to_be_visible(timeout=30_000)
            card.click()
            video = page.locator("#history-video video")
            expect(video).to_have_attribute("src", re.compile(r"."), timeout=30_000)
            page.wait_for_function(  # this job's video: portrait for the tall one, landscape for the wide one
                "tall => { const v = document.querySelector('#history-video video');"
                " return v && v.readyState >= 1 && v.videoWidth > 0 && (v.videoHeight > v.videoWidth) === tall; }",
                arg=shape == "tall", timeout=30_000)
            whole_in_view(video.evaluate(CENTRED), f"{variant}: History's {shape} player")
            if shape == "tall":
                assert axe_violations(page) == []
                shoot(page, "players-fit", f"players-fit-{variant}-1-history-tall.png")
            page.locator("#history-compare").click()
            expect(page.get_by_role("tab", name=say("ui.tab.compare"))).to_have_attribute("aria-selected", "true")
            if shape == "wide":
                page.get_by_role("tab", name=say("ui.tab.history")).click()

        cells = [page.locator(f'#compare-slots .compare-cell[data-job="{jobs[shape]}"]') for shape in ("wide", "tall")]
        videos = [c.locator("video") for c in cells]
        natural = [with_metadata(page, v) for v in videos]
        assert natural[0][0] > natural[0][1] and natural[1][1] > natural[1][0], natural  # wide, then tall
        columns = [page.locator(".compare-col").filter(has=page.locator(f'.compare-cell[data-job="{jobs[shape]}"]'))
                   for shape in ("wide", "tall")]
        if viewport is PHONE:  # one a row: each player with its caption and Keep within the screen
            for shape, video, column in zip(("wide", "tall"), videos, columns):
                whole_in_view(video.evaluate(CENTRED), f"{variant}: Compare's {shape} player")
                whole_in_view(column.evaluate(CENTRED), f"{variant}: Compare's {shape} cell with its Keep")
        else:  # side by side: one height, tops in line, both whole in view with the controls above them
            boxes = [v.bounding_box() for v in videos]
            assert abs(boxes[0]["y"] - boxes[1]["y"]) <= 1 and abs(boxes[0]["height"] - boxes[1]["height"]) <= 1, boxes
            assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"], boxes  # beside each other
            for shape, video in zip(("wide", "tall"), videos):
                whole_in_view(video.evaluate(CENTRED), f"{variant}: Compare's {shape} player")
            page.locator("#compare-controls").evaluate("e => e.scrollIntoView({block: 'start'})")
            controls, slots = page.locator("#compare-controls").bounding_box(), page.locator("#compare-slots").bounding_box()
            assert slots["y"] + slots["height"] - controls["y"] <= viewport["height"], (controls, slots)
        assert axe_violations(page) == []
        page.locator("#compare-controls" if viewport is DESKTOP else "#compare-slots").evaluate(
            "e => e.scrollIntoView({block: 'start'})")
        shoot(page, "players-fit", f"players-fit-{variant}-2-compare.png")
        if viewport is PHONE:
            cells[1].evaluate("e => e.scrollIntoView({block: 'start'})")
            shoot(page, "players-fit", f"players-fit-{variant}-3-compare-tall.png")
    finally:
        page.context.close()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_tall_takes_in_the_result_pane_fit_the_screen(browser, studio, variant):
    viewport, lang, locale = VARIANTS[variant]
    page = open_page(browser, studio.url, viewport, locale=locale)
    try:
        load_example(page, re.sub(r"<[^>]+>", "", t("verdict.accepted", lang)))
        page.locator("#aspect label").filter(has_text=re.compile(r"^\s*9:16\s*$")).click()
        expect(page.locator("#aspect input[type=radio]:checked")).to_have_value("9:16")
        choose_takes(page, 2)
        page.locator("#generate-btn").click()
        videos = page.locator("#takes-grid-box video")
        expect(videos).to_have_count(2, timeout=90_000)
        wait_state(page, ["succeeded"])
        for i in range(2):
            w, h = with_metadata(page, videos.nth(i))
            assert h > w, (w, h)  # a 9:16 take
            box = videos.nth(i).evaluate(CENTRED)
            whole_in_view(box, f"{variant}: take {i + 1}'s player")
            assert box["height"] > box["width"], f"{variant}: a 9:16 take in a wide box (a strip of picture): {box}"
        if viewport is DESKTOP:  # side by side, tops in line
            a, b = videos.nth(0).bounding_box(), videos.nth(1).bounding_box()
            assert abs(a["y"] - b["y"]) <= 1 and abs(a["height"] - b["height"]) <= 1, (a, b)
        assert axe_violations(page) == []
        page.locator("#takes-grid-box").evaluate("e => e.scrollIntoView({block: 'center'})")
        shoot(page, "players-fit", f"players-fit-{variant}-4-takes-tall.png")
    finally:
        page.context.close()
