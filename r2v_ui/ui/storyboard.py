"""The storyboard, under the shot type when "Multi shot" is chosen: up to six rows (a line of text and
a length in seconds), the check that the lengths add up to the duration with a one-click "Fit to N s",
and the prompt exactly as it will be sent (composed by ../storyboard.py).

Rows, not a spreadsheet: a labelled text box and a number per shot are what a phone's keyboard and a
screen reader handle well (Gradio's Dataframe edits cells with a double tap and a hidden grid).

What is sent: `value`, a hidden JSON list of the visible rows, kept equal to the rows *in the browser*
(a JavaScript-only handler on every row's change, so a Generate right after typing reads what was
typed: nothing waits on a round trip).  Generate, the API's /generate and a remix read or write only
`value`/the rows through `form.FormValues.shots`; the draft is built by form.build_draft alone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from .. import spec
from ..errors import StudioError
from ..storyboard import SHOTS_MAX, SHOTS_MIN, Storyboard, fit, length_problem
from ..messages import DEFAULT, LANGUAGES, Msg, both, render_msg, t
from ..workspace import refusals
from ..workspace import form
from . import fieldnotes
from .language import label, lang_of
from .context import PageContext

START_SHOTS = 3

# What the user reads is in the catalog ("ui.storyboard.*", "storyboard.*"); the shots' placeholders take turns.
PLACEHOLDERS = 3
SECONDS = {"en": "s", "zh-CN": "秒"}  # a shot's length in the sum check: "3 s + 2 s" / "3 秒 + 2 秒"


# Keeps `value` equal to the visible rows, in the browser (see the module's docstring).
PACK_JS = """(n, ...v) => { const k = v.length / 2, out = [];
  for (let i = 0; i < Math.min(n || 0, k); i++) out.push({text: v[i] ?? '', seconds: v[k + i] ?? null});
  return [out]; }"""


@dataclass
class StoryboardWidgets:
    panel: gr.Column
    accordion: gr.Accordion
    count: gr.Number
    rows: list[gr.Row]
    texts: list[gr.Textbox]
    seconds: list[gr.Number]
    add: gr.Button
    remove: gr.Button
    check: gr.HTML
    fit: gr.Button
    preview: gr.HTML
    value: gr.JSON

    def outputs(self) -> list[Any]:
        """Everything `show` may update (a remix puts a job's shot list back)."""
        return [self.accordion, self.count, *self.rows, *self.texts, *self.seconds, self.add, self.remove, self.value]

    def show(self, shots: Any, duration: Any = spec.DEFAULT_DURATION) -> dict:
        """Updates that put a shot list (FormValues.shots) into the rows; an empty one gives the
        starting rows (their lengths fitted to `duration`), closed."""
        rows = list(shots or ())
        if not rows:
            d = _duration(duration) or spec.DEFAULT_DURATION
            lengths: list[Any] = fit([None] * min(START_SHOTS, d), d)  # a 2 s video starts with 2 shots
            rows = [{"text": "", "seconds": s} for s in lengths]
        return self._rows(rows) | {self.accordion: gr.Accordion(open=bool(shots))}

    def row_change(self, n: int) -> dict:
        """`n` rows shown (the rows' contents untouched)."""
        return {self.count: n, self.add: gr.Button(interactive=n < SHOTS_MAX),
                self.remove: gr.Button(interactive=n > SHOTS_MIN)} | {
            row: gr.Row(visible=i < n) for i, row in enumerate(self.rows)}

    def _rows(self, rows: list[dict]) -> dict:
        n = max(SHOTS_MIN, min(SHOTS_MAX, len(rows)))
        rows = (rows + [{"text": "", "seconds": None}] * SHOTS_MAX)[:SHOTS_MAX]
        out: dict = self.row_change(n) | {self.value: rows[:n]}
        for i in range(SHOTS_MAX):
            out[self.texts[i]] = (rows[i].get("text") or "") if i < n else ""
            out[self.seconds[i]] = rows[i].get("seconds") if i < n else None
        return out


def render(ctx: PageContext) -> StoryboardWidgets:
    start = fit([None] * START_SHOTS, spec.DEFAULT_DURATION)
    rows, texts, seconds = [], [], []
    with gr.Column(visible=form.DEFAULTS.shot_type == "multi", elem_id="storyboard") as panel:
        with gr.Accordion(label("ui.storyboard.title"), open=False, elem_id="storyboard-box") as accordion:
            gr.HTML(f'<p class="storyboard-intro">{both("storyboard.intro", markup=True)}</p>', min_height=0, padding=False)
            for i in range(SHOTS_MAX):
                with gr.Row(visible=i < START_SHOTS, elem_classes=["shot-row"], elem_id=f"shot-row-{i + 1}",
                            equal_height=True) as row:
                    texts.append(gr.Textbox(label=label(f"ui.storyboard.shot_{i + 1}"), lines=1, max_lines=4, scale=5,
                                            min_width=200, elem_id=f"shot-{i + 1}-text",
                                            placeholder=label(f"ui.storyboard.placeholder_{i % PLACEHOLDERS + 1}")))
                    seconds.append(gr.Number(start[i] if i < START_SHOTS else None, label=label("ui.storyboard.seconds"),
                                             minimum=1, maximum=spec.DURATION_MAX, step=1, precision=0, scale=1,
                                             min_width=96, elem_id=f"shot-{i + 1}-seconds"))
                rows.append(row)
            with gr.Row(elem_id="storyboard-actions"):
                add = gr.Button(label("ui.storyboard.add"), size="sm", elem_id="storyboard-add", min_width=120)
                remove = gr.Button(label("ui.storyboard.remove"), size="sm", elem_id="storyboard-remove", min_width=120)
            check = gr.HTML(check_html([], spec.DEFAULT_DURATION, lang=None), elem_id="storyboard-check", min_height=0)
            fit_btn = gr.Button(t("storyboard.fit", DEFAULT, duration=spec.DEFAULT_DURATION), size="sm", visible=False,
                                elem_id="storyboard-fit")
            preview = gr.HTML("", elem_id="storyboard-preview", min_height=0)
        count = gr.Number(START_SHOTS, visible=False, elem_id="storyboard-count")
        value = gr.JSON([{"text": "", "seconds": s} for s in start], visible=False, elem_id="storyboard-value")
    return StoryboardWidgets(panel, accordion, count, rows, texts, seconds, add, remove, check, fit_btn, preview,
                             value)


def _count(raw: Any) -> int:
    n = form.whole_number(raw, SHOTS_MIN, SHOTS_MAX)
    return START_SHOTS if n is None else n


def _duration(raw: Any) -> int | None:
    try:
        return form.parse_duration(raw)
    except ValueError:
        return None


def check_html(raw_shots: Any, duration: int | None, overall: str = "", lang: str | None = DEFAULT) -> str:
    """The sum check (and, with text in a shot, what stops it being sent) for the rows as they are, in
    `lang` (None: before any request is known, in both)."""
    def said(key: str) -> str:
        return both(key) if lang is None else html.escape(t(key, lang))

    def told(m: Msg) -> str:  # a Msg as HTML, the same way
        if lang is not None:
            return html.escape(render_msg(m, lang))
        return "".join(f'<span class="i18n" lang="{x}">{html.escape(render_msg(m, x))}</span>' for x in LANGUAGES)

    if duration is None:
        return ""
    try:
        board = Storyboard(overall, form.read_shots(raw_shots))
    except ValueError as exc:
        return _hints([told(refusals.said(exc))])
    if board.in_use:
        problems = [told(p.msg) for p in board.problems(duration)]
        if problems:
            return _hints(problems)
    else:  # nothing is sent from these rows yet: the lengths are a note, not an error
        wrong = length_problem(len(board.shots), board.total, duration)
        if wrong:
            return f'<div role="status">{_note_html(told(wrong))}{_note_html(said("storyboard.not_in_use"))}</div>'
    if board.total is None:
        return _note_html(said("storyboard.not_in_use"))
    unit = SECONDS.get(lang or DEFAULT, "s")
    parts = " + ".join(f"{s.seconds} {unit}" for s in board.shots)
    ok = f'<div class="hint hint-ok">{html.escape(t("storyboard.sum_ok", lang or DEFAULT, parts=parts, total=board.total))}</div>'
    return f'<div role="status">{ok}{"" if board.in_use else _note_html(said("storyboard.not_in_use"))}</div>'


def preview_html(raw_shots: Any, overall: str, cast: list[dict] | None = None, lang: str = DEFAULT) -> str:
    """The composed prompt as the service will receive it (each @Name as its card's tag) and its count."""
    try:
        board = Storyboard(overall or "", form.read_shots(raw_shots))
    except ValueError:
        return ""
    if not board.in_use:
        return ""
    text = form.sent_prompt(board.compose(), cast or []).sent
    return (f'<div class="storyboard-preview"><div class="storyboard-preview-title">{html.escape(t("storyboard.preview_title", lang))}</div>'
            f'<pre class="storyboard-prompt">{html.escape(text)}</pre>'
            f'{fieldnotes.count_label(text, spec.PROMPT_MAX)}</div>')


def fit_button(raw_shots: Any, duration: int | None, lang: str = DEFAULT) -> Any:
    try:
        shots = form.read_shots(raw_shots)
    except ValueError:
        return gr.Button(visible=False)
    total = None if any(s.seconds is None for s in shots) else sum(s.seconds for s in shots)  # type: ignore[misc]
    show = duration is not None and SHOTS_MIN <= len(shots) <= duration and total != duration
    return gr.Button(t("storyboard.fit", lang, duration=duration), visible=show)


def _hints(markups: list[str]) -> str:
    items = "".join(f'<div class="hint hint-error">✕ {m}</div>' for m in markups)
    return f'<div role="status">{items}</div>'


def _note_html(markup: str) -> str:
    return f'<div class="hint storyboard-note">{markup}</div>'


def listen(w: StoryboardWidgets, ctx: PageContext, scene: Any) -> None:
    ui_only = dict(concurrency_limit=None, show_progress="hidden", api_visibility="private")

    gr.on([w.count.change, *(t.change for t in w.texts), *(s.change for s in w.seconds)], None,
          [w.count, *w.texts, *w.seconds], [w.value], js=PACK_JS, queue=False, api_visibility="private")

    async def show_panel(given: dict):
        return gr.Column(visible=given[scene.shot] == "multi")

    scene.shot.change(show_panel, {scene.shot}, [w.panel], preprocess=False, postprocess=False, **ui_only)

    async def refresh(given: dict, request: gr.Request):
        raw_shots, prompt, cast = given[w.value], given[scene.prompt], given[ctx.states.cast]
        d = _duration(given[scene.duration])
        lang = lang_of(request)
        return {w.check: check_html(raw_shots, d, prompt or "", lang),
                w.preview: preview_html(raw_shots, prompt or "", cast, lang), w.fit: fit_button(raw_shots, d, lang)}

    gr.on([w.value.change, scene.prompt.change, scene.duration.change, ctx.states.cast.change], refresh,
          {w.value, scene.prompt, scene.duration, ctx.states.cast}, [w.check, w.preview, w.fit],
          trigger_mode="always_last", **ui_only)

    # Adding or removing touches only the row that comes or goes (never the text of the others, which
    # the user may be typing in while the click is under way).
    def add(given: dict):
        n = _count(given[w.count])
        if n >= SHOTS_MAX:
            return {}
        return w.row_change(n + 1) | {w.texts[n]: "", w.seconds[n]: 1}

    def remove(given: dict):
        n = _count(given[w.count])
        if n <= SHOTS_MIN:
            return {}
        return w.row_change(n - 1) | {w.texts[n - 1]: "", w.seconds[n - 1]: None}

    def fit_lengths(given: dict, request: gr.Request):
        d = _duration(given[scene.duration])
        try:
            shots = form.read_shots(given[w.value])
            lengths = fit([s.seconds for s in shots], d) if d is not None else None
        except StudioError as exc:  # said by the check already; nothing is changed
            gr.Warning(render_msg(exc.msg, lang_of(request)))
            return {}
        if lengths is None:
            return {}
        return {w.seconds[i]: n for i, n in enumerate(lengths)}

    # Each reads the rows as they are when clicked: a second click while one is under way is ignored
    # ("once"), so a double tap adds one shot, never two that both overwrite the same row.
    row_outputs = [w.count, *w.rows, *w.texts, *w.seconds, w.add, w.remove]
    w.add.click(add, {w.count}, row_outputs, trigger_mode="once", **ui_only)
    w.remove.click(remove, {w.count}, row_outputs, trigger_mode="once", **ui_only)
    w.fit.click(fit_lengths, {w.value, scene.duration}, w.seconds, trigger_mode="once", **ui_only)
