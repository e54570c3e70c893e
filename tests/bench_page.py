"""Page weight (not a test: pytest does not collect this file, nothing is asserted).

    python tests/bench_page.py

Opens the studio (demo mode, loopback) and a bare Gradio page (one textbox and one button) in
Debian's Chromium, each in a fresh browser context, and prints the bytes that crossed the wire and
the number of requests until the page's Generate button is usable, beside each other.  Bytes are
what the network carried (compressed where the server compressed), from Chromium's own accounting
(`Network.loadingFinished.encodedDataLength`, through the DevTools protocol).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"


def weigh(browser, url: str, ready_selector: str, ready: str = "() => true") -> tuple[int, int]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    totals = {"bytes": 0, "requests": 0}

    def finished(event):
        totals["bytes"] += int(event.get("encodedDataLength", 0))
        totals["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    page.goto(url)
    page.locator(ready_selector).wait_for(state="visible", timeout=60_000)
    page.wait_for_load_state("load")
    page.wait_for_function(ready, timeout=60_000)  # the page's own start-up events have answered
    context.close()
    return totals["bytes"], totals["requests"]


def bare_gradio():
    import gradio as gr

    from r2v_ui.ports import free_port

    with gr.Blocks() as demo:
        text = gr.Textbox(label="Prompt")
        button = gr.Button("Generate", elem_id="bare-generate")
        out = gr.Textbox(label="Out")
        button.click(lambda x: x, text, out)
    port = free_port()
    demo.launch(server_port=port, prevent_thread_lock=True, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


def measure() -> dict[str, int]:
    """Bytes and requests to a usable page: the bare Gradio page's and the studio's, in one browser."""
    from playwright.sync_api import sync_playwright

    from tests.fixtures_ui import running_studio

    bare, bare_url = bare_gradio()
    try:
        with running_studio(Path(tempfile.mkdtemp(prefix="r2v-bench-page-")), finish_seconds=1.0) as studio, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            base_bytes, base_requests = weigh(browser, bare_url, "#bare-generate")
            page_bytes, page_requests = weigh(
                browser, studio.url, "#generate-btn",
                "() => { const b = document.querySelector('#job-status-box'); return b && b.dataset.state !== 'loading'; }")
            browser.close()
    finally:
        bare.close()
    return dict(base_bytes=base_bytes, base_requests=base_requests, page_bytes=page_bytes, page_requests=page_requests)


def print_table(m: dict[str, int]) -> None:
    print("| page | bytes over the wire until Generate is usable | requests |")
    print("|---|---|---|")
    print(f"| bare Gradio page (one textbox, one button) | {m['base_bytes'] / 1024:.0f} KB | {m['base_requests']} |")
    print(f"| the studio | {m['page_bytes'] / 1024:.0f} KB ({m['page_bytes'] / m['base_bytes']:.2f}×) | "
          f"{m['page_requests']} |")


def main() -> int:
    print_table(measure())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
