"""A job as the page (and MCP) sees it: its record — from the store, or while the store cannot be
read the one the hub last knew — joined with its live state from the hub (hub.py, memory only).
This is where a finished job's video is looked for on disk."""

from __future__ import annotations

from ..messages import loads, msg
from ..store import JobRecord, JobStore, StoreError
from .hub import Live, SnapshotHub
from .model import JobSnapshot
from .states import RUNNING_STATES, JobState, stage_text


def read_record(store: JobStore, hub: SnapshotHub, job_id: str) -> JobRecord | None:
    """The job from the store; while the store cannot be read (a full or read-only disk), the job as
    this studio last knew it, so its page still shows it and the notice saying why."""
    try:
        return store.get(job_id)
    except StoreError:
        known = hub.peek(job_id).record
        if known is None:
            raise
        return known


def to_snapshot(rec: JobRecord, live: Live, store: JobStore) -> JobSnapshot:
    """A job as the page sees it: the record, with the live state while it runs; a finished job
    whose video is gone from the library says so."""
    running = rec.state in RUNNING_STATES
    video = store.absolute(rec.video_path)
    missing = rec.state == JobState.SUCCEEDED and video is not None and not video.is_file()
    stage = (live.stage_text if running else None) or rec.stage_text or stage_text(rec.state)
    if missing:
        video = None
        stage = msg("job.video_missing")
    return JobSnapshot(
        job_id=rec.job_id, owner=rec.owner, state=rec.state,
        stage_text=stage, notice=live.notice if running else None, video_missing=missing,
        progress=live.progress if running else (1.0 if rec.state == JobState.SUCCEEDED else None),
        eta_seconds=live.eta if running else None,
        task_id=rec.task_id, error=rec.error,
        video_path=video, poster_path=store.absolute(rec.poster_path),
        settings=dict(rec.settings), references=tuple(rec.references), warnings=tuple(rec.warnings),
        price_label=loads(rec.price_label), seed_used=rec.seed_used, timings=dict(rec.timings),
        created_at=rec.created_at, updated_at=rec.updated_at, version=live.version, target=rec.target,
        uploads=dict(live.uploads) if rec.state == JobState.UPLOADING else {},
        batch_id=rec.batch_id, take=rec.take, favourite=rec.favourite, cost=dict(rec.cost or {}),
    )
