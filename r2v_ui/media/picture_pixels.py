"""The pixel work of a picture repair and of a card's thumbnail, lean on memory (the header-only
reading is picture_header.py).

A repair (turn upright, flatten onto white, scale down) never holds two full-size pictures: the
result is made a horizontal strip of output rows at a time from the decoded source (each strip reads
only the source rows it needs: a band, cropped with the rows Lanczos reaches beyond it, flattened,
scaled, turned), and each finished strip is written to a temporary file beside the repaired copy.
Only when every strip is on disk is the source closed and the result put together from the strips.
So the peak is the larger of the two pictures plus a few strips, which is what
`decode_budget.repair_bytes` charges; a thumbnail likewise reduces the source band by band into a
small picture, never a full-size copy (`decode_budget.thumbnail_bytes`).

Nothing here builds sentences: pictures.py does that.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Iterator

from PIL import Image

from . import picture_header
from .decode_budget import BAND_SOURCE_ROWS, LANCZOS_REACH
from ..errors import StudioError

ORIENTATION_TAG = picture_header.ORIENTATION_TAG
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SIDEWAYS = (5, 6, 7, 8)  # the turns that swap width and height
ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
RESIZE_MODES = ("L", "RGB", "CMYK", "I", "F")  # modes Pillow resizes without a premultiplied copy
JPEG_QUALITIES: tuple[int, ...] = (92, 85, 75, 65, 55, 45, 35)


class CannotFit(StudioError):
    """Even the smallest JPEG we would make is over the byte limit."""


# --- the rotation tag, from the header (picture_header.py; kept here for older callers) -----------


def orientation(im: Image.Image, path: Path) -> int:
    """The EXIF orientation (1–8) of an opened, not yet decoded picture, without decoding it."""
    return picture_header.orientation(im, picture_header.png_exif_chunk(path) if im.format == "PNG" else None)


png_exif_chunk = picture_header.png_exif_chunk


# --- strips --------------------------------------------------------------------------------------


def _step(old: Image.Image, new: Image.Image) -> Image.Image:
    """Free `old`'s pixels now (not at the next garbage collection) once `new` exists."""
    if new is not old:
        old.close()
    return new


def strip_rows(src_height: int, out_height: int) -> int:
    """Output rows per strip, so that a strip reads about BAND_SOURCE_ROWS source rows."""
    return max(1, int(BAND_SOURCE_ROWS * out_height / max(1, src_height)))


def _resizable(band: Image.Image, flatten: bool, modes: tuple[str, ...] = RESIZE_MODES) -> Image.Image:
    """`band` flattened onto white (alpha), or in one of `modes` (else RGB); `band` is spent."""
    if flatten:
        return flatten_onto_white(band)
    if band.mode not in modes:
        return _step(band, band.convert("RGB"))
    return band


def _strip(src: Image.Image, size: tuple[int, int], top: int, bottom: int, flatten: bool,
           modes: tuple[str, ...]) -> Image.Image:
    """Output rows [top, bottom) of `src` scaled to `size` (same orientation), as a picture of its own.
    Only the source band those rows need is copied: Lanczos reads LANCZOS_REACH output rows' worth of
    source rows either side, so the band ends where the filter stops and the strip is the same as
    that part of one whole-picture resize."""
    width, height = src.size
    if size == src.size:
        return _resizable(src.crop((0, top, width, bottom)), flatten, modes)
    scale = height / size[1]
    reach = LANCZOS_REACH * max(scale, 1.0) + 2
    y0, y1 = top * scale, bottom * scale
    first, last = max(0, int(y0 - reach)), min(height, math.ceil(y1 + reach))
    band = _resizable(src.crop((0, first, width, last)), flatten, modes)
    piece = band.resize((size[0], bottom - top), Image.Resampling.LANCZOS, box=(0, y0 - first, width, y1 - first))
    band.close()
    return piece


def _corner(turn: int, top: int, bottom: int, height: int) -> tuple[int, int]:
    """Where a strip of rows [top, bottom) of a picture `height` rows high lands once turned."""
    if turn in (3, 4):  # upside down
        return 0, height - bottom
    if turn in (5, 8):  # rows become columns, left to right
        return top, 0
    if turn in (6, 7):  # rows become columns, right to left
        return height - bottom, 0
    return 0, top


def _strips(src: Image.Image, size: tuple[int, int], turn: int, flatten: bool,
            modes: tuple[str, ...]) -> Iterator[tuple[tuple[int, int], Image.Image]]:
    """(corner, strip) for the whole of `src` scaled to `size`, flattened and turned."""
    rows = strip_rows(src.height, size[1])
    for top in range(0, size[1], rows):
        bottom = min(size[1], top + rows)
        piece = _strip(src, size, top, bottom, flatten, modes)
        if turn in TRANSPOSE:
            piece = _step(piece, piece.transpose(TRANSPOSE[turn]))
        yield _corner(turn, top, bottom, size[1]), piece


def upright_flat_small(src: Image.Image, turn: int, flatten: bool, target: tuple[int, int] | None,
                       spill_dir: Path | None = None, modes: tuple[str, ...] = RESIZE_MODES) -> Image.Image:
    """`src` (decoded) turned upright, flattened onto white, scaled to `target` (upright), in one of
    `modes` (else RGB), put together from strips kept in a temporary file in `spill_dir`; `src` is
    spent (closed before the result is made).  A picture that needs none of these comes back as it is."""
    turn = turn if turn in TRANSPOSE else 1
    size = src.size
    if target:
        size = (target[1], target[0]) if turn in SIDEWAYS else target
    if turn == 1 and not flatten and size == src.size and src.mode in modes:
        return src
    upright = (size[1], size[0]) if turn in SIDEWAYS else size
    placed: list[tuple[tuple[int, int], tuple[int, int], int]] = []
    mode = "RGB"
    try:
        spill = tempfile.TemporaryFile(prefix="r2v-strips-", dir=spill_dir)
    except OSError as exc:
        raise NoRoom(str(exc)) from exc
    with spill:
        for corner, piece in _strips(src, size, turn, flatten, modes):
            data = piece.tobytes()
            mode = piece.mode
            placed.append((corner, piece.size, len(data)))
            piece.close()
            try:
                spill.write(data)
            except OSError as exc:
                raise NoRoom(str(exc)) from exc
            del data
        src.close()
        out = Image.new(mode, upright)
        spill.seek(0)
        for corner, piece_size, n in placed:
            with Image.frombytes(mode, piece_size, spill.read(n)) as piece:
                out.paste(piece, corner)
    return out


def flatten_onto_white(im: Image.Image) -> Image.Image:
    """`im` over a white background, as RGB; `im` is spent."""
    if im.mode != "RGBA":
        im = _step(im, im.convert("RGBA"))
    out = Image.new("RGB", im.size, (255, 255, 255))
    out.paste(im, mask=im)  # an RGBA mask: its alpha band, without a separate copy of it
    return _step(im, out)


def resize_in_strips(im: Image.Image, size: tuple[int, int], spill_dir: Path | None = None) -> Image.Image:
    """Lanczos resize of `im` to `size`, a strip at a time (the same picture as one resize); `im` is spent."""
    return upright_flat_small(im, 1, False, size, spill_dir)


def thumbnail(src: Image.Image, box: tuple[int, int]) -> Image.Image:
    """A small RGB picture of `src` (decoded) that fits `box`, transparency flattened onto white,
    reduced band by band (never a full-size copy); `src` is left as it is."""
    scale = min(box[0] / src.width, box[1] / src.height, 1.0)
    size = (max(1, round(src.width * scale)), max(1, round(src.height * scale)))
    factor = max(1, int(1 / scale) // 2)  # reduce by a whole factor first, then a Lanczos of 2× or less
    band_rows = max(factor, BAND_SOURCE_ROWS // factor * factor)
    reduced = Image.new("RGB", (math.ceil(src.width / factor), math.ceil(src.height / factor)))
    flatten = src.mode in ALPHA_MODES or "transparency" in src.info
    for top in range(0, src.height, band_rows):
        band = src.crop((0, top, src.width, min(src.height, top + band_rows)))
        band = flatten_onto_white(band) if flatten else _step(band, band.convert("RGB"))
        piece = _step(band, band.reduce(factor)) if factor > 1 else band
        reduced.paste(piece, (0, top // factor))
        piece.close()
    return _step(reduced, reduced.resize(size, Image.Resampling.LANCZOS))


# --- encoding ------------------------------------------------------------------------------------


class NoRoom(StudioError):
    """The repaired copy (or a strip of it) could not be written: the disk is full or not writable."""


def encode(im: Image.Image, dest: Path, fmt: str, quality: int = 95, icc: bytes | None = None) -> int:
    """Save `im` to `dest` as `fmt`, straight to the file (no copy of the encoded bytes in memory);
    the number of bytes written."""
    kwargs: dict = {"icc_profile": icc} if icc and fmt in ("JPEG", "PNG", "WEBP") else {}
    if fmt in ("JPEG", "WEBP"):
        kwargs["quality"] = quality
    elif fmt == "PNG":
        kwargs["compress_level"] = 6
    try:
        im.save(dest, fmt, **kwargs)
        return dest.stat().st_size
    except OSError as exc:
        if exc.errno is None:  # the encoder's own error, not the disk's
            raise
        raise NoRoom(str(exc)) from exc


def jpeg_under(im: Image.Image, dest: Path, limit: int, icc: bytes | None, side_min: int,
               spill_dir: Path | None = None) -> tuple[Image.Image, int, int]:
    """Step the JPEG quality down until the file at `dest` fits `limit`; if even the lowest does not,
    shrink the picture (in strips).  Returns (the picture encoded, quality, bytes); `im` is spent
    when another picture was needed."""
    if im.mode not in ("RGB", "L", "CMYK"):
        im = upright_flat_small(im, 1, False, None, spill_dir, modes=("RGB", "L", "CMYK"))
    while True:
        for quality in JPEG_QUALITIES:
            n = encode(im, dest, "JPEG", quality, icc)
            if n <= limit:
                return im, quality, n
        new = (max(1, round(im.width * 0.8)), max(1, round(im.height * 0.8)))
        if min(new) < side_min:
            raise CannotFit  # practically unreachable: a 240 px JPEG at quality 35 is tiny
        im = resize_in_strips(im, new, spill_dir)
