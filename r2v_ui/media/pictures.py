"""A reference picture checked against `spec.IMAGE_RULES`, and repaired when it can be.

A probe reads only the header (Pillow opens lazily); the rotation tag and whether the data is all
there are read from the headers too (picture_header.py), so a picture accepted as it is is never
decoded.  A picture that breaks a rule we can fix (camera rotation tag, transparency, more than
8000 px a side, more than 10 MB) is re-saved as a copy in a work folder — the user's file is never
touched — and the report says in plain words what changed (the pixel work is picture_pixels.py's).
Anything else that breaks a rule is refused with one sentence naming the file, the rule and what to do.

Decoding pixels is the only costly step, and a small file can declare a huge picture: every decode
first takes its peak memory, computed from the declared size, from the process-wide decode budget
(decode_budget.py), and a picture that alone needs more than the whole budget is refused in words.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from .. import media_types
from ..messages import Choices, FileSize, Msg, msg
from ..spec import IMAGE_RULES
from . import picture_header as ph
from . import picture_pixels as px
from .decode_budget import TooLarge, repair_bytes
from .report import FIXED, FORMAT_LABELS, IMAGE, READ_ERRORS, CheckedFile, MediaReport

IMAGE_CONTENT_TYPES = media_types.content_types(IMAGE)
_IMAGE_SUFFIX = media_types.suffixes(IMAGE)


def _open_image(path: Path) -> Image.Image:
    # Lazy: reads the header only.  Past twice Image.MAX_IMAGE_PIXELS (set by decode_budget) Pillow
    # raises DecompressionBombError (refused by the callers); below that the decode budget decides.
    # (Pillow's DecompressionBombWarning is left alone: silencing it is not thread-safe.)
    return Image.open(path)


def pillow_knows(path: Path) -> bool:
    try:
        with _open_image(path):
            return True
    except Image.DecompressionBombError:
        return True
    except READ_ERRORS:
        return False


def probe_image(f: CheckedFile) -> MediaReport | None:
    """None when the content is not a picture at all."""
    rules = IMAGE_RULES
    try:
        im = _open_image(f.path)
    except Image.DecompressionBombError:
        return _refuse_too_many_pixels(f)
    except READ_ERRORS:
        return None
    with im:
        fmt = "JPEG" if im.format == "MPO" else (im.format or "unknown")  # MPO: a camera JPEG with extra frames
        w, h = im.size
        mode, info = im.mode, dict(im.info)
        fd = _fileno(im)
        try:
            layout = ph.png_layout(f.path, fd, im) if fmt == "PNG" else None  # trailing eXIf and completeness
            complete = layout.complete if layout else (ph.jpeg_complete(f.path, fd) if fmt == "JPEG" else None)
        except READ_ERRORS:
            layout, complete = None, False
        try:
            orientation = ph.orientation(im, layout.exif if layout else None)  # no pixels decoded
        except READ_ERRORS:
            orientation = 1
    if fmt not in rules.formats:
        return f.refuse(IMAGE, msg("media.image_format", name=f.name, fmt=FORMAT_LABELS.get(fmt.lower(), fmt),
                                   formats=Choices(rules.formats)), width=w, height=h, format=fmt)
    upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    dw, dh = upright
    facts = dict(width=dw, height=dh, format=fmt)
    short, long = min(upright), max(upright)
    if short < rules.side_min:
        return f.refuse(IMAGE, msg("media.image_too_small", name=f.name, w=dw, h=dh, min=rules.side_min), **facts)
    if long / short > rules.aspect_max:
        return f.refuse(IMAGE, msg("media.image_aspect", name=f.name, w=dw, h=dh, ratio=_ratio(dw, dh),
                                   max=f"{rules.aspect_max:g}"), **facts)
    target: tuple[int, int] | None = None
    if long > rules.side_max:
        scale = rules.side_max / long
        target = (min(rules.side_max, round(dw * scale)), min(rules.side_max, round(dh * scale)))
        if min(target) < rules.side_min:
            return f.refuse(IMAGE, msg("media.image_cannot_shrink", name=f.name, w=dw, h=dh, max=rules.side_max,
                                       min=rules.side_min), **facts)
    has_alpha = mode in px.ALPHA_MODES or "transparency" in info
    rotate = orientation in px.TRANSPOSE
    too_heavy = f.size > rules.max_bytes
    try:
        if not (rotate or has_alpha or target or too_heavy):
            if not (complete if complete is not None else _image_is_complete(f, fmt)):
                return _refuse_damaged_image(f, fmt, **facts)
            return f.accept(IMAGE, msg("media.image_ok", name=f.name, w=dw, h=dh, fmt=fmt),
                            content_type=IMAGE_CONTENT_TYPES[fmt], **facts)
        return _repair_image(f, fmt, upright, orientation, target, has_alpha, too_heavy)
    except TooLarge:
        return _refuse_too_many_pixels(f, **facts)
    except px.NoRoom:
        return f.refuse(IMAGE, msg("media.image_no_room", name=f.name), **facts)
    except px.CannotFit:
        return f.refuse(IMAGE, msg("media.image_cannot_fit", name=f.name, limit=FileSize(rules.max_bytes)), **facts)
    except READ_ERRORS:  # decoding failed: the file is cut off or damaged
        return _refuse_damaged_image(f, fmt, **facts)


def _refuse_too_many_pixels(f: CheckedFile, **facts) -> MediaReport:
    rules = IMAGE_RULES
    said = dict(name=f.name, mpx=f.budget.max_pixels() // 1_000_000, max=rules.side_max)
    if facts:
        return f.refuse(IMAGE, msg("media.too_many_pixels_sized", w=facts["width"], h=facts["height"], **said),
                        **facts)
    return f.refuse(IMAGE, msg("media.too_many_pixels", **said))


def _ratio(w: int, h: int) -> str:
    r = f"{max(w, h) / min(w, h):.1f}".rstrip("0").rstrip(".")
    return f"1:{r}" if h > w else f"{r}:1"


def _refuse_damaged_image(f: CheckedFile, fmt: str, **facts) -> MediaReport:
    return f.refuse(IMAGE, msg("media.image_damaged", name=f.name, fmt=fmt), **facts)


def _fileno(im: Image.Image) -> int | None:
    try:
        return im.fp.fileno() if im.fp is not None else None
    except (AttributeError, OSError, ValueError):
        return None


def _image_is_complete(f: CheckedFile, fmt: str) -> bool:
    """Whether a BMP's or WEBP's data is all there, from its header alone (PNG and JPEG are checked
    while the picture is open): a picture accepted as it is is never decoded."""
    try:
        if fmt == "BMP":
            return ph.bmp_complete(f.path, f.size)
        return not ph.riff_cut_off(f.path, f.size)  # WEBP
    except READ_ERRORS:
        return False


def _repair_image(
    f: CheckedFile,
    fmt: str,
    upright: tuple[int, int],
    orientation: int,
    target: tuple[int, int] | None,
    has_alpha: bool,
    too_heavy: bool,
) -> MediaReport:
    """Raises TooLarge, before decoding anything, when the repair alone would not fit the decode budget."""
    rules = IMAGE_RULES
    done: list[tuple[Msg, Msg]] = []  # (sentence naming the file, short phrase for a combined message)
    if orientation in px.TRANSPOSE:
        done.append((msg("media.fix.rotation", name=f.name), msg("media.fix.rotation_short")))
    if has_alpha:
        done.append((msg("media.fix.alpha", name=f.name), msg("media.fix.alpha_short")))
    if target:
        sizes = dict(w=upright[0], h=upright[1], tw=target[0], th=target[1])
        done.append((msg("media.fix.scaled", name=f.name, max=rules.side_max, **sizes),
                     msg("media.fix.scaled_short", **sizes)))
    with _open_image(f.path) as src:
        icc = src.info.get("icc_profile")
        if target and fmt == "JPEG":
            stored = (target[1], target[0]) if orientation in px.SIDEWAYS else target
            src.draft(None, stored)  # let libjpeg decode at 1/2, 1/4 or 1/8 scale when that is enough
        # src.size is now what will be decoded: its peak is taken from the budget before any decode.
        out_w, out_h = target or upright
        if orientation in px.SIDEWAYS:
            out_w, out_h = out_h, out_w  # the result's size as the source lies
        folder = f.folder()
        with f.budget.hold(repair_bytes(*src.size, out_w, out_h, fmt)):
            src.load()
            im = px.upright_flat_small(src, orientation, has_alpha, target, folder)
            try:
                out_fmt, dest = fmt, None
                if too_heavy:
                    what = msg("media.fix.was_size", size=FileSize(f.size))
                else:
                    dest = f.new_copy_path(_IMAGE_SUFFIX[fmt])
                    written = px.encode(im, dest, fmt, icc=icc)
                    what = msg("media.fix.would_be", size=FileSize(written), fmt=fmt)
                if too_heavy or written > rules.max_bytes:
                    if dest is not None:
                        dest.unlink()
                    dest, out_fmt, size_before = f.new_copy_path(_IMAGE_SUFFIX["JPEG"]), "JPEG", im.size
                    im, quality, written = px.jpeg_under(im, dest, rules.max_bytes, icc, rules.side_min, folder)
                    shrunk = msg("empty") if im.size == size_before else msg("media.fix.shrunk", w=im.width, h=im.height)
                    limit, size = FileSize(rules.max_bytes), FileSize(written)
                    done.append((msg("media.fix.resaved", name=f.name, what=what, limit=limit, size=size, quality=quality,
                                     shrunk=shrunk),
                                 msg("media.fix.resaved_short", size=size, limit=limit)))
                width, height = im.size
            finally:
                im.close()
    changes = tuple(sentence for sentence, _ in done)
    if len(done) == 1:
        message = changes[0]
    else:
        message = msg("media.fix.many", name=f.name, phrases=tuple(phrase for _, phrase in done))
    return MediaReport(dest, IMAGE, FIXED, message, changes, width=width, height=height, bytes=written,
                       format=out_fmt, content_type=IMAGE_CONTENT_TYPES[out_fmt])
