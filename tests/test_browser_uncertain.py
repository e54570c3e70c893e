"""A "submission uncertain" job settled from History's detail in another browser of its owner, in a
real browser (Chromium): one browser starts a video whose submit answer is lost; a second browser
of the same owner (a loopback studio: one library) finds it in History, sees what to do, pastes the
task id found in the account and follows it — nothing is sent again.  The detail's decision is
looked at in English and Chinese, on a laptop and a phone, and checked with axe-core."""

from __future__ import annotations

import httpx

from tests.fixtures_browser import (DESKTOP, PHONE, axe_violations, browser_marks, expect, open_page, upload_to_card,
                                    wait_state)
from tests.fixtures_ui import character_png, running_studio

pytestmark = browser_marks

PROMPT = "character1 rows a boat across a misty lake"
WORDS = {"en": ("History", "Needs a decision", "Follow this task", "Discard"),
         "zh-CN": ("历史记录", "待决定", "跟进这个任务", "放弃")}


def faults(studio, rules: list[dict]) -> None:
    r = httpx.post(studio.studio.emulator.base_url + "/emulator/faults", json={"seed": 1, "rules": rules}, timeout=10)
    assert r.status_code == 200, r.text


def open_uncertain_in_history(browser, url: str, viewport: dict, locale: str | None):
    """A browser of the owner: History, the job that needs a decision, its detail."""
    words = WORDS[locale or "en"]
    page = open_page(browser, url, viewport, locale=locale)
    page.get_by_role("tab", name=words[0]).click()
    item = page.locator("#history-gallery .gallery-card").filter(has_text="misty lake").first
    expect(item).to_be_visible(timeout=30_000)
    item.click()
    decision = page.locator("#history-decision")
    expect(decision).to_be_visible(timeout=30_000)
    expect(decision.get_by_role("button", name=words[2])).to_be_visible()
    expect(decision.get_by_role("button", name=words[3])).to_be_visible()
    return page


def test_a_second_browser_of_the_owner_follows_the_task_from_history(browser, tmp_path_factory, tmp_path,
                                                                    artifacts_dir):
    with running_studio(tmp_path_factory.mktemp("uncertain-browser"), finish_seconds=1.0) as studio:
        emu = studio.studio.emulator
        # The first browser starts the video; the answer to its submit is lost after the task was made.
        first = open_page(browser, studio.url)
        upload_to_card(first, 1, character_png(tmp_path / "oar.png", (40, 120, 160)))
        expect(first.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
        first.locator("#prompt textarea").fill(PROMPT)
        tasks_before = set(emu.state.tasks)
        faults(studio, [{"route": "submit", "kind": "drop", "after_create": True, "times": 1}])
        first.locator("#generate-btn").click()
        assert wait_state(first, ["uncertain", "succeeded", "failed"]) == "uncertain"
        faults(studio, [])
        (task,) = set(emu.state.tasks) - tasks_before  # what the user finds in their account's task list
        sent = emu.state.stats()["submits"]
        first.context.close()  # that browser is gone (closed, crashed, another machine)

        for locale, viewport, name in ((None, PHONE, "en-phone"), ("zh-CN", DESKTOP, "zh-desktop"),
                                       ("zh-CN", PHONE, "zh-phone")):
            look = open_uncertain_in_history(browser, studio.url, viewport, locale)
            look.locator("#history-decision").scroll_into_view_if_needed()
            assert axe_violations(look) == []  # (also waits until the page has finished updating)
            look.screenshot(path=str(artifacts_dir / f"history-uncertain-{name}.png"))
            assert look.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            look.context.close()

        second = open_uncertain_in_history(browser, studio.url, DESKTOP, None)
        assert axe_violations(second) == []
        second.screenshot(path=str(artifacts_dir / "history-uncertain-en-desktop.png"))
        second.locator("#history-found-task-id textarea, #history-found-task-id input").first.fill(task)
        second.locator("#history-attach-task").click()
        # It goes on in the Studio tab of this browser, and ends with the video; nothing was sent again.
        expect(second.locator("#generate-btn")).to_be_visible(timeout=30_000)
        assert wait_state(second, ["succeeded", "failed"]) == "succeeded"
        assert emu.state.stats()["submits"] == sent
        (job,) = [s for s in studio.studio.manager.list_jobs() if s.settings.get("prompt") == PROMPT]
        assert job.state == "succeeded" and job.task_id == task
        second.context.close()
