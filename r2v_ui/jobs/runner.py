"""One job's life up to the service: check → keep → host → submit.  What every step shares (the
store, the hub, where a job is sent, recording a change, failing) is the context's (context.py);
reading the task and downloading the video are the follower's (follow.py).  No state of its own."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import replace
from pathlib import Path

from ..errors import StudioError, SubmissionUncertain
from ..messages import msg
from ..request import GenerationRequest, MediaItem
from ..store import JobRecord
from . import notices
from .context import Change, JobContext
from .model import Reference
from .states import JobState
from .waits import explain_wait

log = logging.getLogger(__name__)


class JobRunner:
    """Runs a job up to the service; a peer of the follower (follow.py) over the shared context."""

    def __init__(self, ctx: JobContext):
        self.ctx = ctx

    # --- the job up to the service -------------------------------------------------------------
    async def run(self, job_id: str, *, knowingly_resubmitted: bool = False) -> None:
        ctx = self.ctx
        rec = ctx.store.get(job_id)
        if rec is None:
            return
        try:
            target, key = ctx.targets.target(rec)
            rec = await self._keep_references(rec)
            media = await self._host_references(rec)
            # Checked once when the draft became a request (JobDraft.checked, before the row existed);
            # hosting replaced each placeholder link one for one, so it is not checked again.
            request = replace(GenerationRequest.from_settings(rec.settings), media=tuple(media))
            if target.name == "live" and not key:
                raise StudioError(msg("job.need_key"))
            # Persisted before sending: a crash from here on never leads to an automatic resend.
            ctx.record(job_id, Change(state=JobState.SUBMITTING, submit_attempts=rec.submit_attempts + 1, progress=None))

            try:
                with explain_wait(ctx, job_id, "notice.wait_submit") as slow:
                    def waiting(delay: float, exc: BaseException) -> None:
                        said = notices.cause(exc) if isinstance(exc, StudioError) else msg("notice.unreachable")
                        ctx.record(job_id, Change.shown(notice=msg("notice.not_sent", cause=said,
                                                                    when=notices.when(delay))))
                        slow.restart(after=delay)  # the pause is explained; the wait for the answer starts after it

                    task_id = await ctx.targets.client(target, key).submit(request, on_wait=waiting)
            except SubmissionUncertain as exc:
                ctx.record(job_id, Change(state=JobState.UNCERTAIN, error=exc.msg))
                return
            ctx.record(job_id, Change(
                state=JobState.QUEUED, task_id=task_id, timings={"submitted_at": ctx.clock()},
                stage_text=msg("job.queued_resubmitted") if knowingly_resubmitted else msg("stage.queued")))
            ctx.loop.call_soon(ctx.forget_tries, job_id)
            ctx.schedule(job_id, ctx.policy.first_read_s, rec)
        except asyncio.CancelledError:
            raise
        except StudioError as exc:
            ctx.fail(job_id, exc.msg if ctx.targets.typed_key(rec) else notices.refused_studio_key(exc))
        except Exception as exc:  # a bug must still end the job with words, not hang it
            log.exception("job %s failed unexpectedly", job_id)
            ctx.fail(job_id, msg("job.bug", kind=type(exc).__name__))

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
            self.ctx.store.update(rec.job_id, references=dicts)
            rec = replace(rec, references=dicts)
        return rec

    async def _keep(self, path: Path, name: str) -> tuple[str, str]:
        if not path.is_file():
            raise StudioError(msg("job.file_gone", name=name) if name else msg("job.file_gone_unnamed"))
        digest, kept = await asyncio.to_thread(self.ctx.store.keep_reference, path)
        return digest, self.ctx.store.relative(kept)

    async def _host_references(self, rec: JobRecord) -> list[MediaItem]:
        from ..hosting import LinkGuard, check_pasted_url

        ctx, job_id = self.ctx, rec.job_id
        refs = [Reference.from_dict(r) for r in rec.references]
        # (label, kept file, content type, its sha256 as recorded when it was kept: the host never reads
        # a kept file again to learn it, even after a restart or for a remix days later)
        uploads: list[tuple[str, Path, str, str | None]] = []
        for i, r in enumerate(refs, start=1):
            if r.kept:
                path = ctx.store.absolute(r.kept)
                uploads.append((f"character{i}", path, r.content_type or await _probed_type(path, r.kind), r.sha256))
            if r.voice_kept:
                path = ctx.store.absolute(r.voice_kept)
                uploads.append((f"character{i} voice", path,
                                r.voice_content_type or await _probed_type(path, "audio"), r.voice_sha256))
        pasted = [(r.url, r.kind) for r in refs if r.url and not r.kept]
        pasted += [(r.voice_url, "audio") for r in refs if r.voice_url and not r.voice_kept]
        ctx.record(job_id, Change(
            state=JobState.UPLOADING, progress=0.0,
            stage_text=(msg("job.uploading_one") if len(uploads) == 1 else msg("job.uploading_many", n=len(uploads)))
            if uploads else msg("job.checking_links")))
        total = sum(p.stat().st_size for _, p, _, _ in uploads) or 1
        done: dict[str, int] = {label: 0 for label, _, _, _ in uploads}
        lock = threading.Lock()  # a host may report progress from its own threads (S3 uploads)

        def progress(label: str):
            def report(sent: int, size: int) -> None:
                with lock:
                    done[label] = sent
                    overall = sum(done.values()) / total
                ctx.record(job_id, Change.shown(progress=overall, upload=(label, sent / size if size else 1.0)))
            return report

        host = ctx.targets.host(rec.target) if uploads else None
        hosted = await asyncio.gather(
            *[host.put(path, content_type=ctype, on_progress=progress(label), sha256=digest)
              for label, path, ctype, digest in uploads],
            *[check_pasted_url(url, kind, guard=LinkGuard.for_settings(ctx.settings)) for url, kind in pasted],
        )
        # Pasted links were only checked (a refusal raised above); they pass through unchanged.
        urls = {label: h.url for (label, _, _, _), h in zip(uploads, hosted)}
        media = [r.media_item(urls.get(f"character{i}") or r.url, urls.get(f"character{i} voice") or r.voice_url)
                 for i, r in enumerate(refs, start=1)]
        ctx.record(job_id, Change.shown(progress=1.0))
        # The links as sent, kept with each reference (the recipe's request body as sent).
        sent = [replace(r, sent_url=m.url, sent_voice_url=m.reference_voice).to_dict() for r, m in zip(refs, media)]
        if sent != list(rec.references):
            ctx.store.update(job_id, references=sent)
        return media


async def _probed_type(path: Path, kind: str) -> str:
    """The upload's content type, read from the file's content by media.probe."""
    from ..media import probe

    report = await asyncio.to_thread(probe, path, kind)
    if not report.content_type:
        raise StudioError(report.msg)
    return report.content_type

