"""History's list is never left showing a stranger's view after a reload of a shared studio.

The History tab may be opened before the page's load has told the server which browser this is; a
list read then is a stranger's (empty), and when its answer lands after the list read once the
browser is known (`st.memory.change`), the page keeps the empty one.  The test makes that order
happen every time: the page's load answer waits until the tab's list read has begun, and that read
waits until the browser's own list has been drawn."""

from __future__ import annotations

import threading

import gradio as gr

from tests.fixtures_browser import browser_marks, expect, finished_job_from_page, open_page
from tests.fixtures_ui import running_studio

pytestmark = browser_marks
SETTLED = "() => !document.querySelector('#history-body .pending, #history-body .generating:not(.hide)')"


def test_history_opened_before_a_reload_has_landed_shows_this_browsers_own_videos(browser, tmp_path, monkeypatch):
    with running_studio(tmp_path / "shared", finish_seconds=1.0, host="0.0.0.0") as shared:
        ann = open_page(browser, shared.url)
        finished_job_from_page(ann, tmp_path / "ann.png", (220, 120, 60), "character1 paints a mural")

        stranger_read, tab_answered, release = threading.Event(), threading.Event(), threading.Event()
        manager, demo = shared.studio.manager, shared.studio.demo
        list_page, postprocess, stored = manager.list_page, demo.postprocess_data, gr.BrowserState.preprocess

        def held_list_page(*args, **kwargs):
            if str(kwargs.get("owner", "")).startswith("session:"):  # a browser not known yet
                stranger_read.set()
                release.wait(60)
            return list_page(*args, **kwargs)

        async def noting_postprocess(block_fn, predictions, state):
            if getattr(block_fn, "name", "") == "show_history":
                tab_answered.set()
            return await postprocess(block_fn, predictions, state)

        def held_load(self, payload):  # the page's load (`resume`) reads this browser's storage
            for _ in range(600):
                if stranger_read.wait(0.1) or tab_answered.is_set():
                    break
            return stored(self, payload)

        monkeypatch.setattr(manager, "list_page", held_list_page)
        monkeypatch.setattr(demo, "postprocess_data", noting_postprocess)
        monkeypatch.setattr(gr.BrowserState, "preprocess", held_load)
        try:
            ann.reload()
            ann.get_by_role("tab", name="History").click()
            card = ann.locator("#history-gallery .gallery-card")
            expect(card.first).to_contain_text("paints a mural", timeout=30_000)  # the browser's own list
        finally:
            release.set()
        ann.wait_for_function(SETTLED, timeout=30_000)  # the tab's own answer has landed too
        expect(card.first).to_contain_text("paints a mural")
        expect(ann.locator("#history-empty")).to_be_hidden()
        ann.context.close()
