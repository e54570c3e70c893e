"""The example cast in each language: a Chinese page gets a Chinese prompt (the model's tags kept),
Chinese things to avoid, and pictures whose name tags are drawn in Chinese with real glyphs."""

from __future__ import annotations

import numpy as np
from PIL import Image

from r2v_ui import examples, fonts, spec
from r2v_ui.messages import EN, ZH
from r2v_ui.request import check_character_tags
from tests.lang_terms import foreign_words

TAG_BAND = (slice(840, 930), slice(0, examples.WIDTH))  # where _caption draws the name tag


def test_the_english_example_is_as_before(tmp_path):
    ex = examples.example_cast(tmp_path)
    assert [c.name for c in ex.characters] == ["Mira the explorer", "Bolt the robot"]
    assert [c.image.name for c in ex.characters] == ["mira-the-explorer.png", "bolt-the-robot.png"]
    assert ex.prompt.startswith("character1 and character2 explore a glowing forest")
    assert ex.negative_prompt == "blurry, distorted faces, extra limbs"
    assert examples.example_cast(tmp_path, EN) == ex


def test_the_chinese_example_is_written_in_chinese_with_the_tags_kept(tmp_path):
    ex = examples.example_cast(tmp_path, ZH)
    assert [c.name for c in ex.characters] == ["探险家米拉", "机器人波特"]
    assert spec.tags_in_prompt(ex.prompt) == [1, 2] and check_character_tags(ex.prompt, 2) == []
    assert foreign_words(ex.prompt + " " + ex.negative_prompt) == []
    assert ex.characters[0].voice and ex.characters[0].voice.exists()
    # Its own pictures, beside the English ones; a plain file name the card can show as it is.
    assert [c.image.name for c in ex.characters] == ["mira-the-explorer-zh.png", "bolt-the-robot-zh.png"]
    assert foreign_words(" ".join(c.image.name for c in ex.characters)) == []
    assert examples.example_cast(tmp_path, "zh-Hans") == ex  # any Chinese tag the browser sends


def test_each_language_draws_its_pictures_once(tmp_path):
    first = {lang: examples.example_cast(tmp_path, lang) for lang in (EN, ZH)}
    stamps = {p: p.stat().st_mtime_ns for ex in first.values() for c in ex.characters for p in (c.image, c.voice) if p}
    assert len(stamps) == 5  # two pictures per language and one voice shared by both
    for lang in (EN, ZH):
        examples.example_cast(tmp_path, lang)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_a_chinese_name_tag_is_drawn_with_real_glyphs(tmp_path):
    assert fonts.has_cjk_font(), f"install {fonts.CJK_FONT_PACKAGE} (README)"
    ex = examples.example_cast(tmp_path, ZH)
    en = examples.example_cast(tmp_path, EN)
    for zh_card, en_card in zip(ex.characters, en.characters):
        zh_tag = np.asarray(Image.open(zh_card.image).convert("RGB"))[TAG_BAND]
        en_tag = np.asarray(Image.open(en_card.image).convert("RGB"))[TAG_BAND]
        assert (zh_tag != en_tag).any(axis=2).sum() > 500  # a different tag was drawn
    # Two names of five characters each: drawn as missing-glyph boxes they would be the same pixels.
    a, b = (np.asarray(examples._draw_robot(name))[TAG_BAND] for name in ("探险家米拉", "机器人波特"))
    assert (a != b).any(axis=2).sum() > 500



def test_the_things_to_avoid_are_known_in_every_language(tmp_path):
    # ui/scene.py clears them once the example cast has left, whichever language they were loaded in.
    loaded = {examples.example_cast(tmp_path, lang).negative_prompt for lang in (EN, ZH)}
    assert examples.EXAMPLE_NEGATIVE_PROMPTS == loaded and len(loaded) == 2
    assert examples.EXAMPLE_NEGATIVE_PROMPT == "blurry, distorted faces, extra limbs"


def _no_drawing(monkeypatch):
    def refuse(*_args):
        raise AssertionError("a click drew the example cast")

    for name in ("_draw_explorer", "_draw_robot", "_write_voice"):
        monkeypatch.setattr(examples, name, refuse)


def test_the_cast_prepared_at_start_is_what_a_click_loads_without_drawing(tmp_path, monkeypatch):
    examples.prepare_in_background(tmp_path).join(60)
    _no_drawing(monkeypatch)
    for lang in (EN, ZH):
        ex = examples.example_cast(tmp_path, lang)
        assert all(c.image.exists() for c in ex.characters) and ex.characters[0].voice.exists()


def test_the_studio_prepares_the_example_cast_when_it_starts(tmp_path, monkeypatch):
    from app import build_studio
    from r2v_ui.config import Settings

    studio = build_studio(Settings.from_env({"R2V_DATA_DIR": str(tmp_path)}))
    try:
        studio.examples_ready.join(60)
        _no_drawing(monkeypatch)
        ex = examples.example_cast(tmp_path / "examples", ZH)
        assert [c.image.name for c in ex.characters] == ["mira-the-explorer-zh.png", "bolt-the-robot-zh.png"]
    finally:
        studio.close()


def test_the_voice_is_four_seconds_of_sound_that_rises_and_falls(tmp_path):
    import wave

    path = tmp_path / "voice.wav"
    examples._write_voice(path)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, examples.VOICE_RATE)
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    assert len(pcm) == int(examples.VOICE_SECONDS * examples.VOICE_RATE)
    loud = np.abs(pcm.astype(int))
    assert loud.max() > 3000  # audible
    syllable = int(0.32 * examples.VOICE_RATE)
    assert loud[4 * syllable:5 * syllable].max() == 0  # every fifth syllable is a pause
