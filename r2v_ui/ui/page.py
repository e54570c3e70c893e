"""The studio page: composes the components (header, cast panel, scene, result pane, history).
Each component builds its widgets in `render()` and wires its events in `listen()`; nothing else
happens here.

Layout: a workspace.  On a laptop the form is on the left and the result pane on the right, sticky,
so the price, **Generate video**, the progress and the video are in view whatever the user does.
On a phone it is one column, and the generate bar is fixed at the bottom of the screen.

Concurrency, on purpose (Gradio queues every event with a limit of 1 by default, which would make
one user's streaming status wait behind another's):
* Gradio's queue runs at most `max_threads` events at once, over all concurrency groups (its worker
  slots); a stream keeps its slot until it ends, even while it only awaits.  So each tab's status
  stream is in a group of its own (`context.STREAM_LIMIT`), and `launch_kwargs` sizes the pool at
  `STREAM_LIMIT + PAGE_SLOTS`: however many streams are open, `PAGE_SLOTS` slots stay free for
  everything else.  A stream holds a slot, not a thread: it awaits the manager and wakes on news;
* the manager's reads are blocking SQLite reads: async handlers run them in a few threads of their
  own (`context.READ_THREADS`), never on the event loop that serves every tab;
* starting a job takes no CPU to speak of: `concurrency_limit=None`;
* checking an uploaded file (Pillow/PyAV headers, maybe a repair) is short CPU work in a thread:
  a small shared pool (`CHECK_CONCURRENCY`) so a burst of uploads cannot starve the page;
* everything else defaults to `DEFAULT_CONCURRENCY` (set in `queue()`);
* the queue waits for work instead of polling for it (`idlequeue.py`), so an idle studio sleeps.
"""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Any

import gradio as gr

from ..messages import EN, both, t
from ..workspace.examplecards import ExampleCards
from . import (cards, castpanel, comparepanel, context, header, historypanel, idlequeue, language, librarypanel, packpanel,
               result, scene, sharepanel, spendpanel, starters, storyboard)
from .context import DEFAULT_CONCURRENCY, PageContext, PageWidgets, Streams, make_states
from .language import label
from .theme import CSS, HEAD, make_theme
from .viewfiles import Viewer


def example_cards(settings: Any) -> ExampleCards:
    """The example cast's checked cards for one studio (its thumbnails drawn once too): the page hands
    a copy to each visitor, and the studio warms them at start (app.build_studio)."""
    return ExampleCards(Path(settings.data_dir) / "examples", _work_dir(settings) / "checked", finish=cards.with_thumb)


def _work_dir(settings: Any) -> Path:
    return Path(settings.data_dir) / "work"


def build_app(manager: Any, settings: Any, *, emulator: Any = None, shares: Any = None,
              examples: ExampleCards | None = None) -> gr.Blocks:
    """The whole page for one JobManager (and the studio's ShareService, `shares`, when sharing is on;
    `examples`: the example cast's cards, made here when not given).
    Nothing here talks to the service: jobs run in the manager."""
    work_dir = _work_dir(settings)
    # Every file the page shows goes out as a link at a stable, keyed path inside Gradio's cache (see
    # viewfiles.py): the library and work folders are not served by path.
    viewer = Viewer()
    atexit.register(viewer.close)

    with gr.Blocks(title=t("page.title", EN), fill_width=False) as demo:
        ctx = PageContext(manager=manager, settings=settings, viewer=viewer, streams=Streams(),
                          states=make_states(settings), work_dir=work_dir, checked_dir=work_dir / "checked",
                          shares=shares, examples=examples or example_cards(settings))
        gr.HTML(f'<a class="skip-link" href="#generate-btn">{both("page.skip")}</a>', min_height=0, padding=False)
        page = PageWidgets(demo=demo, stream=dict(concurrency_limit=context.STREAM_LIMIT, concurrency_id="job-streams",
                                                  show_progress="hidden"))
        page.header = header.render(ctx)
        # Live mode adds a fourth tab (Spend): on a phone the tabs wrap rather than hide History in a menu.
        with gr.Tabs(elem_id="main-tabs", overflow_behavior="menu" if settings.demo else "wrap") as page.tabs:
            with gr.Tab(label("ui.tab.studio"), id="studio", elem_id="tab-studio") as page.studio_tab:
                with gr.Row(equal_height=False, elem_id="workspace"):
                    with gr.Column(scale=3, min_width=320, elem_id="composer"):
                        page.cast = castpanel.render(ctx)
                        page.library = librarypanel.render(ctx)
                        page.scene = scene.render(ctx)
                    with gr.Column(scale=2, min_width=320, elem_id="result-pane"):
                        page.result = result.render(ctx)
            with gr.Tab(label("ui.tab.compare"), id="compare", elem_id="tab-compare") as page.compare_tab:
                page.compare = comparepanel.render(ctx)
            with gr.Tab(label("ui.tab.history"), id="history", elem_id="tab-history") as page.history_tab:
                page.history = historypanel.render(ctx)
            page.spend = None if settings.demo else spendpanel.render_tab(ctx)  # demo mode never speaks of money
        page.share = sharepanel.render(ctx)  # one Share dialog over the page, for every Share button

        def cast_view(cast: list, request: Any) -> dict:
            with ctx.casts.lock(request):
                return castpanel.cast_view(page.cast, ctx, cast, request)

        page.cast_view = cast_view
        header.listen(page.header, ctx, demo)
        castpanel.listen(page.cast, ctx, page)
        librarypanel.listen(page.library, ctx, page)
        scene.listen(page.scene, ctx, page)
        storyboard.listen(page.scene.board, ctx, page.scene)
        starters.listen(page.scene.starters, ctx, page.scene.prompt)
        page.actions = actions = result.listen(page.result, ctx, page)
        stream = page.stream
        historypanel.listen(page.history, ctx, page)
        comparepanel.listen(page.compare, ctx, page)
        spendpanel.listen(page.spend, ctx, page)
        sharepanel.listen(page.share, ctx, page)

        # The browser keeps its memory: every change of the session's copy is written back to its storage.
        ctx.states.memory.change(lambda given: given[ctx.states.memory], {ctx.states.memory}, [ctx.states.stored],
                                 api_visibility="private", show_progress="hidden", queue=False)
        load_fn, load_inputs, load_outputs = actions.load
        demo.load(load_fn, None, load_outputs, inputs_kwargs=load_inputs, api_name="resume", concurrency_limit=None).then(
            actions.watch.fn, actions.watch.inputs, actions.watch.outputs,
            api_visibility="undocumented", **stream)

    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY)
    idlequeue.wait_for_work(demo)  # an idle studio sleeps instead of polling its queue every millisecond
    return demo


def launch_kwargs() -> dict[str, Any]:
    """What to pass to `demo.launch()`: the studio's look, and the size of Gradio's worker pool.

    `max_threads` is how many events Gradio's queue runs at once (streams included), and also the
    limit of threads for sync handlers and pre/postprocessing (threads are started only when that
    much sync work runs at once).  Sized with the stream group, so that streams never take every slot.

    Gradio's own run history is off: the studio's History is the record of what was made, and a second
    one in the browser would keep copies of prompts and choices there (and name itself in English).
    Gradio's footer keeps its API and "Built with Gradio" links, not its "Settings": the studio has a
    Settings group of its own, and its language switch in the header."""
    return {"theme": make_theme(), "css": CSS + librarypanel.CSS + language.CSS + spendpanel.CSS + sharepanel.CSS + packpanel.CSS,
            "head": HEAD + sharepanel.HEAD, "i18n": language.make_i18n(),
            "max_threads": context.STREAM_LIMIT + context.PAGE_SLOTS, "run_history": False,
            "footer_links": ["api", "gradio"]}
