"""The studio's queue waits for work instead of polling for it (r2v_ui/ui/idlequeue.py), and still
starts every event, lets streams flow, queues behind a concurrency limit and sends progress.

The small pages here are launched with the queue's once-a-second safety wake turned off
(`FALLBACK_S` set to an hour): an event that starts at all was started by the signal meant for it.
Idle CPU itself is measured by tests/bench_visitor.py, not asserted here.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import gradio as gr
import httpx
import pytest

from r2v_ui.ports import free_port
from r2v_ui.ui import idlequeue
from tests.fixtures_ui import run_event, running_studio


@pytest.fixture
def small_page(monkeypatch):
    monkeypatch.setattr(idlequeue, "FALLBACK_S", 3600.0)
    gate = threading.Event()
    order: list[str] = []

    def echo(text):
        return text

    def count(n):
        for i in range(int(n)):
            yield str(i)

    def one_at_a_time(name):
        order.append(f"start {name}")
        gate.wait(30)
        order.append(f"end {name}")
        return name

    def with_progress(n, progress=gr.Progress()):
        for _ in progress.tqdm(range(int(n))):
            gate.wait(0.05)  # a step of work, long enough for the progress loop to send each one
        return "done"

    with gr.Blocks() as demo:
        box, out = gr.Textbox(), gr.Textbox()
        events = {
            "echo": gr.Button("echo").click(echo, box, out),
            "count": gr.Button("count").click(count, box, out),
            "single": gr.Button("single").click(one_at_a_time, box, out, concurrency_limit=1,
                                                 concurrency_id="single"),
            "progress": gr.Button("progress").click(with_progress, box, out),
        }
    demo.queue()
    assert idlequeue.wait_for_work(demo)
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        ids = {name: dep["id"] for name, dep in events.items()}
        yield demo.local_url.rstrip("/"), ids, gate, order
    finally:
        gate.set()
        demo.close()


def test_an_event_starts_after_the_queue_went_idle_and_a_stream_yields_every_update(small_page):
    url, ids, _gate, _order = small_page
    first = run_event(url, ids["echo"], ["hello"])
    assert first[-1]["success"] and first[-1]["output"]["data"] == ["hello"]
    # The queue has nothing to do now and waits; the next event must wake it.
    again = run_event(url, ids["echo"], ["again"])
    assert again[-1]["output"]["data"] == ["again"]
    stream = run_event(url, ids["count"], ["5"])
    # The first update carries the value, each later one a diff that replaces it (Gradio's stream format).
    updates = [m["output"]["data"][0] for m in stream if m["msg"] == "process_generating"]
    values = [u[0][2] if isinstance(u, list) else u for u in updates]
    assert values[:5] == ["0", "1", "2", "3", "4"]
    assert stream[-1]["success"]


def test_events_queued_behind_a_limit_start_when_the_one_running_ends(small_page):
    url, ids, gate, order = small_page
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(run_event, url, ids["single"], [name]) for name in ("a", "b", "c")]
        # Only one runs at a time; opening the gate lets each end, and each end must start the next.
        gate.set()
        results = [f.result(60)[-1]["output"]["data"][0] for f in futures]
    assert sorted(results) == ["a", "b", "c"]
    starts_and_ends = [entry.split()[0] for entry in order]
    assert starts_and_ends == ["start", "end"] * 3, order


def test_progress_still_reaches_the_page(small_page):
    url, ids, _gate, _order = small_page
    messages = run_event(url, ids["progress"], ["4"])
    assert any(m["msg"] == "progress" for m in messages), [m["msg"] for m in messages]
    assert messages[-1]["output"]["data"] == ["done"]


def test_the_studio_queue_waits_for_work_and_answers(tmp_path):
    with running_studio(tmp_path, finish_seconds=1.0) as studio:
        assert isinstance(studio.studio.demo._queue, idlequeue.WaitingQueue)
        config = httpx.get(f"{studio.url}/config", timeout=30).json()
        seed = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "seed-mode")
        dep = next(d for d in config["dependencies"] if [seed, "change"] in [list(t) for t in d["targets"]])
        done = run_event(studio.url, dep["id"], ["fixed"])
        assert done[-1]["success"], done[-1]
