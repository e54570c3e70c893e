"""What the tools answer: a refusal in plain words (`ToolError`), what an assistant may know of a
job (`job_view`, `job_summary`, never a key nor a path on the studio's disk), and the checks of the
arguments every tool shares (size, duration)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import gradio as gr

from .. import spec
from ..messages import msg, render_msg


class ToolError(gr.Error):
    """A refusal in plain words.  MCP shows `str(error)`: here, the sentence itself."""

    def __init__(self, message: str):
        super().__init__(message, title="Nothing was done", print_exception=False)

    def __str__(self) -> str:
        return self.message


def job_view(snap: Any) -> dict[str, Any]:
    """What an assistant may know of a job: no key, no path on the studio's disk."""
    s = dict(snap.settings or {})
    view: dict[str, Any] = {
        "job_id": snap.job_id,
        "state": snap.state,
        "done": bool(snap.terminal),
        "stage": render_msg(snap.stage_text),
        "progress_percent": round(snap.progress * 100) if snap.progress is not None else None,
        "eta_seconds": snap.eta_seconds,
        "error": render_msg(snap.error) or None,
        "notice": render_msg(snap.notice) or None,  # why a running job is not moving just now, and what is awaited
        "mode": mode_text(snap.target),
        "price_estimate": render_msg(snap.price_label),
        "settings": {k: s.get(k) for k in ("prompt", "negative_prompt", "size", "duration", "shot_type", "audio",
                                            "watermark", "seed")},
        "characters": [
            {"tag": spec.character_tag(i), "kind": r.get("kind"), "name": r.get("name"),
             **({"voice": r.get("voice_name")} if r.get("voice_name") else {})}
            for i, r in enumerate(snap.references or (), start=1)
        ],
        "seed_used": snap.seed_used,
        "warnings": [render_msg(w) for w in snap.warnings or ()],
        "created_at": _iso(snap.created_at),
        "video_ready": snap.has_video and Path(snap.video_path).is_file(),
    }
    view["cost"] = cost_view(snap)
    if snap.needs_decision:
        view["needs_decision"] = ("The service may or may not have started this video. Ask the user to look in "
                                  "their account's task list, then call settle_uncertain: \"attach\" with the task "
                                  "id they found, \"resubmit\" (may bill twice: only with confirm_pay_again once they "
                                  "agree), or \"discard\". The studio page's History offers the same.")
    return view


def job_summary(snap: Any) -> dict[str, Any]:
    s = snap.settings or {}
    return {
        "job_id": snap.job_id, "state": snap.state, "prompt": s.get("prompt"), "created_at": _iso(snap.created_at),
        "size": s.get("size"), "duration": s.get("duration"), "seed_used": snap.seed_used,
        "video_ready": snap.has_video and Path(snap.video_path).is_file(),
        "cost": cost_view(snap),
    }


def cost_view(snap: Any) -> dict[str, Any] | None:
    """What a job costs (r2v_ui/ledger.py): the estimate, and what the service billed when its answer
    said so.  None in demo mode (nothing is billed)."""
    cost = getattr(snap, "cost", None) or {}
    if not cost:
        return None
    billed = cost.get("billed")
    return {"estimate": cost.get("estimate"), "billed": billed, "billed_seconds": cost.get("billed_seconds"),
            "currency": cost.get("currency", "USD"), "figure": "billed" if billed is not None else "estimate",
            "paid_with": "studio key" if cost.get("studio") else "the caller's own key"}


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else None


iso_time = _iso  # a moment as ISO 8601 UTC, for tools that say one


def feedback_view(job_id: str, feedback: Any, shared: set[str]) -> dict[str, Any]:
    """What viewers of a job's share links said (r2v_ui/share/model.Feedback): whether a live link names
    it, how many picked it, and its notes (plain text as written; seconds into the video, or null)."""
    return {"shared": job_id in shared, "picks": feedback.pick_counts().get(job_id, 0),
            "notes": [{"name": n.name, "text": n.text, "seconds": n.seconds, "at": _iso(n.at)}
                      for n in feedback.notes if n.job_id == job_id]}


def mode_text(target: str) -> str:
    return "demo (built-in emulator: the video is a preview, nothing is billed)" if target == "demo" else "live"


def checked_size(resolution: str, aspect_ratio: str) -> str:
    if resolution not in spec.TIERS:
        raise ToolError(f"resolution must be one of {', '.join(spec.TIERS)}, not {resolution!r}.")
    if aspect_ratio not in spec.ASPECTS:
        raise ToolError(f"aspect_ratio must be one of {', '.join(spec.ASPECTS)}, not {aspect_ratio!r}.")
    return spec.size_for(resolution, aspect_ratio)


def checked_duration(value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or seconds != value or not spec.DURATION_MIN <= seconds <= spec.DURATION_MAX:
        raise ToolError(render_msg(msg("form.duration", lo=spec.DURATION_MIN, hi=spec.DURATION_MAX)))  # the page's words
    return seconds
