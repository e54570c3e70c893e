"""The library folder: each result as `library/<date>_<job>.mp4`, its poster frame (`.jpg`) and the
JSON sidecar of every setting that made it (`.json`).  The sidecar is written here and read back
here: it holds enough to rebuild the job's row from the library alone (`finished`), and it is
written (flushed to disk) before the job is marked done.  Paths in a record are relative to the
data folder (`relative`, `absolute`)."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import Any, Iterator

from .. import messages
from ..atomic_files import read_json, write_atomic, write_json_atomic
from ..jobs.states import JobState
from .schema import JobRecord, field_data, record_from_fields

log = logging.getLogger(__name__)

POSTER_BOX = (640, 640)
_PRIVATE_REFERENCE_KEYS = ("source", "voice_source")  # paths on the user's disk: never beside the video


class Library:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "library"

    # --- where ---------------------------------------------------------------------------------
    def result_paths(self, rec: JobRecord) -> tuple[Path, Path, Path]:
        """(video, sidecar, poster) of a job's result."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(rec.created_at))
        base = self.folder / f"{stamp}_{rec.job_id}"
        return base.with_suffix(".mp4"), base.with_suffix(".json"), base.with_suffix(".jpg")

    def relative(self, path: Path | None) -> str | None:
        return str(Path(path).relative_to(self.data_dir)) if path else None

    def absolute(self, rel: str | None) -> Path | None:
        return (self.data_dir / rel) if rel else None

    def files_of(self, rec: JobRecord) -> list[Path]:
        """The library files of a job (its video, poster and sidecar), as its record names them."""
        rels = (rec.video_path, rec.poster_path, _sidecar_rel(rec.video_path))
        return [self.data_dir / rel for rel in rels if rel]

    # --- the sidecar ---------------------------------------------------------------------------
    def mark_favourite(self, rec: JobRecord) -> None:
        """A finished job's sidecar says whether it is kept, so the mark survives a database rebuilt
        from the library."""
        side = self.absolute(_sidecar_rel(rec.video_path))
        data = read_json(side) if side else None
        if data is not None:
            write_json_atomic(side, data | {"favourite": rec.favourite}, durable=True)

    def finished(self) -> Iterator[JobRecord]:
        """Every finished job the library holds, as its sidecar says (one whose video is gone is skipped)."""
        for path in sorted(self.folder.glob("*.json")):
            side = read_json(path)
            rec = self._from_sidecar(side) if side is not None else None
            if rec is not None:
                yield rec

    def _from_sidecar(self, side: dict[str, Any]) -> JobRecord | None:
        """A finished job's row from its sidecar; None when the sidecar names no video that exists."""
        job_id = side.get("job_id")
        video = side.get("video_file")
        video_rel = f"library/{video}" if video else None
        if not job_id or not video_rel or not (self.data_dir / video_rel).exists():
            return None
        poster = side.get("poster_file")
        return record_from_fields(dict(
            job_id=job_id, owner=side.get("owner", ""), state=JobState.SUCCEEDED.value,
            created_at=float(side.get("created_at") or time.time()), updated_at=time.time(),
            settings=side.get("settings", {}), references=side.get("references", []),
            task_id=side.get("task_id"), target=side.get("target", "demo"), video_path=video_rel,
            seed_used=side.get("seed_used"), price_label=side.get("price_estimate", ""),
            poster_path=f"library/{poster}" if poster else None, timings=side.get("timings", {}),
            batch_id=side.get("batch_id"), take=side.get("take"), favourite=bool(side.get("favourite")),
            warnings=side.get("warnings") or [], stage_text=messages.to_data(messages.msg("job.recovered")),
            cost=side.get("cost") if isinstance(side.get("cost"), dict) else {},
        ))


def sidecar(rec: JobRecord, *, video: Path, poster: Path | None, seed_used: int | None,
            timings: dict[str, Any]) -> dict[str, Any]:
    """What the sidecar says: enough to rebuild the job's row from the library alone (`Library.finished`)."""
    return {
        "job_id": rec.job_id, "owner": rec.owner, "task_id": rec.task_id, "target": rec.target,
        "created_at": rec.created_at, "settings": rec.settings,
        "references": [_public(r) for r in rec.references],
        "seed_used": seed_used, "timings": timings, "price_estimate": rec.price_label,
        "video_file": video.name, "poster_file": poster.name if poster else None,
        "warnings": field_data("warnings", rec.warnings),
        "batch_id": rec.batch_id, "take": rec.take, "favourite": rec.favourite,
        "cost": rec.cost,  # the ledger's entry for this job (ledger.py) survives a rebuild from here
    }


def write_sidecar(path: Path, rec: JobRecord, *, video: Path, poster: Path | None, seed_used: int | None,
                  timings: dict[str, Any]) -> None:
    write_json_atomic(path, sidecar(rec, video=video, poster=poster, seed_used=seed_used, timings=timings),
                      durable=True)


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
                write_atomic(poster, out.getvalue(), durable=True)
                return True
    except Exception:
        log.warning("no poster frame for %s", video.name)
    return False


def _public(reference: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in reference.items() if k not in _PRIVATE_REFERENCE_KEYS}


def _sidecar_rel(video_rel: str | None) -> str | None:
    return str(Path(video_rel).with_suffix(".json")) if video_rel else None
