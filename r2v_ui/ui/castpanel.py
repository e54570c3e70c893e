"""The cast panel: "Load example cast", "+ Add character", the five card slots, and the offer to
keep the prompt's people right when cards move (a card's position *is* its tag).

Every card event answers with the whole cast, and two events' answers can reach the page in either
order (a picture and a voice chosen together are checked side by side): each face carries the
revision it shows, and STALE_JS asks for the latest cast again (the hidden `#cast-refresh`) whenever
an older answer is drawn over a newer one, so nothing chosen ever seems lost."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import gradio as gr

from .. import spec
from ..messages import DEFAULT, both, phrase_list, t
from ..workspace import cast as cast_mod
from ..workspace import kept
from . import cards as cards_mod
from .context import CHECK_CONCURRENCY, PageContext, esc
from .language import label, lang_of

TAG = re.compile(r"\bcharacter([1-9])\b")


@dataclass
class CastWidgets:
    add: gr.Button
    example: gr.Button
    cards: list[cards_mod.CardWidgets]
    retag_box: gr.Column
    retag_text: gr.HTML
    retag_apply: gr.Button
    retag_dismiss: gr.Button
    retag: gr.State  # {old tag number: new tag number} waiting for the user's yes
    refresh: gr.Button  # hidden: STALE_JS presses it to draw the session's latest cast again

    def outputs(self) -> list[Any]:
        return [w for cw in self.cards for w in cw.outputs()] + [self.add]


def render(ctx: PageContext) -> CastWidgets:
    """The cast area (one drop target: a file dropped on it goes to the next empty card, scripts in
    ui/dropscript.py): its title, the example button, the cards in a grid, and "+ Add character" as
    the grid's last tile."""
    with gr.Column(elem_id="cast-area"):
        with gr.Row(elem_id="cast-title-row", equal_height=True):
            gr.HTML(f'<h2 class="step-title">{both("cast.title")}</h2>', elem_id="cast-title")
            example = gr.Button(label("ui.load_example"), size="sm", variant="secondary", elem_id="load-example",
                                scale=0, min_width=150)
        gr.HTML(f'<p class="step-help">{both("cast.help", markup=True)}</p>')
        with gr.Column(visible=False, elem_id="retag-box", elem_classes=["retag-box"]) as retag_box:
            retag_text = gr.HTML("")
            with gr.Row():
                retag_apply = gr.Button(label("ui.update_prompt"), size="sm", variant="primary", elem_id="retag-apply")
                retag_dismiss = gr.Button(label("ui.keep_prompt"), size="sm", elem_id="retag-dismiss")
        # What a drop on the cast area could not do (all cards full, a voice with no card): above the
        # cards, where the file was dropped.
        gr.HTML('<div id="cast-drop-status" class="cast-drop-status" role="status" aria-live="polite"></div>',
                min_height=0, elem_id="cast-drop-box")
        with gr.Row(equal_height=False, elem_id="cast-row"):
            cards = [cards_mod.make_card(n, visible=n == 1) for n in range(1, spec.MEDIA_MAX + 1)]
            add = gr.Button(label("ui.add_character"), size="sm", elem_id="add-character", elem_classes=["add-tile"])
        refresh = gr.Button("", elem_id="cast-refresh", elem_classes=["cast-refresh"])  # display: none (theme.py)
    return CastWidgets(add, example, cards, retag_box, retag_text, retag_apply, retag_dismiss, gr.State({}), refresh)


def cast_view(w: CastWidgets, ctx: PageContext, cast: list, request: Any, names: Any = True, links: Any = True) -> dict:
    """Updates showing `cast`, which becomes this session's cast (call it under the session's lock
    when the new cast was made from the old one).

    The Name and Link boxes are what the user types in, and the server may not have heard the latest
    keys yet (a name reaches it a moment after it is typed; a link only when it is used): a redraw
    writes them only for the cards whose name or link it moved.  `names` / `links`: True (every card:
    cards moved, a new cast), False (none: a file, a voice, the stale-answer redraw), or the card
    numbers to write (a card filled from the library, a new empty card, the card whose link was checked).
    So a name or link being typed on one card is never put back by another card's answer."""
    cast = [cards_mod.with_thumb(c) for c in cast]
    rev = ctx.casts.put(request, cast)
    updates = dict(zip([x for cw in w.cards for x in cw.outputs()], cards_mod.render_all(cast, lang_of(request), rev)))
    for cw in w.cards:
        if not _writes(names, cw.n):
            del updates[cw.character]
        if not _writes(links, cw.n):
            del updates[cw.link]
    updates[w.add] = gr.Button(interactive=cast_mod.can_add(cast), visible=cast_mod.can_add(cast))
    updates[ctx.states.cast] = cast
    return updates


def _writes(which: Any, n: int) -> bool:
    """Whether a redraw writes card n's typed box (`which`: True, False or card numbers; see cast_view)."""
    return which if isinstance(which, bool) else n in which


def retag(prompt: str, mapping: dict) -> str:
    """The prompt with every `character<old>` renamed `character<new>` at once (a swap stays a swap)."""
    table = {int(k): int(v) for k, v in (mapping or {}).items()}
    return TAG.sub(lambda m: spec.character_tag(table.get(int(m.group(1)), int(m.group(1)))), prompt or "")


def renumbering(before: list, after: list) -> dict[int, int]:
    """Which tag each card had and has now, for the cards whose tag changed (by identity of the card)."""
    where = {id(c): i + 1 for i, c in enumerate(after)}
    return {i + 1: where[id(c)] for i, c in enumerate(before) if id(c) in where and where[id(c)] != i + 1}


def offer_text(mapping: dict[int, int], lang: str = DEFAULT) -> str:
    """The offer to rename the prompt's tags after cards moved, in `lang`."""
    moves = phrase_list([t("cast.retag.move", lang, old=spec.character_tag(a), new=spec.character_tag(b))
                         for a, b in sorted(mapping.items())], lang)
    return (f'<div role="status"><b>{esc(t("cast.retag.moved", lang))}</b> '
            f'{esc(t("cast.retag.ask", lang, moves=moves))}</div>')


def listen(w: CastWidgets, ctx: PageContext, page: Any) -> None:
    st, scene = ctx.states, page.scene
    # A change to the cast also takes away the reason the last Generate was refused (and its copy in the
    # result pane): it was said of the cast as it was, and may no longer hold (the next Generate says again).
    outs = [*w.outputs(), st.cast, scene.form_alert]
    quiet = dict(show_progress="hidden", api_visibility="undocumented")
    checks = dict(concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks", api_visibility="undocumented")
    retag_outs = [w.retag_box, w.retag_text, w.retag]

    def edit(request, mirror, change, names: Any = True, links: Any = True) -> dict:
        """Apply `change` to this session's latest cast, under its lock (`names`, `links`: see cast_view)."""
        with ctx.casts.lock(request):
            return cast_view(w, ctx, change(ctx.casts.get(request, mirror)), request, names, links) | {scene.form_alert: ""}

    def on_add(given: dict, request: gr.Request):
        """A new empty card at the end: only its boxes are written (a name being typed elsewhere stays)."""
        with ctx.casts.lock(request):
            cast = ctx.casts.get(request, given[st.cast])
            new = {len(cast) + 1}
            return cast_view(w, ctx, cast_mod.add_card(cast), request, new, new) | {scene.form_alert: ""}

    # "always_last": a click while the last one is still answered (a drop of several files on the cast
    # area adds one card after another, dropscript.py) is not lost.
    w.add.click(on_add, {st.cast}, outs, trigger_mode="always_last", **quiet)

    # Checked (and their thumbnails drawn) once per language for this studio, a copy to each visitor.
    examples = ctx.examples

    def on_example(request: gr.Request):
        ex, cast = examples.cast(lang_of(request))
        with ctx.casts.lock(request):
            view = cast_view(w, ctx, cast, request)
        return view | {scene.prompt: ex.prompt, scene.negative: ex.negative_prompt,
                                          scene.form_alert: "", w.retag_box: gr.Column(visible=False)}

    # Its outputs in the order API callers know (`/load_example_cast`: …, prompt, negative prompt, alert).
    w.example.click(on_example, None, [*w.outputs(), st.cast, scene.prompt, scene.negative, scene.form_alert, w.retag_box],
                    api_name="load_example_cast", concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks")

    # An older answer drawn over a newer one (STALE_JS): the session's latest cast, drawn again.
    def on_refresh(given: dict, request: gr.Request):
        return edit(request, given[st.cast], lambda c: c, names=False, links=False)

    w.refresh.click(on_refresh, {st.cast}, outs, trigger_mode="always_last", concurrency_limit=None, **quiet)

    for cw in w.cards:
        _wire_card(cw, w, ctx, scene, outs, retag_outs, quiet, checks, edit)

    w.retag_apply.click(lambda given: {scene.prompt: retag(given[scene.prompt], given[w.retag]),
                                       w.retag_box: gr.Column(visible=False), w.retag: {}},
                        {scene.prompt, w.retag}, [scene.prompt, w.retag_box, w.retag], **quiet)
    w.retag_dismiss.click(lambda: {w.retag_box: gr.Column(visible=False), w.retag: {}}, None,
                          [w.retag_box, w.retag], **quiet)


def _wire_card(cw: cards_mod.CardWidgets, w: CastWidgets, ctx: PageContext, scene: Any, outs, retag_outs,
               quiet, checks, edit) -> None:
    """The events of one card; slot index i is fixed, the data moves between slots.  A file is
    checked with the session's cast locked, so a picture and a voice dropped together both land."""
    i, n = cw.n - 1, cw.n
    st = ctx.states

    def on_media(given: dict, request: gr.Request):
        upload = given[cw.media]

        def change(cast):
            if not upload or i >= len(cast):
                return cast
            card = cast_mod.check_media(cast[i], upload, n, cast, i, work_dir=ctx.checked_dir).marked(example=False)
            return cast_mod.replace_card(cast, i, kept.keep_media(cast[i], card))  # a refusal keeps what it had
        return edit(request, given[st.cast], change, names=False, links={n})

    async def on_link(given: dict, request: gr.Request):
        """A pasted link is checked at once (reachable, type, size), the verdict on the card."""
        cast, url = ctx.casts.get(request, given[st.cast]), given[cw.link]
        if i >= len(cast):
            return edit(request, cast, lambda c: c, names=False, links=False)
        from ..hosting import LinkGuard

        checked = await cast_mod.check_link(cast[i], url, n, cast, i, guard=LinkGuard.for_settings(ctx.settings))
        # Only the card's picture/video part changes: a voice checked meanwhile stays; a refused link
        # leaves an accepted picture/video in place.
        return edit(request, cast, lambda c: cast_mod.replace_card(
            c, i, kept.keep_media(c[i], c[i].with_media_of(checked))) if i < len(c) else c, names=False, links={n})

    def on_voice(given: dict, request: gr.Request):
        upload = given[cw.voice_upload]

        def change(cast):
            if not upload or i >= len(cast):
                return cast
            voice = cast_mod.check_voice(cast[i], upload, work_dir=ctx.checked_dir)
            return cast_mod.replace_card(cast, i, kept.keep_voice(cast[i], voice))
        return edit(request, given[st.cast], change, names=False, links=False)

    def on_voice_clear(given: dict, request: gr.Request):
        return edit(request, given[st.cast], lambda c: cast_mod.replace_card(c, i, c[i].without_voice()) if i < len(c) else c,
                    names=False, links=False)

    def on_character(given: dict, request: gr.Request):
        """The name typed on the card: its face and the prompt's hints change; the box is left as typed."""
        name = given[cw.character]
        with ctx.casts.lock(request):
            cast = ctx.casts.get(request, given[st.cast])
            if i >= len(cast):
                return {}
            cast = cast_mod.replace_card(cast, i, cast[i].with_character(name))
            rev = ctx.casts.put(request, cast)
        return {cw.face: cards_mod.face_html(cast[i], n, lang_of(request), rev), cw.insert: cards_mod.insert_button(cast[i], n, lang_of(request)),
                st.cast: cast}

    def reorder(change):
        def handler(given: dict, request: gr.Request):
            prompt = given[scene.prompt]
            with ctx.casts.lock(request):
                cast = ctx.casts.get(request, given[st.cast])
                after = change(cast)
                view = cast_view(w, ctx, after, request) | {scene.form_alert: ""}
            mapping = renumbering(cast, after)
            named = {int(m) for m in TAG.findall(prompt or "")}
            offer = {a: b for a, b in mapping.items() if a in named}
            if not offer:
                return view | {w.retag_box: gr.Column(visible=False), w.retag: {}, w.retag_text: ""}
            return view | {w.retag_box: gr.Column(visible=True), w.retag_text: offer_text(mapping, lang_of(request)),
                           w.retag: mapping}
        return handler

    cw.media.upload(on_media, {st.cast, cw.media}, outs, **checks)
    links = dict(show_progress="minimal", api_visibility="undocumented", concurrency_limit=None)
    cw.use_link.click(on_link, {st.cast, cw.link}, outs, **links)
    cw.link.submit(on_link, {st.cast, cw.link}, outs, **links)
    cw.voice_upload.upload(on_voice, {st.cast, cw.voice_upload}, outs, **checks)
    cw.voice_clear.click(on_voice_clear, {st.cast}, outs, **quiet)
    # As typed (keys), and when the box is left (a paste or an autofill may fire no key event).
    for typed in (cw.character.input, cw.character.blur):
        typed(on_character, {st.cast, cw.character}, [cw.face, cw.insert, st.cast], trigger_mode="always_last",
              concurrency_limit=None, **quiet)
    # The tag goes where the cursor is in the prompt (done in the browser: the server does not know it).
    cw.insert.click(None, [scene.prompt], [scene.prompt], js=_insert_js(n), **quiet)
    move = [*outs, *retag_outs]
    cw.up.click(reorder(lambda cast: cast_mod.move_card(cast, i, -1)), {st.cast, scene.prompt}, move, **quiet)
    cw.down.click(reorder(lambda cast: cast_mod.move_card(cast, i, +1)), {st.cast, scene.prompt}, move, **quiet)
    cw.remove.click(reorder(lambda cast: cast_mod.remove_card(cast, i)), {st.cast, scene.prompt}, move, **quiet)


def _insert_js(n: int) -> str:
    """Inserts the card's @Name when its Name box holds one (read at the click: it may be mid-typing), else its tag."""
    tag = spec.character_tag(n)
    return f"""(prompt) => {{
  const box = document.querySelector('#card-{n}-character input, #card-{n}-character textarea');
  const nm = box ? box.value.trim().replace(/^@+/, '') : '';
  const tag = /^\\p{{L}}[\\p{{L}}\\p{{N}}_-]*$/u.test(nm) ? '@' + nm : '{tag}';
  const ta = document.querySelector('#prompt textarea');
  const text = prompt || '';
  const s = ta && document.activeElement !== null && ta.selectionStart != null ? ta.selectionStart : text.length;
  const e = ta && ta.selectionEnd != null ? ta.selectionEnd : s;
  const before = text.slice(0, s), after = text.slice(e);
  const out = before + (before && !/\\s$/.test(before) ? ' ' : '') + tag + (after && !/^\\s/.test(after) ? ' ' : (after ? '' : ' ')) + after;
  if (ta) {{ const pos = out.length - after.length; setTimeout(() => {{ ta.focus(); ta.setSelectionRange(pos, pos); }}, 50); }}
  return out;
}}"""


# The page's side of the revisions (put in the page head by theme.py): the newest face on the page
# older than the newest ever drawn means an older answer arrived last; press `#cast-refresh` once
# (again only after a newer face has been drawn).
STALE_JS = r"""
(() => {
  let newest = 0, asked = false;
  const check = () => {
    const revs = [...document.querySelectorAll('.card-face[data-rev]')].map((f) => Number(f.dataset.rev));
    if (!revs.length) return;
    const shown = Math.max(...revs);
    if (shown >= newest) { newest = shown; asked = false; return; }
    const refresh = document.getElementById('cast-refresh');
    if (!asked && refresh) { asked = true; refresh.click(); }
  };
  new MutationObserver(check).observe(document.documentElement, {childList: true, subtree: true});
})();
"""
