"""The one backoff: how long to wait after the n-th failure in a row.  Used by the HTTP client's
retry policy and by the job core's reads, downloads and link refreshes."""

from __future__ import annotations

import random
from typing import Callable


def backoff(attempt: int, *, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """`base`, doubled for each failure after the first (attempt 1 waits `base`), at most `cap`,
    less up to a quarter of jitter so that many waiters do not come back in step."""
    doubling = min(max(attempt, 1) - 1, 40)
    return max(0.0, min(cap, base * 2.0 ** doubling) * (1.0 - 0.25 * rng()))


def honoured_retry_after(retry_after: float | None, *, cap: float, floor: float = 0.0) -> float | None:
    """The wait a `Retry-After` asks for, between `floor` and `cap`; None when the answer had none."""
    if retry_after is None or retry_after < 0:
        return None
    return min(cap, max(float(retry_after), floor))
