"""How much decoded picture memory the whole process may hold at once: one budget every decode shares.

A picture's file size says nothing about its decoded size: a 388 KB PNG can declare 10000×9990
pixels, which Pillow holds in 400 MB (it keeps every multi-band mode in 4 bytes a pixel).  So every
decode first asks this budget for the bytes it will hold at its peak, computed from the size the
header declares, before a single pixel is decoded:

* when other decodes hold the budget, it waits its turn (first come, first served), so N repairs at
  once never hold more than the budget together;
* when it alone needs more than the whole budget, it is refused at once (`TooLarge`), and the
  caller says in words what to do.

The process-wide budget is `R2V_DECODE_BUDGET_MB` megabytes (default 1024), read on first use, not
at import.  Creating it also sets Pillow's own bomb limit (`Image.MAX_IMAGE_PIXELS`) to match: the
largest picture a repair could decode under this budget, but never below the largest picture the
service accepts (which is checked without decoding), so Pillow and the studio agree on what is "too
many pixels".
"""

from __future__ import annotations

import os
import threading
from collections import deque
from contextlib import contextmanager
from typing import Iterator

from PIL import Image

from .errors import StudioError
from .spec import IMAGE_RULES, MB

ENV_NAME = "R2V_DECODE_BUDGET_MB"
DEFAULT_LIMIT_MB = 1024
BYTES_PER_PIXEL = 4  # Pillow's RGB, RGBA, CMYK, LA, I and F all take 4 bytes a pixel (L and P: 1)
# A repair keeps at most two full-size pictures alive at once (the decoded source and the next step:
# turned, flattened, converted, or the scaled-down result), each at most 4 bytes a pixel.
REPAIR_COPIES = 2


def decoded_bytes(width: int, height: int) -> int:
    """What Pillow holds for one decoded picture of this size, at most."""
    return max(1, int(width)) * max(1, int(height)) * BYTES_PER_PIXEL


def repair_bytes(width: int, height: int) -> int:
    """The peak of a repair (turn, flatten, shrink, re-encode) of a picture decoded at this size."""
    return REPAIR_COPIES * decoded_bytes(width, height)


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

    def max_pixels(self, bytes_per_pixel: int = REPAIR_COPIES * BYTES_PER_PIXEL) -> int:
        return self.limit // bytes_per_pixel

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
