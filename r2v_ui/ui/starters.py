"""Scene starters above the prompt: small buttons (dialogue, product demo, dance, chase, interview)
that write a first prompt with the current cast's names (../starters.py writes the text).

An empty prompt is filled at once.  A prompt with words in it is never replaced silently: the page
asks first ("Replace it" / "Keep mine").  Asking rather than appending, because a starter is a whole
scene: two scenes run together make a prompt the model cannot follow, and the user's own words are
worth more than a template, so they are only dropped when the user says so.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import gradio as gr

from .. import prompt_names, spec
from ..starters import Starter, starter_prompt
from ..workspace import cast as cast_mod
from ..messages import both, t
from .context import PageContext
from .language import label, lang_of

# What the user reads is in the catalog: "starters.lead", "starters.ask", "ui.starter.<kind>", …


@dataclass
class StarterWidgets:
    buttons: dict[Starter, gr.Button]
    ask_box: gr.Column
    ask_text: gr.HTML
    replace: gr.Button
    keep: gr.Button
    pending: gr.State


def names_for_prompt(cast: list[dict]) -> list[str]:
    """What the prompt calls each character, in card order: `@Name` for a card with a character name
    that `@Name` can stand for (prompt_names' rule), else its tag (`character1`, …)."""
    return [f"@{name}" if name and prompt_names.name_problem(name) is None else spec.character_tag(i)
            for i, name in enumerate(cast_mod.character_names(cast), start=1)]


def prompt_for_cast(kind: Starter | str, cast: list[dict], lang: str | None = None) -> str:
    """The starter written for `cast`, in `lang` (the page's language; English when not given)."""
    return starter_prompt(kind, names_for_prompt(cast), lang)


def render(ctx: PageContext) -> StarterWidgets:
    buttons: dict[Starter, gr.Button] = {}
    with gr.Row(elem_id="starters", elem_classes=["starters"]):
        gr.HTML(f'<span class="starters-lead">{both("starters.lead")}</span>', min_height=0, padding=False,
                elem_id="starters-lead")
        for kind in Starter:
            buttons[kind] = gr.Button(label(f"ui.starter.{kind.value}"), size="sm", min_width=0, elem_id=f"starter-{kind.value}",
                                      elem_classes=["starter-chip"])
    with gr.Column(visible=False, elem_id="starter-ask", elem_classes=["confirm-box"]) as ask_box:
        ask_text = gr.HTML("", elem_id="starter-ask-text", min_height=0)
        with gr.Row():
            replace = gr.Button(label("ui.starter.replace"), size="sm", variant="primary", elem_id="starter-replace")
            keep = gr.Button(label("ui.starter.keep"), size="sm", elem_id="starter-keep")
    return StarterWidgets(buttons, ask_box, ask_text, replace, keep, gr.State(None))


def listen(w: StarterWidgets, ctx: PageContext, prompt: gr.Textbox) -> None:
    st = ctx.states
    quiet = dict(show_progress="hidden", api_visibility="private", concurrency_limit=None)

    def choose(kind: Starter):
        def handler(given: dict, request: gr.Request):
            lang = lang_of(request)
            if not (given[prompt] or "").strip():
                cast = ctx.casts.get(request, given[st.cast])
                return {prompt: prompt_for_cast(kind, cast, lang), w.ask_box: gr.Column(visible=False), w.pending: None}
            ask = t("starters.ask", lang, label=t(f"ui.starter.{kind.value}", lang))
            return {w.pending: kind.value, w.ask_box: gr.Column(visible=True),
                    w.ask_text: f'<div class="confirm" role="alertdialog" '
                                f'aria-label="{html.escape(t("ui.starter.replace", lang))}">{html.escape(ask)}</div>'}
        return handler

    for kind, button in w.buttons.items():
        button.click(choose(kind), {prompt, st.cast}, [prompt, w.ask_box, w.ask_text, w.pending], **quiet)

    def replace(given: dict, request: gr.Request):
        pending = given[w.pending]
        if not pending:
            return {w.ask_box: gr.Column(visible=False)}
        cast = ctx.casts.get(request, given[st.cast])
        return {prompt: prompt_for_cast(pending, cast, lang_of(request)), w.ask_box: gr.Column(visible=False), w.pending: None}

    w.replace.click(replace, {w.pending, st.cast}, [prompt, w.ask_box, w.pending], **quiet)
    w.keep.click(lambda: {w.ask_box: gr.Column(visible=False), w.pending: None}, None, [w.ask_box, w.pending],
                 **quiet)
