"""The studio's answers follow the asker's language: a browser set to Chinese (its Accept-Language)
is refused in Chinese by Generate and by History's actions, and asked in Chinese before the same
video is started twice; a script that names no language gets the English sentences it always got.
The real studio on loopback (demo mode, emulator), through gradio_client; one launch for the module."""

from __future__ import annotations

import html

import pytest

from tests.fixtures_ui import running_studio
from tests.lang_terms import foreign_words

gradio_client = pytest.importorskip("gradio_client")

FORM = dict(negative="", tier="720P", aspect="16:9", duration=3, shot="single", audio=True, watermark=False,
            seed_mode="random", seed=None, shots=None, dont_ask=False, takes="1")
ZH_BROWSER = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("language-answers"), finish_seconds=2.0) as s:
        yield s


def _client(studio, headers=None):
    c = gradio_client.Client(studio.url, verbose=False, headers=headers)
    prompt = c.predict(api_name="/load_example_cast")[-3]  # a valid cast: the value under test is the only fault
    assert "character1" in prompt
    return c, prompt


def _words(answer) -> list[str]:
    return foreign_words(html.unescape(str(answer)).replace("<b>", " ").replace("</b>", " "))


def test_generate_refuses_a_chinese_browser_in_chinese_and_a_script_in_english(studio):
    zh, prompt = _client(studio, ZH_BROWSER)
    alert, _ = zh.predict(prompt, *(FORM | {"duration": 5.5, "audio": 1}).values(), api_name="/generate")
    text = html.unescape(str(alert))
    assert "没有发送任何内容。" in text and "时长必须是 2 到 10 之间的整数秒。" in text and "“声音”只能是开或关" in text
    assert [w for w in _words(alert) if w not in ("form-alert", "alert", "class", "role", "div")] == [], text
    en, prompt = _client(studio)
    alert, _ = en.predict(prompt, *(FORM | {"duration": 5.5}).values(), api_name="/generate")
    assert "<b>Nothing was sent.</b> The duration must be a whole number of seconds from 2 to 10." in str(alert)


def test_the_same_video_twice_is_asked_about_in_chinese(studio):
    zh, prompt = _client(studio, ZH_BROWSER)
    values = FORM | {"negative": "模糊"}  # a draft of its own in this module
    first = zh.predict(prompt, *values.values(), api_name="/generate")
    assert "form-alert" not in str(first[0]), first
    _, confirm = zh.predict(prompt, *values.values(), api_name="/generate")  # within the repeat window
    text = html.unescape(str(confirm))
    assert "你在" in text and "秒前刚开始生成过同样的视频" in text and "1 个角色" not in text, text
    assert "2 个角色，1280 × 720，3 秒，单镜头，有声音" in text, text


@pytest.mark.parametrize("api_name, args, sentence", [
    ("/remix", (), "这个任务已经不在你的历史记录里了。"),
    ("/toggle_keep", ("all", ""), "这个任务已经不在你的历史记录里了。"),
    ("/delete_job", ("all", ""), "这个任务不能删除：它还在生成中（仍可能计费），或者已经不在你的历史记录里。"),
])
def test_historys_refusals_speak_the_browsers_language(studio, api_name, args, sentence):
    zh = gradio_client.Client(studio.url, verbose=False, headers=ZH_BROWSER)
    with pytest.raises(Exception) as err:
        zh.predict(*args, api_name=api_name)
    assert sentence in str(err.value)
    en = gradio_client.Client(studio.url, verbose=False)
    with pytest.raises(Exception) as err:
        en.predict(*args, api_name=api_name)
    assert "in your history" in str(err.value)
