"""The History tab: every job of the signed-in user, newest first, with a detail view and actions.

Owner is always `request.username` (never an argument a client could send), so with --auth a user
sees and acts on only their own jobs, through the page and through Gradio's API routes alike.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from PIL import Image, ImageDraw

from . import status

FILTERS = [("All", "all"), ("Running", "running"), ("Finished", "succeeded"), ("Failed", "failed"),
           ("Needs a decision", "uncertain")]
PLACEHOLDER_COLOURS = {"failed": (254, 226, 226), "uncertain": (254, 243, 199), "discarded": (226, 232, 240)}


@dataclass
class HistoryWidgets:
    status_filter: gr.Radio
    search: gr.Textbox
    refresh: gr.Button
    gallery: gr.Gallery
    empty_note: gr.Markdown
    detail: gr.Column
    video: gr.Video
    info: gr.Markdown
    remix: gr.Button
    reuse_seed: gr.Button
    download: gr.DownloadButton
    retry: gr.Button
    delete: gr.Button
    confirm_row: gr.Row
    confirm_delete: gr.Button
    cancel_delete: gr.Button


def make_history() -> HistoryWidgets:
    gr.Markdown("Every video you started, newest first. Click one to see everything that made it, "
                "remix it, or download it.")
    with gr.Row(equal_height=True):
        status_filter = gr.Radio(FILTERS, value="all", label="Show", scale=3, elem_id="history-filter")
        search = gr.Textbox(label="Search in prompts", placeholder="e.g. forest", scale=2, elem_id="history-search")
        refresh = gr.Button("↻ Refresh", scale=0, min_width=100, elem_id="history-refresh")
    with gr.Row():
        with gr.Column(scale=3):
            gallery = gr.Gallery(label="Your videos", columns=3, fit_columns=False, height="auto", allow_preview=False,
                                 object_fit="cover", elem_id="history-gallery", buttons=[])
            empty_note = gr.Markdown("No videos yet. Make one in the **Studio** tab.", visible=False,
                                     elem_id="history-empty")
        with gr.Column(scale=2, visible=False, elem_classes=["history-detail"], elem_id="history-detail") as detail:
            video = gr.Video(label="Video", interactive=False, elem_id="history-video", buttons=["download"])
            info = gr.Markdown(elem_id="history-info")
            with gr.Row():
                remix = gr.Button("Remix in the studio", variant="primary", elem_id="history-remix")
                reuse_seed = gr.Button("Reuse its seed", elem_id="history-reuse-seed")
            with gr.Row():
                download = gr.DownloadButton("Download MP4", elem_id="history-download", visible=False)
                retry = gr.Button("Try again", visible=False, elem_id="history-retry")
                delete = gr.Button("Delete…", variant="stop", elem_id="history-delete")
            with gr.Row(visible=False, elem_id="history-confirm") as confirm_row:
                gr.Markdown("**Delete this job, its video and its record for good?**")
                confirm_delete = gr.Button("Yes, delete it", variant="stop", elem_id="history-confirm-delete")
                cancel_delete = gr.Button("Keep it", elem_id="history-cancel-delete")
    return HistoryWidgets(status_filter, search, refresh, gallery, empty_note, detail, video, info, remix,
                          reuse_seed, download, retry, delete, confirm_row, confirm_delete, cancel_delete)


def placeholder_poster(work_dir: Path, state: str) -> str:
    """A plain tile for jobs without a poster frame (still running, failed)."""
    path = work_dir / "posters" / f"{state}.png"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        img = Image.new("RGB", (320, 180), PLACEHOLDER_COLOURS.get(state, (224, 231, 255)))
        d = ImageDraw.Draw(img)
        word = status.STATE_WORDS.get(state, state)
        d.text((160, 90), word, fill=(51, 65, 85), anchor="mm", font_size=22)
        tmp = path.with_suffix(".part.png")
        img.save(tmp)
        tmp.replace(path)
    return str(path)


def gallery_items(snaps: list[Any], work_dir: Path, view=lambda p: str(p)) -> list[tuple[str, str]]:
    """(image, caption) per job; `view` gives the copy the browser may see (viewfiles.Viewer)."""
    items = []
    for s in snaps:
        poster = s.poster_path if (s.poster_path and Path(s.poster_path).exists()) else None
        items.append((view(poster or placeholder_poster(work_dir, s.state)), status.job_caption(s)))
    return items


def filter_jobs(snaps: list[Any], search: str | None) -> list[Any]:
    """Search in prompts (case-insensitive), on top of the manager's own status filter."""
    q = (search or "").strip().lower()
    if not q:
        return snaps
    return [s for s in snaps if q in ((s.settings or {}).get("prompt") or "").lower()]


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
