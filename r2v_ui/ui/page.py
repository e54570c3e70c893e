"""The studio page: layout and wiring.  Handlers are thin: they turn widget values into plain data
(cast.py, form.py), call the JobManager, and format its snapshots (status.py, history.py).

Concurrency, on purpose (Gradio queues every event with a limit of 1 by default, which would make
one user's streaming status wait behind another's):
* reading/streaming a job's snapshots and starting a job take no CPU to speak of and only await the
  manager: `concurrency_limit=None`, so any number of users watch their jobs at once;
* checking an uploaded file (Pillow/PyAV headers, maybe a repair) is short CPU work in a thread:
  a small shared pool (`CHECK_CONCURRENCY`) so a burst of uploads cannot starve the page;
* everything else defaults to `DEFAULT_CONCURRENCY` (set in `queue()`).
"""

from __future__ import annotations

import atexit
import itertools
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

import gradio as gr

from .. import spec
from ..errors import R2VError
from . import cards as cards_mod
from . import cast as cast_mod
from . import form, hostpanel, rawinputs, session, status
from . import history as hist
from .notices import storage_notice_html
from .theme import CSS, HEAD, make_theme
from .viewfiles import Viewer

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
CHECK_CONCURRENCY = 4
WATCH_WAKEUP_SECONDS = 5.0  # how often a stream re-reads even without news (time-left text, superseded streams)
DEMO_BADGE = "Demo — built-in emulator, no account; results are previews"


def _owner(request: gr.Request | None) -> str:
    """Whose jobs these are: the signed-in user (never a value sent by the client), "" without --auth."""
    return (getattr(request, "username", None) or "") if request is not None else ""


class _Streams:
    """Which status stream is current for each browser session, so a newer one (a new job, a reload
    of the same tab) makes the older stop instead of both writing to the same player."""

    def __init__(self, size: int = 2000):
        self._current: OrderedDict[str, int] = OrderedDict()
        self._ids = itertools.count(1)
        self._size = size

    def claim(self, session: str) -> int:
        token = next(self._ids)
        self._current[session] = token
        self._current.move_to_end(session)
        while len(self._current) > self._size:
            self._current.popitem(last=False)
        return token

    def is_current(self, session: str, token: int) -> bool:
        return self._current.get(session) == token


def badge_html(settings: Any, session_key: str | None) -> str:
    if not settings.demo:
        return '<span class="mode-badge mode-live" id="mode-badge">Live — using the server\'s API key</span>'
    if session_key:
        return ('<span class="mode-badge mode-live" id="mode-badge">Live — with the key you entered '
                '(this browser session only)</span>')
    return f'<span class="mode-badge mode-demo" id="mode-badge">{DEMO_BADGE}</span>'


def header_html(settings: Any, session_key: str | None) -> str:
    return (
        '<div id="studio-header"><div><h1>R2V Studio</h1>'
        '<p>Cast up to five characters from your own pictures, clips and voices, write a scene, '
        'and get a video back from the Wan 2.7 reference-to-video model.</p></div>'
        f'<div>{badge_html(settings, session_key)}'
        '<div class="billing-note">There is no cancel: once sent, a video is made (and billed) '
        'even if you close the page.</div></div></div>'
    )


def build_app(manager: Any, settings: Any, *, emulator: Any = None) -> gr.Blocks:
    """The whole page for one JobManager.  Nothing here talks to the service: jobs run in the manager."""
    work_dir = Path(settings.data_dir) / "work"
    checked_dir = work_dir / "checked"
    streams = _Streams()
    # Every file the page shows goes out as a per-request copy (see viewfiles.py): the library and
    # work folders are not served by path.
    viewer = Viewer()
    atexit.register(viewer.close)

    with gr.Blocks(title="R2V Studio — characters to video", fill_width=False) as demo:
        cast_state = gr.State(cast_mod.new_cast())
        key_state = gr.State(None)        # a SessionKey (key + its holder): server memory only, never sent back
        browser_id = gr.BrowserState(None, storage_key=session.BROWSER_STORAGE_KEY,
                                     secret=session.browser_secret(settings.data_dir))
        job_state = gr.State(None)        # the job this tab shows
        last_seed = gr.State(None)        # seed of the last finished video, for "reuse the last seed"
        selected_job = gr.State(None)     # the job open in the History detail view
        gallery_ids = gr.State([])        # job ids in gallery order

        header = gr.HTML(header_html(settings, None), elem_id="studio-header-box")
        if storage_notice_html(settings):  # a Space whose data folder is wiped at restart
            gr.HTML(storage_notice_html(settings), elem_id="storage-notice-box")
        if settings.demo:
            with gr.Accordion("Use your own API key (optional — switches this session to the live service)",
                              open=False, elem_id="key-accordion"):
                with gr.Row(equal_height=True):
                    key_box = gr.Textbox(label="API key", type="password", placeholder="paste your key",
                                         scale=4, elem_id="api-key-box")
                    key_use = gr.Button("Use for this session", scale=1, elem_id="api-key-use")
                    key_forget = gr.Button("Forget it", scale=1, elem_id="api-key-forget")
                key_note = gr.Markdown("The key stays in this server's memory for this browser session only: "
                                       "it is never saved, logged, or shown again.")
        else:
            key_box = key_use = key_forget = key_note = None
        with gr.Accordion("Reference hosting — how the service gets your files", open=False,
                          elem_id="hosting-accordion"):
            hosting_info = gr.HTML(hostpanel.describe(settings, hostpanel.session_target(settings, None)),
                                   elem_id="hosting-info")
            with gr.Row(equal_height=True):
                hosting_check = gr.Button("Check", size="sm", scale=0, min_width=90, elem_id="hosting-check")
                hosting_result = gr.HTML("", elem_id="hosting-result")

        with gr.Tabs(elem_id="main-tabs") as tabs:
            with gr.Tab("Studio", id="studio", elem_id="tab-studio"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        gr.Markdown("### 1 · Your cast\nEach card is one character. Card 1 is "
                                    "`character1`, card 2 is `character2`, and so on — use these names "
                                    "in the scene. A card takes a picture (JPEG, PNG, BMP, WEBP) or a video "
                                    "(MP4, MOV; at most 3), plus an optional voice clip.",
                                    elem_classes=["step-title"])
                        with gr.Row(equal_height=False, elem_id="cast-row"):
                            card_widgets = [cards_mod.make_card(n, visible=n == 1) for n in range(1, spec.MEDIA_MAX + 1)]
                        with gr.Row():
                            add_btn = gr.Button("+ Add character", elem_id="add-character")
                            example_btn = gr.Button("Load example cast", variant="secondary",
                                                    elem_id="load-example")
                        gr.Markdown("### 2 · The scene", elem_classes=["step-title"])
                        prompt = gr.Textbox(
                            label="Prompt", lines=4, max_length=spec.PROMPT_MAX, elem_id="prompt",
                            placeholder="e.g. character1 and character2 share an umbrella in a rainy street at night…",
                        )
                        prompt_count = gr.HTML(form.count_label("", spec.PROMPT_MAX), elem_id="prompt-count")
                        hints = gr.HTML("", elem_id="prompt-hints")
                        with gr.Accordion("Things to avoid (negative prompt)", open=False):
                            negative = gr.Textbox(label="Negative prompt", lines=2, max_length=spec.NEGATIVE_PROMPT_MAX,
                                                  elem_id="negative-prompt", placeholder="e.g. blurry, extra fingers")
                            negative_count = gr.HTML(form.count_label("", spec.NEGATIVE_PROMPT_MAX),
                                                     elem_id="negative-count")
                        gr.Markdown("### 3 · Settings", elem_classes=["step-title"])
                        d = form.DEFAULTS
                        with gr.Group():
                            with gr.Row():
                                tier = gr.Radio(list(spec.TIERS), value=d.tier, label="Resolution", elem_id="tier")
                                aspect = gr.Radio(list(spec.ASPECTS), value=d.aspect, label="Aspect ratio",
                                                  elem_id="aspect")
                            size_info = gr.HTML(f'<div class="size-info">{form.size_label(d.tier, d.aspect)}</div>',
                                                elem_id="size-info")
                            with gr.Row():
                                duration = rawinputs.WholeSlider(spec.DURATION_MIN, spec.DURATION_MAX, value=d.duration, step=1,
                                                     label="Duration (seconds)", elem_id="duration")
                                shot = gr.Radio(form.SHOT_CHOICES, value=d.shot_type, label="Shots", elem_id="shot-type")
                            with gr.Row():
                                audio = gr.Checkbox(value=d.audio, label="Sound", elem_id="audio",
                                                    info="Generate a sound track (voices use the clips you added).")
                                watermark = gr.Checkbox(value=d.watermark, label="Watermark", elem_id="watermark",
                                                        info="A mark in the lower-right corner.")
                            with gr.Row(equal_height=False):
                                seed_mode = gr.Radio(form.SEED_CHOICES, value=d.seed_mode, label="Seed", scale=2,
                                                     elem_id="seed-mode", info="The same seed and settings give a similar video.")
                                with gr.Column(scale=2, min_width=180):
                                    seed = rawinputs.WholeNumber(value=None, label="Seed number", precision=0, minimum=spec.SEED_MIN,
                                                     maximum=spec.SEED_MAX, elem_id="seed", visible=False)
                                    reuse_seed = gr.Button("Reuse the last seed", size="sm", elem_id="reuse-seed")
                        price = gr.HTML(form.price_label(settings.price, d.tier, d.aspect, d.duration, []),
                                        elem_id="price-box")
                        form_alert = gr.HTML("", elem_id="form-alert")
                        generate_btn = gr.Button("Generate video", variant="primary", size="lg", elem_id="generate-btn")
                    with gr.Column(scale=2, elem_id="result-column"):
                        gr.Markdown("### Your video", elem_classes=["step-title"])
                        status_box = gr.HTML(status.LOADING_HTML, elem_id="job-status")
                        with gr.Column(visible=False, elem_id="decision-row") as decision_row:
                            with gr.Row():
                                found_task = gr.Textbox(
                                    label="Found it in your account? Paste its task id", scale=3,
                                    placeholder="task id", elem_id="found-task-id")
                                attach_btn = gr.Button("Follow this task", scale=1, elem_id="attach-task")
                            with gr.Row():
                                resubmit_btn = gr.Button("Resubmit (may bill twice)", variant="stop", elem_id="resubmit")
                                discard_btn = gr.Button("Discard", elem_id="discard")
                        retry_btn = gr.Button("Try again", visible=False, elem_id="retry")
                        with gr.Column(visible=False, elem_id="result-box") as result_box:
                            result_video = gr.Video(label="Result", show_label=False, interactive=False, autoplay=True, loop=True,
                                                    elem_id="result-video", buttons=["download"])
                            download_btn = gr.DownloadButton("⬇ Download MP4", elem_id="download-result",
                                                             variant="secondary")
                            summary = gr.Markdown(elem_id="result-summary")
                        with gr.Accordion("How it works", open=False):
                            gr.Markdown(
                                "1. Each file is checked as soon as you add it; small problems (rotation, "
                                "transparency, size) are fixed on a copy and the card says so.\n"
                                "2. **Generate video** sends the job to the studio's own worker: it uploads "
                                "your references, sends the request, follows it, and downloads the video.\n"
                                "3. Reloading or closing the page does not stop it; the page finds your job again, "
                                "and the **History** tab keeps every video.\n"
                                "4. Prices are estimates. There is no way to stop a video once it is sent."
                            )
            with gr.Tab("History", id="history", elem_id="tab-history") as history_tab:
                hw = hist.make_history()

        # ---- the cast -----------------------------------------------------------------------
        all_card_outputs = [w for cw in card_widgets for w in cw.outputs()]

        def cast_view(cast: list) -> list[Any]:
            return [*cards_mod.render_all(cast, viewer.request()), cast, gr.Button(interactive=cast_mod.can_add(cast))]

        cast_outputs = [*all_card_outputs, cast_state, add_btn]

        def on_add(cast):
            return cast_view(cast_mod.add_card(cast))

        add_btn.click(on_add, [cast_state], cast_outputs, show_progress="hidden", api_visibility="undocumented")

        def on_example():
            from ..examples import example_cast

            ex = example_cast(Path(settings.data_dir) / "examples")
            cast: list = []
            for i, ch in enumerate(ex.characters):
                card = cast_mod.check_media(cast_mod.empty_card(), str(ch.image), i + 1, cast, i,
                                            display_name=ch.image.name, work_dir=checked_dir)
                if ch.voice:
                    card = cast_mod.check_voice(card, str(ch.voice), display_name=ch.voice.name, work_dir=checked_dir)
                cast.append(card)
            return [*cast_view(cast), ex.prompt, ex.negative_prompt, ""]

        example_btn.click(on_example, None, [*cast_outputs, prompt, negative, form_alert], api_name="load_example_cast",
                          concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks")

        for cw in card_widgets:
            _wire_card(cw, cast_state, prompt, cast_outputs, cast_view, checked_dir, viewer)

        # ---- live counts, hints, size, price ------------------------------------------------
        def refresh(cast, prompt_text, negative_text, tier_v, aspect_v, duration_v):
            return (
                form.count_label(prompt_text, spec.PROMPT_MAX),
                form.count_label(negative_text, spec.NEGATIVE_PROMPT_MAX),
                form.hints_html(prompt_text, cast),
                f'<div class="size-info">{form.size_label(tier_v, aspect_v)}</div>',
                form.price_label(settings.price, tier_v, aspect_v, duration_v, cast),
            )

        gr.on(
            [cast_state.change, prompt.change, negative.change, tier.change, aspect.change, duration.change],
            refresh, [cast_state, prompt, negative, tier, aspect, duration],
            [prompt_count, negative_count, hints, size_info, price],
            show_progress="hidden", trigger_mode="always_last", concurrency_limit=None, api_visibility="undocumented",
        )

        # ---- session key --------------------------------------------------------------------
        if key_box is not None:
            def use_key(value, browser, request: gr.Request):
                key = (value or "").strip() or None
                browser = browser or session.new_browser_id()
                held = session.SessionKey(key, session.holder(request, browser)) if key else None
                if held:  # this browser's own waiting jobs take it; nobody else's job ever does
                    manager.provide_key(_owner(request), key, holder=held.holder)
                note = ("✓ A key is set for this browser session. Jobs you start now go to the live service."
                        if key else "No key was entered.")
                # The textbox is emptied: the key is read once and never sent back to the browser.
                return held, "", header_html(settings, key), note, browser

            def forget_key():
                return None, "", header_html(settings, None), "The key was forgotten. Back to demo mode."

            key_events = dict(show_progress="hidden", api_visibility="private")
            key_outputs = [key_state, key_box, header, key_note, browser_id]
            key_use.click(use_key, [key_box, browser_id], key_outputs, **key_events)
            key_box.submit(use_key, [key_box, browser_id], key_outputs, **key_events)
            key_forget.click(forget_key, None, [key_state, key_box, header, key_note], **key_events)

        # ---- reference hosting ------------------------------------------------------------------
        def hosting_view(key):
            return hostpanel.describe(settings, hostpanel.session_target(settings, key))

        def check_hosting(key):
            return hosting_view(key), hostpanel.check_html(manager, hostpanel.session_target(settings, key))

        hosting_check.click(check_hosting, [key_state], [hosting_info, hosting_result], api_name="check_hosting",
                            concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks")
        key_state.change(lambda key: (hosting_view(key), ""), [key_state], [hosting_info, hosting_result],
                         show_progress="hidden", api_visibility="private")

        # ---- generate, and follow the job ----------------------------------------------------
        form_inputs = [prompt, negative, tier, aspect, duration, shot, audio, watermark, seed_mode, seed]

        def start_job(cast, key, prompt_v, negative_v, tier_v, aspect_v, duration_v, shot_v, audio_v, watermark_v,
                      seed_mode_v, seed_v, request: gr.Request):
            values = form.FormValues(prompt_v or "", negative_v or "", tier_v, aspect_v, duration_v,
                                     shot_v, audio_v, watermark_v, seed_mode_v, seed_v)
            try:
                draft = form.build_draft(cast, values)
                job_id = manager.start(draft, owner=_owner(request), api_key=session.key_of(key),
                                       holder=session.holder_of_key(key))
            except (ValueError, R2VError) as exc:  # spec.RequestInvalid is a ValueError: plain words, form kept
                message = str(exc) or "The request is not valid."
                return gr.skip(), f'<div class="form-alert" role="alert"><b>Nothing was sent.</b> {_esc(message)}</div>'
            return job_id, ""

        def _view(snap: Any, first: bool, last_state: str | None) -> list[Any]:
            """Updates for watch_outputs; the player is only touched when the result changes."""
            if snap is None:
                return [status.IDLE_HTML, None, gr.DownloadButton(value=None), "", gr.Column(visible=False),
                        gr.Column(visible=False), gr.Button(visible=False), gr.skip()]
            done = snap.state == "succeeded" and snap.video_path is not None
            video: Any = gr.skip()
            download: Any = gr.skip()
            if first or (done and last_state != "succeeded"):
                shown = viewer.request()(snap.video_path) if done else None
                video = shown
                download = gr.DownloadButton(value=shown)
            return [
                status.stage_html(snap), video, download,
                status.summary_markdown(snap) if done else "",
                gr.Column(visible=done),
                gr.Column(visible=snap.state == "uncertain"),
                gr.Button(visible=snap.state == "failed" or snap.video_missing),
                snap.seed_used if (done and snap.seed_used is not None) else gr.skip(),
            ]

        watch_outputs = [status_box, result_video, download_btn, summary, result_box, decision_row, retry_btn, last_seed]

        async def watch_job(job_id, request: gr.Request):
            """Streams one job's snapshots to this tab until it ends (reads only: the manager does the work)."""
            session = getattr(request, "session_hash", None) or ""
            token = streams.claim(session)
            snap = manager.snapshot(job_id, owner=_owner(request)) if job_id else None
            yield _view(snap, True, None)
            last_state = snap.state if snap else None
            while snap is not None and not snap.terminal and snap.state != "uncertain":
                newer = await manager.wait_for_change(job_id, snap.version, WATCH_WAKEUP_SECONDS)
                if not streams.is_current(session, token):
                    return  # a newer stream for this tab took over
                snap = newer or snap
                yield _view(snap, False, last_state)
                last_state = snap.state

        stream_opts = dict(concurrency_limit=None, show_progress="hidden")
        started = generate_btn.click(
            start_job, [cast_state, key_state, *form_inputs], [job_state, form_alert],
            api_name="generate", concurrency_limit=None, show_progress="minimal",
        )
        started.success(watch_job, [job_state], watch_outputs, api_name="watch_job", **stream_opts)

        def resume(request: gr.Request):
            """After a reload or a new tab: this user's newest unfinished job, or else the latest one,
            with the form as it was when that job was started (so a reload loses nothing)."""
            owner = _owner(request)
            snap = manager.latest_job(owner=owner)
            if snap is None:
                return [None, *[gr.skip()] * (len(cast_outputs) + len(form_inputs))]
            try:
                draft = manager.remix_draft(snap.job_id, owner=owner)
            except (R2VError, OSError, ValueError):
                return [snap.job_id, *[gr.skip()] * (len(cast_outputs) + len(form_inputs))]
            v = form.values_from_draft(draft)
            cast = cast_mod.from_references(draft.references, note="from your last job")
            return [snap.job_id, *cast_view(cast), v.prompt, v.negative_prompt, v.tier, v.aspect, v.duration,
                    v.shot_type, v.audio, v.watermark, v.seed_mode,
                    gr.Number(value=v.seed, visible=v.seed_mode == form.SEED_FIXED)]

        demo.load(resume, None, [job_state, *cast_outputs, *form_inputs], api_name="resume",
                  concurrency_limit=None).then(
            watch_job, [job_state], watch_outputs, api_visibility="undocumented", **stream_opts)

        def decide(action: str):
            def handler(job_id, key, task_id, request: gr.Request):
                try:
                    manager.resolve_uncertain(job_id, action, owner=_owner(request), api_key=session.key_of(key),
                                              holder=session.holder_of_key(key),
                                              task_id=task_id)
                except R2VError as exc:
                    raise gr.Error(str(exc))
                return job_id, ""
            return handler

        for btn, action in ((attach_btn, "attach"), (resubmit_btn, "resubmit"), (discard_btn, "discard")):
            btn.click(decide(action), [job_state, key_state, found_task], [job_state, found_task],
                      api_name=f"{action}_uncertain", concurrency_limit=None).success(
                watch_job, [job_state], watch_outputs, api_visibility="undocumented", **stream_opts)

        def retry_job(job_id, key, request: gr.Request):
            try:
                return (manager.retry(job_id, owner=_owner(request), api_key=session.key_of(key),
                                      holder=session.holder_of_key(key)), gr.Tabs(selected="studio"))
            except (ValueError, R2VError) as exc:
                raise gr.Error(str(exc), title="Could not start again")

        retry_btn.click(retry_job, [job_state, key_state], [job_state, tabs], api_name="retry",
                        concurrency_limit=None).success(watch_job, [job_state], watch_outputs,
                                                        api_visibility="undocumented", **stream_opts)

        def reuse_last_seed(seed_value):
            if seed_value is None:
                gr.Info("No finished video yet: its seed appears here once one is done.")
                return gr.skip(), gr.skip()
            return form.SEED_FIXED, gr.Number(value=seed_value, visible=True)

        reuse_seed.click(reuse_last_seed, [last_seed], [seed_mode, seed], api_visibility="undocumented")
        seed_mode.change(lambda mode: gr.Number(visible=mode == form.SEED_FIXED), [seed_mode], [seed],
                         show_progress="hidden", api_visibility="undocumented", concurrency_limit=None)

        # ---- history ---------------------------------------------------------------------------
        def list_history(status_filter, search, request: gr.Request):
            snaps = hist.filter_jobs(manager.list_jobs(owner=_owner(request), status=status_filter or "all"), search)
            items = hist.gallery_items(snaps, work_dir, viewer.request())
            return items, [s.job_id for s in snaps], gr.Markdown(visible=not snaps)

        history_outputs = [hw.gallery, gallery_ids, hw.empty_note]
        for trigger in (history_tab.select, hw.refresh.click, hw.status_filter.change, hw.search.submit):
            trigger(list_history, [hw.status_filter, hw.search], history_outputs, concurrency_limit=None,
                    api_name="list_history" if trigger is hw.refresh.click else None,
                    api_visibility="public" if trigger is hw.refresh.click else "undocumented")

        def detail_view(job_id, request: gr.Request) -> list[Any]:
            snap = manager.snapshot(job_id, owner=_owner(request)) if job_id else None
            if snap is None:
                return [None, gr.Column(visible=False), None, "", gr.DownloadButton(visible=False),
                        gr.Button(visible=False), gr.Row(visible=False)]
            shown = viewer.request()(snap.video_path)
            return [
                job_id, gr.Column(visible=True), shown,
                hist.detail_markdown(snap),
                gr.DownloadButton(value=shown, visible=shown is not None),
                gr.Button(visible=snap.state == "failed" or snap.video_missing), gr.Row(visible=False),
            ]

        detail_outputs = [selected_job, hw.detail, hw.video, hw.info, hw.download, hw.retry, hw.confirm_row]

        def on_pick(ids, evt: gr.SelectData, request: gr.Request):
            index = evt.index if isinstance(evt.index, int) else (evt.index or [0])[0]
            job_id = ids[index] if 0 <= index < len(ids) else None
            return detail_view(job_id, request)

        hw.gallery.select(on_pick, [gallery_ids], detail_outputs, concurrency_limit=None,
                          api_visibility="undocumented")

        def open_job(job_id, request: gr.Request):
            """The API's way to the detail view of one of *your* jobs (others' look like missing ones)."""
            return detail_view(job_id, request)

        api_job_id = gr.Textbox(visible=False, elem_id="api-job-id")
        api_job_id.submit(open_job, [api_job_id], detail_outputs, api_name="job_detail", concurrency_limit=None)

        def remix(job_id, request: gr.Request):
            try:
                draft = manager.remix_draft(job_id, owner=_owner(request))
            except R2VError as exc:
                raise gr.Error(str(exc))
            cast = cast_mod.from_references(draft.references, note="from the job you are remixing")
            v = form.values_from_draft(draft)
            gr.Info("The whole form is restored: change what you like, then generate.")
            return [*cast_view(cast), v.prompt, v.negative_prompt, v.tier, v.aspect, v.duration, v.shot_type,
                    v.audio, v.watermark, v.seed_mode, gr.Number(value=v.seed, visible=v.seed_mode == form.SEED_FIXED),
                    gr.Tabs(selected="studio"), ""]

        hw.remix.click(remix, [selected_job], [*cast_outputs, *form_inputs, tabs, form_alert], api_name="remix",
                       concurrency_limit=None)

        def reuse_job_seed(job_id, request: gr.Request):
            snap = manager.snapshot(job_id, owner=_owner(request)) if job_id else None
            value = (snap.seed_used if snap and snap.seed_used is not None else
                     (snap.settings or {}).get("seed") if snap else None)
            if value is None:
                gr.Info("This job has no seed to reuse (the service had not chosen one yet).")
                return gr.skip(), gr.skip(), gr.skip()
            gr.Info(f"Seed {value} is set in the studio.")
            return form.SEED_FIXED, gr.Number(value=value, visible=True), gr.Tabs(selected="studio")

        hw.reuse_seed.click(reuse_job_seed, [selected_job], [seed_mode, seed, tabs], api_visibility="undocumented")

        hw.delete.click(lambda: gr.Row(visible=True), None, [hw.confirm_row], api_visibility="private",
                        show_progress="hidden")
        hw.cancel_delete.click(lambda: gr.Row(visible=False), None, [hw.confirm_row], api_visibility="private",
                               show_progress="hidden")

        def delete_job(job_id, status_filter, search, request: gr.Request):
            snap = manager.snapshot(job_id, owner=_owner(request)) if job_id else None
            served = viewer.served_copies(snap.video_path, snap.poster_path) if snap else []
            if not job_id or not manager.delete(job_id, owner=_owner(request)):
                raise gr.Error("This job cannot be deleted: it is still running (it may still be billed), "
                               "or it is not in your history.")
            viewer.remove(served)  # every copy the page ever served of it goes too
            gr.Info("Deleted.")
            return [*list_history(status_filter, search, request), *detail_view(None, request)]

        hw.confirm_delete.click(delete_job, [selected_job, hw.status_filter, hw.search],
                                [*history_outputs, *detail_outputs], api_name="delete_job", concurrency_limit=None)

        hw.retry.click(retry_job, [selected_job, key_state], [job_state, tabs], api_visibility="undocumented",
                       concurrency_limit=None).success(watch_job, [job_state], watch_outputs,
                                                       api_visibility="undocumented", **stream_opts)

    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY)
    return demo


def _wire_card(cw: cards_mod.CardWidgets, cast_state, prompt, cast_outputs, cast_view, checked_dir: Path,
               viewer: Viewer) -> None:
    """The events of one card; slot index i is fixed, the data moves between slots."""
    i, n = cw.n - 1, cw.n
    one = [*cw.outputs(), cast_state]
    quiet = dict(show_progress="hidden", api_visibility="undocumented")
    checks = dict(concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks", api_visibility="undocumented")

    def one_view(cast):
        return [*cards_mod.render(cast[i], n, len(cast), viewer.request()), cast]

    def on_media(cast, upload):
        if not upload or i >= len(cast):
            return one_view(cast)
        card = cast_mod.check_media(cast[i], upload, n, cast, i, work_dir=checked_dir)
        return one_view(cast_mod.replace_card(cast, i, card))

    def on_media_clear(cast):
        return one_view(cast_mod.replace_card(cast, i, cast_mod.clear_media(cast[i]))) if i < len(cast) else one_view(cast)

    async def on_link(cast, url):
        """A pasted link is checked at once (reachable, type, size), the verdict on the card."""
        if i >= len(cast):
            return one_view(cast)
        card = await cast_mod.check_link(cast[i], url, n, cast, i)
        return one_view(cast_mod.replace_card(cast, i, card))

    def on_voice(cast, upload):
        if not upload or i >= len(cast):
            return one_view(cast)
        return one_view(cast_mod.replace_card(cast, i, cast_mod.check_voice(cast[i], upload, work_dir=checked_dir)))

    def on_voice_clear(cast):
        return one_view(cast_mod.replace_card(cast, i, cast_mod.clear_voice(cast[i]))) if i < len(cast) else one_view(cast)

    cw.media.upload(on_media, [cast_state, cw.media], one, **checks)
    cw.media.clear(on_media_clear, [cast_state], one, **quiet)
    links = dict(show_progress="minimal", api_visibility="undocumented", concurrency_limit=None)
    cw.use_link.click(on_link, [cast_state, cw.link], one, **links)
    cw.link.submit(on_link, [cast_state, cw.link], one, **links)
    cw.voice.upload(on_voice, [cast_state, cw.voice], one, **checks)
    cw.voice.stop_recording(on_voice, [cast_state, cw.voice], one, **checks)
    cw.voice.clear(on_voice_clear, [cast_state], one, **quiet)
    cw.insert.click(lambda p: form.insert_tag(p, n), [prompt], [prompt], **quiet)
    cw.up.click(lambda cast: cast_view(cast_mod.move_card(cast, i, -1)), [cast_state], cast_outputs, **quiet)
    cw.down.click(lambda cast: cast_view(cast_mod.move_card(cast, i, +1)), [cast_state], cast_outputs, **quiet)
    cw.remove.click(lambda cast: cast_view(cast_mod.remove_card(cast, i)), [cast_state], cast_outputs, **quiet)


def launch_kwargs() -> dict[str, Any]:
    """What to pass to `demo.launch()` for the studio's look."""
    return {"theme": make_theme(), "css": CSS, "head": HEAD}


def _esc(text: str) -> str:
    import html

    return html.escape(text)
