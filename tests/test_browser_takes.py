"""Takes and Compare in a real browser, at 1400×1000 and 390×844: three takes from one click fill a
grid of playing videos, the price says it is for three, "Compare these takes" plays them side by
side in step (one scrubber: every video at the same time after a seek; one play button), "Keep this
one" marks a favourite that History's "Kept" filter finds.  Geometry and axe-core in each state;
screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import (DESKTOP, PHONE, axe_violations, browser_marks, expect, in_viewport,
    no_sideways_scroll, open_page)
from tests.fixtures_ui import running_studio, submits

pytestmark = browser_marks
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SYNCED = "#compare-slots video.r2v-sync"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("takes-data"), finish_seconds=2.0) as s:
        yield s


def choose_takes(page, n: int) -> None:
    page.locator("#takes input").click()
    page.get_by_role("option", name=f"{n} takes", exact=True).click()
    expect(page.locator("#takes input")).to_have_value(f"{n} takes")


def times(page) -> list[float]:
    return page.evaluate(f"[...document.querySelectorAll('{SYNCED}')].map(v => v.currentTime)")


@pytest.mark.parametrize("size", SIZES)
def test_three_takes_fill_a_grid_and_compare_plays_them_in_step(browser, studio, size, artifacts_dir):
    vp = SIZES[size]
    page = open_page(browser, studio.url, vp)
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)
    choose_takes(page, 3)
    expect(page.locator("#price-estimate")).to_contain_text("3 takes")
    before = submits(studio)

    page.locator("#generate-btn").click()
    expect(page.locator("#takes-grid-box figure.take")).to_have_count(3, timeout=30_000)
    page.screenshot(path=str(artifacts_dir / f"takes-{size}-1-running.png"))
    expect(page.locator("#takes-grid-box video")).to_have_count(3, timeout=90_000)
    expect(page.locator("#job-status-box")).to_have_attribute("data-state", "succeeded")
    assert submits(studio) - before == 3  # one click, three jobs
    seeds = page.locator("#takes-grid-box figcaption").all_inner_texts()
    assert len({s.split("seed")[1].split()[0] for s in seeds}) == 3, seeds  # each take its own seed
    # Every take's video loads and plays in the grid.
    page.wait_for_function("() => [...document.querySelectorAll('#takes-grid-box video')].every(v => v.readyState >= 1)")
    page.evaluate("document.querySelectorAll('#takes-grid-box video').forEach(v => { v.muted = true; v.play(); })")
    page.wait_for_function("() => [...document.querySelectorAll('#takes-grid-box video')].every(v => v.currentTime > 0)")
    grid = page.locator("#takes-grid-box").bounding_box()
    assert grid["x"] >= 0 and grid["x"] + grid["width"] <= vp["width"] + 1, grid
    assert no_sideways_scroll(page)[0] <= vp["width"]
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"takes-{size}-2-done.png"), full_page=True)

    page.locator("#compare-takes").click()
    expect(page.locator(SYNCED)).to_have_count(3, timeout=30_000)
    page.wait_for_function(f"() => [...document.querySelectorAll('{SYNCED}')].every(v => v.readyState >= 1)")
    page.screenshot(path=str(artifacts_dir / f"takes-{size}-3a-opened.png"))
    # Opened from the foot of the page on a phone: the controls come into view by themselves.
    page.wait_for_function("""() => { const r = document.getElementById('compare-play').getBoundingClientRect();
                                      return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    assert in_viewport(page, "#compare-play")
    page.locator("#compare-scrub").fill("600")  # one scrubber moves every video
    page.wait_for_function(f"() => [...document.querySelectorAll('{SYNCED}')].every(v => !v.seeking)")
    at = times(page)
    assert at[0] > 0.5 and max(at) - min(at) <= 0.25, at
    page.locator("#compare-play").click()  # one button plays them all
    page.wait_for_function(f"() => [...document.querySelectorAll('{SYNCED}')].every(v => !v.paused)")
    page.locator("#compare-play").click()
    page.wait_for_function(f"() => [...document.querySelectorAll('{SYNCED}')].every(v => v.paused)")
    at = times(page)
    assert max(at) - min(at) <= 0.25, at
    expect(page.locator("#compare-cell-1 .compare-diff")).to_contain_text("seed")  # only what differs
    expect(page.locator("#compare-cell-1 .compare-diff")).not_to_contain_text("size")
    assert no_sideways_scroll(page)[0] <= vp["width"]
    keeps = [page.locator(f"#compare-keep-{i}").bounding_box() for i in (1, 2)]
    if size == "desktop":  # side by side, the Keep buttons of a row line up whatever the notes above
        assert abs(keeps[0]["y"] - keeps[1]["y"]) <= 2, keeps
    else:  # a phone: one video a row, each with its Keep button under it, as wide as the video
        assert keeps[1]["y"] > keeps[0]["y"] + 100, keeps
        assert abs(keeps[0]["width"] - keeps[1]["width"]) <= 2, keeps
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"takes-{size}-3-compare.png"), full_page=True)

    take_ids = page.locator("#takes-grid-box figure.take").evaluate_all("els => els.map(e => e.dataset.job)")
    page.locator("#compare-keep-2").click()
    expect(page.locator("#compare-keep-2")).to_contain_text("Kept")
    manager = studio.studio.manager
    assert manager.snapshot(take_ids[1]).favourite and not manager.snapshot(take_ids[0]).favourite
    page.get_by_role("tab", name="History").click()
    page.locator("#history-filter label", has_text="Kept").click()
    kept, total = manager.list_page(status="kept")  # the studio is shared by this module's tests
    assert take_ids[1] in [s.job_id for s in kept]
    expect(page.locator("#history-gallery .gallery-card")).to_have_count(total)
    for card in page.locator("#history-gallery .gallery-card").all_inner_texts():
        assert "★" in card and "Take" in card, card  # kept, and which take of its batch
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"takes-{size}-4-kept.png"))
    page.context.close()
