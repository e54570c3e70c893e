"""**Download pack**: the hand-over pack (workspace/pack.py) of a finished job or of a batch's takes,
from the result pane and from History's detail.

A click shows at once that the pack is being made (the button waits, disabled); the pack is built
in a worker thread, one pack at a time for the whole studio (it decodes video frames: two packs at
once would take every core of a small machine from the people generating), then handed to the
browser as a link served under a name a person can file (`…_pack.zip`, viewfiles.py) and
downloaded at once; the link stays in the status line for a second try.  The notes come from the
studio's ShareService when there is one (`ctx.shares.feedback_for_job`).

Nothing is added to the page until it is asked for: two small buttons and an empty status line."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import StudioError
from ..messages import t
from ..messages.formats import file_size
from ..workspace import pack
from .context import PageContext, alert_html, esc
from .language import label, lang_of
from .videoview import served_url

PACK_LIMIT = 1  # packs made at once, for the whole studio
# After a pack is ready: its link is clicked once, so the download starts from the same click.
SAVE_JS = """(id) => { const a = document.querySelector('#' + id + ' a[download]');
  if (a && !a.dataset.saved) { a.dataset.saved = '1'; a.click(); } }"""


@dataclass
class PackWidgets:
    button: gr.Button
    status: gr.HTML


def button(key: str, elem_id: str, *, visible: bool = True) -> gr.Button:
    """A Download pack button (`key`: its label)."""
    return gr.Button(label(key), size="sm", elem_id=elem_id, visible=visible, elem_classes=["pack-btn"])


def status(elem_id: str) -> gr.HTML:
    """A pack button's status line (empty until it is used)."""
    return gr.HTML("", elem_id=f"{elem_id}-status", min_height=0, padding=False)


def making_html(lang: str) -> str:
    return f'<div class="pack-status" role="status" aria-live="polite">{esc(t("pack.making", lang))}</div>'


def ready_html(url: str, built: pack.Pack, lang: str) -> str:
    said = t("pack.ready", lang, size=file_size(built.size, lang))
    return (f'<div class="pack-status" role="status" aria-live="polite">{esc(said)} '
            f'<a href="{esc(url)}" download="{esc(built.name)}">{esc(built.name)}</a></div>')


def feedback_of(ctx: PageContext, owner: str):
    """Job id → its share links' picks and notes, from the studio's ShareService (None without one)."""
    shares = getattr(ctx, "shares", None)
    if shares is None:
        return None
    return lambda job_id: shares.feedback_for_job(owner, job_id)


def pack_folder(ctx: PageContext) -> Path:
    """Where the page's packs are made (and found again when their job is deleted)."""
    return ctx.work_dir / "packs"


def listen(w: PackWidgets, ctx: PageContext, job: Any, *, whole_batch: bool, api_name: str | None = None) -> None:
    """Wire `w`: pack the job in `job` (a State holding a job id) — with `whole_batch`, every take of
    its batch."""
    manager, st = ctx.manager, ctx.states
    folder = pack_folder(ctx)

    def making(request: gr.Request = None) -> dict:
        return {w.status: making_html(lang_of(request)), w.button: gr.Button(interactive=False)}

    def build(job_id: Any, memory: Any, request: gr.Request = None) -> dict:
        lang = lang_of(request)
        who = ctx.visitor(request, memory)
        done = {w.button: gr.Button(interactive=True)}
        snap = manager.snapshot(str(job_id), owner=who.owner) if job_id else None
        snaps = [] if snap is None else (
            manager.batch(snap.batch_id, owner=who.owner) if whole_batch and snap.batch_id else [snap])
        try:
            built = pack.build_pack(snaps, folder, feedback=feedback_of(ctx, who.owner), lang=lang)
        except StudioError as exc:
            return done | {w.status: alert_html(exc.msg, nothing_sent=False, lang=lang)}
        url = served_url(w.status, ctx.show(), built.path, built.name)
        if url is None:
            return done | {w.status: alert_html(t("pack.failed", lang), nothing_sent=False, lang=lang)}
        return done | {w.status: ready_html(url, built, lang)}

    w.button.click(making, None, [w.status, w.button], queue=False, show_progress="hidden",
                   api_visibility="private").then(
        build, None, [w.status, w.button], inputs_kwargs={"job_id": job, "memory": st.memory}, concurrency_limit=PACK_LIMIT, concurrency_id="packs",
        show_progress="hidden", api_name=api_name, api_visibility="public" if api_name else "private").then(
        None, None, None, js=f"() => ({SAVE_JS})('{w.status.elem_id}')")


def follow_history(w: PackWidgets, ctx: PageContext, selected: Any) -> None:
    """History's button is shown for a job that has a video; a new job clears the last pack's line."""
    manager, st = ctx.manager, ctx.states

    def shown(job_id: Any, memory: Any, request: gr.Request = None) -> dict:
        who = ctx.visitor(request, memory)
        snap = manager.snapshot(str(job_id), owner=who.owner) if job_id else None
        return {w.button: gr.Button(visible=bool(snap and snap.has_video), interactive=True), w.status: ""}

    selected.change(shown, None, [w.button, w.status], inputs_kwargs={"job_id": selected, "memory": st.memory}, queue=False, show_progress="hidden",
                    api_visibility="private")


def follow(watch: Any, ctx: PageContext, pane: Any) -> Any:
    """The result pane's status stream (jobview.Watch) with its pack buttons kept in step: each time
    the stream redraws the takes, the batch's button (beside Compare these takes) is shown when every
    take has ended and one or more has a video (read from the batch itself: an update says nothing
    readable back); a new video clears the last pack's line."""
    from .jobview import Watch

    manager, takes, one, st = ctx.manager, pane.pack_takes, pane.pack, ctx.states

    def batch_done(job_id: Any, memory: Any, request: Any) -> bool:
        who = ctx.visitor(request, memory)
        snap = manager.snapshot(str(job_id), owner=who.owner) if job_id else None
        takes = manager.batch(snap.batch_id, owner=who.owner) if snap is not None and snap.batch_id else []
        return bool(takes) and not any(s.in_progress for s in takes) and any(s.has_video for s in takes)

    @functools.wraps(watch.fn)  # Gradio reads the stream's own signature (its gr.Request)
    async def fn(given: dict, request: gr.Request):
        job_id, memory = given[st.job], given[st.memory]
        async for out in watch.fn(given, request):
            if pane.compare_takes in out:
                shown = await ctx.read(batch_done, job_id, memory, request)
                out = dict(out) | {takes.button: gr.Button(visible=shown, interactive=True), takes.status: ""}
            if pane.video in out:
                out = dict(out) | {one.status: ""}
            yield out

    return Watch(fn, watch.inputs, [*watch.outputs, takes.button, takes.status, one.status])


CSS = """
.pack-status { font-size: 0.9em; margin: 4px 0; overflow-wrap: anywhere; }
.pack-status a { font-weight: 600; }
"""
