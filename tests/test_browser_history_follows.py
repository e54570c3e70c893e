"""History keeps itself current by following the job hub, not a timer: a job started elsewhere
appears in an open History and its line turns done when it finishes, without a click; once another
tab is chosen, History's stream ends (nothing waits on the hub for it)."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import browser_marks, expect, open_page
from tests.fixtures_emulator import wait_until
from tests.fixtures_jobs import two_picture_draft
from tests.fixtures_ui import running_studio

pytestmark = browser_marks


@pytest.fixture
def studio(tmp_path):
    with running_studio(tmp_path / "data", finish_seconds=2.0) as s:
        yield s


def list_waiters(studio) -> int:
    """How many streams wait on the hub's list version now (History's)."""
    return studio.studio.manager.list_watchers()


def test_an_open_history_shows_a_new_job_and_its_end_without_a_click(browser, studio, tmp_path):
    page = open_page(browser, studio.url)
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-empty")).to_contain_text("No videos here yet", timeout=30_000)
    wait_until(lambda: list_waiters(studio) == 1, 30)  # History's stream follows the hub

    job_id = studio.studio.manager.start(two_picture_draft(tmp_path, prompt="character1 rides a tandem with character2"))
    item = page.locator("#history-gallery .gallery-card")
    expect(item).to_have_count(1, timeout=30_000)
    expect(item.first).to_contain_text("rides a tandem")
    expect(item.first).to_contain_text("✓", timeout=60_000)  # the same line, once the job is done
    assert studio.studio.manager.snapshot(job_id).state == "succeeded"

    page.get_by_role("tab", name="Studio").click()
    wait_until(lambda: list_waiters(studio) == 0, 30)  # History out of sight: its stream has ended
    page.context.close()
