"""The result pane, always in view: the price and **Generate video**, the one progress view of the
job, and then its video with what to do next (download, another take, its settings into the form).

Never pay by accident: the button is disabled from the click until the job exists; a second
Generate of the same draft soon after asks first (workspace/start.py); in live mode the first Generate
of a session shows what will be sent and its estimated price, and asks (with "don't ask again")."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..errors import StudioError
from ..messages import DEFAULT, both, phrase_list, render_msg, t
from ..workspace import form, session
from ..workspace import recipe as recipes
from ..workspace.gallery import first_words
from ..workspace.start import ASK_REPEAT, StartChecks
from . import context, fieldnotes, jobview, packpanel, sharepanel, spendpanel, status, videoview
from . import takes as takes_view
from .context import PageContext, alert_html, esc
from .jobview import render_decision
from .language import label, lang_of

DISABLE_JS = "(...args) => { const b = document.getElementById('generate-btn'); if (b) b.disabled = true; return args; }"
# Once Generate has answered: the result pane (progress, then the video) into view, unless the form
# said why nothing was sent (the pane says it too, beside Generate).  On a phone, the progress itself,
# above the fixed bar (scripts.RESULT_JS).
SCROLL_JS = """() => { if (document.querySelector('#form-alert .form-alert')) return;
  if (window.matchMedia('(max-width: 760px)').matches) { if (window.r2vShowProgress) window.r2vShowProgress(); return; }
  const el = document.getElementById('result-pane'); if (!el) return;
  const r = el.getBoundingClientRect(); if (r.top < 0 || r.top > window.innerHeight * 0.6) el.scrollIntoView({block: 'start'}); }"""


@dataclass
class ResultWidgets:
    price: gr.HTML
    generate: gr.Button
    blocked: gr.HTML  # why the last Generate sent nothing, beside the button (a copy of the form's alert)
    confirm_box: gr.Column
    confirm_text: gr.HTML
    confirm_go: gr.Button
    confirm_cancel: gr.Button
    dont_ask: gr.Checkbox
    status_box: gr.HTML
    decision: gr.Column
    found_task: gr.Textbox
    attach: gr.Button
    resubmit: gr.Button
    discard: gr.Button
    retry: gr.Button
    result_box: gr.Column
    video: gr.HTML  # a plain <video> (videoview.py)
    takes: gr.Dropdown  # 1-4 videos of this draft, each with its own seed (takes.py)
    takes_grid: gr.HTML
    compare_takes: gr.Button  # wired by comparepanel
    download: gr.DownloadButton
    another: gr.Button
    use_settings: gr.Button
    summary: gr.Markdown
    budget: gr.HTML | None = None  # what is left of today's budget (spendpanel.py)
    share: gr.Button | None = None  # this video into the Share dialog (sharepanel.py)
    share_takes: gr.Button | None = None  # a batch's takes into the Share dialog, shown with compare_takes
    pack: Any = None  # packpanel.PackWidgets: Download pack of this video
    pack_takes: Any = None  # packpanel.PackWidgets: Download pack of a batch's takes, shown with compare_takes
    recipe: gr.Textbox | None = None  # /generate's `recipe`: a hand-over pack's recipe.json run again (API only)


def render(ctx: PageContext) -> ResultWidgets:
    with gr.Column(elem_id="generate-bar", elem_classes=["generate-bar"]):
        price = fieldnotes.render_price(ctx.settings)
        with gr.Row(elem_id="generate-row", equal_height=True):
            takes = takes_view.render_picker()
            generate = gr.Button(label("ui.generate"), variant="primary", size="lg", elem_id="generate-btn", scale=1)
        # Why the last Generate sent nothing, beside the button where the user looks: the form's alert
        # copied by scripts.RESULT_JS (no role: the form's alert is the one a screen reader hears, once).
        blocked = gr.HTML('<div class="pane-alert" id="pane-alert-text"></div>', elem_id="pane-alert", min_height=0,
                          padding=False)
        budget = spendpanel.render_bar(ctx)
        gr.HTML(f'<div class="kbd-hint">{both("result.kbd_hint", markup=True)}</div>', min_height=0,
                elem_id="kbd-hint")
        # A phone's bar: the running job in one line (filled by scripts.RESULT_JS; a tap shows the status).
        gr.HTML('<button type="button" id="bar-status"></button>', min_height=0, padding=False,
                elem_id="bar-status-box")
    with gr.Column(visible=False, elem_id="confirm-box", elem_classes=["confirm-box"]) as confirm_box:
        confirm_text = gr.HTML("", elem_id="confirm-text")
        with gr.Row():
            confirm_go = gr.Button(label("ui.send_it"), variant="primary", elem_id="confirm-go")
            confirm_cancel = gr.Button(label("ui.cancel"), elem_id="confirm-cancel")
        dont_ask = gr.Checkbox(False, label=label("ui.dont_ask"), elem_id="dont-ask")
    gr.HTML(f'<h2 class="step-title">{both("result.title")}</h2>', min_height=0)
    status_box = status.render_box()
    decision = render_decision(ctx.settings)
    retry = gr.Button(label("ui.try_again"), visible=False, elem_id="retry")
    with gr.Row(elem_id="takes-actions"):
        compare_takes = gr.Button(label("ui.compare_takes"), visible=False, elem_id="compare-takes", size="sm",
                                  variant="primary")
        share_takes = sharepanel.button("ui.share.takes", "share-takes", visible=False)
        pack_takes_button = packpanel.button("ui.download_pack_takes", "pack-takes", visible=False)
    pack_takes = packpanel.PackWidgets(pack_takes_button, packpanel.status("pack-takes"))
    takes_grid = takes_view.render_grid()
    with gr.Column(visible=False, elem_id="result-box") as result_box:
        video = videoview.render("result-video")
        with gr.Row(elem_id="result-actions"):
            download = gr.DownloadButton(label("ui.download_mp4"), elem_id="download-result", size="sm")
            another = gr.Button(label("ui.another_take"), elem_id="another-take", size="sm")
            use_settings = gr.Button(label("ui.reuse_settings"), elem_id="use-settings", size="sm")
            share = sharepanel.button("ui.share", "share-result")
            pack_button = packpanel.button("ui.download_pack", "pack-result")
        pack = packpanel.PackWidgets(pack_button, packpanel.status("pack-result"))
        summary = status.render_summary()
    recipe = gr.Textbox("", visible=False, label="recipe", elem_id="recipe-input")  # never shown: the API's parameter
    return ResultWidgets(price, generate, blocked, confirm_box, confirm_text, confirm_go, confirm_cancel, dont_ask, status_box,
                         decision.box, decision.found_task, decision.attach, decision.resubmit, decision.discard, retry,
                         result_box, video, takes, takes_grid,
                         compare_takes, download, another, use_settings, summary, budget, share, share_takes, pack,
                         pack_takes, recipe)


def confirm_html(draft: Any, price_text: Any, *, duplicate_s: float | None, live: bool, takes: int = 1,
                 lang: str = DEFAULT) -> str:
    """What will be sent and what it costs, asked before a live or a repeated start, in `lang`
    (`price_text`: the estimate, a Msg or words)."""
    n = len(draft.references)
    items = [t("confirm.one_character", lang) if n == 1 else t("confirm.characters", lang, n=n),
             draft.size.replace("*", " × "), t("status.secs", lang, s=draft.duration),
             t("summary.multi" if draft.shot_type == "multi" else "summary.single", lang),
             t("confirm.sound_on" if draft.audio else "confirm.sound_off", lang)]
    if takes > 1:
        items.append(t("confirm.takes" if live else "confirm.takes_demo", lang, n=takes))  # demo: no charges
    what = t("confirm.what", lang, items=phrase_list(items, lang))
    head = (t("confirm.repeat", lang, s=f"{duplicate_s:.0f}") if duplicate_s is not None
            else t("confirm.live", lang))
    money = f"<div>{t('confirm.money', lang, price=esc(render_msg(price_text, lang)))}</div>" if live else ""
    return (f'<div class="confirm" role="alertdialog" aria-label="{esc(t("confirm.aria", lang))}"><b>{esc(head)}</b>'
            f'<div>{esc(what)}</div><div class="confirm-prompt">“{esc(first_words(draft.prompt, 160))}”</div>{money}</div>')


def refused(exc: StudioError, lang: str) -> str:
    """The form's alert for a start that was refused: the error's own words in `lang`."""
    return alert_html(exc.msg, lang=lang)


def listen(w: ResultWidgets, ctx: PageContext, page: Any) -> jobview.Actions:
    """Generate and its confirmation; `page`: the page's widgets (page.PageWidgets: scene, cast, cast_view)."""
    manager, settings, st = ctx.manager, ctx.settings, ctx.states
    scene = page.scene
    checks = StartChecks()
    # Named inputs: the API's parameter names and order (`/generate`, `/confirm_generate`) in one place.
    start_inputs = {"cast": st.cast, "key": st.key, "confirmed": st.confirmed, **scene.named(),
                    "dont_ask": w.dont_ask, "memory": st.memory, "takes": w.takes, "recipe": w.recipe}
    start_outputs = [st.job, scene.form_alert, w.confirm_box, w.confirm_text, w.confirm_go, st.memory, st.confirmed,
                     w.generate]

    def start(force: bool):
        def handler(request: gr.Request = None, **given: Any) -> dict:
            lang = lang_of(request)  # a script's call with no browser language is answered in English
            who = ctx.visitor(request, given["memory"])
            memory = session.remembered(given["memory"])
            key = given["key"]
            cast = ctx.casts.get(request, given["cast"])  # the session's latest cast, not a mirror a check may not have reached
            done = {w.generate: gr.Button(interactive=True), st.memory: memory}
            live = bool(session.key_of(key)) or not settings.demo
            confirmed = bool(given["confirmed"]) or (force and bool(given["dont_ask"]))
            session_id = getattr(request, "session_hash", "") or who.browser
            asked = dict(session_id=session_id, live=live, confirmed=confirmed, force=force, now=time.time())
            recipe_text = given.get("recipe") if isinstance(given.get("recipe"), str) else ""
            try:
                if recipe_text.strip():  # a pack's recipe run again: its own settings and cast, not the form's
                    draft = recipes.finder_for(manager.store, settings.data_dir, who.owner).draft(recipe_text)
                    go = checks.check_draft(draft, given.get("takes", "1"), **asked)
                else:
                    go = checks.check(cast, form.FormValues.from_named(given), given.get("takes", "1"), **asked)
            except StudioError as exc:  # refused in plain words; the form is kept
                return done | {scene.form_alert: refused(exc, lang), w.confirm_box: gr.Column(visible=False)}
            if go.ask is not None:
                text = confirm_html(go.draft, go.price(settings.price), duplicate_s=go.repeat_after_s, live=live,
                                    takes=go.takes, lang=lang)
                ask = label("ui.confirm.again" if go.ask == ASK_REPEAT else "ui.confirm.pay")
                return done | {w.confirm_box: gr.Column(visible=True), w.confirm_text: text,
                               w.confirm_go: gr.Button(ask), scene.form_alert: ""}
            try:
                job_id = manager.start_takes(go.checked, go.takes, owner=who.owner, api_key=session.key_of(key),
                                             holder=session.holder_of_key(key))[0]
            except StudioError as exc:
                return done | {scene.form_alert: refused(exc, lang)}
            if force:
                checks.started(go, session_id=session_id, now=time.time())
            memory = dict(memory, job=job_id)
            return done | {st.job: job_id, st.memory: memory, st.confirmed: confirmed, scene.form_alert: "",
                           w.confirm_box: gr.Column(visible=False)}
        return handler

    watch = packpanel.follow(jobview.make_watch(ctx, w), ctx, w)
    packpanel.listen(w.pack, ctx, st.job, whole_batch=False)
    packpanel.listen(w.pack_takes, ctx, st.job, whole_batch=True)
    stream = dict(concurrency_limit=context.STREAM_LIMIT, concurrency_id="job-streams", show_progress="hidden")
    # Disabled at once in the browser and on the server's side, until the job exists (start re-enables it).
    started = w.generate.click(lambda: gr.Button(interactive=False), None, [w.generate], js=DISABLE_JS, queue=False,
                               show_progress="hidden", api_visibility="private").then(
        start(False), None, start_outputs, inputs_kwargs=start_inputs, api_name="generate", concurrency_limit=None,
        show_progress="minimal")
    started.then(watch.fn, watch.inputs, watch.outputs, api_name="watch_job", **stream)
    started.then(None, js=SCROLL_JS)  # at once, not when the stream ends with the job
    w.confirm_go.click(start(True), None, start_outputs, inputs_kwargs=start_inputs, api_name="confirm_generate",
                       concurrency_limit=None, show_progress="minimal").then(
        watch.fn, watch.inputs, watch.outputs, api_visibility="undocumented", **stream)
    w.confirm_cancel.click(lambda: gr.Column(visible=False), None, [w.confirm_box], api_visibility="private",
                           show_progress="hidden")

    return jobview.listen_actions(w, ctx, page, watch, stream)
