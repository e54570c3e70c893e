"""A picture accepted as it is is never decoded: its rotation tag and whether its data is all there
come from its headers.  Cut-off files of every format are still refused as damaged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from r2v_ui.media import probe

pytestmark = pytest.mark.timeout(60)


def _noise(path: Path, fmt: str, size=(640, 480), **save) -> Path:
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, fmt, **save)
    return path


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


@pytest.fixture
def no_decoding(monkeypatch):
    """Call it once the test's pictures are written: from then on any pixel decode is an error."""
    def refuse(im, *a, **kw):
        raise AssertionError(f"the probe decoded the pixels of a {im.format} picture")

    def start() -> None:
        monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
        monkeypatch.setattr(Image.Image, "load", refuse)

    return start


@pytest.mark.parametrize("fmt, suffix, save", [
    ("JPEG", ".jpg", {"exif": _exif(1), "quality": 90}),
    ("JPEG", ".jpg", {"progressive": True}),
    ("PNG", ".png", {"exif": _exif(1)}),
    ("WEBP", ".webp", {"exif": _exif(1)}),
    ("BMP", ".bmp", {}),
])
def test_a_picture_that_meets_the_rules_is_accepted_without_decoding_a_pixel(tmp_path, no_decoding, fmt, suffix, save):
    src = _noise(tmp_path / f"ada{suffix}", fmt, **save)
    no_decoding()
    r = probe(src, "image", work_dir=tmp_path / "work")
    assert (r.verdict, r.format, r.width, r.height, r.path) == ("accepted", fmt, 640, 480, src)


def test_a_camera_jpeg_with_a_video_after_the_picture_is_accepted(tmp_path, no_decoding):
    src = _noise(tmp_path / "motion.jpg", "JPEG")
    with open(src, "ab") as fh:
        fh.write(b"\x00\x00\x00\x18ftypmp42" + os.urandom(200_000))  # a motion photo's clip
    no_decoding()
    assert probe(src, "image").verdict == "accepted"


def test_a_rotation_tag_is_read_from_the_header_and_only_the_repair_decodes(tmp_path, monkeypatch):
    src = _noise(tmp_path / "turned.jpg", "JPEG", exif=_exif(6))
    loads = []
    real = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda im: loads.append(id(im)) or real(im))
    r = probe(src, "image", work_dir=tmp_path / "work")
    assert r.verdict == "fixed" and (r.width, r.height) == (480, 640)
    assert len(set(loads)) == 1  # one picture decoded: the repair's


@pytest.mark.parametrize("fmt, suffix", [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("BMP", ".bmp")])
def test_a_cut_off_picture_is_refused_as_damaged_without_decoding(tmp_path, no_decoding, fmt, suffix):
    whole = _noise(tmp_path / f"whole{suffix}", fmt).read_bytes()
    src = tmp_path / f"cut{suffix}"
    src.write_bytes(whole[: int(len(whole) * 0.7)])
    no_decoding()
    r = probe(src, "image", display_name=f"Portrait{suffix}")
    assert r.verdict == "refused" and "damaged" in r.message and f"Portrait{suffix}" in r.message
