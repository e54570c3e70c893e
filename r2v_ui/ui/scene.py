"""The scene: the prompt with its live count and tag hints, the main settings in one compact row,
and "More settings" (sound, watermark, seed, things to avoid)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .. import spec
from ..examples import EXAMPLE_NEGATIVE_PROMPTS
from ..messages import both
from ..workspace import cast as cast_mod
from ..workspace import form
from . import fieldnotes, rawinputs, starters, storyboard
from .context import PageContext, esc
from .language import choices, label, lang_of, text
from ..workspace.start import parse_takes


@dataclass
class SceneWidgets:
    prompt: gr.Textbox
    prompt_count: gr.HTML
    hints: gr.HTML
    tier: gr.Radio
    aspect: gr.Radio
    size_info: gr.HTML
    duration: Any
    shot: gr.Radio
    audio: gr.Checkbox
    watermark: gr.Checkbox
    seed_mode: gr.Radio
    seed: Any
    reuse_seed: gr.Button
    negative: gr.Textbox
    negative_count: gr.HTML
    form_alert: gr.HTML
    more: gr.Accordion
    board: storyboard.StoryboardWidgets
    starters: starters.StarterWidgets

    def named(self) -> dict[str, Any]:
        """The form's widgets by their names in the API (workspace.form.API_NAMES), in that order."""
        widgets = {"prompt": self.prompt, "negative": self.negative, "tier": self.tier, "aspect": self.aspect,
                   "duration": self.duration, "shot": self.shot, "audio": self.audio, "watermark": self.watermark,
                   "seed_mode": self.seed_mode, "seed": self.seed, "shots": self.board.value}
        return {name: widgets[name] for name in form.API_NAMES}

    def inputs(self) -> list[Any]:
        """The form's widgets, in FormValues order."""
        return list(self.named().values())

    def outputs(self) -> list[Any]:
        """Everything `show` updates."""
        return [*self.inputs()[:-1], *self.board.outputs()]

    def show(self, v: form.FormValues) -> dict:
        """Updates that put `v` into the form (remix, reload)."""
        return {self.prompt: v.prompt, self.negative: v.negative_prompt, self.tier: v.tier, self.aspect: v.aspect,
                self.duration: v.duration, self.shot: v.shot_type, self.audio: v.audio, self.watermark: v.watermark,
                self.seed_mode: v.seed_mode,
                self.seed: gr.Number(value=v.seed, visible=v.seed_mode == form.SEED_FIXED)} | self.board.show(
                    v.shots, v.duration)


def render(ctx: PageContext) -> SceneWidgets:
    d = form.DEFAULTS
    gr.HTML(f'<h2 class="step-title">{both("scene.title")}</h2>')
    starter_w = starters.render(ctx)  # for an empty box: a first prompt with the cast's names
    # No max_length: a pasted text over the limit stays whole and the count says so (never cut silently).
    prompt = gr.Textbox(label=label("ui.prompt"), lines=3, max_lines=12, elem_id="prompt",
                        placeholder=label("ui.prompt_placeholder"))
    with gr.Row(elem_id="prompt-meta", equal_height=False):
        prompt_count = fieldnotes.render_count(spec.PROMPT_MAX, "prompt-count")
        hints = fieldnotes.render_hints()
    gr.HTML(f'<h2 class="step-title">{both("scene.settings_title")}</h2>')
    with gr.Row(elem_id="settings-row", equal_height=False):
        tier = gr.Radio(list(spec.TIERS), value=d.tier, label=label("ui.resolution"), elem_id="tier", min_width=150)
        aspect = gr.Radio(list(spec.ASPECTS), value=d.aspect, label=label("ui.aspect"), elem_id="aspect", min_width=260)
        # A number box, not a slider: Gradio's slider puts 10 in place of a typed 11 (and 2 in place of
        # 1 or −1) when the box loses focus, so the video would be made at a length nobody asked for.
        duration = rawinputs.WholeNumber(value=d.duration, label=label("ui.duration"), precision=0, step=1,
                                         minimum=spec.DURATION_MIN, maximum=spec.DURATION_MAX, elem_id="duration",
                                         min_width=160)
        shot = gr.Radio(choices(form.SHOT_CHOICES), value=d.shot_type, label=label("ui.shots"), elem_id="shot-type", min_width=200)
    size_info = fieldnotes.render_size()
    board = storyboard.render(ctx)  # under the shot type, with Multi shot
    with gr.Accordion(label("ui.more_settings"), open=False,
                      elem_id="more-settings") as more:
        with gr.Row(equal_height=False):
            audio = gr.Checkbox(value=d.audio, label=label("ui.sound"), elem_id="audio",
                                info=label("ui.sound_info"))
            watermark = gr.Checkbox(value=d.watermark, label=label("ui.watermark"), elem_id="watermark",
                                    info=label("ui.watermark_info"))
        with gr.Row(equal_height=False, elem_id="seed-row"):
            seed_mode = gr.Radio(choices(form.SEED_CHOICES), value=d.seed_mode, label=label("ui.seed"), elem_id="seed-mode",
                                 info=label("ui.seed_info"), min_width=220)
            seed = rawinputs.WholeNumber(value=None, label=label("ui.seed_number"), precision=0, minimum=spec.SEED_MIN,
                                         maximum=spec.SEED_MAX, elem_id="seed", visible=False, min_width=160)
            reuse_seed = gr.Button(label("ui.reuse_seed"), size="sm", elem_id="reuse-seed", min_width=160)
        negative = gr.Textbox(label=label("ui.negative"), lines=2, elem_id="negative-prompt",
                              placeholder=label("ui.negative_placeholder"))
        negative_count = fieldnotes.render_count(spec.NEGATIVE_PROMPT_MAX, "negative-count")
    form_alert = gr.HTML("", elem_id="form-alert", min_height=0)
    return SceneWidgets(prompt, prompt_count, hints, tier, aspect, size_info, duration, shot, audio, watermark,
                        seed_mode, seed, reuse_seed, negative, negative_count, form_alert, more, board,
                        starter_w)


def listen(w: SceneWidgets, ctx: PageContext, page: Any) -> None:
    st, price, takes = ctx.states, page.result.price, page.result.takes
    demo = ctx.settings.demo

    # The page's cheapest, most frequent events (every keystroke): text in, text out, nothing read or
    # written.  Coroutines without pre/postprocessing, so they never wait for a worker thread.
    ui_only = dict(concurrency_limit=None, preprocess=False, postprocess=False)

    async def refresh(given: dict, request: gr.Request):
        lang = lang_of(request)
        cast, prompt_text, negative_text = given[st.cast], given[w.prompt], given[w.negative]
        tier_v, aspect_v, duration_v, key = given[w.tier], given[w.aspect], given[w.duration], given[st.key]
        shot_v, shots, takes_v = given[w.shot], given[w.board.value], given[takes]
        try:
            n_takes = parse_takes(takes_v)
        except ValueError:
            n_takes = 1
        checked = form.prompt_for_checks(prompt_text, shot_v, shots)
        out = {
            w.prompt_count: fieldnotes.prompt_count(prompt_text, cast, lang),
            w.negative_count: fieldnotes.count_label(negative_text, spec.NEGATIVE_PROMPT_MAX, lang),
            # With a storyboard the hints are about every shot too; its own preview shows the prompt as sent.
            w.hints: fieldnotes.hints_html(checked, cast, lang, as_sent=checked == (prompt_text or "")),
            w.size_info: fieldnotes.size_html(tier_v, aspect_v, lang),
            price: fieldnotes.price_label(ctx.settings.price, tier_v, aspect_v, duration_v, cast, demo=demo and not key,
                                          takes=n_takes, lang=lang),
        }
        # The example's "things to avoid" leave with the example cast: never kept hidden for another scene.
        if negative_text in EXAMPLE_NEGATIVE_PROMPTS and not any(c.example for c in cast_mod.filled(cast)):
            out[w.negative] = ""
            out[w.negative_count] = fieldnotes.count_label("", spec.NEGATIVE_PROMPT_MAX)
        return out

    gr.on(
        [st.cast.change, w.prompt.change, w.negative.change, w.tier.change, w.aspect.change, w.duration.change,
         st.key.change, w.shot.change, w.board.value.change, takes.change],
        refresh, {st.cast, w.prompt, w.negative, w.tier, w.aspect, w.duration, st.key, w.shot, w.board.value,
                  takes},
        [w.prompt_count, w.negative_count, w.hints, w.size_info, price, w.negative],
        show_progress="hidden", trigger_mode="always_last", api_visibility="undocumented", **ui_only,
    )

    def reuse_last_seed(given: dict, request: gr.Request = None):
        seed_value = given[st.last_seed]
        if seed_value is None:
            return {w.form_alert: f'<div class="form-note" role="status">{esc(text("scene.no_seed", request))}</div>'}
        return {w.seed_mode: form.SEED_FIXED, w.seed: gr.Number(value=seed_value, visible=True), w.form_alert: ""}

    w.reuse_seed.click(reuse_last_seed, {st.last_seed}, [w.seed_mode, w.seed, w.form_alert],
                       api_visibility="undocumented")
    async def show_seed_box(given: dict):
        return gr.Number(visible=given[w.seed_mode] == form.SEED_FIXED)

    w.seed_mode.change(show_seed_box, {w.seed_mode}, [w.seed], show_progress="hidden",
                       api_visibility="undocumented", **ui_only)
