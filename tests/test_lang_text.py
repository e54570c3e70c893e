"""Chinese text works everywhere: preview captions, prompt counts, tag hints (History search is in
tests/test_store_messages.py)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from r2v_ui import spec
from r2v_ui.emulator import render
from r2v_ui.messages import ZH
from r2v_ui.request import GenerationRequest, MediaItem
from r2v_ui.workspace import form
from r2v_ui.ui import fieldnotes
from r2v_ui.workspace.cast import Card

W, H, TOP, BOTTOM = 960, 540, 30, 420


def _caption_pixels(prompt: str) -> np.ndarray:
    job = render.RenderJob(references=(), prompt=prompt, width=W, height=H, duration=2)
    frame = render._draw_static(np.zeros((H, W, 3), np.uint8), job, TOP, BOTTOM)
    return frame[BOTTOM:, :, :]


def test_a_chinese_caption_is_drawn_with_real_glyphs_not_empty_boxes():
    assert render.has_cjk_font(), f"install {render.CJK_FONT_PACKAGE} (README)"
    a, b = _caption_pixels("山水花鸟"), _caption_pixels("雨夜霓虹")
    assert (a > 128).sum() > 200  # ink was drawn
    # Missing glyphs all draw the same box: two different words would then give the same pixels.
    assert (a != b).any(axis=2).sum() > 200


def test_a_long_chinese_caption_wraps_inside_the_frame():
    img = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(img)
    font = render._font(28)
    text = "让character1和character2在雨夜的霓虹街头并肩奔跑，镜头缓缓推进，远处传来雷声。" * 2
    lines = render.wrap_caption(draw, text, font, 600)
    assert len(lines) >= 3 and "".join(lines) == text  # nothing lost, no spaces invented
    assert all(draw.textlength(line, font=font) <= 600 for line in lines)
    english = render.wrap_caption(draw, "character1 walks slowly into the warm evening light " * 3, font, 600)
    assert all(not line.startswith(" ") and draw.textlength(line, font=font) <= 600 for line in english)
    assert all(w.isalpha() or w[-1].isdigit() for line in english for w in line.split())  # words kept whole


def test_the_prompt_count_counts_characters_as_the_service_does():
    assert spec.prompt_length("角色character1挥手") == 14
    assert spec.prompt_length("🎬") == 1  # one character (a browser's UTF-16 length would say 2)
    assert "14 / 1500" in fieldnotes.count_label("角色character1挥手", spec.PROMPT_MAX)
    over = "雨" * (spec.PROMPT_MAX + 2)
    assert "1502 / 1500" in fieldnotes.count_label(over, spec.PROMPT_MAX)
    problems = [p for p in GenerationRequest(prompt=over, media=(MediaItem(url="https://x/a.png",
                type="reference_image"),)).validate().errors if p.field == "prompt"]
    assert [p.msg.code for p in problems] == ["spec.prompt_too_long"]


def test_tags_are_found_right_next_to_chinese_characters():
    assert spec.tags_in_prompt("让character1和character2在雨中跳舞，character3看着") == [1, 2, 3]
    assert spec.tags_in_prompt("ｃｈａｒａｃｔｅｒ１在跳舞") == []  # full-width is not a tag to the service
    cast = [Card(kind="image", path="/x/a.png", verdict="accepted")]
    hints = form.tag_hints("让character1和character2跳舞", cast, ZH)
    assert hints == [("error", "提示词里写了 character2，但只有 1 个参考素材：请为它添加参考素材，或修改提示词。")]
    assert form.tag_hints("character1在雨中跳舞", cast, ZH) == []
