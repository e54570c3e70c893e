"""The pixel work of a picture repair, lean on memory (the header-only reading is picture_header.py).

Each step of a repair (turn upright, flatten onto white, scale down, re-encode) frees the picture it
started from as soon as the next exists, so at most two full-size pictures are ever alive at once:
that is what `decode_budget.repair_bytes` charges.  Scaling down goes in horizontal strips (Pillow's
`resize(box=...)` reads the source rows each strip needs, so the result is the same as one resize),
which keeps Pillow's intermediate of a whole-picture resize out of memory.

Nothing here writes files or builds sentences: media.py does that.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from . import picture_header
from .errors import StudioError

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
ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
RESIZE_MODES = ("L", "RGB", "CMYK", "I", "F")  # modes Pillow resizes without a premultiplied copy
STRIP_ROWS = 256
JPEG_QUALITIES: tuple[int, ...] = (92, 85, 75, 65, 55, 45, 35)


class CannotFit(StudioError):
    """Even the smallest JPEG we would make is over the byte limit."""


# --- the rotation tag, from the header (picture_header.py; kept here for older callers) -----------


def orientation(im: Image.Image, path: Path) -> int:
    """The EXIF orientation (1–8) of an opened, not yet decoded picture, without decoding it."""
    return picture_header.orientation(im, picture_header.png_exif_chunk(path) if im.format == "PNG" else None)


png_exif_chunk = picture_header.png_exif_chunk


# --- the repair, one step at a time --------------------------------------------------------------


def _step(old: Image.Image, new: Image.Image) -> Image.Image:
    """Free `old`'s pixels now (not at the next garbage collection) once `new` exists."""
    if new is not old:
        old.close()
    return new


def upright_flat_small(src: Image.Image, turn: int, flatten: bool, target: tuple[int, int] | None) -> Image.Image:
    """`src` (decoded) turned upright, flattened onto white, scaled to `target`; `src` is spent."""
    im = src
    if turn in TRANSPOSE:
        im = _step(im, im.transpose(TRANSPOSE[turn]))
    if flatten:
        im = flatten_onto_white(im)
    if target and im.size != target:
        if im.mode not in RESIZE_MODES:
            im = _step(im, im.convert("RGB"))
        im = _step(im, resize_in_strips(im, target))
    return im


def flatten_onto_white(im: Image.Image) -> Image.Image:
    """`im` over a white background, as RGB; `im` is spent."""
    if im.mode != "RGBA":
        im = _step(im, im.convert("RGBA"))
    out = Image.new("RGB", im.size, (255, 255, 255))
    out.paste(im, mask=im)  # an RGBA mask: its alpha band, without a separate copy of it
    return _step(im, out)


def resize_in_strips(im: Image.Image, size: tuple[int, int], rows: int = STRIP_ROWS) -> Image.Image:
    """Lanczos resize of `im` (a mode in RESIZE_MODES) to `size`, a strip of output rows at a time."""
    width, height = size
    out = Image.new(im.mode, size)
    scale = im.height / height
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        piece = im.resize((width, bottom - top), Image.Resampling.LANCZOS,
                          box=(0, top * scale, im.width, bottom * scale))
        out.paste(piece, (0, top))
        piece.close()
    return out


# --- encoding ------------------------------------------------------------------------------------


def encode(im: Image.Image, fmt: str, quality: int = 95, icc: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs: dict = {"icc_profile": icc} if icc and fmt in ("JPEG", "PNG", "WEBP") else {}
    if fmt == "JPEG":
        if im.mode not in ("RGB", "L", "CMYK"):
            im = im.convert("RGB")
        im.save(buf, "JPEG", quality=quality, **kwargs)
    elif fmt == "WEBP":
        im.save(buf, "WEBP", quality=quality, **kwargs)
    elif fmt == "PNG":
        im.save(buf, "PNG", compress_level=6, **kwargs)
    else:
        im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def jpeg_under(im: Image.Image, limit: int, icc: bytes | None, side_min: int) -> tuple[bytes, Image.Image, int]:
    """Step the JPEG quality down until the file fits; if even the lowest does not, shrink the picture.
    Returns (data, the picture encoded, quality); `im` is spent when a smaller picture was needed."""
    if im.mode not in ("RGB", "L", "CMYK"):
        im = _step(im, im.convert("RGB"))
    while True:
        for quality in JPEG_QUALITIES:
            data = encode(im, "JPEG", quality, icc)
            if len(data) <= limit:
                return data, im, quality
        new = (max(1, round(im.width * 0.8)), max(1, round(im.height * 0.8)))
        if min(new) < side_min:
            raise CannotFit  # practically unreachable: a 240 px JPEG at quality 35 is tiny
        im = _step(im, resize_in_strips(im, new))
