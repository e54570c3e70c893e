"""The creative loop of issue #9 in one sitting, in a real browser: save two characters once, write
"@Mira and @Robo argue about the last cookie" as a three-shot storyboard, ask for three takes (the
price box speaks for all three before anything is sent), watch them fill in, compare two side by
side, keep one — then restart the studio on the same data ("next week") and find Mira and Robo still
in the library and the kept take marked in History."""

from __future__ import annotations

import httpx

from tests.fixtures_browser import DESKTOP, axe_violations, browser_marks, expect, open_page, upload_to_card
from tests.fixtures_ui import character_png, running_studio

pytestmark = browser_marks
PROMPT = "@Mira and @Robo argue about the last cookie"
SHOTS = [("@Mira spots the last cookie", 2), ("@Robo reaches for it", 2), ("They both laugh", 1)]
SYNCED = "#compare-slots video.r2v-sync"


def save_card_as(page, n: int, name: str) -> None:
    page.locator(f"#card-{n}-save").click()
    page.locator("#library-name textarea, #library-name input").first.fill(name)
    page.locator("#library-save").click()
    expect(page.locator(".library-item").filter(has_text=f"@{name}")).to_be_visible()


def test_two_characters_a_storyboard_three_takes_compare_keep_and_all_of_it_next_week(browser, tmp_path,
                                                                                     artifacts_dir):
    data = tmp_path / "data"
    with running_studio(data, finish_seconds=1.5) as studio:
        page = open_page(browser, studio.url, DESKTOP)
        upload_to_card(page, 1, character_png(tmp_path / "mira.png", (200, 40, 60)))
        expect(page.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
        save_card_as(page, 1, "Mira")
        page.locator("#add-character").click()
        expect(page.locator("#card-2")).to_be_visible()  # its answer has landed (a late one would empty what is typed on it)
        upload_to_card(page, 2, character_png(tmp_path / "robo.png", (40, 90, 200)))
        expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)
        save_card_as(page, 2, "Robo")

        page.locator("#tier").get_by_label("720P").check()
        page.locator("#shot-type").get_by_label("Multi shot").check()
        page.get_by_text("Storyboard (optional)").click()
        page.locator("#prompt textarea").fill(PROMPT)
        for k, (text, seconds) in enumerate(SHOTS, start=1):
            if not page.locator(f"#shot-{k}-text textarea").is_visible():
                page.locator("#storyboard-add").click()
            page.locator(f"#shot-{k}-text textarea").fill(text)
            page.locator(f"#shot-{k}-seconds input").fill(str(seconds))
        expect(page.locator("#storyboard-preview")).to_contain_text("Shot 3 [4-5s]: They both laugh")
        page.locator("#takes input").click()
        page.get_by_role("option", name="3 takes", exact=True).click()
        expect(page.locator("#price-estimate")).to_contain_text("3 takes")  # before anything is sent
        assert httpx.get(studio.studio.emulator.base_url + "/emulator/stats").json()["submits"] == 0

        page.locator("#generate-btn").click()
        expect(page.locator("#takes-grid-box figure.take")).to_have_count(3, timeout=30_000)
        expect(page.locator("#takes-grid-box video")).to_have_count(3, timeout=90_000)
        jobs = studio.studio.manager.list_jobs()
        assert len(jobs) == 3 and len({j.seed_used for j in jobs}) == 3
        for job in jobs:  # every take sent the names as tags, shot by shot
            assert job.settings["prompt"].startswith("character1 and character2 argue about the last cookie\n")
            assert "Shot 2 [2-4s]: character2 reaches for it" in job.settings["prompt"]

        page.locator("#compare-takes").click()
        expect(page.locator(SYNCED)).to_have_count(3, timeout=30_000)
        page.locator("#compare-picker").get_by_role("button", name="Remove").last.click()  # two of them
        expect(page.locator(SYNCED)).to_have_count(2, timeout=30_000)
        page.wait_for_function(f"() => [...document.querySelectorAll('{SYNCED}')].every(v => v.readyState >= 1)")
        page.locator("#compare-scrub").fill("500")
        page.wait_for_function(f"() => [...document.querySelectorAll('{SYNCED}')].every(v => !v.seeking)")
        at = page.evaluate(f"[...document.querySelectorAll('{SYNCED}')].map(v => v.currentTime)")
        assert len(at) == 2 and at[0] > 0.5 and abs(at[0] - at[1]) <= 0.25, at
        kept_id = page.locator("#compare-cell-2 .compare-cell").get_attribute("data-job")
        page.locator("#compare-keep-2").click()
        expect(page.locator("#compare-keep-2")).to_contain_text("Kept")
        assert axe_violations(page) == []
        page.screenshot(path=str(artifacts_dir / "creative-loop-1-compare.png"), full_page=True)
        page.context.close()

    with running_studio(data, finish_seconds=1.5) as studio:  # next week: a new process, the same data
        page = open_page(browser, studio.url, DESKTOP)
        expect(page.get_by_role("button", name="Use Mira")).to_be_visible()
        expect(page.get_by_role("button", name="Use Robo")).to_be_visible()
        page.get_by_role("tab", name="History").click()
        page.locator("#history-filter label", has_text="Kept").click()
        expect(page.locator("#history-gallery .gallery-card")).to_have_count(1)
        expect(page.locator("#history-gallery .gallery-card")).to_contain_text("★")
        expect(page.locator("#history-gallery .gallery-card")).to_contain_text("@Mira and @Robo argue")  # as written
        assert [s.job_id for s in studio.studio.manager.list_page(status="kept")[0]] == [kept_id]
        page.screenshot(path=str(artifacts_dir / "creative-loop-2-next-week.png"))
        # Its detail shows the scene as it was written: the @Names, and the storyboard as its shots.
        page.locator("#history-gallery .gallery-card").first.click()
        info = page.locator("#history-info")
        expect(info).to_contain_text("Prompt: @Mira and @Robo argue about the last cookie", timeout=30_000)
        expect(info.locator("ol li")).to_have_count(len(SHOTS))
        expect(info.locator("ol li").nth(1)).to_have_text("2–4 s: @Robo reaches for it")
        expect(info).to_contain_text("As sent: character1 and character2 argue about the last cookie")
        page.screenshot(path=str(artifacts_dir / "creative-loop-3-detail.png"), full_page=True)
        # and History's search finds it by a name as written (it was sent as character1).
        page.locator("#history-filter label", has_text="All").click()
        page.locator("#history-search textarea, #history-search input").first.fill("@mira")
        expect(page.locator("#history-gallery .gallery-card")).to_have_count(3, timeout=30_000)
        page.context.close()
