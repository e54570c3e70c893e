"""The Compare tab: 2–4 finished videos side by side, played in step.

One play/pause and one scrubber drive every video (theme.py's script keeps them at the same time);
under each video only the settings that make it different (compare.py), and "Keep this one", which
marks a favourite that History can filter on.  Videos come from a batch of takes ("Compare these
takes" in the result pane), from History ("Compare…" on a job), or from the picker here, which
lists your finished videos, newest first."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..jobs.states import JobState
from ..messages import EN, ZH, both, t
from . import feedback, sharepanel
from .context import PageContext
from .language import label, lang_of
from . import videoview
from .videoview import player_html, served_url
from ..workspace import compare, filenames

PICKER_SIZE = 60  # the newest finished videos offered in the picker (History reaches every one)
# Opened from far down the page (a phone's takes grid): once the videos are in, the picker and the
# controls under it come to the top of the screen.
TO_TOP_JS = """() => { let n = 0; const go = () => {
  const v = document.querySelector('#compare-slots video'), p = document.getElementById('compare-picker');
  if (v && p) p.scrollIntoView({block: 'start'}); else if (n++ < 50) setTimeout(go, 100); }; go(); }"""
KEEP_LABEL, KEPT_LABEL = label("ui.keep_one"), label("ui.kept")
EMPTY_HTML = f'<div class="history-empty" id="compare-empty" role="status">{both("compare.empty", markup=True)}</div>'
CONTROLS_HTML = (
    '<div class="compare-controls" id="compare-controls-box">'
    '<button type="button" id="compare-play" class="compare-play" aria-pressed="false" '
    + " ".join(f'data-{p}{k}="{html.escape(t("compare." + k, lang))}"' for lang, p in ((EN, ""), (ZH, "zh-")) for k in ("play", "pause"))
    + f'>{both("compare.play")}</button>'
    '<input type="range" id="compare-scrub" min="0" max="1000" value="0" step="1" '
    f'aria-label="{html.escape(t("compare.scrub", EN))}">'
    f'<span id="compare-time" class="compare-time" aria-live="off">{both("status.secs", s="0.0")}</span></div>')


@dataclass
class CompareWidgets:
    picker: gr.Dropdown
    controls: gr.HTML
    empty: gr.HTML
    cells: list[gr.HTML]
    keeps: list[gr.Button]
    columns: list[gr.Column]
    shown: gr.State  # the job ids in the cells, in order
    share: gr.Button | None = None  # the videos shown into the Share dialog (sharepanel.py)


def render(ctx: PageContext) -> CompareWidgets:
    gr.HTML(f'<h2 class="step-title">{both("ui.tab.compare")}</h2>', min_height=0)
    picker = gr.Dropdown([], value=[], multiselect=True, max_choices=compare.MAX_COMPARE,
                         label=label("ui.compare.picker"), elem_id="compare-picker")
    controls = gr.HTML(CONTROLS_HTML, visible=False, elem_id="compare-controls", min_height=0)
    share = sharepanel.button("ui.share.set", "compare-share", visible=False)
    empty = gr.HTML(EMPTY_HTML, min_height=0)
    cells, keeps, columns = [], [], []
    with gr.Row(elem_id="compare-slots", equal_height=False):
        for i in range(compare.MAX_COMPARE):
            with gr.Column(visible=False, min_width=160, elem_classes=["compare-col"]) as col:
                cells.append(videoview.render(f"compare-cell-{i + 1}"))
                keeps.append(gr.Button(KEEP_LABEL, size="sm", elem_id=f"compare-keep-{i + 1}"))
            columns.append(col)
    return CompareWidgets(picker, controls, empty, cells, keeps, columns, gr.State([]), share)


def listen(w: CompareWidgets, ctx: PageContext, page: Any) -> None:
    manager, st = ctx.manager, ctx.states
    tab, tabs, result_w, history_w = page.compare_tab, page.tabs, page.result, page.history

    def choices(owner: str, chosen: list[str], lang: str = EN) -> list[tuple[str, str]]:
        snaps, _ = manager.list_page(owner=owner, status=JobState.SUCCEEDED, limit=PICKER_SIZE)
        found = {s.job_id for s in snaps}
        extra = [manager.snapshot(j, owner=owner) for j in chosen if j not in found]
        return [(compare.choice_label(s, lang=lang), s.job_id) for s in [*snaps, *(e for e in extra if e)]]

    def cells_view(job_ids: list[str], owner: str, lang: str = EN) -> dict:
        snaps = [s for s in (manager.snapshot(j, owner=owner) for j in job_ids or [])
                 if s is not None and s.video_path is not None][:compare.MAX_COMPARE]
        diffs = compare.differences(snaps, lang) if len(snaps) > 1 else [[] for _ in snaps]
        view = ctx.show()
        out: dict = {w.shown: [s.job_id for s in snaps], w.controls: gr.HTML(visible=len(snaps) >= 2),
                     w.empty: gr.HTML(visible=len(snaps) < 2),
                     w.share: gr.Button(visible=len(snaps) >= 2 and ctx.shares is not None)}
        said = ({s.job_id: ctx.shares.feedback_for_job(owner, s.job_id) for s in snaps} if ctx.shares is not None
                else {})
        # Each player's box: on a laptop the row's tallest shape for every cell (one height, the tops in
        # line, each video whole inside its box), on a phone (one a row) its own; never taller than the
        # screen allows (theme.py).
        frames = [compare.frame(s) for s in snaps]
        row = compare.tallest(frames)
        for i in range(compare.MAX_COMPARE):
            if i < len(snaps):
                s = snaps[i]
                name = compare.choice_label(s, lang=lang)
                video = player_html(served_url(w.cells[i], view, s.video_path, filenames.for_snapshot(s)), label=t("compare.video", lang, n=i + 1, name=name),
                                    controls=False, css_class="r2v-sync")
                # One short line under each video: which one it is, then only what differs.
                diff = " · ".join(diffs[i]) or t("compare.same", lang)
                short = t("takes.take", lang, n=s.take) if s.take else compare.choice_label(s, max_prompt=16, lang=lang)
                out[w.cells[i]] = (f'<div class="compare-cell" data-job="{html.escape(s.job_id)}" style="--frame: '
                                   f'{frames[i][0]} / {frames[i][1]}; --row-frame: {row[0]} / {row[1]}">{video}'
                                   f'<p class="compare-caption" title="{html.escape(name)}">'
                                   f'<span class="compare-name">{html.escape(short)}</span> · '
                                   f'<span class="compare-diff">{html.escape(diff)}</span></p>'
                                   f'{feedback.compare_html(s.job_id, said[s.job_id], lang) if s.job_id in said else ""}</div>')
                out[w.keeps[i]] = gr.Button(KEPT_LABEL if s.favourite else KEEP_LABEL)
                out[w.columns[i]] = gr.Column(visible=len(snaps) >= 2)
            else:
                out[w.cells[i]] = ""
                out[w.columns[i]] = gr.Column(visible=False)
        return out

    outputs = [w.shown, w.controls, w.empty, *w.cells, *w.keeps, *w.columns, w.share]

    def show(request: gr.Request = None, *, job_ids: Any, memory: Any):
        """Play 2 to 4 of your finished videos side by side (job ids; others' are ignored).  Named
        inputs: the API's `/compare` keeps its one parameter, `job_ids`."""
        who = ctx.visitor(request, memory)
        return cells_view(list(job_ids or []), who.owner, lang_of(request))

    w.picker.change(show, None, outputs, inputs_kwargs={"job_ids": w.picker, "memory": st.memory}, api_name="compare",
                    concurrency_limit=None)

    def open_with(job_ids: list[str], owner: str, lang: str = EN) -> dict:
        return {w.picker: gr.Dropdown(choices=choices(owner, job_ids, lang), value=job_ids),
                tabs: gr.Tabs(selected="compare")}

    def from_takes(given: dict, request: gr.Request):
        job_id = given[st.job]
        who = ctx.visitor(request, given[st.memory])
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        takes = manager.batch(snap.batch_id, owner=who.owner) if snap and snap.batch_id else []
        ids = [s.job_id for s in takes if s.has_video]
        return open_with(ids[:compare.MAX_COMPARE], who.owner, lang_of(request))

    result_w.compare_takes.click(from_takes, {st.job, st.memory}, [w.picker, tabs], api_visibility="undocumented").then(
        None, js=TO_TOP_JS)

    def from_history(given: dict, request: gr.Request):
        """History's "Compare…": its batch's takes, or this video added to what Compare shows."""
        job_id, chosen = given[history_w.selected], given[w.shown]
        who = ctx.visitor(request, given[st.memory])
        snap = manager.snapshot(job_id, owner=who.owner) if job_id else None
        if snap is None:
            return {}
        if snap.batch_id:
            ids = [s.job_id for s in manager.batch(snap.batch_id, owner=who.owner)
                   if s.has_video]
        else:
            ids = [j for j in (chosen or []) if j != job_id][-(compare.MAX_COMPARE - 1):] + [job_id]
        return open_with(ids[:compare.MAX_COMPARE], who.owner, lang_of(request))

    history_w.compare.click(from_history, {history_w.selected, w.shown, st.memory}, [w.picker, tabs],
                            api_visibility="undocumented").then(None, js=TO_TOP_JS)

    def refresh_choices(given: dict, request: gr.Request):
        who = ctx.visitor(request, given[st.memory])
        return gr.Dropdown(choices=choices(who.owner, list(given[w.picker] or []), lang_of(request)))

    tab.select(refresh_choices, {w.picker, st.memory}, [w.picker], api_visibility="private",
               show_progress="hidden", concurrency_limit=None)

    def keep(i: int):
        def handler(given: dict, request: gr.Request):
            shown = given[w.shown]
            who = ctx.visitor(request, given[st.memory])
            if i >= len(shown or []):
                return {}
            snap = manager.snapshot(shown[i], owner=who.owner)
            if snap is None:
                raise gr.Error(t("compare.gone", lang_of(request)))
            kept = manager.set_favourite(snap.job_id, not snap.favourite, owner=who.owner).favourite
            return {w.keeps[i]: gr.Button(KEPT_LABEL if kept else KEEP_LABEL)}
        return handler

    for i, btn in enumerate(w.keeps):
        btn.click(keep(i), {w.shown, st.memory}, [btn], api_name=f"compare_keep_{i + 1}", concurrency_limit=None)
