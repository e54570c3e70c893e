"""The page's pure logic without a browser: cards, limits, counts and hints, price, seed, the draft,
and how a job's stages read.  (The app on loopback is in test_ui_client.py.)"""

from __future__ import annotations

import html as html_mod
from dataclasses import dataclass
from pathlib import Path

import pytest

from r2v_ui import spec
from r2v_ui.config import Settings
from r2v_ui.price import PriceTable
from r2v_ui.workspace import cast as cast_mod
from r2v_ui.workspace.cast import Card
from r2v_ui.workspace import form
from r2v_ui.ui import fieldnotes
from r2v_ui.ui import cards, status
from r2v_ui.ui.header import badge_html
from tests.fixtures_jobs import snapshot
from tests.fixtures_ui import character_png
from tests.fixtures_hosting import OWN_STUDIO


@dataclass(frozen=True)
class FakeReport:
    path: Path
    kind: str
    verdict: str
    message: str
    duration: float | None = None
    content_type: str | None = None  # as media.MediaReport: None when refused

    @property
    def msg(self) -> str:  # as media.MediaReport (a plain text renders as it is)
        return self.message


def fake_probe(kind: str, verdict: str = "accepted", message: str = "ok", duration: float | None = None):
    def probe(path, _kind=None, **_kw):
        return FakeReport(Path(path), kind, verdict, message, duration)
    return probe


def filled_card(kind: str = "image", path: str = "/x/a.png", **extra) -> Card:
    return Card(**{"kind": kind, "path": path, "name": Path(path).name, "verdict": "accepted", "message": "ok"} | extra)


# --- cards -------------------------------------------------------------------------------------

def test_add_card_stops_at_five():
    cast = cast_mod.new_cast()
    for _ in range(10):
        cast = cast_mod.add_card(cast)
    assert len(cast) == spec.MEDIA_MAX
    assert not cast_mod.can_add(cast)


def test_moving_a_card_changes_its_tag_and_removing_the_last_leaves_an_empty_card():
    cast = [filled_card(path="/x/a.png"), filled_card(path="/x/b.png")]
    moved = cast_mod.move_card(cast, 1, -1)
    assert [c.name for c in moved] == ["b.png", "a.png"]
    assert cast_mod.move_card(cast, 0, -1) == cast  # the first card cannot move up
    assert cast_mod.remove_card([filled_card()], 0) == cast_mod.new_cast()


def test_a_fourth_video_is_refused_on_its_card_with_a_plain_message():
    cast = [filled_card("video", f"/x/v{i}.mp4") for i in range(3)] + [Card()]
    card = cast_mod.check_media(cast[3], "/x/v4.mp4", 4, cast, 3, probe=fake_probe("video", duration=4.0),
                                work_dir=Path("/tmp/r2v-ui-test"))
    assert card.verdict == "refused"
    assert card.path is None
    assert "at most 3 videos" in str(card.message) and "character4" in str(card.message)


def test_a_video_replacing_a_video_on_the_same_card_is_allowed():
    cast = [filled_card("video", f"/x/v{i}.mp4") for i in range(3)]
    card = cast_mod.check_media(cast[2], "/x/new.mp4", 3, cast, 2, probe=fake_probe("video", duration=4.0),
                                work_dir=Path("/tmp/r2v-ui-test"))
    assert card.verdict == "accepted" and card.kind == "video" and card.video_seconds == 4.0


def test_a_sound_file_dropped_on_the_picture_box_is_refused_with_where_it_belongs():
    card = cast_mod.check_media(Card(), "/x/voice.wav", 1, [Card()], 0,
                                probe=fake_probe("audio"), work_dir=Path("/tmp/r2v-ui-test"))
    assert card.verdict == "refused" and "voice clip" in str(card.message)


def test_fixed_files_use_the_repaired_copy_and_say_how():
    fixed = Path("/tmp/fixed.jpg")
    probe = lambda p, k=None, **kw: FakeReport(fixed, "image", "fixed", "photo.png was turned upright.")
    card = cast_mod.check_media(Card(), "/x/photo.png", 1, [Card()], 0, probe=probe,
                                work_dir=Path("/tmp/r2v-ui-test"))
    assert card.path == str(fixed)
    html = cards.verdict_html(card, 1)
    assert "Fixed" in html and "turned upright" in html


def test_real_media_check_refuses_a_tiny_picture(tmp_path):
    tiny = character_png(tmp_path / "tiny.png", (200, 0, 0), size=(100, 100))
    card = cast_mod.check_media(Card(), str(tiny), 1, [Card()], 0, work_dir=tmp_path / "w")
    assert card.verdict == "refused"
    html = cards.verdict_html(card, 1)
    assert "Refused" in html and "tiny.png" in html


def test_links_are_classified_and_checked_for_scheme():
    cast = [Card()]
    assert cast_mod.with_link(cast[0], "https://e.com/a.mp4?sig=1", 1, cast, 0).kind == "video"
    assert cast_mod.with_link(cast[0], "https://e.com/face", 1, cast, 0).kind == "image"
    assert cast_mod.with_link(cast[0], "ftp://e.com/a.png", 1, cast, 0).verdict == "refused"


def test_empty_card_between_filled_ones_blocks_generate_but_trailing_ones_are_ignored():
    assert cast_mod.problems([filled_card(), Card()]) == []
    gap = cast_mod.problems([filled_card(), Card(), filled_card()])
    assert gap and "character2" in gap[0]
    assert cast_mod.problems([Card()]) == ["Add at least one character: a picture or a video."]


def test_a_refused_fourth_video_is_reported_as_refused_not_as_missing():
    videos = [filled_card("video", f"/x/v{i}.mp4", video_seconds=3.0) for i in range(3)]
    cast = videos + [Card()]
    cast[3] = cast_mod.check_media(cast[3], "/x/fourth.mp4", 4, cast, 3,
                                   probe=lambda *a, **k: FakeReport(Path("/x/fourth.mp4"), "video", "accepted", "ok"))
    found = cast_mod.problems(cast)
    assert found and found[0].startswith("character4:") and "at most 3 videos" in found[0]
    assert not any("has no picture or video" in p for p in found)


# --- prompt ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,limit,cls", [("", 1500, "count-ok"), ("x" * 1400, 1500, "count-near"),
                                             ("x" * 501, 500, "count-over")])
def test_counts(text, limit, cls):
    label = fieldnotes.count_label(text, limit)
    assert f"{len(text)} / {limit}" in label and cls in label


def test_hints_name_missing_cards_and_unnamed_cards():
    cast = [filled_card(), filled_card()]
    hints = form.tag_hints("character1 meets character3", cast)
    assert ("error", hints[0][1]) == hints[0] and "character3" in hints[0][1]
    assert any(sev == "warning" and "character2" in msg for sev, msg in hints)
    assert "Every character is named" in fieldnotes.hints_html("character1 and character2", cast)


# --- settings ----------------------------------------------------------------------------------

def test_size_label_shows_pixels_for_every_tier_and_aspect():
    for tier in spec.TIERS:
        for aspect in spec.ASPECTS:
            w, h = spec.size_pixels(spec.size_for(tier, aspect))
            assert f"{w} × {h}" in fieldnotes.size_label(tier, aspect)


@pytest.mark.parametrize("mode,value,expected", [("random", 123, None), ("fixed", 42, 42), ("fixed", 42.0, 42),
                                                 ("fixed", spec.SEED_MAX, spec.SEED_MAX)])
def test_parse_seed(mode, value, expected):
    assert form.parse_seed(mode, value) == expected


@pytest.mark.parametrize("value", [None, "", -1, 2.5, spec.SEED_MAX + 1, "abc"])
def test_parse_seed_refuses_in_plain_words(value):
    with pytest.raises(ValueError, match="seed|Seed"):
        form.parse_seed("fixed", value)


def test_price_label_is_an_estimate_and_a_range_with_reference_videos():
    price = PriceTable()
    single = fieldnotes.price_label(price, "720P", "16:9", 5, [filled_card()])
    assert "$0.50" in single and "estimate" in single and "–" not in single
    ranged = fieldnotes.price_label(price, "720P", "16:9", 5, [filled_card("video", "/x/v.mp4", video_seconds=3.0)])
    assert "$0.50–$0.80" in ranged and "reference videos" in ranged


def test_the_form_starts_on_the_services_documented_defaults():
    # SPEC.md's submit body: size 1920*1080, duration 5, shot_type single, audio true, watermark false, no seed.
    d = form.DEFAULTS
    assert (d.tier, d.aspect) == ("1080P", "16:9") and spec.size_for(d.tier, d.aspect) == "1920*1080"
    assert (d.duration, d.shot_type, d.audio, d.watermark, d.seed_mode, d.seed) == (5, "single", True, False,
                                                                                 form.SEED_RANDOM, None)


# --- the draft ---------------------------------------------------------------------------------

def test_build_draft_turns_the_page_into_a_job_draft():
    cast = [filled_card(path="/x/a.png", voice_path="/x/v.wav"), filled_card("video", "/x/b.mp4", video_seconds=4.0),
            Card()]
    values = form.FormValues(prompt="character1 and character2", tier="720P", aspect="9:16", duration=7,
                             shot_type="multi", audio=False, watermark=True, seed_mode="fixed", seed=7)
    draft = form.build_draft(cast, values)
    assert draft.size == "720*1280" and draft.duration == 7 and draft.seed == 7
    assert draft.shot_type == "multi" and draft.audio is False and draft.watermark is True
    assert [r.kind for r in draft.references] == ["image", "video"]
    assert draft.references[0].voice_path == Path("/x/v.wav")
    assert draft.references[1].duration == 4.0
    draft.preview_request().require_valid()
    back = form.values_from_draft(draft)
    assert (back.tier, back.aspect, back.seed_mode, back.seed) == ("720P", "9:16", "fixed", 7)


def test_build_draft_refuses_before_anything_is_sent():
    with pytest.raises(ValueError, match="at least one character"):
        form.build_draft([Card()], form.FormValues(prompt="character1"))
    with pytest.raises(ValueError, match="no number"):
        form.build_draft([filled_card()], form.FormValues(prompt="character1", seed_mode="fixed", seed=None))


def test_remixed_references_become_cards():
    from r2v_ui.jobs import Reference

    cards = cast_mod.from_references([Reference(kind="video", path=Path("/lib/a.mp4"), name="walk.mp4", duration=3.0),
                                      Reference(kind="image", url="https://e.com/b.png")])
    assert cards[0].kind == "video" and cards[0].video_seconds == 3.0 and "walk.mp4" in str(cards[0].message)
    assert cards[1].url == "https://e.com/b.png"


# --- status ------------------------------------------------------------------------------------

Snap = snapshot


def test_processing_shows_percent_time_left_and_the_no_cancel_note():
    html = status.stage_html(Snap("processing", "Generating… 42%, about 75 s left", progress=0.42, eta_seconds=75))
    assert 'data-state="processing"' in html and "42%" in html and "1 min 15 s left" in html
    assert "stage-now" in html and "no cancel" in html
    assert html.replace("width:42%", "").count("42%") == 1 and "75 s left" not in html  # said once, under the bar


def test_demo_mode_never_speaks_of_billing():
    for state in ("processing", "uncertain"):
        html = status.stage_html(Snap(state, progress=0.5, target="demo"))
        assert "bill" not in html.lower(), state


def test_uploading_lists_each_file_when_the_manager_reports_them():
    snap = Snap("uploading", "Uploading 2 reference files…", progress=0.5,
                uploads={"character1": 1.0, "character2 voice": 0.25})
    html = status.stage_html(snap)
    assert "character1: 100%" in html and "character2 voice: 25%" in html and "50%" in html


def test_failure_says_what_happened_and_what_to_do():
    html = status.stage_html(Snap("failed", error="The service refused the prompt. Reword it."))
    assert "Reword it" in html and "Try again" in html and "no cancel" not in html


def test_uncertain_explains_the_risk_of_paying_twice():
    html = status.stage_html(Snap("uncertain"))
    assert "bill twice" in html


def test_summary_lists_the_settings_and_the_seed_used():
    md = status.summary_markdown(Snap("succeeded", seed_used=99))
    assert "1280 × 720 (720P, 16:9)" in md and "| Seed used | 99 |" in md and "estimate" in md


def test_badge_says_demo_or_live_and_never_shows_the_key():
    demo = Settings()
    assert "Demo — built-in emulator" in badge_html(demo, None)
    live = badge_html(demo, "sk-secret-123")
    assert "Live" in live and "sk-secret-123" not in live


# --- reference hosting panel -------------------------------------------------------------------

def test_a_live_session_without_hosting_says_how_to_set_one_up(tmp_path):
    from r2v_ui.hosting import make_host
    from r2v_ui.jobs import JobManager
    from r2v_ui.store import JobStore
    from r2v_ui.ui import hostpanel

    settings = Settings.from_env({"HIGHWAY_API_KEY": "sk-made-up", "R2V_DATA_DIR": str(tmp_path)})
    assert hostpanel.session_target(settings, None) == "live"
    described = hostpanel.describe(settings, "live")
    assert "R2V_S3_BUCKET" in described and "PUBLIC_BASE_URL" in described and "sk-made-up" not in described
    manager = JobManager(settings, JobStore(tmp_path),
                         host_factory=lambda target: make_host(settings, emulator_url=None, emulator_key=None))
    try:
        result = hostpanel.check_html(manager, "live")
    finally:
        manager.close()
    assert 'data-kind="error"' in result and "R2V_S3_BUCKET" in result and "PUBLIC_BASE_URL" in result


def test_the_demo_panel_names_the_emulator():
    from r2v_ui.ui import hostpanel

    assert hostpanel.session_target(Settings(), None) == "demo"
    assert hostpanel.session_target(Settings(), "sk-session") == "live"
    assert "built-in emulator hosts your files" in hostpanel.describe(Settings(), "demo")


# --- pasted links, checked at paste time -------------------------------------------------------

@pytest.mark.asyncio
async def test_a_pasted_link_is_checked_at_once_and_the_card_says_so(pasted_site):
    cast = [Card()]
    good = await cast_mod.check_link(cast[0], f"{pasted_site}/face.png", 1, cast, 0, guard=OWN_STUDIO)
    assert good.verdict == "accepted" and good.kind == "image" and good.url == f"{pasted_site}/face.png"
    assert "Link checked" in cards.verdict_html(good, 1)

    bad = await cast_mod.check_link(cast[0], f"{pasted_site}/gone.png", 1, cast, 0, guard=OWN_STUDIO)
    assert bad.verdict == "refused" and not bad.has_media
    html = cards.verdict_html(bad, 1)
    assert "Refused" in html and "404" in html and "points to nothing" in html
    assert bad.link == f"{pasted_site}/gone.png"  # the text stays in the box to be corrected


# --- files the page shows ----------------------------------------------------------------------

def test_files_are_shown_at_a_stable_path_in_gradios_cache_outside_the_library(tmp_path, monkeypatch):
    import gradio as gr
    from gradio import processing_utils
    from gradio.utils import get_upload_folder

    from r2v_ui.ui.viewfiles import Viewer

    library = tmp_path / "library"
    library.mkdir()
    video = library / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 100)
    viewer = Viewer()
    try:
        view = viewer.request()
        shown = Path(view(video))
        assert shown.read_bytes() == video.read_bytes() and shown.name == "clip.mp4"
        assert library not in shown.parents and Path(get_upload_folder()).resolve() in shown.resolve().parents
        assert video.name not in str(shown.parent)  # the folder is a keyed hash, not the library path
        assert view(video) == str(shown) and view(None) is None and view(library / "missing.mp4") is None
        assert viewer.request()(video) == str(shown)  # another request: the same path, nothing made again

        # Gradio serves it as it is: showing it again never hashes the video (it would a library path).
        hashed: list = []
        real = processing_utils.hash_file
        monkeypatch.setattr(processing_utils, "hash_file", lambda p, *a: hashed.append(p) or real(p, *a))
        block = gr.Video()
        assert block.move_resource_to_block_cache(str(shown)) == str(shown) and hashed == []
        other = library / "other.mp4"
        other.write_bytes(b"y" * 50)
        gradio_copy = Path(block.move_resource_to_block_cache(str(other)))
        assert len(hashed) == 1  # (the count works: a file from elsewhere is hashed)
        assert gradio_copy in viewer.served_copies(other)  # such a copy goes too when its job is deleted

        # A replaced file (the library writes by rename) gets a new path.
        fresh = library / "fresh.mp4"
        fresh.write_bytes(b"z" * 100)
        fresh.replace(video)
        again = Path(view(video))
        assert again != shown and again.read_bytes() == b"z" * 100

        # A video deleted from the library some other way stops being served at the next sweep.
        video.unlink()
        viewer.sweep()
        assert not again.exists()
        # A deleted job: every copy the page served of it goes.
        poster = library / "poster.jpg"
        poster.write_bytes(b"jpeg")
        served = Path(view(poster))
        viewer.remove(viewer.served_copies(poster))
        assert not served.exists() and poster.exists()
    finally:
        viewer.close()
    assert not viewer.root.exists()


def test_a_cards_voice_is_said_once_and_a_fixed_or_refused_one_says_why(tmp_path):
    """Issue 23: a card with a voice said it twice ("Voice: hello.wav" and "Voice: Accepted hello.wav is …")."""
    import re

    from tests.fixtures_emulator import make_wav

    picture = cast_mod.check_media(Card(), str(character_png(tmp_path / "mira.png", (200, 90, 40))), 1, [Card()], 0,
                                   work_dir=tmp_path / "w")
    card = cast_mod.check_voice(picture, str(make_wav(tmp_path / "hello.wav")), work_dir=tmp_path / "w")
    assert card.voice_verdict == "accepted"
    for lang, voice in (("en", "Voice: hello.wav"), ("zh-CN", "hello.wav")):
        seen = html_mod.unescape(re.sub(r"<[^>]+>", " ", cards.face_html(card, 1, lang)))
        assert seen.count("hello.wav") == 1 and voice in seen, seen
        assert seen.count("mira.png") == 2  # the picture's caption and its verdict, as before
    noise = tmp_path / "noise.wav"
    noise.write_bytes(b"not a sound at all" * 10)
    refused = cast_mod.check_voice(picture, str(noise), work_dir=tmp_path / "w")
    assert refused.voice_verdict == "refused"
    assert "Voice: Refused" in html_mod.unescape(cards.face_html(refused, 1, "en"))


def test_each_cast_a_session_stores_is_a_newer_revision_and_its_faces_say_which():
    """The page tells an older answer drawn over a newer one by the revision on each face
    (castpanel.STALE_JS); each session counts its own."""
    from types import SimpleNamespace

    from r2v_ui.ui.context import SessionCasts

    casts, one, two = SessionCasts(), SimpleNamespace(session_hash="one"), SimpleNamespace(session_hash="two")
    assert casts.revision(one) == 0
    assert [casts.put(one, [Card()]), casts.put(one, [Card(), Card()]), casts.put(two, [Card()])] == [1, 2, 1]
    assert casts.revision(one) == 2 and casts.revision(two) == 1
    assert 'data-rev="2"' in cards.face_html(Card(), 1, "en", casts.revision(one))
    assert "data-rev" not in cards.face_html(Card(), 1)  # the first drawing, before any session
