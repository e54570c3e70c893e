"""The Spend tab and the budget bar in Chromium, in live pricing against the emulator: the owner at a
loopback studio sees 30 days of bars, the month against its budget, who spent what and the most
expensive videos, in English and in Chinese, at 1400×1000 and 390×844 (screenshots in
test-artifacts/), with no critical or serious axe-core finding; the bar beside Generate says what is
left of today's budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_browser import DESKTOP, PHONE, axe_violations, browser_marks, expect
from tests.fixtures_budget import arrive, generate, live_studio

gradio_client = pytest.importorskip("gradio_client")
pytestmark = browser_marks

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def spent_studio(tmp_path_factory, budget_service):
    with live_studio(tmp_path_factory.mktemp("spend"), budget_service, budget_day=2.00, budget_month=20.00) as s:
        client = arrive(gradio_client.Client(s.url, verbose=False))
        assert generate(client) == ""
        yield s


@pytest.mark.parametrize("locale,words", [("en-US", ("What this studio has spent", "Today's budget: $1.50 of $2.00 left",
                                                    "This month: $0.50 of $20.00", "this machine")),
                                          ("zh-CN", ("本工作室的花费", "今天的预算：$2.00 还剩 $1.50",
                                                     "本月：$0.50（预算 $20.00）", "本机"))])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_owner_sees_the_spend_tab_and_what_is_left_today(browser, spent_studio, locale, words, viewport):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(spent_studio.url)
        title, left, month, machine = words
        expect(page.locator("#budget-left-box")).to_contain_text(left)
        tab = page.get_by_role("tab", name="花费" if locale == "zh-CN" else "Spend")
        tab.click()
        view = page.locator("#spend-view")
        expect(view).to_contain_text(title)
        expect(view).to_contain_text(month)
        expect(view).to_contain_text(machine)
        bars = page.locator(".spend-bars .spend-col")
        expect(bars).to_have_count(30)
        today = page.locator(".spend-col.today > div")
        assert today.evaluate("el => el.getBoundingClientRect().height") > 50  # the only day with spend: the tallest
        size = "desktop" if viewport == DESKTOP else "phone"
        page.screenshot(path=str(ARTIFACTS / f"spend-{size}-{locale}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert axe_violations(page) == []
    finally:
        context.close()
