"""Remakes the README's picture of the share page (docs/images/share-page.png): three real demo takes of
the example cast, shared, one pick and two timed notes, shot in Chromium at 1400×1000 (and a phone shot
in Chinese beside it).  Not a test: `python tests/shot_share_page.py <folder>`."""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from r2v_ui.examples import example_cast
from r2v_ui.jobs.model import JobDraft, Reference
from r2v_ui.share.model import Expiry
from tests.fixtures_ui import running_studio
from tests.fixtures_jobs import wait_for
from playwright.sync_api import sync_playwright

out = Path(sys.argv[1] if len(sys.argv) > 1 else '.')
tmp = Path(tempfile.mkdtemp())
with running_studio(tmp / "data", finish_seconds=1.0) as rs:
    cast = example_cast(tmp / "ex")
    refs = tuple(Reference(kind="image", path=c.image, name=c.name, voice_path=c.voice) for c in cast.characters)
    draft = JobDraft(references=refs, prompt=cast.prompt, size="1280*720", duration=5)
    m = rs.studio.manager
    ids = m.start_takes(draft, 3)
    for j in ids:
        wait_for(m, j, lambda s: s.has_video, timeout=180)
    link = rs.studio.shares.create("", ids, Expiry.WEEK, None, True)
    rs.studio.shares.add_note(link.token, ids[1], "viewer-lin", "Lin", "Love the light here. Can Bolt wave a little slower?", 2.0)
    rs.studio.shares.add_note(link.token, ids[0], "viewer-sam", "Sam", "Mira's turn feels rushed at the start.", 0.8)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium")
        for name, vp, loc in (("share-page", {"width": 1400, "height": 1000}, "en-US"),
                              ("share-page-phone-zh", {"width": 390, "height": 844}, "zh-CN")):
            ctx = b.new_context(viewport=vp, locale=loc, extra_http_headers={"X-Forwarded-For": "198.51.100.7"})
            page = ctx.new_page()
            page.goto(rs.url + link.path)
            page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => v.readyState >= 3)")
            if name == "share-page":
                page.locator("button", has_text="Pick this take").nth(1).click()
                page.wait_for_load_state()
                page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => v.readyState >= 3)")
            page.evaluate("() => document.querySelectorAll('video.sync').forEach(v => v.currentTime = 2.2)")
            page.wait_for_function("() => [...document.querySelectorAll('video.sync')].every(v => !v.seeking && v.readyState >= 2)")
            time.sleep(0.5)
            page.screenshot(path=str(out / f"{name}.png"))
            ctx.close()
        b.close()
print("ok", out)
