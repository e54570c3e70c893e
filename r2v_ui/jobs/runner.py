"""One job's life up to the service: check → keep → host → submit, and the plumbing every step
shares (where a job is sent, its HTTP client, its reference host, recording a change, failing).
Reading the task and downloading the video are in follow.py.

Shared state: `_clients` and `_tries` are touched on the job loop only; `_hosts` under `_hosts_lock`
(a host is first made on a caller's thread, when `start` checks that local files can be hosted)."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .. import ledger
from ..config import Settings
from ..errors import StudioError, SubmissionUncertain
from ..messages import Msg, msg
from ..spec import GenerationRequest, MediaItem, tier_and_aspect
from ..store import JobRecord, JobStore, StoreError
from . import notices
from .hub import SnapshotHub
from .keys import KeyCustody
from .loop import JobLoop
from .model import Reference, Target
from .scheduler import PollScheduler, ReadPolicy, account_of
from .states import JobState
from .waits import explain_wait
from .states import stage_text as default_stage_text

log = logging.getLogger(__name__)

ClientFactory = Callable[[str, str | None], Any]  # (base_url, api_key) -> HighwayClient
HostFactory = Callable[[str], Any]  # target name -> ReferenceHost
_KEEP: Any = ...


@dataclass
class Tries:
    """Per job, on the loop only: what went wrong in a row while following it."""

    poll_errors: int = 0
    not_found: int = 0
    link_failures: int = 0
    store_errors: int = 0  # reads that could not use the job database (a full or read-only disk)
    streak: int = 0  # reads in a row at or past the eta (next_read reads those less often)


class JobRunner:
    def __init__(self, *, settings: Settings, store: JobStore, hub: SnapshotHub, keys: KeyCustody, loop: JobLoop,
                 scheduler: PollScheduler, policy: ReadPolicy, clock: Callable[[], float],
                 demo_target: Target | None, demo_key: str | None,
                 client_factory: ClientFactory, host_factory: HostFactory | None):
        self.settings, self.store, self.hub, self.keys = settings, store, hub, keys
        self.loop, self.scheduler, self.policy, self.clock = loop, scheduler, policy, clock
        self.demo_target, self.demo_key = demo_target, demo_key
        self._client_factory, self._host_factory = client_factory, host_factory
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._tries: dict[str, Tries] = {}
        self._hosts: dict[str, Any] = {}
        self._hosts_lock = threading.Lock()

    # --- recording a change --------------------------------------------------------------------
    def set(self, job_id: str, *, persist: bool = True, progress: Any = _KEEP, eta: Any = _KEEP, notice: Any = _KEEP,
            state: JobState | None = None, stage_text: str | None = None, error: Any = _KEEP, task_id: Any = _KEEP,
            seed_used: Any = _KEEP, timings: Any = _KEEP, video_path: Any = _KEEP, poster_path: Any = _KEEP,
            submit_attempts: Any = _KEEP) -> None:
        """Change a job: on disk when `persist` (the record's fields), then in memory, and its
        watchers woken.  A stage text that is not persisted ("Generating… 40%") and a notice live
        in memory only; a new state clears the notice unless one is given."""
        if state is not None and stage_text is None:
            stage_text = default_stage_text(state)
        if persist:
            changes = {k: v for k, v in dict(state=state, stage_text=stage_text, error=error, task_id=task_id,
                                             seed_used=seed_used, timings=timings, video_path=video_path,
                                             poster_path=poster_path, submit_attempts=submit_attempts).items()
                       if v is not _KEEP and not (k in ("state", "stage_text") and v is None)}
            if changes:
                self.hub.remember(job_id, self.store.update(job_id, **changes))
        stage = _KEEP if stage_text is None else (None if persist else stage_text)
        self.hub.change(job_id, progress=progress, eta=eta, notice=notice, stage=stage, new_state=state is not None)

    def note_task_end(self, rec: JobRecord, info: Any) -> JobRecord:
        """The service said the task ended: its word and any billed amount go into the job's cost
        (r2v_ui/ledger.py), so the ledger and the sidecar say what it cost."""
        if not rec.cost:
            return rec
        try:
            rate = float(self.settings.price.per_second[tier_and_aspect(rec.settings.get("size", ""))[0]])
        except (KeyError, ValueError, TypeError):
            rate = None
        cost = ledger.after_task(rec.cost, info, rate=rate)
        return rec if cost == rec.cost else self.store.update(rec.job_id, cost=cost)

    def fail(self, job_id: str, message: Msg) -> None:
        self.unschedule(job_id)
        try:
            self.set(job_id, state=JobState.FAILED, error=message, stage_text=msg("job.failed", error=message),
                     progress=None, eta=None)
        except StoreError as exc:  # the end of the job cannot be saved: said on the page, not lost in a log
            log.error("job %s failed (%s) and could not be saved: %s", job_id, message, exc)
            self.set(job_id, persist=False, notice=msg("job.unsaved", error=message, problem=exc.msg))

    # --- scheduling (from any thread: handed to the loop) ----------------------------------------
    def schedule(self, job_id: str, delay: float, rec: JobRecord | None = None) -> None:
        """Read `job_id` after `delay`.  Without `rec`, the job's account is the one it was last
        scheduled under: the reschedule after a store error must not need the store."""
        if rec is None:
            try:
                rec = self.store.get(job_id)
            except StoreError:
                self.loop.call_soon(self.scheduler.schedule, job_id, delay)  # the account it was last scheduled under
                return
        self.loop.call_soon(self.scheduler.schedule, job_id, delay, self.account(rec))

    def account(self, rec: JobRecord | None) -> str | None:
        """The read budget a job is paid from: its key's (None for the embedded emulator: not budgeted)."""
        if rec is None or rec.target == "demo":
            return None
        return account_of(self.target(rec)[1])

    def hold_account(self, rec: JobRecord, seconds: float) -> None:
        """On the loop only: the service said 429 to this job's key; all its jobs wait."""
        self.scheduler.hold(self.account(rec), seconds)

    def unschedule(self, job_id: str) -> None:
        self.loop.call_soon(self.scheduler.unschedule, job_id)

    def tries(self, job_id: str) -> Tries:
        """On the loop only."""
        return self._tries.setdefault(job_id, Tries())

    def forget_tries(self, job_id: str) -> None:
        """On the loop only (hand it over with `loop.call_soon`)."""
        self._tries.pop(job_id, None)

    # --- where a job goes ----------------------------------------------------------------------
    def target_name(self, api_key: str | None) -> str:
        if api_key or self.settings.api_key or self.demo_target is None:
            return "live"
        return "demo"

    def target(self, rec: JobRecord) -> tuple[Target, str | None]:
        if rec.target == "demo":
            if self.demo_target is None:
                raise StudioError(msg("job.demo_gone"))
            return self.demo_target, self.demo_key
        key = self.keys.key_for(rec.job_id) or self.settings.api_key.get()
        return Target("live", self.settings.base_url), key

    def typed_key(self, rec: JobRecord) -> bool:
        """Whether this job is read with a key someone typed into the page (the key box is there to
        type a better one), rather than the studio's own key from its environment (no key box)."""
        return rec.target != "live" or self.keys.has_key(rec.job_id)

    def client(self, target: Target, key: str | None) -> Any:
        """The HTTP client for (service, key); made and used on the loop only."""
        k = (target.base_url, key)
        if k not in self._clients:
            self._clients[k] = self._client_factory(target.base_url, key)
        return self._clients[k]

    def host(self, target_name: str) -> Any:
        with self._hosts_lock:
            if target_name not in self._hosts:
                if self._host_factory is None:
                    raise StudioError(msg("job.no_hosting"))
                self._hosts[target_name] = self._host_factory(target_name)
            return self._hosts[target_name]

    def read_now(self, target: Target, key: str | None, task_id: str, *, timeout: float) -> Any:
        """Read a task from a caller's thread: the client is made and used on the loop, its owner."""
        async def read() -> Any:
            return await self.client(target, key).get_task(task_id)

        return self.loop.run(read(), timeout=timeout)

    async def close_clients(self) -> None:
        for c in list(self._clients.values()):
            try:
                await c.aclose()
            except Exception:  # closing is best effort
                pass

    # --- the job up to the service -------------------------------------------------------------
    async def run(self, job_id: str, *, knowingly_resubmitted: bool = False) -> None:
        rec = self.store.get(job_id)
        if rec is None:
            return
        try:
            target, key = self.target(rec)
            rec = await self._keep_references(rec)
            media = await self._host_references(rec)
            # Checked once when the draft became a request (JobDraft.checked, before the row existed);
            # hosting replaced each placeholder link one for one, so it is not checked again.
            request = replace(GenerationRequest.from_settings(rec.settings), media=tuple(media))
            if target.name == "live" and not key:
                raise StudioError(msg("job.need_key"))
            # Persisted before sending: a crash from here on never leads to an automatic resend.
            self.set(job_id, state=JobState.SUBMITTING, submit_attempts=rec.submit_attempts + 1, progress=None)

            try:
                with explain_wait(self, job_id, "notice.wait_submit") as slow:
                    def waiting(delay: float, exc: BaseException) -> None:
                        said = notices.cause(exc) if isinstance(exc, StudioError) else msg("notice.unreachable")
                        self.set(job_id, persist=False, notice=msg("notice.not_sent", cause=said,
                                                                   when=notices.when(delay)))
                        slow.restart(after=delay)  # the pause is explained; the wait for the answer starts after it

                    task_id = await self.client(target, key).submit(request, on_wait=waiting)
            except SubmissionUncertain as exc:
                self.set(job_id, state=JobState.UNCERTAIN, error=exc.msg)
                return
            self.set(job_id, state=JobState.QUEUED, task_id=task_id, timings={"submitted_at": self.clock()},
                     stage_text=msg("job.queued_resubmitted") if knowingly_resubmitted else msg("stage.queued"))
            self.loop.call_soon(self.forget_tries, job_id)
            self.schedule(job_id, self.policy.first_read_s, rec)
        except asyncio.CancelledError:
            raise
        except StudioError as exc:
            self.fail(job_id, exc.msg if self.typed_key(rec) else notices.refused_studio_key(exc))
        except Exception as exc:  # a bug must still end the job with words, not hang it
            log.exception("job %s failed unexpectedly", job_id)
            self.fail(job_id, msg("job.bug", kind=type(exc).__name__))

    async def _keep_references(self, rec: JobRecord) -> JobRecord:
        """Copy local references into the library by content hash, so a remix works later."""
        refs = [Reference.from_dict(r) for r in rec.references]
        changed = False
        for i, r in enumerate(refs):
            if r.path and not r.kept:
                digest, kept = await self._keep(r.path, r.name)
                r = refs[i] = replace(r, kept=kept, sha256=digest)
                changed = True
            if r.voice_path and not r.voice_kept:
                digest, kept = await self._keep(r.voice_path, r.name)
                refs[i] = replace(r, voice_kept=kept, voice_sha256=digest)
                changed = True
        if changed:
            dicts = [r.to_dict() for r in refs]
            self.store.update(rec.job_id, references=dicts)
            rec = replace(rec, references=dicts)
        return rec

    async def _keep(self, path: Path, name: str) -> tuple[str, str]:
        if not path.is_file():
            raise StudioError(msg("job.file_gone", name=name) if name else msg("job.file_gone_unnamed"))
        digest, kept = await asyncio.to_thread(self.store.keep_reference, path)
        return digest, self.store.relative(kept)

    async def _host_references(self, rec: JobRecord) -> list[MediaItem]:
        from ..hosting import LinkGuard, check_pasted_url

        job_id = rec.job_id
        refs = [Reference.from_dict(r) for r in rec.references]
        # (label, kept file, content type, its sha256 as recorded when it was kept: the host never reads
        # a kept file again to learn it, even after a restart or for a remix days later)
        uploads: list[tuple[str, Path, str, str | None]] = []
        for i, r in enumerate(refs, start=1):
            if r.kept:
                path = self.store.absolute(r.kept)
                uploads.append((f"character{i}", path, r.content_type or await _probed_type(path, r.kind), r.sha256))
            if r.voice_kept:
                path = self.store.absolute(r.voice_kept)
                uploads.append((f"character{i} voice", path,
                                r.voice_content_type or await _probed_type(path, "audio"), r.voice_sha256))
        pasted = [(r.url, r.kind) for r in refs if r.url and not r.kept]
        pasted += [(r.voice_url, "audio") for r in refs if r.voice_url and not r.voice_kept]
        self.set(job_id, state=JobState.UPLOADING, progress=0.0,
                 stage_text=(msg("job.uploading_one") if len(uploads) == 1 else msg("job.uploading_many", n=len(uploads)))
                 if uploads else msg("job.checking_links"))
        total = sum(p.stat().st_size for _, p, _, _ in uploads) or 1
        done: dict[str, int] = {label: 0 for label, _, _, _ in uploads}
        lock = threading.Lock()  # a host may report progress from its own threads (S3 uploads)

        def progress(label: str):
            def report(sent: int, size: int) -> None:
                with lock:
                    done[label] = sent
                    overall = sum(done.values()) / total
                self.hub.change(job_id, progress=overall, upload=(label, sent / size if size else 1.0))
            return report

        host = self.host(rec.target) if uploads else None
        hosted = await asyncio.gather(
            *[host.put(path, content_type=ctype, on_progress=progress(label), sha256=digest)
              for label, path, ctype, digest in uploads],
            *[check_pasted_url(url, kind, guard=LinkGuard.for_settings(self.settings)) for url, kind in pasted],
        )
        # Pasted links were only checked (a refusal raised above); they pass through unchanged.
        urls = {label: h.url for (label, _, _, _), h in zip(uploads, hosted)}
        media = [r.media_item(urls.get(f"character{i}") or r.url, urls.get(f"character{i} voice") or r.voice_url)
                 for i, r in enumerate(refs, start=1)]
        self.hub.change(job_id, progress=1.0)
        return media


async def _probed_type(path: Path, kind: str) -> str:
    """The upload's content type, read from the file's content by media.probe."""
    from ..media import probe

    report = await asyncio.to_thread(probe, path, kind)
    if not report.content_type:
        raise StudioError(report.msg)
    return report.content_type


def default_client_factory(base_url: str, api_key: str | None):
    """The real HTTP client (a test hands the manager its own factory)."""
    from ..client import HighwayClient

    return HighwayClient(base_url, api_key)
