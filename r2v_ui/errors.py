"""One error tree for everything that can go wrong talking to the service, and one function that
maps an HTTP answer to it (SPEC.md "Errors").

Shape follows openai-python: a base error, a status branch carrying the parsed envelope, one
subclass per status a caller handles differently, and a separate connection/timeout branch.
An API failure (the request was refused) and a *task* failure (the service ran the job and it
failed) are different exceptions.  No error text ever contains the API key: messages are built
from the service's envelope and our own words only.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Mapping

# Plain words for every documented reason: what happened, then what to do.
REASON_TEXT: dict[str, str] = {
    "INVALID_REQUEST_BODY": "The service refused the request as malformed. Check the settings and references, then try again.",
    "ILLEGAL_PROMPT": "The service refused the prompt under its content rules. Reword the prompt and try again.",
    "ILLEGAL_IMAGE_CONTENT": "The service refused a reference picture under its content rules. Use a different picture.",
    "INVALID_AUDIO_FILE": "The service could not use a voice clip. Use an MP3, WAV or FLAC clip of 3 to 30 seconds.",
    "IMAGE_FILE_EXCEEDS_MAX_SIZE": "A reference picture is larger than the service allows (10 MB). Use a smaller picture.",
    "INVALID_IMAGE_FORMAT": "A reference picture is in a format the service does not read. Use JPEG, PNG, BMP or WEBP.",
    "BILLING_BALANCE_NOT_ENOUGH": "Your account balance is too low for this video. Top up your account, then try again.",
    "MISSING_API_KEY": "No API key was sent. Enter your API key, or set HIGHWAY_API_KEY.",
    "INVALID_API_KEY": "The API key was not accepted. Check it and enter a valid key.",
    "API_NOT_ALLOWED": "This API key is not allowed to use this model. Enable the model for your account or use another key.",
    "NEED_REAL_NAME_VERIFY": "The account needs identity verification before it can use this model. Complete it in your account.",
    "BILLING_AUTH_FAILED": "The service could not authorise billing for this account. Check your account's billing settings.",
    "FEATURE_NOT_ALLOWED": "This feature is not enabled for your account.",
    "API_NOT_FOUND": "The service has no such endpoint. Check the service address (HIGHWAY_BASE_URL).",
    "TASK_NOT_FOUND": "The service does not know this task. It may have expired or belong to another account.",
    "RATE_LIMIT_EXCEEDED": "The service is limiting how often you can ask. Wait a minute and try again.",
    "CREATE_TASK_FAILED": "The service could not create the task. Try again in a few minutes.",
    "GET_RESULT_FAILED": "The service could not read the task's result just now. It will be read again.",
    "TASK_FAILED": "The service reported the task as failed.",
    "BILLING_FAILED": "The service's billing failed for this request. Try again later, or check your account.",
}

# Reasons that only make sense for one kind of request: shown for that kind only, so a 500 on a
# submit never says "the result could not be read" because a server put a read's reason on it.
REASON_ACTIONS: dict[str, str] = {
    "GET_RESULT_FAILED": "read", "TASK_NOT_FOUND": "read", "CREATE_TASK_FAILED": "submit",
}

# What a status means for a submit, where it differs from the general words below.
SUBMIT_STATUS_TEXT: dict[int, str] = {
    404: "The service has no such endpoint. Check the service address (HIGHWAY_BASE_URL).",
    500: "The service failed while creating the task and gave back no task id. Check your account's task list "
         "before you try again in a few minutes.",
}

STATUS_TEXT: dict[int, str] = {
    400: "The service refused the request.",
    401: "The API key was not accepted. Check it and enter a valid key.",
    403: "The API key was not accepted for this model. Check it and enter a valid key.",
    404: "The service could not find what was asked for.",
    429: "The service is limiting how often you can ask. Wait a minute and try again.",
    500: "The service had an internal error. Try again in a few minutes.",
    502: "The service is overloaded or unreachable right now. Try again in a few minutes.",
    503: "The service is overloaded right now. Try again in a few minutes.",
    504: "The service took too long to answer. Try again in a few minutes.",
}


class R2VError(Exception):
    """Base of every error this package raises about the service."""

    @property
    def user_message(self) -> str:
        return str(self)


class APIConnectionError(R2VError):
    """No answer was received.  `request_sent` says whether the request may have reached the
    service: False means the connection was never made, so even a submit is safe to repeat."""

    def __init__(self, message: str, *, request_sent: bool):
        super().__init__(message)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    pass


class SubmissionUncertain(R2VError):
    """A submit may have created a task (timeout or dropped connection after the body was sent).
    It is never repeated on its own: the user decides."""

    def __init__(self, cause: Exception | None = None):
        super().__init__(
            "The request was sent but no usable answer came back, so the service may or may not have started "
            "(and billed) this video. Check your account's task list, then resubmit knowingly or discard it."
        )
        self.cause = cause


class APIStatusError(R2VError):
    """A non-2xx answer, with the parsed envelope."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        body: Any = None,
        retry_after: float | None = None,
        action: str = "",
    ):
        self.action = action  # "submit" | "read" | "download" | "": which request got this answer
        self.status = status
        self.reason = reason
        self.message = message
        self.body = body
        self.retry_after = retry_after
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        fits = REASON_ACTIONS.get(self.reason, self.action) == self.action
        plain = (REASON_TEXT.get(self.reason) if fits else None) or (
            SUBMIT_STATUS_TEXT.get(self.status) if self.action == "submit" else None
        ) or STATUS_TEXT.get(self.status) or f"The service answered with an error (HTTP {self.status})."
        detail = (self.message or "").strip()
        if detail and detail.lower() not in plain.lower():
            return f"{plain} (HTTP {self.status} {self.reason or ''}: {detail[:300]})".replace(" :", ":")
        return f"{plain} (HTTP {self.status}{' ' + self.reason if self.reason else ''})"

    def __reduce__(self):  # keep picklable with keyword arguments
        return (_rebuild_status_error,
                (type(self), self.status, self.reason, self.message, self.body, self.retry_after, self.action))


def _rebuild_status_error(cls, status, reason, message, body, retry_after, action=""):
    return cls(status, reason, message, body=body, retry_after=retry_after, action=action)


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


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
    def user_message(self) -> str:
        return (
            f"The service's answer could not be read (HTTP {self.status}: {self.message or 'unexpected content'}). "
            "Check the service address (HIGHWAY_BASE_URL)."
        )


class TaskFailed(R2VError):
    """The service ran the task and it failed (HTTP 200 with TASK_STATUS_FAILED)."""

    def __init__(self, task_id: str, reason: str):
        self.task_id = task_id
        self.reason = reason
        super().__init__(
            f"The service could not make this video: {reason or 'no reason was given'}. "
            "Failed tasks are not billed; change what it mentions and generate again."
        )


class DownloadError(R2VError):
    """The result could not be downloaded this time; reading the task again gives a fresh link."""


class ResultUnusable(DownloadError):
    """The result itself cannot be taken (not an http(s) link, larger than any video of ours):
    another try would get the same answer."""


class ResultExpired(DownloadError):
    def __init__(self) -> None:
        super().__init__("The result link was refused (expired or no longer valid).")


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
    403: AuthenticationError,
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
        message = "the answer was not JSON" if "<" in text[:200] else text[:200]
    retry_after = parse_retry_after(_header(headers, "retry-after"))
    if status >= 500:
        cls: type[APIStatusError] = ServerError
    else:
        cls = _CLASS_BY_STATUS.get(status, APIStatusError)
    return cls(status, reason, message, body=body if body is not None else content[:2000], retry_after=retry_after,
               action=action)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None
