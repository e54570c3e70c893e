"""Starting the studio on a slow or busy machine: the first answer of the page builds it (and compresses
it), which can take longer than the 3 s Gradio's own start-up check allows; the studio still starts,
checking with time to spare that this machine can open the page."""

from __future__ import annotations

import asyncio

import httpx

from r2v_ui.config import Settings
from r2v_ui.ui import serving
from tests.fixtures_ui import launched


def test_a_studio_whose_first_page_takes_longer_than_gradios_check_still_starts(tmp_path, monkeypatch):
    build = serving.FromMemory._build
    slow_pages: list[str] = []

    async def slow_build(self, scope, receive, *, private):
        if scope["path"].rstrip("/") == "":
            slow_pages.append(scope["method"])
            await asyncio.sleep(4.0)  # a busy machine: the page's first build outlasts Gradio's 3 s HEAD
        return await build(self, scope, receive, private=private)

    monkeypatch.setattr(serving.FromMemory, "_build", slow_build)
    settings = Settings.from_env({"R2V_DATA_DIR": str(tmp_path / "data")})
    with launched(settings, tmp_path / "data") as running:
        assert slow_pages, "the start-up check never asked for the page"
        page = httpx.get(running.url + "/", timeout=30)
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_a_studio_this_machine_cannot_open_says_so_in_plain_words():
    from app import page_opens_here
    from r2v_ui.ports import free_port

    assert page_opens_here(f"http://127.0.0.1:{free_port()}/", seconds=2) is False  # nothing listens there
