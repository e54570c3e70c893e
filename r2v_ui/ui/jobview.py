"""Following the job this tab shows: the status stream (reads only — the manager does the work),
and the actions on it (decide an uncertain submit, try again, another take, its settings into the
form), plus finding this browser's own job again after a reload."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, Callable

import gradio as gr

from ..errors import StudioError
from ..jobs.model import JobNotFound
from ..messages import EN, Msg, msg, render_msg, t
from ..workspace import cast as cast_mod
from ..workspace import form, session
from . import status
from . import takes as takes_view
from .context import PageContext, alert_html
from .language import label, lang_of
from .videoview import player_html, served_url
from ..workspace import filenames


WATCH_WAKEUP_SECONDS = 5.0  # how often a stream re-reads even without news (time left, superseded streams)


@dataclass
class Watch:
    fn: Callable
    inputs: set  # {the job, this session's memory}: the stream takes them as a dict keyed by component
    outputs: list


def make_watch(ctx: PageContext, w: Any) -> Watch:
    manager, st = ctx.manager, ctx.states
    outputs = [w.status_box, w.video, w.download, w.summary, w.result_box, w.decision, w.retry, st.last_seed,
               w.takes_grid, w.compare_takes, w.share_takes]

    def view(snap: Any, first: bool, last_done: bool, lang: str = EN) -> dict:
        """Updates for the pane; the player is only touched when the result changes."""
        if snap is None:
            return {w.status_box: status.idle_html(lang), w.video: "", w.download: gr.DownloadButton(value=None),
                    w.summary: "", w.result_box: gr.Column(visible=False), w.decision: gr.Column(visible=False),
                    w.retry: gr.Button(visible=False), w.takes_grid: gr.HTML(visible=False),
                    w.compare_takes: gr.Button(visible=False), w.share_takes: gr.Button(visible=False)}
        if not first and snap.in_progress:
            # Between running stages only the status moves (the other boxes stay hidden until the job
            # ends): any other update would rebuild a component on the event loop, for every open stream.
            return {w.status_box: status.stage_html(snap, lang)}
        done = snap.has_video
        out = {
            w.status_box: status.stage_html(snap, lang),
            w.summary: status.summary_markdown(snap, lang) if done else "",
            w.result_box: gr.Column(visible=done),
            w.decision: gr.Column(visible=snap.needs_decision),
            w.retry: gr.Button(visible=snap.can_retry),
        }
        if first:
            out |= {w.takes_grid: gr.HTML(visible=False), w.compare_takes: gr.Button(visible=False),
                    w.share_takes: gr.Button(visible=False)}
        if first or (done and not last_done):
            view_file = ctx.show()
            name = filenames.for_snapshot(snap)
            shown = view_file(snap.video_path, name) if done else None
            url = served_url(w.video, view_file, snap.video_path, name) if done else None
            out |= {w.video: player_html(url, label=t("result.title", lang), autoplay=True), w.download: shown}
        if done and snap.seed_used is not None:
            out[st.last_seed] = snap.seed_used
        return out

    def batch_view(snaps: list, first: bool, lang: str = EN) -> dict:
        """A batch of takes: a headline and a grid that fills in as each take finishes."""
        done = takes_view.done_takes(snaps)
        running = any(s.in_progress for s in snaps)
        out = {w.status_box: takes_view.batch_headline(snaps, lang),
               w.takes_grid: gr.HTML(takes_view.grid_html(snaps, ctx.urls(w.takes_grid), lang), visible=True),
               w.compare_takes: gr.Button(visible=not running and len(done) >= 2),
               w.share_takes: gr.Button(visible=not running and len(done) >= 2)}
        if first:
            out |= {w.result_box: gr.Column(visible=False), w.decision: gr.Column(visible=False),
                    w.retry: gr.Button(visible=False), w.video: "", w.summary: ""}
        if done and done[-1].seed_used is not None:
            out[st.last_seed] = done[-1].seed_used
        return out

    async def watch_batch(batch_id: str, owner: str, session_id: str, token: int, lang: str = EN):
        snaps = await ctx.read(manager.batch, batch_id, owner=owner)
        yield batch_view(snaps, True, lang)
        while snaps and any(s.in_progress for s in snaps):
            waits = [asyncio.ensure_future(manager.wait_for_change(s.job_id, s.version, WATCH_WAKEUP_SECONDS))
                     for s in snaps if s.in_progress]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waits:
                    task.cancel()
            if not ctx.streams.is_current(session_id, token):
                return  # a newer stream for this tab took over
            before = [(s.state, s.video_missing) for s in snaps]
            shown = takes_view.progress_key(snaps)
            snaps = await ctx.read(manager.batch, batch_id, owner=owner) or snaps
            if [(s.state, s.video_missing) for s in snaps] != before:  # a stage: the grid too
                yield batch_view(snaps, False, lang)
            elif takes_view.progress_key(snaps) != shown:  # a progress tick: the headline's percents only
                yield {w.status_box: takes_view.batch_headline(snaps, lang)}

    async def watch_job(given: dict, request: gr.Request):
        """Streams one job's snapshots (or its batch's) to this tab until it ends."""
        job_id = given[st.job]
        who = ctx.visitor(request, given[st.memory])
        session_id = getattr(request, "session_hash", None) or ""
        token = ctx.streams.claim(session_id)
        snap = await ctx.read(manager.snapshot, job_id, owner=who.owner) if job_id else None
        if snap is not None and snap.batch_id:
            async for out in watch_batch(snap.batch_id, who.owner, session_id, token, lang_of(request)):
                yield out
            return
        lang = lang_of(request)
        yield view(snap, True, False, lang)
        last_done = bool(snap and snap.has_video)
        while snap is not None and snap.in_progress:
            newer = await manager.wait_for_change(job_id, snap.version, WATCH_WAKEUP_SECONDS)
            if not ctx.streams.is_current(session_id, token):
                return  # a newer stream for this tab took over
            snap = newer or snap
            yield view(snap, False, last_done, lang)
            last_done = snap.has_video

    return Watch(watch_job, {st.job, st.memory}, outputs)


def restore(ctx: PageContext, page: Any, draft: Any, note: Msg, request: Any) -> dict:
    """Updates putting a job's cast and settings into the form (`page`: context.PageWidgets)."""
    cast = cast_mod.from_references(draft.references, note=note)
    return page.cast_view(cast, request) | page.scene.show(form.values_from_draft(draft))


@dataclass
class DecisionWidgets:
    """What to do with a submission that may have reached the service: a task id found in the
    account to follow, resubmit (the button says it may bill twice: pressing it is the consent), or
    discard.  The result pane has one, History's detail another: the same words and the same rules."""

    box: gr.Column
    found_task: gr.Textbox
    attach: gr.Button
    resubmit: gr.Button
    discard: gr.Button


def render_decision(settings: Any, prefix: str = "") -> DecisionWidgets:
    """The decision's widgets; `prefix` keeps element ids apart ("" in the result pane, "history-")."""
    row = "decision-row" if not prefix else f"{prefix}decision"
    small = {"size": "sm", "min_width": 90} if prefix else {}  # History's are small, three to a row
    with gr.Column(visible=False, elem_id=row, elem_classes=["decision"]) as box:
        found_task = gr.Textbox(label=label("ui.paste_task_id"), placeholder=label("ui.task_id_placeholder"),
                                elem_id=f"{prefix}found-task-id")
        with gr.Row():
            attach = gr.Button(label("ui.follow_task"), elem_id=f"{prefix}attach-task", **small)
            resubmit = gr.Button(label("ui.send_again") if settings.demo else label("ui.resubmit"), variant="stop",
                                 elem_id=f"{prefix}resubmit", **small)
            discard = gr.Button(label("ui.discard"), elem_id=f"{prefix}discard", **small)
    return DecisionWidgets(box, found_task, attach, resubmit, discard)


def settle(ctx: PageContext, job_id: Any, action: str, task_id: Any, key: Any, memory: Any, request: Any, *,
           confirmed: bool = True) -> None:
    """One decision on an uncertain job, for the page (result pane, History) and the API: the
    manager's rules (`resolve_uncertain`); a refusal is a gr.Error in the caller's language.  A
    page button is the user's own explicit choice (`confirmed`); the API must say so itself."""
    who = ctx.visitor(request, memory)
    try:
        ctx.manager.resolve_uncertain(job_id, action, owner=who.owner, api_key=session.key_of(key),
                                      holder=session.holder_of_key(key), task_id=task_id, confirmed=confirmed)
    except StudioError as exc:
        lang = lang_of(request)
        raise gr.Error(render_msg(exc.msg, lang), title=t("jobview.nothing_changed", lang)) from None


@dataclass
class Actions:
    load: tuple  # (fn, named inputs, outputs) for demo.load: this browser's job after a reload
    retry: Callable  # retry(job widget) -> "Try again" on the job it holds, shared with History
    watch: Watch  # the status stream, for every action that shows a job in the pane


def listen_actions(w: Any, ctx: PageContext, page: Any, watch: Watch, stream: dict) -> Actions:
    manager, st, scene = ctx.manager, ctx.states, page.scene
    form_outputs = page.form_outputs(ctx)

    # ---- after a reload: this browser's own job, with the form as it was -------------------------
    def resume(request: gr.Request = None, *, stored: Any):
        """A browser that has never been here opens on a clean form; a returning one finds its job.
        Named input (`stored`): the API's `/resume` keeps its one parameter's name."""
        memory = session.browser_memory(stored)
        who = ctx.visitor(request, memory)
        snap = manager.snapshot(memory["job"], owner=who.owner) if memory.get("job") else None
        if snap is None:
            return {st.memory: dict(memory, job=None), st.job: None}
        out = {st.memory: memory, st.job: snap.job_id}
        try:
            draft = manager.remix_draft(snap.job_id, owner=who.owner)
        except (StudioError, OSError, ValueError):
            return out
        return out | restore(ctx, page, draft, msg("cast.from.last"), request)

    load = (resume, {"stored": st.stored}, [st.memory, st.job, *form_outputs])

    # ---- an uncertain submit: the user decides -----------------------------------------------------
    def decide(action: str):
        def handler(request: gr.Request = None, **given: Any):
            settle(ctx, given["job_id"], action, given["task_id"], given["key"], given["memory"], request)
            return {st.job: given["job_id"], w.found_task: ""}
        return handler

    # Named inputs: `/attach_uncertain` and its two neighbours keep their one API parameter, `task_id`.
    decide_inputs = {"job_id": st.job, "key": st.key, "task_id": w.found_task, "memory": st.memory}
    for btn, action in ((w.attach, "attach"), (w.resubmit, "resubmit"), (w.discard, "discard")):
        btn.click(decide(action), None, [st.job, w.found_task], inputs_kwargs=decide_inputs,
                  api_name=f"{action}_uncertain", concurrency_limit=None).success(
            watch.fn, watch.inputs, watch.outputs, api_visibility="undocumented", **stream)

    # ---- try again (reads first: never pays twice for a video the service has) ---------------------
    def retry(job_from: Any) -> Callable:
        """"Try again" on the job `job_from` holds (this pane's job, or the one open in History)."""
        def retry_job(given: dict, request: gr.Request):
            key, memory = given[st.key], given[st.memory]
            who = ctx.visitor(request, memory)
            memory = session.remembered(memory)
            try:
                new_id = manager.retry(given[job_from], owner=who.owner, api_key=session.key_of(key),
                                       holder=session.holder_of_key(key))
            except StudioError as exc:
                lang = lang_of(request)
                raise gr.Error(render_msg(exc.msg, lang), title=t("jobview.cannot_retry", lang))
            return {st.job: new_id, st.memory: dict(memory, job=new_id)}
        return retry_job

    w.retry.click(retry(st.job), {st.job, st.key, st.memory}, [st.job, st.memory], api_name="retry",
                  concurrency_limit=None).success(watch.fn, watch.inputs, watch.outputs,
                                                  api_visibility="undocumented", **stream)

    # ---- another take: the same settings with a new random seed ------------------------------------
    def another_take(given: dict, request: gr.Request):
        job_id, key, memory = given[st.job], given[st.key], given[st.memory]
        who = ctx.visitor(request, memory)
        memory = session.remembered(memory)
        try:
            draft = manager.remix_draft(job_id, owner=who.owner)
        except JobNotFound as exc:  # no job open (an API call), or not one of this visitor's
            lang = lang_of(request)
            raise gr.Error(render_msg(exc.msg, lang), title=t("jobview.nothing_changed", lang))
        try:
            new_id = manager.start(replace(draft, seed=None), owner=who.owner, api_key=session.key_of(key),
                                   holder=session.holder_of_key(key))
        except StudioError as exc:
            return {scene.form_alert: alert_html(exc.msg, lang=lang_of(request))}
        return {st.job: new_id, st.memory: dict(memory, job=new_id), scene.form_alert: ""}

    w.another.click(another_take, {st.job, st.key, st.memory}, [st.job, st.memory, scene.form_alert],
                    api_name="another_take", concurrency_limit=None).success(
        watch.fn, watch.inputs, watch.outputs, api_visibility="undocumented", **stream)

    # ---- its settings into the form -----------------------------------------------------------------
    def use_settings(given: dict, request: gr.Request):
        who = ctx.visitor(request, given[st.memory])
        try:
            draft = manager.remix_draft(given[st.job], owner=who.owner)
        except StudioError as exc:
            return {scene.form_alert: alert_html(exc, nothing_sent=False, lang=lang_of(request))}
        return restore(ctx, page, draft, msg("cast.from.video"), request) | {
            scene.form_alert: ""}

    w.use_settings.click(use_settings, {st.job, st.memory}, [*form_outputs, scene.form_alert],
                         api_visibility="undocumented", concurrency_limit=None)
    return Actions(load=load, retry=retry, watch=watch)
