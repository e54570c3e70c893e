"""The result pane's status box and a result's settings summary: the widgets (`render_box`,
`render_summary`) and what they show of a job — its stages in plain words, its progress, what
happened and what to do, the settings that made it (History's detail shows the summary too).

What the job is is asked of the snapshot's typed queries (`in_progress`, `needs_decision`, …),
never by its state's word.
"""

from __future__ import annotations

import html
import time
from typing import Any

import gradio as gr

from .. import spec
from ..jobs.states import RUNNING_STATES, JobState
from ..messages import DEFAULT, Msg, both, render_msg, t

_SAID_UNDER_THE_BAR = {"stage.processing", "job.generating", "job.generating_eta"}  # percent and time left

# The stages of a job in order (their words: "status.step.<stage>" in the catalog).
STAGES: tuple[JobState, ...] = (*RUNNING_STATES, JobState.SUCCEEDED)
_ORDER = {state: i for i, state in enumerate(STAGES)}
# Every state a job can be in has its words ("status.state.<state>"); an unknown one (an older record) is shown as it is.
STATE_WORDS = frozenset(JobState)
STATE_ICONS = {JobState.SUCCEEDED: "✓", JobState.FAILED: "✕", JobState.UNCERTAIN: "?", JobState.DISCARDED: "–"}


def state_words(state: str, lang: str = DEFAULT) -> str:
    """A state in words (`lang`); a state this version does not know, as it is."""
    return t(f"status.state.{state}", lang) if state in STATE_WORDS else str(state)

LOADING_HTML = (  # drawn before any request: in both languages, the page shows its own
    '<div class="job-status job-idle" id="job-status-box" data-state="loading">'
    f'<div class="job-headline">{both("status.loading")}</div></div>'
)


def render_box() -> gr.HTML:
    """The status box, "loading" until the page knows its language and its job (jobview.make_watch fills it)."""
    return gr.HTML(LOADING_HTML, elem_id="job-status", min_height=0)


def render_summary() -> gr.Markdown:
    """The settings that made the result shown (`summary_markdown`), under its video."""
    return gr.Markdown(elem_id="result-summary")


def idle_html(lang: str = DEFAULT) -> str:
    return ('<div class="job-status job-idle" id="job-status-box" data-state="empty">'
            f'<div class="job-headline">{html.escape(t("status.idle", lang))}</div>'
            f'<div class="job-text">{t("status.idle_text", lang)}</div></div>')





def fmt_seconds(seconds: float | int | None, lang: str = DEFAULT) -> str:
    if seconds is None:
        return ""
    s = max(0, int(round(seconds)))
    if s < 60:
        return t("status.secs", lang, s=s)
    m, s = divmod(s, 60)
    return t("status.min_secs", lang, m=m, s=f"{s:02d}")


def stage_html(snap: Any, lang: str = DEFAULT) -> str:
    """The whole status box: a row of stages with the current one lit, the manager's own words
    (codes, rendered in `lang`), a progress bar with % and time left while it runs, or what
    happened and what to do."""
    state = snap.state
    current = _ORDER.get(state)
    steps = []
    for i, key in enumerate(STAGES):
        if snap.succeeded or (current is not None and i < current):
            cls = "done"
        elif current is not None and i == current:
            cls = "now"
        else:
            cls = "todo"
        steps.append(f'<li class="stage stage-{cls}" data-stage="{key}">{html.escape(t(f"status.step.{key}", lang))}</li>')
    headline = state_words(state, lang) if state in STATE_WORDS else state.title()
    icon = STATE_ICONS.get(state, "")
    if getattr(snap, "video_missing", False):
        headline, icon = t("status.video_missing", lang), "!"
    parts = [
        f'<div class="job-status job-{html.escape(state)}" id="job-status-box" data-state="{html.escape(state)}">',
        f'<div class="job-headline">{icon + " " if icon else ""}{html.escape(headline)}</div>',
    ]
    if not (snap.failed or snap.needs_decision or snap.discarded):
        parts.append(f'<ol class="stages">{"".join(steps)}</ol>')
    live = getattr(snap, "target", "demo") == "live"
    stage = snap.stage_text
    text = render_msg(stage, lang)
    if state == JobState.PROCESSING and (text.startswith("Generating") if not isinstance(stage, Msg)
                                  else stage.code in _SAID_UNDER_THE_BAR):
        text = ""  # the percent and time left are said once, under the bar
    if text and not (snap.failed or snap.needs_decision):  # a failure is said once, in the error below
        parts.append(f'<div class="job-text" id="job-stage-text">{html.escape(text)}</div>')
    notice = getattr(snap, "notice", None)  # why a running job is not moving right now, while it lasts
    if notice:
        parts.append(f'<div class="job-notice" id="job-notice">{html.escape(render_msg(notice, lang))}</div>')
    uploads = getattr(snap, "uploads", None)  # per-file fractions, when the manager reports them
    if state == JobState.UPLOADING and uploads:
        parts.append('<ul class="uploads">' + "".join(
            f"<li>{html.escape(str(label))}: {max(0.0, min(1.0, float(frac))) * 100:.0f}%</li>"
            for label, frac in dict(uploads).items()) + "</ul>")
    if snap.in_progress:
        pct = None if snap.progress is None else max(0.0, min(1.0, float(snap.progress)))
        if pct is not None:
            parts.append(f'<div class="bar"><div class="bar-fill" style="width:{pct * 100:.0f}%"></div></div>')
        bits = []
        if pct is not None:
            bits.append(f"{pct * 100:.0f}%")
        if snap.eta_seconds:
            bits.append(t("status.left", lang, time=fmt_seconds(snap.eta_seconds, lang)))
        bits.append(t("status.elapsed", lang, time=fmt_seconds(time.time() - snap.created_at, lang)))
        parts.append(f'<div class="job-meta">{" · ".join(html.escape(b) for b in bits)}</div>')
        parts.append(f'<div class="job-note">{html.escape(t("status.close_tab", lang))}'
                     + (html.escape(t("status.no_cancel", lang)) if live else "") + '</div>')
    if snap.failed:
        parts.append(f'<div class="job-error" role="alert">{html.escape(render_msg(snap.error, lang) or t("status.failed", lang))}'
                     '</div>')
        parts.append(f'<div class="job-note">{t("status.after_failure", lang)}</div>')
    if snap.needs_decision:
        said = t("status.uncertain" if live else "status.uncertain_demo", lang)
        parts.append(f'<div class="job-error" role="alert">{html.escape(said)}</div>')
    for w in snap.warnings or ():
        parts.append(f'<div class="job-warning">! {html.escape(render_msg(w, lang))}</div>')
    parts.append("</div>")
    return "".join(parts)


def summary_markdown(snap: Any, lang: str = DEFAULT) -> str:
    """The settings that made a result, in one short block, in `lang` (the price as it was estimated
    when the job started: a stored code, so it reads in whoever looks; an old job's as its text).
    A demo job (made by the emulator) has no price row: demo mode never speaks of money."""
    s = snap.settings or {}
    size = s.get("size", "")
    try:
        w, h = spec.size_pixels(size)
        tier, aspect = spec.tier_and_aspect(size)
        size_text = t("summary.size_value", lang, w=w, h=h, tier=tier, aspect=aspect)
    except (ValueError, AttributeError):
        size_text = str(size)
    if getattr(snap, "target", None) == "demo":  # the emulator draws previews smaller than the size asked for
        size_text = t("summary.size_preview", lang, size=size_text)
    seed = snap.seed_used if snap.seed_used is not None else s.get("seed")
    on_off = {True: t("summary.on", lang), False: t("summary.off", lang)}
    rows = [
        ("summary.size", size_text),
        ("summary.duration", t("status.secs", lang, s=s.get("duration", "?"))),
        ("summary.shots", t("summary.multi" if s.get("shot_type") == "multi" else "summary.single", lang)),
        ("summary.sound", on_off[bool(s.get("audio", True))]),
        ("summary.watermark", on_off[bool(s.get("watermark"))]),
        ("summary.seed", str(seed) if seed is not None else t("summary.seed_by_service", lang)),
    ]
    if getattr(snap, "target", None) == "demo":  # demo mode never speaks of money: nothing was billed
        return _table(rows, lang)
    rows.append(("summary.price", render_msg(snap.price_label, lang) or "—"))
    billed = getattr(snap, "cost", None) or {}  # what the service's answer said it billed, beside the estimate
    if billed.get("billed") is not None:
        rows.append(("summary.billed", t("summary.billed_value", lang, amount=float(billed["billed"]))))
    elif billed.get("billed_seconds") is not None:
        rows.append(("summary.billed", t("summary.billed_seconds", lang, s=f'{float(billed["billed_seconds"]):g}')))
    return _table(rows, lang)


def _table(rows: list[tuple[str, str]], lang: str) -> str:
    table = "\n".join(f"| {t(k, lang)} | {html.escape(v)} |" for k, v in rows)
    return f"| {t('summary.setting', lang)} | {t('summary.value', lang)} |\n|---|---|\n" + table
