"""A visitor's session without the work the page never uses (r2v_ui/ui/sessionstate.py), and the queue's
analytics summary made when read (r2v_ui/ui/idlequeue.py): each beside Gradio's own code doing the same
thing, on small pages served over loopback.  CPU itself is measured by tests/bench_visitor.py
(`--page-opens`), never asserted here.
"""

from __future__ import annotations

import asyncio

import gradio as gr
import httpx
import pytest
from gradio.state_holder import SessionState

from r2v_ui.ports import free_port
from r2v_ui.ui import idlequeue, sessionstate
from tests.fixtures_ui import run_event


def small_blocks() -> tuple[gr.Blocks, dict]:
    with gr.Blocks() as demo:
        text = gr.Textbox("hello", label="Text")
        number = gr.Number(3, label="N")
        picked = gr.Dropdown(["a", "b"], value="a", label="Pick")
        note = gr.HTML("<p>note</p>")
        kept = gr.State({"n": 0})
        go = gr.Button("Go")

        def some(t, k):
            return {text: t.upper(), kept: {"n": k["n"] + 1}}

        def update(t):
            return {number: gr.update(value=7, visible=False), note: gr.update(value=f"<b>{t}</b>")}

        go.click(some, [text, kept], [text, number, picked, note, kept])
        text.submit(update, [text], [number, note, picked])
    parts = dict(text=text, number=number, picked=picked, note=note, kept=kept)
    return demo, parts


def test_a_light_session_holds_what_gradios_would():
    demo, p = small_blocks()
    gradio_state, light = SessionState(demo), sessionstate.LightSessionState(demo)
    for state in (gradio_state, light):
        state[p["kept"]._id] = {"n": 5}
        state._update_value_in_config(p["text"]._id, "typed")
        state[p["number"]._id] = gr.Number(9, label="N", render=False)
        state._update_config(p["number"]._id)
        state._update_value_in_config(p["number"]._id, 9)
        state._update_value_in_config(p["picked"]._id, "b")
        state._update_value_in_config(p["picked"]._id, "a")
    assert light[p["kept"]._id] == gradio_state[p["kept"]._id] == {"n": 5}
    assert light.config_values == gradio_state.config_values
    assert list(light.components) == list(gradio_state.components)
    # A fresh light session, read before any event, answers as Gradio's does.
    fresh = sessionstate.LightSessionState(demo)
    assert fresh.config_values == SessionState(demo).config_values


@pytest.mark.parametrize("fn_index, inputs", [(0, ["hi", {"n": 1}]), (1, ["hi"])])
def test_outputs_a_handler_does_not_name_are_sent_as_gradio_sends_a_skip(fn_index, inputs):
    demo, p = small_blocks()
    assert sessionstate.lean_blocks(demo)  # gr.Blocks.postprocess_data below is still Gradio's own
    fn = demo.fns[fn_index]

    async def both():
        own_state, lean_state = SessionState(demo), sessionstate.LightSessionState(demo)
        # Each from its own call: Gradio's postprocessing takes the value out of an update dict it is given.
        own = await gr.Blocks.postprocess_data(demo, fn, fn.fn(*inputs), own_state)
        lean = await demo.postprocess_data(fn, fn.fn(*inputs), lean_state)
        return own, lean, own_state, lean_state

    own, lean, own_state, lean_state = asyncio.run(both())
    assert lean == own
    for block in fn.outputs:  # what the session holds for every output, named or not
        mine, gradios = lean_state.get(block._id), own_state.get(block._id)
        if block.stateful:
            assert mine == gradios
        else:  # Gradio's copy of a skipped one differs only in not being rendered again (and its value unset)
            assert args(mine) == args(gradios)


def args(block) -> dict:
    return {k: v for k, v in block.constructor_args.items() if k not in ("render", "value")}


@pytest.fixture
def served_blocks():
    demo, parts = small_blocks()
    demo.queue()
    assert sessionstate.lean_blocks(demo)
    idlequeue.wait_for_work(demo)
    port = free_port()
    demo.launch(server_port=port, prevent_thread_lock=True, quiet=True,
                app_kwargs={"lifespan": sessionstate.lifespan()})
    try:
        yield demo, f"http://127.0.0.1:{port}", parts
    finally:
        demo.close()


def test_a_served_page_has_light_sessions_that_answer_events(served_blocks):
    demo, url, p = served_blocks
    messages = run_event(url, 0, ["hi", None])
    done = messages[-1]
    assert done["success"], done
    data = done["output"]["data"]
    assert data[0] == "HI" and data[1] == {"__type__": "update"} and data[2] == {"__type__": "update"}
    assert isinstance(demo.server_app.state_holder, sessionstate.LightStateHolder)
    assert httpx.get(f"{url}/config").status_code == 200


def test_the_analytics_summary_is_made_when_read_and_counts_every_event(served_blocks):
    demo, url, _ = served_blocks
    queue = demo._queue
    for _ in range(3):
        assert run_event(url, 0, ["hi", None])[-1]["success"]
    assert queue.event_count_at_last_cache == 0  # nothing was summed after each event
    summary = queue.cached_event_analytics_summary
    assert sum(f["total_requests"] for f in summary["functions"].values()) == 3
    assert queue.event_count_at_last_cache == 3
