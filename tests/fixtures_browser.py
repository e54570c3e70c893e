"""Driving the studio in Debian's Chromium (Playwright): contexts at a laptop and a phone size,
waits that watch real page state, geometry checks against the viewport (what the phone's fixed bar
covers), files dropped as a drag from the desktop, and axe-core run inside the page.  Imported explicitly by tests/test_browser_*.py."""

from __future__ import annotations

import base64
import os
import re
import threading
from pathlib import Path

import pytest

from tests.fixtures_ui import character_png

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # A fake microphone (a beep) that needs no permission prompt: the voice recorder is tested for real.
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
# Any mention of money (demo mode must show none), in English or Chinese.
MONEY = re.compile(r"[$¥€£]|\b(price|prices|cost|costs|billed|bill|charge|charges|charged|budget|pay|paid|USD)\b|价格|费用|计费|扣费|付费|预算",
                   re.IGNORECASE)
RUNNING_STATES = ("checking", "uploading", "submitting", "queued", "processing", "downloading")

browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}"),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="the Playwright package is not installed")
expect = playwright_sync.expect
PlaywrightTimeout = playwright_sync.TimeoutError
# Every expectation waits on its condition as long as the page's own actions do (open_page's 30 s):
# Playwright's 5 s default is a server round trip on a loaded CI machine, not a verdict.
EXPECT_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

# Records every job state the status box shows, so a test can say which stages a user saw.
RECORD_STATES = """
window.__states = [];
new MutationObserver(() => {
  const box = document.querySelector('#job-status-box');
  const s = box && box.dataset.state;
  if (s && window.__states[window.__states.length - 1] !== s) window.__states.push(s);
}).observe(document, {childList: true, subtree: true, attributes: true});
"""


SHOTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts" / "shots"


def shoot(page, folder: str, name: str, *, full_page: bool = False) -> Path:
    """A screenshot of `page` kept for a person to look at: test-artifacts/shots/<folder>/<name>
    (the project's own ignored folder; nothing is written outside the project)."""
    path = SHOTS_DIR / folder / (name if name.endswith(".png") else f"{name}.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


def two_accepted_cards(page, folder: Path) -> None:
    """Card 1 and card 2 each with an accepted picture (a.png, b.png written into `folder`), the second
    card added by "+ Add character" and shown before its file is chosen, as a person would wait."""
    upload_to_card(page, 1, character_png(folder / "a.png", (200, 40, 60)))
    expect(page.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
    page.locator("#add-character").click()
    expect(page.locator("#card-2")).to_be_visible()  # its answer has landed (a late one would empty what is typed on it)
    upload_to_card(page, 2, character_png(folder / "b.png", (90, 90, 110)))
    expect(page.locator("#card-2-face")).to_contain_text("Accepted", timeout=30_000)


def finished_job_from_page(page, picture: Path, color: tuple[int, int, int], prompt: str) -> None:
    """One picture on card 1 (`picture`, written in `color`), the prompt, Generate, and the job finished."""
    upload_to_card(page, 1, character_png(picture, color))
    expect(page.locator("#card-1-face")).to_contain_text("Accepted", timeout=30_000)
    page.locator("#prompt textarea").fill(prompt)
    page.locator("#generate-btn").click()
    assert wait_state(page, ["succeeded", "failed"]) == "succeeded", page.locator("#job-status-box").inner_text()


def name_box(page, n: int):
    """Card n's Name box."""
    return page.locator(f"#card-{n}-character textarea, #card-{n}-character input").first


class HeldName:
    """Every event carrying `name` from card n's Name box waits in the server (the studio runs in this
    process) until released: the keys' event and the box's blur alike, either would tell the server the
    name.  `with held:` waits until the name has reached the server, and releases it on the way out,
    so whatever the block does lands before the name's own answer: the race happens every time."""

    def __init__(self, monkeypatch, n: int, name: str):
        import gradio as gr

        self.reached, self.release = threading.Event(), threading.Event()
        preprocess = gr.Textbox.preprocess
        elem_id = f"card-{n}-character"

        def hold(box, value):
            if getattr(box, "elem_id", None) == elem_id and value == name:
                self.reached.set()
                self.release.wait(60)
            return preprocess(box, value)

        monkeypatch.setattr(gr.Textbox, "preprocess", hold)

    def __enter__(self) -> "HeldName":
        if not self.reached.wait(30):
            self.release.set()
            raise AssertionError("the name never reached the server")
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()


def axe_source() -> Path:
    import axe_playwright_python

    return Path(os.path.dirname(axe_playwright_python.__file__)) / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def repeat_window(monkeypatch):
    """The repeat question ("You started this same video … s ago") stays due for the whole test: the
    studio asks it only within start.DUPLICATE_WINDOW_S (20 s) of the first start, and a busy machine
    may spend longer than that on the waits and screenshots a test makes between its two clicks."""
    from r2v_ui.workspace import start

    monkeypatch.setattr(start, "DUPLICATE_WINDOW_S", 24 * 3600.0)


def open_page(browser, url: str, viewport: dict = DESKTOP, locale: str | None = None):
    """A new browser (a fresh context: its own storage; `locale`: the language it is set to), at
    `url`, once the page has looked for its job."""
    context = browser.new_context(viewport=viewport, **({"locale": locale} if locale else {}))
    context.add_init_script(RECORD_STATES)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    demo = "演示模式" if (locale or "").startswith("zh") else "Demo"
    expect(page.locator("#mode-badge")).to_contain_text(demo, timeout=30_000)
    wait_until_loaded(page)
    return page


def wait_until_loaded(page) -> None:
    expect(page.locator("#job-status-box")).not_to_have_attribute("data-state", "loading", timeout=30_000)


def wait_state(page, states) -> str:
    page.wait_for_function(
        "s => { const b = document.querySelector('#job-status-box'); return b && s.includes(b.dataset.state); }",
        arg=list(states), timeout=90_000)
    return page.locator("#job-status-box").get_attribute("data-state")


def wait_until_playing(page, selector: str) -> None:
    """The <video> has data and its time moves (muted, so autoplay rules allow it)."""
    page.wait_for_function(
        "sel => { const v = document.querySelector(sel); return v && v.readyState >= 2; }", arg=selector,
        timeout=30_000)
    page.wait_for_function(
        """sel => { const v = document.querySelector(sel);
                    if (v.paused) { v.muted = true; v.play().catch(() => {}); }
                    return v.played.length > 0 && v.currentTime > 0; }""", arg=selector, timeout=30_000)


def upload_to_card(page, n: int, path: Path, box: str = "Picture or video") -> None:
    """What choosing a file with the card's button does (`box`: "Picture or video" or "Voice clip")."""
    # The button's own file input is the last one before it (its data-testid holds the untranslated label key).
    button = {"Picture or video": "file", "Voice clip": "voice-upload"}[box]
    page.locator(f'#card-{n} input[type=file]:has(~ #card-{n}-{button})').last.set_input_files(str(path))


def in_viewport(page, selector: str) -> bool:
    """The element's box lies inside the viewport (what the user sees without scrolling)."""
    box = page.locator(selector).first.bounding_box()
    vp = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= vp["height"] + 1 \
        and box["x"] + box["width"] <= vp["width"] + 1


def settles_in_viewport(page, selector: str, timeout: float = 30_000) -> bool:
    """The element's box comes to lie inside the viewport once the page has finished laying out what
    just arrived (a video's size is known only when its data has loaded): waits for it, then says so."""
    try:
        page.wait_for_function("""sel => { const el = document.querySelector(sel); if (!el) return false;
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1; }""",
                               arg=selector, timeout=timeout)
    except PlaywrightTimeout:  # the caller's assertion says which element
        return in_viewport(page, selector)
    return True


def no_sideways_scroll(page) -> tuple[int, int]:
    return page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]


def axe_violations(page) -> list[dict]:
    """Critical and serious axe-core violations on the page once Gradio has finished updating it
    (a block being updated is drawn faded, which would read as low contrast)."""
    page.wait_for_function("() => !document.querySelector('.pending, .generating:not(.hide), .translucent:not(.hide)')"
                           " && document.getAnimations().every(a => a.playState !== 'running')", timeout=30_000)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_source()))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [n["target"] for n in v["nodes"][:5]],
         "why": [n.get("failureSummary", "")[:240] for n in v["nodes"][:2]]}
        for v in result["violations"] if v["impact"] in ("critical", "serious")
    ]


def load_example(page, accepted: str = "Accepted") -> None:
    """"Load example cast", until its second card's verdict (`accepted`: the word in the page's language)."""
    page.locator("#load-example").click()
    expect(page.locator("#card-2-face")).to_contain_text(accepted, timeout=30_000)
    expect(page.locator("#prompt textarea")).not_to_have_value("")


def choose_takes(page, n: int) -> None:
    """Choose `n` takes in the dropdown beside Generate (by position: any language)."""
    page.locator("#takes input").click()
    page.get_by_role("option").nth(n - 1).click()


def covered_by_bar(page, selector: str) -> list[str]:
    """The points of the element (its corners, inset, and centre) where the fixed bar, not the
    element, is what a tap would reach (an element inside the bar is reachable where it shows)."""
    return page.evaluate("""sel => {
      const el = document.querySelector(sel), bar = document.querySelector('.generate-bar');
      const r = el.getBoundingClientRect(), out = [];
      const pts = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4], [r.left + r.width / 2, r.top + r.height / 2],
                   [r.left + 4, r.bottom - 4], [r.right - 4, r.bottom - 4]];
      for (const [x, y] of pts) {
        if (y < 0 || y >= innerHeight) { out.push('off screen at ' + Math.round(y)); continue; }
        const hit = document.elementFromPoint(x, y);
        if (!hit || (bar.contains(hit) && !bar.contains(el)) || !(el.contains(hit) || hit.contains(el))) out.push(`${Math.round(x)},${Math.round(y)}`);
      }
      return out; }""", selector)


# A drag from the desktop, as the browser delivers it: dragenter, dragover, drop on one element,
# each with the same DataTransfer; returns whether each event's default was left alone (true) or
# prevented (false), as dispatchEvent says.
DROP = """([selector, files, only_hover]) => {
  const target = document.querySelector(selector);
  const dt = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.b64), c => c.charCodeAt(0));
    dt.items.add(new File([bytes], f.name, {type: f.type}));
  }
  const fire = (type) => target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
  const out = {enter: fire('dragenter'), over: fire('dragover')};
  if (!only_hover) out.drop = fire('drop');
  return out;
}"""


def as_drop(path: Path, kind: str) -> dict:
    """A real file, ready to be carried by a drop (`kind`: its MIME type)."""
    return {"name": path.name, "type": kind, "b64": base64.b64encode(path.read_bytes()).decode("ascii")}


def drop(page, selector: str, *files: dict, only_hover: bool = False) -> dict:
    """Drop `files` (from as_drop) on the element, as a drag from the desktop (`only_hover`: no drop)."""
    return page.evaluate(DROP, [selector, list(files), only_hover])


def verdicts_cut_short(page) -> list[str]:
    """The cast's verdicts that are clamped or overflow their box (a verdict is read whole)."""
    return page.evaluate("""() => [...document.querySelectorAll('#cast-row .verdict-text, #cast-row .verdict')]
        .filter(v => v.getClientRects().length && (v.scrollHeight > v.clientHeight + 1
                     || getComputedStyle(v).webkitLineClamp !== 'none'))
        .map(v => v.textContent)""")
