"""Handlers take their inputs keyed by component (issue 23): every event of the built page gives its
Python handler either one dict `{component: value}` (`inputs={a, b}`, a set) or named inputs
(`inputs_kwargs={"name": component}`: the routes with an API name whose parameters API callers pass,
so their names and order stay).  No handler takes a positional list kept in order by hand.

The exceptions are Gradio's own, by design (docs/ARCHITECTURE.md, "The page holds components only"):
a JavaScript-only event (no Python handler), a `gr.render` function (Gradio passes its inputs in
order), and a `gr.api` route (its parameters are its function's signature).

And the API stays as callers know it: each public route's parameters, by name and in order."""

from __future__ import annotations

import pytest
from gradio.components.api_component import Api
from gradio.renderable import Renderable

from app import build_studio
from r2v_ui.config import Settings

# The public routes' parameters as API callers (tests, README, scripts) pass them, in order.
API_PARAMETERS = {
    "/another_take": [], "/retry": [], "/remix": [], "/watch_job": [], "/check_hosting": [],
    "/load_example_cast": [], "/list_characters": [],
    "/attach_uncertain": ["task_id"], "/resubmit_uncertain": ["task_id"], "/discard_uncertain": ["task_id"],
    "/compare": ["job_ids"], "/compare_keep_1": [], "/compare_keep_2": [], "/compare_keep_3": [], "/compare_keep_4": [],
    "/decide_uncertain": ["job_id", "action", "task_id", "confirm_pay_again"],
    "/delete_job": ["status", "search"], "/toggle_keep": ["status", "search"],
    "/job_detail": ["job_id"], "/resume": ["stored"],
    "/list_history": ["status", "search", "page"],
    "/generate": ["prompt", "negative", "tier", "aspect", "duration", "shot", "audio", "watermark", "seed_mode",
                  "seed", "shots", "dont_ask", "takes", "recipe"],
    "/save_character": ["card", "name", "note"], "/use_character": ["character_id", "card"],
    "/edit_character": ["character_id", "name", "note"], "/delete_character": ["character_id"],
}
API_PARAMETERS["/confirm_generate"] = API_PARAMETERS["/generate"]


@pytest.fixture(scope="module", params=["demo", "live"])
def built(request, tmp_path_factory):
    """The whole page as the app builds it: demo mode, and live mode (a made-up key: its Spend tab)."""
    env = {"R2V_DATA_DIR": str(tmp_path_factory.mktemp(request.param))}
    if request.param == "live":
        env["HIGHWAY_API_KEY"] = "made-up-key-for-the-page-build"
    studio = build_studio(Settings.from_env(env))
    try:
        yield studio.demo
    finally:
        studio.close()


def positional_handlers(demo) -> list[str]:
    """Events whose Python handler takes a positional list, other than Gradio's own by-design kinds."""
    found = []
    for block_fn in demo.fns.values():
        fn = block_fn.fn
        if fn is None or not block_fn.inputs:  # JavaScript only, or nothing to take
            continue
        if isinstance(getattr(fn, "__self__", None), Renderable):  # gr.render: inputs in order, by design
            continue
        if all(isinstance(c, Api) for c in block_fn.inputs):  # gr.api: its signature is the route
            continue
        named = block_fn.inputs_as_dict or len(block_fn.input_keyword_names) == len(block_fn.inputs)
        if not named:
            found.append(f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', fn)} ({block_fn.api_name})")
    return found


def test_every_handler_takes_its_inputs_keyed_by_component_or_by_name(built):
    assert positional_handlers(built) == []


def test_the_api_keeps_each_routes_parameters_by_name_and_in_order(built):
    endpoints = built.get_api_info()["named_endpoints"]
    shown = {name: [p["parameter_name"] for p in ep["parameters"]] for name, ep in endpoints.items()}
    assert {k: v for k, v in shown.items() if k in API_PARAMETERS} == API_PARAMETERS
    assert set(API_PARAMETERS) <= set(shown)


def test_the_check_finds_a_positional_handler():
    import gradio as gr

    with gr.Blocks() as demo:
        a, b = gr.Textbox(), gr.Textbox()
        a.change(lambda x: x, [a], [b])
        b.change(lambda given: given[b], {b}, [a])
        a.submit(lambda request=None, **given: given["text"], None, [b], inputs_kwargs={"text": a})
    assert [f.split(" ")[0].rsplit(".", 1)[-1] for f in positional_handlers(demo)] == ["<lambda>"]
    assert len(positional_handlers(demo)) == 1
