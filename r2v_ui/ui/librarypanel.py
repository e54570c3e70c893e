"""The character library on the page: "Save as character" on a card, the list of this visitor's
characters with **Use** (one click puts a character into a card), Edit (name and note) and Delete;
and one API route per action.

The library itself is characters.py (no Gradio).  Owner is always the visitor (the login, or this
browser when the studio is shared): never an argument a client could send."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from .. import spec
from ..characters import Character, CharacterError, CharacterLibrary
from ..workspace import cast as cast_mod
from ..workspace.cast import Card
from ..workspace import charactercards
from . import libraryapi
from ..messages import DEFAULT, both, render_msg, t
from .context import CHECK_CONCURRENCY, PageContext, alert_html, esc
from .language import choices, label, lang_of

# What the user reads is in the catalog ("ui.library.*", "library.*").

CSS = """
.library { border-radius: 12px !important; }
#library-items { gap: 6px !important; }
.library-item { align-items: center !important; gap: 8px !important; flex-wrap: wrap !important;
  border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 6px 8px !important; }
.library-item > .html-container, .library-item > div:first-child { flex: 1 1 220px !important; min-width: 0 !important; }
.library-item button { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important; }
.lib-entry { display: flex; align-items: center; gap: 10px; min-width: 0; }
.lib-entry img, .lib-entry .lib-nothumb { width: 48px; height: 48px; border-radius: 8px; object-fit: cover; flex: 0 0 48px;
  background: #f1f5f9; }
.lib-text { min-width: 0; display: flex; flex-direction: column; }
.lib-name { font-weight: 700; color: #1e1b4b; overflow-wrap: anywhere; }
.lib-meta { font-size: .8rem; color: #475569; overflow-wrap: anywhere; }
.lib-question { margin-top: 6px; font-size: .88rem; color: #7f1d1d; }
.lib-empty { padding: 10px; border-radius: 10px; background: var(--background-fill-secondary); color: #334155; font-size: .9rem; }
.library-form { background: #f8fafc; border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px !important; }
.card-at { font-weight: 700; font-size: .85rem; color: #9d174d; overflow-wrap: anywhere; }
.prompt-sent { font-size: .85rem; color: #1e293b; background: #f1f5f9; border-radius: 8px; padding: 4px 8px; margin: 2px 0;
  overflow-wrap: anywhere; }
.prompt-sent-label { font-weight: 700; color: #334155; }
#prompt-meta > div:first-child { flex: 0 1 auto !important; min-width: 0 !important; width: auto !important; }
#prompt-meta > div:last-child { flex: 1 1 60% !important; min-width: 0 !important; }
"""


@dataclass
class LibraryWidgets:
    library: CharacterLibrary
    box: gr.Accordion
    alert: gr.HTML
    form_box: gr.Column
    form_title: gr.HTML
    name: gr.Textbox
    note: gr.Textbox
    files_from: gr.Dropdown  # while editing: 0 keeps its files, n takes card n's picture and voice
    save: gr.Button
    cancel: gr.Button
    target: gr.Dropdown
    items: gr.Column
    entries: gr.State   # what the list shows: this visitor's characters, as plain dicts
    editing: gr.State   # {"card": n} while saving card n, {"id": …} while editing a character, else None
    pending: gr.State   # the id waiting for "Yes, delete"


def open_library(ctx: PageContext) -> CharacterLibrary:
    """The library beside the job store: its files are hard-linked from the folders the store trusts,
    and the store may link kept references from it in turn (no byte is copied twice)."""
    store = getattr(ctx.manager, "store", None)
    links = list(getattr(store, "links_from", []) or [])
    library = CharacterLibrary(Path(ctx.settings.data_dir), links_from=[*links, ctx.work_dir])
    if store is not None and hasattr(store, "allow_links_from"):
        store.allow_links_from(library.files_dir)
    return library


def render(ctx: PageContext) -> LibraryWidgets:
    library = open_library(ctx)
    with gr.Accordion(label("ui.library.title"), open=False, elem_id="library", elem_classes=["library"]) as box:
        gr.HTML(f'<p class="step-help">{both("library.help", markup=True)}</p>', min_height=0, padding=False)
        alert = gr.HTML("", elem_id="library-alert", min_height=0, padding=False)
        with gr.Column(visible=False, elem_id="library-form", elem_classes=["library-form"]) as form_box:
            form_title = gr.HTML("", min_height=0, padding=False)
            with gr.Row(equal_height=False):
                name = gr.Textbox(label=label("ui.card.name"), placeholder=label("ui.card.name_placeholder"), max_lines=1, elem_id="library-name",
                                  min_width=140)
                note = gr.Textbox(label=label("ui.library.note"), placeholder=label("ui.library.note_placeholder"), max_lines=1, elem_id="library-note",
                                  min_width=200, scale=2)
            # Editing only: take a card's picture and voice instead of the character's own.
            files_from = gr.Dropdown(choices([("ui.library.keep_files", 0)] + [(f"ui.library.files_from_{n}", n)
                                                                   for n in range(1, spec.MEDIA_MAX + 1)]),
                                     value=0, label=label("ui.library.files"), elem_id="library-files-from", visible=False)
            with gr.Row():
                save = gr.Button(label("ui.library.save"), variant="primary", size="sm", elem_id="library-save")
                cancel = gr.Button(label("ui.cancel"), size="sm", elem_id="library-cancel")
        targets = [(label("ui.library.next_empty"), charactercards.NEXT_EMPTY)] + [
            (spec.character_tag(n), n) for n in range(1, spec.MEDIA_MAX + 1)]
        target = gr.Dropdown(targets, value=charactercards.NEXT_EMPTY, label=label("ui.library.put_into"), elem_id="library-target")
        items = gr.Column(elem_id="library-items")
    return LibraryWidgets(library, box, alert, form_box, form_title, name, note, files_from, save, cancel, target, items,
                          gr.State(None), gr.State(None), gr.State(None))


def entry(ch: Character) -> dict[str, Any]:
    return {"id": ch.id, "name": ch.name, "note": ch.note, "kind": ch.kind, "thumb": ch.thumb,
            "voice": bool(ch.voice), "created_at": ch.created_at}


def entry_html(e: dict[str, Any], lang: str = DEFAULT) -> str:
    what = t("library.video" if e.get("kind") == "video" else "library.picture", lang)
    meta = what + (f" · {t('library.with_voice', lang)}" if e.get("voice") else "") + (f" · {e['note']}" if e.get("note") else "")
    pic = (f'<img src="{html.escape(e["thumb"])}" alt="">' if e.get("thumb")
           else '<span class="lib-nothumb" aria-hidden="true"></span>')
    return (f'<div class="lib-entry">{pic}<div class="lib-text"><span class="lib-name">@{esc(e["name"])}</span>'
            f'<span class="lib-meta">{esc(meta)}</span></div></div>')


def suggested_name(card: Card) -> str:
    """A name to start from: the card's own, else its file's name when that is a usable name."""
    if card.character:
        return card.character
    stem = re.sub(r"[^\w-]+", "_", Path(card.name or "").stem).strip("_-")
    return stem[:1].upper() + stem[1:] if stem[:1].isalpha() and len(stem) <= 40 else ""


def note_html(text: str) -> str:
    return f'<div class="form-note" role="status">{esc(text)}</div>'


def listen(w: LibraryWidgets, ctx: PageContext, page: Any) -> None:
    st, lib, castw = ctx.states, w.library, page.cast
    cast_outs = [*castw.outputs(), st.cast]
    files = dict(concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks", api_visibility="undocumented")
    quick = dict(concurrency_limit=None, api_visibility="private", show_progress="hidden")
    form_outs = [w.box, w.form_box, w.form_title, w.name, w.note, w.files_from, w.save, w.editing, w.alert]

    def owner(request, memory) -> str:
        return ctx.visitor(request, memory).owner

    def listing(who: str, *, first: bool = False, lang: str = DEFAULT) -> dict:
        shown = [entry(c) for c in lib.list(who)]
        label = t("library.title_count", lang, count=len(shown)) if shown else t("ui.library.title", lang)
        # Open at first sight when there are characters to use: one click puts one into a card.
        return {w.entries: shown, w.box: gr.Accordion(label=label, open=True) if first and shown
                else gr.Accordion(label=label)}

    # The list follows the visitor: read when the page has loaded this browser's memory.
    def on_memory(given: dict, request: gr.Request):
        return listing(owner(request, given[st.memory]), first=given[w.entries] is None, lang=lang_of(request))

    st.memory.change(on_memory, {st.memory, w.entries}, [w.entries, w.box], **quick)

    def use(character_id: str):
        def handler(given: dict, request: gr.Request):
            try:
                ch = lib.get(owner(request, given[st.memory]), character_id)
                media, voice = lib.checkout(ch, ctx.checked_dir)
                with ctx.casts.lock(request):
                    after, i = charactercards.put_into(ctx.casts.get(request, given[st.cast]), ch, media, voice,
                                                       given[w.target] or 0)
                    view = cast_view_locked(after, request, {i + 1}, {i + 1})  # only that card's boxes
            except CharacterError as exc:
                return {w.alert: alert_html(render_msg(exc.msg, lang_of(request)), nothing_sent=False)}
            return view | {w.alert: note_html(t("library.used", lang_of(request), name=ch.name, tag=spec.character_tag(i + 1)))}
        return handler

    def cast_view_locked(cast: list, request: Any, names: Any, links: Any) -> dict:
        """The cast redrawn, writing the Name/Link boxes of the cards named (castpanel.cast_view): a name
        being typed on another card stays.  The caller holds the session's cast lock."""
        from .castpanel import cast_view as view

        return view(castw, ctx, cast, request, names, links)

    def edit_form(e: dict):
        def handler(request: gr.Request):
            lang = lang_of(request)
            return {w.form_box: gr.Column(visible=True),
                    w.form_title: f"<b>{esc(t('library.editing_title', lang, name=e['name']))}</b>",
                    w.name: e["name"], w.note: e.get("note") or "", w.files_from: gr.Dropdown(value=0, visible=True),
                    w.save: gr.Button(t("ui.library.save_changes", lang)), w.editing: {"id": e["id"]}, w.alert: ""}
        return handler

    def delete(character_id: str):
        def handler(given: dict, request: gr.Request):
            who, lang = owner(request, given[st.memory]), lang_of(request)
            try:
                ch = lib.delete(who, character_id)
            except CharacterError as exc:
                return listing(who, lang=lang) | {w.pending: None, w.alert: alert_html(render_msg(exc.msg, lang), nothing_sent=False)}
            return listing(who, lang=lang) | {w.pending: None, w.alert: note_html(t("library.deleted", lang, name=ch.name))}
        return handler

    with w.items:
        @gr.render(inputs=[w.entries, w.pending], triggers=[w.entries.change, w.pending.change])
        def show(items, pending, request: gr.Request):
            lang = lang_of(request)
            if not items:
                gr.HTML(f'<div class="lib-empty" id="library-empty">{t("library.empty", lang)}</div>', min_height=0, padding=False)
                return
            for e in items:
                with gr.Row(elem_classes=["library-item"], key=f"lib-{e['id']}", equal_height=True):
                    asking = pending == e["id"]
                    question = (f'<div class="lib-question" role="alert">{esc(t("library.delete_question", lang, name=e["name"]))}'
                                '</div>' if asking else "")
                    gr.HTML(entry_html(e, lang) + question, min_height=0, padding=False)
                    if asking:
                        yes = gr.Button(t("library.confirm_delete", lang, name=e["name"]), variant="stop", size="sm")
                        keep = gr.Button(label("ui.library.keep"), size="sm")
                        yes.click(delete(e["id"]), {st.memory}, [w.entries, w.box, w.pending, w.alert], **files)
                        keep.click(lambda: None, None, [w.pending], **quick)
                        continue
                    use_btn = gr.Button(t("library.use", lang, name=e["name"]), variant="primary", size="sm",
                                        elem_classes=["library-use"])
                    edit_btn = gr.Button(label("ui.library.edit"), size="sm", elem_classes=["library-edit"])
                    delete_btn = gr.Button(label("ui.library.delete"), size="sm", variant="stop", elem_classes=["library-delete"])
                    use_btn.click(use(e["id"]), {st.cast, w.target, st.memory}, [*cast_outs, w.alert], **files)
                    edit_btn.click(edit_form(e), None, form_outs[1:], **quick)
                    delete_btn.click(lambda cid=e["id"]: cid, None, [w.pending], **quick)

    def open_save(n: int):
        def handler(given: dict, request: gr.Request):
            cast = ctx.casts.get(request, given[st.cast])
            card = cast[n - 1] if n - 1 < len(cast) else Card()
            try:
                charactercards.draft_from_card(card, n, "x", "")  # said now, before a name is typed
            except CharacterError as exc:
                return {w.box: gr.Accordion(open=True), w.form_box: gr.Column(visible=False), w.editing: None,
                        w.alert: alert_html(render_msg(exc.msg, lang_of(request)), nothing_sent=False)}
            lang = lang_of(request)
            return {w.box: gr.Accordion(open=True), w.form_box: gr.Column(visible=True),
                    w.form_title: f"<b>{esc(t('library.saving_title', lang, tag=spec.character_tag(n)))}</b>",
                    w.name: suggested_name(card), w.note: "", w.files_from: gr.Dropdown(value=0, visible=False),
                    w.save: gr.Button(t("ui.library.save", lang)), w.editing: {"card": n}, w.alert: ""}
        return handler

    for cw in castw.cards:
        cw.save.click(open_save(cw.n), {st.cast}, form_outs, **quick)

    def save(given: dict, request: gr.Request):
        who, lang = owner(request, given[st.memory]), lang_of(request)
        editing, name, note, cast = given[w.editing] or {}, given[w.name], given[w.note], given[st.cast]
        try:
            if "id" in editing:
                n, draft = int(given[w.files_from] or 0), None
                if n:
                    cast = ctx.casts.get(request, cast)
                    card = cast[n - 1] if n <= len(cast) else Card()
                    draft = charactercards.draft_from_card(card, n, name, note)
                ch = lib.edit(who, editing["id"], name=name, note=note, draft=draft)
                view, said = {}, t("library.changed", lang, name=ch.name)
            else:
                n = int(editing.get("card") or 0)
                with ctx.casts.lock(request):
                    cast = ctx.casts.get(request, cast)
                    if not 1 <= n <= len(cast):
                        raise CharacterError(charactercards.no_file(n))
                    ch = lib.save(who, charactercards.draft_from_card(cast[n - 1], n, name, note))
                    # The card now carries the saved name, so @Name works in this scene at once.
                    named = cast[n - 1].with_character(ch.name).marked(library_id=ch.id)
                    view = cast_view_locked(cast_mod.replace_card(cast, n - 1, named), request, {n}, False)
                said = t("library.saved", lang, name=ch.name)
        except CharacterError as exc:  # the form stays as typed
            return {w.alert: alert_html(render_msg(exc.msg, lang), nothing_sent=False)}
        return view | listing(who, lang=lang) | {w.form_box: gr.Column(visible=False), w.editing: None, w.alert: note_html(said)}

    w.save.click(save, {w.editing, w.name, w.note, w.files_from, st.cast, st.memory},
                 [*cast_outs, w.entries, w.box, w.form_box, w.editing, w.alert], **files)
    w.cancel.click(lambda: {w.form_box: gr.Column(visible=False), w.editing: None, w.alert: ""}, None,
                   [w.form_box, w.editing, w.alert], **quick)
    libraryapi.register(lib, ctx)

