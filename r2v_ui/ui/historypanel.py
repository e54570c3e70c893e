"""The History tab: this visitor's jobs, newest first, one compact line each, a page at a time
(never the whole library sent to the browser), searched as you type; a detail view with its
actions at the top; and the list keeps itself current while the tab is open: a stream waits on the
job hub's list version (a job created, at a new stage, kept or deleted) and passes each new one to
a State whose change reads the list again with the current filter, search and page.  No timer: an
open History with nothing happening costs one empty message every `FOLLOW_WAKEUP_SECONDS` (how
Gradio learns that a closed tab's stream can end), and nothing once another tab is chosen.

Owner is always the visitor (the login, or this browser when the studio is shared): never an
argument a client could send.

Its HTML and Markdown are its own (the gallery's cards, a job's one-line label, its detail); what
is not markup (grouping a page's batches, a prompt's first words) is workspace/gallery.py."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from .. import spec
from ..errors import StudioError
from ..messages import EN, both, msg, render_msg, t
from ..messages.formats import day_time, moment
from ..storyboard import Storyboard
from ..workspace import filenames, form, gallery, pack, session, sharing
from . import feedback, jobview, packpanel, sharepanel, status
from . import takes as takes_view
from .context import PageContext, esc
from .jobview import render_decision
from .language import choices, label, lang_of
from . import videoview
from .videoview import player_html, served_url

PAGE_SIZE = 20
FOLLOW_WAKEUP_SECONDS = 30.0
EMPTY_HTML = f'<div class="history-empty" id="history-empty" role="status">{both("history.empty", markup=True)}</div>'
# On a phone the detail is below the list: bring it (its actions first) into view.
DETAIL_JS = """() => { const el = document.getElementById('history-detail');
  if (el && el.getBoundingClientRect().top > window.innerHeight * 0.7) el.scrollIntoView({block: 'start'}); }"""
KEEP_LABEL, KEPT_LABEL = label("ui.keep_one"), label("ui.kept")
NOTHING_FOUND_HTML = f'<div class="history-empty" id="history-empty" role="status">{both("history.nothing_found")}</div>'


@dataclass
class HistoryWidgets:
    status_filter: gr.Radio
    search: gr.Textbox
    items: gr.Radio
    empty: gr.HTML
    prev: gr.Button
    next: gr.Button
    page_info: gr.HTML
    page: gr.State
    shown: gr.State  # what the list shows now (ids, states, times): a refresh that finds no change sends nothing
    version: gr.State  # the job hub's list version this tab last saw (History's stream sets it)
    detail: gr.Column
    remix: gr.Button
    reuse_seed: gr.Button
    download: gr.DownloadButton
    retry: gr.Button
    delete: gr.Button
    confirm_row: gr.Row
    confirm_delete: gr.Button
    cancel_delete: gr.Button
    video: gr.HTML  # a plain <video> (videoview.py)
    keep: gr.Button
    compare: gr.Button  # wired by comparepanel: this job (or its takes) into Compare
    info: gr.Markdown
    selected: gr.State
    decision: Any  # jobview.DecisionWidgets: an uncertain submit settled from here, in any browser of its owner
    gallery: gr.HTML | None = None  # the same page of jobs as posters (the list stays, as the other view)
    share: gr.Button | None = None  # this job into the Share dialog (sharepanel.py)
    feedback: gr.HTML | None = None  # its share links' picks and notes (feedback.py)
    pack: Any = None  # packpanel.PackWidgets: Download pack of this job


def page_words(page: int, pages: int, total: int, lang: str) -> str:
    """ "Page 1 of 3 · 41 videos" in the reader's language."""
    return t("history.page_one" if total == 1 else "history.page", lang, page=page + 1, pages=pages, total=total)


VIEW_SWITCH_HTML = (
    '<div class="history-view-switch" role="group">'
    f'<button type="button" data-view="gallery" aria-pressed="true">{both("history.view_gallery")}</button>'
    f'<button type="button" data-view="list" aria-pressed="false">{both("history.view_list")}</button></div>')


def _state_words(state: str, lang: str) -> str:
    return t(f"status.state.{state}", lang) if state in status.STATE_WORDS else state


def _size_words(settings: dict) -> str:
    """ "1080P 16:9" from a job's size (as it was stored, when it is not one of the spec's)."""
    try:
        tier, aspect = spec.tier_and_aspect(settings.get("size", ""))
    except (ValueError, AttributeError):
        return str(settings.get("size", ""))
    return f"{tier} {aspect}"


def card_html(index: int, snap: Any, url_of: Any, selected: str | None, lang: str, shared: bool = False) -> str:
    """One job in the gallery: its poster (or its stage while it has none), status, date, length,
    size and the prompt's first words.  A button: pressing it opens the job, as its list entry does.
    The status chip, the star and the share badge sit under the poster, never on it: a poster carries
    labels of its own (the emulator's PREVIEW label top left, a watermark bottom right, the caption)."""
    s = snap.settings or {}
    poster = url_of(snap.poster_path) if snap.poster_path else None
    state = "video_missing" if snap.video_missing else snap.state
    words = t("history.video_missing", lang) if snap.video_missing else _state_words(snap.state, lang)
    icon = status.STATE_ICONS.get(snap.state, "")
    running = snap.in_progress
    wait = (takes_view.percent(snap) or "…") if running else icon  # the chip says the state in words
    picture = (f'<img src="{esc(poster)}" alt="" loading="lazy">' if poster
               else f'<span class="gallery-wait">{esc(wait)}</span>')
    take = t("takes.take", lang, n=snap.take) + " · " if snap.take else ""
    meta = " · ".join([day_time(snap.created_at, lang), t("status.secs", lang, s=s.get("duration", "?")),
                       _size_words(s)])
    first = gallery.first_words(gallery.as_written(s)) or t("history.no_prompt", lang)
    kept = '<span class="gallery-kept" aria-hidden="true">★</span>' if snap.favourite else ""
    kept += feedback.badge_html(lang) if shared else ""  # a live share link names it
    name = t("history.open", lang, label=item_label(snap, lang=lang))
    name += f" · {t('share.badge', lang)}" if shared else ""
    return (f'<button type="button" class="gallery-card" data-index="{index}" data-job="{esc(snap.job_id)}" '
            f'aria-pressed="{str(snap.job_id == selected).lower()}" aria-label="{esc(name)}">'
            f'<span class="gallery-poster">{picture}</span>'  # nothing over the picture: it has labels of its own
            f'<span class="gallery-tags"><span class="gallery-state" data-state="{esc(state)}">'
            f'{esc((icon + " ") if icon else "")}{esc(words)}</span>{kept}</span>'
            f'<span class="gallery-meta">{esc(take + meta)}</span><span class="gallery-words">{esc(first)}</span></button>')


def gallery_html(snaps: list, url_of: Any, selected: str | None, lang: str, shared: set | frozenset = frozenset()) -> str:
    """The page of jobs as posters, a batch's takes together under one heading (`shared`: the jobs a
    live share link names, marked)."""
    if not snaps:
        return ""
    parts = []
    for group in gallery.group_batches(snaps):
        cards = "".join(card_html(i, s, url_of, selected, lang, s.job_id in shared) for i, s in group.items)
        if group.batch_id and len(group.items) > 1:
            first = group.items[0][1]
            head = (f'<b>{esc(t("history.batch", lang, n=len(group.items)))}</b> · '
                    f'{esc(day_time(first.created_at, lang))} · '
                    f'{esc(gallery.first_words(gallery.as_written(first.settings or {}), 40))}')
            parts.append(f'<section class="gallery-batch" data-batch="{esc(group.batch_id)}">'
                         f'<div class="gallery-batch-head">{head}</div><div class="history-gallery">{cards}</div></section>')
        else:
            parts.append(cards)
    return f'<div class="history-gallery" id="history-gallery-box">{"".join(parts)}</div>'


def render(ctx: PageContext) -> HistoryWidgets:
    gr.HTML(f'<h2 class="step-title">{both("history.title")}</h2>', min_height=0)
    with gr.Row(equal_height=True, elem_id="history-controls"):
        status_filter = gr.Radio(choices(FILTERS), value="all", label=label("ui.history.show"), scale=3, elem_id="history-filter")
        search = gr.Textbox(label=label("ui.history.search"), placeholder=label("ui.history.search_placeholder"), scale=2, elem_id="history-search")
    gr.HTML(VIEW_SWITCH_HTML, elem_id="history-view", min_height=0, padding=False)
    with gr.Row(equal_height=False, elem_id="history-body"):
        with gr.Column(scale=3, min_width=300, elem_id="history-list-col"):
            empty = gr.HTML(EMPTY_HTML, visible=False, min_height=0)
            gallery = gr.HTML("", elem_id="history-gallery", min_height=0, padding=False)
            items = gr.Radio([], label=label("ui.history.list"), elem_id="history-list", elem_classes=["history-list"])
            with gr.Row(elem_id="history-pager", equal_height=True):
                prev = gr.Button(label("ui.history.newer"), size="sm", interactive=False, elem_id="history-prev", min_width=90)
                page_info = gr.HTML("", elem_id="history-page-info", min_height=0)
                next_ = gr.Button(label("ui.history.older"), size="sm", interactive=False, elem_id="history-next", min_width=90)
        with gr.Column(scale=2, visible=False, elem_id="history-detail", elem_classes=["history-detail"]) as detail:
            with gr.Row(elem_id="history-actions"):
                remix = gr.Button(label("ui.history.remix"), variant="primary", size="sm", elem_id="history-remix")
                reuse_seed = gr.Button(label("ui.history.reuse_seed"), size="sm", elem_id="history-reuse-seed")
                download = gr.DownloadButton(label("ui.download_mp4"), size="sm", elem_id="history-download", visible=False)
                pack_button = packpanel.button("ui.download_pack", "history-pack", visible=False)
                retry = gr.Button(label("ui.try_again"), size="sm", visible=False, elem_id="history-retry")
                keep = gr.Button(KEEP_LABEL, size="sm", elem_id="history-keep")
                compare = gr.Button(label("ui.history.compare"), size="sm", elem_id="history-compare")
                share = sharepanel.button("ui.share", "history-share")
                delete = gr.Button(label("ui.history.delete"), size="sm", variant="stop", elem_id="history-delete")
            with gr.Row(visible=False, elem_id="history-confirm") as confirm_row:
                gr.HTML(f"<b>{both('history.confirm_delete')}</b>", min_height=0)
                confirm_delete = gr.Button(label("ui.history.yes_delete"), variant="stop", size="sm", elem_id="history-confirm-delete")
                cancel_delete = gr.Button(label("ui.history.keep_it"), size="sm", elem_id="history-cancel-delete")
            pack = packpanel.PackWidgets(pack_button, packpanel.status("history-pack"))
            decision = render_decision(ctx.settings, "history-")
            video = videoview.render("history-video")
            feedback_box = feedback.render("history-feedback")
            info = gr.Markdown(elem_id="history-info")
    return HistoryWidgets(status_filter, search, items, empty, prev, next_, page_info, gr.State(0), gr.State(None),
                          gr.State(None), detail, remix, reuse_seed, download, retry, delete,
                          confirm_row, confirm_delete, cancel_delete, video, keep, compare, info, gr.State(None),
                          decision, gallery, share, feedback_box, pack)


def page_of(manager: Any, owner: str, status: str, search: str, page: int) -> tuple[list, int]:
    """One page of this owner's jobs and how many match, searched and counted by the store."""
    return manager.list_page(owner=owner, status=status or "all", search=(search or "").strip() or None,
                             offset=max(0, page) * PAGE_SIZE, limit=PAGE_SIZE)


def listen(w: HistoryWidgets, ctx: PageContext, page: Any) -> None:
    tab, other_tabs, tabs, scene = page.history_tab, [page.studio_tab, page.compare_tab], page.tabs, page.scene
    actions, stream = page.actions, page.stream
    from .jobview import restore

    manager, st = ctx.manager, ctx.states
    packpanel.listen(w.pack, ctx, w.selected, whole_batch=False)
    packpanel.follow_history(w.pack, ctx, w.selected)
    list_outputs = [w.items, w.empty, w.prev, w.next, w.page_info, w.page, w.shown, w.gallery]
    # (the decision's task id box is not among them: /job_detail's API answer stays video, text, download)
    detail_outputs = [w.selected, w.detail, w.video, w.info, w.download, w.retry, w.confirm_row, w.keep, w.compare,
                      w.decision.box, w.share]

    def list_view(status, search, page, memory, shown, request, *, selected=None, force=True) -> dict:
        who = ctx.visitor(request, memory)
        snaps, total = page_of(manager, who.owner, status, search, page)
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages and page > 0:  # the page emptied (a delete): show the last one that has jobs
            page = pages - 1
            snaps, total = page_of(manager, who.owner, status, search, page)
        shared = sharing.shared_ids(ctx.shares, who.owner)
        signature = [(s.job_id, s.state, s.updated_at, s.video_missing, s.favourite, s.job_id in shared)
                     for s in snaps] + [total, page]
        if not force and signature == shown:
            return {w.shown: shown}  # nothing changed: the list is not sent again
        lang = lang_of(request)
        choices = [(item_label(s, lang=lang), s.job_id) for s in snaps]
        value = selected if selected in {s.job_id for s in snaps} else None
        empty = EMPTY_HTML if not (search or "").strip() and (status or "all") == "all" else NOTHING_FOUND_HTML
        return {
            w.items: gr.Radio(choices=choices, value=value, visible=bool(snaps)),
            w.empty: gr.HTML(empty, visible=not snaps),
            w.prev: gr.Button(interactive=page > 0), w.next: gr.Button(interactive=page + 1 < pages),
            w.page_info: f'<span class="page-info">{esc(page_words(page, pages, total, lang_of(request)))}</span>',
            w.page: page, w.shown: signature,
            w.gallery: gallery_html(snaps, ctx.urls(w.gallery), value, lang, shared),
        }

    def list_history(status: str = "all", search: str = "", page: int = 0,
                     request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """One page of your videos, newest first: `status` is all, running, succeeded, kept (favourites),
        failed or uncertain;
        `search` finds words in prompts; `page` counts from 0 (20 videos a page).  Returns the total, the
        number of pages, and for each video its job id, state, creation time (seconds since the epoch),
        settings and a one-line summary."""
        who = ctx.visitor(request, None)
        snaps, total = page_of(manager, who.owner, status, search, int(page or 0))
        return {"total": total, "page": int(page or 0), "pages": max(1, -(-total // PAGE_SIZE)),
                "jobs": [{"job_id": s.job_id, "state": s.state, "created_at": s.created_at, "settings": s.settings,
                          "video_missing": s.video_missing, "favourite": s.favourite, "batch_id": s.batch_id,
                          "take": s.take, "summary": item_label(s)} for s in snaps]}

    gr.api(list_history, api_name="list_history")

    def turn(step: int):
        def handler(given: dict, request: gr.Request):
            return list_view(given[w.status_filter], given[w.search], given[w.page] + step, given[st.memory], None,
                             request, selected=given[w.selected])
        return handler

    def tick(given: dict, request: gr.Request):
        return list_view(given[w.status_filter], given[w.search], given[w.page], given[st.memory], given[w.shown],
                         request, selected=given[w.selected], force=False)

    def show_history(given: dict, request: gr.Request):
        if given[st.memory] is None and getattr(ctx.settings, "reachable_by_others", False):
            # This browser is not known yet (its memory lands with the page's load): a list read now
            # would be a stranger's, and could land after the browser's own (memory.change below).
            return {}
        return list_view(given[w.status_filter], given[w.search], 0, given[st.memory], None, request)

    async def follow():
        """While History is open: the hub's list version each time it moves (and, unchanged, every
        FOLLOW_WAKEUP_SECONDS, so that Gradio ends the stream of a tab that has gone)."""
        seen = manager.list_version()
        while True:
            seen = await manager.wait_for_list_change(seen, FOLLOW_WAKEUP_SECONDS)
            yield seen

    list_inputs = {w.status_filter, w.search, st.memory}
    tab.select(show_history, list_inputs, list_outputs, concurrency_limit=None, api_visibility="undocumented")
    following = tab.select(follow, None, [w.version], api_visibility="private", **stream)
    for other in other_tabs:  # History out of sight: its stream ends
        other.select(None, None, None, cancels=[following], api_visibility="private", show_progress="hidden")
    ticking = {w.status_filter, w.search, w.page, st.memory, w.shown, w.selected}
    w.version.change(tick, ticking, list_outputs,
                     concurrency_limit=None, api_visibility="private", show_progress="hidden")
    # This browser's memory arrives with the page's load event: History opened before it landed listed
    # a stranger's (empty) view, and no timer corrects it any more, so the list is read again then.
    st.memory.change(tick, ticking, list_outputs,
                     concurrency_limit=None, api_visibility="private", show_progress="hidden")
    w.status_filter.change(show_history, list_inputs, list_outputs, concurrency_limit=None,
                           api_visibility="undocumented", show_progress="hidden")
    # Search as you type: only the newest text is searched once the previous search is done.
    w.search.input(show_history, list_inputs, list_outputs, concurrency_limit=None, trigger_mode="always_last",
                   api_visibility="undocumented", show_progress="hidden")
    paging = {w.status_filter, w.search, w.page, st.memory, w.selected}
    w.prev.click(turn(-1), paging, list_outputs, concurrency_limit=None, api_visibility="undocumented")
    w.next.click(turn(+1), paging, list_outputs, concurrency_limit=None, api_visibility="undocumented")

    def detail_view(job_id, memory, request) -> dict:
        who = ctx.visitor(request, memory)
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        if snap is None:
            return {w.selected: None, w.detail: gr.Column(visible=False), w.video: "", w.info: "",
                    w.download: gr.DownloadButton(visible=False), w.retry: gr.Button(visible=False),
                    w.confirm_row: gr.Row(visible=False), w.decision.box: gr.Column(visible=False)}
        view = ctx.show()
        name = filenames.for_snapshot(snap)
        shown = view(snap.video_path, name)
        url = served_url(w.video, view, snap.video_path, name)
        done = url is not None
        return {w.selected: job_id, w.detail: gr.Column(visible=True), w.info: detail_markdown(snap, lang_of(request)),
                w.video: player_html(url, label=t("history.the_video", lang_of(request)),
                                     poster=served_url(w.video, view, snap.poster_path)),
                w.download: gr.DownloadButton(value=shown, visible=shown is not None),
                w.retry: gr.Button(visible=snap.can_retry),
                w.confirm_row: gr.Row(visible=False),
                w.decision.box: gr.Column(visible=snap.needs_decision),
                w.keep: gr.Button(KEPT_LABEL if snap.favourite else KEEP_LABEL, visible=done),
                w.compare: gr.Button(label("ui.history.compare_takes" if snap.batch_id else "ui.history.compare_with"),
                                     visible=done),
                w.share: gr.Button(visible=done and ctx.shares is not None)}

    def feedback_view(snap: Any, owner: str, lang: str) -> str:
        """Its share links' picks (per take, for a take of a batch) and its notes; "" when never shared."""
        if ctx.shares is None or snap is None:
            return ""
        takes = ([(s.job_id, s.take or i) for i, s in enumerate(manager.batch(snap.batch_id, owner=owner), 1)]
                 if snap.batch_id else [(snap.job_id, 1)])
        counts = sharing.pick_counts(ctx.shares, owner, [j for j, _ in takes])
        notes = ctx.shares.feedback_for_job(owner, snap.job_id).notes
        return feedback.history_html(snap.job_id, counts, list(notes), sharing.links_for(ctx.shares, owner, [snap.job_id]),
                                     takes if snap.batch_id else None, lang)

    def show_feedback(given: dict, request: gr.Request):
        """The open job's picks and notes, drawn after its detail (not part of /job_detail's answer)."""
        job_id = given[w.selected]
        who = ctx.visitor(request, given[st.memory])
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        return feedback_view(snap, who.owner, lang_of(request)) if snap is not None else ""

    def open_job(request: gr.Request = None, *, job_id: Any, memory: Any):
        """The detail view of one of *your* jobs (others' look like missing ones).  Named inputs: the
        API's `/job_detail` keeps its one parameter, `job_id`."""
        return detail_view(job_id, memory, request)

    opened = w.items.input(open_job, None, detail_outputs, inputs_kwargs={"job_id": w.items, "memory": st.memory},
                           concurrency_limit=None, api_visibility="undocumented")
    opened.then(None, js=DETAIL_JS)
    feedback_event = dict(fn=show_feedback, inputs={w.selected, st.memory}, outputs=[w.feedback], concurrency_limit=None,
                          api_visibility="private", show_progress="hidden")
    opened.then(**feedback_event)
    api_job_id = gr.Textbox(visible=False, elem_id="api-job-id")
    api_job_id.submit(open_job, None, detail_outputs, inputs_kwargs={"job_id": api_job_id, "memory": st.memory},
                      api_name="job_detail", concurrency_limit=None)

    def remix(given: dict, request: gr.Request):
        job_id = given[w.selected]
        who = ctx.visitor(request, given[st.memory])
        if not job_id:  # nothing open (an API call with no job shown)
            raise gr.Error(t("history.gone", lang_of(request)))
        try:
            draft = manager.remix_draft(job_id, owner=who.owner)
        except StudioError as exc:
            raise gr.Error(render_msg(exc.msg, lang_of(request)))
        return restore(ctx, page, draft, msg("cast.from.remix"), request) | {
            tabs: gr.Tabs(selected="studio"), scene.form_alert: ""}

    form_outputs = page.form_outputs(ctx)
    w.remix.click(remix, {w.selected, st.memory}, [*form_outputs, tabs, scene.form_alert], api_name="remix",
                  concurrency_limit=None)

    def reuse_job_seed(given: dict, request: gr.Request):
        job_id = given[w.selected]
        who = ctx.visitor(request, given[st.memory])
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        value = (snap.seed_used if snap and snap.seed_used is not None else
                 (snap.settings or {}).get("seed") if snap else None)
        if value is None:
            gr.Info(t("history.no_seed", lang_of(request)))
            return {}
        return {scene.seed_mode: form.SEED_FIXED, scene.seed: gr.Number(value=value, visible=True),
                tabs: gr.Tabs(selected="studio")}

    w.reuse_seed.click(reuse_job_seed, {w.selected, st.memory}, [scene.seed_mode, scene.seed, tabs],
                       api_visibility="undocumented")

    w.delete.click(lambda: gr.Row(visible=True), None, [w.confirm_row], api_visibility="private", show_progress="hidden")
    w.cancel_delete.click(lambda: gr.Row(visible=False), None, [w.confirm_row], api_visibility="private",
                          show_progress="hidden")

    def delete_job(request: gr.Request = None, *, job_id: Any, status: Any, search: Any, page: Any, memory: Any):
        """Named inputs: the API's `/delete_job` keeps its parameters, `status` then `search`."""
        who = ctx.visitor(request, memory)
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        # Which job to show next: the one after it in the list, else the one before.
        snaps, _ = page_of(manager, who.owner, status, search, page)
        ids = [s.job_id for s in snaps]
        neighbour = None
        if job_id in ids:
            i = ids.index(job_id)
            rest = ids[i + 1:] + ids[:i][::-1]
            neighbour = rest[0] if rest else None
        packs = pack.packs_of(packpanel.pack_folder(ctx), job_id) if snap else []
        served = ctx.viewer.served_copies(snap.video_path, snap.poster_path, *packs) if snap else []
        if not job_id or not manager.delete(job_id, owner=who.owner):
            raise gr.Error(t("history.cannot_delete", lang_of(request)))
        ctx.viewer.remove(served)  # every copy the page ever served of it goes too, its packs' too
        pack.forget(packs)
        return (list_view(status, search, page, memory, None, request, selected=neighbour)
                | detail_view(neighbour, memory, request))

    def toggle_keep(request: gr.Request = None, *, job_id: Any, status: Any, search: Any, page: Any, memory: Any):
        """"Keep this one" on the open job, or take the mark away again.  Named inputs, as `/delete_job`."""
        who = ctx.visitor(request, memory)
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        if snap is None:
            raise gr.Error(t("history.gone", lang_of(request)))
        kept = manager.set_favourite(job_id, not snap.favourite, owner=who.owner).favourite
        return (list_view(status, search, page, memory, None, request, selected=job_id)
                | {w.keep: gr.Button(KEPT_LABEL if kept else KEEP_LABEL)})

    open_one = {"job_id": w.selected, "status": w.status_filter, "search": w.search, "page": w.page, "memory": st.memory}
    w.keep.click(toggle_keep, None, [*list_outputs, w.keep], inputs_kwargs=open_one, api_name="toggle_keep",
                 concurrency_limit=None)

    w.confirm_delete.click(delete_job, None, [*list_outputs, *detail_outputs], inputs_kwargs=open_one,
                           api_name="delete_job", concurrency_limit=None).then(**feedback_event)

    w.retry.click(actions.retry(w.selected), {w.selected, st.key, st.memory}, [st.job, st.memory],
                  api_visibility="undocumented", concurrency_limit=None).success(
        lambda: gr.Tabs(selected="studio"), None, [tabs], api_visibility="private").then(
        actions.watch.fn, actions.watch.inputs, actions.watch.outputs, api_visibility="undocumented", **stream)

    # ---- an uncertain submit, settled here: in any browser of its owner, by the page's own rules ----
    def settle_here(action: str):
        def handler(given: dict, request: gr.Request):
            job_id, memory = given[w.selected], given[st.memory]
            jobview.settle(ctx, job_id, action, given[w.decision.found_task], given[st.key], memory, request)
            if action == "discard":  # it stays here, discarded
                return (list_view(given[w.status_filter], given[w.search], given[w.page], memory, None, request,
                                  selected=job_id)
                        | detail_view(job_id, memory, request))
            # followed or sent again: it goes on in the Studio tab, where this browser watches it
            memory = session.remembered(memory)
            return {st.job: job_id, st.memory: dict(memory, job=job_id), w.decision.found_task: "",
                    w.decision.box: gr.Column(visible=False), tabs: gr.Tabs(selected="studio")}
        return handler

    settle_inputs = {w.selected, st.key, w.decision.found_task, w.status_filter, w.search, w.page, st.memory}
    for btn, action in ((w.decision.attach, "attach"), (w.decision.resubmit, "resubmit")):
        btn.click(settle_here(action), settle_inputs, [st.job, st.memory, w.decision.found_task, w.decision.box, tabs],
                  api_visibility="undocumented", concurrency_limit=None).success(
            actions.watch.fn, actions.watch.inputs, actions.watch.outputs, api_visibility="undocumented", **stream)
    w.decision.discard.click(settle_here("discard"), settle_inputs, [*list_outputs, *detail_outputs],
                             api_visibility="undocumented", concurrency_limit=None).then(**feedback_event)

    def decide_uncertain(job_id: str, action: str, task_id: str = "", confirm_pay_again: bool = False,
                         request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Decide about one of your jobs whose submission is uncertain (state "uncertain": the service may
        or may not have started it).  `action`: "attach" follows `task_id`, the id you found in your
        account's task list (checked first; nothing is sent again); "resubmit" sends it again and may bill
        twice, so it is done only with `confirm_pay_again` true; "discard" drops it.  Returns the job's
        id, its state and its stage in words; a refusal says why nothing changed."""
        jobview.settle(ctx, job_id, action, task_id, None, None, request, confirmed=confirm_pay_again is True)
        snap = manager.snapshot(job_id, owner=ctx.visitor(request, None).owner)
        return {"job_id": job_id, "state": snap.state if snap else None,
                "stage": render_msg(snap.stage_text, lang_of(request)) if snap else ""}

    gr.api(decide_uncertain, api_name="decide_uncertain")


# --- how a job reads in History: its one-line label (the list view, a card's name) and its detail --------


FILTERS = [(f"ui.history.filter.{v}", v) for v in ("all", "running", "succeeded", "kept", "failed", "uncertain")]
# (label key, value): "All", "Running", "Finished", "Kept ★", "Failed", "Needs a decision"


def item_label(snap: Any, max_prompt: int = 70, lang: str = EN) -> str:
    """One compact line per job: status, date, duration, size and the first line of the prompt (as
    the user wrote it: @Mira, not the character1 it was sent as)."""
    s = snap.settings or {}
    first = (gallery.as_written(s).strip().splitlines() or [""])[0]
    if len(first) > max_prompt:
        first = first[: max_prompt - 1] + "…"
    when = day_time(snap.created_at, lang)
    icon = status.STATE_ICONS.get(snap.state, "…")
    words = status.state_words(snap.state, lang)
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
        out = [f"**{t('history.prompt', lang)}** {html.escape(gallery.as_written(s))}"]
    if board or (s.get("written_prompt") and s["written_prompt"] != sent):
        out.append(f"**{t('form.as_sent', lang)}** " + html.escape(sent).replace("\n", "<br>"))
    return [line for line in out if line]


def detail_markdown(snap: Any, lang: str = EN) -> str:
    """A job's detail in `lang`: what it was, what happened (its stored codes, rendered now)."""
    s = snap.settings or {}
    lines = [f"### {status.STATE_ICONS.get(snap.state, '…')} {status.state_words(snap.state, lang)}", *_prompt_lines(s, lang)]
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
    for key, row_key in (("submitted_at", "history.sent"), ("completed_at", "history.finished")):
        if timings.get(key):
            timing_rows.append((row_key, moment(timings[key], lang)))
    if snap.terminal and snap.updated_at and snap.created_at:
        timing_rows.append(("history.took", status.fmt_seconds(snap.updated_at - snap.created_at, lang)))
    lines.append("\n".join("- " + t("history.timing_row", lang, label=t(k, lang), value=v) for k, v in timing_rows))
    ids = t("history.job", lang, job=f"`{snap.job_id}`")
    if snap.task_id:
        ids += " · " + t("history.task", lang, task=f"`{snap.task_id}`")
    lines.append(f"<small>{ids}</small>")
    return "\n\n".join(lines)
