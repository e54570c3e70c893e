"""How much decoded picture memory the whole process may hold at once: one budget every decode shares.

A picture's file size says nothing about its decoded size: a 388 KB PNG can declare 10000×9990
pixels, which Pillow holds in 400 MB (it keeps every multi-band mode in 4 bytes a pixel).  So every
decode (a repair in pictures.py, a card's thumbnail in ui/cards.py) first asks this budget for the bytes
it will hold at its peak — the decoded picture, every copy the work makes of it and the encoder's
buffers (`repair_bytes`, `thumbnail_bytes`), computed from the size the header declares — before a
single pixel is decoded:

* when other decodes hold the budget, it waits its turn (first come, first served), so N repairs at
  once never hold more than the budget together;
* when it alone needs more than the whole budget, it is refused at once (`TooLarge`), and the
  caller says in words what to do.

The process-wide budget is `R2V_DECODE_BUDGET_MB` megabytes (default 1024), read on first use, not
at import.  The repair works in strips (picture_pixels.py), so one 100-megapixel repair (10000×9990,
flattened and scaled to 8000 px) holds about 470 MB, and two fit the default budget at once; six at
once take turns, and the process stays within the budget (tests/test_media_budget.py measures it).  Creating it also sets Pillow's own bomb limit (`Image.MAX_IMAGE_PIXELS`) to match: the
largest picture a repair could decode under this budget, but never below the largest picture the
service accepts (which is checked without decoding), so Pillow and the studio agree on what is "too
many pixels".
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterator

from PIL import Image

from ..errors import StudioError
from ..spec import IMAGE_RULES, MB

ENV_NAME = "R2V_DECODE_BUDGET_MB"
DEFAULT_LIMIT_MB = 1024
BYTES_PER_PIXEL = 4  # Pillow's RGB, RGBA, CMYK, LA, I and F all take 4 bytes a pixel (L and P: 1)
# Work goes in strips (picture_pixels.py): a strip reads about this many source rows, plus the rows
# the Lanczos filter reaches beyond them (3 output rows' worth either side).
BAND_SOURCE_ROWS = 256
LANCZOS_REACH = 3
# What one strip keeps alive at once, each at most the band's size at 4 bytes a pixel: the band
# cropped from the source, its flattened (RGBA, then RGB) copies, the resize's intermediate, the
# strip and its turned copy.
BAND_COPIES = 5
ENCODER_BYTES = 16 * MB  # an encoder's buffers and the strip file's, with room to spare


def decoded_bytes(width: int, height: int) -> int:
    """What Pillow holds for one decoded picture of this size, at most."""
    return max(1, int(width)) * max(1, int(height)) * BYTES_PER_PIXEL


def band_bytes(width: int, height: int, out_height: int | None = None) -> int:
    """What one strip of work on a `width`×`height` picture (scaled to `out_height` rows) holds."""
    scale = max(1.0, height / max(1, out_height or height))
    rows = min(height, BAND_SOURCE_ROWS + math.ceil(2 * (LANCZOS_REACH * scale + 2) + scale))
    return BAND_COPIES * decoded_bytes(width, rows)


def repair_bytes(width: int, height: int, out_width: int | None = None, out_height: int | None = None,
                 fmt: str | None = None) -> int:
    """The peak of a repair of a picture decoded at `width`×`height` into one of `out_width`×`out_height`
    (the same size when not given), saved as `fmt`: the larger of the two pictures (the result is
    put together only once the source is closed), one strip of work and the encoder.  libwebp makes
    its own copy of the picture it encodes, so a WEBP result counts twice."""
    out = decoded_bytes(out_width or width, out_height or height) * (2 if fmt == "WEBP" else 1)
    return max(decoded_bytes(width, height), out) + band_bytes(width, height, out_height) + ENCODER_BYTES


def thumbnail_bytes(width: int, height: int, box: int) -> int:
    """The peak of a thumbnail (fitting `box`×`box`) of a picture decoded at `width`×`height`."""
    factor = max(1, int(max(width, height) / box) // 2)
    reduced = decoded_bytes(math.ceil(width / factor), math.ceil(height / factor))
    return decoded_bytes(width, height) + band_bytes(width, height) + reduced + ENCODER_BYTES


class TooLarge(StudioError):
    """One decode alone needs more than the whole budget."""

    def __init__(self, needed: int, limit: int):
        super().__init__(f"needs {needed} bytes; the decode budget is {limit}")
        self.needed = needed
        self.limit = limit


class DecodeBudget:
    """A counting semaphore in bytes, first come first served, that remembers its high-water mark.

    Thread-safe.  `hold(n)` blocks until n bytes fit, and gives them back when its block ends."""

    def __init__(self, limit_bytes: int):
        if limit_bytes <= 0:
            raise ValueError("a decode budget must be more than 0 bytes")
        self.limit = int(limit_bytes)
        self._cond = threading.Condition()
        self._in_use = 0
        self._high_water = 0
        self._queue: deque[object] = deque()

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def high_water(self) -> int:
        """The most bytes ever held at once."""
        return self._high_water

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def max_pixels(self) -> int:
        """About the most pixels one repair may decode under this budget (a strip's work counted as
        one byte a pixel more: the exact charge is repair_bytes)."""
        return max(0, self.limit - ENCODER_BYTES) // (BYTES_PER_PIXEL + 1)

    def fits(self, nbytes: int) -> bool:
        return nbytes <= self.limit

    @contextmanager
    def hold(self, nbytes: int) -> Iterator[None]:
        nbytes = max(0, int(nbytes))
        if nbytes > self.limit:
            raise TooLarge(nbytes, self.limit)
        self._acquire(nbytes)
        try:
            yield
        finally:
            give_back_freed_memory()  # before the next in line may take these bytes
            with self._cond:
                self._in_use -= nbytes
                self._cond.notify_all()

    def _acquire(self, nbytes: int) -> None:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket or self._in_use + nbytes > self.limit:
                    self._cond.wait()
            except BaseException:
                self._queue.remove(ticket)
                self._cond.notify_all()
                raise
            self._queue.popleft()
            self._in_use += nbytes
            self._high_water = max(self._high_water, self._in_use)
            self._cond.notify_all()  # the next in line may fit beside this one


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def give_back_freed_memory() -> None:
    """Return the pages a decode freed to the system now.  glibc keeps freed memory in the arena of
    the thread that freed it, for that thread to reuse: six threads that took turns under the
    budget would otherwise together keep six peaks (measured: 2.1 GB under a 1 GB budget)."""
    if _TRIM is not None:
        _TRIM(0)


_process_lock = threading.Lock()
_process: DecodeBudget | None = None


def limit_from_env(env=None) -> int:
    env = os.environ if env is None else env
    raw = (env.get(ENV_NAME) or "").strip()
    if not raw:
        return DEFAULT_LIMIT_MB * MB
    try:
        mb = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_NAME} must be a number of megabytes, not {raw!r}") from None
    if mb <= 0:
        raise ValueError(f"{ENV_NAME} must be more than 0, not {raw!r}")
    return int(mb * MB)


def pillow_limit(budget: DecodeBudget) -> int:
    """Pillow's MAX_IMAGE_PIXELS for this budget (it warns past it and refuses past twice it)."""
    return max(budget.max_pixels(), IMAGE_RULES.side_max * IMAGE_RULES.side_max)


def process_budget() -> DecodeBudget:
    """The one budget of this process (created on first use from R2V_DECODE_BUDGET_MB)."""
    global _process
    with _process_lock:
        if _process is None:
            _process = DecodeBudget(limit_from_env())
            Image.MAX_IMAGE_PIXELS = pillow_limit(_process)
        return _process
