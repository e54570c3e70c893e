"""Nothing the page draws lies on a label a poster or a video carries of its own.

The embedded emulator draws a red "PREVIEW · emulator" label into the top left of every frame, and
an "AI generated" mark into the bottom right when the job asked for a watermark (emulator/render.py;
`preview_label_box` and `watermark_box` say where, in pixels of the drawn frame).  History's gallery
had its green "Finished" chip on the poster's top left, over the PREVIEW label.

For each of 1400×1000 and 390×844, in English and in Chinese: two finished jobs (a 16:9 one with a
watermark, kept with a star; a 9:16 one), their posters in History's gallery, the detail's player
and Compare's players (the result pane's takes use the same player as Compare, with their names
in a caption under it: ui/takes.py).  The label boxes are computed from the emulator's own constants at the
video's drawn size (read from the file), scaled to the picture as the browser shows it (its
`object-fit`, its box); the chip, the star and any badge do not overlap them, the labels lie inside
the picture shown (not cropped away), and `elementFromPoint` across each label finds the picture,
nothing over it.  Screenshots go to test-artifacts/shots/poster-labels/.
"""

from __future__ import annotations

import re
from pathlib import Path

import av
import pytest

from r2v_ui.emulator.render import preview_label_box, watermark_box
from r2v_ui.messages import EN, ZH, t
from tests.fixtures_browser import DESKTOP, shoot, PHONE, axe_violations, browser_marks, expect, open_page
from tests.fixtures_jobs import wide_and_tall_jobs
from tests.fixtures_ui import running_studio

pytestmark = browser_marks
VARIANTS = {"desktop-en": (DESKTOP, EN, "en-US"), "desktop-zh": (DESKTOP, ZH, "zh-CN"),
            "phone-en": (PHONE, EN, "en-US"), "phone-zh": (PHONE, ZH, "zh-CN")}

# A box in the picture's own pixels (its natural size) → the page's pixels, as the browser shows the
# picture in its element (object-fit fill, contain, cover or none, centred as object-position's default).
SHOWN = """(el, [box, nw, nh]) => {
  const r = el.getBoundingClientRect(), fit = getComputedStyle(el).objectFit;
  let sx = r.width / nw, sy = r.height / nh;
  if (fit === 'contain') sx = sy = Math.min(sx, sy);
  else if (fit === 'cover') sx = sy = Math.max(sx, sy);
  else if (fit === 'none') sx = sy = 1;
  const ox = r.left + (r.width - nw * sx) / 2, oy = r.top + (r.height - nh * sy) / 2;
  return {x0: ox + box[0] * sx, y0: oy + box[1] * sy, x1: ox + box[2] * sx, y1: oy + box[3] * sy,
          el: {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}}; }"""

# What lies on top at points spread over a region (its inner part: a label's own rounded corner is
# not the question): every point must reach the picture itself.
ON_TOP = """(el, reg) => {
  const out = [];
  for (const fx of [0.15, 0.5, 0.85]) for (const fy of [0.25, 0.5, 0.75]) {
    const x = reg.x0 + (reg.x1 - reg.x0) * fx, y = reg.y0 + (reg.y1 - reg.y0) * fy;
    const hit = document.elementFromPoint(x, y);
    if (hit !== el) out.push((hit ? (hit.className || hit.tagName) : 'nothing') + ' at ' + Math.round(x) + ',' + Math.round(y));
  }
  return out; }"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("poster-labels-data"), finish_seconds=0.5) as s:
        yield s


@pytest.fixture(scope="module")
def jobs(studio, tmp_path_factory):
    """A 16:9 job with the watermark, kept (a star on its card), and a 9:16 one; both finished."""
    manager = studio.studio.manager
    wide, tall = wide_and_tall_jobs(manager, tmp_path_factory.mktemp("poster-labels-refs"), watermark=True)
    manager.set_favourite(wide)
    return {job_id: manager.snapshot(job_id) for job_id in (wide, tall)}


def drawn_size(video: Path) -> tuple[int, int]:
    """The size the emulator drew the clip at: the video's own frame size."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


def label_boxes(snap) -> dict[str, tuple[int, int, int, int]]:
    """The labels drawn into this job's frames, in pixels of the drawn frame (the emulator's own boxes)."""
    w, h = drawn_size(snap.video_path)
    boxes = {"PREVIEW": preview_label_box(w, h)}
    if snap.settings.get("watermark"):
        boxes["watermark"] = watermark_box(w, h)
    return boxes


def overlaps(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def labels_clear(page, picture, snap, natural: tuple[float, float], what: str, others) -> None:
    """Each of the job's labels lies inside `picture` as shown, under nothing, and clear of `others`."""
    w, h = drawn_size(snap.video_path)
    nw, nh = natural
    picture.evaluate("e => e.scrollIntoView({block: 'center'})")
    for name, box in label_boxes(snap).items():
        scaled = [box[0] * nw / w, box[1] * nh / h, box[2] * nw / w, box[3] * nh / h]  # the poster is the frame, scaled
        region = picture.evaluate(SHOWN, [scaled, nw, nh])
        frame = region["el"]
        assert (frame["x0"] - 1 <= region["x0"] and region["x1"] <= frame["x1"] + 1
                and frame["y0"] - 1 <= region["y0"] and region["y1"] <= frame["y1"] + 1), \
            f"{what}: the {name} label is cropped out of the picture shown: {region}"
        for other in others:
            b = other.bounding_box()
            if b:
                chip = {"x0": b["x"], "y0": b["y"], "x1": b["x"] + b["width"], "y1": b["y"] + b["height"]}
                assert not overlaps(chip, region), f"{what}: {other} lies on the {name} label: {chip} over {region}"
        covered = picture.evaluate(ON_TOP, region)
        assert covered == [], f"{what}: something lies on the {name} label: {covered}"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_nothing_lies_on_a_posters_labels(browser, studio, jobs, variant):
    viewport, lang, locale = VARIANTS[variant]
    say = lambda key, **kw: re.sub(r"<[^>]+>", "", t(key, lang, **kw))  # noqa: E731
    page = open_page(browser, studio.url, viewport, locale=locale)
    try:
        page.get_by_role("tab", name=say("ui.tab.history")).click()
        for job_id, snap in jobs.items():
            card = page.locator(f'#history-gallery .gallery-card[data-job="{job_id}"]')
            poster = card.locator(".gallery-poster img")
            expect(poster).to_be_visible(timeout=30_000)
            poster.evaluate("i => i.decode ? i.decode().catch(() => {}) : null")
            page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=poster.element_handle())
            natural = tuple(poster.evaluate("i => [i.naturalWidth, i.naturalHeight]"))
            chip = card.locator(".gallery-state")
            expect(chip).to_be_visible()
            others = [chip, *[card.locator(s).nth(i) for s in (".gallery-kept", ".shared-badge")
                              for i in range(card.locator(s).count())]]
            labels_clear(page, poster, snap, natural, f"{variant} gallery {job_id}", others)
        assert axe_violations(page) == []
        page.locator("#history-gallery").evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, "poster-labels", f"poster-labels-{variant}-1-gallery.png")

        for job_id, snap in jobs.items():
            page.locator(f'.gallery-card[data-job="{job_id}"]').click()
            expect(page.locator("#history-info")).to_contain_text(str(snap.seed_used), timeout=30_000)
            video = page.locator("#history-video video")
            page.wait_for_function(  # this job's video (its frame size), its size known
                "([w, h]) => { const v = document.querySelector('#history-video video');"
                " return v && v.readyState >= 1 && v.videoWidth === w && v.videoHeight === h; }",
                arg=list(drawn_size(snap.video_path)))
            natural = tuple(video.evaluate("v => [v.videoWidth, v.videoHeight]"))
            labels_clear(page, video, snap, natural, f"{variant} detail {job_id}", [])
            shoot(page, "poster-labels", f"poster-labels-{variant}-2-detail-{'wide' if snap.settings.get('watermark') else 'tall'}.png")
            # Into Compare (the second one joins the first there), then back to History for the next.
            page.locator("#history-compare").click()
            expect(page.get_by_role("tab", name=say("ui.tab.compare"))).to_have_attribute("aria-selected", "true")
            if job_id != list(jobs)[-1]:
                page.get_by_role("tab", name=say("ui.tab.history")).click()

        # Compare's players, side by side (one a row on a phone): nothing on their labels either.
        for job_id, snap in jobs.items():
            video = page.locator(f'.compare-cell[data-job="{job_id}"] video')
            expect(video).to_be_visible(timeout=30_000)
            page.wait_for_function("v => v.readyState >= 1 && v.videoWidth > 0", arg=video.element_handle())
            natural = tuple(video.evaluate("v => [v.videoWidth, v.videoHeight]"))
            labels_clear(page, video, snap, natural, f"{variant} compare {job_id}", [])
        assert axe_violations(page) == []
        page.locator("#compare-slots").evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, "poster-labels", f"poster-labels-{variant}-3-compare.png")
    finally:
        page.context.close()
