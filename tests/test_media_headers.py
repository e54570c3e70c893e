"""A picture accepted as it is is never decoded: its rotation tag and whether its data is all there
come from its headers.  Cut-off files of every format are still refused as damaged."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from r2v_ui.media import picture_header as ph
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


def _png_with(path: Path, after_data: list[tuple[bytes, bytes]], *, tail: bytes = b"", idat_size: int = 8192) -> Path:
    """A 640×480 noise PNG whose pixel data is in `idat_size` chunks, with `after_data` chunks
    between the data and IEND, and `tail` bytes after IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + os.urandom(640 * 3) for _ in range(480))
    packed = zlib.compress(raw, 1)
    body = [chunk(b"IHDR", struct.pack(">IIBBBBB", 640, 480, 8, 2, 0, 0, 0))]
    body += [chunk(b"IDAT", packed[i:i + idat_size]) for i in range(0, len(packed), idat_size)]
    body += [chunk(kind, data) for kind, data in after_data] + [chunk(b"IEND", b"")]
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"".join(body) + tail)
    return path


@pytest.mark.parametrize("idat_size", [8192, 65536, 300_000])
@pytest.mark.parametrize("text_after", [0, 400_000])
def test_a_png_rotation_tag_after_the_data_is_found_from_the_tail_or_the_walk(tmp_path, no_decoding, idat_size,
                                                                              text_after):
    after = [(b"tEXt", b"Comment\x00" + b"x" * text_after)] if text_after else []
    src = _png_with(tmp_path / "turned.png", after + [(b"eXIf", _exif(6))], idat_size=idat_size)
    upright = _png_with(tmp_path / "upright.png", after, idat_size=idat_size)
    assert ph.png_layout(src) == ph.PngLayout(True, _exif(6))
    no_decoding()
    assert probe(upright, "image").verdict == "accepted"
    assert ph.png_layout(upright) == ph.PngLayout(True, None)


def test_a_png_with_bytes_after_its_end_is_accepted_and_one_cut_at_a_chunk_edge_is_refused(tmp_path, no_decoding):
    padded = _png_with(tmp_path / "padded.png", [], tail=b"\x00" * 100)
    whole = _png_with(tmp_path / "whole.png", []).read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[:-12])  # everything but IEND
    no_decoding()
    assert probe(padded, "image").verdict == "accepted"
    r = probe(cut, "image")
    assert r.verdict == "refused" and "damaged" in r.message


def _counting_preads(monkeypatch) -> list[int]:
    """Record the size of every read picture_header makes from here on."""
    sizes: list[int] = []
    real = os.pread

    def pread(fd, n, offset):
        sizes.append(n)
        return real(fd, n, offset)

    monkeypatch.setattr(ph.os, "pread", pread)
    return sizes


@pytest.mark.parametrize("idat_size", [8192, 65536])
def test_a_png_cut_in_even_chunks_is_checked_with_three_small_reads(tmp_path, monkeypatch, idat_size):
    src = _png_with(tmp_path / "even.png", [], idat_size=idat_size)
    with Image.open(src) as im:
        sizes = _counting_preads(monkeypatch)
        assert ph.png_layout(src, opened=im) == ph.PngLayout(True, None)
    assert len(sizes) <= 3 and max(sizes) <= 12  # the first and last chunk headers and IEND: no tail search


@pytest.mark.parametrize("after", [[(b"eXIf", _exif(6))], [(b"tEXt", b"Comment\x00later")]])
def test_a_png_with_chunks_after_its_data_is_still_read_from_its_tail_when_opened(tmp_path, after):
    src = _png_with(tmp_path / "after.png", after, idat_size=8192)
    with Image.open(src) as im:
        layout = ph.png_layout(src, opened=im)
    assert layout == ph.PngLayout(True, _exif(6) if after[0][0] == b"eXIf" else None)


def test_a_png_of_uneven_chunks_or_cut_short_is_told_apart_when_opened(tmp_path):
    uneven = _png_with(tmp_path / "uneven.png", [], idat_size=8192)
    data = uneven.read_bytes()
    # Join the first two IDAT chunks into one: the chunk sizes no longer follow the first one's.
    first = data.index(b"IDAT") - 4
    n = struct.unpack(">I", data[first:first + 4])[0]
    second = first + 12 + n
    m = struct.unpack(">I", data[second:second + 4])[0]
    joined = data[first + 8:first + 8 + n] + data[second + 8:second + 8 + m]
    merged = (struct.pack(">I", len(joined)) + b"IDAT" + joined + struct.pack(">I", zlib.crc32(b"IDAT" + joined)))
    uneven.write_bytes(data[:first] + merged + data[second + 12 + m:])
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[:-40] + data[-12:])  # the last chunk cut short, IEND put back after it
    for path, complete in ((uneven, True), (cut, False)):
        with Image.open(path) as im:
            assert ph.png_layout(path, opened=im).complete is complete, path.name


def test_a_jpeg_with_large_segments_before_its_scan_or_padding_after_its_end_is_read_right(tmp_path, no_decoding):
    profile = b"\x00" * 150_000  # three APP2 segments of ICC data: more than one block of header reads
    big = _noise(tmp_path / "big-header.jpg", "JPEG", icc_profile=profile)
    padded = tmp_path / "padded.jpg"
    padded.write_bytes(big.read_bytes() + b"\x00" * 10_000)  # past the first, small tail read
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(big.read_bytes()[:-5_000])
    no_decoding()
    assert probe(big, "image").verdict == "accepted"
    assert probe(padded, "image").verdict == "accepted"
    r = probe(cut, "image")
    assert r.verdict == "refused" and "damaged" in r.message
