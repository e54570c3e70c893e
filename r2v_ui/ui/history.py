"""How a job looks in History: one compact line per job, and its detail (pure functions, no Gradio).

The tab itself is historypanel.py.
"""

from __future__ import annotations

import html
from typing import Any

from .. import spec
from ..storyboard import Storyboard
from ..messages import EN, render_msg, t
from ..messages.formats import day_time, moment
from . import status

FILTERS = [(f"ui.history.filter.{v}", v) for v in ("all", "running", "succeeded", "kept", "failed", "uncertain")]
# (label key, value): "All", "Running", "Finished", "Kept ★", "Failed", "Needs a decision"


def item_label(snap: Any, max_prompt: int = 70, lang: str = EN) -> str:
    """One compact line per job: status, date, duration, size and the first line of the prompt (as
    the user wrote it: @Mira, not the character1 it was sent as)."""
    s = snap.settings or {}
    first = (as_written(s).strip().splitlines() or [""])[0]
    if len(first) > max_prompt:
        first = first[: max_prompt - 1] + "…"
    when = day_time(snap.created_at, lang)
    icon = status.STATE_ICONS.get(snap.state, "…")
    words = _state_words(snap.state, lang)
    if getattr(snap, "video_missing", False):
        words = t("history.video_missing", lang)
    try:
        tier, aspect = spec.tier_and_aspect(s.get("size", ""))
        size = f"{tier} {aspect}"
    except (ValueError, AttributeError):
        size = str(s.get("size", ""))
    star = "★ " if getattr(snap, "favourite", False) else ""
    take = t("history.take", lang, n=snap.take) if getattr(snap, "take", None) else ""
    seconds = t("status.secs", lang, s=s.get("duration", "?"))
    return f"{star}{icon} {words}{take} · {when} · {seconds} · {size} · {first or t('history.no_prompt', lang)}"


def as_written(settings: dict) -> str:
    """A job's prompt as the user wrote it (@Mira), or as sent when nothing was rewritten."""
    return settings.get("written_prompt") or settings.get("prompt") or ""


_state_words = status.state_words


def _prompt_lines(s: dict, lang: str) -> list[str]:
    """The prompt as the user wrote it (a storyboard as its shots), then as sent when that differs
    (@Names become tags, shots become "Shot k [a-bs]:" lines)."""
    sent = s.get("prompt") or ""
    board = Storyboard.from_record(s.get("storyboard"))
    board = board if board is not None and board.in_use else None
    if board:
        out = [f"**{t('history.prompt', lang)}** {html.escape(board.overall)}" if board.overall.strip() else "",
               f"**{t('history.storyboard', lang)}**",
               "\n".join("1. " + t("history.shot_row", lang, start=shot.start, end=shot.end, text=html.escape(shot.text))
                         for shot in board.timeline())]
    else:
        out = [f"**{t('history.prompt', lang)}** {html.escape(as_written(s))}"]
    if board or (s.get("written_prompt") and s["written_prompt"] != sent):
        out.append(f"**{t('form.as_sent', lang)}** " + html.escape(sent).replace("\n", "<br>"))
    return [line for line in out if line]


def detail_markdown(snap: Any, lang: str = EN) -> str:
    """A job's detail in `lang`: what it was, what happened (its stored codes, rendered now)."""
    s = snap.settings or {}
    lines = [f"### {status.STATE_ICONS.get(snap.state, '…')} {_state_words(snap.state, lang)}", *_prompt_lines(s, lang)]
    if s.get("negative_prompt"):
        lines.append(f"**{t('history.avoid', lang)}** {html.escape(s['negative_prompt'])}")
    if snap.error:
        lines.append(f"> **{t('history.what_happened', lang)}** {html.escape(render_msg(snap.error, lang))}")
    elif getattr(snap, "video_missing", False):
        lines.append(f"> **{t('history.what_happened', lang)}** {html.escape(render_msg(snap.stage_text, lang))}")
    refs = [r.get("name") or r.get("url") or t("history.reference", lang)
            for r in (getattr(snap, "references", None) or ())]
    if refs:
        lines.append(f"**{t('history.characters', lang)}** "
                     + ", ".join(f"`character{i}` {html.escape(str(n))}" for i, n in enumerate(refs, 1)))
    lines.append(status.summary_markdown(snap, lang))
    timings = getattr(snap, "timings", None) or {}
    timing_rows = [("history.started", moment(snap.created_at, lang)),
                   ("history.last_change", moment(snap.updated_at, lang))]
    for key, label in (("submitted_at", "history.sent"), ("completed_at", "history.finished")):
        if timings.get(key):
            timing_rows.append((label, moment(timings[key], lang)))
    if snap.terminal and snap.updated_at and snap.created_at:
        timing_rows.append(("history.took", status.fmt_seconds(snap.updated_at - snap.created_at, lang)))
    lines.append("\n".join("- " + t("history.timing_row", lang, label=t(k, lang), value=v) for k, v in timing_rows))
    ids = t("history.job", lang, job=f"`{snap.job_id}`")
    if snap.task_id:
        ids += " · " + t("history.task", lang, task=f"`{snap.task_id}`")
    lines.append(f"<small>{ids}</small>")
    return "\n\n".join(lines)
