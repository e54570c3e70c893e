"""Routes of the embedded emulator: SPEC.md's v3 API, uploads, result links, control routes.

Authentication: every SPEC route and ``/emulator/uploads`` need ``Authorization: Bearer <key>``.
A missing key and a wrong key both answer ``403 INVALID_API_KEY`` (SPEC.md: a missing key was
seen answered that way; ``400 MISSING_API_KEY`` is documented too, we pick the observed one).
With ``api_key=None`` any non-empty bearer token is accepted. File links, result links and the
``/emulator/*`` control routes need no key (the service fetches references without one, and the
control routes only listen on loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from .config import EmulatorConfig
from .faults import FaultPlan, FaultRule, PlanError
from .pipeline import Worker
from .state import EmulatorState, Upload
from .validation import BodyError, validate_submit

SUBMIT_PATH = "/v3/async/wan2.7-r2v"
READ_PATH = "/v3/async/task-result"
_STATUS_REASON = {
    400: "INVALID_REQUEST_BODY", 401: "INVALID_API_KEY", 403: "INVALID_API_KEY", 404: "API_NOT_FOUND",
    429: "RATE_LIMIT_EXCEEDED", 500: "INTERNAL_ERROR", 502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}
_REASON_BY_ROUTE = {
    ("submit", 500): "CREATE_TASK_FAILED", ("read", 500): "GET_RESULT_FAILED", ("read", 404): "TASK_NOT_FOUND",
    ("download", 403): "URL_EXPIRED", ("download", 404): "FILE_NOT_FOUND", ("download", 400): "INVALID_SIGNATURE",
}
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/bmp": ".bmp",
        "video/mp4": ".mp4", "video/quicktime": ".mov", "audio/mpeg": ".mp3", "audio/wav": ".wav",
        "audio/x-wav": ".wav", "audio/flac": ".flac"}


def error(status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """SPEC.md's error envelope."""
    return JSONResponse({"code": status, "reason": reason, "message": message, "metadata": {}},
                        status_code=status, headers=headers)


def _route_of(scope: dict) -> str | None:
    path, method = scope.get("path", ""), scope.get("method", "")
    if path == SUBMIT_PATH and method == "POST":
        return "submit"
    if path == READ_PATH and method == "GET":
        return "read"
    if path == "/emulator/uploads" and method == "POST":
        return "upload"
    if path.startswith("/emulator/results/") and method in ("GET", "HEAD"):
        return "download"
    return None


async def _drop_connection(receive: Callable, send: Callable, *, body_read: bool) -> None:
    """Close the socket without any HTTP answer, as a crashed proxy would.

    Raising from an ASGI app makes uvicorn answer 500, so instead we reach uvicorn's transport
    (``send`` is a bound method of its per-request cycle) and abort it. In-process
    (httpx.ASGITransport) there is no socket: raise what httpx raises for a dropped connection."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response (emulated)")
    # Read what is left of the request body first: closing a socket with unread data makes the
    # kernel send a reset, and the client should see a plain close (an EOF with no answer).
    with contextlib.suppress(Exception):
        async with asyncio.timeout(2):
            more = not body_read
            while more:
                message = await receive()
                more = message["type"] == "http.request" and message.get("more_body", False)
    transport.close()
    # Wait until uvicorn has seen the disconnect, so it does not try to answer on its own.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(2):
            while (await receive())["type"] != "http.disconnect":
                pass


class EmulatorApp(Starlette):
    """A Starlette app whose outermost layer applies the fault plan (it must see uvicorn's own
    ``send`` to drop a connection, so it sits above Starlette's middleware stack)."""

    emulator: EmulatorState
    worker: Worker
    sleep: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)  # the "slow" fault's wait; injectable

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[override]
        route = _route_of(scope) if scope["type"] == "http" else None
        if route is None:
            return await super().__call__(scope, receive, send)
        self.emulator.count_request(route)
        rule = self.emulator.plan.pick(route)
        if rule is None:
            return await super().__call__(scope, receive, send)
        if rule.kind == "fail_task":
            scope["emulator.fail_task"] = True
            return await super().__call__(scope, receive, send)
        if rule.after_create and route == "submit":
            captured: list[dict] = []

            async def capture(message: dict) -> None:
                captured.append(message)

            await super().__call__(scope, receive, capture)
            return await self._apply(rule, route, scope, receive, send, captured)
        return await self._apply(rule, route, scope, receive, send, None)

    async def _apply(self, rule: FaultRule, route: str, scope, receive, send, captured: list[dict] | None) -> None:
        if rule.kind == "slow":
            await self.sleep(rule.delay)
            if captured is None:
                return await super().__call__(scope, receive, send)
            for message in captured:
                await send(message)
            return None
        if rule.kind == "drop":
            return await _drop_connection(receive, send, body_read=captured is not None)
        status = int(rule.kind)
        headers = {}
        if rule.retry_after is not None and status in (429, 503):
            headers["Retry-After"] = str(int(rule.retry_after) if float(rule.retry_after).is_integer() else rule.retry_after)
        if rule.request_id is not None:
            headers["X-Request-Id"] = rule.request_id
        if rule.html and status >= 500:
            response: Response = Response(
                f"<html><body><h1>{status}</h1><p>emulated proxy error</p></body></html>",
                status_code=status, media_type="text/html", headers=headers)
        else:
            reason = _REASON_BY_ROUTE.get((route, status)) or _STATUS_REASON[status]
            response = error(status, reason, f"emulated fault ({rule.kind}) from the emulator's fault plan", headers)
        await response(scope, receive, send)


# -- helpers -------------------------------------------------------------------------------------
def _state(request: Request) -> EmulatorState:
    return request.app.emulator


def _base(request: Request) -> str:
    cfg = _state(request).config
    return (cfg.public_base_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")


def _denied(request: Request) -> Response | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return error(403, "INVALID_API_KEY", "No API key: send the header 'Authorization: Bearer <your key>'")
    expected = _state(request).config.api_key
    if expected is not None and not hmac.compare_digest(token.encode(), expected.encode()):
        return error(403, "INVALID_API_KEY", "The API key is not valid")
    return None


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError("body", f"is not valid JSON ({exc})") from exc


def _safe_name(name: str, content_type: str) -> str:
    name = Path(name.replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:100]
    if not name:
        name = "upload" + _EXT.get(content_type.split(";")[0].strip().lower(), ".bin")
    return name


# -- SPEC routes ---------------------------------------------------------------------------------
async def submit(request: Request) -> Response:
    if (denied := _denied(request)) is not None:
        return denied
    try:
        raw = await _json_body(request)
        req = validate_submit(raw)
    except BodyError as exc:
        return error(400, "INVALID_REQUEST_BODY", str(exc))
    task = _state(request).create_task(req, fail_task=bool(request.scope.get("emulator.fail_task")), body=raw)
    request.app.worker.start(task)
    return JSONResponse({"task_id": task.task_id})


async def task_result(request: Request) -> Response:
    if (denied := _denied(request)) is not None:
        return denied
    task_id = request.query_params.get("task_id", "")
    if not task_id:
        return error(400, "INVALID_REQUEST_BODY", "task_id: is required (GET /v3/async/task-result?task_id=...)")
    task = _state(request).tasks.get(task_id)
    if task is None:
        return error(404, "TASK_NOT_FOUND", f"No task with id {task_id}")
    return JSONResponse(_state(request).document(task, _base(request)))


# -- result links and uploads ------------------------------------------------------------------
async def result_file(request: Request) -> Response:
    state = _state(request)
    task_id = request.path_params["task_id"]
    refused = state.check_result_link(task_id, request.query_params.get("expires", ""),
                                      request.query_params.get("signature", ""))
    if refused == "URL_EXPIRED":
        return error(403, "URL_EXPIRED", "This result link has expired; read the task again for a fresh link")
    if refused:
        return error(403, "INVALID_SIGNATURE", "This result link is not valid")
    task = state.tasks.get(task_id)
    if task is None or task.result_path is None or not task.result_path.exists():
        return error(404, "FILE_NOT_FOUND", "No result file for this task")
    return FileResponse(task.result_path, media_type="video/mp4", filename=f"{task_id}.mp4",
                        content_disposition_type="inline")


async def upload(request: Request) -> Response:
    if (denied := _denied(request)) is not None:
        return denied
    state = _state(request)
    content_type = request.headers.get("content-type", "application/octet-stream")
    name = _safe_name(request.headers.get("x-filename", ""), content_type)
    token = secrets.token_urlsafe(24)
    dest = state.data_dir / "uploads" / token
    digest = hashlib.sha256()
    size = 0
    with open(dest, "wb") as fh:
        async for chunk in request.stream():
            size += len(chunk)
            if size > state.config.max_upload_bytes:
                fh.close()
                dest.unlink(missing_ok=True)
                return error(413, "FILE_TOO_LARGE", f"Uploads are limited to {state.config.max_upload_bytes} bytes")
            digest.update(chunk)
            fh.write(chunk)
    if size == 0:
        dest.unlink(missing_ok=True)
        return error(400, "INVALID_REQUEST_BODY", "body: the upload is empty")
    expires_at = state.clock() + state.config.upload_ttl_seconds
    url = f"{_base(request)}/emulator/files/{token}/{name}"
    state.add_upload(Upload(token, dest, name, content_type, expires_at, digest.hexdigest(), size, url))
    return JSONResponse({"url": url, "expires_at": expires_at, "sha256": digest.hexdigest(), "bytes": size})


async def uploaded_file(request: Request) -> Response:
    up = _state(request).live_upload(request.path_params["token"])
    if up is None or request.path_params["name"] != up.name:
        return error(404, "FILE_NOT_FOUND", "No such file, or its link has expired")
    return FileResponse(up.path, media_type=up.content_type)


# -- control routes ------------------------------------------------------------------------------
async def stats(request: Request) -> Response:
    return JSONResponse(_state(request).stats())


async def submits(request: Request) -> Response:
    """The bodies of the last tasks created, oldest first, exactly as they came (a test compares a
    re-run recipe's body with the first's).  They hold prompts: the key is asked, as for the SPEC routes."""
    if (denied := _denied(request)) is not None:
        return denied
    return JSONResponse({"bodies": _state(request).submitted_bodies()})


async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        try:
            state.plan = FaultPlan.from_json(json.loads(await request.body() or b"{}"))
        except (PlanError, ValueError) as exc:
            return error(400, "INVALID_REQUEST_BODY", f"fault plan: {exc}")
    return JSONResponse(state.plan.describe())


async def reset(request: Request) -> Response:
    _state(request).reset()
    return JSONResponse({"ok": True})


_TUNABLE = {"queue_seconds": float, "finish_seconds": float, "failure_rate": float,
            "url_ttl_seconds": int, "upload_ttl_seconds": int, "preview_long_side": int}


async def config_route(request: Request) -> Response:
    cfg = _state(request).config
    if request.method == "POST":
        try:
            changes = json.loads(await request.body() or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("must be a JSON object")
            for key, value in changes.items():
                if key not in _TUNABLE:
                    raise ValueError(f"{key} cannot be changed at run time ({', '.join(_TUNABLE)} can)")
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError(f"{key} must be a number >= 0")
                if key == "failure_rate" and value > 1:
                    raise ValueError("failure_rate must be between 0 and 1")
            for key, value in changes.items():
                setattr(cfg, key, _TUNABLE[key](value))
        except ValueError as exc:
            return error(400, "INVALID_REQUEST_BODY", f"config: {exc}")
    return JSONResponse({k: getattr(cfg, k) for k in _TUNABLE})


# -- errors --------------------------------------------------------------------------------------
async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error(404, "API_NOT_FOUND", f"No API at {request.method} {request.url.path}")
    if exc.status_code == 405:
        return error(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed on {request.url.path}")
    return error(exc.status_code, "HTTP_ERROR", str(exc.detail))


async def _crash(request: Request, exc: Exception) -> Response:
    route = _route_of(request.scope) or ""
    return error(500, _REASON_BY_ROUTE.get((route, 500), "INTERNAL_ERROR"), f"emulator error: {type(exc).__name__}: {exc}")


def create_app(config: EmulatorConfig | None = None, *, clock: Callable[[], float] | None = None,
               sleep: Callable[[float], Awaitable[None]] | None = None) -> EmulatorApp:
    """Build the emulator app (usable in-process with ``httpx.ASGITransport``).

    ``clock`` (epoch seconds) drives task timing and link expiry, ``sleep`` the wait of a "slow"
    fault; tests may inject both."""
    import time

    config = config or EmulatorConfig()
    tmp: tempfile.TemporaryDirectory | None = None
    if config.data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="r2v-emulator-")
        data_dir = Path(tmp.name)
    else:
        data_dir = Path(config.data_dir)
    state = EmulatorState(config, data_dir, clock or time.time)
    worker = Worker(state)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await worker.cancel_all()

    routes = [
        Route(SUBMIT_PATH, submit, methods=["POST"]),
        Route(READ_PATH, task_result, methods=["GET"]),
        Route("/emulator/uploads", upload, methods=["POST"]),
        Route("/emulator/files/{token}/{name}", uploaded_file, methods=["GET", "HEAD"]),
        Route("/emulator/results/{task_id}.mp4", result_file, methods=["GET", "HEAD"]),
        Route("/emulator/stats", stats, methods=["GET"]),
        Route("/emulator/submits", submits, methods=["GET"]),
        Route("/emulator/faults", faults, methods=["GET", "POST"]),
        Route("/emulator/reset", reset, methods=["POST"]),
        Route("/emulator/config", config_route, methods=["GET", "POST"]),
    ]
    app = EmulatorApp(routes=routes, lifespan=lifespan,
                      exception_handlers={HTTPException: _http_error, Exception: _crash})
    app.emulator = state
    app.worker = worker
    if sleep is not None:
        app.sleep = sleep
    app._tmpdir = tmp  # keeps the temporary data directory alive as long as the app
    return app
