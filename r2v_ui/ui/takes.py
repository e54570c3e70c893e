"""How a batch of takes looks in the result pane: a headline for the batch and a grid that fills
in as each take finishes (redrawn when a take changes stage, not on every progress tick: a redraw
restarts the players already in it) (its video, its seed, a download link), with each running take's stage.

The widgets (`render_picker`: how many takes, beside Generate; `render_grid`: the grid, in the
result pane) and their HTML from snapshots; `url_of(path)` turns a library file into a URL the
browser may fetch (videoview.served_url bound to a block and a request)."""

from __future__ import annotations

import html
from typing import Any, Callable

import gradio as gr

from ..messages import DEFAULT, render_msg, t
from ..workspace.start import TAKE_CHOICES
from . import status
from .language import choices, label
from .videoview import player_html
from ..workspace import compare, filenames

# What the choice shows (the number alone would say nothing beside Generate without its label).
TAKE_OPTIONS = [(f"ui.takes.{n}", n) for n in TAKE_CHOICES]  # (label key, value): "1 take" … "4 takes"

UrlOf = Callable[[Any], "str | None"]


def render_picker() -> gr.Dropdown:
    """How many takes Generate makes.  The label is for screen readers only: each option says
    "n takes", so the bar stays one row."""
    return gr.Dropdown(choices(TAKE_OPTIONS), value="1", label=label("ui.takes"), show_label=False, elem_id="takes",
                       min_width=120, scale=0, filterable=False)


def render_grid() -> gr.HTML:
    """The takes of a batch, hidden until one is shown (`grid_html`)."""
    return gr.HTML("", visible=False, elem_id="takes-grid", min_height=0)


def done_takes(snaps: list[Any]) -> list[Any]:
    return [s for s in snaps if s.has_video]


def batch_headline(snaps: list[Any], lang: str = DEFAULT) -> str:
    n = len(snaps)
    done = len(done_takes(snaps))
    failed = sum(1 for s in snaps if s.ended_without_video)
    running = n - done - failed
    if running:
        head = t("takes.running", lang, n=n, done=done, running=running)
        state = "running"
    else:
        head = (t("takes.all_done", lang, n=n, done=done) if not failed
                else t("takes.some_failed", lang, n=n, done=done, failed=failed))
        state = "succeeded" if done else "failed"
    parts = [f'<div class="job-headline">{html.escape(head)}</div>']
    if running:  # each running take's percent (copied into its cell by scripts.RESULT_JS)
        rows = []
        for s in snaps:
            if not s.in_progress:
                continue
            pct = percent(s)
            rows.append(f'<li data-job="{html.escape(s.job_id)}" data-pct="{pct}">'
                        f'{html.escape(t("takes.progress", lang, n=s.take or 1, pct=pct or "…"))}</li>')
        parts.append(f'<ul class="take-progress">{"".join(rows)}</ul>')
    if not running and done >= 2:
        parts.append(f'<div class="job-text">{t("takes.pick", lang)}</div>')
    cls = "job-running" if running else ("job-succeeded" if done else "job-failed")
    return (f'<div class="job-status {cls}" id="job-status-box" data-state="{state}" data-takes="{n}">'
            + "".join(parts) + "</div>")


def percent(snap: Any) -> str:
    """A running take's progress as "45%" ("" before the service reports any)."""
    if snap.progress is None:
        return ""
    return f"{max(0.0, min(1.0, float(snap.progress))) * 100:.0f}%"


def progress_key(snaps: list[Any]) -> list[str]:
    """What the headline shows of each take's progress: a change redraws the headline only."""
    return [percent(s) for s in snaps]


def grid_html(snaps: list[Any], url_of: UrlOf, lang: str = DEFAULT) -> str:
    """The takes, two or more to a row in the result pane: each a poster that plays on hover or on a
    tap (scripts.RESULT_JS, which then shows the controls), or the take's stage and percent."""
    cells = []
    for s in snaps:
        label = t("takes.take", lang, n=s.take or 1)
        seed = t("takes.seed", lang, seed=s.seed_used) if s.seed_used is not None else ""
        star = (f' <span class="kept" title="{html.escape(t("takes.kept", lang))}">{html.escape(t("takes.kept_badge", lang))}</span>'
                if s.favourite else "")
        if s.has_video:
            url = url_of(s.video_path, filenames.for_snapshot(s))
            body = player_html(url, label=f"{label}, {seed}".strip(", "), poster=url_of(s.poster_path),
                               controls=False, focusable=True)
            link = (f'<a class="take-download" href="{html.escape(url)}" download>{html.escape(t("takes.download", lang))}</a>' if url else "")
            meta = f'<span>{html.escape(seed)}</span>{star}{link}'
        else:
            words = status.state_words(s.state, lang)
            note = render_msg(s.error, lang) or (t("takes.video_missing", lang) if s.video_missing else "")
            running = s.in_progress
            pct = f'<div class="take-pct">{html.escape(percent(s))}</div>' if running else ""
            body = (f'<div class="take-wait" data-state="{html.escape(s.state)}">{pct}{html.escape(words)}'
                    + (f'<div class="take-note">{html.escape(note)}</div>' if note else "") + "</div>")
            meta = f'<span>{html.escape(seed)}</span>'
        fw, fh = compare.frame(s)  # the take's own shape: a 9:16 take in a tall box, as high as the screen allows
        cells.append(f'<figure class="take" data-job="{html.escape(s.job_id)}" data-state="{html.escape(s.state)}" '
                     f'style="--frame: {fw} / {fh}">'
                     f'{body}<figcaption><b>{html.escape(label)}</b> {meta}</figcaption></figure>')
    hint = (f'<p class="take-hint">{html.escape(t("takes.play_hint", lang))}</p>'
            if any(s.has_video for s in snaps) else "")
    return f'<div class="takes-grid" id="takes-grid-box" data-count="{len(snaps)}">{"".join(cells)}</div>{hint}'
