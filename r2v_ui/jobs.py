"""The job pipeline: check → host references → submit → poll → download, as background asyncio work.

The manager owns one event loop in a daemon thread.  Gradio handlers (on any thread or loop) only
call `start()` and read snapshots; polling the service never lives in a click handler, so a closed
tab, a reload or a second tab loses nothing.  Rules kept here (DESIGN.md):

* Persist before acting: the row exists before the first upload, the task_id is written the moment
  the service returns it, the result file is written before the job is marked done.
* Never pay twice: a submit that may have reached the service becomes "uncertain" and waits for
  the user; `resume()` never submits a job that had started submitting.
* One poll scheduler for every running job, with a request budget; the interval follows `eta`,
  backs off on errors and honours Retry-After.
* The API key lives in memory only (never in the store, a log or a snapshot).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import random
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from . import spec
from .config import Settings
from .errors import (
    APIStatusError,
    AuthenticationError,
    DownloadError,
    NotFoundError,
    R2VError,
    RateLimitError,
    ResultExpired,
    ResultUnusable,
    SubmissionUncertain,
    TaskFailed,
)
from .keys import KeyCustody, holder_tag
from .spec import GenerationRequest, MediaItem
from .store import JobRecord, JobStore, StoreError, atomic_write_json

log = logging.getLogger(__name__)

RUNNING_STATES = ("checking", "uploading", "submitting", "queued", "processing", "downloading")
RESULT_MAX_BYTES = 1024 * 1024 * 1024  # a 10 s 1080P clip is tens of MB; anything near 1 GiB is not a video of ours
# A task the service accepted is never given up on one answer (hostile-run finding 1):
NOT_FOUND_TRIES = 6        # TASK_NOT_FOUND reads (with backoff, about a minute) before the job is called lost
LINK_TRIES = 5             # result links that fail to download, each followed by a fresh read, before giving up
RETRY_AFTER_CAP = 3600.0   # the longest Retry-After honoured (the notice says when the next read is)
AUTH_RETRY_CAP = 60.0      # a refused key is tried again at least this often (a new key is used at once)
BACKOFF_BASE_S = 2.0       # the first wait after an error; doubled for each one after it (up to 60 s)
SLOW_READ_NOTICE_S = 10.0  # a read unanswered this long is explained on the page while it lasts
STORE_RETRY_S = 30.0       # a job database that cannot be written is tried again this often
DISK_RETRY_S = 60.0        # a result that could not be saved (disk full, read-only) is tried again this often
STATUS_FILTERS: dict[str, set[str] | None] = {
    "all": None,
    "running": set(RUNNING_STATES),
    "succeeded": {"succeeded"},
    "failed": {"failed"},
    "uncertain": {"uncertain"},
}

STAGE_TEXT = {
    "checking": "Checking and saving your references…",
    "uploading": "Uploading references…",
    "submitting": "Sending the request to the service…",
    "queued": "Queued at the service…",
    "processing": "Generating…",
    "downloading": "Downloading the video…",
    "succeeded": "Done.",
    "failed": "Failed.",
    "uncertain": "Submission uncertain: the service may or may not have started this video.",
    "discarded": "Discarded.",
}


@dataclass(frozen=True)
class ReferenceInput:
    """One character card as handed to the manager."""

    kind: str  # "image" | "video"
    path: Path | None = None
    url: str | None = None
    voice_path: Path | None = None
    voice_url: str | None = None
    name: str = ""
    voice_name: str = ""  # what the user called the voice clip (its file name), kept through remix and reload
    duration: float | None = None  # seconds, for reference videos (price range)
    content_type: str | None = None  # from media.probe (by content, not extension); probed again if unset
    voice_content_type: str | None = None

    @property
    def media_type(self) -> str:
        return spec.REFERENCE_VIDEO if self.kind == "video" else spec.REFERENCE_IMAGE


@dataclass(frozen=True)
class JobDraft:
    references: tuple[ReferenceInput, ...]
    prompt: str
    negative_prompt: str = ""
    size: str = spec.DEFAULT_SIZE
    duration: int = spec.DEFAULT_DURATION
    shot_type: str = spec.DEFAULT_SHOT_TYPE
    audio: bool = spec.DEFAULT_AUDIO
    watermark: bool = spec.DEFAULT_WATERMARK
    seed: int | None = None

    def preview_request(self) -> GenerationRequest:
        """The request with placeholder links for local files: validation before anything is paid."""
        media = []
        for i, r in enumerate(self.references, start=1):
            url = r.url or f"https://pending.invalid/character{i}"
            voice = r.voice_url or (f"https://pending.invalid/voice{i}" if r.voice_path else None)
            media.append(MediaItem(url=url, type=r.media_type, reference_voice=voice))
        return self.request_with(media)

    def request_with(self, media: list[MediaItem]) -> GenerationRequest:
        return GenerationRequest(
            prompt=self.prompt, media=tuple(media), negative_prompt=self.negative_prompt, size=self.size,
            duration=self.duration, shot_type=self.shot_type, audio=self.audio, watermark=self.watermark,
            seed=self.seed,
        )

    def settings(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt, "negative_prompt": self.negative_prompt, "size": self.size,
            "duration": self.duration, "shot_type": self.shot_type, "audio": self.audio,
            "watermark": self.watermark, "seed": self.seed,
        }


@dataclass(frozen=True)
class JobSnapshot:
    job_id: str
    owner: str
    state: str
    stage_text: str
    progress: float | None
    eta_seconds: int | None
    task_id: str | None
    error: str | None
    video_path: Path | None
    poster_path: Path | None
    settings: dict[str, Any]
    references: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    price_label: str
    seed_used: int | None
    timings: dict[str, Any]
    created_at: float
    updated_at: float
    version: int
    target: str = "demo"
    uploads: dict[str, float] = field(default_factory=dict)  # per file, 0..1, while uploading
    notice: str | None = None  # why a running job is not moving right now, and what to do (while it lasts)
    video_missing: bool = False  # finished, but its file is no longer in the library

    @property
    def terminal(self) -> bool:
        return self.state in ("succeeded", "failed", "discarded")


@dataclass(frozen=True)
class Target:
    """Where a job is sent: the embedded emulator (demo) or a real service (live)."""

    name: str
    base_url: str


class JobNotFound(R2VError):
    pass


@dataclass
class _Live:
    """In-memory, per job: what changes too often to persist and what must never be persisted."""

    progress: float | None = None
    eta: int | None = None
    version: int = 0
    uploads: dict[str, float] = field(default_factory=dict)
    stage_text: str | None = None  # the newest transient stage ("Generating… 40%"), not written to disk
    notice: str | None = None  # why the job is stalled, shown until the next good read
    poll_errors: int = 0
    not_found: int = 0
    link_failures: int = 0


ClientFactory = Callable[[str, str | None], Any]  # (base_url, api_key) -> HighwayClient
HostFactory = Callable[[str], Any]  # target name -> ReferenceHost


class JobManager:
    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        *,
        demo_target: Target | None = None,
        demo_key: str | None = None,
        client_factory: ClientFactory | None = None,
        host_factory: HostFactory | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self.store = store
        self._demo_target = demo_target
        self._demo_key = demo_key
        self._client_factory = client_factory or _default_client_factory
        self._host_factory = host_factory
        self._clock = clock
        self._lock = threading.RLock()
        self._live: dict[str, _Live] = {}
        self._waiters: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._keys = KeyCustody()  # which key serves which job: its own lock, any thread
        self._hosts: dict[str, Any] = {}
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._due: dict[str, float] = {}
        self._in_flight: set[str] = set()
        self._budget_times: list[float] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="r2v-jobs", daemon=True)
        self._thread.start()
        self._wake = asyncio.Event()
        self._closed = False
        self._tasks: set[asyncio.Future] = set()
        self._call(self._start_scheduler())

    # --- public API (thread-safe, callable from any thread or loop) ---------------------------
    def start(self, draft: JobDraft, *, owner: str = "", api_key: str | None = None, holder: str = "") -> str:
        """Validate, persist, and start the job in the background.  Raises RequestInvalid.

        `holder` names who typed `api_key` (the login, or the browser): that key serves only this
        job, and after a restart only the same holder's key resumes it (r2v_ui/keys.py)."""
        request = draft.preview_request().require_valid()
        target = self._target_name(api_key)
        if target == "live" and not (api_key or self.settings.api_key):
            raise R2VError("Enter an API key to generate with the live service.")
        if any(r.path or r.voice_path for r in draft.references):
            self._host(target)  # no way to host local files: said now, before a job exists or anything is paid
        job_id = time.strftime("%Y%m%d") + "-" + secrets.token_hex(4)
        now = self._clock()
        video_seconds = [r.duration or spec.REFERENCE_VIDEO_BILLED_CAP_S for r in draft.references if r.kind == "video"]
        price = self.settings.price.estimate(draft.size, draft.duration, video_seconds).label()
        refs = [_reference_record(r) for r in draft.references]
        rec = JobRecord(
            job_id=job_id, owner=owner, state="checking", created_at=now, updated_at=now,
            settings=draft.settings(), references=refs, target=target, price_label=price,
            warnings=[p.message for p in request.validate().warnings], stage_text=STAGE_TEXT["checking"],
            key_holder=holder_tag(holder),
        )
        self.store.create(rec)  # the row exists before any upload
        self._keys.attach(job_id, api_key)
        with self._lock:
            self._live[job_id] = _Live()
        self._spawn(self._run(job_id))
        return job_id

    def snapshot(self, job_id: str, *, owner: str = "") -> JobSnapshot | None:
        rec = self.store.get(job_id)
        if rec is None or rec.owner != owner:
            return None
        return self._snapshot(rec)

    def list_jobs(self, *, owner: str = "", status: str | None = None, search: str | None = None,
                  limit: int = 200) -> list[JobSnapshot]:
        states = STATUS_FILTERS.get(status or "all")
        return [self._snapshot(r) for r in self.store.list(owner=owner, states=states, search=search, limit=limit)]

    def list_page(self, *, owner: str = "", status: str | None = None, search: str | None = None,
                  offset: int = 0, limit: int = 20) -> tuple[list[JobSnapshot], int]:
        """One page of this owner's jobs, newest first, and how many match in all."""
        states = STATUS_FILTERS.get(status or "all")
        recs = self.store.list(owner=owner, states=states, search=search, limit=limit, offset=offset)
        return [self._snapshot(r) for r in recs], self.store.count(owner=owner, states=states, search=search)

    def latest_job(self, *, owner: str = "") -> JobSnapshot | None:
        """The newest running job, or else the newest job at all (what a reloaded page shows)."""
        jobs = self.store.list(owner=owner, limit=50)
        for rec in jobs:
            if rec.state in RUNNING_STATES or rec.state == "uncertain":
                return self._snapshot(rec)
        return self._snapshot(jobs[0]) if jobs else None

    async def wait_for_change(self, job_id: str, since_version: int, timeout: float) -> JobSnapshot | None:
        """Wait (from any event loop) until the job's version passes `since_version`, or timeout."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        with self._lock:
            live = self._live.get(job_id)
            if live is not None and live.version > since_version:
                event.set()
            self._waiters.setdefault(job_id, []).append((loop, event))
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                waiters = self._waiters.get(job_id, [])
                if (loop, event) in waiters:
                    waiters.remove((loop, event))
        rec = self.store.get(job_id)
        return self._snapshot(rec) if rec else None

    def resolve_uncertain(self, job_id: str, action: str, *, owner: str = "", api_key: str | None = None,
                          task_id: str | None = None, holder: str = "") -> None:
        """The user's decision on a submission that may have reached the service:
        "attach" a task id they found in their account (checked, then followed; nothing is resent),
        "resubmit" knowingly (may bill twice), or "discard"."""
        rec = self._owned(job_id, owner)
        if rec.state != "uncertain":
            raise R2VError("This job is not waiting for a decision.")
        if action == "attach":
            self._take_over(rec, api_key, holder)
            self._attach(rec, (task_id or "").strip())
        elif action == "discard":
            self._set(job_id, state="discarded", stage_text="Discarded. Nothing more will be sent for this job.")
        elif action == "resubmit":
            self._take_over(rec, api_key, holder)
            self._set(job_id, state="checking", stage_text="Resubmitting, as you asked…", error=None)
            self._spawn(self._run(job_id, knowingly_resubmitted=True))
        else:
            raise ValueError(action)

    def _attach(self, rec: JobRecord, task_id: str) -> None:
        if not task_id:
            raise R2VError("Paste the task id you found in your account's task list.")
        target, key = self._target(rec)
        try:
            self._read_now(target, key, task_id, timeout=120)
        except NotFoundError:
            raise R2VError(f"The service does not know a task {task_id!r}. Check the id in your account; "
                           "the job still waits for your decision.") from None
        self._set(rec.job_id, state="queued", task_id=task_id, error=None,
                  stage_text="Following the task you found…")
        self._schedule(rec.job_id, 0)

    def retry(self, job_id: str, *, owner: str = "", api_key: str | None = None, holder: str = "") -> str:
        """"Try again" on a finished job.  A job whose task the service accepted is *read first*:
        when the service still has the video (or is still making it) the same job follows it and
        nothing is sent again.  Only a job that never reached the service, or whose task failed or
        is unknown there, starts again as a new job with the same settings.  Returns the job id
        the page should follow."""
        rec = self._owned(job_id, owner)
        if rec.task_id and rec.state in ("failed", "succeeded") and not self._has_video(rec):
            self._take_over(rec, api_key, holder)
            if self._follow_again(rec):
                return job_id
        return self.start(self.remix_draft(job_id, owner=owner), owner=owner, api_key=api_key, holder=holder)

    def _has_video(self, rec: JobRecord) -> bool:
        video = self.store.absolute(rec.video_path)
        return rec.state == "succeeded" and video is not None and video.is_file()

    def _take_over(self, rec: JobRecord, api_key: str | None, holder: str) -> None:
        """Someone acting on a job (resubmit, attach, try again) with their own key: from now on the
        job is read with that key and resumes only with that holder's key after a restart."""
        if not api_key:
            return
        self._keys.attach(rec.job_id, api_key)
        tag = holder_tag(holder)
        if tag != rec.key_holder:
            self.store.update(rec.job_id, key_holder=tag)

    def _follow_again(self, rec: JobRecord) -> bool:
        """Ask the service about an accepted task; follow it again when it is done or still running."""
        target, key = self._target(rec)
        if target.name == "live" and not key:
            raise R2VError("Enter an API key first: the service is asked whether it still has this video "
                           "before anything is sent again.")
        try:
            info = self._read_now(target, key, rec.task_id, timeout=180)
        except NotFoundError:
            return False
        except R2VError as exc:
            raise R2VError(f"The service could not be asked whether it still has this video ({exc.user_message}). "
                           "Nothing was sent again; try again in a minute.") from None
        if info.terminal and not info.succeeded:
            return False
        with self._lock:
            self._live[rec.job_id] = _Live(version=self._live_for(rec.job_id).version)
        if info.succeeded:
            self._set(rec.job_id, state="downloading", error=None,
                      stage_text="The service still has this video: downloading it again (nothing is sent again)…")
        else:
            self._set(rec.job_id, state="queued", error=None,
                      stage_text="The service is still making this video: following it again (nothing is sent again)…")
        self._schedule(rec.job_id, 0)
        return True

    def remix_draft(self, job_id: str, *, owner: str = "") -> JobDraft:
        rec = self._owned(job_id, owner)
        refs = []
        for r in rec.references:
            refs.append(ReferenceInput(
                kind=r.get("kind", "image"),
                path=self.store.absolute(r.get("kept")) if r.get("kept") else _maybe_path(r.get("source")),
                url=r.get("url"),
                voice_path=self.store.absolute(r.get("voice_kept")) if r.get("voice_kept") else _maybe_path(r.get("voice_source")),
                voice_url=r.get("voice_url"),
                name=r.get("name", ""),
                voice_name=r.get("voice_name") or "",
                duration=r.get("duration"),
                content_type=r.get("content_type"),
                voice_content_type=r.get("voice_content_type"),
            ))
        s = rec.settings
        return JobDraft(
            references=tuple(refs), prompt=s.get("prompt", ""), negative_prompt=s.get("negative_prompt") or "",
            size=s.get("size", spec.DEFAULT_SIZE), duration=int(s.get("duration", spec.DEFAULT_DURATION)),
            shot_type=s.get("shot_type", spec.DEFAULT_SHOT_TYPE), audio=bool(s.get("audio", True)),
            watermark=bool(s.get("watermark", False)), seed=s.get("seed"),
        )

    def delete(self, job_id: str, *, owner: str = "") -> bool:
        """Delete a finished job's row and files.  A running job cannot be deleted (it may still bill)."""
        rec = self.store.get(job_id)
        if rec is None or rec.owner != owner:
            return False
        if rec.state in RUNNING_STATES:
            return False
        self.store.delete(job_id)
        with self._lock:
            self._live.pop(job_id, None)
        self._keys.forget(job_id)
        self._unschedule(job_id)
        return True

    def provide_key(self, owner: str, api_key: str, *, holder: str = "") -> int:
        """A key typed by `holder`: used for that holder's own live jobs that wait for a key (after a
        restart) or whose key the service refused — never for anyone else's job.  Returns how many
        jobs took it."""
        if not api_key:
            return 0
        tag = holder_tag(holder)
        taken = 0
        for rec in self.store.unfinished():
            if rec.owner == owner and rec.key_holder == tag and rec.target == "live" and rec.task_id:
                if self._keys.offer(rec.job_id, api_key):
                    self._schedule(rec.job_id, 0)
                    taken += 1
        return taken

    def check_hosting(self, target: str) -> str:
        """Test the reference hosting of `target` ("demo" | "live") for real (the backend's own
        `check()`, on the manager's loop).  Returns its one-line OK text; raises HostingError (or
        R2VError when no hosting is set up) in plain words."""
        async def check() -> str:
            return await self._host(target).check()

        return self._call(check()).result(timeout=60)

    def resume(self) -> int:
        """After a restart: pick up every job that is not finished.  Returns how many were resumed."""
        return self._call(self._resume()).result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def shutdown():
            tasks = [t for t in list(self._tasks) if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            # Let them finish cancelling, so no task is destroyed while pending.
            await asyncio.gather(*tasks, return_exceptions=True)
            for c in list(self._clients.values()):
                try:
                    await c.aclose()
                except Exception:  # closing is best effort
                    pass

        try:
            self._call(shutdown()).result(timeout=10)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    # --- internals: snapshots and persistence --------------------------------------------------
    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _spawn(self, coro) -> None:
        def create():
            task = self._loop.create_task(coro)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._loop.call_soon_threadsafe(create)

    def _read_now(self, target: Target, key: str | None, task_id: str, *, timeout: float):
        """Read a task from a caller's thread: the client is made and used on the loop, its owner."""
        async def read():
            return await self._client(target, key).get_task(task_id)

        return self._call(read()).result(timeout=timeout)

    def _live_for(self, job_id: str) -> _Live:
        with self._lock:
            return self._live.setdefault(job_id, _Live())

    def _owned(self, job_id: str, owner: str) -> JobRecord:
        rec = self.store.get(job_id)
        if rec is None or rec.owner != owner:
            raise JobNotFound("There is no such job in your history.")
        return rec

    def _snapshot(self, rec: JobRecord) -> JobSnapshot:
        with self._lock:  # a read: finished jobs listed in the history get no in-memory entry
            live = self._live.get(rec.job_id) or _Live()
        running = rec.state in RUNNING_STATES
        video = self.store.absolute(rec.video_path)
        missing = rec.state == "succeeded" and video is not None and not video.is_file()
        stage = (live.stage_text if running else None) or rec.stage_text or STAGE_TEXT.get(rec.state, rec.state)
        if missing:
            video = None
            stage = ("The video file is no longer in the library (deleted or moved outside the studio). "
                     "“Try again” asks the service for it again; nothing is sent or billed again.")
        return JobSnapshot(
            job_id=rec.job_id, owner=rec.owner, state=rec.state,
            stage_text=stage, notice=live.notice if running else None, video_missing=missing,
            progress=live.progress if rec.state in RUNNING_STATES else (1.0 if rec.state == "succeeded" else None),
            eta_seconds=live.eta if rec.state in RUNNING_STATES else None,
            task_id=rec.task_id, error=rec.error,
            video_path=video, poster_path=self.store.absolute(rec.poster_path),
            settings=dict(rec.settings), references=tuple(rec.references), warnings=tuple(rec.warnings),
            price_label=rec.price_label, seed_used=rec.seed_used, timings=dict(rec.timings),
            created_at=rec.created_at, updated_at=rec.updated_at, version=live.version, target=rec.target,
            uploads=dict(live.uploads) if rec.state == "uploading" else {},
        )

    def _set(self, job_id: str, *, progress: Any = ..., eta: Any = ..., notice: Any = ..., persist: bool = True,
             **changes: Any) -> None:
        """Change a job: in memory at once (and its watchers woken), on disk when `persist`.

        A stage text that is not persisted ("Generating… 40%") and a notice (why the job is stalled)
        live in memory only and are what the snapshot shows; a new state clears the notice."""
        live = self._live_for(job_id)
        with self._lock:
            if progress is not ...:
                live.progress = progress
            if eta is not ...:
                live.eta = eta
            if "state" in changes and "stage_text" not in changes:
                changes["stage_text"] = STAGE_TEXT.get(changes["state"], changes["state"])
            if "stage_text" in changes:
                live.stage_text = None if persist else changes["stage_text"]
            if notice is not ...:
                live.notice = notice
            elif "state" in changes:
                live.notice = None
            live.version += 1
            waiters = list(self._waiters.get(job_id, []))
        if persist and changes:
            self.store.update(job_id, **changes)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed: its waiter is gone
                pass

    # --- internals: targets, hosts, clients ----------------------------------------------------
    def _target_name(self, api_key: str | None) -> str:
        if api_key or self.settings.api_key or self._demo_target is None:
            return "live"
        return "demo"

    def _target(self, rec: JobRecord) -> tuple[Target, str | None]:
        if rec.target == "demo":
            if self._demo_target is None:
                raise R2VError("This job was made in demo mode, but the built-in emulator is not running now.")
            return self._demo_target, self._demo_key
        key = self._keys.key_for(rec.job_id) or self.settings.api_key.get()
        return Target("live", self.settings.base_url), key

    def _client(self, target: Target, key: str | None):
        """The HTTP client for (service, key); made and used on the loop only (`_clients` is the loop's)."""
        k = (target.base_url, key)
        if k not in self._clients:
            self._clients[k] = self._client_factory(target.base_url, key)
        return self._clients[k]

    def _host(self, target_name: str):
        with self._lock:
            return self._host_locked(target_name)

    def _host_locked(self, target_name: str):
        if target_name not in self._hosts:
            if self._host_factory is None:
                raise R2VError("No way to host references is set up: see the README's 'Hosting references' section.")
            self._hosts[target_name] = self._host_factory(target_name)
        return self._hosts[target_name]

    # --- internals: the pipeline ---------------------------------------------------------------
    async def _run(self, job_id: str, *, knowingly_resubmitted: bool = False) -> None:
        rec = self.store.get(job_id)
        if rec is None:
            return
        try:
            target, key = self._target(rec)
            rec = await self._keep_references(rec)
            media = await self._host_references(rec)
            request = replace(GenerationRequest.from_settings(rec.settings), media=tuple(media)).require_valid()
            if target.name == "live" and not key:
                raise R2VError("Enter an API key to generate with the live service.")
            # Persisted before sending: a crash from here on never leads to an automatic resend.
            self._set(job_id, state="submitting", submit_attempts=rec.submit_attempts + 1, progress=None)
            client = self._client(target, key)

            def waiting(delay: float, exc: BaseException) -> None:
                said = _cause(exc) if isinstance(exc, R2VError) else "the service could not be reached"
                self._set(job_id, persist=False, notice=(
                    f"Not sent yet ({said}). The request is sent {_when(delay)}; nothing has been billed."))

            try:
                task_id = await client.submit(request, on_wait=waiting)
            except SubmissionUncertain as exc:
                self._set(job_id, state="uncertain", error=exc.user_message, stage_text=STAGE_TEXT["uncertain"])
                return
            self._set(job_id, state="queued", task_id=task_id, timings={"submitted_at": self._clock()},
                      stage_text="Queued at the service…" + (" (resubmitted knowingly)" if knowingly_resubmitted else ""))
            self._schedule(job_id, 1.0)
        except asyncio.CancelledError:
            raise
        except R2VError as exc:
            self._fail(job_id, exc.user_message)
        except Exception as exc:  # a bug must still end the job with words, not hang it
            log.exception("job %s failed unexpectedly", job_id)
            self._fail(job_id, f"Something went wrong inside the studio ({type(exc).__name__}). Try again; if it repeats, report it.")

    def _fail(self, job_id: str, message: str) -> None:
        self._unschedule(job_id)
        try:
            self._set(job_id, state="failed", error=message, stage_text="Failed: " + message, progress=None, eta=None)
        except StoreError as exc:  # the end of the job cannot be saved: said on the page, not lost in a log
            log.error("job %s failed (%s) and could not be saved: %s", job_id, message, exc)
            self._set(job_id, persist=False, notice=f"{message} {exc.user_message}")

    async def _keep_references(self, rec: JobRecord) -> JobRecord:
        """Copy local references into the library by content hash, so a remix works later."""
        refs = [dict(r) for r in rec.references]
        changed = False
        for r in refs:
            for src_key, kept_key, hash_key in (("source", "kept", "sha256"), ("voice_source", "voice_kept", "voice_sha256")):
                src = r.get(src_key)
                if src and not r.get(kept_key):
                    path = Path(src)
                    if not path.is_file():
                        raise R2VError(f"The file for {r.get('name') or 'a reference'} is gone; add it again.")
                    digest, kept = await asyncio.to_thread(self.store.keep_reference, path)
                    r[kept_key], r[hash_key] = self.store.relative(kept), digest
                    changed = True
        if changed:
            self.store.update(rec.job_id, references=refs)
            rec = replace(rec, references=refs)
        return rec

    async def _host_references(self, rec: JobRecord) -> list[MediaItem]:
        from .hosting import check_pasted_url

        job_id = rec.job_id
        live = self._live_for(job_id)
        uploads: list[tuple[str, Path, str]] = []
        for i, r in enumerate(rec.references, start=1):
            if r.get("kept"):
                path = self.store.absolute(r["kept"])
                ctype = r.get("content_type") or await _probed_type(path, r.get("kind", "image"))
                uploads.append((f"character{i}", path, ctype))
            if r.get("voice_kept"):
                path = self.store.absolute(r["voice_kept"])
                ctype = r.get("voice_content_type") or await _probed_type(path, "audio")
                uploads.append((f"character{i} voice", path, ctype))
        pasted = [(r.get("url"), r.get("kind", "image")) for r in rec.references if r.get("url") and not r.get("kept")]
        pasted += [(r.get("voice_url"), "audio") for r in rec.references if r.get("voice_url") and not r.get("voice_kept")]
        self._set(job_id, state="uploading", progress=0.0,
                  stage_text=f"Uploading {len(uploads)} reference file{'s' if len(uploads) != 1 else ''}…"
                  if uploads else "Checking reference links…")
        total = sum(p.stat().st_size for _, p, _ in uploads) or 1
        done: dict[str, int] = {label: 0 for label, _, _ in uploads}

        def progress(label: str):
            def report(sent: int, size: int) -> None:
                done[label] = sent
                live.uploads[label] = sent / size if size else 1.0
                self._set(job_id, progress=sum(done.values()) / total, persist=False)
            return report

        host = self._host(rec.target) if uploads else None
        hosted = await asyncio.gather(
            *[host.put(path, content_type=ctype, on_progress=progress(label)) for label, path, ctype in uploads],
            *[check_pasted_url(url, kind) for url, kind in pasted],
        )
        # Pasted links were only checked (a refusal raised above); they pass through unchanged.
        urls = {label: h.url for (label, _, _), h in zip(uploads, hosted)}
        media = []
        for i, r in enumerate(rec.references, start=1):
            url = urls.get(f"character{i}") or r.get("url")
            voice = urls.get(f"character{i} voice") or r.get("voice_url")
            media.append(MediaItem(url=url, type=spec.REFERENCE_VIDEO if r.get("kind") == "video" else spec.REFERENCE_IMAGE,
                                   reference_voice=voice))
        self._set(job_id, progress=1.0, persist=False)
        return media

    # --- internals: the poll scheduler ---------------------------------------------------------
    async def _start_scheduler(self) -> None:
        self._wake = asyncio.Event()
        task = self._loop.create_task(self._poll_loop())
        self._tasks.add(task)

    def _schedule(self, job_id: str, delay: float) -> None:
        """Read `job_id` after `delay` seconds.  `_due` is touched on the loop only."""
        def add():
            self._due[job_id] = self._clock() + delay
            self._wake.set()

        self._loop.call_soon_threadsafe(add)

    def _unschedule(self, job_id: str) -> None:
        self._loop.call_soon_threadsafe(self._due.pop, job_id, None)

    async def _poll_loop(self) -> None:
        while not self._closed:
            now = self._clock()
            due = sorted((t, j) for j, t in self._due.items() if t <= now and j not in self._in_flight)
            for _, job_id in due:
                await self._take_budget()
                self._due.pop(job_id, None)
                self._in_flight.add(job_id)
                task = self._loop.create_task(self._poll_one(job_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            pending = [t for j, t in self._due.items() if j not in self._in_flight]
            wait = min(pending) - self._clock() if pending else 3600.0
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.05, min(wait, 60.0)))
            except asyncio.TimeoutError:
                pass

    async def _take_budget(self) -> None:
        """At most `poll_requests_per_minute` reads a minute across every job (one account's limit)."""
        limit = max(1, self.settings.poll_requests_per_minute)
        while True:
            now = self._clock()
            self._budget_times = [t for t in self._budget_times if now - t < 60.0]
            if len(self._budget_times) < limit:
                self._budget_times.append(now)
                return
            await asyncio.sleep(max(0.05, 60.0 - (now - self._budget_times[0])))

    async def _poll_one(self, job_id: str) -> None:
        slow = None
        try:
            rec = self.store.get(job_id)
            if rec is None or rec.terminal or not rec.task_id:
                return
            live = self._live_for(job_id)
            target, key = self._target(rec)
            if target.name == "live" and not key:
                self._set(job_id, persist=False, notice=(
                    "Waiting for your API key to keep checking this job: enter it above, in the browser that "
                    "started it. The job is safe at the service meanwhile."))
                return
            # A read that hangs is explained while it lasts, not after the timeout.
            slow = self._loop.call_later(SLOW_READ_NOTICE_S, lambda: self._set(job_id, persist=False, notice=(
                f"The service has not answered for {SLOW_READ_NOTICE_S:.0f} s; still waiting. "
                "The job is safe at the service.")))
            try:
                info = await self._client(target, key).get_task(rec.task_id, retry=False)
            except R2VError as exc:
                delay = self._read_failed(rec, live, exc)
                if delay is not None:
                    self._schedule(job_id, delay)
                return
            finally:
                slow.cancel()
            live.poll_errors = live.not_found = 0
            seed_used = info.seed if info.seed is not None else rec.seed_used
            timings = dict(rec.timings) | {k: v for k, v in info.timings.items() if v}
            if info.succeeded:
                if not info.video_url:
                    self._fail(job_id, "The service said the video is done but gave no link to it. "
                                       "Try again: the service is asked for it again first.")
                    return
                await self._download(rec, info, seed_used, timings)
            elif info.terminal:
                self._fail_task(job_id, TaskFailed(rec.task_id, info.reason or info.status), seed_used, timings)
            else:
                state = "processing" if info.status == spec.STATUS_PROCESSING else "queued"
                pct = info.progress_percent
                text = STAGE_TEXT[state] if info.status in (spec.STATUS_QUEUED, spec.STATUS_PROCESSING) else f"Service status: {info.status}"
                if state == "processing":
                    text = f"Generating… {pct or 0}%" + (f", about {info.eta} s left" if info.eta else "")
                changes: dict[str, Any] = {"stage_text": text}
                if state != rec.state:
                    changes |= {"state": state, "seed_used": seed_used, "timings": timings}
                self._set(job_id, progress=(pct / 100.0) if pct is not None else None, eta=info.eta, notice=None,
                          persist=state != rec.state, **changes)
                self._schedule(job_id, _poll_interval(info.eta))
        except asyncio.CancelledError:
            raise
        except StoreError as exc:
            log.error("store error while polling %s: %s", job_id, exc)
            self._set(job_id, persist=False, notice=(
                f"{exc.user_message} The job goes on at the service; the studio saves it as soon as it can."))
            self._schedule(job_id, STORE_RETRY_S)
        except Exception as exc:
            log.exception("poll of %s failed unexpectedly", job_id)
            self._set(job_id, persist=False, notice=(
                f"Something went wrong inside the studio while checking this job ({type(exc).__name__}); "
                "it is checked again in 30 s. The job is safe at the service."))
            self._schedule(job_id, 30.0)
        finally:
            if slow is not None:
                slow.cancel()
            self._in_flight.discard(job_id)

    def _read_failed(self, rec: JobRecord, live: _Live, exc: R2VError) -> float | None:
        """A read that did not give a task document: say why on the page, and when it is read again.
        A task the service accepted is never given up on one answer.  Returns the delay, or None
        when the job has ended."""
        job_id = rec.job_id
        live.poll_errors += 1
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(exc, NotFoundError):
            live.not_found += 1
            if live.not_found >= NOT_FOUND_TRIES:
                self._fail(job_id, (
                    f"The service says it does not know task {rec.task_id} (asked {live.not_found} times over about "
                    "a minute). If your account lists it, “Try again” asks the service for it first; "
                    "nothing is sent again unless the service has no such task."))
                return None
            delay = _backoff(live.not_found)
            notice = (f"The service does not list this task yet ({_cause(exc)}); that can happen "
                      f"just after a submit. Asking again {_when(delay)} (try {live.not_found} of {NOT_FOUND_TRIES}).")
        elif isinstance(exc, AuthenticationError):
            self._keys.mark_refused(job_id)
            delay = min(AUTH_RETRY_CAP, _backoff(live.poll_errors))
            notice = (f"The service did not accept the API key when checking this job ({_cause(exc)}). The job is "
                      "kept at the service: enter a valid key above (in the browser that started it) and it is "
                      f"checked at once; otherwise again {_when(delay)}.")
        elif retry_after:
            delay = min(RETRY_AFTER_CAP, max(retry_after, 1.0))
            asked = "to slow down" if isinstance(exc, RateLimitError) else "to wait (it is busy)"
            notice = (f"The service asked us {asked} for {_duration(retry_after)}. The job is safe at the service "
                      f"and is checked again {_when(delay)}.")
        elif isinstance(exc, RateLimitError):
            delay = _backoff(live.poll_errors)
            notice = f"The service asked us to slow down. The job is safe and is checked again {_when(delay)}."
        else:
            delay = _backoff(live.poll_errors)
            notice = (f"The service could not be read just now ({_cause(exc)}). The job is safe at the service "
                      f"and is checked again {_when(delay)}.")
        self._set(job_id, persist=False, notice=notice)
        return delay

    def _fail_task(self, job_id: str, exc: TaskFailed, seed_used, timings) -> None:
        self._set(job_id, seed_used=seed_used, timings=timings)
        self._fail(job_id, exc.user_message)

    async def _download(self, rec: JobRecord, info, seed_used, timings) -> None:
        job_id = rec.job_id
        live = self._live_for(job_id)
        self._set(job_id, state="downloading", progress=0.0, eta=None, seed_used=seed_used, timings=timings)
        target, key = self._target(rec)
        mp4, sidecar, poster = self.store.result_paths(rec)

        def progress(got: int, size: int | None) -> None:
            self._set(job_id, progress=(got / size) if size else None, persist=False)

        try:
            await self._client(target, key).download(info.video_url, mp4, max_bytes=RESULT_MAX_BYTES, on_progress=progress)
            has_poster = await asyncio.to_thread(_write_poster, mp4, poster)
            timings = dict(timings) | {"downloaded_at": self._clock()}
            await asyncio.to_thread(atomic_write_json, sidecar, {
                "job_id": job_id, "owner": rec.owner, "task_id": rec.task_id, "target": rec.target,
                "created_at": rec.created_at, "settings": rec.settings,
                "references": [{k: v for k, v in r.items() if k not in ("source", "voice_source")} for r in rec.references],
                "seed_used": seed_used, "timings": timings, "price_estimate": rec.price_label,
                "video_file": mp4.name, "poster_file": poster.name if has_poster else None,
                "warnings": rec.warnings,
            })
        except ResultUnusable as exc:
            self._fail(job_id, exc.user_message)
            return
        except DownloadError as exc:
            if _link_refused(exc):
                # A presigned link can fail (expired, not yet valid, a storage hiccup): a fresh read
                # of the task gives a fresh link.  The video was paid for: never given up at once.
                live.link_failures += 1
                if live.link_failures >= LINK_TRIES:
                    self._fail(job_id, (
                        f"The video was made, but {live.link_failures} links to it in a row could not be downloaded. "
                        f"Last answer: {exc.user_message} “Try again” asks the service for the video again; nothing "
                        "is sent or billed again."))
                    return
                delay = BACKOFF_BASE_S * 2.0 ** (live.link_failures - 1) / 2
                notice = f"{exc.user_message} Asking the service for a fresh link {_when(delay)}."
            else:
                live.poll_errors += 1
                delay = _backoff(live.poll_errors)
                notice = f"The download was interrupted ({exc.user_message}); trying again {_when(delay)}."
            self._set(job_id, persist=False, notice=notice)
            self._schedule(job_id, delay)
            return
        except OSError as exc:
            log.error("saving the result of %s failed: %s", job_id, exc)
            self._set(job_id, persist=False, notice=_disk_notice(exc, self.store.library_dir) +
                      f" The service keeps the video meanwhile; the studio tries again {_when(DISK_RETRY_S)}.")
            self._schedule(job_id, DISK_RETRY_S)
            return
        # The file and its sidecar exist before the job is marked done.
        self._set(job_id, state="succeeded", progress=1.0, eta=None, video_path=self.store.relative(mp4),
                  poster_path=self.store.relative(poster) if has_poster else None, timings=timings, seed_used=seed_used,
                  error=None, stage_text="Done." + (f" Seed {seed_used}." if seed_used is not None else ""))

    async def _resume(self) -> int:
        n = 0
        for rec in self.store.unfinished():
            if rec.state == "uncertain":
                continue
            if rec.task_id:
                self._due[rec.job_id] = self._clock()
                n += 1
            elif rec.state == "submitting":
                # It may have reached the service before the crash: the user decides.
                self._set(rec.job_id, state="uncertain",
                          error=SubmissionUncertain().user_message, stage_text=STAGE_TEXT["uncertain"])
            else:  # never sent: nothing was paid, so starting it again is safe
                task = self._loop.create_task(self._run(rec.job_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                n += 1
        self._wake.set()
        return n


def _reference_record(r: ReferenceInput) -> dict[str, Any]:
    return {
        "kind": r.kind, "name": r.name or (r.path.name if r.path else (r.url or "")),
        "source": str(r.path) if r.path else None, "url": r.url,
        "voice_source": str(r.voice_path) if r.voice_path else None, "voice_url": r.voice_url,
        "voice_name": r.voice_name or (r.voice_path.name if r.voice_path else (r.voice_url or None)),
        "duration": r.duration,
        "content_type": r.content_type, "voice_content_type": r.voice_content_type,
    }


def _maybe_path(value: str | None) -> Path | None:
    return Path(value) if value and Path(value).is_file() else None


async def _probed_type(path: Path, kind: str) -> str:
    """The upload's content type, read from the file's content by media.probe."""
    from .media import probe

    report = await asyncio.to_thread(probe, path, kind)
    if not report.content_type:
        raise R2VError(report.message)
    return report.content_type


def _poll_interval(eta: int | None) -> float:
    """Poll about four times over the time the service expects, between 1 s and 15 s apart."""
    if eta is None or eta <= 0:
        return 2.0
    return max(1.0, min(15.0, eta / 4.0))


def _backoff(errors: int, rng: Callable[[], float] = random.random) -> float:
    """2, 4, 8 … 60 s after consecutive errors, less up to a quarter of jitter so jobs do not read in step."""
    return min(60.0, BACKOFF_BASE_S * 2.0 ** min(max(errors, 1) - 1, 6)) * (1.0 - 0.25 * rng())


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _when(delay: float) -> str:
    """When the next try is, in words: "in 8 s", or with the clock time for long waits."""
    if delay < 120:
        return f"in {max(1.0, delay):.0f} s"
    return f"in {_duration(delay)} (at {time.strftime('%H:%M', time.localtime(time.time() + delay))})"


def _disk_notice(exc: OSError, folder: Path) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"The disk is full, so the finished video cannot be saved in {folder}. Free some space there."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"The library folder {folder} cannot be written ({exc.strerror or 'not allowed'}). "
                "Make it writable, or start the studio with another R2V_DATA_DIR.")
    return f"The finished video could not be saved in {folder} ({exc.strerror or type(exc).__name__})."


def _cause(exc: R2VError) -> str:
    """What the service answered, in a few words for a notice (the notice itself says what to do)."""
    if isinstance(exc, APIStatusError):
        words = {429: "asked to slow down", 500: "internal error", 502: "overloaded or unreachable",
                 503: "overloaded", 504: "took too long"}.get(exc.status, "refused")
        return f"{words}: HTTP {exc.status}{' ' + exc.reason if exc.reason else ''}"
    return exc.user_message.rstrip(".")


def _link_refused(exc: DownloadError) -> bool:
    """The result link itself was refused (expired, not valid, gone), as opposed to a broken connection
    or an overloaded storage host: a fresh read of the task gives a new link."""
    if isinstance(exc, ResultExpired):
        return True
    cause = exc.__cause__
    return isinstance(cause, APIStatusError) and 400 <= cause.status < 500


def _write_poster(video: Path, poster: Path) -> bool:
    """First frame as a JPEG for the gallery.  Best effort: a video without a poster is still a result."""
    try:
        import av

        with av.open(str(video)) as container:
            for frame in container.decode(video=0):
                img = frame.to_image()
                img.thumbnail((640, 640))
                tmp = poster.with_name(f".{poster.name}.tmp")
                img.save(tmp, "JPEG", quality=85)
                Path(tmp).replace(poster)
                return True
    except Exception:
        log.warning("no poster frame for %s", video.name)
    return False


def _default_client_factory(base_url: str, api_key: str | None):
    from .client import HighwayClient

    return HighwayClient(base_url, api_key)
