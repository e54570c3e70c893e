"""When the HTTP client waits and when it tries again (SPEC.md "Errors"): the timeouts, the retry
constants, `RetryPolicy`, and the retry decisions as small pure functions.  Never pay twice: a
submit may be repeated only when it certainly created no task (`submit_may_retry`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

import httpx

from . import __version__
from .backoff import backoff, honoured_retry_after
from .errors import APIConnectionError, APIStatusError

# --- timeouts and retry constants (one place) --------------------------------------------------
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
RETRY_READ_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_SUBMIT_STATUSES = frozenset({429, 503})
# A gateway answered for a service it could not reach in time: the service may have created the
# task behind it, so a submit answered with one of these is uncertain, not refused.
UNCERTAIN_SUBMIT_STATUSES = frozenset({502, 504})
RESULT_GONE_STATUSES = frozenset({403, 404, 410})
DOWNLOAD_CHUNK = 64 * 1024
USER_AGENT = f"r2v-studio/{__version__}"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait.  `max_attempts` counts every attempt, the first included."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 20.0
    retry_after_cap: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 = the first attempt failed).

        A `Retry-After` from the service wins, capped at `retry_after_cap`.  Otherwise exponential
        backoff (`base_delay * 2**(attempt-1)`, capped at `max_delay`) with jitter that takes off
        up to a quarter, so many clients do not retry in step."""
        asked = honoured_retry_after(retry_after, cap=self.retry_after_cap)
        if asked is not None:
            return asked
        return backoff(attempt, base=self.base_delay, cap=self.max_delay, rng=rng)


# --- pure retry decisions ------------------------------------------------------------------------
# httpx exceptions raised before any byte of the request reached the server: a connection that
# was never made (DNS, refused, TLS handshake — httpcore maps all of these to ConnectError), a
# connect timeout, no free pool slot, or a proxy that refused to open the tunnel.
_NOT_SENT: tuple[type[BaseException], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
)
# Not sent either, but retrying cannot help (a wrong URL scheme, a request we could not encode).
_NOT_SENT_PERMANENT: tuple[type[BaseException], ...] = (httpx.UnsupportedProtocol,)


def request_was_sent(exc: BaseException) -> bool:
    """False only when the request certainly never reached the server.  Everything else — a read
    timeout, a dropped connection, a write error half-way through the body, an error we do not
    know — counts as maybe sent."""
    if isinstance(exc, APIConnectionError):
        return exc.request_sent
    return not isinstance(exc, _NOT_SENT + _NOT_SENT_PERMANENT)


def read_may_retry(exc: BaseException) -> bool:
    """May a read (task-result, download) be tried again after `exc`?  Reads are free: retry
    connection problems, timeouts, 429 and 5xx overload; never other 4xx."""
    if isinstance(exc, APIStatusError):
        return exc.status in RETRY_READ_STATUSES
    if isinstance(exc, _NOT_SENT_PERMANENT) or isinstance(exc, httpx.LocalProtocolError):
        return False
    if isinstance(exc, (httpx.TransportError, APIConnectionError)):
        return True
    return False


def submit_may_retry(exc: BaseException) -> bool:
    """May a submit be sent again after `exc`?  Only when it certainly created no task: the
    connection was never made, or the service answered 429 or 503."""
    if isinstance(exc, APIStatusError):
        return exc.status in RETRY_SUBMIT_STATUSES
    if isinstance(exc, _NOT_SENT):
        return True
    if isinstance(exc, APIConnectionError):
        return not exc.request_sent
    return False


def retry_after_of(exc: BaseException) -> float | None:
    return getattr(exc, "retry_after", None) if isinstance(exc, APIStatusError) else None
