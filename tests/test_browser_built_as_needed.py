"""The page is built as it is needed (issue #14, item 7): a first visit carries one character card
and the Studio tab; the other four cards come into the page when "+ Add character" asks for them,
and the History, Compare and library contents when their tab is opened.  Its HTML, which carries
the page's configuration, goes over the wire compressed.  (Bytes are measured, not asserted, by
tests/bench_page.py.)"""

from __future__ import annotations

import gzip

import httpx
import pytest

from tests.fixtures_browser import DESKTOP, PHONE, browser_marks, expect, in_viewport, no_sideways_scroll, open_page
from tests.fixtures_ui import running_studio

pytestmark = browser_marks
IN_DOM = "(ids) => ids.filter(id => document.getElementById(id) !== null)"
LATER_CARDS = [f"card-{n}" for n in range(2, 6)]
OTHER_TABS = ["history-controls", "history-detail", "compare-slots", "compare-picker"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("as-needed-data"), finish_seconds=1.0) as s:
        yield s


def test_the_page_html_goes_over_the_wire_compressed(studio):
    with httpx.Client(timeout=30) as client:
        raw = client.get(studio.url, headers={"Accept-Encoding": "identity"})
        with client.stream("GET", studio.url, headers={"Accept-Encoding": "gzip"}) as packed:
            wire = b"".join(packed.iter_raw())
    assert raw.status_code == packed.status_code == 200
    assert "content-encoding" not in raw.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(wire) == raw.content  # the same page, whole
    assert len(wire) * 5 < len(raw.content), (len(wire), len(raw.content))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_cards_and_tabs_come_into_the_page_when_they_are_needed(browser, studio, size):
    page = open_page(browser, studio.url, DESKTOP if size == "desktop" else PHONE)
    assert page.evaluate(IN_DOM, ["card-1", "generate-btn"]) == ["card-1", "generate-btn"]
    assert page.evaluate(IN_DOM, LATER_CARDS + OTHER_TABS) == [], "only the first card and the Studio tab are built"

    page.locator("#add-character").click()
    expect(page.locator("#card-2")).to_be_visible()
    assert page.evaluate(IN_DOM, LATER_CARDS) == ["card-2"]
    page.locator("#card-2").scroll_into_view_if_needed()
    assert in_viewport(page, "#card-2")
    width, viewport = no_sideways_scroll(page)
    assert width <= viewport

    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-controls")).to_be_visible()
    assert page.evaluate(IN_DOM, ["compare-slots"]) == [], "Compare is still not built"
    page.get_by_role("tab", name="Compare").click()
    expect(page.locator("#compare-picker")).to_be_visible()
    page.context.close()
