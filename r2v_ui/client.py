"""The async HTTP client for the v3 async API (SPEC.md "Endpoints", "The task document", "Errors").

Three calls: `submit` (creates a task, costs money), `get_task` (reads a task, free to repeat) and
`download` (fetches the result from its presigned link).  Shape after openai-python and
replicate-python: one error tree (`errors.py`), one function mapping an answer to it
(`errors.error_from_response`), retry constants in one place (`RetryPolicy`), retry decisions as
small pure functions (`read_may_retry`, `submit_may_retry`, `request_was_sent`), explicit
per-phase timeouts, an injectable transport and an injectable sleep.  The retry constants and
decisions are in `client_rules.py`, the task document's parsing in `task_info.py`.

Never pay twice: a submit is repeated only when it certainly created no task — the connection was
never made, or the service answered 429 / 503.  Anything else that leaves the outcome open (a
timeout or a dropped connection once the body was sent, a gateway's 502 / 504, a 200 without a
task id) raises `SubmissionUncertain` and is never sent again by this module.

The API key is held in a `config.Secret`; it is sent only to the API base URL, never to the
download host (a presigned link needs no key, and a third-party storage host must not see it),
and it never appears in a repr, a log line or an exception text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx

from .config import Secret
from .atomic_files import replace_atomic
from .client_rules import (
    DEFAULT_TIMEOUT, DOWNLOAD_CHUNK, RESULT_GONE_STATUSES, UNCERTAIN_SUBMIT_STATUSES, USER_AGENT, RetryPolicy,
    read_may_retry, request_was_sent, retry_after_of, submit_may_retry,
)
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DownloadError,
    StudioError,
    ResultExpired,
    ResultUnusable,
    SubmissionUncertain,
    UnexpectedResponse,
    error_from_response,
)
from .messages import FileSize, Msg, msg
from .request import GenerationRequest
from .spec import MODEL_PATH, TASK_RESULT_PATH
from .task_info import TaskInfo, as_int

log = logging.getLogger(__name__)


# --- helpers -------------------------------------------------------------------------------------
def redact_url(url: str) -> str:
    """A URL fit for a log line or an error text: no query (presigned signatures), no user info."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class ClientSetupError(StudioError):
    """The client cannot be made with these settings (an unusable address or key): a StudioError, so
    a job that meets it fails in the viewer's words."""


def key_problem(key: str | None) -> Msg | None:
    """What is wrong with an API key that cannot be sent in a header; never the key itself."""
    if key is not None and not all(33 <= ord(c) <= 126 for c in key):
        return msg("client.key_chars")
    return None


def _check_key(key: str | None) -> Secret:
    secret = Secret(key)
    problem = key_problem(secret.get())
    if problem is not None:
        raise ClientSetupError(problem)
    return secret


_PHASES: dict[type, str] = {
    httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write", httpx.PoolTimeout: "pool",
}


def _connection_error(exc: BaseException, what: str) -> APIConnectionError:
    """Our error for a transport failure, in plain words, without the request (or its headers).
    `what`: "submit", "read" or "download" (the catalog's "client.what.*")."""
    sent = request_was_sent(exc)
    doing = msg(f"client.what.{what}")
    kind = type(exc).__name__  # a diagnostic tag, said as it is in every language
    if isinstance(exc, httpx.TimeoutException):
        phase = msg(f"client.phase.{_PHASES.get(type(exc), 'other')}")
        return APITimeoutError(msg("client.timeout", phase=phase, what=doing), request_sent=sent)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return APIConnectionError(msg("client.bad_scheme", what=doing), request_sent=False)
    if not sent:
        return APIConnectionError(msg("client.no_connect", what=doing, kind=kind), request_sent=False)
    if not isinstance(exc, httpx.TransportError):  # DecodingError, TooManyRedirects, ...
        return APIConnectionError(msg("client.unreadable", what=doing, kind=kind), request_sent=True)
    return APIConnectionError(msg("client.broke", what=doing, kind=kind), request_sent=True)


Sleep = Callable[[float], Awaitable[Any]]
Progress = Callable[[int, "int | None"], None]


class HighwayClient:
    """Async client for one API base URL and one key.  Use as `async with HighwayClient(...) as c:`
    or call `aclose()`.  Safe to share between concurrent tasks on one event loop."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ):
        base = (base_url or "").strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ClientSetupError(msg("client.bad_address", address=repr(redact_url(base))))
        self._base = base
        self._key = _check_key(api_key)
        self._retry = retry
        self._sleep = sleep
        self._rng = rng
        self._timeout = timeout or DEFAULT_TIMEOUT
        # No default headers: the key is added per API call, so a download (another host) never
        # carries it.  No redirects on API calls; the download follows them (storage hosts do).
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            trust_env=transport is None,
        )

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self._base

    def __repr__(self) -> str:
        return f"HighwayClient(base_url={redact_url(self._base)!r}, api_key={'<set>' if self._key else None})"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a HighwayClient cannot be pickled")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "HighwayClient":
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    def _api_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = self._key.get()
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _error(self, resp: httpx.Response, action: str) -> APIStatusError:
        return _scrub(error_from_response(resp.status_code, resp.headers, resp.content, action=action), self._key.get())

    def _url(self, path: str) -> str:
        return self._base + path

    async def _wait(self, attempt: int, exc: BaseException, what: str,
                    on_wait: Callable[[float, BaseException], None] | None = None) -> None:
        delay = self._retry.delay(attempt, retry_after_of(exc), self._rng)
        if on_wait is not None:
            on_wait(delay, exc)
        log.info("%s failed (%s); attempt %d of %d, retrying in %.2fs", _doing(what), _describe(exc), attempt,
                 self._retry.max_attempts, delay)
        await self._sleep(delay)

    # -- submit -----------------------------------------------------------------------------
    async def submit(self, body: Mapping[str, Any] | GenerationRequest, *,
                     on_wait: Callable[[float, BaseException], None] | None = None) -> str:
        """Create a task; returns its task_id.

        Raises `SubmissionUncertain` when the service may have created (and will bill) a task
        although no task id came back; the caller must let the user decide.  Raises an
        `APIStatusError` subclass when the service refused, `APIConnectionError` when it could not
        be reached at all (nothing was sent).  `on_wait(delay, error)` is told before each wait
        between attempts (only those that certainly created no task), so a caller can say why."""
        payload = body.to_body() if isinstance(body, GenerationRequest) else dict(body)
        url = self._url(MODEL_PATH)
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = await self._http.post(url, json=payload, headers=self._api_headers())
            except httpx.RequestError as exc:
                if request_was_sent(exc):
                    log.warning("submit: %s after the request was sent; the task may exist", _describe(exc))
                    raise SubmissionUncertain(exc) from exc
                err: StudioError = _connection_error(exc, "submit")
                if submit_may_retry(exc) and attempt < self._retry.max_attempts:
                    await self._wait(attempt, exc, "submit", on_wait)
                    continue
                raise err from exc
            if resp.is_success:
                task_id = _task_id_of(resp)
                if task_id is None:
                    cause = _scrub(UnexpectedResponse(
                        resp.status_code, "", str(msg("client.detail.no_task_id")), body=resp.content[:2000]
                    ), self._key.get())
                    log.warning("submit: %s", cause.message)
                    raise SubmissionUncertain(cause) from cause
                log.info("submit: created task %s", task_id)
                return task_id
            err = self._error(resp, "submit")
            if resp.status_code in UNCERTAIN_SUBMIT_STATUSES:
                log.warning("submit: gateway answered HTTP %d; the task may exist", resp.status_code)
                raise SubmissionUncertain(err) from err
            if submit_may_retry(err) and attempt < self._retry.max_attempts:
                await self._wait(attempt, err, "submit", on_wait)
                continue
            raise err

    # -- get_task ---------------------------------------------------------------------------
    async def get_task(self, task_id: str, *, retry: bool = True) -> TaskInfo:
        """Read a task.  Retried on connection problems, timeouts, 429 and 5xx, unless `retry` is
        False: the job manager's poll scheduler reads once and decides (and tells the user) itself.
        A task that failed is *not* an exception here: the TaskInfo says so (`failed`, `reason`)."""
        task_id = (task_id or "").strip()
        if not task_id:
            raise ValueError("get_task needs a task id")
        url = self._url(TASK_RESULT_PATH)

        async def once() -> TaskInfo:
            resp = await self._http.get(url, params={"task_id": task_id}, headers=self._api_headers())
            if not resp.is_success:
                raise self._error(resp, "read")
            try:
                doc = resp.json()
            except ValueError:
                doc = None
            if not isinstance(doc, dict) or not isinstance(doc.get("task"), dict):
                raise _scrub(UnexpectedResponse(
                    resp.status_code, "", str(msg("client.detail.not_task")), body=resp.content[:2000]
                ), self._key.get())
            return TaskInfo.from_document(doc, task_id=task_id)

        return await self._read_with_retries(once, "read", attempts=None if retry else 1)

    async def _read_with_retries(self, once: Callable[[], Awaitable[Any]], what: str, *,
                                 attempts: int | None = None) -> Any:
        attempts = attempts or self._retry.max_attempts
        attempt = 0
        while True:
            attempt += 1
            try:
                return await once()
            except (httpx.RequestError, APIStatusError) as exc:
                retry = read_may_retry(exc) and attempt < attempts
                if retry:
                    await self._wait(attempt, exc, what)
                    continue
                if isinstance(exc, httpx.RequestError):
                    raise _connection_error(exc, what) from exc
                raise

    # -- download ---------------------------------------------------------------------------
    async def download(
        self,
        url: str,
        dest: Path,
        *,
        max_bytes: int,
        on_progress: Progress | None = None,
    ) -> int:
        """Stream the result at `url` to `dest`; returns the number of bytes written.

        Written to `dest.part`, flushed to disk, then renamed, so `dest` is either absent or
        complete.  No API key is sent (the link is presigned and may be another host).  Raises
        `ResultExpired` on 403/404/410, `DownloadError` for anything else, in plain words."""
        dest = Path(dest)
        # A name of its own: two downloads of one result (a retry racing a resumed job) never share it.
        part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
        shown = redact_url(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ResultUnusable(msg("client.link_not_web"))
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        dest.parent.mkdir(parents=True, exist_ok=True)

        async def once() -> int:
            async with self._http.stream(
                "GET", url, headers={"Accept": "video/mp4, */*", "Accept-Encoding": "identity"},
                follow_redirects=True,
            ) as resp:
                if resp.status_code in RESULT_GONE_STATUSES:
                    raise ResultExpired()
                if not resp.is_success:
                    await resp.aread()
                    raise error_from_response(resp.status_code, resp.headers, resp.content, action="download")
                total = as_int(resp.headers.get("content-length"))
                if total is not None and total > max_bytes:
                    raise ResultUnusable(_too_big(total, max_bytes))
                if resp.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity"):
                    total = None  # the length counts compressed bytes; the cap still applies to what is written
                done = 0
                if on_progress:
                    on_progress(0, total)
                with open(part, "wb") as fh:
                    async for chunk in resp.aiter_bytes(DOWNLOAD_CHUNK):
                        done += len(chunk)
                        if done > max_bytes:
                            raise ResultUnusable(_too_big(done, max_bytes, more=True))
                        fh.write(chunk)
                        if on_progress:
                            on_progress(done, total)
                    if total is not None and done != total:
                        # The connection ended early without an error: treat as a broken read.
                        raise httpx.ReadError(f"got {done} of {total} bytes")
                    await asyncio.to_thread(_flush_and_sync, fh)
            await asyncio.to_thread(replace_atomic, part, dest, durable=True)
            return done

        try:
            written = await self._read_with_retries(once, "download")
        except ResultExpired:
            _unlink(part)
            raise
        except DownloadError:
            _unlink(part)
            raise
        except APIStatusError as exc:
            _unlink(part)
            raise DownloadError(msg("client.download_http", status=exc.status, where=shown)) from exc
        except APIConnectionError as exc:
            _unlink(part)
            raise DownloadError(msg("client.download_failed", where=shown, error=exc.msg)) from exc
        except BaseException:
            _unlink(part)
            raise
        log.info("download: %d bytes from %s", written, shown)
        return written


def _too_big(n: int, limit: int, *, more: bool = False) -> Msg:
    size = msg("client.size_over", size=FileSize(n)) if more else FileSize(n)
    return msg("client.too_big", size=size, limit=FileSize(limit))


def _doing(what: str) -> str:
    """For a log line: "reading the task" for "read"."""
    return str(msg(f"client.what.{what}"))


def _flush_and_sync(fh) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - a locked file on an odd filesystem
        log.warning("could not delete %s: %s", path.name, exc)


def _scrub(err: APIStatusError, secret: str | None) -> APIStatusError:
    """The same error with the key cut out of whatever the server sent back (a proxy that echoes
    request headers must not put the key into an error text)."""
    if not secret or (secret not in (err.message or "") and secret not in repr(err.body)):
        return err
    mask = "[redacted]"
    body: Any = err.body
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).replace(secret.encode(), mask.encode())
    elif body is not None:
        try:
            body = json.loads(json.dumps(body).replace(secret, mask))
        except (TypeError, ValueError):
            body = None
    return type(err)(err.status, err.reason.replace(secret, mask), (err.message or "").replace(secret, mask),
                     body=body, retry_after=err.retry_after, action=err.action)


def _task_id_of(resp: httpx.Response) -> str | None:
    try:
        doc = resp.json()
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    task_id = doc.get("task_id")
    if isinstance(task_id, (str, int)) and not isinstance(task_id, bool) and str(task_id).strip():
        return str(task_id).strip()
    return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status} {exc.reason}".strip()
    return type(exc).__name__


__all__ = ["ClientSetupError", "HighwayClient", "key_problem", "redact_url"]  # the rules: client_rules.py
