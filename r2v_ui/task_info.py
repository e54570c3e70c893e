"""One read of a task (SPEC.md "The task document"), parsed defensively into a `TaskInfo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .spec import STATUS_CANCELED, STATUS_FAILED, STATUS_SUCCEED, TERMINAL_STATUSES

# --- the task document ---------------------------------------------------------------------------
TIMING_KEYS = ("submit_time_ms", "execute_time_ms", "complete_time_ms")


def as_int(value: Any) -> int | None:
    """An integer from an int, a float or a string of digits ("3600", " 42 ", "1.7e3"); None when
    absent or unreadable.  Booleans are not numbers here."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                return None
            return as_int(f)
    return None


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _as_str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class TaskInfo:
    """One read of a task, parsed defensively: missing fields become None / "" / 0, an unknown
    status is kept as-is and counts as still running."""

    task_id: str
    status: str
    reason: str = ""
    eta: int | None = None
    progress_percent: int | None = None
    video_url: str | None = None
    video_url_ttl: int | None = None
    seed: int | None = None
    timings: dict[str, int] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def _norm(self) -> str:
        return self.status.strip().upper()

    @property
    def terminal(self) -> bool:
        return self._norm in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self._norm == STATUS_SUCCEED

    @property
    def failed(self) -> bool:
        """Ended without a video: failed or canceled."""
        return self._norm == STATUS_FAILED or self._norm in STATUS_CANCELED

    @property
    def canceled(self) -> bool:
        return self._norm in STATUS_CANCELED

    @classmethod
    def from_document(cls, doc: Any, *, task_id: str = "") -> "TaskInfo":
        """Parse a task document (SPEC.md).  `task_id` is the id that was asked for, used when the
        document does not carry one."""
        raw = doc if isinstance(doc, dict) else {}
        task = _as_dict(raw.get("task"))
        extra = _as_dict(raw.get("extra"))
        debug = _as_dict(extra.get("debug_info"))
        video_url: str | None = None
        video_ttl: int | None = None
        videos = raw.get("videos")
        if isinstance(videos, list):
            for v in videos:
                if isinstance(v, dict) and isinstance(v.get("video_url"), str) and v["video_url"].strip():
                    video_url = v["video_url"].strip()
                    video_ttl = as_int(v.get("video_url_ttl"))
                    break
        progress = as_int(task.get("progress_percent"))
        if progress is not None:
            progress = max(0, min(100, progress))
        eta = as_int(task.get("eta"))
        if eta is not None:
            eta = max(0, eta)
        seed = as_int(extra.get("seed"))
        if seed is not None and seed < 0:
            seed = None
        timings = {k: max(0, as_int(debug.get(k)) or 0) for k in TIMING_KEYS}
        return cls(
            task_id=_as_str(task.get("task_id")).strip() or task_id,
            status=_as_str(task.get("status")).strip(),
            reason=_as_str(task.get("reason")),
            eta=eta,
            progress_percent=progress,
            video_url=video_url,
            video_url_ttl=video_ttl,
            seed=seed,
            timings=timings,
            raw=raw,
        )
