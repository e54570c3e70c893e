"""How a job looks in History: one compact line per job, and its detail (pure functions, no Gradio).

The tab itself is historypanel.py.
"""

from __future__ import annotations

import html
import time
from typing import Any

from .. import spec
from . import status

FILTERS = [("All", "all"), ("Running", "running"), ("Finished", "succeeded"), ("Kept ★", "kept"), ("Failed", "failed"),
           ("Needs a decision", "uncertain")]


def item_label(snap: Any, max_prompt: int = 70) -> str:
    """One compact line per job: status, date, duration, size and the first line of the prompt."""
    s = snap.settings or {}
    first = ((s.get("prompt") or "").strip().splitlines() or [""])[0]
    if len(first) > max_prompt:
        first = first[: max_prompt - 1] + "…"
    when = time.strftime("%d %b %H:%M", time.localtime(snap.created_at))
    icon = status.STATE_ICONS.get(snap.state, "…")
    words = status.STATE_WORDS.get(snap.state, snap.state)
    if getattr(snap, "video_missing", False):
        words = "Video missing"
    try:
        tier, aspect = spec.tier_and_aspect(s.get("size", ""))
        size = f"{tier} {aspect}"
    except (ValueError, AttributeError):
        size = str(s.get("size", ""))
    star = "★ " if getattr(snap, "favourite", False) else ""
    take = f" · take {snap.take}" if getattr(snap, "take", None) else ""
    return f"{star}{icon} {words}{take} · {when} · {s.get('duration', '?')} s · {size} · {first or '(no prompt)'}"


def detail_markdown(snap: Any) -> str:
    s = snap.settings or {}
    lines = [f"### {status.STATE_ICONS.get(snap.state, '…')} {status.STATE_WORDS.get(snap.state, snap.state)}",
             f"**Prompt:** {html.escape(s.get('prompt') or '')}"]
    if s.get("negative_prompt"):
        lines.append(f"**Avoid:** {html.escape(s['negative_prompt'])}")
    if snap.error:
        lines.append(f"> **What happened:** {html.escape(snap.error)}")
    elif getattr(snap, "video_missing", False):
        lines.append(f"> **What happened:** {html.escape(snap.stage_text)}")
    refs = [r.get("name") or r.get("url") or "reference" for r in (getattr(snap, "references", None) or ())]
    if refs:
        lines.append("**Characters:** " + ", ".join(f"`character{i}` {html.escape(str(n))}" for i, n in enumerate(refs, 1)))
    lines.append(status.summary_markdown(snap))
    t = getattr(snap, "timings", None) or {}
    timing_rows = [("Started", _when(snap.created_at)), ("Last change", _when(snap.updated_at))]
    for key, label in (("submitted_at", "Sent to the service"), ("completed_at", "Finished")):
        if t.get(key):
            timing_rows.append((label, _when(t[key])))
    if snap.terminal and snap.updated_at and snap.created_at:
        timing_rows.append(("Took", status.fmt_seconds(snap.updated_at - snap.created_at)))
    lines.append("\n".join(f"- {k}: {v}" for k, v in timing_rows))
    lines.append(f"<small>Job `{snap.job_id}`{' · task `' + snap.task_id + '`' if snap.task_id else ''}</small>")
    return "\n\n".join(lines)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "—"
