"""The library's own files beside each result: the poster frame and the JSON sidecar of every
setting that made the video.  Store-side (the job core calls these; they know nothing of jobs
beyond the record), written with the store's atomic writes."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from .store import JobRecord, atomic_write_bytes, atomic_write_json
from .store_schema import field_data

log = logging.getLogger(__name__)

POSTER_BOX = (640, 640)
_PRIVATE_REFERENCE_KEYS = ("source", "voice_source")  # paths on the user's disk: never beside the video


def write_poster(video: Path, poster: Path) -> bool:
    """The first frame as a JPEG for the gallery.  Best effort: a video without a poster is still
    a result, so any failure is logged and answered False.

    Cheap on purpose (it runs after every job): one frame is decoded, on this thread (no frame
    threads started for it), and scaled into `POSTER_BOX` by the decoder's own scaler on its way to
    RGB, instead of converting the whole 1080P frame and shrinking it afterwards (~5 ms, not ~26)."""
    try:
        import av

        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "NONE"
            for frame in container.decode(stream):
                scale = min(1.0, POSTER_BOX[0] / frame.width, POSTER_BOX[1] / frame.height)
                img = frame.to_image(width=max(2, round(frame.width * scale)), height=max(2, round(frame.height * scale)))
                out = io.BytesIO()
                img.save(out, "JPEG", quality=85)
                atomic_write_bytes(poster, out.getvalue())
                return True
    except Exception:
        log.warning("no poster frame for %s", video.name)
    return False


def sidecar(rec: JobRecord, *, video: Path, poster: Path | None, seed_used: int | None,
            timings: dict[str, Any]) -> dict[str, Any]:
    """What the sidecar says: enough to rebuild the job's row from the library alone."""
    return {
        "job_id": rec.job_id, "owner": rec.owner, "task_id": rec.task_id, "target": rec.target,
        "created_at": rec.created_at, "settings": rec.settings,
        "references": [_public(r) for r in rec.references],
        "seed_used": seed_used, "timings": timings, "price_estimate": rec.price_label,
        "video_file": video.name, "poster_file": poster.name if poster else None,
        "warnings": field_data("warnings", rec.warnings),
        "batch_id": rec.batch_id, "take": rec.take, "favourite": rec.favourite,
        "cost": rec.cost,  # the ledger's entry for this job (r2v_ui/ledger.py) survives a rebuild from here
    }


def write_sidecar(path: Path, rec: JobRecord, *, video: Path, poster: Path | None, seed_used: int | None,
                  timings: dict[str, Any]) -> None:
    atomic_write_json(path, sidecar(rec, video=video, poster=poster, seed_used=seed_used, timings=timings))


def _public(reference: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in reference.items() if k not in _PRIVATE_REFERENCE_KEYS}


