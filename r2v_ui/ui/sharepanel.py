"""The Share dialog: one over the page for the three places a Share starts from — a finished job (the
result pane, History's detail), a batch of takes (the result pane's "Share these takes…") and the
videos Compare shows.  Options: how long the link works (1, 7, 30 days or until revoked), an optional
password, whether the prompt and settings are shown (off by default).  The link is shown with a Copy
button, at the studio's address for others (PUBLIC_BASE_URL, else the --share link, else the address
this page was opened at; when only this machine can reach the studio the dialog says the link is for
it only), and under it the owner's links for these videos with their views, one of which can be revoked.

Light on the page: one set of widgets for every Share, in a column Gradio builds only when it is
first shown.  The owner is the visitor (session.py), never a value the page sends.  The rules live in
workspace/sharing.py; the share service itself is r2v_ui/share/."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any, Callable

import gradio as gr

from .. import addresses
from ..errors import StudioError
from ..messages import t
from ..workspace import sharing
from .context import PageContext, alert_html
from .feedback import views_words
from ..messages.formats import day_time
from .language import choices, label, lang_of

EXPIRY_OPTIONS = [(f"ui.share.expiry.{v}", v) for v in ("1d", "7d", "30d", "never")]
DEFAULT_EXPIRY = "7d"
SINGLE, TAKES, LIST = "single", "takes", "list"  # what a Share button names: its job, its batch, the ids given
# Once the dialog is open: its first choice takes the focus (HEAD's r2vShareFocus; named here, not
# spelt out after each of the four Share buttons in the page's configuration).
# Run as the click's own script (it hands the inputs on): no second event per button in the configuration.
FOCUS_JS = "(...a) => { if (window.r2vShareFocus) window.r2vShareFocus(); return a; }"

# The focus into the dialog; copy the link; seek a video to a note's time (History's player, or every video Compare plays in
# step); Escape closes the dialog.  Delegated from the document: Gradio redraws the boxes.
HEAD = """<script>
(() => {
  // The dialog's first choice takes the focus, again until Gradio has drawn it.
  window.r2vShareFocus = () => { let n = 0; const go = () => {
    const el = document.querySelector('#share-box input[type=radio]');
    if (el && el.getClientRects().length) { document.getElementById('share-box').scrollIntoView({block: 'nearest'});
      el.focus({preventScroll: true}); } else if (n++ < 50) setTimeout(go, 100); }; go(); };
  const copy = (b) => {
    const input = document.getElementById(b.dataset.for);
    if (!input) return;
    const done = () => { b.textContent = b.dataset.done; };
    const old = () => { input.focus(); input.select(); try { document.execCommand('copy'); done(); } catch (err) {} };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, old);
    else old();
  };
  document.addEventListener('click', (e) => {
    const b = e.target.closest && e.target.closest('.share-copy[data-for]');
    if (b) copy(b);
    const s = e.target.closest && e.target.closest('.note-seek[data-seconds]');
    if (!s) return;
    const at = Number(s.dataset.seconds);
    const vs = s.dataset.seek === 'compare' ? [...document.querySelectorAll('#compare-slots video.r2v-sync')]
                                            : [...document.querySelectorAll('#history-video video')];
    vs.forEach(v => { v.pause(); v.currentTime = Math.min(at, v.duration || at); });
    if (vs[0]) vs[0].scrollIntoView({block: 'nearest'});
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    const c = document.getElementById('share-close');
    if (c && c.getClientRects().length) c.click();
  });
})();
</script>"""

CSS = """
#share-box { position: fixed !important; z-index: 95; left: 50%; top: 50%; transform: translate(-50%, -50%);
  width: min(560px, calc(100vw - 24px)) !important; max-height: calc(100vh - 24px); overflow-y: auto;
  background: var(--background-fill-primary); border: 1px solid var(--border-color-primary); border-radius: 12px;
  padding: 12px !important; box-shadow: 0 0 0 100vmax rgba(15, 23, 42, .45), 0 12px 40px rgba(15, 23, 42, .35); }
/* The result pane's row of a batch's actions (Compare, Share) takes no room while both are hidden. */
#takes-actions:not(:has(button)) { display: none !important; }
/* The dialog scrolls as one: its parts keep their height (a squeezed form would wrap into a second column). */
#share-box > *, #share-box .form { flex-shrink: 0 !important; }
#share-box .form { flex-wrap: nowrap !important; }
.share-head h2 { font-size: 1.1rem; margin: 0 0 4px; }
.share-head p, .share-local { font-size: .85rem; color: #334155; margin: 0; }
.share-ready p { margin: 0 0 4px; }
.share-url-row { display: flex; gap: 6px; }
.share-url { flex: 1; min-width: 0; font-family: var(--font-mono); font-size: .85rem; padding: 6px 8px;
  border: 1px solid var(--border-color-primary); border-radius: 8px; background: var(--background-fill-secondary); }
.share-copy, .note-seek { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 4px 10px;
  background: var(--button-secondary-background-fill); cursor: pointer; font-variant-numeric: tabular-nums;
  font-size: .85rem; line-height: 1.4; }
.share-local { margin-top: 6px; color: #92400e; }
.shared-badge { display: inline-block; font-size: .72rem; font-weight: 700; padding: 1px 7px; border-radius: 999px;
  background: #1d4ed8; color: #fff; }
.feedback h3 { font-size: 1rem; margin: 8px 0 4px; }
.feedback p, .feedback ul { margin: 2px 0; font-size: .9rem; }
.feedback-notes, .feedback-picks { list-style: none; padding: 0; }
.feedback-notes li { margin: 4px 0; overflow-wrap: anywhere; }
.feedback-picks li[aria-current] { font-weight: 700; }
.feedback-compare { font-size: .85rem; }
"""


@dataclass
class ShareWidgets:
    box: gr.Column
    head: gr.HTML
    expiry: gr.Radio
    password: gr.Textbox
    show_prompt: gr.Checkbox
    make: gr.Button
    said: gr.HTML  # the link made (with Copy), or why none was
    links: gr.Radio  # the owner's links for these videos (views, expiry): one to revoke
    revoke: gr.Button
    close: gr.Button
    target: gr.State  # the job ids this Share names


def button(key: str, elem_id: str, **kwargs: Any) -> gr.Button:
    """A "Share…" button where a Share starts (the result pane, History, Compare)."""
    return gr.Button(label(key), size="sm", elem_id=elem_id, **kwargs)


def render(ctx: PageContext) -> ShareWidgets:
    """The dialog, hidden (and so not built by the browser) until a Share opens it."""
    with gr.Column(visible=False, elem_id="share-box", elem_classes=["share-dialog"]) as box:
        head = gr.HTML("", elem_id="share-head", min_height=0, padding=False)
        expiry = gr.Radio(choices(EXPIRY_OPTIONS), value=DEFAULT_EXPIRY, label=label("ui.share.expiry"),
                          elem_id="share-expiry")
        password = gr.Textbox(label=label("ui.share.password"), type="password", max_lines=1,
                              placeholder=label("ui.share.password_placeholder"), elem_id="share-password")
        show_prompt = gr.Checkbox(False, label=label("ui.share.show_prompt"), elem_id="share-show-prompt")
        with gr.Row():
            make = gr.Button(label("ui.share.make"), variant="primary", size="sm", elem_id="share-make")
            close = gr.Button(label("ui.share.close"), size="sm", elem_id="share-close")
        said = gr.HTML("", elem_id="share-said", min_height=0, padding=False)
        links = gr.Radio([], label=label("ui.share.links"), elem_id="share-links")
        revoke = gr.Button(label("ui.share.revoke"), size="sm", variant="stop", elem_id="share-revoke", visible=False)
    return ShareWidgets(box, head, expiry, password, show_prompt, make, said, links, revoke, close, gr.State([]))


def head_html(snaps: list, lang: str) -> str:
    """The dialog's title (one video, a batch's takes, or a set) and what a link lets its viewers do."""
    if len(snaps) == 1:
        title = t("share.title.one", lang)
    elif len({s.batch_id for s in snaps}) == 1 and snaps[0].batch_id:
        title = t("share.title.takes", lang, n=len(snaps))
    else:
        title = t("share.title.set", lang, n=len(snaps))
    return (f'<div class="share-head"><h2 id="share-title">{html.escape(title)}</h2>'
            f'<p>{html.escape(t("share.hint", lang))}</p></div>')


def link_label(link: Any, base: str, lang: str, now: float) -> str:
    """One of the owner's links as the list says it: its address (shortened), when it was made, its
    views, how long it works, and whether it has a password."""
    token = link.token
    parts = [f"{base}/s/{token[:6]}…", t("share.made_at", lang, when=day_time(link.created_at, lang)),
             views_words(int(link.views), lang)]
    if not link.live(now):
        parts.append(t("share.expired", lang))
    elif link.expires_at is None:
        parts.append(t("share.never_expires", lang))
    else:
        parts.append(t("share.expires", lang, when=day_time(link.expires_at, lang)))
    if link.has_password:
        parts.append(t("share.with_password", lang))
    return " · ".join(parts)


def ready_html(url: str, lang: str, *, password: bool, local_only: bool) -> str:
    """The link made, in a box to select, with a Copy button (and, on a studio only this machine can
    reach, that the link works only here)."""
    local = (f'<p class="share-local">{html.escape(t("share.local_only", lang, flag="--share"))}</p>'
             if local_only else "")
    return (f'<div class="share-ready" role="status"><p>{html.escape(t("share.ready_password" if password else "share.ready", lang))}</p>'
            f'<div class="share-url-row"><input id="share-url" class="share-url" type="text" readonly '
            f'value="{html.escape(url)}" aria-label="{html.escape(t("share.link", lang))}">'
            f'<button type="button" class="share-copy" data-for="share-url" '
            f'data-done="{html.escape(t("share.copied", lang))}">{html.escape(t("share.copy", lang))}</button></div>'
            f'{local}</div>')


class Handlers:
    """The dialog's events as plain methods (each returns a dict keyed by widget), so tests can call
    them with a studio's manager and share service and a request of their own."""

    def __init__(self, ctx: Any, w: ShareWidgets, share_url: Callable[[], str | None] = lambda: None):
        self.ctx, self.w, self.share_url = ctx, w, share_url

    @property
    def shares(self) -> Any:
        return getattr(self.ctx, "shares", None)

    def base(self, request: Any) -> str:
        return addresses.base_url(request, self.ctx.settings, self.share_url())

    def local_only(self) -> bool:
        return addresses.only_here(self.ctx.settings, self.share_url())

    def links_update(self, owner: str, job_ids: list[str], request: Any, value: str | None = None) -> dict:
        """The owner's links for these videos (and Revoke, when there is one)."""
        lang, now, base = lang_of(request), time.time(), self.base(request)
        found = sharing.links_for(self.shares, owner, job_ids)
        return {self.w.links: gr.Radio(choices=[(link_label(link, base, lang, now), link.token) for link in found],
                                       value=value if value in {link.token for link in found} else None,
                                       visible=bool(found)),
                self.w.revoke: gr.Button(visible=bool(found))}

    def open(self, how: str) -> Callable:
        """A Share button's handler: the dialog for its job (SINGLE), its batch's takes (TAKES) or the ids (LIST)."""
        def handler(value: Any, memory: Any, request: gr.Request = None) -> dict:  # type: ignore[assignment]
            w, manager = self.w, self.ctx.manager
            who = self.ctx.visitor(request, memory)
            lang = lang_of(request)
            if how == TAKES:
                ids = sharing.with_batch(manager, who.owner, value if isinstance(value, str) else None)
            elif how == LIST:
                ids = [v for v in (value or []) if isinstance(v, str)]
            else:
                ids = [value] if isinstance(value, str) else []
            snaps = sharing.shareable(manager, who.owner, ids)
            target = [s.job_id for s in snaps]
            out = {w.target: target, w.box: gr.Column(visible=True), w.password: "",
                   w.make: gr.Button(interactive=bool(snaps) and self.shares is not None),
                   **self.links_update(who.owner, target, request)}
            if not snaps or self.shares is None:
                problem = sharing.NothingToShare() if self.shares is not None else sharing.SharingOff()
                return out | {w.head: "", w.said: alert_html(problem.msg, nothing_sent=False, lang=lang)}
            return out | {w.head: head_html(snaps, lang), w.said: ""}
        return handler

    def make(self, target: Any, expiry: Any, password: Any, show_prompt: Any, memory: Any,
             request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Make a link to the videos the dialog names, and show it."""
        w = self.w
        who = self.ctx.visitor(request, memory)
        lang = lang_of(request)
        try:
            link = sharing.make_link(self.shares, self.ctx.manager, who.owner, list(target or []), expiry or DEFAULT_EXPIRY,
                                     password if isinstance(password, str) else None, bool(show_prompt))
        except StudioError as exc:
            return {w.said: alert_html(exc.msg, nothing_sent=False, lang=lang)}
        except ValueError:  # an expiry that is not one of the four
            return {w.said: alert_html(sharing.NothingToShare().msg, nothing_sent=False, lang=lang)}
        url = self.base(request) + link.path
        return {w.said: ready_html(url, lang, password=link.has_password, local_only=self.local_only()),
                w.password: "", **self.links_update(who.owner, list(link.job_ids), request, link.token)}

    def revoke(self, target: Any, token: Any, memory: Any, request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Revoke the chosen link: it answers "not found" from now on."""
        w = self.w
        who = self.ctx.visitor(request, memory)
        lang = lang_of(request)
        if not token:
            return {w.said: alert_html(t("share.choose_link", lang), nothing_sent=False)}
        if not sharing.revoke(self.shares, who.owner, token):
            return {w.said: alert_html(t("share.revoke_gone", lang), nothing_sent=False),
                    **self.links_update(who.owner, list(target or []), request)}
        return {w.said: f'<div class="share-ready" role="status"><p>{html.escape(t("share.revoke_done", lang))}</p></div>',
                **self.links_update(who.owner, list(target or []), request)}


def listen(w: ShareWidgets, ctx: PageContext, page: Any) -> Handlers:
    """Each Share button opens the dialog for what it names; Make, Revoke and Close."""
    st = ctx.states
    h = Handlers(ctx, w, share_url=lambda: getattr(page.demo, "share_url", None))
    open_outputs = [w.target, w.box, w.head, w.said, w.links, w.revoke, w.make, w.password]
    sources = [(getattr(page.result, "share", None), st.job, SINGLE),
               (getattr(page.result, "share_takes", None), st.job, TAKES),
               (getattr(page.history, "share", None), getattr(page.history, "selected", None), SINGLE),
               (getattr(page.compare, "share", None), getattr(page.compare, "shown", None), LIST)]
    for btn, source, how in sources:
        if btn is None or source is None:
            continue
        btn.click(h.open(how), None, open_outputs, inputs_kwargs={"value": source, "memory": st.memory}, js=FOCUS_JS, api_visibility="private",
                  concurrency_limit=None)
    w.make.click(h.make, None, [w.said, w.password, w.links, w.revoke],
                 inputs_kwargs={"target": w.target, "expiry": w.expiry, "password": w.password,
                                "show_prompt": w.show_prompt, "memory": st.memory},
                 api_visibility="private", concurrency_limit=None)
    w.revoke.click(h.revoke, None, [w.said, w.links, w.revoke],
                   inputs_kwargs={"target": w.target, "token": w.links, "memory": st.memory}, api_visibility="private",
                   concurrency_limit=None)
    w.close.click(lambda: gr.Column(visible=False), None, [w.box], api_visibility="private", show_progress="hidden",
                  queue=False)
    return h

