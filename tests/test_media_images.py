"""Pictures: what a user sees when they add a reference picture (files made here, in tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from r2v_ui.media import probe
from r2v_ui.spec import IMAGE_RULES

pytestmark = pytest.mark.timeout(60)


def _picture(path: Path, size=(400, 300), mode="RGB", color=(200, 40, 40), fmt=None, **save) -> Path:
    Image.new(mode, size, color).save(path, fmt, **save)
    return path


def _noise(path: Path, size: tuple[int, int], fmt: str) -> Path:
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, fmt)
    return path


def test_plain_jpeg_is_accepted_as_it_is(tmp_path):
    src = _picture(tmp_path / "hero.jpg", (640, 480))
    r = probe(src, "image", work_dir=tmp_path / "work")
    assert r.verdict == "accepted" and r.ok
    assert r.path == src and r.changes == ()
    assert (r.width, r.height, r.format, r.content_type) == (640, 480, "JPEG", "image/jpeg")
    assert r.bytes == src.stat().st_size and r.duration is None
    assert "hero.jpg" in r.message
    assert not (tmp_path / "work").exists()


def test_webp_picture_is_accepted(tmp_path):
    r = probe(_picture(tmp_path / "a.webp", (300, 300), fmt="WEBP"))
    assert (r.verdict, r.format, r.content_type, r.kind) == ("accepted", "WEBP", "image/webp", "image")


def test_bmp_picture_is_accepted(tmp_path):
    r = probe(_picture(tmp_path / "a.bmp", (300, 260)))
    assert (r.verdict, r.format, r.content_type) == ("accepted", "BMP", "image/bmp")
    assert (r.width, r.height) == (300, 260)


def test_kind_is_told_by_content_not_by_extension(tmp_path):
    src = _picture(tmp_path / "really_a_png.jpg", (300, 300), fmt="PNG")
    r = probe(src)
    assert (r.kind, r.verdict, r.format, r.content_type) == ("image", "accepted", "PNG", "image/png")


def test_empty_file_is_refused_in_plain_words(tmp_path):
    src = tmp_path / "blank.png"
    src.write_bytes(b"")
    r = probe(src, "image")
    assert r.verdict == "refused" and not r.ok
    assert "blank.png" in r.message and "empty" in r.message


def test_missing_file_is_refused(tmp_path):
    r = probe(tmp_path / "gone.png", "image")
    assert r.verdict == "refused" and "gone.png" in r.message


def test_text_renamed_jpg_is_refused_as_not_a_picture(tmp_path):
    src = tmp_path / "x.jpg"
    src.write_text("hello, this is not a picture\n" * 20)
    for kind in ("image", None):
        r = probe(src, kind)
        assert r.verdict == "refused" and r.kind == "image"
        assert r.message.startswith("x.jpg is not a picture")
        assert "JPEG, PNG, BMP or WEBP" in r.message


def test_truncated_png_is_refused_as_damaged(tmp_path):
    whole = _noise(tmp_path / "whole.png", (300, 300), "PNG").read_bytes()
    src = tmp_path / "cut.png"
    src.write_bytes(whole[: len(whole) // 2])
    r = probe(src, "image", display_name="Portrait of Ann.png")
    assert r.verdict == "refused"
    assert "Portrait of Ann.png" in r.message and "cut-off" in r.message


def test_truncated_jpeg_is_refused_as_damaged(tmp_path):
    whole = _noise(tmp_path / "whole.jpg", (400, 400), "JPEG").read_bytes()
    src = tmp_path / "cut.jpg"
    src.write_bytes(whole[: len(whole) // 2])
    r = probe(src, "image")
    assert r.verdict == "refused" and "cut.jpg" in r.message and "damaged" in r.message


def test_gif_is_refused_with_the_formats_the_service_takes(tmp_path):
    r = probe(_picture(tmp_path / "anim.gif", (300, 300), mode="P", color=1))
    assert r.verdict == "refused" and r.format == "GIF"
    assert "anim.gif is a GIF picture" in r.message and "JPEG, PNG, BMP or WEBP" in r.message


def test_200px_picture_is_refused_and_user_is_told_to_use_a_larger_one(tmp_path):
    r = probe(_picture(tmp_path / "portrait.png", (200, 180)), display_name="portrait.png")
    assert r.verdict == "refused"
    assert r.message == "portrait.png is 200×180 px; each side must be at least 240 px — use a larger picture."
    assert (r.width, r.height) == (200, 180)


def test_picture_shaped_1_to_9_is_refused(tmp_path):
    r = probe(_picture(tmp_path / "tall.png", (240, 2160), mode="L", color=90))
    assert r.verdict == "refused"
    assert "tall.png is 240×2160 px (1:9)" in r.message and "1:8 and 8:1" in r.message


def test_oversized_png_is_downscaled_and_user_is_told(tmp_path):
    src = _picture(tmp_path / "wide.png", (9000, 2000), mode="L", color=128)
    before = src.read_bytes()
    r = probe(src, work_dir=tmp_path / "work")
    assert r.verdict == "fixed" and r.ok
    assert r.path != src and r.path.parent == tmp_path / "work"
    assert src.read_bytes() == before  # the original is never touched
    with Image.open(r.path) as out:
        assert max(out.size) <= IMAGE_RULES.side_max
        assert out.size == (8000, 1778) == (r.width, r.height)
        assert out.format == r.format == "PNG"
    assert r.content_type == "image/png" and r.bytes == r.path.stat().st_size
    assert "wide.png" in r.message and "8000 px" in r.message and "8000×1778" in r.message
    assert len(r.changes) == 1


def test_picture_over_10_mb_is_resaved_as_jpeg_under_the_limit(tmp_path):
    src = _noise(tmp_path / "noise.bmp", (2000, 2000), "BMP")
    assert src.stat().st_size > IMAGE_RULES.max_bytes
    r = probe(src, work_dir=tmp_path)
    assert r.verdict == "fixed"
    assert r.path.stat().st_size <= IMAGE_RULES.max_bytes and r.bytes == r.path.stat().st_size
    with Image.open(r.path) as out:
        assert out.format == "JPEG" and out.size == (2000, 2000)
    assert (r.format, r.content_type) == ("JPEG", "image/jpeg")
    assert "noise.bmp" in r.message and "10 MB" in r.message and "JPEG" in r.message


def test_transparent_png_is_flattened_onto_white_and_user_is_told(tmp_path):
    im = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    im.paste((10, 120, 10, 255), (100, 100, 200, 200))
    src = tmp_path / "photo.png"
    im.save(src)
    r = probe(src, "image", work_dir=tmp_path / "w")
    assert r.verdict == "fixed"
    assert r.message == "photo.png had a transparent background, which was flattened onto white."
    with Image.open(r.path) as out:
        assert out.mode == "RGB" and "transparency" not in out.info
        assert out.getpixel((5, 5)) == (255, 255, 255)
        assert out.getpixel((150, 150)) == (10, 120, 10)
    assert r.content_type == "image/png"


def test_exif_rotated_jpeg_is_turned_upright_and_user_is_told(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: show it turned 90° clockwise
    src = _picture(tmp_path / "phone.jpg", (400, 300), exif=exif)
    r = probe(src, work_dir=tmp_path / "w")
    assert r.verdict == "fixed"
    assert "phone.jpg" in r.message and "rotation" in r.message
    with Image.open(r.path) as out:
        assert out.size == (300, 400) == (r.width, r.height)
        assert out.getexif().get(0x0112, 1) == 1
    assert r.content_type == "image/jpeg"


def test_several_repairs_are_each_listed_in_one_message(tmp_path):
    im = Image.new("LA", (8400, 1200), (100, 0))
    src = tmp_path / "banner.png"
    im.save(src)
    r = probe(src, work_dir=tmp_path / "w")
    assert r.verdict == "fixed" and len(r.changes) == 2
    assert r.message.startswith("banner.png was adjusted") and r.message.count(".") >= 1
    assert "white" in r.message and "8000×1143" in r.message
    with Image.open(r.path) as out:
        assert out.size == (8000, 1143) and out.mode == "RGB"


def test_video_given_as_picture_is_pointed_to_the_video_slot(tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=2)
        s.width, s.height, s.pix_fmt = 240, 240, "yuv420p"
        for _ in range(4):
            frame = av.VideoFrame.from_image(Image.new("RGB", (240, 240), (0, 80, 0)))
            c.mux(s.encode(frame))
        c.mux(s.encode())
    r = probe(path, "image")
    assert r.verdict == "refused" and r.message.startswith("clip.mp4 is a video, not a picture")


def test_a_heavy_picture_resaved_small_is_told_its_real_size_in_each_language(tmp_path):
    """A 12 MB flat BMP becomes a JPEG of a few KB: said in KB (not "a JPEG of 0.0 MB"), in both languages."""
    from r2v_ui.messages import ZH, render_msg

    src = _picture(tmp_path / "flat.bmp", (2000, 2000), color=(90, 150, 210))
    assert src.stat().st_size > IMAGE_RULES.max_bytes
    r = probe(src, work_dir=tmp_path)
    assert r.verdict == "fixed" and r.bytes < 1024 * 1024
    kb = f"{r.bytes / 1024:.0f} KB" if r.bytes >= 10 * 1024 else f"{r.bytes / 1024:.1f} KB"
    assert f"re-saved as a JPEG of {kb} " in r.message, r.message
    assert "was 11.4 MB" in r.message and "at most 10 MB" in r.message
    assert "0.0 MB" not in r.message
    zh = render_msg(r.msg, ZH)
    assert f"已重新保存为 {kb} 的 JPEG" in zh and "原有 11.4 MB" in zh and "0.0 MB" not in zh, zh
