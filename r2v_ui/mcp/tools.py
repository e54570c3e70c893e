"""The eight tools, as methods of `StudioTools`: each public method's docstring and type hints are
what an assistant reads (Gradio makes them the MCP tool's description and input schema)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any, Callable, Collection

import gradio as gr

from .. import addresses, spec
from ..workspace import sharing
from ..workspace.cast import FIXED, Card
from ..errors import StudioError
from ..messages import from_accept_language, msg, render_msg
from . import access, refs
from .links import ResultLinks
from .views import (ToolError, checked_duration, checked_size, feedback_view, iso_time, job_summary, job_view,
                    mode_text, to_json)

TOOL_NAMES = ("check_reference", "estimate_price", "start_video", "job_status", "wait_for_job", "list_jobs",
              "settle_uncertain", "share_job")
WAIT_DEFAULT_SECONDS = 50.0
WAIT_MAX_SECONDS = 120.0
LIST_MAX = 100


class StudioTools:
    """The tools, bound to one JobManager.  Each public method is one MCP tool: its docstring is
    what the assistant reads, so it says what to pass and what comes back."""

    def __init__(self, manager: Any, settings: Any, *, links: ResultLinks | None = None,
                 uploads: Callable[[], Collection[str]] = frozenset, shares: Any = None,
                 share_url: Callable[[], str | None] = lambda: None):
        """`uploads`: the paths this studio's upload route has issued (the Blocks' `upload_file_set`);
        `shares`: the studio's ShareService (r2v_ui/share/), or None when sharing is off;
        `share_url`: the Gradio share link once --share made one (the Blocks' `share_url`), read per call."""
        from ..hosting import LinkGuard

        self.manager = manager
        self.settings = settings
        self.links = links or ResultLinks()
        self.uploads = uploads
        self.shares = shares
        self.share_url = share_url
        self.guard = LinkGuard.for_settings(settings)  # where the links callers give may lead
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
        folder = refs.new_work_folder(self.work_root)
        try:
            ref = await refs.resolve(reference, 1, folder, voice=kind == "voice", local=self._local(request))
            if kind == "voice":
                card = await refs.with_voice(Card(), ref, folder, guard=self.guard)
                verdict, message = card.voice_verdict, card.voice_message
                found = None if card.voice_refused else "audio"
            else:
                card = await refs.character_card(ref, 1, [], 0, folder, guard=self.guard)
                verdict, message, found = card.verdict, card.message, card.kind
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        answer: dict[str, Any] = {"verdict": verdict, "message": render_msg(message), "media": found}
        if kind == "character" and card.video_seconds:
            answer["video_seconds"] = card.video_seconds
        return to_json(answer)

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
        size = checked_size(resolution, aspect_ratio)
        seconds = checked_duration(duration)
        est = self.settings.price.estimate(size, seconds, [float(s) for s in (reference_video_seconds or [])])
        return to_json({
            "estimate": est.label(), "low_usd": est.low, "high_usd": est.high, "size": size, "duration": seconds,
            "note": "An estimate from this studio's price table, not the provider's bill. Demo mode costs nothing.",
        })

    async def start_video(self, prompt: str, references: list[str], voices: list[str] | None = None,
                          negative_prompt: str = "", resolution: str = "1080P", aspect_ratio: str = "16:9",
                          duration: int = spec.DEFAULT_DURATION, shot_type: str = spec.DEFAULT_SHOT_TYPE,
                          audio: bool = spec.DEFAULT_AUDIO, watermark: bool = spec.DEFAULT_WATERMARK,
                          seed: int | None = None, names: list[str] | None = None,
                          shots: list[dict] | None = None, recipe: str = "",
                          request: gr.Request | None = None) -> str:
        """Start making a video from up to five characters and a prompt (the Wan 2.7 reference-to-video model). Every reference is checked first, exactly as on the studio page; if one is refused nothing is sent and the error says why. Returns at once with the job id: the video takes a few minutes on the live service (a few seconds in demo mode). Once sent, a video cannot be cancelled and is billed.

        Args:
            prompt: The scene, up to 1500 characters. Name the characters character1, character2, ... in the order of references, e.g. "character1 hands character2 an umbrella in the rain".
            references: One entry per character, in order (1 to 5; at most 3 videos). Each is a public http(s) link to a picture or video, a data: URI (base64; add ";name=alice.png" to keep its name), or the link of a file uploaded to this studio (POST /gradio_api/upload).
            voices: Optional voice clip per character, in the same order (same forms as references; "" for none).
            negative_prompt: Things to avoid, up to 500 characters.
            resolution: "720P" or "1080P".
            aspect_ratio: "16:9", "9:16", "1:1", "4:3" or "3:4".
            duration: Length in whole seconds, 2 to 10 (billed per second).
            shot_type: "single" or "multi" (several shots: give them as `shots`, or write "Shot 1 [0-3s]: ..." lines yourself).
            audio: Generate a sound track (voices use the clips given).
            watermark: Put a mark in the lower-right corner.
            seed: A whole number 0-2147483647 to repeat a look; leave empty for a random one.
            names: Optional name per character, in the same order ("" for none): a character named Mira can be written @Mira in the prompt, and is sent as its character tag.
            shots: With shot_type "multi", an optional storyboard of 2 to 6 shots, each {"text": "...", "seconds": 2}; the seconds must add up to the duration. The prompt becomes the overall line and the studio sends it followed by one "Shot 1 [0-2s]: ..." line per shot.
            recipe: The text of a recipe.json from a hand-over pack of this studio, to make that video again: the same settings, prompt, seed and characters (found in your library by their file hashes). With a recipe, the other arguments are not read: pass prompt "" and references [].

        Returns:
            JSON: job_ids (the job started; pass it to wait_for_job or job_status), state, mode (demo or live), price_estimate, and any fixes the studio made to references.
        """
        owner = self._owner(request)
        if recipe and str(recipe).strip():
            return await self._start_recipe(str(recipe), owner)
        given = list(references or [])
        voice_list = list(voices or [])
        name_list = [str(n or "") for n in (names or [])]
        if not given:
            raise ToolError("Nothing was sent. Add at least one character: a picture or a video.")
        if len(given) > spec.MEDIA_MAX:
            raise ToolError(f"Nothing was sent. At most {spec.MEDIA_MAX} characters can be in one video; "
                            f"{len(given)} references were given.")
        if len(voice_list) > len(given):
            raise ToolError("Nothing was sent. There are more voice clips than characters: give at most one voice per reference.")
        if len(name_list) > len(given):
            raise ToolError(render_msg(msg("mcp.names_too_many", names=len(name_list), references=len(given))))
        checked_size(resolution, aspect_ratio)
        from ..workspace import form

        try:  # the numbers first, as the page reads them: nothing is fetched or checked for a value refused
            seconds = checked_duration(duration)
            form.parse_seed(form.SEED_FIXED if seed is not None else form.SEED_RANDOM, seed)
        except (ToolError, ValueError) as exc:
            raise ToolError(f"Nothing was sent. {exc}") from None
        local = self._local(request)
        folder = refs.new_work_folder(self.work_root)
        try:
            cast: list[Card] = []
            fixed: list[str] = []
            for i, value in enumerate(given):
                n, tag = i + 1, spec.character_tag(i + 1)
                card = await refs.character_card(await refs.resolve(value, n, folder, local=local), n, cast, i, folder,
                                                 guard=self.guard)
                if card.refused:
                    raise ToolError(f"Nothing was sent. {tag}: {card.message}")
                if card.verdict == FIXED:
                    fixed.append(f"{tag}: {card.message}")
                voice = voice_list[i] if i < len(voice_list) else ""
                if voice and voice.strip():
                    card = await refs.with_voice(card, await refs.resolve(voice, n, folder, voice=True, local=local),
                                                 folder, guard=self.guard)
                    if card.voice_refused:
                        raise ToolError(f"Nothing was sent. The voice clip of {tag}: {card.voice_message}")
                    if card.voice_verdict == FIXED:
                        fixed.append(f"voice of {tag}: {card.voice_message}")
                if i < len(name_list) and name_list[i]:
                    card = card.with_character(name_list[i])
                cast.append(card)
            values = form.FormValues(
                prompt=prompt or "", negative_prompt=negative_prompt or "", tier=resolution, aspect=aspect_ratio,
                duration=seconds, shot_type=shot_type, audio=bool(audio), watermark=bool(watermark),
                seed_mode=form.SEED_FIXED if seed is not None else form.SEED_RANDOM, seed=seed, shots=shots or (),
            )
            try:
                draft = form.build_draft(cast, values)  # a form that cannot be read: ValueError in words
            except ValueError as exc:
                raise ToolError(f"Nothing was sent. {exc}") from None
            try:
                job_id = await asyncio.to_thread(self.manager.start, draft, owner=owner)
            except StudioError as exc:  # refused in words (request.RequestInvalid too); a bug is not swallowed
                raise ToolError(f"Nothing was sent. {exc}") from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # no job will read these files
            raise
        return self._started(job_id, owner, fixed)

    async def _start_recipe(self, text: str, owner: str) -> str:
        """start_video with a recipe: the draft it says (workspace/recipe.py), started as the page does."""
        from ..workspace import recipe as recipes

        try:
            draft = recipes.finder_for(self.manager.store, self.settings.data_dir, owner).draft(text)
            job_id = await asyncio.to_thread(self.manager.start, draft, owner=owner)
        except StudioError as exc:
            raise ToolError(f"Nothing was sent. {render_msg(exc.msg)}") from None
        return self._started(job_id, owner, [])

    def _started(self, job_id: str, owner: str, fixed: list[str]) -> str:
        """start_video's answer about the job it started."""
        snap = self.manager.snapshot(job_id, owner=owner)
        return to_json({
            "job_ids": [job_id],
            "state": snap.state if snap else "checking",
            "mode": mode_text(snap.target if snap else "demo"),
            "price_estimate": render_msg(snap.price_label) if snap else None,
            "fixed": fixed,
            "warnings": [render_msg(w) for w in snap.warnings] if snap else [],
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
        return to_json(job_view(self._snapshot(job_id, owner)))

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
        while snap.in_progress:
            left = deadline - loop.time()
            if left <= 0:
                break
            newer = await self.manager.wait_for_change(job_id, snap.version, left)
            if newer is None or newer.owner != owner:
                raise ToolError(f"There is no job {job_id!r} in your library.")
            snap = newer
        view = job_view(snap)
        video = Path(snap.video_path) if snap.video_path else None
        if snap.has_video and video is not None and video.is_file():
            view["video_url"] = access.base_url(request, self.settings) + self.links.issue(video)
            view["video_file"] = video.name
            view["video_bytes"] = video.stat().st_size
            view["video_link_expires_in_seconds"] = int(self.links.ttl_seconds)
        elif snap.in_progress:
            view["hint"] = "Not finished yet: call wait_for_job again."
        return to_json(view)

    def list_jobs(self, status: str = "all", search: str = "", limit: int = 20,
                  request: gr.Request | None = None) -> str:
        """List the videos in your library, newest first, optionally only some states or prompts containing a word (the studio page's History).

        Args:
            status: "all", "running", "succeeded", "failed" or "uncertain" (waiting for a decision about a submission that may have reached the service).
            search: Only jobs whose prompt contains this text (case-insensitive); "" for all.
            limit: At most this many jobs (1-100).

        Returns:
            JSON: count (how many jobs match) and jobs, each with job_id, state, prompt, created_at, size, duration, seed_used, video_ready and cost (estimate, and billed when the service said; null in demo mode); and, from its share links (share_job), shared (a live link names it), picks (how many viewers picked it) and notes (each with name, text, seconds into the video or null, and when). Use wait_for_job with a job_id to get its video.
        """
        from ..jobs import STATUS_FILTERS

        owner = self._owner(request)
        if status not in STATUS_FILTERS:
            raise ToolError(f"status must be one of {', '.join(STATUS_FILTERS)}.")
        try:
            n = min(max(int(limit), 1), LIST_MAX)
        except (TypeError, ValueError):
            raise ToolError(f"limit must be a whole number from 1 to {LIST_MAX}.") from None
        snaps, total = self.manager.list_page(owner=owner, status=status, search=(search or "").strip() or None,
                                              offset=0, limit=n)
        jobs = [job_summary(s) for s in snaps]
        if self.shares is not None:  # what viewers of its share links said
            shared = sharing.shared_ids(self.shares, owner)
            for job in jobs:
                job |= feedback_view(job["job_id"], self.shares.feedback_for_job(owner, job["job_id"]), shared)
        return to_json({"count": total, "jobs": jobs})

    async def settle_uncertain(self, job_id: str, action: str, task_id: str = "", confirm_pay_again: bool = False,
                               request: gr.Request | None = None) -> str:
        """Decide about a job whose state is "uncertain": its request was sent but no usable answer came back, so the service may or may not have started (and billed) the video. Nothing happens to such a job until someone decides. Ask the user first: only they can see their account's task list.

        Args:
            job_id: The uncertain job's id (from start_video, job_status or list_jobs with status "uncertain").
            action: "attach" to follow the task the user found in their account's task list (pass its id as task_id; the service is asked about it first and nothing is sent again); "resubmit" to send the video again, which bills twice if the first request did reach the service; "discard" to drop the job (nothing more is sent).
            task_id: With "attach": the task id exactly as the account's task list shows it.
            confirm_pay_again: With "resubmit": true only once the user has agreed to pay again; without it nothing is sent.

        Returns:
            JSON: as job_status, after the decision (state "queued" when a task is followed or sent again, "discarded" when dropped). Then call wait_for_job to get the video. A refusal says why nothing changed.
        """
        owner = self._owner(request)
        snap = self._snapshot(job_id, owner)
        try:  # the page's own rules (JobManager.resolve_uncertain); attaching asks the service first
            await asyncio.to_thread(self.manager.resolve_uncertain, snap.job_id, action, owner=owner,
                                    task_id=task_id, confirmed=confirm_pay_again is True)
        except StudioError as exc:
            raise ToolError(render_msg(exc.msg)) from None
        return to_json(job_view(self._snapshot(snap.job_id, owner)))

    def share_job(self, job_id: str, whole_batch: bool = False, expiry: str = "7d", password: str = "",
                  show_prompt: bool = False, request: gr.Request | None = None) -> str:
        """Make a share link to one of your finished videos (or to every finished take of its batch), for people without a login: they can watch, pick the take they prefer and leave notes at a time in the video; list_jobs then shows their picks and notes. The link works until it expires or is revoked on the studio page.

        Args:
            job_id: The finished job to share (from start_video or list_jobs).
            whole_batch: true to share every finished take of the batch this job is one of, side by side.
            expiry: How long the link works: "1d", "7d", "30d" or "never".
            password: Optional password viewers must type first ("" for none). Send it to them separately.
            show_prompt: true to show the prompt and settings on the shared page (off by default).

        Returns:
            JSON: url (the link to send: the studio's public address when it has one, as the page's Share dialog gives it), job_ids (the videos it shows, in order), expires_at (ISO time, or null for never), password (whether one is needed), show_prompt, and only_this_machine: true when nobody else can reach this studio, so the link opens only on this computer (note then says so and how to share it with others: tell the user).
        """
        owner = self._owner(request)
        snap = self._snapshot(job_id, owner)
        if expiry not in ("1d", "7d", "30d", "never"):
            raise ToolError('expiry must be "1d", "7d", "30d" or "never".')
        ids = sharing.with_batch(self.manager, owner, snap.job_id) if whole_batch is True else [snap.job_id]
        try:
            link = sharing.make_link(self.shares, self.manager, owner, ids, expiry,
                                     password if isinstance(password, str) and password else None, show_prompt is True)
        except StudioError as exc:
            raise ToolError(render_msg(exc.msg)) from None
        public = self.share_url()  # the address and the rule the page's Share dialog uses (r2v_ui/addresses.py)
        answer = {"url": addresses.base_url(request, self.settings, public) + link.path, "job_ids": list(link.job_ids),
                  "expires_at": iso_time(link.expires_at) if link.expires_at is not None else None,
                  "password": bool(link.has_password), "show_prompt": bool(link.show_prompt),
                  "only_this_machine": addresses.only_here(self.settings, public)}
        if answer["only_this_machine"]:
            answer["note"] = render_msg(msg("share.local_only", flag="--share"),
                                        from_accept_language(addresses.header(request, "accept-language")))
        return to_json(answer)

    # --- who is calling ------------------------------------------------------------------------- -------------------------------------------------------------------------
    def _owner(self, request: Any) -> str:
        """The owner whose jobs this call sees (`access.caller`: "" without --auth, else a login)."""
        return access.caller(request, self.auth)

    def _local(self, request: Any) -> refs.LocalUpload:
        """A link → the file this studio's upload route issued behind it, when the link names this studio."""
        own = access.own_addresses(request, self.settings)
        return lambda url: refs.uploaded_file(url, own=own, issued=self.uploads())

    def _snapshot(self, job_id: str, owner: str) -> Any:
        snap = self.manager.snapshot((job_id or "").strip(), owner=owner) if job_id else None
        if snap is None:
            raise ToolError(f"There is no job {job_id!r} in your library. list_jobs shows the ones there are.")
        return snap
