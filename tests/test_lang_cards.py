"""The cards, the character library, @Name and the storyboard speak the viewer's language: a Chinese
viewer meets no English sentence in a card's verdict, the cast's problems, an unknown @Name, a
library refusal or a storyboard check — and English stays word for word what it was.

The link checks talk to a real site on loopback; the library's API is the real studio on loopback
(gradio_client), asked once by a script that names Chinese and once by one that names no language."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from r2v_ui import prompt_names
from r2v_ui.characters import CharacterError, CharacterLibrary
from r2v_ui.messages import EN, ZH, msg, render_msg
from r2v_ui.storyboard import FitImpossible, Shot, Storyboard, fit
from r2v_ui.workspace import cast as cast_mod
from r2v_ui.workspace.cast import Card
from r2v_ui.workspace import charactercards
from r2v_ui.ui import cards
from r2v_ui.ui.castpanel import offer_text
from r2v_ui.ui.storyboard import check_html
from tests.fixtures_hosting import OWN_STUDIO
from tests.fixtures_ui import character_png, running_studio
from tests.lang_terms import foreign_words


def plain(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def chinese(text: str) -> str:
    """`text`, checked to hold no English word (the model's terms and file names may stay)."""
    assert foreign_words(text) == [], text
    return text


# --- a card's verdict --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_pasted_links_verdict_on_a_card_is_said_in_chinese(pasted_site):
    cast = [Card()]
    said = {}
    for what, url in (("gone", f"{pasted_site}/gone.png"), ("good", f"{pasted_site}/face.png"), ("ftp", "ftp://e.com/a.png"),
                      ("sound", "https://e.com/voice.wav")):
        card = await cast_mod.check_link(cast[0], url, 1, cast, 0, guard=OWN_STUDIO)
        said[what] = chinese(plain(cards.verdict_html(card, 1, ZH)))
    assert said["gone"].startswith("✕ 无法使用") and "404" in said["gone"]
    assert said["good"] == "✓ 可以使用 链接检查通过：服务能取到这个图片。生成时还会再检查一次。"
    assert said["ftp"] == "✕ 无法使用 链接必须以 http:// 或 https:// 开头。"
    assert said["sound"] == "✕ 无法使用 这个链接是音频文件。卡片需要图片或视频；声音请作为音色片段添加。"
    videos = [Card(kind="video", path=f"/x/v{i}.mp4") for i in range(3)]
    fourth = cast_mod.with_link(Card(), "https://e.com/d.mp4", 4, videos + [Card()], 3)
    assert chinese(render_msg(fourth.message, ZH)) == "这个链接是视频，而最多只能有 3 个视频。请为 character4 换用图片。"
    # The same cards in English read as they always did.
    assert render_msg(fourth.message, EN) == ("That link is a video, and at most 3 videos are allowed. "
                                             "Use a picture for character4.")
    good = await cast_mod.check_link(cast[0], f"{pasted_site}/face.png", 1, cast, 0, guard=OWN_STUDIO)
    assert render_msg(good.message, EN) == ("Link checked: the service can fetch this picture. It is checked again "
                                           "when you generate.")
    assert cast_mod.with_link(cast[0], "https://e.com/a.mp4", 1, cast, 0).message.params["what"].code \
        == "hosting.word.video"


def test_a_card_from_an_old_job_or_the_library_says_where_it_came_from_in_chinese():
    ref = SimpleNamespace(kind="image", path="/x/mira.png", url=None, name="mira.png", voice_path=None,
                          voice_url="https://e.com/v?sig=1", voice_name="", duration=None, content_type="image/png",
                          voice_content_type=None, character="米拉")
    for key, note, zh in (("video", "from this video", "来自这个视频"), ("last", "from your last job", "来自你上一次的任务"),
                          ("remix", "from the job you are remixing", "来自你正在改编的视频")):
        card = cast_mod.from_references([ref], note=msg(f"cast.from.{key}"))[0]
        assert chinese(render_msg(card.message, ZH)) == f"mira.png（{zh}）。"
        assert render_msg(card.message, EN) == f"mira.png ({note})."
        assert chinese(render_msg(card.voice_message, ZH)) == f"音色链接（{zh}）。"
    ch = SimpleNamespace(kind="image", media=SimpleNamespace(name="mira.png", content_type="image/png"),
                         name="米拉", voice=None, video_seconds=None, thumb=None, id="0" * 16)
    card = charactercards.card_from_character(ch, "/x/mira.png", None)
    assert chinese(render_msg(card.message, ZH)) == "米拉（来自你的角色库）。"
    assert render_msg(card.message, EN) == "米拉 (from your character library)."


# --- what stops Generate -----------------------------------------------------------------------

def test_the_casts_problems_are_said_in_chinese():
    refused = cast_mod.with_link(Card(), "ftp://e.com/a.png", 1, [], 0)
    filled = Card(kind="image", path="/x/a.png", verdict="accepted")
    cast = [refused, Card(), replace(filled, voice_verdict="refused", voice_message="",
                                                character="米拉 二号")]
    said = [chinese(p) for p in cast_mod.problems(cast, ZH)]
    assert said[0] == "character1：链接必须以 http:// 或 https:// 开头。请换一个，或者移除这张卡片。"
    assert said[1].startswith("character2 还没有图片或视频")
    assert said[2] == "character3 的音色片段无法使用："
    assert said[3].startswith("character3：角色的名字是一个词")
    assert chinese(cast_mod.problems([Card()], ZH)[0]) == "请至少添加一个角色：一张图片或一段视频。"
    # English callers get the words they always got.
    assert cast_mod.problems(cast)[0] == ("character1: A link must start with http:// or https://. Replace it, "
                                          "or remove the card.")


def test_the_offer_after_cards_moved_is_said_in_chinese():
    said = chinese(plain(offer_text({1: 2, 2: 1}, ZH)))
    assert said.startswith("卡片换了位置： character1 现在是 character2，character2 现在是 character1。")
    assert plain(offer_text({1: 2, 2: 1})).startswith("Cards moved: character1 is now character2, character2 is now "
                                                      "character1. The prompt")


def test_an_unknown_or_shared_at_name_is_said_in_chinese():
    unknown = prompt_names.resolve("@小明 挥手", ["小红", "阿宝", "小兰"]).problems[0]
    assert chinese(render_msg(unknown.msg, ZH)).startswith(
        "提示词里写了 @小明，但没有哪张卡片叫 小明（现有卡片的名字是 小红、阿宝、小兰）。")
    assert unknown.message.startswith("The prompt names @小明, but no card is called 小明 (the cards are named "
                                      "小红, 阿宝, 小兰).")
    shared = prompt_names.resolve("@小红 笑了", ["小红", "小红"]).problems[0]
    assert chinese(render_msg(shared.msg, ZH)).startswith("有 2 张卡片都叫 小红（character1 和 character2）")
    assert chinese(render_msg(prompt_names.name_problem("character2"), ZH)).startswith("character2 是服务给卡片编的号")


def test_a_storyboards_checks_are_said_in_chinese():
    board = Storyboard("雨夜的街道", (Shot("远景", 3), Shot(" ", None), *[Shot("近景", 1)] * 5))
    said = [chinese(render_msg(p.msg, ZH)) for p in board.problems(5)]
    assert said[0] == "分镜需要 2 到 6 个镜头；现在有 7 个。"
    assert "镜头 2 还没有描述：写下这个镜头里发生了什么，或者删除这个镜头。" in said
    assert "镜头 2 需要一个整数秒的时长，至少 1 秒。" in said
    assert said[-1] == "7 个镜头至少需要 7 秒，但视频只有 5 秒：请删掉一个镜头，或者把视频加长。"
    with pytest.raises(FitImpossible) as err:
        fit([1] * 6, 5)
    assert chinese(render_msg(err.value.msg, ZH)).startswith("6 个镜头至少需要 6 秒")
    rows = [{"text": "远景", "seconds": 3}, {"text": "近景", "seconds": 3}]
    assert chinese(plain(check_html(rows, 5, "", ZH))) == (
        "✕ 各镜头加起来是 6 秒，但视频时长是 5 秒：请点“调整为共 5 秒”，或者修改各镜头的时长。")
    # Before any request (the page's first render) the note is there in both languages, each marked.
    first = check_html([], 5, lang=None)
    assert '<span class="i18n" lang="zh-CN">各镜头加起来是 0 秒' in first and '<span class="i18n" lang="en">The shots' in first


# --- the character library ---------------------------------------------------------------------

def test_the_librarys_refusals_are_said_in_chinese(tmp_path):
    lib = CharacterLibrary(tmp_path)
    picture = character_png(tmp_path / "mira.png", (230, 110, 40))
    card = Card(kind="image", path=str(picture), verdict="accepted")
    lib.save("", charactercards.draft_from_card(card, 1, "米拉", ""))
    refusals = []
    for attempt in (lambda: lib.save("", charactercards.draft_from_card(card, 1, "米拉", "")),
                    lambda: lib.save("", charactercards.draft_from_card(card, 1, "", "")),
                    lambda: lib.save("", charactercards.draft_from_card(card, 1, "阿宝", "长" * 200)),
                    lambda: lib.get("", "0" * 16),
                    lambda: charactercards.draft_from_card(Card(), 2, "阿宝", ""),
                    lambda: charactercards.target_index([card] * 5, charactercards.NEXT_EMPTY)):
        with pytest.raises(CharacterError) as err:
            attempt()
        refusals.append(chinese(render_msg(err.value.msg, ZH)))
    assert refusals[0] == "你已经有一个叫 米拉 的角色了。请换个名字，或者先把那个角色改名或删除。"
    assert refusals[1].startswith("给角色起个名字（例如 米拉）")
    assert str(err.value) == ("All 5 cards are in use. Choose the card to replace in “Put into”, or remove a card "
                              "first.")


def test_the_library_api_answers_a_chinese_script_in_chinese_and_any_other_in_english(tmp_path):
    gradio_client = pytest.importorskip("gradio_client")
    with running_studio(tmp_path / "data") as studio:
        zh = gradio_client.Client(studio.url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}, verbose=False)
        zh.predict(api_name="/load_example_cast")
        zh.predict(1, "Ada", "", api_name="/save_character")
        with pytest.raises(Exception, match="你已经有一个叫 Ada 的角色了") as err:
            zh.predict(2, "ada", "", api_name="/save_character")
        assert foreign_words(str(err.value).replace("Ada", "")) == [], str(err.value)
        with pytest.raises(Exception, match="卡片必须是 1 到 5 之间的整数"):
            zh.predict("two", "Cy", "", api_name="/save_character")
        plain_client = gradio_client.Client(studio.url, verbose=False)  # names no language
        with pytest.raises(Exception, match="character1 has no picture or video file to save"):
            plain_client.predict(1, "Cy", "", api_name="/save_character")
