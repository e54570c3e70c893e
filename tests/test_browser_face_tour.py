"""Issue 23's done-when as one new user's walk, in four variants (1400×1000 and 390×844, English and
Chinese): every state the issue names is reached in Chromium, checked and screenshotted.

In every state: axe-core finds nothing critical or serious, the page does not scroll sideways, no
word of money shows (demo mode: no "$", "¥", "价格", "charge"…), and a
screenshot goes to test-artifacts/shots/face-tour/face-tour-<variant>-<n>-<state>.png for the reviewer.  On every tab switch the header and the tab strip
keep their left edge (no sideways jump, Chinese included).  On the phone, at the page's end, no
control the user could tap lies under the fixed Generate bar (`elementFromPoint` at each control
finds the control, not the bar).

The walk, split where the user's path turns (each part stands alone, in any order):

* the cast: the empty cast; Generate with nothing, blocked, said inside the result pane; a picture
  dropped on a card and one on the cast area (`DragEvent`s carrying generated files); a refused
  picture that leaves the accepted one in its card; the example cast (media first, verdicts whole);
* the result: two takes running (each with its percent, the progress above the phone's bar), then
  finished (each player at least 200 px wide on a laptop, within the screen on a phone); an
  accidental second Generate asks in a dialog over the page and the takes do not move; a take's
  download name; the Share dialog; the takes' Download pack; Compare (side by side on a laptop, one
  video a row at full width on a phone);
* History: the gallery (posters, a batch grouped, the pager on one line), a job's detail with no
  money anywhere in demo mode.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from r2v_ui.jobs import JobState
from r2v_ui.messages import EN, ZH, t
from r2v_ui.workspace import filenames
from tests.fixtures_browser import (shoot, DESKTOP, MONEY, PHONE, RUNNING_STATES, as_drop, axe_violations, browser_marks,
                                    choose_takes, covered_by_bar, drop, expect, load_example, no_sideways_scroll,
                                    open_page, upload_to_card, verdicts_cut_short, wait_state)
from tests.fixtures_jobs import two_picture_draft, wait_for_state
from tests.fixtures_ui import character_png, running_studio

pytestmark = browser_marks
VARIANTS = {"desktop-en": (DESKTOP, EN), "desktop-zh": (DESKTOP, ZH), "phone-en": (PHONE, EN),
            "phone-zh": (PHONE, ZH)}
LOCALES = {EN: "en-US", ZH: "zh-CN"}

# Every control a user could tap, shown and inside the viewport, whose centre is the fixed bar's
# (`elementFromPoint` there reaches the bar, not the control).
UNDER_BAR = """() => {
  const bar = document.querySelector('.generate-bar');
  if (!bar || getComputedStyle(bar).position !== 'fixed') return [];
  const b = bar.getBoundingClientRect(), out = [];
  const sel = 'button, a[href], input:not([type=hidden]), select, textarea, video, [role=button], [role=tab]';
  for (const el of document.querySelectorAll(sel)) {
    if (bar.contains(el) || !el.getClientRects().length) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.top >= innerHeight) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    const x = Math.min(Math.max(r.left + r.width / 2, 1), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 1), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    if (hit && bar.contains(hit)) out.push((el.id || el.tagName) + ' at ' + Math.round(r.top) + '..' +
                                           Math.round(r.bottom) + ' (bar from ' + Math.round(b.top) + ')');
  }
  return out; }"""


# The fixed bar's blocks that take height but show nothing (an empty alert, an empty status line).
BLANK_IN_BAR = """() => {
  const bar = document.querySelector('.generate-bar');
  if (!bar || getComputedStyle(bar).position !== 'fixed') return [];
  return [...bar.children].filter(c => c.getBoundingClientRect().height > 0 && !c.innerText.trim()
                                       && !c.querySelector('button, input, select, textarea'))
    .map(c => (c.id || c.className) + ': ' + Math.round(c.getBoundingClientRect().height) + ' px'); }"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    # Long enough that a running take's percent is seen, short enough for four walks.
    with running_studio(tmp_path_factory.mktemp("face-tour-data"), finish_seconds=3.0) as s:
        yield s


class Tour:
    """One variant's walk: the page, its words, and the checks every state gets."""

    def __init__(self, browser, studio, variant: str):
        self.viewport, self.lang = VARIANTS[variant]
        self.variant, self.studio = variant, studio
        self.phone = self.viewport is PHONE
        self.page = open_page(browser, studio.url, self.viewport, locale=LOCALES[self.lang])
        self.edges = self.left_edges()

    def say(self, key: str, **params) -> str:
        return re.sub(r"<[^>]+>", "", t(key, self.lang, **params))

    def left_edges(self) -> dict:
        return {s: round(self.page.locator(s).bounding_box()["x"], 1)
                for s in ("#studio-header", "#main-tabs [role=tablist]")}

    def tab(self, key: str) -> None:
        """Switch tabs as a user does; the header and the tab strip stay where they were."""
        name = self.say(f"ui.tab.{key}")
        self.page.get_by_role("tab", name=name).click()
        expect(self.page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        assert self.left_edges() == self.edges, f"{self.variant}: a sideways jump on {key}"

    def nothing_under_the_bar_at_the_end(self, state: str) -> None:
        """Scrolled to the very end, every control is above the phone's fixed bar."""
        page = self.page
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_function("() => Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight - 1")
        covered = page.evaluate(UNDER_BAR)
        assert covered == [], f"{self.variant} {state}: under the bar at the end of the page: {covered}"

    def look(self, n: int, state: str, *, scroll_to: str | None = None, full: bool = False) -> None:
        page = self.page
        width, vw = no_sideways_scroll(page)
        assert width <= vw, f"{self.variant} {state}: the page scrolls sideways ({width} > {vw})"
        found = axe_violations(page)
        assert found == [], f"{self.variant} {state}: {found}"
        if self.phone:  # the fixed bar is as tall as what it shows: no blank block keeps room in it
            blank = page.evaluate(BLANK_IN_BAR)
            assert blank == [], f"{self.variant} {state}: blank blocks taking room in the bar: {blank}"
        money = MONEY.search(page.locator("body").inner_text())
        assert not money, f"{self.variant} {state}: demo mode speaks of money: {money}"
        if scroll_to:
            page.locator(scroll_to).first.evaluate("e => e.scrollIntoView({block: 'center'})")
        name = f"face-tour-{self.variant}-{n:02d}-{state}.png"
        shoot(page, "face-tour", name, full_page=full)

    def close(self) -> None:
        self.page.context.close()


@pytest.fixture(params=list(VARIANTS))
def tour(request, browser, studio):
    walk = Tour(browser, studio, request.param)
    yield walk
    walk.close()


def test_the_cast_empty_blocked_dropped_refused_and_the_example(tour, tmp_path):
    page = tour.page
    tour.look(1, "empty-cast", scroll_to="#cast-area")
    if tour.phone:
        tour.nothing_under_the_bar_at_the_end("empty")

    # Generate with nothing: the reason is said where the user looks, in the result pane.
    page.locator("#generate-btn").click()
    said = page.locator("#result-pane #pane-alert-text")
    expect(said).to_contain_text(tour.say("form.nothing_sent"), timeout=30_000)
    expect(said).to_be_in_viewport()
    if tour.phone:
        assert covered_by_bar(page, "#pane-alert-text") == []
    tour.look(2, "blocked-generate")

    # A picture dropped on card 1, another on the cast area (the next empty card takes it).
    url = page.url
    mira = as_drop(character_png(tmp_path / "mira.png", (230, 110, 40)), "image/png")
    bolt = as_drop(character_png(tmp_path / "bolt.png", (40, 140, 200)), "image/png")
    assert drop(page, "#card-1 .card-preview", mira)["drop"] is False  # the browser does not open the file
    expect(page.locator("#card-1-face img")).to_be_visible(timeout=30_000)
    expect(page.locator("#card-1-face")).to_contain_text(tour.say("verdict.accepted"))
    tour.look(3, "dropped-on-card", scroll_to="#card-1")
    assert drop(page, "#cast-area .step-help", bolt)["drop"] is False
    expect(page.locator("#card-2-face img")).to_be_visible(timeout=30_000)
    expect(page.locator("#card-1-face")).to_contain_text("mira.png")  # card 1 kept its own
    assert page.url == url and page.evaluate("performance.getEntriesByType('navigation').length") == 1
    tour.look(4, "dropped-on-cast-area", scroll_to="#card-2")

    # A picture too small for card 1: the accepted one stays, and the card says why.
    upload_to_card(page, 1, character_png(tmp_path / "tiny.png", (200, 60, 60), size=(100, 100)))
    kept = page.locator("#card-1-face .verdict-kept")
    expect(kept).to_contain_text(tour.say("cast.kept", kept="mira.png", why="")[:12], timeout=30_000)
    expect(kept).to_contain_text("tiny.png")
    expect(page.locator("#card-1-face img")).to_be_visible()
    assert page.locator("#card-1-face img").evaluate("i => i.complete && i.naturalWidth > 0")
    assert verdicts_cut_short(page) == []
    tour.look(5, "refused-kept", scroll_to="#card-1")

    # The example cast: each card is its picture or clip, its verdict whole.
    load_example(page, tour.say("verdict.accepted"))
    for n in (1, 2):
        media = page.locator(f"#card-{n}-face img, #card-{n}-face video").first
        expect(media).to_be_visible()
        face, card = media.bounding_box(), page.locator(f"#card-{n}").bounding_box()
        assert face["width"] >= card["width"] * 0.8, (n, face, card)  # media first: the card's width
    assert verdicts_cut_short(page) == []
    expect(page.locator("#result-pane #pane-alert-text")).to_be_hidden()  # the old reason left with the cause
    tour.look(6, "example-cast", scroll_to="#cast-area")
    if tour.phone:
        tour.nothing_under_the_bar_at_the_end("example")


def test_two_takes_the_repeat_dialog_downloads_share_pack_and_compare(tour, tmp_path, repeat_window):
    page, manager = tour.page, tour.studio.studio.manager
    load_example(page, tour.say("verdict.accepted"))
    choose_takes(page, 2)
    page.locator("#generate-btn").click()
    wait_state(page, (*RUNNING_STATES, "running"))  # a batch's box says "running"
    # Each running take with its percent; on a phone the progress comes into view above the bar.
    page.wait_for_function("""() => { const c = [...document.querySelectorAll('#takes-grid-box .take .take-pct')];
                                      return c.length === 2 && c.every(e => /^\\d+%$/.test(e.textContent.trim())); }""",
                           timeout=60_000)
    if tour.phone:
        page.wait_for_function("""() => { const r = document.getElementById('job-status-box').getBoundingClientRect();
                                          const bar = document.querySelector('.generate-bar').getBoundingClientRect();
                                          return r.top >= 0 && r.bottom <= bar.top; }""", timeout=15_000)
        assert covered_by_bar(page, "#job-status-box") == []
    tour.look(7, "takes-running", scroll_to="#takes-grid-box")

    videos = page.locator("#takes-grid-box video")
    expect(videos).to_have_count(2, timeout=90_000)
    wait_state(page, ["succeeded"])
    for i in range(2):
        box = videos.nth(i).bounding_box()
        if tour.phone:
            assert box["x"] >= 0 and box["x"] + box["width"] <= tour.viewport["width"], box
        else:
            assert box["width"] >= 200, box
        assert videos.nth(i).get_attribute("poster")
    tour.look(8, "takes-finished", scroll_to="#takes-grid-box")
    if tour.phone:
        tour.nothing_under_the_bar_at_the_end("takes finished")

    # An accidental second Generate: a dialog over the page; the takes stay where they were.
    videos.nth(0).scroll_into_view_if_needed()
    before = [videos.nth(i).bounding_box() for i in range(2)]
    page.locator("#generate-btn").click()
    expect(page.locator("#confirm-box")).to_be_visible(timeout=30_000)
    before_s, after_s = t("confirm.repeat", tour.lang, s="\x00").split("\x00")
    expect(page.locator("#confirm-text")).to_contain_text(re.compile(re.escape(before_s) + r"\d+" + re.escape(after_s)))
    # The prompt is quoted whole or cut at a word with "…" (it was cut mid-word: "…blinking. Wa”").
    prompt = " ".join(page.locator("#prompt textarea").input_value().split())
    quoted = page.locator("#confirm-box .confirm-prompt").inner_text().strip().strip("“”")
    assert quoted == prompt or (quoted.endswith("…") and prompt.startswith(quoted[:-1])
                                and (tour.lang == ZH or prompt[len(quoted) - 1] in " ,.;:")), (quoted, prompt)
    dialog_text = page.locator("#confirm-box").inner_text()
    assert not MONEY.search(dialog_text), MONEY.search(dialog_text)  # demo: nothing of charges
    if tour.phone:  # Generate brings the progress into view; the first take stays in view above the bar
        first = videos.nth(0).bounding_box()
        bar_top = page.locator(".generate-bar").bounding_box()["y"]
        assert first["y"] >= 0 and first["y"] + first["height"] <= bar_top, (first, bar_top)
    else:
        assert [videos.nth(i).bounding_box() for i in range(2)] == before
    assert page.evaluate("getComputedStyle(document.getElementById('confirm-box')).position") == "fixed"
    if tour.phone:
        assert covered_by_bar(page, "#confirm-go") == [] and covered_by_bar(page, "#confirm-cancel") == []
    # Each answer's lines are of even length: no lone character on a line of its own ("是的，再生成一" / "个").
    for button in ("#confirm-go", "#confirm-cancel"):
        lines = page.locator(button).evaluate("""b => { const r = document.createRange(); r.selectNodeContents(b);
            const size = parseFloat(getComputedStyle(b).fontSize);
            return [...r.getClientRects()].filter(x => x.width > 0).map(x => x.width / size); }""")
        assert lines and min(lines) > 1.6, (button, lines)
    tour.look(9, "repeat-dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#confirm-box")).to_be_hidden()

    # A take's download: a name a person can file.
    take_ids = page.locator("#takes-grid-box figure.take").evaluate_all("els => els.map(e => e.dataset.job)")
    link = page.locator(f'#takes-grid-box figure.take[data-job="{take_ids[1]}"] a.take-download')
    with page.expect_download() as info:
        link.click()
    expected = filenames.for_snapshot(manager.snapshot(take_ids[1]))
    assert info.value.suggested_filename == expected
    assert re.fullmatch(r"[\w-]+_take2_seed\d+\.mp4", expected), expected

    # Share these takes: a dialog that fits the screen and takes the focus.
    page.locator("#share-takes").click()
    expect(page.locator("#share-box")).to_be_visible(timeout=30_000)
    expect(page.locator("#share-expiry input[type=radio]").first).to_be_focused()
    dialog = page.locator("#share-box").bounding_box()
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= tour.viewport["width"] + 1, dialog
    if tour.phone:
        assert covered_by_bar(page, "#share-make") == []
    tour.look(10, "share-dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#share-box")).to_be_hidden()

    # The takes' Download pack.
    with page.expect_download(timeout=90_000) as info:
        page.locator("#pack-takes").click()
    assert re.fullmatch(r"[\w-]+_pack\.zip", info.value.suggested_filename), info.value.suggested_filename
    expect(page.locator("#pack-takes-status")).not_to_be_empty()
    tour.look(11, "pack-made", scroll_to="#pack-takes")

    # Compare: side by side on a laptop, one a row at the column's width on a phone.
    page.locator("#compare-takes").click()
    cells = page.locator("#compare-slots video.r2v-sync")
    expect(cells).to_have_count(2, timeout=30_000)
    assert tour.left_edges() == tour.edges, f"{tour.variant}: a sideways jump on Compare"
    boxes = [cells.nth(i).bounding_box() for i in range(2)]
    if tour.phone:
        column = page.locator("#main-tabs").bounding_box()["width"]
        assert all(b["width"] >= column - 32 for b in boxes), (boxes, column)
        assert boxes[1]["y"] > boxes[0]["y"] + 100, boxes
    else:
        assert abs(boxes[0]["y"] - boxes[1]["y"]) <= 2 and all(b["width"] >= 200 for b in boxes), boxes
    text = page.locator("body").inner_text()
    assert not MONEY.search(text), MONEY.search(text)
    tour.look(12, "compare", scroll_to="#compare-slots")
    if tour.phone:
        tour.nothing_under_the_bar_at_the_end("compare")
    tour.tab("studio")


@pytest.fixture
def a_batch(studio, tmp_path):
    """Two takes of one draft, finished, made through the studio's own manager (History has a batch)."""
    manager = studio.studio.manager
    ids = manager.start_takes(two_picture_draft(tmp_path, prompt="character1 and character2 dance under lanterns"), 2)
    with ThreadPoolExecutor(1) as pool:  # its own thread: Playwright's loop runs in this one
        for job_id in ids:
            pool.submit(wait_for_state, manager, job_id, {JobState.SUCCEEDED}).result()
    return ids


def test_history_gallery_pager_and_a_detail_without_money(tour, a_batch):
    page = tour.page
    tour.tab("history")
    batch = page.locator(f'#history-gallery .gallery-batch:has(.gallery-card[data-job="{a_batch[0]}"])')
    expect(batch).to_contain_text(tour.say("history.batch", n=2), timeout=30_000)
    cards = batch.locator(".gallery-card")
    expect(cards).to_have_count(2)
    for i in range(2):
        poster = cards.nth(i).locator(".gallery-poster img")
        expect(poster).to_be_visible()
        poster.evaluate("i => i.decode ? i.decode().catch(() => {}) : null")
        assert poster.evaluate("i => i.complete && i.naturalWidth > 0")
        if not tour.phone:  # a batch's posters use its row (they were 148 px beside 70 % of the row empty)
            assert poster.bounding_box()["width"] >= 240, poster.bounding_box()
    # The pager: newer, where you are, older, on one line.
    rows = [page.locator(s).bounding_box() for s in ("#history-prev", "#history-page-info", "#history-next")]
    assert max(b["y"] for b in rows) < min(b["y"] + b["height"] for b in rows), rows
    assert all(b["x"] + b["width"] <= tour.viewport["width"] for b in rows), rows
    tour.look(13, "history-gallery", scroll_to="#history-gallery")
    tour.look(14, "history-pager", scroll_to="#history-pager")
    if tour.phone:
        tour.nothing_under_the_bar_at_the_end("history")

    page.locator(f'.gallery-card[data-job="{a_batch[1]}"]').click()
    expect(page.locator("#history-info")).to_contain_text(tour.say("summary.seed"), timeout=30_000)
    expect(page.locator("#history-video video")).to_have_count(1)
    page.wait_for_function("() => document.querySelector('#history-video video').readyState >= 2")
    text = page.locator("body").inner_text()
    assert not MONEY.search(text), MONEY.search(text)  # demo mode: no "$", "¥" or "价格" anywhere
    tour.look(15, "history-detail", scroll_to="#history-detail")
    if tour.phone:
        tour.nothing_under_the_bar_at_the_end("history detail")
    tour.tab("compare")
    tour.tab("studio")
