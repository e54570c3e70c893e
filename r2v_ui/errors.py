"""The studio's one error tree, and the one function that maps an HTTP answer to its service
branch (SPEC.md "Errors").

    StudioError                      every error the studio raises: a `Msg` (a code and its parameters)
    ├── APIError                     the service
    │   ├── APIConnectionError       no answer (`request_sent` says whether a submit may have landed)
    │   │   └── APITimeoutError
    │   ├── SubmissionUncertain      a submit that may have created a task: never repeated on its own
    │   ├── APIStatusError           a refusal: `status`, the envelope, the service's `request_id` if sent
    │   │   ├── BadRequestError (400), AuthenticationError (401), PermissionDeniedError (403),
    │   │   ├── NotFoundError (404), RateLimitError (429), ServerError (5xx)
    │   │   └── UnexpectedResponse   a 2xx answer that is not the contract's
    │   ├── TaskFailed               the service ran the task and it failed
    │   └── DownloadError            the result could not be taken this time
    │       ├── ResultUnusable, ResultExpired
    ├── the request: request.RequestInvalid, storyboard.FitImpossible, client.ClientSetupError
    ├── the store: store.StoreError (store/trouble.py)
    ├── hosting: hosting.HostingError
    ├── the library: characters.CharacterError
    ├── pictures: media.decode_budget.TooLarge, media.picture_pixels.CannotFit
    ├── jobs: jobs.model.JobNotFound (and plain StudioErrors from the job manager)
    ├── sharing: share.model.ShareError (a share or a viewer's note or pick refused)
    └── the form: workspace.refusals.FormProblem

A handler catches `StudioError` and shows its `msg` in the reader's language; anything else is a bug
and surfaces.  Shape follows openai-python: an API failure (the request was refused) and a *task*
failure (the service ran the job and it failed) are different exceptions, and 403 is its own class
apart from 401.  No error text ever contains the API key: messages are built from the service's
envelope and our own words only.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Mapping

from .messages import Msg, legacy, msg

# Plain words for every documented reason (what happened, then what to do) are catalog keys:
# "reason.<REASON>", and "status.<code>" / "submit_status.<code>" for what a status means.
REASONS: tuple[str, ...] = ('INVALID_REQUEST_BODY', 'ILLEGAL_PROMPT', 'ILLEGAL_IMAGE_CONTENT', 'INVALID_AUDIO_FILE', 'IMAGE_FILE_EXCEEDS_MAX_SIZE', 'INVALID_IMAGE_FORMAT', 'BILLING_BALANCE_NOT_ENOUGH', 'MISSING_API_KEY', 'INVALID_API_KEY', 'API_NOT_ALLOWED', 'NEED_REAL_NAME_VERIFY', 'BILLING_AUTH_FAILED', 'FEATURE_NOT_ALLOWED', 'API_NOT_FOUND', 'TASK_NOT_FOUND', 'RATE_LIMIT_EXCEEDED', 'CREATE_TASK_FAILED', 'GET_RESULT_FAILED', 'TASK_FAILED', 'BILLING_FAILED')

# Reasons that only make sense for one kind of request: shown for that kind only, so a 500 on a
# submit never says "the result could not be read" because a server put a read's reason on it.
REASON_ACTIONS: dict[str, str] = {
    "GET_RESULT_FAILED": "read", "TASK_NOT_FOUND": "read", "CREATE_TASK_FAILED": "submit",
}
SUBMIT_STATUSES: tuple[int, ...] = (404, 500)
STATUSES: tuple[int, ...] = (400, 401, 403, 404, 429, 500, 502, 503, 504)
# The header a gateway or the service names its request by, when it sends one (lower case).
REQUEST_ID_HEADER = "x-request-id"


class StudioError(Exception):
    """Root of every error the studio raises.  It carries a `Msg` (a code and its parameters);
    `str()` and `user_message` are its English words, for logs."""

    def __init__(self, message: Msg | str = "", *args: Any):
        self._msg = message if isinstance(message, Msg) else legacy(str(message))
        super().__init__(str(self._msg), *args)

    @property
    def msg(self) -> Msg:
        return self._msg

    @property
    def user_message(self) -> str:
        return str(self.msg)



class APIError(StudioError):
    """Something went wrong talking to the service."""


class APIConnectionError(APIError):
    """No answer was received.  `request_sent` says whether the request may have reached the
    service: False means the connection was never made, so even a submit is safe to repeat."""

    def __init__(self, message: Msg | str, *, request_sent: bool):
        super().__init__(message)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    pass


class SubmissionUncertain(APIError):
    """A submit may have created a task (timeout or dropped connection after the body was sent).
    It is never repeated on its own: the user decides."""

    def __init__(self, cause: Exception | None = None):
        super().__init__(msg("error.submission_uncertain"))
        self.cause = cause


class APIStatusError(APIError):
    """A non-2xx answer, with the parsed envelope and the service's request id when it sent one
    (`X-Request-Id`; SPEC.md names no such header, so it is kept only when present, for logs and support)."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        body: Any = None,
        retry_after: float | None = None,
        action: str = "",
        request_id: str | None = None,
    ):
        self.request_id = request_id
        self.action = action  # "submit" | "read" | "download" | "": which request got this answer
        self.status = status
        self.reason = reason
        self.message = message
        self.body = body
        self.retry_after = retry_after
        super().__init__(self.msg)

    @property
    def msg(self) -> Msg:
        fits = REASON_ACTIONS.get(self.reason, self.action) == self.action
        if fits and self.reason in REASONS:
            plain = msg(f"reason.{self.reason}")
        elif self.action == "submit" and self.status in SUBMIT_STATUSES:
            plain = msg(f"submit_status.{self.status}")
        elif self.status in STATUSES:
            plain = msg(f"status.{self.status}")
        else:
            plain = msg("status.other", status=self.status)
        detail = (self.message or "").strip()
        reason = f" {self.reason}" if self.reason else ""
        if detail and detail.lower() not in str(plain).lower():  # the service's own words, as it said them
            return msg("error.http_detail", plain=plain, status=self.status, reason=reason, detail=own_detail(detail[:300]))
        return msg("error.http", plain=plain, status=self.status, reason=reason)

    def __reduce__(self):  # keep picklable with keyword arguments
        return (_rebuild_status_error,
                (type(self), self.status, self.reason, self.message, self.body, self.retry_after, self.action,
                 self.request_id))


def _rebuild_status_error(cls, status, reason, message, body, retry_after, action="", request_id=None):
    return cls(status, reason, message, body=body, retry_after=retry_after, action=action, request_id=request_id)


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    """401: the key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key is known but may not do this (API_NOT_ALLOWED, NEED_REAL_NAME_VERIFY, …), or the
    service says INVALID_API_KEY with a 403 (SPEC.md saw a missing key answered so)."""


class NotFoundError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class ServerError(APIStatusError):
    pass


class UnexpectedResponse(APIStatusError):
    """A 2xx answer that is not what the contract says (not JSON, no task_id, no task document):
    usually the service address points at something that is not this API."""

    @property
    def msg(self) -> Msg:
        return msg("error.unexpected_response", status=self.status,
                   detail=own_detail(self.message) if self.message else msg("client.detail.unexpected"))


class TaskFailed(APIError):
    """The service ran the task and it failed (HTTP 200 with TASK_STATUS_FAILED)."""

    def __init__(self, task_id: str, reason: str):
        self.task_id = task_id
        self.reason = reason
        super().__init__(msg("error.task_failed", reason=reason) if reason else msg("error.task_failed_silent"))


class DownloadError(APIError):
    """The result could not be downloaded this time; reading the task again gives a fresh link."""


class ResultUnusable(DownloadError):
    """The result itself cannot be taken (not an http(s) link, larger than any video of ours):
    another try would get the same answer."""


class ResultExpired(DownloadError):
    def __init__(self) -> None:
        super().__init__(msg("error.result_expired"))


# What the studio itself says about an answer (kept as English text in `APIStatusError.message`, for
# logs and pickling): said again in the reader's language when the error is shown.
OWN_DETAILS: tuple[str, ...] = ("client.detail.not_json", "client.detail.no_task_id", "client.detail.not_task",
                                "client.detail.unexpected")


def own_detail(text: str) -> Msg | str:
    """The detail of an error: our own words as a Msg; the service's words as it said them."""
    for code in OWN_DETAILS:
        if text == str(msg(code)):
            return msg(code)
    return text


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.  None if absent
    or unreadable; never negative."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, parsed.timestamp() - current)


_CLASS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def error_from_response(status: int, headers: Mapping[str, str], content: bytes, *, action: str = "") -> APIStatusError:
    """Map any non-2xx answer to the error tree.  Survives bodies that are not JSON (a proxy's
    HTML page, an empty body) and envelopes missing fields."""
    body: Any = None
    reason = ""
    message = ""
    try:
        body = json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        body = None
    if isinstance(body, dict):
        reason = str(body.get("reason") or "")
        message = str(body.get("message") or "")
    elif content:
        text = content.decode("utf-8", errors="replace")
        message = str(msg("client.detail.not_json")) if "<" in text[:200] else text[:200]
    retry_after = parse_retry_after(_header(headers, "retry-after"))
    if status >= 500:
        cls: type[APIStatusError] = ServerError
    else:
        cls = _CLASS_BY_STATUS.get(status, APIStatusError)
    return cls(status, reason, message, body=body if body is not None else content[:2000], retry_after=retry_after,
               action=action, request_id=(_header(headers, REQUEST_ID_HEADER) or "").strip()[:200] or None)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None
