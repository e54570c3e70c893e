"""A refused file never replaces an accepted one (issue 23, item 2): the card keeps its picture, video
or voice and says why the new file was not used, in the user's language.  Real files, checked by the
real media checks (`media.probe` through `workspace/cast.py`)."""

from __future__ import annotations

from r2v_ui.messages import EN, ZH, render_msg
from r2v_ui.workspace import cast as cast_mod
from r2v_ui.workspace.cast import Card
from r2v_ui.ui.cards import face_html, with_thumb
from r2v_ui.workspace import kept
from tests.fixtures_emulator import make_wav
from tests.fixtures_ui import character_png


def _media(card, path, tmp_path):
    new = cast_mod.check_media(card, str(path), 1, [card], 0, work_dir=tmp_path / "checked")
    return kept.keep_media(card, new)


def test_a_refused_picture_leaves_the_accepted_one_and_says_why(tmp_path):
    card = _media(Card(), character_png(tmp_path / "mira.png", (200, 90, 40)), tmp_path)
    assert card.verdict == "accepted" and card.path
    after = _media(card, character_png(tmp_path / "tiny.png", (10, 10, 10), size=(100, 100)), tmp_path)
    assert after.path == card.path and after.name == "mira.png" and after.verdict == "accepted"
    note = render_msg(after.kept_note, EN)
    assert "Kept mira.png" in note and "tiny.png" in note and "240" in note
    zh = render_msg(after.kept_note, ZH)
    assert "已保留 mira.png" in zh and "tiny.png" in zh
    face = face_html(with_thumb(after), 1, EN)
    assert "mira.png" in face and "<img" in face and "Kept mira.png" in face


def test_the_next_accepted_picture_replaces_it_and_clears_the_note(tmp_path):
    card = _media(Card(), character_png(tmp_path / "mira.png", (200, 90, 40)), tmp_path)
    card = _media(card, character_png(tmp_path / "tiny.png", (10, 10, 10), size=(100, 100)), tmp_path)
    card = _media(card, character_png(tmp_path / "bolt.png", (40, 140, 200)), tmp_path)
    assert card.name == "bolt.png" and card.verdict == "accepted" and card.kept_note is None
    assert kept.notes(card) == []


def test_an_empty_card_shows_the_refusal_itself(tmp_path):
    card = _media(Card(), character_png(tmp_path / "tiny.png", (10, 10, 10), size=(100, 100)), tmp_path)
    assert card.verdict == "refused" and card.path is None and card.kept_note is None


def test_a_refused_voice_leaves_the_accepted_voice(tmp_path):
    card = cast_mod.check_voice(Card(), str(make_wav(tmp_path / "hello.wav")), work_dir=tmp_path)
    assert card.voice_verdict in kept.USABLE
    noise = tmp_path / "noise.wav"
    noise.write_bytes(b"not a sound at all" * 10)
    after = kept.keep_voice(card, cast_mod.check_voice(card, str(noise), work_dir=tmp_path))
    assert after.voice_path == card.voice_path and after.voice_name == "hello.wav"
    assert "Kept the voice hello.wav" in render_msg(after.voice_kept_note, EN)
    assert "noise.wav" in render_msg(after.voice_kept_note, EN)
