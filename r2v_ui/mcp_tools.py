"""The studio as tools for AI assistants (MCP): `python app.py --mcp`, or R2V_MCP=1.

Gradio 6 serves a Blocks' public API endpoints as an MCP server at `/gradio_api/mcp/` (streamable
HTTP; `/gradio_api/mcp/sse` for older clients), each tool described by its function's docstring and
type hints.  `register()` adds the six tools below to the studio's Blocks with `gr.api` (API only:
nothing is added to the page), and `restrict_tools()` keeps the page's own endpoints (`generate`,
`watch_job`, … built for a browser tab, with state an assistant cannot hold) out of the tool list.
The tools run outside Gradio's queue (`queue=False`): Gradio then calls them in-process with the
MCP request, which is also what lets them read the caller's credentials (below).

The tools go through the page's own code, so an assistant gets the same checks and guarantees:
* a reference is checked by the card checks (`ui.cast.check_media` / `check_voice` → `media.probe`;
  `check_link` → `hosting.check_pasted_url`): a refusal is the very sentence the card shows;
* a video is started by `ui.form.build_draft` and `JobManager.start`: the same validation, the same
  "no way to host your files" refusal before anything exists, the same never-pay-twice pipeline;
* jobs are read through `JobManager.snapshot` / `wait_for_change` / `list_jobs` with the caller as owner.

Who is calling.  Without --auth: the one local library (owner ""), as on the page.  With --auth,
an MCP client sends the HTTP Basic credentials of a studio login (`Authorization: Basic …` in the
client's settings for this server) and sees and acts on only that user's jobs; a call without them
is refused.  Gradio's own login is a browser cookie that MCP clients do not have, and its MCP route
is not behind that login, so the check is made here, on every call.

Files.  A reference is (1) a public http(s) link, passed through to the service after the same check
as a link pasted on a card; (2) a `data:` URI (base64, optionally `;name=file.png`), saved into the
studio's work folder; or (3) the link of a file uploaded to this studio (`POST /gradio_api/upload`,
as Gradio's `upload_file_to_gradio` helper does), used from Gradio's upload folder.  No other path
on the studio's disk can be named.  A finished video comes back as a link the studio serves under an
unguessable path that expires (`/r2v-result/<token>/<name>.mp4`), outside the login like the
reference links, because an MCP client cannot sign in with a cookie.

The API key is never in an answer: answers are built from job snapshots, which hold none.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import json
import secrets
import shutil
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import gradio as gr

from . import spec
from .errors import R2VError
from .hosting.base import extension_for, safe_filename

TOOL_NAMES = ("check_reference", "estimate_price", "start_video", "job_status", "wait_for_job", "list_jobs")
RESULT_PREFIX = "/r2v-result"
RESULT_LINK_TTL_SECONDS = 3600
WAIT_DEFAULT_SECONDS = 50.0
WAIT_MAX_SECONDS = 120.0
LIST_MAX = 100
WORK_KEEP_SECONDS = 24 * 3600.0
DATA_URI_MAX_BYTES = spec.VIDEO_RULES.max_bytes  # the largest reference the service takes

LOGIN_NEEDED = (
    "This studio asks for a login. Add the header `Authorization: Basic <base64 of user:password>` "
    "(one of the studio's logins) to this MCP server's settings in your client, then call again."
)
BAD_LOGIN = "The user name or password sent with this call is not one of this studio's logins."


class ToolError(gr.Error):
    """A refusal in plain words.  MCP shows `str(error)`: here, the sentence itself."""

    def __init__(self, message: str):
        super().__init__(message, title="Nothing was done", print_exception=False)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class _Ref:
    """A reference as the tools resolved it: a local file (data: URI or upload) or a link."""

    path: Path | None = None
    url: str | None = None
    name: str = ""


class ResultLinks:
    """Unguessable, expiring links to finished videos, for callers without a browser login.
    In memory only: after a restart `wait_for_job` hands out a new link."""

    def __init__(self, ttl_seconds: float = RESULT_LINK_TTL_SECONDS, clock=time.time):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._links: dict[str, tuple[Path, str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, path: Path) -> str:
        """The path part (`/r2v-result/<token>/<name>`) of a new link to `path`."""
        token = secrets.token_urlsafe(24)
        name = safe_filename(Path(path).name, "video/mp4", fallback="video")
        now = self._clock()
        with self._lock:
            for t in [t for t, (_, _, exp) in self._links.items() if exp <= now]:
                del self._links[t]
            self._links[token] = (Path(path), name, now + self.ttl_seconds)
        return f"{RESULT_PREFIX}/{token}/{name}"

    def lookup(self, token: str, name: str) -> Path | None:
        with self._lock:
            entry = self._links.get(token)
        if entry is None:
            return None
        path, issued_name, expires = entry
        if issued_name != name or expires <= self._clock() or not path.is_file():
            return None
        return path

    def routes(self) -> list:
        from starlette.responses import FileResponse, PlainTextResponse
        from starlette.routing import Route

        async def serve(request):
            path = self.lookup(request.path_params["token"], request.path_params["name"])
            if path is None:
                return PlainTextResponse("Not found, or the link has expired.", status_code=404,
                                         headers={"Cache-Control": "no-store"})
            return FileResponse(path, media_type="video/mp4",
                                headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"})

        return [Route(RESULT_PREFIX + "/{token}/{name}", serve, methods=["GET", "HEAD"], name="r2v_result")]


class StudioTools:
    """The tools, bound to one JobManager.  Each public method is one MCP tool: its docstring is
    what the assistant reads, so it says what to pass and what comes back."""

    def __init__(self, manager: Any, settings: Any, *, links: ResultLinks | None = None):
        self.manager = manager
        self.settings = settings
        self.links = links or ResultLinks()
        # The logins in force: the settings' (--auth / R2V_AUTH), or what Studio.launch was given instead.
        self.auth: tuple[tuple[str, str], ...] = tuple(settings.auth or ())
        self.work_root = Path(settings.data_dir) / "work" / "mcp"

    # --- the tools ------------------------------------------------------------------------------
    async def check_reference(self, reference: str, kind: str = "character",
                              request: gr.Request | None = None) -> str:
        """Check one reference against the video service's rules before using it, the way the studio page checks a file dropped on a character card. Nothing is paid and no job is made.

        Args:
            reference: The reference: a public http(s) link to the file; or a data: URI with the file's bytes in base64 (add ";name=alice.png" to keep its name in messages); or the link of a file uploaded to this studio (POST /gradio_api/upload).
            kind: "character" for a picture (JPEG, PNG, BMP, WEBP; 240-8000 px a side, at most 10 MB) or a video (MP4, MOV; 1-30 s, at most 100 MB) that shows one character; "voice" for a voice clip (MP3, WAV, FLAC; 3-30 s).

        Returns:
            JSON: verdict ("accepted", "fixed" when the studio repaired a copy, or "refused"), message (one plain sentence saying what is wrong and what to do, exactly as the page shows it), and the kind of media found.
        """
        self._owner(request)
        if kind not in ("character", "voice"):
            raise ToolError('kind must be "character" (a picture or a video) or "voice" (a voice clip).')
        folder = self._new_work_folder()
        try:
            ref = await self._resolve(reference, 1, folder, voice=kind == "voice")
            if kind == "voice":
                card = await self._with_voice(_empty_card(), ref, folder)
                verdict, message = card["voice_verdict"], card["voice_message"]
                found = "audio" if verdict != "refused" else None
            else:
                card = await self._character_card(ref, 1, [], 0, folder)
                verdict, message, found = card["verdict"], card["message"], card.get("kind")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        answer: dict[str, Any] = {"verdict": verdict, "message": message, "media": found}
        if kind == "character" and card.get("video_seconds"):
            answer["video_seconds"] = card["video_seconds"]
        return _json(answer)

    def estimate_price(self, resolution: str = "1080P", aspect_ratio: str = "16:9", duration: int = spec.DEFAULT_DURATION,
                       reference_video_seconds: list[float] | None = None, request: gr.Request | None = None) -> str:
        """Estimate what one video costs on the live service, before starting it. The provider does not publish its rate: this is the studio's own price table, billed per second of output.

        Args:
            resolution: "720P" or "1080P".
            aspect_ratio: "16:9", "9:16", "1:1", "4:3" or "3:4".
            duration: Length of the video in whole seconds, 2 to 10.
            reference_video_seconds: Seconds of each reference video, if any (some providers bill them too, so the estimate becomes a range).

        Returns:
            JSON: the estimate as a label (e.g. "≈ $0.75"), its low and high ends in US dollars, and the size in pixels it applies to.
        """
        self._owner(request)
        size = _size(resolution, aspect_ratio)
        seconds = _duration(duration)
        est = self.settings.price.estimate(size, seconds, [float(s) for s in (reference_video_seconds or [])])
        return _json({
            "estimate": est.label(), "low_usd": est.low, "high_usd": est.high, "size": size, "duration": seconds,
            "note": "An estimate from this studio's price table, not the provider's bill. Demo mode costs nothing.",
        })

    async def start_video(self, prompt: str, references: list[str], voices: list[str] | None = None,
                          negative_prompt: str = "", resolution: str = "1080P", aspect_ratio: str = "16:9",
                          duration: int = spec.DEFAULT_DURATION, shot_type: str = spec.DEFAULT_SHOT_TYPE,
                          audio: bool = spec.DEFAULT_AUDIO, watermark: bool = spec.DEFAULT_WATERMARK,
                          seed: int | None = None, request: gr.Request | None = None) -> str:
        """Start making a video from up to five characters and a prompt (the Wan 2.7 reference-to-video model). Every reference is checked first, exactly as on the studio page; if one is refused nothing is sent and the error says why. Returns at once with the job id: the video takes a few minutes on the live service (a few seconds in demo mode). Once sent, a video cannot be cancelled and is billed.

        Args:
            prompt: The scene, up to 1500 characters. Name the characters character1, character2, ... in the order of references, e.g. "character1 hands character2 an umbrella in the rain".
            references: One entry per character, in order (1 to 5; at most 3 videos). Each is a public http(s) link to a picture or video, a data: URI (base64; add ";name=alice.png" to keep its name), or the link of a file uploaded to this studio (POST /gradio_api/upload).
            voices: Optional voice clip per character, in the same order (same forms as references; "" for none).
            negative_prompt: Things to avoid, up to 500 characters.
            resolution: "720P" or "1080P".
            aspect_ratio: "16:9", "9:16", "1:1", "4:3" or "3:4".
            duration: Length in whole seconds, 2 to 10 (billed per second).
            shot_type: "single" or "multi" (several shots; describe them as "Shot 1 [0-3s]: ..." lines).
            audio: Generate a sound track (voices use the clips given).
            watermark: Put a mark in the lower-right corner.
            seed: A whole number 0-2147483647 to repeat a look; leave empty for a random one.

        Returns:
            JSON: job_ids (the job started; pass it to wait_for_job or job_status), state, mode (demo or live), price_estimate, and any fixes the studio made to references.
        """
        owner = self._owner(request)
        refs = list(references or [])
        voice_list = list(voices or [])
        if not refs:
            raise ToolError("Nothing was sent. Add at least one character: a picture or a video.")
        if len(refs) > spec.MEDIA_MAX:
            raise ToolError(f"Nothing was sent. At most {spec.MEDIA_MAX} characters can be in one video; "
                            f"{len(refs)} references were given.")
        if len(voice_list) > len(refs):
            raise ToolError("Nothing was sent. There are more voice clips than characters: give at most one voice per reference.")
        _size(resolution, aspect_ratio)
        folder = self._new_work_folder()
        try:
            cast: list[dict] = []
            fixed: list[str] = []
            for i, value in enumerate(refs):
                n, tag = i + 1, spec.character_tag(i + 1)
                card = await self._character_card(await self._resolve(value, n, folder), n, cast, i, folder)
                if card["verdict"] == "refused":
                    raise ToolError(f"Nothing was sent. {tag}: {card['message']}")
                if card["verdict"] == "fixed":
                    fixed.append(f"{tag}: {card['message']}")
                voice = voice_list[i] if i < len(voice_list) else ""
                if voice and voice.strip():
                    card = await self._with_voice(card, await self._resolve(voice, n, folder, voice=True), folder)
                    if card["voice_verdict"] == "refused":
                        raise ToolError(f"Nothing was sent. The voice clip of {tag}: {card['voice_message']}")
                    if card["voice_verdict"] == "fixed":
                        fixed.append(f"voice of {tag}: {card['voice_message']}")
                cast.append(card)
            from .ui import form

            values = form.FormValues(
                prompt=prompt or "", negative_prompt=negative_prompt or "", tier=resolution, aspect=aspect_ratio,
                duration=_duration(duration), shot_type=shot_type, audio=bool(audio), watermark=bool(watermark),
                seed_mode=form.SEED_FIXED if seed is not None else form.SEED_RANDOM, seed=seed,
            )
            try:
                draft = form.build_draft(cast, values)
                job_id = await asyncio.to_thread(self.manager.start, draft, owner=owner)
            except (ValueError, R2VError) as exc:  # spec.RequestInvalid is a ValueError: plain words
                raise ToolError(f"Nothing was sent. {exc}") from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # no job will read these files
            raise
        snap = self.manager.snapshot(job_id, owner=owner)
        return _json({
            "job_ids": [job_id],
            "state": snap.state if snap else "checking",
            "mode": _mode(snap.target if snap else "demo"),
            "price_estimate": snap.price_label if snap else None,
            "fixed": fixed,
            "warnings": list(snap.warnings) if snap else [],
            "next": "Call wait_for_job with this job id to get the video, or job_status to see how far it is.",
        })

    def job_status(self, job_id: str, request: gr.Request | None = None) -> str:
        """Read how far a job is, without waiting: its state, stage, progress and settings.

        Args:
            job_id: The id start_video returned (or one from list_jobs).

        Returns:
            JSON: state (checking, uploading, submitting, queued, processing, downloading, succeeded, failed, uncertain or discarded), done, stage (a plain sentence), progress_percent, eta_seconds, error, price_estimate, settings, seed_used and video_ready. Use wait_for_job to get the video.
        """
        owner = self._owner(request)
        return _json(job_view(self._snapshot(job_id, owner)))

    async def wait_for_job(self, job_id: str, timeout_seconds: float = WAIT_DEFAULT_SECONDS,
                           request: gr.Request | None = None) -> str:
        """Wait until a job ends (or the time given runs out), then return its state; when it succeeded, a link to download the MP4 video and every setting that made it. Call it again if the job is not done yet.

        Args:
            job_id: The id start_video returned (or one from list_jobs).
            timeout_seconds: How long to wait at most, 0 to 120 seconds. 0 answers at once.

        Returns:
            JSON: as job_status, plus video_url (a link to the MP4 that works without a login and expires after an hour), video_file and video_bytes once the video is ready.
        """
        owner = self._owner(request)
        snap = self._snapshot(job_id, owner)
        try:
            limit = min(max(float(timeout_seconds or 0.0), 0.0), WAIT_MAX_SECONDS)
        except (TypeError, ValueError):
            raise ToolError("timeout_seconds must be a number of seconds from 0 to 120.") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not snap.terminal and snap.state != "uncertain":
            left = deadline - loop.time()
            if left <= 0:
                break
            newer = await self.manager.wait_for_change(job_id, snap.version, left)
            if newer is None or newer.owner != owner:
                raise ToolError(f"There is no job {job_id!r} in your library.")
            snap = newer
        view = job_view(snap)
        video = Path(snap.video_path) if snap.video_path else None
        if snap.state == "succeeded" and video is not None and video.is_file():
            view["video_url"] = self._base_url(request) + self.links.issue(video)
            view["video_file"] = video.name
            view["video_bytes"] = video.stat().st_size
            view["video_link_expires_in_seconds"] = int(self.links.ttl_seconds)
        elif not snap.terminal and snap.state != "uncertain":
            view["hint"] = "Not finished yet: call wait_for_job again."
        return _json(view)

    def list_jobs(self, status: str = "all", search: str = "", limit: int = 20,
                  request: gr.Request | None = None) -> str:
        """List the videos in your library, newest first, optionally only some states or prompts containing a word (the studio page's History).

        Args:
            status: "all", "running", "succeeded", "failed" or "uncertain" (waiting for a decision about a submission that may have reached the service).
            search: Only jobs whose prompt contains this text (case-insensitive); "" for all.
            limit: At most this many jobs (1-100).

        Returns:
            JSON: count (how many jobs match) and jobs, each with job_id, state, prompt, created_at, size, duration, seed_used and video_ready. Use wait_for_job with a job_id to get its video.
        """
        from .jobs import STATUS_FILTERS
        from .ui import history as hist

        owner = self._owner(request)
        if status not in STATUS_FILTERS:
            raise ToolError(f"status must be one of {', '.join(STATUS_FILTERS)}.")
        try:
            n = min(max(int(limit), 1), LIST_MAX)
        except (TypeError, ValueError):
            raise ToolError(f"limit must be a whole number from 1 to {LIST_MAX}.") from None
        snaps = hist.filter_jobs(self.manager.list_jobs(owner=owner, status=status), search)
        return _json({"count": len(snaps), "jobs": [job_summary(s) for s in snaps[:n]]})

    # --- who is calling -------------------------------------------------------------------------
    def _owner(self, request: Any) -> str:
        """The owner whose jobs this call sees: "" without --auth; with it, the signed-in user of a
        Gradio API call, or the user named by valid HTTP Basic credentials; otherwise refused."""
        if not self.auth:
            return ""
        user = getattr(request, "username", None) if request is not None else None
        if user:
            return str(user)
        header = _header(request, "authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value.strip():
            raise ToolError(LOGIN_NEEDED)
        try:
            name, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ToolError(BAD_LOGIN) from None
        found = None
        for u, p in self.auth:  # every pair is compared, in constant time each
            if hmac.compare_digest(u.encode(), name.encode()) & hmac.compare_digest(p.encode(), password.encode()):
                found = u
        if not sep or found is None:
            raise ToolError(BAD_LOGIN)
        return found

    def _snapshot(self, job_id: str, owner: str) -> Any:
        snap = self.manager.snapshot((job_id or "").strip(), owner=owner) if job_id else None
        if snap is None:
            raise ToolError(f"There is no job {job_id!r} in your library. list_jobs shows the ones there are.")
        return snap

    def _base_url(self, request: Any) -> str:
        """Where the caller reaches this studio: its public address when one is set (a Space,
        PUBLIC_BASE_URL), else the address the call came to."""
        if self.settings.public_base_url:
            return self.settings.public_base_url.rstrip("/")
        host = (_header(request, "x-forwarded-host") or _header(request, "host") or "").split(",")[0].strip()
        proto = (_header(request, "x-forwarded-proto") or "").split(",")[0].strip()
        url = getattr(request, "url", None)
        if not proto:
            proto = getattr(url, "scheme", None) or "http"
        if not host:
            host = getattr(url, "netloc", None) or f"{self.settings.host}:{self.settings.port}"
        return f"{proto}://{host}"

    # --- references -----------------------------------------------------------------------------
    def _new_work_folder(self) -> Path:
        """A private folder for one call's files; folders older than a day are swept away (a job
        has copied its references into the library long before)."""
        self.work_root.mkdir(parents=True, exist_ok=True)
        limit = time.time() - WORK_KEEP_SECONDS
        for old in self.work_root.iterdir():
            with contextlib.suppress(OSError):
                if old.stat().st_mtime < limit:
                    shutil.rmtree(old, ignore_errors=True)
        folder = self.work_root / f"{time.time():.0f}-{secrets.token_hex(6)}"
        folder.mkdir()
        return folder

    async def _resolve(self, value: str, n: int, folder: Path, *, voice: bool = False) -> _Ref:
        tag = spec.character_tag(n)
        text = (value or "").strip()
        if text[:5].lower() == "data:":
            return await asyncio.to_thread(_save_data_uri, text, folder / f"{n}{'-voice' if voice else ''}",
                                           f"{tag}-voice" if voice else tag)
        if text.lower().startswith(("http://", "https://")):
            uploaded = uploaded_file(text)
            if uploaded is not None:
                return _Ref(path=uploaded, name=uploaded.name)
            return _Ref(url=text, name=text)
        what = f"The voice clip of {tag}" if voice else f"The reference for {tag}"
        raise ToolError(
            f"{what} must be a public http(s) link, a data: URI with the file in base64, or the link of a file "
            "uploaded to this studio (POST /gradio_api/upload). Paths on the studio's disk cannot be used."
        )

    async def _character_card(self, ref: _Ref, n: int, cast: list[dict], index: int, folder: Path) -> dict:
        """The card the page would show for this reference (same functions as the page's handlers)."""
        from .ui import cast as cast_mod

        if ref.url:
            return await cast_mod.check_link(cast_mod.empty_card(), ref.url, n, cast, index)
        return await asyncio.to_thread(cast_mod.check_media, cast_mod.empty_card(), str(ref.path), n, cast, index,
                                       display_name=ref.name, work_dir=folder)

    async def _with_voice(self, card: dict, ref: _Ref, folder: Path) -> dict:
        from .ui import cast as cast_mod

        if ref.path is not None:
            return await asyncio.to_thread(cast_mod.check_voice, card, str(ref.path), display_name=ref.name,
                                           work_dir=folder)
        # A voice link: the check the job itself makes before sending (the page has no voice links).
        from .hosting import check_pasted_url

        name = ref.url.rsplit("/", 1)[-1].split("?", 1)[0][:80] or "voice link"
        try:
            await check_pasted_url(ref.url, "audio")
        except (R2VError, ValueError) as exc:
            return dict(card, voice_path=None, voice_url=None, voice_name=name, voice_verdict="refused",
                        voice_message=str(exc))
        return dict(card, voice_path=None, voice_url=ref.url, voice_name=name, voice_verdict="accepted",
                    voice_message="Link checked: the service can fetch this voice clip. It is checked again when you generate.")


def _empty_card() -> dict:
    from .ui import cast as cast_mod

    return cast_mod.empty_card()


# --- registration -------------------------------------------------------------------------------

def register(demo: gr.Blocks, manager: Any, settings: Any) -> StudioTools:
    """Add the tools to `demo` as API-only endpoints (nothing on the page)."""
    tools = StudioTools(manager, settings)
    with demo:
        for name in TOOL_NAMES:
            gr.api(getattr(tools, name), api_name=name, queue=False)
    return tools


def restrict_tools(demo: gr.Blocks) -> None:
    """Keep only the studio's tools in Gradio's MCP server (the page's endpoints are for the page).
    Tools are matched by endpoint, since on a Space Gradio prefixes tool names with the Space's name."""
    server = getattr(demo, "mcp_server_obj", None)
    if server is None:
        return
    server.tool_to_endpoint = {tool: endpoint for tool, endpoint in server.tool_to_endpoint.items()
                               if endpoint.lstrip("/") in TOOL_NAMES}


def lifespan(demo: gr.Blocks):
    """An app lifespan that restricts the tools at start-up, before the server answers anyone."""

    @contextlib.asynccontextmanager
    async def restrict(_app):
        restrict_tools(demo)
        yield

    return restrict


def quiet_state_warning() -> None:
    """Gradio warns about gr.State inputs of tools while building its MCP server, before
    `restrict_tools` drops the page's endpoints that have them: not ours to worry about."""
    warnings.filterwarnings("ignore", message="This MCP server includes a tool that has a gr.State input")


# --- answers ------------------------------------------------------------------------------------

def job_view(snap: Any) -> dict[str, Any]:
    """What an assistant may know of a job: no key, no path on the studio's disk."""
    s = dict(snap.settings or {})
    view: dict[str, Any] = {
        "job_id": snap.job_id,
        "state": snap.state,
        "done": bool(snap.terminal),
        "stage": snap.stage_text,
        "progress_percent": round(snap.progress * 100) if snap.progress is not None else None,
        "eta_seconds": snap.eta_seconds,
        "error": snap.error,
        "mode": _mode(snap.target),
        "price_estimate": snap.price_label,
        "settings": {k: s.get(k) for k in ("prompt", "negative_prompt", "size", "duration", "shot_type", "audio",
                                            "watermark", "seed")},
        "characters": [
            {"tag": spec.character_tag(i), "kind": r.get("kind"), "name": r.get("name"),
             **({"voice": r.get("voice_name")} if r.get("voice_name") else {})}
            for i, r in enumerate(snap.references or (), start=1)
        ],
        "seed_used": snap.seed_used,
        "warnings": list(snap.warnings or ()),
        "created_at": _iso(snap.created_at),
        "video_ready": snap.state == "succeeded" and bool(snap.video_path) and Path(snap.video_path).is_file(),
    }
    if snap.state == "uncertain":
        view["needs_decision"] = ("The service may or may not have started this video. Decide on the studio page: "
                                  "follow the task id from your account, resubmit (may bill twice), or discard it.")
    return view


def job_summary(snap: Any) -> dict[str, Any]:
    s = snap.settings or {}
    return {
        "job_id": snap.job_id, "state": snap.state, "prompt": s.get("prompt"), "created_at": _iso(snap.created_at),
        "size": s.get("size"), "duration": s.get("duration"), "seed_used": snap.seed_used,
        "video_ready": snap.state == "succeeded" and bool(snap.video_path) and Path(snap.video_path).is_file(),
    }


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else None


def _mode(target: str) -> str:
    return "demo (built-in emulator: the video is a preview, nothing is billed)" if target == "demo" else "live"


def _size(resolution: str, aspect_ratio: str) -> str:
    if resolution not in spec.TIERS:
        raise ToolError(f"resolution must be one of {', '.join(spec.TIERS)}, not {resolution!r}.")
    if aspect_ratio not in spec.ASPECTS:
        raise ToolError(f"aspect_ratio must be one of {', '.join(spec.ASPECTS)}, not {aspect_ratio!r}.")
    return spec.size_for(resolution, aspect_ratio)


def _duration(value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or seconds != value or not spec.DURATION_MIN <= seconds <= spec.DURATION_MAX:
        raise ToolError(f"duration must be a whole number of seconds from {spec.DURATION_MIN} to {spec.DURATION_MAX}.")
    return seconds


def _header(request: Any, name: str) -> str | None:
    headers = getattr(request, "headers", None) if request is not None else None
    if headers is None:
        return None
    try:
        items = dict(headers).items()
    except (TypeError, ValueError):
        return None
    for key, value in items:
        if str(key).lower() == name:
            return str(value)
    return None


def uploaded_file(url: str) -> Path | None:
    """The local file behind a link to this studio's Gradio upload folder (`…/gradio_api/file=<path>`),
    or None.  Only files inside that folder qualify: nothing else on disk can be named this way."""
    from gradio.utils import get_upload_folder

    path = unquote(urlsplit(url).path)
    marker = "/gradio_api/file="
    at = path.find(marker)
    if at < 0:
        return None
    candidate = Path(path[at + len(marker):])
    if not candidate.is_absolute():
        return None
    try:
        candidate = candidate.resolve()
        root = Path(get_upload_folder()).resolve()
    except OSError:
        return None
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _save_data_uri(text: str, folder: Path, default_stem: str) -> _Ref:
    """Decode `data:[type][;name=…];base64,<bytes>` into `folder`; the name is made safe (it is never
    a path).  The kind of file is told later by its content, as for an upload."""
    head, sep, payload = text.partition(",")
    params = [p.strip() for p in head[5:].split(";")]
    if not sep or "base64" not in (p.lower() for p in params[1:]):
        raise ToolError("A data: URI must carry the file in base64: data:<type>;base64,<bytes>.")
    mime = params[0].lower() if params and "=" not in params[0] else ""
    given = next((unquote(p.split("=", 1)[1]) for p in params[1:] if p.lower().startswith("name=")), "")
    payload = "".join(payload.split())
    if len(payload) * 3 // 4 > DATA_URI_MAX_BYTES:
        raise ToolError(f"The file in the data: URI is larger than any reference the service takes "
                        f"({DATA_URI_MAX_BYTES // spec.MB} MB).")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ToolError("The data: URI is not valid base64.") from None
    ext = extension_for(Path(default_stem), mime) if mime else ""
    name = safe_filename(given or f"{default_stem}{ext}", fallback=default_stem)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return _Ref(path=path, name=name)
