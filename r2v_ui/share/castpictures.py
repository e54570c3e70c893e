"""A cast picture as a share link's viewer gets it: a new small JPEG made from the owner's kept upload,
stood up as its rotation tag says, carrying none of the upload's metadata (a phone's photo names where
it was taken, the camera and its software; a stranger with the link must get the picture only).

Made off the event loop by the routes, under the process's picture memory budget, and kept in memory
per file (by path, size and change time), so a page reloaded many times decodes each picture once."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image

from ..media import picture_pixels
from ..media.decode_budget import process_budget, thumbnail_bytes

BOX_PX = 520  # the page shows 104×130 CSS px: enough for a screen of 4 device pixels to one
KEPT = 64  # pictures kept made (each some tens of KB)
_made: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
_lock = threading.Lock()


def viewer_copy(path: Path) -> bytes:
    """The picture at `path` as a viewer gets it (JPEG bytes); OSError/ValueError from a bad file."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _lock:
        if key in _made:
            _made.move_to_end(key)
            return _made[key]
    data = _make(path)
    with _lock:
        _made[key] = data
        while len(_made) > KEPT:
            _made.popitem(last=False)
    return data


def _make(path: Path) -> bytes:
    with Image.open(path) as src:
        turn = picture_pixels.orientation(src, path) if src.format in ("JPEG", "PNG", "WEBP", "TIFF", "MPO") else 1
        src.draft("RGB", (BOX_PX, BOX_PX))  # JPEGs decode at a reduced scale
        with process_budget().hold(thumbnail_bytes(*src.size, BOX_PX)):
            src.load()
            small = picture_pixels.thumbnail(src, (BOX_PX, BOX_PX))
    if turn in picture_pixels.TRANSPOSE:
        small = small.transpose(picture_pixels.TRANSPOSE[turn])
    out = io.BytesIO()
    small.save(out, "JPEG", quality=85)  # nothing of the source's info is passed on: no EXIF, XMP, ICC or comment
    return out.getvalue()


__all__ = ["viewer_copy", "BOX_PX"]
