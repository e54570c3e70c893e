"""What one visitor costs the server (not a test: pytest does not collect bench_*.py, nothing is asserted).

    python tests/bench_visitor.py                       # N = 1, 10, 50 visitors
    python tests/bench_visitor.py --visitors 1,10 --idle-seconds 20
    python tests/bench_visitor.py --visitors 10 --profile /tmp/visitor   # + where the studio's CPU goes
    python tests/bench_visitor.py --page-opens 20      # only page opens: CPU per open, beside a bare page

A visitor is what a newcomer does, in Debian's Chromium: open the page, press "Load the example
cast", press Generate with the page's defaults (1080P, 5 s, sound; the emulator renders its
preview), and watch the video play.  Beside it, in the same run, a bare Gradio page (one textbox,
one button) is visited the same number of times: open it, type, press the button, see the answer.

Each server runs in a process of its own (the studio through bench_load's `--serve`, demo mode on
loopback; the bare page here), a fresh one for each N, and its CPU is read from /proc before and
after.  First the idle floor: each server alone for `--idle-seconds`, in CPU-seconds per second
(after it has settled: the studio draws its example cast at start, in the background).  Then, per N:

* a cold round: N visitors on the fresh process.  What a process pays once (Gradio's first page
  build, the static files kept and compressed, lazy imports, the first job's clients) falls here,
  on however many arrive together, as after a restart of a studio people are waiting for;
* the server left to settle, then a warm round: N more visitors.  Its figure is what a visitor
  costs; the cold round's CPU less N warm visitors is reported as paid "once a process".

In a round at most `--at-once` visitors are in the browser together (the next arrives as one
leaves: 50 Chromium tabs on a 2-core machine would measure the browser more than the server),
with a line of progress as each one ends; a round stops after `--round-timeout` seconds and says
how many were done.  A round's figure is the server's CPU over it, less the idle floor over the
same wall time, divided by the visitors done.  The browser's own CPU is not counted (it shares the machine's cores,
so rounds of many visitors take longer on a small machine).  Also printed: the wall time of each
round and how long the studio's idle queue took to start a cheap event after idling (the Seed
radio's change, over the page's own protocol; median of 10).  `--profile PREFIX` profiles the
studio in-process (yappi, if installed: `pip install yappi`; not a dependency) during each
round; read with `python -m pstats PREFIX-10.pstat`.  `--root DIR` serves the
studio of another checkout (an export of the commit before a change).

`--page-opens K` measures only the page open, K times one after another on each server (a fresh
browser context each: nothing cached in the browser), after one warm-up open that is not counted
(it fills the server's caches, once per process): the studio's open lasts until its Generate is
usable and its start-up events have answered, the bare page's until its button shows.  The figure
is the server's CPU over the K opens, less its idle floor over the same wall time, divided by K.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench_load import Child, Session, proc_cpu  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]


def serve_bare() -> None:
    """Child process: a bare Gradio page on loopback until stdin closes."""
    import gradio as gr

    from r2v_ui.ports import free_port

    with gr.Blocks() as demo:
        text = gr.Textbox(label="Prompt", elem_id="bare-text")
        button = gr.Button("Generate", elem_id="bare-generate")
        out = gr.Textbox(label="Out", elem_id="bare-out")
        button.click(lambda x: f"done: {x}", text, out)
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    print(json.dumps({"url": demo.local_url.rstrip("/"), "pid": os.getpid()}), flush=True)
    sys.stdin.read()
    demo.close()


# --- visitors ------------------------------------------------------------------------------------
# The page's start-up events have answered: the status box says what it holds, not "loading".
PAGE_STARTED = "() => { const b = document.querySelector('#job-status-box'); return b && b.dataset.state !== 'loading'; }"


@contextlib.asynccontextmanager
async def fresh_page(browser, timeout_ms: int = 120_000):
    """A page in a browser context of its own (nothing cached: a new visitor), closed at the end."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    try:
        yield page
    finally:
        await context.close()


async def studio_visitor(browser, url: str) -> None:
    async with fresh_page(browser, 300_000) as page:
        await page.goto(url)
        await page.wait_for_function(PAGE_STARTED)
        await page.locator("#load-example").click()
        await page.locator("#card-2-face").filter(has_text="bolt").wait_for()
        await page.locator("#generate-btn").click()
        await page.wait_for_function("() => { const b = document.querySelector('#job-status-box');"
                                     " return b && ['succeeded', 'failed'].includes(b.dataset.state); }")
        state = await page.locator("#job-status-box").get_attribute("data-state")
        if state != "succeeded":
            raise RuntimeError(f"the job ended {state}")
        await page.wait_for_function(
            """() => { const v = document.querySelector('#result-video video');
                       if (!v || v.readyState < 2) return false;
                       if (v.paused) { v.muted = true; v.play().catch(() => {}); }
                       return v.played.length > 0 && v.currentTime > 0; }""")


async def bare_visitor(browser, url: str) -> None:
    async with fresh_page(browser) as page:
        await page.goto(url)
        await page.locator("#bare-text textarea").fill("hello")
        await page.locator("#bare-generate").click()
        await page.wait_for_function("() => (document.querySelector('#bare-out textarea') || {}).value === 'done: hello'")


async def studio_open(browser, url: str) -> None:
    async with fresh_page(browser) as page:
        await page.goto(url)
        await page.locator("#generate-btn").wait_for(state="visible")
        await page.wait_for_function(PAGE_STARTED)


async def bare_open(browser, url: str) -> None:
    async with fresh_page(browser) as page:
        await page.goto(url)
        await page.locator("#bare-generate").wait_for(state="visible")


async def open_pages(opener, url: str, k: int) -> tuple[int, list[str]]:
    """One warm-up open (not counted by the caller: see open_round), then `k` opens one after another."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        errors = []
        try:
            for _ in range(k):
                try:
                    await opener(browser, url)
                except Exception as exc:  # noqa: BLE001 - counted and printed, the round goes on
                    errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
        finally:
            await browser.close()
    return k - len(errors), errors


def open_round(pid: int, floor: float, opener, url: str, k: int) -> dict:
    """CPU per page open: one warm-up open, then `k` counted ones (the browser's start is outside both)."""
    asyncio.run(open_pages(opener, url, 1))
    c0, t0 = proc_cpu(pid), time.monotonic()
    ok, errors = asyncio.run(open_pages(opener, url, k))
    wall = time.monotonic() - t0
    used = proc_cpu(pid) - c0
    net = max(0.0, used - floor * wall)
    return {"n": k, "ok": ok, "wall": wall, "cpu": used, "net": net, "per_open": net / k, "errors": errors[:3]}


def page_opens(args) -> int:
    """`--page-opens K`: the page open alone, the studio beside the bare page, idle floors apart."""
    k = args.page_opens
    load = os.getloadavg()
    print(f"# bench_visitor --page-opens {k} {time.strftime('%Y-%m-%d %H:%M')} · load average {load[0]:.2f}"
          f" {load[1]:.2f} {load[2]:.2f} · {os.cpu_count()} cores" + (f" · studio of {args.root}" if args.root else ""),
          flush=True)
    bare = BareChild()
    studio = Child("--serve", tempfile.mkdtemp(prefix="bench-page-opens-"), "--emulator-seconds",
                   str(args.emulator_seconds), *(["--root", args.root] if args.root else []))
    try:
        bare_info, info = bare.read(120), studio.read(180)
        settle(info["pid"])  # the example cast is drawn at start, in the background
        floors = {"bare": idle_floor(bare_info["pid"], args.idle_seconds),
                  "studio": idle_floor(info["pid"], args.idle_seconds)}
        rows = []
        for _ in range(args.repeat):
            s = open_round(info["pid"], floors["studio"], studio_open, info["url"], k)
            b = open_round(bare_info["pid"], floors["bare"], bare_open, bare_info["url"], k)
            rows.append((s, b))
            print(f"studio {s['per_open']:.3f} CPU-s an open ({s['ok']}/{k} ok, {s['wall']:.0f} s) · bare"
                  f" {b['per_open']:.3f} ({b['ok']}/{k} ok, {b['wall']:.0f} s) · ratio {s['per_open'] / b['per_open']:.2f}×"
                  + (f" · errors {s['errors'] + b['errors']}" if s["errors"] or b["errors"] else ""), flush=True)
    finally:
        studio.close()
        bare.close()
    print()
    print("| round | studio: CPU-s a page open (net of idle) | bare Gradio page | ratio | opens done |")
    print("|---|---|---|---|---|")
    for i, (s, b) in enumerate(rows, 1):
        print(f"| {i} | {s['per_open']:.3f} | {b['per_open']:.3f} | {s['per_open'] / b['per_open']:.2f}× |"
              f" {s['ok']}/{k}, {b['ok']}/{k} |")
    print(f"\nIdle floor (CPU-s per second): studio {floors['studio']:.4f}, bare Gradio {floors['bare']:.4f}.")
    return 0


async def visit(visitor, url: str, n: int, at_once: int, timeout: float, label: str) -> tuple[int, list[str]]:
    """`n` visitors, at most `at_once` of them in the browser together (the others arrive as one leaves);
    a line of progress as each one ends; the ones not done after `timeout` seconds are stopped and counted
    as errors."""
    from playwright.async_api import async_playwright

    gate = asyncio.Semaphore(at_once)
    t0 = time.monotonic()
    done = {"ok": 0, "failed": 0}

    async def one():
        async with gate:
            try:
                await visitor(browser, url)
                done["ok"] += 1
            except BaseException:
                done["failed"] += 1
                raise
            finally:
                if n > 1:
                    print(f"  {label}: {done['ok']}/{n} done" + (f", {done['failed']} failed" if done["failed"] else "")
                          + f" · {time.monotonic() - t0:.0f} s", flush=True)

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            tasks = [asyncio.ensure_future(one()) for _ in range(n)]
            finished, late = await asyncio.wait(tasks, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        finally:
            await browser.close()
    errors = [f"{type(t.exception()).__name__}: {str(t.exception())[:160]}" for t in finished if t.exception()]
    errors += [f"not done in the round's {timeout:.0f} s"] * len(late)
    return n - len(errors), errors


# --- measuring -----------------------------------------------------------------------------------
def idle_floor(pid: int, seconds: float) -> float:
    c0, t0 = proc_cpu(pid), time.monotonic()
    time.sleep(seconds)
    return (proc_cpu(pid) - c0) / (time.monotonic() - t0)


def settle(pid: int, most: float = 60.0, quiet: float = 0.05) -> float:
    """Wait (at most `most` s) until the server uses under `quiet` CPU-s a second over a whole second: its work
    at start (the example cast, drawn in the background) or after a round (jobs being filed) is over."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < most:
        c0 = proc_cpu(pid)
        time.sleep(1.0)
        if proc_cpu(pid) - c0 < quiet:
            break
    return time.monotonic() - t0


def round_cpu(pid: int, floor: float, visitor, url: str, n: int, at_once: int = 10, timeout: float = 900.0,
              label: str = "") -> dict:
    """The server's CPU over `n` visits, less its idle floor over the same wall time; per visitor done."""
    c0, t0 = proc_cpu(pid), time.monotonic()
    ok, errors = asyncio.run(visit(visitor, url, n, at_once, timeout, label or f"N={n}"))
    wall = time.monotonic() - t0
    used = proc_cpu(pid) - c0
    net = max(0.0, used - floor * wall)
    return {"n": n, "ok": ok, "wall": wall, "cpu": used, "net": net, "per_visitor": net / max(ok, 1),
            "errors": errors[:3]}


def event_start_after_idle(url: str, idle: float = 2.0, times: int = 10) -> float:
    """Median seconds for the cheap Seed event, each sent after `idle` seconds of nothing."""
    import httpx

    session = Session(url, httpx.get(f"{url}/config", timeout=30).json())
    lat = []
    for k in range(times):
        time.sleep(idle)
        t = time.perf_counter()
        session.call_on("seed-mode", "change", [("fixed", "random")[k % 2]])
        lat.append(time.perf_counter() - t)
    session.close()
    return statistics.median(lat)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", default="1,10,50")
    ap.add_argument("--idle-seconds", type=float, default=30.0)
    ap.add_argument("--emulator-seconds", type=float, default=8.0, help="the emulator's time per task (the app's default)")
    ap.add_argument("--page-opens", type=int, default=0, metavar="K",
                    help="measure only the page open, K opens on each server (no visitors)")
    ap.add_argument("--repeat", type=int, default=3, help="with --page-opens: how many rounds of K opens")
    ap.add_argument("--root", help="serve the studio of another checkout (an export of the commit before a change)")
    ap.add_argument("--profile", metavar="PREFIX",
                    help="profile the studio in-process (yappi, CPU clock, every thread): PREFIX-N-cold.pstat and"
                         " PREFIX-N.pstat for each N")
    ap.add_argument("--at-once", type=int, default=10,
                    help="at most this many visitors in the browser together (the next arrives as one leaves)")
    ap.add_argument("--round-timeout", type=float, default=900.0,
                    help="seconds a round may take; visitors not done by then are stopped and counted as not done")
    ap.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_bare:
        serve_bare()
        return 0
    if args.page_opens:
        return page_opens(args)
    counts = [int(x) for x in args.visitors.split(",") if x.strip()]

    load = os.getloadavg()
    print(f"# bench_visitor {time.strftime('%Y-%m-%d %H:%M')} · load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          f" · {os.cpu_count()} cores · at most {args.at_once} visitors in the browser at once"
          + (f" · studio of {args.root}" if args.root else ""), flush=True)
    rows, floors = [], {}
    for n in counts:
        s, s_cold = studio_round(args, n, floors)
        b, b_cold = bare_round(args, n, floors)
        rows.append((n, s, s_cold, b, b_cold))
        errors = s_cold["errors"] + s["errors"] + b_cold["errors"] + b["errors"]
        print(f"N={n}: studio {s['per_visitor']:.2f} CPU-s a visitor ({s['ok']}/{n} ok, {s['wall']:.0f} s), on a fresh"
              f" process {s_cold['per_visitor']:.2f} ({s_cold['ok']}/{n} ok) · bare {b['per_visitor']:.3f}"
              f" ({b['ok']}/{n} ok, {b['wall']:.0f} s), fresh {b_cold['per_visitor']:.3f}"
              + (f" · errors {errors}" if errors else ""), flush=True)
    print()
    print("| visitors | studio: CPU-s a visitor (net of idle) | bare Gradio page | ratio | visitors done | wall, studio |"
          " studio on a fresh process: a visitor · once a process | bare on a fresh process |")
    print("|---|---|---|---|---|---|---|---|")
    for n, s, s_cold, b, b_cold in rows:
        ratio = s["per_visitor"] / b["per_visitor"] if b["per_visitor"] else float("nan")
        once = max(0.0, s_cold["net"] - s["per_visitor"] * s_cold["ok"])
        print(f"| {n} | {s['per_visitor']:.2f} | {b['per_visitor']:.3f} | {ratio:.0f}× | {s['ok']}/{n}, {b['ok']}/{n} |"
              f" {s['wall']:.0f} s | {s_cold['per_visitor']:.2f} · {once:.2f} CPU-s | {b_cold['per_visitor']:.3f} |")
    print(f"\nIdle floor (CPU-s per second, nobody on the page): studio {floors.get('studio', float('nan')):.4f},"
          f" bare Gradio {floors.get('bare', float('nan')):.4f}; a cheap event after 2 s idle answers in"
          f" {floors.get('start', float('nan')) * 1000:.0f} ms (median of 10).")
    return 0


def cold_then_warm(args, child: Child, info: dict, floor: float, visitor, n: int, label: str) -> tuple[dict, dict]:
    """(warm, cold): `n` visitors on the fresh server (cold: what a process pays once falls there, on however
    many arrive together), the server left to settle, then `n` more (warm).  Profiled with `--profile`, the
    studio only: PREFIX-N-cold.pstat and PREFIX-N.pstat."""
    rounds = {}
    for kind in ("cold", "warm"):
        if args.profile and label == "studio":
            child.send("profile start")
        rounds[kind] = round_cpu(info["pid"], floor, visitor, info["url"], n, args.at_once, args.round_timeout,
                                 label=f"{label}, N={n}, {kind}")
        if args.profile and label == "studio":
            child.send(f"profile stop {args.profile}-{n}{'-cold' if kind == 'cold' else ''}.pstat")
            print(f"profile of the studio's {kind} round: {child.read(120)['profile']}", flush=True)
        settle(info["pid"])
    return rounds["warm"], rounds["cold"]


def studio_round(args, n: int, floors: dict) -> tuple[dict, dict]:
    """A fresh studio (its own data folder): its idle floor once, then `n` visitors cold, then `n` warm."""
    studio = Child("--serve", tempfile.mkdtemp(prefix=f"bench-visitor-{n}-"), "--emulator-seconds",
                   str(args.emulator_seconds), "--poll-rpm", "6000", *(["--root", args.root] if args.root else []))
    try:
        info = studio.read(180)
        settle(info["pid"])  # the example cast is drawn at start, in the background
        if "studio" not in floors:
            floors["studio"] = idle_floor(info["pid"], args.idle_seconds)
            floors["start"] = event_start_after_idle(info["url"])
            print(f"idle floor, CPU-s per second: studio {floors['studio']:.4f}; a cheap event after 2 s idle"
                  f" answers in {floors['start'] * 1000:.0f} ms (median of 10)", flush=True)
        return cold_then_warm(args, studio, info, floors["studio"], studio_visitor, n, "studio")
    finally:
        studio.close()


def bare_round(args, n: int, floors: dict) -> tuple[dict, dict]:
    """The same on a fresh bare Gradio page."""
    bare = BareChild()
    try:
        info = bare.read(120)
        settle(info["pid"])
        if "bare" not in floors:
            floors["bare"] = idle_floor(info["pid"], args.idle_seconds)
            print(f"idle floor, CPU-s per second: bare Gradio {floors['bare']:.4f}", flush=True)
        return cold_then_warm(args, bare, info, floors["bare"], bare_visitor, n, "bare")
    finally:
        bare.close()


class BareChild(Child):
    """The bare Gradio page in a process of its own (bench_load's Child starts bench_load.py; this one, this file)."""

    def __init__(self):
        import subprocess

        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-bare"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=str(ROOT))


if __name__ == "__main__":
    raise SystemExit(main())
