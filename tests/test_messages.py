"""The catalog: both languages say every sentence, with the same parameters."""

from __future__ import annotations

import re

import pytest

from r2v_ui import messages
from tests.lang_terms import foreign_words
from r2v_ui.messages import Choices, EN, Msg, ZH, en, fields, msg, render_msg, zh_CN


def test_every_key_is_in_both_languages():
    assert sorted(set(en.MESSAGES) ^ set(zh_CN.MESSAGES)) == []


@pytest.mark.parametrize("key", sorted(en.MESSAGES))
def test_both_languages_take_the_same_parameters(key):
    assert fields(zh_CN.MESSAGES[key]) == fields(en.MESSAGES[key]), key


def test_the_check_fails_when_a_chinese_sentence_is_missing(monkeypatch):
    monkeypatch.delitem(zh_CN.MESSAGES, "media.empty")
    assert set(en.MESSAGES) - set(zh_CN.MESSAGES) == {"media.empty"}


def test_the_check_fails_when_a_parameter_is_dropped():
    assert fields("{name} 是空文件") != fields(en.MESSAGES["media.image_too_small"])


@pytest.mark.parametrize("key", sorted(zh_CN.MESSAGES))
def test_chinese_sentences_hold_no_english_words(key):
    """A word left in English in zh_CN.py is a missing translation (terms like HTTP or MP4 stay)."""
    text = re.sub(r"\{[^}]*\}|<[^>]+>", "", zh_CN.MESSAGES[key])
    assert foreign_words(text) == [], key


def test_the_word_check_catches_english():
    assert foreign_words("请检查 the settings 后重试") == ["the", "settings"]


def test_a_message_renders_in_each_language_with_nested_parameters():
    m = msg("media.wrong_kind", name="a.mp4", found=msg("media.noun.video"), wanted=msg("media.noun.image"),
            slot=msg("media.slot.video"))
    assert render_msg(m, EN) == "a.mp4 is a video, not a picture; add it as a reference video instead."
    assert render_msg(m, ZH) == "a.mp4 是视频，不是图片；请把它添加为参考视频。"


def test_lists_are_joined_the_way_each_language_does():
    m = msg("media.not_picture", name="x", formats=Choices(("JPEG", "PNG", "BMP")))
    assert "JPEG, PNG or BMP" in render_msg(m, EN)
    assert "JPEG、PNG 或 BMP" in render_msg(m, ZH)


def test_a_message_survives_storing_and_an_old_text_shows_as_it_was():
    m = msg("media.fix.many", name="a.png", phrases=(msg("media.fix.alpha_short"), msg("media.fix.rotation_short")))
    back = messages.loads(messages.dumps(m))
    assert back == m and render_msg(back, ZH) == render_msg(m, ZH)
    old = messages.loads("Queued at the service…")
    assert old == Msg(messages.LEGACY, {"text": "Queued at the service…"})
    assert render_msg(old, ZH) == "Queued at the service…"


def test_an_unknown_code_is_refused_at_once():
    with pytest.raises(KeyError):
        msg("no.such.message")


@pytest.mark.parametrize("header, lang", [
    ("zh-CN,zh;q=0.9,en;q=0.8", ZH), ("en-US,en;q=0.9", EN), ("zh-Hans-CN", ZH), ("fr-FR,en;q=0.5,zh;q=0.7", ZH),
    ("fr-FR", EN), ("", EN), (None, EN), ("en;q=0.9,zh-TW;q=0.95", ZH),
])
def test_the_language_follows_the_browser(header, lang):
    assert messages.from_accept_language(header) == lang
