"""Unit tests of r2v_ui.client: pure decisions as tables, task-document parsing, and the client's
behaviour against httpx.MockTransport (no sockets).  Contract tests against the emulator over real
HTTP live in test_client_contract.py."""

from __future__ import annotations

import email.utils
import json
import pickle
import traceback
from pathlib import Path

import httpx
import pytest

from tests.fixtures_client import API_KEY, RecordingSleep
from r2v_ui import errors
from r2v_ui.client import ClientSetupError, HighwayClient, redact_url
from r2v_ui.client_rules import RetryPolicy, read_may_retry, request_was_sent, submit_may_retry
from r2v_ui.task_info import TaskInfo
from r2v_ui.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    PermissionDeniedError,
    BadRequestError,
    DownloadError,
    NotFoundError,
    RateLimitError,
    ResultExpired,
    ServerError,
    SubmissionUncertain,
    UnexpectedResponse,
    error_from_response,
    parse_retry_after,
)
from r2v_ui.request import MediaItem, GenerationRequest

BASE = "https://api.example.test"
REQ = httpx.Request("GET", "https://x.test/")


def status_error(status: int, retry_after: str | None = None) -> APIStatusError:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return error_from_response(status, headers, json.dumps({"code": status, "reason": "X", "message": "m"}).encode())


# --- tables: retry decisions ---------------------------------------------------------------------
EXC_TABLE = [
    # exception, was sent?, read may retry?, submit may retry?
    (httpx.ConnectError("refused", request=REQ), False, True, True),
    (httpx.ConnectTimeout("t", request=REQ), False, True, True),
    (httpx.PoolTimeout("t", request=REQ), False, True, True),
    (httpx.ProxyError("407", request=REQ), False, True, True),
    (httpx.UnsupportedProtocol("ftp", request=REQ), False, False, False),
    (httpx.ReadTimeout("t", request=REQ), True, True, False),
    (httpx.WriteTimeout("t", request=REQ), True, True, False),
    (httpx.ReadError("reset", request=REQ), True, True, False),
    (httpx.WriteError("broken pipe", request=REQ), True, True, False),
    (httpx.RemoteProtocolError("Server disconnected", request=REQ), True, True, False),
    (httpx.LocalProtocolError("bad header", request=REQ), True, False, False),
    (httpx.CloseError("close", request=REQ), True, True, False),
    (APIConnectionError("x", request_sent=False), False, True, True),
    (APIConnectionError("x", request_sent=True), True, True, False),
    (APITimeoutError("x", request_sent=True), True, True, False),
    (ValueError("not a transport error"), True, False, False),
]


@pytest.mark.parametrize("exc,sent,read_retry,submit_retry", EXC_TABLE, ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None)
def test_exception_decisions(exc, sent, read_retry, submit_retry):
    assert request_was_sent(exc) is sent
    assert read_may_retry(exc) is read_retry
    assert submit_may_retry(exc) is submit_retry


STATUS_TABLE = [
    # status, read may retry?, submit may retry?
    (400, False, False),
    (401, False, False),
    (403, False, False),
    (404, False, False),
    (409, False, False),
    (429, True, True),
    (500, True, False),
    (502, True, False),
    (503, True, True),
    (504, True, False),
]


@pytest.mark.parametrize("status,read_retry,submit_retry", STATUS_TABLE)
def test_status_decisions(status, read_retry, submit_retry):
    err = status_error(status)
    assert read_may_retry(err) is read_retry
    assert submit_may_retry(err) is submit_retry


RETRY_AFTER_TABLE = [
    ("5", 5.0),
    ("  7 ", 7.0),
    ("1.5", 1.5),
    ("0", 0.0),
    ("-3", 0.0),
    ("", None),
    ("soon", None),
    ("Wed, 99 Foo 2015 07:28:00 GMT", None),
    (None, None),
]


@pytest.mark.parametrize("value,expected", RETRY_AFTER_TABLE)
def test_parse_retry_after_table(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    now = 1_700_000_000.0
    future = email.utils.formatdate(now + 30, usegmt=True)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(future, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(past, now=now) == 0.0


def test_delay_grows_and_is_capped_without_jitter():
    p = RetryPolicy(base_delay=0.5, max_delay=20.0)
    got = [p.delay(a, None, rng=lambda: 0.0) for a in range(1, 10)]
    assert got == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0]


def test_delay_jitter_takes_off_at_most_a_quarter():
    p = RetryPolicy(base_delay=1.0, max_delay=8.0)
    for attempt in range(1, 8):
        full = min(2 ** (attempt - 1), 8.0)
        assert p.delay(attempt, None, rng=lambda: 1.0) == pytest.approx(full * 0.75)
        assert full * 0.75 <= p.delay(attempt, None) <= full


@pytest.mark.parametrize("retry_after,expected", [(3.0, 3.0), (0.0, 0.0), (119.0, 119.0), (500.0, 120.0)])
def test_delay_honours_retry_after_up_to_cap(retry_after, expected):
    p = RetryPolicy(retry_after_cap=120.0)
    assert p.delay(1, retry_after, rng=lambda: 0.9) == expected
    assert p.delay(5, retry_after) == expected  # no jitter, whatever the attempt


# --- error mapping (every SPEC.md row) -----------------------------------------------------------
ERROR_ROWS = [
    (400, "INVALID_REQUEST_BODY", BadRequestError),
    (400, "ILLEGAL_PROMPT", BadRequestError),
    (400, "BILLING_BALANCE_NOT_ENOUGH", BadRequestError),
    (400, "MISSING_API_KEY", BadRequestError),
    (401, "INVALID_API_KEY", AuthenticationError),
    (403, "INVALID_API_KEY", PermissionDeniedError),
    (403, "API_NOT_ALLOWED", PermissionDeniedError),
    (404, "API_NOT_FOUND", NotFoundError),
    (404, "TASK_NOT_FOUND", NotFoundError),
    (429, "RATE_LIMIT_EXCEEDED", RateLimitError),
    (500, "CREATE_TASK_FAILED", ServerError),
    (500, "GET_RESULT_FAILED", ServerError),
    (502, "", ServerError),
    (503, "", ServerError),
    (504, "", ServerError),
]


@pytest.mark.parametrize("status,reason,cls", ERROR_ROWS)
def test_error_from_response_rows(status, reason, cls):
    body = json.dumps({"code": status, "reason": reason, "message": "detail", "metadata": {}}).encode()
    err = error_from_response(status, {"Retry-After": "4"}, body)
    assert type(err) is cls and err.status == status and err.reason == reason
    assert err.retry_after == 4.0
    assert str(err)  # plain words, never empty


@pytest.mark.parametrize(
    "content",
    [b"", b"<html><body><h1>502 Bad Gateway</h1></body></html>", b"\xff\xfe\x00garbage", b"[1,2]", b"null", b"plain text"],
)
def test_error_from_response_survives_non_json(content):
    err = error_from_response(502, {}, content)
    assert isinstance(err, ServerError) and err.status == 502 and err.reason == ""
    assert "HTTP 502" in str(err)
    assert "<html" not in str(err)


# --- the task document ---------------------------------------------------------------------------
FULL_DOC = {
    "task": {"task_id": "t-1", "status": "TASK_STATUS_SUCCEED", "reason": "", "task_type": "WAN_2_7_R2V",
             "eta": 0, "progress_percent": 100},
    "videos": [{"video_url": "https://cdn.test/v.mp4?sig=abc", "video_url_ttl": "3600", "video_type": "mp4"}],
    "images": [], "audios": [],
    "extra": {"seed": "12345", "debug_info": {"request_info": "", "submit_time_ms": "1700000000000",
                                              "execute_time_ms": "1700000001000", "complete_time_ms": "1700000009000"}},
}


def test_task_document_full():
    t = TaskInfo.from_document(FULL_DOC, task_id="asked")
    assert (t.task_id, t.status, t.eta, t.progress_percent) == ("t-1", "TASK_STATUS_SUCCEED", 0, 100)
    assert t.video_url == "https://cdn.test/v.mp4?sig=abc" and t.video_url_ttl == 3600
    assert t.seed == 12345
    assert t.timings == {"submit_time_ms": 1700000000000, "execute_time_ms": 1700000001000,
                         "complete_time_ms": 1700000009000}
    assert t.terminal and t.succeeded and not t.failed
    assert t.raw is FULL_DOC


@pytest.mark.parametrize(
    "status,terminal,succeeded,failed",
    [
        ("TASK_STATUS_QUEUED", False, False, False),
        ("TASK_STATUS_PROCESSING", False, False, False),
        ("TASK_STATUS_SUCCEED", True, True, False),
        ("TASK_STATUS_FAILED", True, False, True),
        ("TASK_STATUS_CANCELED", True, False, True),
        ("TASK_STATUS_CANCELLED", True, False, True),
        ("TASK_STATUS_WARMING_UP", False, False, False),
        ("", False, False, False),
    ],
)
def test_task_status_table(status, terminal, succeeded, failed):
    t = TaskInfo.from_document({"task": {"status": status}}, task_id="x")
    assert t.status == status  # kept as-is, shown as-is
    assert (t.terminal, t.succeeded, t.failed) == (terminal, succeeded, failed)


def test_task_document_missing_and_odd_fields():
    t = TaskInfo.from_document({}, task_id="asked")
    assert t.task_id == "asked" and t.status == "" and not t.terminal
    assert t.eta is None and t.progress_percent is None and t.video_url is None and t.seed is None
    assert t.timings == {"submit_time_ms": 0, "execute_time_ms": 0, "complete_time_ms": 0}
    odd = {
        "task": {"task_id": 77, "status": "TASK_STATUS_PROCESSING", "eta": "12", "progress_percent": "140",
                 "reason": None},
        "videos": [None, {"video_url": ""}, {"video_url": "http://h/v.mp4", "video_url_ttl": "soon"}],
        "extra": {"seed": "", "debug_info": {"submit_time_ms": "", "execute_time_ms": "abc",
                                             "complete_time_ms": True}},
    }
    t = TaskInfo.from_document(odd)
    assert t.task_id == "77" and t.eta == 12 and t.progress_percent == 100 and t.reason == ""
    assert t.video_url == "http://h/v.mp4" and t.video_url_ttl is None and t.seed is None
    assert t.timings == {"submit_time_ms": 0, "execute_time_ms": 0, "complete_time_ms": 0}
    for junk in (None, [], "text", {"task": "x", "videos": "y", "extra": 3}):
        t = TaskInfo.from_document(junk, task_id="j")
        assert t.task_id == "j" and not t.terminal


# --- the client against MockTransport --------------------------------------------------------------
class Recorder:
    """A MockTransport handler that plays a script of answers (responses or exceptions)."""

    def __init__(self, *script):
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            return item(request)
        return item


def answer(status: int, body=None, headers=None, content: bytes | None = None) -> httpx.Response:
    if content is None:
        content = json.dumps(body if body is not None else {"code": status, "reason": "", "message": ""}).encode()
    return httpx.Response(status, content=content, headers=headers or {})


def make_client(rec: Recorder, *, key=API_KEY, base=BASE, policy=RetryPolicy()) -> tuple[HighwayClient, RecordingSleep]:
    sleep = RecordingSleep()
    c = HighwayClient(base, key, transport=httpx.MockTransport(rec), sleep=sleep, retry=policy)
    return c, sleep


BODY = {"prompt": "character1 waves", "media": [{"url": "http://127.0.0.1/a.png", "type": "reference_image"}]}


@pytest.mark.asyncio
async def test_submit_sends_headers_body_and_path():
    rec = Recorder(answer(200, {"task_id": "abc"}))
    c, _ = make_client(rec, base=BASE + "/")
    async with c:
        req = GenerationRequest(prompt="character1 waves", media=(MediaItem(url="http://127.0.0.1/a.png"),))
        assert await c.submit(req) == "abc"
    r = rec.requests[0]
    assert r.method == "POST" and str(r.url) == BASE + "/v3/async/wan2.7-r2v"
    assert r.headers["authorization"] == f"Bearer {API_KEY}"
    assert r.headers["content-type"] == "application/json"
    assert json.loads(r.content) == req.to_body()


@pytest.mark.asyncio
async def test_base_url_with_path_prefix_and_no_key():
    rec = Recorder(answer(200, {"task": {"status": "TASK_STATUS_QUEUED"}}))
    c, _ = make_client(rec, base="http://gw.test/prefix//", key=None)
    async with c:
        t = await c.get_task("id with space&x")
    r = rec.requests[0]
    assert r.url.path == "/prefix/v3/async/task-result"
    assert r.url.params["task_id"] == "id with space&x"
    assert "authorization" not in r.headers
    assert r.headers["content-type"] == "application/json"
    assert t.task_id == "id with space&x" and t.status == "TASK_STATUS_QUEUED"


@pytest.mark.parametrize("bad", ["", "api.example.test", "ftp://x.test", "http://"])
def test_bad_base_url_refused(bad):
    with pytest.raises(ClientSetupError):
        HighwayClient(bad, API_KEY)


def test_key_with_control_characters_refused_without_echo():
    key = "sk-abc\r\nX-Evil: 1"
    with pytest.raises(ClientSetupError) as ei:
        HighwayClient(BASE, key)
    assert "sk-abc" not in str(ei.value)


@pytest.mark.asyncio
async def test_submit_retries_only_when_not_sent():
    rec = Recorder(httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), answer(200, {"task_id": "t9"}))
    c, sleep = make_client(rec)
    async with c:
        assert await c.submit(BODY) == "t9"
    assert len(rec.requests) == 3 and len(sleep.calls) == 2


@pytest.mark.parametrize(
    "exc",
    [httpx.ReadTimeout("t"), httpx.WriteTimeout("t"), httpx.ReadError("reset"), httpx.WriteError("pipe"),
     httpx.RemoteProtocolError("Server disconnected without sending a response.")],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.asyncio
async def test_submit_maybe_sent_is_uncertain_and_never_resent(exc):
    rec = Recorder(exc, answer(200, {"task_id": "second"}))
    c, sleep = make_client(rec)
    async with c:
        with pytest.raises(SubmissionUncertain) as ei:
            await c.submit(BODY)
    assert len(rec.requests) == 1 and sleep.calls == []
    assert ei.value.cause is exc


@pytest.mark.parametrize("status", [502, 504])
@pytest.mark.asyncio
async def test_submit_gateway_errors_are_uncertain(status):
    rec = Recorder(answer(status, content=b"<html>gateway</html>"), answer(200, {"task_id": "x"}))
    c, _ = make_client(rec)
    async with c:
        with pytest.raises(SubmissionUncertain) as ei:
            await c.submit(BODY)
    assert len(rec.requests) == 1 and isinstance(ei.value.cause, ServerError)


@pytest.mark.parametrize("content", [b"", b"<html>ok</html>", b'{"id": "x"}', b'{"task_id": ""}', b"[]"])
@pytest.mark.asyncio
async def test_submit_success_without_task_id_is_uncertain(content):
    rec = Recorder(answer(200, content=content))
    c, _ = make_client(rec)
    async with c:
        with pytest.raises(SubmissionUncertain) as ei:
            await c.submit(BODY)
    assert isinstance(ei.value.cause, UnexpectedResponse) and len(rec.requests) == 1


@pytest.mark.parametrize(
    "status,reason,cls",
    [(400, "INVALID_REQUEST_BODY", BadRequestError), (403, "INVALID_API_KEY", PermissionDeniedError),
     (404, "API_NOT_FOUND", NotFoundError), (500, "CREATE_TASK_FAILED", ServerError)],
)
@pytest.mark.asyncio
async def test_submit_refusals_not_retried(status, reason, cls):
    rec = Recorder(answer(status, {"code": status, "reason": reason, "message": "m", "metadata": {}}))
    c, sleep = make_client(rec)
    async with c:
        with pytest.raises(cls) as ei:
            await c.submit(BODY)
    assert ei.value.reason == reason and len(rec.requests) == 1 and sleep.calls == []


@pytest.mark.asyncio
async def test_submit_429_and_503_retried_with_retry_after():
    rec = Recorder(answer(429, headers={"Retry-After": "7"}), answer(503, headers={"Retry-After": "3"}),
                   answer(200, {"task_id": "ok"}))
    c, sleep = make_client(rec)
    async with c:
        assert await c.submit(BODY) == "ok"
    assert sleep.calls == [7.0, 3.0]


@pytest.mark.asyncio
async def test_submit_429_gives_up_after_max_attempts():
    rec = Recorder(answer(429, {"code": 429, "reason": "RATE_LIMIT_EXCEEDED", "message": ""}))
    c, sleep = make_client(rec, policy=RetryPolicy(max_attempts=3))
    async with c:
        with pytest.raises(RateLimitError):
            await c.submit(BODY)
    assert len(rec.requests) == 3 and len(sleep.calls) == 2


@pytest.mark.asyncio
async def test_submit_connection_never_made_gives_up_with_plain_error():
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    c, sleep = make_client(rec, policy=RetryPolicy(max_attempts=2))
    async with c:
        with pytest.raises(APIConnectionError) as ei:
            await c.submit(BODY)
    assert ei.value.request_sent is False and len(rec.requests) == 2
    assert "HIGHWAY_BASE_URL" in str(ei.value)


@pytest.mark.asyncio
async def test_get_task_retries_reads():
    ok = answer(200, FULL_DOC)
    rec = Recorder(httpx.ReadTimeout("t"), httpx.RemoteProtocolError("drop"), answer(500),
                   answer(502, content=b"<html/>"), answer(429, headers={"Retry-After": "2"}), ok)
    c, sleep = make_client(rec)
    async with c:
        t = await c.get_task("t-1")
    assert t.succeeded and len(rec.requests) == 6
    assert sleep.calls[-1] == 2.0
    assert sleep.calls[0] < sleep.calls[1] * 1.34  # backoff grows (jitter at most a quarter)


@pytest.mark.asyncio
async def test_get_task_exhausted_raises_timeout_error():
    rec = Recorder(httpx.ReadTimeout("t"))
    c, sleep = make_client(rec, policy=RetryPolicy(max_attempts=3))
    async with c:
        with pytest.raises(APITimeoutError) as ei:
            await c.get_task("t")
    assert len(rec.requests) == 3 and len(sleep.calls) == 2 and ei.value.request_sent


@pytest.mark.parametrize("status,cls", [(404, NotFoundError), (403, PermissionDeniedError), (401, AuthenticationError),
                                        (400, BadRequestError)])
@pytest.mark.asyncio
async def test_get_task_4xx_not_retried(status, cls):
    rec = Recorder(answer(status, {"code": status, "reason": "TASK_NOT_FOUND", "message": ""}))
    c, sleep = make_client(rec)
    async with c:
        with pytest.raises(cls):
            await c.get_task("t")
    assert len(rec.requests) == 1 and sleep.calls == []


@pytest.mark.parametrize("content", [b"<html>login</html>", b"", b'{"no": "task"}'])
@pytest.mark.asyncio
async def test_get_task_unreadable_success(content):
    rec = Recorder(answer(200, content=content))
    c, _ = make_client(rec)
    async with c:
        with pytest.raises(UnexpectedResponse) as ei:
            await c.get_task("t")
    assert "HIGHWAY_BASE_URL" in str(ei.value)


# --- the key never leaks -------------------------------------------------------------------------
def _all_text(exc: BaseException) -> str:
    return "".join([str(exc), repr(exc), *traceback.format_exception(exc)])


@pytest.mark.asyncio
async def test_key_never_in_error_texts_reprs_or_logs(caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    collected: list[BaseException] = []
    scripts = [
        ("submit", Recorder(httpx.ReadTimeout("t"))),
        ("submit", Recorder(httpx.ConnectError("refused"))),
        ("submit", Recorder(answer(502))),
        ("submit", Recorder(answer(200, content=b"<html/>"))),
        ("get", Recorder(httpx.ReadError("r"))),
        ("get", Recorder(answer(200, content=b"?"))),
    ] + [("get", Recorder(answer(s, {"code": s, "reason": r, "message": f"echoed: Bearer {API_KEY}"})))
         for s, r, _ in ERROR_ROWS] + [
        ("get", Recorder(answer(400, content=f"you sent Authorization: Bearer {API_KEY}".encode()))),
        ("submit", Recorder(answer(200, content=f"<html>{API_KEY}</html>".encode()))),
    ]
    for call, rec in scripts:
        c, _ = make_client(rec, policy=RetryPolicy(max_attempts=1))
        assert API_KEY not in repr(c) and API_KEY not in str(c)
        async with c:
            try:
                if call == "submit":
                    await c.submit(BODY)
                else:
                    await c.get_task("t")
            except errors.StudioError as exc:
                collected.append(exc)
    assert len(collected) == len(scripts)
    for exc in collected:
        assert API_KEY not in _all_text(exc), type(exc)
        for e in (exc, getattr(exc, "cause", None)):
            if isinstance(e, APIStatusError):
                assert API_KEY not in _all_text(pickle.loads(pickle.dumps(e)))
                assert API_KEY not in repr(e.body) and API_KEY not in e.message
    assert API_KEY not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(make_client(Recorder(answer(200)))[0])


# --- download ------------------------------------------------------------------------------------
VIDEO = bytes(range(256)) * 1000  # 256 kB


def file_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=VIDEO, headers={"Content-Type": "video/mp4"})


@pytest.mark.asyncio
async def test_download_streams_atomically_without_key(tmp_path: Path):
    rec = Recorder(file_answer)
    c, _ = make_client(rec)
    progress: list[tuple[int, int | None]] = []
    dest = tmp_path / "sub" / "out.mp4"
    async with c:
        n = await c.download("https://storage.other.test/v.mp4?X-Sig=s3cr3t", dest, max_bytes=10**6,
                             on_progress=lambda d, t: progress.append((d, t)))
    assert n == len(VIDEO) and dest.read_bytes() == VIDEO
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["out.mp4"]  # no partial file left beside it
    assert "authorization" not in rec.requests[0].headers
    assert progress[0] == (0, len(VIDEO)) and progress[-1] == (len(VIDEO), len(VIDEO))
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


@pytest.mark.asyncio
async def test_download_refuses_large_content_length(tmp_path: Path):
    c, _ = make_client(Recorder(file_answer))
    dest = tmp_path / "out.mp4"
    async with c:
        with pytest.raises(DownloadError) as ei:
            await c.download("https://s.test/v.mp4", dest, max_bytes=1000)
    assert "larger than" in str(ei.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_download_stops_when_bytes_exceed_limit_without_length(tmp_path: Path):
    def chunked(request):
        async def gen():
            for _ in range(100):
                yield b"x" * 4096
        return httpx.Response(200, content=gen())  # no Content-Length

    c, _ = make_client(Recorder(chunked))
    async with c:
        with pytest.raises(DownloadError) as ei:
            await c.download("https://s.test/v.mp4", tmp_path / "out.mp4", max_bytes=50_000)
    assert "partial file deleted" in str(ei.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("status", [403, 404, 410])
@pytest.mark.asyncio
async def test_download_expired(tmp_path: Path, status):
    rec = Recorder(answer(status, content=b"<Error><Code>AccessDenied</Code></Error>"))
    c, sleep = make_client(rec)
    async with c:
        with pytest.raises(ResultExpired):
            await c.download("https://s.test/v.mp4", tmp_path / "out.mp4", max_bytes=10**6)
    assert len(rec.requests) == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_download_retries_overload_and_short_reads(tmp_path: Path):
    def short(request):
        return httpx.Response(200, content=VIDEO[:1000], headers={"Content-Length": str(len(VIDEO))})

    rec = Recorder(answer(503), httpx.ReadError("reset"), short, file_answer)
    c, sleep = make_client(rec)
    dest = tmp_path / "out.mp4"
    dest.write_bytes(b"old")
    async with c:
        assert await c.download("https://s.test/v.mp4", dest, max_bytes=10**6) == len(VIDEO)
    assert dest.read_bytes() == VIDEO and len(rec.requests) == 4 and len(sleep.calls) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


@pytest.mark.asyncio
async def test_download_gives_up_in_plain_words(tmp_path: Path):
    c, _ = make_client(Recorder(answer(500)), policy=RetryPolicy(max_attempts=2))
    async with c:
        with pytest.raises(DownloadError) as ei:
            await c.download("https://s.test/v.mp4?sig=SECRETSIG", tmp_path / "o.mp4", max_bytes=10**6)
    assert "HTTP 500" in str(ei.value) and "SECRETSIG" not in str(ei.value)
    assert list(tmp_path.iterdir()) == []


def test_redact_url():
    assert redact_url("https://u:p@h.test:8443/a/b.mp4?sig=1#f") == "https://h.test:8443/a/b.mp4"


@pytest.mark.asyncio
async def test_download_compressed_answer_counts_decoded_bytes(tmp_path: Path):
    import gzip

    packed = gzip.compress(VIDEO)

    def gz(request):
        assert request.headers["accept-encoding"] == "identity"
        return httpx.Response(200, content=packed, headers={"Content-Encoding": "gzip",
                                                            "Content-Length": str(len(packed))})

    c, sleep = make_client(Recorder(gz))
    async with c:
        assert await c.download("https://s.test/v.mp4", tmp_path / "o.mp4", max_bytes=10**6) == len(VIDEO)
    assert (tmp_path / "o.mp4").read_bytes() == VIDEO and sleep.calls == []


@pytest.mark.asyncio
async def test_download_redirect_loop_is_a_plain_download_error(tmp_path: Path):
    rec = Recorder(lambda r: httpx.Response(302, headers={"Location": "https://s.test/again"}))
    c, _ = make_client(rec)
    async with c:
        with pytest.raises(DownloadError) as ei:
            await c.download("https://s.test/v.mp4", tmp_path / "o.mp4", max_bytes=10**6)
    assert "could not be downloaded" in str(ei.value) and list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_undecodable_answer_on_submit_is_uncertain_and_on_read_is_an_error():
    bad = lambda r: httpx.Response(200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"})  # noqa: E731
    c, sleep = make_client(Recorder(bad))
    async with c:
        with pytest.raises(SubmissionUncertain) as ei:
            await c.submit(BODY)
        assert isinstance(ei.value.cause, httpx.DecodingError)
        with pytest.raises(APIConnectionError) as e2:
            await c.get_task("t")
    assert "could not be read" in str(e2.value) and sleep.calls == []
