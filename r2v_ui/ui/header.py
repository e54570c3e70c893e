"""The header: the studio's name, which service it talks to (demo or live), the warning when the
data folder does not survive a restart, and one closed panel for the session's API key and the
reference hosting (hostpanel.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..client import key_problem
from ..messages import EN, both, render_msg, t
from ..workspace import session
from . import hostpanel, language
from .context import PageContext, esc
from .language import label



@dataclass
class HeaderWidgets:
    header: gr.HTML
    key_box: gr.Textbox | None
    key_use: gr.Button | None
    key_forget: gr.Button | None
    key_note: gr.HTML | None
    hosting: hostpanel.HostingWidgets
    lang: gr.Radio


STORAGE_NOTICE = t("notice.storage")  # in English, for logs and tests; the page says it in both languages


def storage_notice_html(settings: Any) -> str:
    """The warning shown at the top of the page when the data folder does not survive a restart
    (a Space with no storage named for it), else "".  Drawn when the page is built, before any
    request: in both languages, the page shows its own."""
    if not getattr(settings, "data_dir_temporary", False):
        return ""
    return ('<div class="storage-notice" id="storage-notice" role="note" style="background:#fffbeb;color:#92400e;'
            'border:1px solid #fde68a;border-radius:10px;padding:8px 12px;margin:4px 0">'
            f'<b>{both("notice.storage")}</b> <small>{both("notice.storage_how")}</small></div>')


def badge_html(settings: Any, session_key: Any, lang: str = EN) -> str:
    if not settings.demo:
        return f'<span class="mode-badge mode-live" id="mode-badge">{esc(t("header.live_server", lang))}</span>'
    if session_key:
        return f'<span class="mode-badge mode-live" id="mode-badge">{esc(t("header.live_session", lang))}</span>'
    return f'<span class="mode-badge mode-demo" id="mode-badge">{esc(t("header.demo", lang))}</span>'


def header_html(settings: Any, session_key: Any, lang: str = EN) -> str:
    live = bool(session_key) or not settings.demo
    note = t("header.no_cancel" if live else "header.demo_note", lang)
    return (
        '<header id="studio-header"><div class="brand"><h1>R2V Studio</h1>'
        f'<p>{esc(t("header.tagline", lang))}</p></div>'
        f'<div class="mode">{badge_html(settings, session_key, lang)}<div class="billing-note">{esc(note)}</div></div>'
        '</header>'
    )


def render(ctx: PageContext) -> HeaderWidgets:
    settings = ctx.settings
    lang = language.render_switch(ctx)
    header = gr.HTML(header_html(settings, None), elem_id="studio-header-box")
    if storage_notice_html(settings):  # a Space whose data folder is wiped at restart
        gr.HTML(storage_notice_html(settings), elem_id="storage-notice-box")
    title = label("ui.setup" if settings.demo else "ui.setup_live")
    with gr.Accordion(title, open=False, elem_id="setup-accordion"):
        # The key box exists only without a key in the environment: a job read with the studio's own key
        # (HIGHWAY_API_KEY) is told to restart it or ask its owner instead (jobs/targets.py typed_key).
        if settings.demo:
            gr.HTML(f"<p>{both('setup.own_key', markup=True)}</p>", min_height=0, padding=False)
            with gr.Row(equal_height=True):
                key_box = gr.Textbox(label=label("ui.api_key"), type="password",
                                     placeholder=label("ui.setup.key_placeholder"), scale=4, elem_id="api-key-box")
                key_use = gr.Button(label("ui.use_key"), scale=1, elem_id="api-key-use")
                key_forget = gr.Button(label("ui.forget_key"), scale=1, elem_id="api-key-forget")
            key_note = gr.HTML(f"<p>{both('setup.key_stays')}</p>", elem_id="api-key-note", min_height=0,
                               padding=False)
        else:
            key_box = key_use = key_forget = key_note = None
        hosting = hostpanel.render(settings)
    return HeaderWidgets(header, key_box, key_use, key_forget, key_note, hosting, lang)


def listen(w: HeaderWidgets, ctx: PageContext, demo: gr.Blocks) -> None:
    settings, manager, st = ctx.settings, ctx.manager, ctx.states
    key_outputs = [st.key, w.key_box, w.header, w.key_note, st.memory]

    if w.key_box is not None:
        def use_key(given: dict, request: gr.Request):
            key, memory = (given[w.key_box] or "").strip() or None, given[st.memory]
            problem = key_problem(key)
            if problem is not None:  # said now, in this page's language, not later as a failed job
                return {w.key_box: "", w.key_note: f"<p>{esc(render_msg(problem, language.lang_of(request)))}</p>"}
            who = ctx.visitor(request, memory)
            memory = session.remembered(memory)
            held = session.SessionKey(key, who.holder) if key else None
            if held:  # this browser's own waiting jobs take it; nobody else's job ever does
                manager.provide_key(who.owner, key, holder=held.holder)
            note = f"<p>{esc(language.text('setup.key_set' if key else 'setup.no_key', request))}</p>"
            # The textbox is emptied: the key is read once and never sent back to the browser.
            return {st.key: held, w.key_box: "", w.header: header_html(settings, key, language.lang_of(request)),
                    w.key_note: note, st.memory: memory}

        def forget_key(request: gr.Request):
            return {st.key: None, w.key_box: "", w.header: header_html(settings, None, language.lang_of(request)),
                    w.key_note: f"<p>{esc(language.text('setup.key_forgotten', request))}</p>"}

        key_events = dict(show_progress="hidden", api_visibility="private")
        w.key_use.click(use_key, {w.key_box, st.memory}, key_outputs, **key_events)
        w.key_box.submit(use_key, {w.key_box, st.memory}, key_outputs, **key_events)
        w.key_forget.click(forget_key, None, key_outputs, **key_events)

    language.listen_switch(w.lang)

    def page_language(given: dict, request: gr.Request):
        """On load: the switch shows the request's language, and the header speaks it."""
        lang = language.lang_of(request)
        return {w.lang: lang, w.header: header_html(settings, given[st.key], lang)}

    demo.load(None, None, None, js=language.APPLY_JS, api_visibility="private", queue=False)
    demo.load(page_language, {st.key}, [w.lang, w.header], show_progress="hidden", api_visibility="private",
              queue=False)

    hostpanel.listen(w.hosting, ctx)
